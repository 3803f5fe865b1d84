//! Model inputs for the detectors: the image scaled to fit the model's input, aspect ratio kept,
//! centred on a black (zero) border — MediaPipe's `ImageToTensorCalculator` with
//! `keep_aspect_ratio` — and the way back from the input's coordinates to the image's.

use image::RgbImage;

use super::{BoundingBox, Detection};
use crate::error::PreprocessError;
use crate::resize::resize_rgb;

/// How pixel values become floats: `value / 255 × (max − min) + min`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueRange {
    pub min: f32,
    pub max: f32,
}

/// Where the image lies inside the model input, as fractions of the input's width and height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    pub left: f32,
    pub top: f32,
    pub width: f32,
    pub height: f32,
}

impl Letterbox {
    /// A box in the model input's normalised coordinates, in the image's.
    pub fn to_image(&self, bbox: &BoundingBox) -> BoundingBox {
        BoundingBox {
            x: (bbox.x - self.left) / self.width,
            y: (bbox.y - self.top) / self.height,
            width: bbox.width / self.width,
            height: bbox.height / self.height,
        }
    }

    /// Every detection's box in the image's coordinates.
    pub fn detections_to_image(&self, detections: &mut [Detection]) {
        for d in detections {
            d.bbox = self.to_image(&d.bbox);
        }
    }
}

/// The NCHW float tensor (`[1, 3, height, width]`, RGB planes) of `image` in `width` ×
/// `height` — letterboxed when `keep_aspect_ratio`, stretched otherwise — and where the image
/// lies in it.
pub fn tensor_nchw(
    image: &RgbImage,
    width: u32,
    height: u32,
    keep_aspect_ratio: bool,
    range: ValueRange,
) -> Result<(Vec<f32>, Letterbox), PreprocessError> {
    if image.width() == 0 || image.height() == 0 || width == 0 || height == 0 {
        return Err(PreprocessError::Corrupt("an empty image has nothing to detect".to_owned()));
    }
    let (inner_w, inner_h) = if keep_aspect_ratio {
        let scale = (width as f32 / image.width() as f32).min(height as f32 / image.height() as f32);
        (
            ((image.width() as f32 * scale).round() as u32).clamp(1, width),
            ((image.height() as f32 * scale).round() as u32).clamp(1, height),
        )
    } else {
        (width, height)
    };
    let resized = resize_rgb(image, inner_w, inner_h)?;
    let left = (width - inner_w) / 2;
    let top = (height - inner_h) / 2;
    // The border is a zero pixel, i.e. `min` after the value mapping (MediaPipe pads the image
    // before converting it).
    let mut tensor = vec![range.min; (width * height * 3) as usize];
    let factor = (range.max - range.min) / 255.0;
    let plane = (width * height) as usize;
    for (x, y, pixel) in resized.enumerate_pixels() {
        let at = ((y + top) * width + (x + left)) as usize;
        for c in 0..3 {
            tensor[c * plane + at] = f32::from(pixel.0[c]) * factor + range.min;
        }
    }
    let letterbox = Letterbox {
        left: left as f32 / width as f32,
        top: top as f32 / height as f32,
        width: inner_w as f32 / width as f32,
        height: inner_h as f32 / height as f32,
    };
    Ok((tensor, letterbox))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_image_is_centred_between_two_bands() {
        let image = RgbImage::from_pixel(200, 100, image::Rgb([255, 0, 0]));
        let (tensor, letterbox) = tensor_nchw(&image, 100, 100, true, ValueRange { min: -1.0, max: 1.0 }).unwrap();
        assert_eq!(tensor.len(), 100 * 100 * 3);
        assert_eq!(letterbox, Letterbox { left: 0.0, top: 0.25, width: 1.0, height: 0.5 });
        let plane = 100 * 100;
        assert_eq!([tensor[0], tensor[plane], tensor[2 * plane]], [-1.0, -1.0, -1.0], "the top band is black");
        let middle = 50 * 100 + 50;
        assert_eq!([tensor[middle], tensor[plane + middle], tensor[2 * plane + middle]], [1.0, -1.0, -1.0]);
        // The image's own full box maps back to the unit square.
        let inner = BoundingBox { x: 0.0, y: 0.25, width: 1.0, height: 0.5 };
        assert_eq!(letterbox.to_image(&inner), BoundingBox { x: 0.0, y: 0.0, width: 1.0, height: 1.0 });
    }

    #[test]
    fn a_stretched_image_fills_the_input() {
        let image = RgbImage::from_pixel(200, 100, image::Rgb([0, 0, 255]));
        let (tensor, letterbox) = tensor_nchw(&image, 50, 50, false, ValueRange { min: 0.0, max: 1.0 }).unwrap();
        assert_eq!(letterbox, Letterbox { left: 0.0, top: 0.0, width: 1.0, height: 1.0 });
        assert!(tensor[2 * 2500..].iter().all(|&v| v == 1.0) && tensor[..2 * 2500].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn empty_images_are_refused() {
        assert!(tensor_nchw(&RgbImage::new(0, 0), 10, 10, true, ValueRange { min: 0.0, max: 1.0 }).is_err());
    }
}
