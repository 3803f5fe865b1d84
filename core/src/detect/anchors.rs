//! SSD anchors, generated exactly as MediaPipe's `SsdAnchorsCalculator` does, so that the raw box
//! regressions of its models decode to the same boxes.

/// One anchor: its centre and size, normalised to the model input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    pub x_center: f32,
    pub y_center: f32,
    pub width: f32,
    pub height: f32,
}

/// The options of MediaPipe's `SsdAnchorsCalculatorOptions` that its detectors use.
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorOptions {
    pub input_width: u32,
    pub input_height: u32,
    pub min_scale: f32,
    pub max_scale: f32,
    pub anchor_offset_x: f32,
    pub anchor_offset_y: f32,
    pub strides: &'static [u32],
    pub aspect_ratios: &'static [f32],
    /// The lowest layer uses three predefined anchors (ratios 1, 2, 0.5; scales 0.1, s, s).
    pub reduce_boxes_in_lowest_layer: bool,
    /// When > 0, one more anchor per cell at the geometric mean of this and the next scale.
    pub interpolated_scale_aspect_ratio: f32,
    /// Every anchor is 1×1 (the model regresses absolute sizes).
    pub fixed_anchor_size: bool,
}

fn scale(min: f32, max: f32, index: usize, count: usize) -> f32 {
    if count == 1 {
        (min + max) * 0.5
    } else {
        min + (max - min) * index as f32 / (count - 1) as f32
    }
}

/// Every anchor, in the order of the model's outputs: layer by layer (layers with the same
/// stride merged), row by row, column by column, anchor by anchor.
pub fn generate(options: &AnchorOptions) -> Vec<Anchor> {
    let strides = options.strides;
    let mut anchors = Vec::new();
    let mut layer = 0;
    while layer < strides.len() {
        let mut ratios: Vec<f32> = Vec::new();
        let mut scales: Vec<f32> = Vec::new();
        let mut last = layer;
        while last < strides.len() && strides[last] == strides[layer] {
            let s = scale(options.min_scale, options.max_scale, last, strides.len());
            if last == 0 && options.reduce_boxes_in_lowest_layer {
                ratios.extend([1.0, 2.0, 0.5]);
                scales.extend([0.1, s, s]);
            } else {
                for &ratio in options.aspect_ratios {
                    ratios.push(ratio);
                    scales.push(s);
                }
                if options.interpolated_scale_aspect_ratio > 0.0 {
                    let next = if last == strides.len() - 1 {
                        1.0
                    } else {
                        scale(options.min_scale, options.max_scale, last + 1, strides.len())
                    };
                    scales.push((s * next).sqrt());
                    ratios.push(options.interpolated_scale_aspect_ratio);
                }
            }
            last += 1;
        }
        let sizes: Vec<(f32, f32)> = ratios.iter().zip(&scales).map(|(&r, &s)| (s * r.sqrt(), s / r.sqrt())).collect();
        let stride = strides[layer].max(1);
        let rows = options.input_height.div_ceil(stride);
        let cols = options.input_width.div_ceil(stride);
        for y in 0..rows {
            for x in 0..cols {
                for &(width, height) in &sizes {
                    let (width, height) = if options.fixed_anchor_size { (1.0, 1.0) } else { (width, height) };
                    anchors.push(Anchor {
                        x_center: (x as f32 + options.anchor_offset_x) / cols as f32,
                        y_center: (y as f32 + options.anchor_offset_y) / rows as f32,
                        width,
                        height,
                    });
                }
            }
        }
        layer = last;
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::models::{FACE_FULL_RANGE, OBJECTS_OIDV4};

    #[test]
    fn the_face_model_has_one_anchor_per_cell_of_a_48_by_48_grid() {
        let anchors = generate(&FACE_FULL_RANGE.anchors);
        assert_eq!(anchors.len(), 2304);
        assert_eq!(anchors[0], Anchor { x_center: 0.5 / 48.0, y_center: 0.5 / 48.0, width: 1.0, height: 1.0 });
        assert_eq!(anchors[49].x_center, 1.5 / 48.0);
        assert_eq!(anchors[49].y_center, 1.5 / 48.0);
    }

    #[test]
    fn the_object_model_has_the_1917_anchors_of_ssd_mobilenet_v2() {
        let anchors = generate(&OBJECTS_OIDV4.anchors);
        // 19² × 3 + (10² + 5² + 3² + 2² + 1²) × 6
        assert_eq!(anchors.len(), 1917);
        // The lowest layer's three predefined anchors: scale 0.1 at ratio 1, then ratios 2 and 0.5.
        assert!((anchors[0].width - 0.1).abs() < 1e-6 && (anchors[0].height - 0.1).abs() < 1e-6);
        assert!((anchors[1].width / anchors[1].height - 2.0).abs() < 1e-5);
        assert!((anchors[2].width / anchors[2].height - 0.5).abs() < 1e-5);
        let last = anchors[1916];
        assert_eq!((last.x_center, last.y_center), (0.5, 0.5));
    }
}
