//! Bilinear (triangle-filter, antialiased) resampling of RGB images, the same filter as Pillow's
//! `BILINEAR` that the reference preprocessing used.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

use crate::error::PreprocessError;

/// Resizes `src` to exactly `width` x `height`.
pub(crate) fn resize_rgb(src: &RgbImage, width: u32, height: u32) -> Result<RgbImage, PreprocessError> {
    if src.width() == width && src.height() == height {
        return Ok(src.clone());
    }
    let resize_error = |e: &dyn std::fmt::Display| PreprocessError::Corrupt(format!("resize failed: {e}"));
    let src_view = ImageRef::new(src.width(), src.height(), src.as_raw(), PixelType::U8x3)
        .map_err(|e| resize_error(&e))?;
    let mut dst = Image::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    Resizer::new()
        .resize(&src_view, &mut dst, &options)
        .map_err(|e| resize_error(&e))?;
    RgbImage::from_raw(width, height, dst.into_vec())
        .ok_or_else(|| PreprocessError::Corrupt("resize produced a buffer of the wrong size".to_owned()))
}
