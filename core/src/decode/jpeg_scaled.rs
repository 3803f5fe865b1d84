//! Reduced-scale JPEG decoding: the IDCT of each 8x8 block makes 4x4, 2x2 or 1x1 pixels instead
//! of 8x8, so a 14.7 MP photo wanted as a 512-pixel thumbnail and a 256-pixel model input costs a
//! fraction of a full decode (the Huffman decoding stays). `jpeg-decoder` does this (pure Rust,
//! without its rayon feature); the full path's zune-jpeg does not.
//!
//! The scale is the largest reduction, at most 1/4 ([`MAX_REDUCTION`]), that leaves the image at
//! least as large as [`Needs`]: its longest side >= the thumbnail's and its shorter side >= the
//! model input's resize target. 1/8 keeps only each block's DC coefficient: on the 14.7 MP
//! wallpaper it was 1 % faster than 1/4 (Huffman decoding is most of the time at both scales) but
//! its model input was 3 times as far from the full decode's (mean |diff| 2.08 against 0.70 of
//! 255, the thumbnail 3.0 against 1.0), so it is not used. Both
//! are about the upright image, and a rotation by 90 degrees swaps width and height but not the
//! longest and shorter sides, so the choice holds for every orientation; the orientation is
//! applied after the scaled decode.
//!
//! The same limits as the full path: the header's dimensions are checked before any pixel buffer
//! exists, the decoder's output buffer is capped by [`Limits::max_alloc`], and the caller has
//! refused a JPEG without an end-of-image marker after its last scan. Grey-scale and colour
//! (YCbCr, RGB) JPEGs, baseline or progressive, take this path; CMYK, 16-bit, lossless, small
//! images or any decode error fall back to the full path (`Ok(None)`), which gives its own
//! answer.

use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, RgbImage};
use jpeg_decoder::{CodingProcess, PixelFormat};

use super::{Decoded, Decoder, Format, Needs};
use crate::error::PreprocessError;
use crate::limits::Limits;

/// The largest reduction used: 1/4 (see the module's documentation for why not 1/8).
pub const MAX_REDUCTION: u8 = 4;

/// The denominator (2 or 4) of the largest reduction that keeps `width` x `height` at least as
/// large as `needs`, or `None` when no reduction does.
pub fn choose_scale(width: u32, height: u32, needs: Needs) -> Option<u8> {
    let long = width.max(height);
    let short = width.min(height);
    let need_long = needs.longest.min(long);
    let need_short = needs.shorter.min(short);
    [8u8, 4, 2].into_iter().filter(|&n| n <= MAX_REDUCTION).find(|&n| {
        let (w, h) = scaled_size(width, height, n);
        w.max(h) >= need_long && w.min(h) >= need_short
    })
}

/// What the IDCT at 1/`n` makes of `width` x `height`: each side rounded up.
pub fn scaled_size(width: u32, height: u32, n: u8) -> (u32, u32) {
    let n = u32::from(n);
    (width.div_ceil(n), height.div_ceil(n))
}

