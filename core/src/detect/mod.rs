//! Detectors beside the classifier: faces and people (and, through [`classes`], the concepts they
//! add to the graph). Pure post-processing only: the servers run the ONNX models; this module
//! makes their input tensors from pixels ([`letterbox`]), generates their anchors ([`anchors`]),
//! decodes and suppresses boxes ([`decode`]) as MediaPipe's graphs do ([`models`] holds each
//! model's options), and turns the detections into people tags ([`people`]).
//!
//! Boxes are in the image's own coordinates, normalised to `[0, 1]` (x to the right, y down).

pub mod anchors;
pub mod classes;
pub mod decode;
pub mod letterbox;
pub mod models;
pub mod people;
pub mod text;

use serde::{Deserialize, Serialize};

use crate::limits::Limits;

/// What the detectors accept as the picture to look at: the thumbnail (512 px, JPEG; about 5% of
/// a 4 MB photo), never the original.
pub const THUMBNAIL_LIMITS: Limits = Limits { max_bytes: 256 * 1024, max_pixels: 1024 * 1024, max_side: 1024 };

/// An axis-aligned box, normalised to the image: `x`, `y` its top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundingBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl BoundingBox {
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// Intersection over union; 0 for empty boxes.
    pub fn iou(&self, other: &BoundingBox) -> f32 {
        let x0 = self.x.max(other.x);
        let y0 = self.y.max(other.y);
        let x1 = (self.x + self.width).min(other.x + other.width);
        let y1 = (self.y + self.height).min(other.y + other.height);
        let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
        let union = self.area() + other.area() - inter;
        if union <= 0.0 {
            0.0
        } else {
            inter / union
        }
    }

    /// The part of the box inside the unit square (a detection may reach past the border).
    pub fn clamped(&self) -> BoundingBox {
        let x0 = self.x.clamp(0.0, 1.0);
        let y0 = self.y.clamp(0.0, 1.0);
        let x1 = (self.x + self.width).clamp(0.0, 1.0);
        let y1 = (self.y + self.height).clamp(0.0, 1.0);
        BoundingBox { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
    }
}

/// One detected object: its box, score (0–1) and class (the model's output index).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    #[serde(rename = "box")]
    pub bbox: BoundingBox,
    pub score: f32,
    pub class: u16,
}
