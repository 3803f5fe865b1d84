//! Text in pictures: PaddleOCR PP-OCRv4 detection (DB) and recognition (CTC) post-processing, as
//! rapidocr does it (`scripts/model/DETECTORS.md`, section 3), on the asset's thumbnail.
//!
//! Differences from rapidocr, for speed on the 512-px thumbnail: detection runs at the
//! thumbnail's own size (rounded to multiples of 32) rather than enlarging the shorter side to 736
//! pixels; candidates are the 4-connected components of the dilated bitmap with axis-aligned boxes
//! (rapidocr fits rotated rectangles), scored by the mean probability inside the box and grown by
//! the same unclip distance; crops are axis-aligned and never rotated.

use image::RgbImage;
use serde::{Deserialize, Serialize};

use super::BoundingBox;
use crate::error::PreprocessError;
use crate::resize::resize_rgb;

/// Detection and recognition options (rapidocr's defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextOptions {
    /// A pixel is text from this probability.
    pub thresh: f32,
    /// A box is kept when the mean probability inside reaches this.
    pub box_thresh: f32,
    /// Boxes grow by `area × unclip_ratio / perimeter` on each side.
    pub unclip_ratio: f32,
    /// Boxes whose shorter side is smaller (in detection pixels) are dropped.
    pub min_size: u32,
    /// Most boxes recognised per picture (the most probable first).
    pub max_boxes: usize,
    /// A recognised word is kept from this score.
    pub min_word_score: f32,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions { thresh: 0.3, box_thresh: 0.5, unclip_ratio: 1.6, min_size: 3, max_boxes: 12, min_word_score: 0.5 }
    }
}

/// The recogniser's input height.
pub const REC_HEIGHT: u32 = 48;
/// The recogniser's narrowest input (rapidocr's `rec_img_shape` width).
pub const REC_MIN_WIDTH: u32 = 320;
/// The widest crop sent to the recogniser.
pub const REC_MAX_WIDTH: u32 = 1600;

/// A word (or line) read in the picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    /// The mean probability of its characters.
    pub score: f32,
    /// Where it is, normalised to the picture.
    #[serde(rename = "box")]
    pub bbox: BoundingBox,
}

/// A text box found by detection, in detection-input pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextBox {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    pub score: f32,
}

fn bgr_value(byte: u8) -> f32 {
    (f32::from(byte) / 255.0 - 0.5) / 0.5
}

/// The detection input: `image` resized to multiples of 32 (at least 32 each side), BGR, NCHW,
/// `(v/255 − 0.5)/0.5`. Answers the tensor and its width and height.
pub fn det_tensor(image: &RgbImage) -> Result<(Vec<f32>, u32, u32), PreprocessError> {
    let round32 = |v: u32| (((v + 16) / 32) * 32).max(32);
    let (w, h) = (round32(image.width()), round32(image.height()));
    let resized = resize_rgb(image, w, h)?;
    let plane = (w * h) as usize;
    let mut tensor = vec![0.0f32; plane * 3];
    for (i, pixel) in resized.pixels().enumerate() {
        tensor[i] = bgr_value(pixel.0[2]);
        tensor[plane + i] = bgr_value(pixel.0[1]);
        tensor[2 * plane + i] = bgr_value(pixel.0[0]);
    }
    Ok((tensor, w, h))
}

