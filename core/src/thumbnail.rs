//! The JPEG thumbnail shown while a person reviews tags: longest side 512, never upscaled.

use image::codecs::jpeg::JpegEncoder;
use image::RgbImage;

use crate::error::PreprocessError;
use crate::resize::resize_rgb;

pub const LONGEST_SIDE: u32 = 512;
pub const JPEG_QUALITY: u8 = 85;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
}

/// Scales so the longest side is at most `longest`, keeping the aspect ratio (each side >= 1).
pub fn fit_within(width: u32, height: u32, longest: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= longest {
        return (width, height);
    }
    let scale =
        |side: u32| ((u64::from(side) * u64::from(longest) + u64::from(long) / 2) / u64::from(long)).max(1) as u32;
    (scale(width), scale(height))
}

/// Resizes `image` so its longest side is at most `longest`, and encodes it.
pub fn make_thumbnail(image: &RgbImage, longest: u32) -> Result<Thumbnail, PreprocessError> {
    encode_thumbnail(&thumbnail_pixels(image, longest)?)
}

/// The thumbnail's pixels: `image` resized (bilinear) to fit `longest`, before JPEG encoding.
pub fn thumbnail_pixels(image: &RgbImage, longest: u32) -> Result<RgbImage, PreprocessError> {
    let (width, height) = fit_within(image.width(), image.height(), longest);
    resize_rgb(image, width, height)
}

/// Encodes already resized pixels as the JPEG thumbnail.
pub fn encode_thumbnail(small: &RgbImage) -> Result<Thumbnail, PreprocessError> {
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(small)
        .map_err(|e| PreprocessError::Encode(e.to_string().to_lowercase()))?;
    Ok(Thumbnail { width: small.width(), height: small.height(), jpeg })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_the_longest_side() {
        assert_eq!(fit_within(5120, 2880, 512), (512, 288));
        assert_eq!(fit_within(2880, 5120, 512), (288, 512));
        assert_eq!(fit_within(300, 200, 512), (300, 200));
        assert_eq!(fit_within(10000, 1, 512), (512, 1));
    }

    #[test]
    fn encodes_a_jpeg() {
        let img = RgbImage::from_pixel(1024, 600, image::Rgb([200, 10, 10]));
        let t = make_thumbnail(&img, LONGEST_SIDE).unwrap();
        assert_eq!((t.width, t.height), (512, 300));
        assert_eq!(&t.jpeg[..3], &[0xFF, 0xD8, 0xFF]);
        let back = image::load_from_memory(&t.jpeg).unwrap();
        assert_eq!((back.width(), back.height()), (512, 300));
    }
}
