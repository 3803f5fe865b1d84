//! Decoding to an upright RGB image. The header is read and checked against [`Limits`] before the
//! pixels are decoded; the EXIF orientation (JPEG, PNG, WebP) is applied after.
//!
//! [`decode`] decodes every pixel. [`decode_for`] is told the sizes the caller will resize to and,
//! for a JPEG much larger than those, decodes at 1/2, 1/4 or 1/8 scale in the IDCT
//! ([`jpeg_scaled`]), which skips most of the work.

pub mod footprint;
pub mod jpeg_scaled;

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, RgbImage};
use serde::{Deserialize, Serialize};

use crate::error::PreprocessError;
use crate::limits::Limits;

/// The formats this crate decodes, and (from [`Format::Avif`] on) those only a browser's decoder
/// reads, recognised from their first bytes for [`crate::preprocess::preprocess_rgba`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
    Avif,
    Heic,
    Ico,
    Tiff,
    Svg,
    Other,
}

impl Format {
    fn from_image(format: ImageFormat) -> Option<Format> {
        Some(match format {
            ImageFormat::Jpeg => Format::Jpeg,
            ImageFormat::Png => Format::Png,
            ImageFormat::WebP => Format::Webp,
            ImageFormat::Gif => Format::Gif,
            ImageFormat::Bmp => Format::Bmp,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Bmp => "bmp",
            Format::Avif => "avif",
            Format::Heic => "heic",
            Format::Ico => "ico",
            Format::Tiff => "tiff",
            Format::Svg => "svg",
            Format::Other => "other",
        }
    }

    /// The format of a file from its first bytes, whether or not this crate decodes it.
    pub fn sniff(bytes: &[u8]) -> Format {
        if let Ok(format) = image::guess_format(bytes) {
            if let Some(format) = Format::from_image(format) {
                return format;
            }
        }
        let head = &bytes[..bytes.len().min(64)];
        if head.starts_with(&[0, 0, 1, 0]) || head.starts_with(&[0, 0, 2, 0]) {
            return Format::Ico;
        }
        if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
            return Format::Tiff;
        }
        // ISO base media: `....ftyp<brand>`.
        if head.get(4..8) == Some(b"ftyp") {
            match head.get(8..12) {
                Some(b"avif" | b"avis") => return Format::Avif,
                Some(b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1") => {
                    return Format::Heic
                }
                _ => {}
            }
        }
        let text = String::from_utf8_lossy(head);
        let text = text.trim_start_matches('\u{feff}').trim_start();
        if text.starts_with("<svg")
            || (text.starts_with("<?xml") && String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).contains("<svg"))
        {
            return Format::Svg;
        }
        Format::Other
    }
}

/// Which decoder made the pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoder {
    /// This crate, every pixel.
    Core,
    /// This crate's reduced-scale JPEG path: the IDCT made 1/`n` of each side (2, 4 or 8).
    CoreDct(u8),
    /// The browser decoded the file and handed over RGBA pixels.
    Browser,
}

impl Decoder {
    /// `core`, `core-dct-1/2`, `core-dct-1/4`, `core-dct-1/8` or `browser`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decoder::Core => "core",
            Decoder::CoreDct(2) => "core-dct-1/2",
            Decoder::CoreDct(4) => "core-dct-1/4",
            Decoder::CoreDct(_) => "core-dct-1/8",
            Decoder::Browser => "browser",
        }
    }
}

/// The smallest image the caller can use: its longest side at least `longest` and its shorter
/// side at least `shorter`, or the whole image when that is smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    pub longest: u32,
    pub shorter: u32,
}

/// A decoded, upright image.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub format: Format,
    /// The EXIF orientation value found in the file (1-8), or `None` when absent or invalid.
    pub exif_orientation: Option<u8>,
    /// The upright pixels; smaller than `width` x `height` when [`Decoded::decoder`] is
    /// [`Decoder::CoreDct`].
    pub image: RgbImage,
    /// Upright size of the whole image.
    pub width: u32,
    pub height: u32,
    pub decoder: Decoder,
    /// The EXIF TIFF chunk, when the file has one.
    pub exif: Option<Vec<u8>>,
}

type Reader<'a> = ImageReader<Cursor<&'a [u8]>>;

