//! The detectors' input and decoding options, as MediaPipe's own graphs set them
//! (`scripts/model/DETECTORS.md` has the sources), checked against the reference outputs of
//! `scripts/model/detectors_reference.py` in `tests/tests/detectors.rs`.

use super::anchors::AnchorOptions;
use super::decode::{DecodeOptions, Suppression};
use super::letterbox::ValueRange;

/// One SSD-style detector.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorSpec {
    pub name: &'static str,
    pub input_width: u32,
    pub input_height: u32,
    pub range: ValueRange,
    /// Letterboxed (aspect ratio kept, black bands) rather than stretched to the input.
    pub keep_aspect_ratio: bool,
    pub anchors: AnchorOptions,
    pub decode: DecodeOptions,
    pub suppression: Suppression,
    /// Most detections kept per image.
    pub max_detections: usize,
}

/// MediaPipe BlazeFace full range (`face_detection_full_range.tflite`): faces up to about 5 m
/// from the camera, one class.
pub const FACE_FULL_RANGE: DetectorSpec = DetectorSpec {
    name: "blazeface-full-range",
    input_width: 192,
    input_height: 192,
    range: ValueRange { min: -1.0, max: 1.0 },
    keep_aspect_ratio: true,
    anchors: AnchorOptions {
        input_width: 192,
        input_height: 192,
        min_scale: 0.148_437_5,
        max_scale: 0.75,
        anchor_offset_x: 0.5,
        anchor_offset_y: 0.5,
        strides: &[4],
        aspect_ratios: &[1.0],
        reduce_boxes_in_lowest_layer: false,
        interpolated_scale_aspect_ratio: 0.0,
        fixed_anchor_size: true,
    },
    decode: DecodeOptions {
        num_classes: 1,
        num_coords: 16,
        x_scale: 192.0,
        y_scale: 192.0,
        w_scale: 192.0,
        h_scale: 192.0,
        reverse_output_order: true,
        apply_exponential_on_box_size: false,
        score_clipping: 100.0,
        ignore_classes: &[],
        // MediaPipe's graph reports from 0.6; weaker faces are kept as weak evidence and counted
        // from `PeopleOptions::face_min`.
        min_score: 0.3,
    },
    suppression: Suppression::Weighted { iou: 0.3 },
    max_detections: 100,
};

/// SSD-MobileNetV2 trained on 23 Open Images classes (MediaPipe's objectron detector); class 0
/// is the background. [`OIDV4_LABELS`] names the classes.
pub const OBJECTS_OIDV4: DetectorSpec = DetectorSpec {
    name: "ssd-mobilenetv2-oidv4",
    input_width: 300,
    input_height: 300,
    range: ValueRange { min: -1.0, max: 1.0 },
    keep_aspect_ratio: false,
    anchors: AnchorOptions {
        input_width: 300,
        input_height: 300,
        min_scale: 0.2,
        max_scale: 0.95,
        anchor_offset_x: 0.5,
        anchor_offset_y: 0.5,
        strides: &[16, 32, 64, 128, 256, 512],
        aspect_ratios: &[1.0, 2.0, 0.5, 3.0, 0.3333],
        reduce_boxes_in_lowest_layer: true,
        interpolated_scale_aspect_ratio: 1.0,
        fixed_anchor_size: false,
    },
    decode: DecodeOptions {
        num_classes: 24,
        num_coords: 4,
        x_scale: 10.0,
        y_scale: 10.0,
        w_scale: 5.0,
        h_scale: 5.0,
        reverse_output_order: false,
        apply_exponential_on_box_size: true,
        score_clipping: 0.0,
        ignore_classes: &[0],
        // The graph reports from 0.5; weaker boxes are kept as weak evidence and counted from
        // `PeopleOptions::person_min`.
        min_score: 0.2,
    },
    suppression: Suppression::Standard { iou: 0.5 },
    max_detections: 100,
};

/// The class of a person in [`OBJECTS_OIDV4`]'s output.
pub const OIDV4_PERSON: u16 = 4;

/// [`OBJECTS_OIDV4`]'s classes in output order (0, `???`, is the background): MediaPipe's
/// `object_detection_oidv4_labelmap.txt`.
pub const OIDV4_LABELS: [&str; 24] = [
    "???",
    "Bicycle",
    "Boot",
    "Laptop",
    "Person",
    "Chair",
    "Cattle",
    "Desk",
    "Cat",
    "Computer mouse",
    "Computer monitor",
    "Box",
    "Mug",
    "Coffee cup",
    "Stationary bicycle",
    "Table",
    "Bottle",
    "High heels",
    "Vehicle",
    "Footwear",
    "Dog",
    "Book",
    "Camera",
    "Car",
];