/// The text boxes of a detection output (`prob`: `height × width` text probabilities), best first.
pub fn text_boxes(prob: &[f32], width: u32, height: u32, options: &TextOptions) -> Vec<TextBox> {
    let (w, h) = (width as usize, height as usize);
    if prob.len() != w * h || w == 0 || h == 0 {
        return Vec::new();
    }
    // Threshold, then a 2×2 dilation towards the bottom right (rapidocr's kernel of ones).
    let on: Vec<bool> = prob.iter().map(|&p| p > options.thresh).collect();
    let mut mask = on.clone();
    for y in 0..h {
        for x in 0..w {
            let at = |dx: usize, dy: usize| x >= dx && y >= dy && on[(y - dy) * w + (x - dx)];
            mask[y * w + x] = at(0, 0) || at(1, 0) || at(0, 1) || at(1, 1);
        }
    }
    let mut seen = vec![false; w * h];
    let mut boxes = Vec::new();
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !mask[start] || seen[start] {
            continue;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % w, i / w);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
            let mut visit = |j: usize| {
                if mask[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
        if bw.min(bh) < options.min_size as usize {
            continue;
        }
        let mut sum = 0.0f32;
        for y in y0..=y1 {
            sum += prob[y * w + x0..=y * w + x1].iter().sum::<f32>();
        }
        let score = sum / (bw * bh) as f32;
        if score < options.box_thresh {
            continue;
        }
        let grow = (bw * bh) as f32 * options.unclip_ratio / (2.0 * (bw + bh) as f32);
        let clamp = |v: f32, max: usize| v.round().clamp(0.0, (max - 1) as f32) as u32;
        boxes.push(TextBox {
            x0: clamp(x0 as f32 - grow, w),
            y0: clamp(y0 as f32 - grow, h),
            x1: clamp(x1 as f32 + grow, w),
            y1: clamp(y1 as f32 + grow, h),
            score,
        });
    }
    boxes.sort_by(|a, b| b.score.total_cmp(&a.score));
    boxes.truncate(options.max_boxes);
    boxes
}

/// A box of the detection input (`det_width × det_height`) in `image`'s pixels and normalised.
pub fn box_in_image(
    b: &TextBox,
    det_width: u32,
    det_height: u32,
    image: &RgbImage,
) -> ((u32, u32, u32, u32), BoundingBox) {
    let sx = image.width() as f32 / det_width as f32;
    let sy = image.height() as f32 / det_height as f32;
    let x0 = ((b.x0 as f32 * sx).floor() as u32).min(image.width().saturating_sub(1));
    let y0 = ((b.y0 as f32 * sy).floor() as u32).min(image.height().saturating_sub(1));
    let x1 = (((b.x1 + 1) as f32 * sx).ceil() as u32).clamp(x0 + 1, image.width());
    let y1 = (((b.y1 + 1) as f32 * sy).ceil() as u32).clamp(y0 + 1, image.height());
    let normalised = BoundingBox {
        x: x0 as f32 / image.width() as f32,
        y: y0 as f32 / image.height() as f32,
        width: (x1 - x0) as f32 / image.width() as f32,
        height: (y1 - y0) as f32 / image.height() as f32,
    };
    ((x0, y0, x1 - x0, y1 - y0), normalised)
}

/// The recognition input of one crop (`x, y, width, height` in `image`'s pixels): resized to
/// height 48, BGR, NCHW, `(v/255 − 0.5)/0.5`, padded with 0 to at least 320 wide. Answers the
/// tensor and its width.
pub fn rec_tensor(image: &RgbImage, crop: (u32, u32, u32, u32)) -> Result<(Vec<f32>, u32), PreprocessError> {
    let (x, y, cw, ch) = crop;
    if cw == 0 || ch == 0 || x + cw > image.width() || y + ch > image.height() {
        return Err(PreprocessError::Corrupt("a text box lies outside the picture".to_owned()));
    }
    let part = image::imageops::crop_imm(image, x, y, cw, ch).to_image();
    let scaled = ((REC_HEIGHT as f32 * cw as f32 / ch as f32).ceil() as u32).clamp(1, REC_MAX_WIDTH);
    let width = scaled.max(REC_MIN_WIDTH);
    let resized = resize_rgb(&part, scaled, REC_HEIGHT)?;
    let plane = (width * REC_HEIGHT) as usize;
    let mut tensor = vec![0.0f32; plane * 3];
    for (px, py, pixel) in resized.enumerate_pixels() {
        let i = (py * width + px) as usize;
        tensor[i] = bgr_value(pixel.0[2]);
        tensor[plane + i] = bgr_value(pixel.0[1]);
        tensor[2 * plane + i] = bgr_value(pixel.0[0]);
    }
    Ok((tensor, width))
}

/// Greedy CTC decoding of one recognition output (`steps × classes` probabilities): the most
/// probable class per step, repeats collapsed, blanks (0) dropped; class `i` is `dict[i − 1]`,
/// and the class after the dictionary is a space. Answers the text and the mean probability of
/// its characters, or `None` when nothing was read.
pub fn ctc_decode(probs: &[f32], classes: usize, dict: &[String]) -> Option<(String, f32)> {
    if classes == 0 {
        return None;
    }
    let mut text = String::new();
    let mut scores = Vec::new();
    let mut previous = usize::MAX;
    for step in probs.chunks_exact(classes) {
        let (best, p) =
            step.iter().copied().enumerate().fold((0, f32::MIN), |a, (i, p)| if p > a.1 { (i, p) } else { a });
        if best != previous && best != 0 {
            match dict.get(best - 1) {
                Some(c) => text.push_str(c),
                None if best == dict.len() + 1 => text.push(' '),
                None => {}
            }
            scores.push(p);
        }
        previous = best;
    }
    let text = text.trim().to_owned();
    if text.is_empty() {
        return None;
    }
    Some((text, scores.iter().sum::<f32>() / scores.len() as f32))
}

/// A picture contains text from this best-word score on: 0.7, chosen on the calibration half of
/// `tests/eval/text` (the only false text there, a crab read as "CMT", scored 0.62).
pub const TEXT_THRESHOLD: f32 = 0.7;

/// The confidence that the picture contains text: its best word's score, for words with at least
/// two letters or digits (a lone mark is not text), with [`TEXT_THRESHOLD`] mapped to 0.5.
pub fn text_confidence(words: &[Word]) -> f32 {
    let best = words
        .iter()
        .filter(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count() >= 2)
        .map(|w| w.score)
        .fold(0.0, f32::max);
    super::people::confidence(best, TEXT_THRESHOLD)
}

/// Read words count as evidence for a taxonomy tag from this cosine between the word's and the
/// tag term's text embeddings (MiniLM; a near-synonym or the same word).
pub const WORD_TAG_MIN_COSINE: f32 = 0.8;

/// Words worth matching to tags: at least three letters (codes and numbers name no tag).
pub fn matchable(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() >= 3
}

/// The support each tag gets from the words read in a picture: for every word (its score and its
/// unit embedding) and every tag term (the tag's index and the term's unit embedding) at a cosine
/// of at least [`WORD_TAG_MIN_COSINE`], the word's score, the best per tag. Answers
/// `(tag index, support)` sorted by index.
pub fn word_support(words: &[(f32, &[f32])], terms: &[(usize, &[f32])]) -> Vec<(usize, f32)> {
    let mut best: std::collections::BTreeMap<usize, f32> = std::collections::BTreeMap::new();
    for &(score, word) in words {
        for &(tag, term) in terms {
            let cosine: f32 = word.iter().zip(term).map(|(a, b)| a * b).sum();
            if cosine >= WORD_TAG_MIN_COSINE {
                let entry = best.entry(tag).or_insert(0.0);
                *entry = entry.max(score.clamp(0.0, 1.0));
            }
        }
    }
    best.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_input_is_bgr_in_multiples_of_32() {
        let image = RgbImage::from_pixel(100, 50, image::Rgb([255, 0, 0]));
        let (tensor, w, h) = det_tensor(&image).unwrap();
        assert_eq!((w, h), (96, 64));
        let plane = (w * h) as usize;
        assert_eq!([tensor[0], tensor[plane], tensor[2 * plane]], [-1.0, -1.0, 1.0], "red is the third plane");
    }

    #[test]
    fn one_blob_becomes_one_grown_box_and_faint_ones_are_dropped() {
        let (w, h) = (40, 20);
        let mut prob = vec![0.0f32; w * h];
        for y in 5..10 {
            for x in 5..25 {
                prob[y * w + x] = 0.9;
            }
        }
        // A faint blob: above the pixel threshold, under the box threshold.
        for y in 14..18 {
            for x in 30..36 {
                prob[y * w + x] = 0.35;
            }
        }
        let boxes = text_boxes(&prob, w as u32, h as u32, &TextOptions::default());
        assert_eq!(boxes.len(), 1, "{boxes:?}");
        let b = boxes[0];
        assert!(b.x0 < 5 && b.y0 < 5 && b.x1 > 25 && b.y1 > 10, "grown by the unclip distance: {b:?}");
        assert!(b.score > 0.5);
        assert!(
            text_boxes(&prob[1..], w as u32, h as u32, &TextOptions::default()).is_empty(),
            "a wrong size reads nothing"
        );
    }

    #[test]
    fn ctc_collapses_repeats_drops_blanks_and_knows_the_space() {
        let dict: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        // classes: 0 blank, 1 a, 2 b, 3 space
        let step = |c: usize, p: f32| {
            let mut v = vec![(1.0 - p) / 3.0; 4];
            v[c] = p;
            v
        };
        let probs: Vec<f32> =
            [step(1, 0.9), step(1, 0.8), step(0, 0.9), step(1, 0.7), step(3, 0.9), step(2, 0.6)].concat();
        let (text, score) = ctc_decode(&probs, 4, &dict).unwrap();
        assert_eq!(text, "aa b");
        assert!((score - (0.9 + 0.7 + 0.9 + 0.6) / 4.0).abs() < 1e-6, "{score}");
        assert_eq!(ctc_decode(&step(0, 0.9), 4, &dict), None);
    }

    #[test]
    fn recognition_crops_are_48_high_and_at_least_320_wide() {
        let image = RgbImage::from_pixel(200, 100, image::Rgb([0, 0, 0]));
        let (tensor, width) = rec_tensor(&image, (10, 10, 60, 20)).unwrap();
        assert_eq!(width, 320);
        assert_eq!(tensor.len(), 3 * 48 * 320);
        assert_eq!(tensor[100], -1.0, "black inside the crop (144 wide)");
        assert_eq!(tensor[200], 0.0, "padding after it");
        assert!(rec_tensor(&image, (190, 10, 60, 20)).is_err());
    }

    #[test]
    fn words_support_the_tags_whose_terms_they_name() {
        let coffee = [1.0f32, 0.0, 0.0];
        let espresso = [0.9f32, 0.435_889_9, 0.0];
        let car = [0.0f32, 0.0, 1.0];
        let support = word_support(
            &[(0.9, &coffee), (0.6, &car)],
            &[(0, &coffee), (0, &espresso), (1, &espresso), (2, &[0.0, 1.0, 0.0])],
        );
        assert_eq!(
            support,
            [(0, 0.9), (1, 0.9)],
            "coffee names tag 0 and is near espresso (tag 1); nothing names tag 2"
        );
        assert!(matchable("Coffee") && !matchable("GM125") && !matchable("66"));
    }

    #[test]
    fn text_needs_two_letters() {
        let word = |text: &str, score| Word {
            text: text.into(),
            score,
            bbox: BoundingBox { x: 0.0, y: 0.0, width: 0.1, height: 0.1 },
        };
        assert!((text_confidence(&[word("|", 0.99), word("OK", 0.85)]) - 0.75).abs() < 1e-6);
        assert_eq!(text_confidence(&[word("1", 0.99)]), 0.0);
        assert!(text_confidence(&[word("CMT", 0.62)]) < 0.5);
    }
}
