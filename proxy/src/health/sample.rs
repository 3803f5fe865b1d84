//! The built-in image of the prediction step: a small picture drawn in code (a sky over a green
//! field with a red disc), encoded as PNG and preprocessed by `smart_tags_core` exactly as an
//! upload is.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};
use smart_tags_core::preprocess::{preprocess, Options};

/// Side of the drawn picture, in pixels.
const SIDE: u32 = 96;

/// The PNG of the built-in picture.
pub fn png() -> Result<Vec<u8>, String> {
    let picture = RgbImage::from_fn(SIDE, SIDE, |x, y| {
        let (dx, dy) = (x as f32 - 62.0, y as f32 - 30.0);
        if dx * dx + dy * dy < 144.0 {
            Rgb([220, 40, 30])
        } else if y < SIDE / 2 {
            Rgb([110, 160, (200 + y).min(255) as u8])
        } else {
            Rgb([40, (120 + (x % 7) * 6) as u8, 40])
        }
    });
    let mut bytes = Cursor::new(Vec::new());
    picture.write_to(&mut bytes, ImageFormat::Png).map_err(|e| format!("cannot encode the built-in image: {e}"))?;
    Ok(bytes.into_inner())
}

/// The model input (224x224 RGB) of the built-in picture.
pub fn model_input() -> Result<Vec<u8>, String> {
    let png = png()?;
    let preprocessed =
        preprocess(&png, &Options::default()).map_err(|e| format!("cannot preprocess the built-in image: {e}"))?;
    Ok(preprocessed.model_input.into_bytes())
}