fn reader(bytes: &[u8]) -> Result<(Reader<'_>, Format), PreprocessError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PreprocessError::Corrupt(e.to_string()))?;
    let format = reader.format().and_then(Format::from_image).ok_or(PreprocessError::UnsupportedFormat)?;
    Ok((reader, format))
}

fn map_image_error(error: ImageError) -> PreprocessError {
    match error {
        ImageError::Limits(_) => PreprocessError::MemoryLimit,
        ImageError::Unsupported(_) => PreprocessError::UnsupportedFormat,
        ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            PreprocessError::Corrupt("the file is truncated".to_owned())
        }
        other => PreprocessError::Corrupt(other.to_string().to_lowercase()),
    }
}

/// Decodes the first frame to upright RGB, every pixel, refusing anything over the limits before
/// decoding it.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded, PreprocessError> {
    limits.check_bytes(bytes.len())?;
    let (reader, format) = reader(bytes)?;
    if format == Format::Jpeg && !jpeg_has_end(bytes) {
        return Err(PreprocessError::Corrupt("the file is truncated".to_owned()));
    }
    decode_full(reader, format, bytes.len(), limits)
}

/// Like [`decode`], but a large JPEG may be decoded at a reduced scale, as long as the image
/// stays at least as large as `needs` (see [`jpeg_scaled`]). The limits are the same.
pub fn decode_for(bytes: &[u8], limits: &Limits, needs: Needs) -> Result<Decoded, PreprocessError> {
    limits.check_bytes(bytes.len())?;
    let (reader, format) = reader(bytes)?;
    if format == Format::Jpeg {
        if !jpeg_has_end(bytes) {
            return Err(PreprocessError::Corrupt("the file is truncated".to_owned()));
        }
        if let Some(decoded) = jpeg_scaled::decode(bytes, limits, needs)? {
            return Ok(decoded);
        }
    }
    decode_full(reader, format, bytes.len(), limits)
}

fn decode_full(reader: Reader<'_>, format: Format, len: usize, limits: &Limits) -> Result<Decoded, PreprocessError> {
    let mut decoder = reader.into_decoder().map_err(map_image_error)?;
    let (width, height) = decoder.dimensions();
    limits.check_dimensions(width, height)?;
    if format == Format::Jpeg {
        check_jpeg_holds(len, width, height)?;
    }

    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_alloc());
    decoder.set_limits(decoder_limits).map_err(map_image_error)?;

    // A missing, unreadable or invalid EXIF orientation means "no transform", never a failed decode.
    let exif = decoder.exif_metadata().ok().flatten();
    let orientation = exif.as_deref().and_then(Orientation::from_exif_chunk);
    let mut image = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    let exif_orientation = orientation.map(Orientation::to_exif);
    let image = image.into_rgb8();
    let (width, height) = image.dimensions();
    Ok(Decoded { format, exif_orientation, image, width, height, decoder: Decoder::Core, exif })
}

/// Refuses a JPEG too small to hold the image its header declares (a 2 KB file declaring
/// 50 MP would otherwise cost a 150 MB buffer and its decoding). The bound is safe for every
/// JPEG these decoders read (Huffman coded): each scan codes every block of each of its
/// components, each block at least one bit (its DC code), and the smallest component has at least
/// one block per 32 × 32 pixels (sampling factors are at most 4). So at least one bit per
/// 32 × 32 pixels: 6.1 KB for 50 MP.
pub(crate) fn check_jpeg_holds(len: usize, width: u32, height: u32) -> Result<(), PreprocessError> {
    let least = (u64::from(width.div_ceil(32)) * u64::from(height.div_ceil(32))).div_ceil(8);
    if (len as u64) < least {
        return Err(PreprocessError::Corrupt(format!(
            "the file is {len} bytes, too few for the {width}x{height} jpeg its header declares (at least {least})"
        )));
    }
    Ok(())
}

/// True when an end-of-image marker follows the last start-of-scan marker. Entropy-coded data
/// escapes 0xFF, so neither marker can appear inside it; an embedded EXIF thumbnail has both, but
/// before the main image's scans. The JPEG decoder itself fills a truncated file with grey.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    let last_sos = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_sos {
        Some(sos) => bytes[sos..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}
