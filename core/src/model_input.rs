//! The image model's input: shorter side to 256 (bilinear), centre crop 224x224, as 8-bit RGB.
//!
//! The 8-bit form is what travels from the browser to the servers (150,528 bytes); the float
//! tensor `x = (v - 127) / 128`, NCHW, is made from it next to the model. Nothing is lost: the
//! reference preprocessing also rounds to 8 bits after resizing.

use image::RgbImage;

use crate::error::PreprocessError;
use crate::resize::resize_rgb;

/// Side of the square model input.
pub const SIDE: u32 = 224;
/// The shorter side is resized to this before the centre crop.
pub const RESIZE_SHORTER: u32 = 256;
/// Length of [`ModelInput::as_bytes`]: 224 x 224 x 3.
pub const BYTES: usize = (SIDE * SIDE * 3) as usize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInput {
    /// 224 x 224 RGB, row-major, interleaved (HWC).
    rgb: Vec<u8>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("a model input must be exactly {BYTES} bytes (224x224 rgb), got {0}")]
pub struct WrongInputSize(pub usize);

impl ModelInput {
    /// Makes the model input from an upright image.
    pub fn from_image(image: &RgbImage) -> Result<ModelInput, PreprocessError> {
        let (w, h) = image.dimensions();
        let (rw, rh) = resized_dimensions(w, h);
        let resized = resize_rgb(image, rw, rh)?;
        let left = centre_offset(rw, SIDE);
        let top = centre_offset(rh, SIDE);
        let mut rgb = Vec::with_capacity(BYTES);
        let row_bytes = (rw * 3) as usize;
        for y in top..top + SIDE {
            let start = y as usize * row_bytes + left as usize * 3;
            rgb.extend_from_slice(&resized.as_raw()[start..start + SIDE as usize * 3]);
        }
        Ok(ModelInput { rgb })
    }

    /// Takes 224x224 RGB bytes received from elsewhere (the browser).
    pub fn from_bytes(rgb: Vec<u8>) -> Result<ModelInput, WrongInputSize> {
        if rgb.len() == BYTES {
            Ok(ModelInput { rgb })
        } else {
            Err(WrongInputSize(rgb.len()))
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.rgb
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.rgb
    }

    /// Appends the NCHW float tensor (1x3x224x224), `x = (v - 127) / 128`, to `out`.
    pub fn write_tensor(&self, out: &mut Vec<f32>) {
        let plane = (SIDE * SIDE) as usize;
        let base = out.len();
        out.resize(base + 3 * plane, 0.0);
        for (i, px) in self.rgb.chunks_exact(3).enumerate() {
            for c in 0..3 {
                out[base + c * plane + i] = (f32::from(px[c]) - 127.0) / 128.0;
            }
        }
    }

    /// The NCHW float tensor (1x3x224x224) for this one image.
    pub fn to_tensor(&self) -> Vec<f32> {
        let mut out = Vec::with_capacity(BYTES);
        self.write_tensor(&mut out);
        out
    }
}

/// Shorter side to 256, longer side scaled and rounded to the nearest pixel (what the reference
/// preprocessing does: chelsea's 451x300 becomes 385x256, which reproduces its tensor exactly).
fn resized_dimensions(w: u32, h: u32) -> (u32, u32) {
    let scaled = |long: u32, short: u32| -> u32 {
        ((2 * u64::from(RESIZE_SHORTER) * u64::from(long) + u64::from(short)) / (2 * u64::from(short))) as u32
    };
    if w <= h {
        (RESIZE_SHORTER, scaled(h, w).max(RESIZE_SHORTER))
    } else {
        (scaled(w, h).max(RESIZE_SHORTER), RESIZE_SHORTER)
    }
}

/// `(size - crop) / 2`, rounded down, as the reference preprocessing does (motorcycle_left's
/// 379-pixel row is cropped from column 77, not 78).
fn centre_offset(size: u32, crop: u32) -> u32 {
    (size - crop) / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resized_dimensions_follow_torchvision() {
        assert_eq!(resized_dimensions(451, 300), (385, 256));
        assert_eq!(resized_dimensions(427, 640), (256, 384));
        assert_eq!(resized_dimensions(512, 512), (256, 256));
        assert_eq!(resized_dimensions(5120, 2880), (455, 256));
    }

    #[test]
    fn centre_offset_rounds_down() {
        assert_eq!(centre_offset(256, 224), 16);
        assert_eq!(centre_offset(379, 224), 77); // 77.5 -> 77
        assert_eq!(centre_offset(385, 224), 80); // 80.5 -> 80
        assert_eq!(centre_offset(384, 224), 80);
    }

    #[test]
    fn tensor_is_planar_and_normalised() {
        let mut rgb = vec![0u8; BYTES];
        rgb[0] = 255; // R of pixel 0
        rgb[4] = 127; // G of pixel 1
        rgb[5] = 255; // B of pixel 1
        let t = ModelInput::from_bytes(rgb).unwrap().to_tensor();
        let plane = (SIDE * SIDE) as usize;
        assert_eq!(t.len(), 3 * plane);
        assert_eq!(t[0], 1.0);
        assert_eq!(t[plane + 1], 0.0);
        assert_eq!(t[2 * plane + 1], 1.0);
        assert_eq!(t[plane], -127.0 / 128.0);
    }

    #[test]
    fn from_bytes_checks_the_length() {
        assert_eq!(ModelInput::from_bytes(vec![0; 10]), Err(WrongInputSize(10)));
    }

    #[test]
    fn a_uniform_image_gives_a_uniform_input() {
        let img = RgbImage::from_pixel(640, 480, image::Rgb([10, 200, 30]));
        let input = ModelInput::from_image(&img).unwrap();
        assert!(input.as_bytes().chunks_exact(3).all(|p| p == [10, 200, 30]));
    }
}
