//! Bilinear (triangle-filter, antialiased) resampling of RGB images, the same filter as Pillow's
//! `BILINEAR` that the reference preprocessing used.

use fast_image_resize::images::{TypedImage, TypedImageRef};
use fast_image_resize::pixels::U8x3;
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

use crate::error::PreprocessError;

/// Resizes `src` to exactly `width` x `height`.
pub(crate) fn resize_rgb(src: &RgbImage, width: u32, height: u32) -> Result<RgbImage, PreprocessError> {
    if src.width() == width && src.height() == height {
        return Ok(src.clone());
    }
    let resize_error = |e: &dyn std::fmt::Display| PreprocessError::Corrupt(format!("resize failed: {e}"));
    // Typed (U8x3 only): the dynamic `resize` links every pixel type's code, including a 512 KiB
    // table for 16-bit alpha, into the wasm module.
    let src_view =
        TypedImageRef::<U8x3>::from_buffer(src.width(), src.height(), src.as_raw()).map_err(|e| resize_error(&e))?;
    let mut bytes = vec![0_u8; width as usize * height as usize * 3];
    let mut dst = TypedImage::<U8x3>::from_buffer(width, height, &mut bytes).map_err(|e| resize_error(&e))?;
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    Resizer::new().resize_typed(&src_view, &mut dst, &options).map_err(|e| resize_error(&e))?;
    drop(dst);
    RgbImage::from_raw(width, height, bytes)
        .ok_or_else(|| PreprocessError::Corrupt("resize produced a buffer of the wrong size".to_owned()))
}