/// Decodes `bytes` (a JPEG with an end marker) at a reduced scale, or `Ok(None)` when this path
/// does not apply.
pub(super) fn decode(bytes: &[u8], limits: &Limits, needs: Needs) -> Result<Option<Decoded>, PreprocessError> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    if decoder.read_info().is_err() {
        return Ok(None);
    }
    let Some(info) = decoder.info() else { return Ok(None) };
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    limits.check_dimensions(width, height)?;
    super::check_jpeg_holds(bytes.len(), width, height)?;
    if !matches!(info.pixel_format, PixelFormat::L8 | PixelFormat::RGB24)
        || info.coding_process == CodingProcess::Lossless
    {
        return Ok(None);
    }
    let exif_orientation = decoder.exif_data().and_then(Orientation::from_exif_chunk);
    let Some(n) = choose_scale(width, height, needs) else { return Ok(None) };
    let (want_w, want_h) = scaled_size(width, height, n);
    let (Ok(req_w), Ok(req_h)) = (u16::try_from(want_w), u16::try_from(want_h)) else { return Ok(None) };
    match decoder.scale(req_w, req_h) {
        Ok((w, h)) if (u32::from(w), u32::from(h)) == (want_w, want_h) => {}
        _ => return Ok(None),
    }
    decoder.set_max_decoding_buffer_size(usize::try_from(limits.max_alloc()).unwrap_or(usize::MAX));
    let Ok(pixels) = decoder.decode() else { return Ok(None) };
    let exif = decoder.exif_data().map(<[u8]>::to_vec);
    let image = match info.pixel_format {
        PixelFormat::L8 => GrayImage::from_raw(want_w, want_h, pixels).map(DynamicImage::ImageLuma8),
        _ => RgbImage::from_raw(want_w, want_h, pixels).map(DynamicImage::ImageRgb8),
    };
    let Some(mut image) = image else { return Ok(None) };
    let (mut full_w, mut full_h) = (width, height);
    if let Some(orientation) = exif_orientation {
        image.apply_orientation(orientation);
        if matches!(
            orientation,
            Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
        ) {
            (full_w, full_h) = (height, width);
        }
    }
    Ok(Some(Decoded {
        format: Format::Jpeg,
        exif_orientation: exif_orientation.map(Orientation::to_exif),
        image: image.into_rgb8(),
        width: full_w,
        height: full_h,
        decoder: Decoder::CoreDct(n),
        exif,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEEDS: Needs = Needs { longest: 512, shorter: 256 };

    #[test]
    fn chooses_the_largest_reduction_that_still_fits() {
        // 5120x2880: 1/8 would give 640x360, >= 512 long and >= 256 short, but 1/4 is the most.
        assert_eq!(choose_scale(5120, 2880, NEEDS), Some(4));
        // 3264x2448: 1/8 gives 408x306 (long side < 512); 1/4 gives 816x612.
        assert_eq!(choose_scale(3264, 2448, NEEDS), Some(4));
        assert_eq!(choose_scale(2448, 3264, NEEDS), Some(4));
        // 2560x1600: 1/4 gives 640x400; 1/8 gives 320x200.
        assert_eq!(choose_scale(2560, 1600, NEEDS), Some(4));
        // 1080x1920: 1/4 gives 270x480 (long < 512); 1/2 gives 540x960.
        assert_eq!(choose_scale(1080, 1920, NEEDS), Some(2));
        // Too small for any reduction.
        assert_eq!(choose_scale(600, 450, NEEDS), None);
        assert_eq!(choose_scale(451, 300, NEEDS), None);
        // A long strip: the shorter side decides.
        assert_eq!(choose_scale(10000, 300, NEEDS), None);
        assert_eq!(choose_scale(10000, 2100, NEEDS), Some(4));
        assert_eq!(choose_scale(10000, 700, NEEDS), Some(2));
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    #[test]
    fn decodes_a_large_jpeg_at_a_quarter() {
        let d = decode(&jpeg(2560, 1600), &Limits::default(), NEEDS).unwrap().unwrap();
        assert_eq!(d.decoder, Decoder::CoreDct(4));
        assert_eq!(d.image.dimensions(), (640, 400));
        assert_eq!((d.width, d.height), (2560, 1600));
        // Too small to reduce: the full path decides.
        assert!(decode(&jpeg(600, 400), &Limits::default(), NEEDS).unwrap().is_none());
    }

    /// SHA-256 of the 1/4-scale pixels of `jpeg(2560, 1600)` and of its model input. The wasm
    /// test `the_reduced_decode_gives_the_native_bytes` (wasm/tests/web.rs) pins the same values:
    /// `platform_independent` keeps jpeg-decoder's IDCT and colour conversion the same natively
    /// and in wasm, so the browser and the servers agree to the byte.
    pub(crate) const QUARTER_PIXELS_SHA256: &str = "479539efaeae55ae12cc62dc8dbfdb2fd29c946a18e07ab19c9d7d9fc70d3c5a";
    pub(crate) const QUARTER_MODEL_INPUT_SHA256: &str =
        "054f0f7934f28265763d50de498e50074a97ab1381806489f61b4abb334a9e38";

    #[test]
    fn the_reduced_decode_is_pinned() {
        let d = decode(&jpeg(2560, 1600), &Limits::default(), NEEDS).unwrap().unwrap();
        let input = crate::model_input::ModelInput::from_image(&d.image).unwrap();
        let got = (crate::preprocess::sha256_hex(d.image.as_raw()), crate::preprocess::sha256_hex(input.as_bytes()));
        assert_eq!((got.0.as_str(), got.1.as_str()), (QUARTER_PIXELS_SHA256, QUARTER_MODEL_INPUT_SHA256));
    }

    #[test]
    fn the_header_is_checked_before_any_pixel_buffer() {
        let mut bytes = jpeg(1024, 768);
        // Patch the baseline frame header (FFC0, length, precision, height, width) to 20000x20000.
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bytes[sof + 5..sof + 9].copy_from_slice(&[0x4E, 0x20, 0x4E, 0x20]);
        let err = decode(&bytes, &Limits::default(), NEEDS).unwrap_err();
        assert_eq!(
            err,
            PreprocessError::TooManyPixels { width: 20000, height: 20000, limit: Limits::default().max_pixels }
        );
        let small = Limits { max_side: 1000, ..Limits::default() };
        let err = decode(&jpeg(1024, 768), &small, NEEDS).unwrap_err();
        assert!(matches!(err, PreprocessError::SideTooLong { .. }), "{err}");
    }

    #[test]
    fn a_jpeg_too_small_for_the_image_its_header_declares_is_refused_before_decoding() {
        let mut bytes = jpeg(16, 16);
        // Patch the frame header to 7000x7000 (49 MP, within the limits): a few hundred bytes
        // cannot hold it, whichever path decodes.
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bytes[sof + 5..sof + 9].copy_from_slice(&[0x1B, 0x58, 0x1B, 0x58]);
        for err in [
            decode(&bytes, &Limits::default(), NEEDS).unwrap_err(),
            crate::decode::decode(&bytes, &Limits::default()).unwrap_err(),
        ] {
            assert!(
                matches!(&err, PreprocessError::Corrupt(m) if m.contains("too few for the 7000x7000 jpeg")),
                "{err}"
            );
        }
        // A real image that compresses extremely well is not refused: one colour, 3000x3000.
        let flat = RgbImage::from_pixel(3000, 3000, image::Rgb([20, 20, 20]));
        let mut out = std::io::Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(flat).write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        let flat = out.into_inner();
        assert!(crate::decode::decode(&flat, &Limits::default()).is_ok(), "{} bytes", flat.len());
    }

    #[test]
    fn corrupt_scans_fall_back_or_fail_without_panicking() {
        let bytes = jpeg(2048, 1536);
        for i in (0..bytes.len()).step_by(1499) {
            let mut broken = bytes.clone();
            broken[i] ^= 0x5A;
            let _ = decode(&broken, &Limits::default(), NEEDS);
            let _ = crate::decode::decode_for(&broken, &Limits::default(), NEEDS);
        }
    }
}
