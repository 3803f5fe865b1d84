//! Decoding to an upright RGB image. The header is read and checked against [`Limits`] before the
//! pixels are decoded; the EXIF orientation (JPEG, PNG, WebP) is applied after.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, RgbImage};
use serde::{Deserialize, Serialize};

use crate::error::PreprocessError;
use crate::limits::Limits;

/// The formats this crate decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
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
        }
    }
}

/// A decoded, upright image.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub format: Format,
    /// The EXIF orientation value found in the file (1-8), or `None` when absent or invalid.
    pub exif_orientation: Option<u8>,
    pub image: RgbImage,
}

type Reader<'a> = ImageReader<Cursor<&'a [u8]>>;

fn reader(bytes: &[u8]) -> Result<(Reader<'_>, Format), PreprocessError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PreprocessError::Corrupt(e.to_string()))?;
    let format = reader
        .format()
        .and_then(Format::from_image)
        .ok_or(PreprocessError::UnsupportedFormat)?;
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

/// Decodes the first frame to upright RGB, refusing anything over the limits before decoding it.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<Decoded, PreprocessError> {
    limits.check_bytes(bytes.len())?;
    let (reader, format) = reader(bytes)?;
    if format == Format::Jpeg && !jpeg_has_end(bytes) {
        return Err(PreprocessError::Corrupt("the file is truncated".to_owned()));
    }
    let mut decoder = reader.into_decoder().map_err(map_image_error)?;
    let (width, height) = decoder.dimensions();
    limits.check_dimensions(width, height)?;

    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_alloc());
    decoder.set_limits(decoder_limits).map_err(map_image_error)?;

    // A missing, unreadable or invalid EXIF orientation means "no transform", never a failed decode.
    let orientation = match decoder.exif_metadata() {
        Ok(Some(chunk)) => Orientation::from_exif_chunk(&chunk),
        _ => None,
    };
    let mut image = DynamicImage::from_decoder(decoder).map_err(map_image_error)?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    let exif_orientation = orientation.map(Orientation::to_exif);
    Ok(Decoded { format, exif_orientation, image: image.into_rgb8() })
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
