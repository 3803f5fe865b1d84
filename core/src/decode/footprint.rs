//! How much memory decoding a file will take, read from its header alone: what a server charges
//! against its decode budget before it decodes (a 50 MP photo costs hundreds of megabytes, a
//! 512-pixel one almost nothing, and only the header tells them apart).
//!
//! The estimate follows the decoders' own buffers, phase by phase, and takes the highest:
//! - **decoding**: the output pixels, the decoder's rows and, for a progressive JPEG, every DCT
//!   coefficient of the image at full size (two
//!   bytes each, per component with its sampling: 3 bytes a pixel at 4:2:0, 6 at 4:4:4), which
//!   both JPEG decoders keep until the last scan;
//! - **after decoding**: the output and its rotated copy (EXIF orientation) or its RGB copy (any
//!   other layout than 8-bit RGB);
//! - plus the file itself is the caller's, and the thumbnail, model input and colours are a few
//!   megabytes at most ([`FIXED`]).
//!
//! A JPEG the reduced-scale path will take (`decode::jpeg_scaled`, a fraction of this) is still
//! charged its every-pixel peak: that path falls back to a full decode when `jpeg-decoder`
//! refuses a file `zune-jpeg` reads, which no header tells. So the charge bounds the decode
//! whichever path runs.
//!
//! `core/tests/decode_memory.rs` measures the real peak of each kind of file with a counting
//! allocator and checks that this covers it, and the every-pixel peak by no more than twice.

use image::metadata::Orientation;
use image::{ImageDecoder, ImageReader};
use std::io::Cursor;

use super::Format;
use crate::error::PreprocessError;
use crate::limits::Limits;

/// What one preprocess allocates besides the decode: the thumbnail and its JPEG, the model
/// input, the colours and the resizers' buffers (the 512-pixel thumbnail of a 3:1 panorama is
/// 512 × 171; the largest case measured took 2.1 MB).
pub const FIXED: u64 = 4 * 1024 * 1024;

/// A JPEG frame header: enough to size the decoders' buffers.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Frame {
    progressive: bool,
    /// Each component's horizontal and vertical sampling factors.
    sampling: Vec<(u8, u8)>,
    width: u32,
    height: u32,
}

impl Frame {
    /// Blocks of 8 × 8 each component codes, padded to whole MCUs as the decoders store them.
    fn blocks(&self) -> u64 {
        let h_max = self.sampling.iter().map(|s| u32::from(s.0)).max().unwrap_or(1).max(1);
        let v_max = self.sampling.iter().map(|s| u32::from(s.1)).max().unwrap_or(1).max(1);
        let mcus_x = u64::from(self.width.div_ceil(8 * h_max));
        let mcus_y = u64::from(self.height.div_ceil(8 * v_max));
        self.sampling.iter().map(|&(h, v)| mcus_x * u64::from(h) * mcus_y * u64::from(v)).sum()
    }
}

/// Reads the start-of-frame segment, walking the markers before it; `None` when there is none.
fn jpeg_frame(bytes: &[u8]) -> Option<Frame> {
    let mut at = 2;
    while at + 4 <= bytes.len() {
        if bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let segment = bytes.get(at + 4..at + 2 + length)?;
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let height = u32::from(u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?]));
            let width = u32::from(u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?]));
            let count = usize::from(*segment.get(5)?);
            let sampling =
                (0..count).map(|i| segment.get(7 + 3 * i).map(|&s| (s >> 4, s & 0x0F))).collect::<Option<Vec<_>>>()?;
            let progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
            return Some(Frame { progressive, sampling, width, height });
        }
        at += 2 + length;
    }
    None
}

/// Bytes a decode of `bytes` allocates at its peak, from the header, with the same limits as the
/// decode (a file the decode would refuse is refused here, before anything is allocated): the
/// every-pixel decode's, which also bounds [`super::decode_for`]'s reduced-scale JPEG path.
pub fn peak_bytes(bytes: &[u8], limits: &Limits) -> Result<u64, PreprocessError> {
    limits.check_bytes(bytes.len())?;
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PreprocessError::Corrupt(e.to_string()))?;
    let format = reader.format().and_then(Format::from_image).ok_or(PreprocessError::UnsupportedFormat)?;
    let mut decoder = reader.into_decoder().map_err(super::map_image_error)?;
    let (width, height) = decoder.dimensions();
    limits.check_dimensions(width, height)?;
    let frame = if format == Format::Jpeg {
        super::check_jpeg_holds(bytes.len(), width, height)?;
        jpeg_frame(bytes)
    } else {
        None
    };
    // A quarter turn makes a rotated copy; flips and half turns are done in place.
    let turns =
        decoder.exif_metadata().ok().flatten().as_deref().and_then(Orientation::from_exif_chunk).is_some_and(|o| {
            matches!(
                o,
                Orientation::Rotate90
                    | Orientation::Rotate270
                    | Orientation::Rotate90FlipH
                    | Orientation::Rotate270FlipH
            )
        });
    let pixels = u64::from(width) * u64::from(height);
    let output = decoder.total_bytes();
    let working = match format {
        // zune-jpeg's rows and, for a progressive file, every coefficient (a frame header this
        // reader cannot read: as many as a progressive 4:4:4 file keeps).
        Format::Jpeg => {
            let coefficients = match &frame {
                Some(f) if f.progressive => f.blocks() * 128,
                Some(_) => 0,
                None => pixels * 6,
            };
            coefficients + pixels
        }
        // Lossless WebP decodes to 32-bit ARGB first.
        Format::Webp => pixels * 4,
        // The frame's palette indexes, beside the RGBA output.
        Format::Gif => pixels,
        _ => 0,
    };
    let rgb8 = decoder.color_type() == image::ColorType::Rgb8;
    let after = output + (if turns { output } else { 0 }).max(if rgb8 { 0 } else { pixels * 3 });
    Ok((output + working).max(after) + FIXED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_frame_of_a_jpeg() {
        let image = image::RgbImage::from_fn(100, 60, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(image).write_to(&mut out, image::ImageFormat::Jpeg).expect("encode");
        let frame = jpeg_frame(out.get_ref()).expect("a frame");
        assert_eq!((frame.width, frame.height, frame.progressive), (100, 60, false));
        assert_eq!(frame.sampling.len(), 3);
        assert_eq!(jpeg_frame(b"\xFF\xD8\xFF\xE0\x00"), None);
        assert_eq!(jpeg_frame(b"\xFF\xD8\xFF\xC0\x00\x20\x08"), None);
    }

    #[test]
    fn the_estimate_grows_with_the_pixels_and_refuses_what_the_decode_refuses() {
        let png = |w, h| {
            let mut out = Cursor::new(Vec::new());
            image::DynamicImage::ImageRgb8(image::RgbImage::new(w, h))
                .write_to(&mut out, image::ImageFormat::Png)
                .expect("encode");
            out.into_inner()
        };
        let limits = Limits::default();
        let small = peak_bytes(&png(100, 100), &limits).expect("small");
        let large = peak_bytes(&png(2000, 2000), &limits).expect("large");
        assert!(small < FIXED + 100_000, "{small}");
        assert!(large >= FIXED + 2000 * 2000 * 3, "{large}");
        let tight = Limits { max_pixels: 1000, ..limits };
        assert!(matches!(peak_bytes(&png(100, 100), &tight), Err(PreprocessError::TooManyPixels { .. })));
        assert_eq!(peak_bytes(b"not an image", &limits), Err(PreprocessError::UnsupportedFormat));
        assert_eq!(peak_bytes(b"", &limits), Err(PreprocessError::Empty));
    }
}
