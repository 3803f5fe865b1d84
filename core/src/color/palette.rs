//! Dominant colours of an image: which named colours cover how much of it.
//!
//! 1. The image is area-averaged down to at most [`SAMPLE_SIDE`] pixels on its longer side
//!    (integer block means, so every platform computes the same pixels).
//! 2. Each pixel gets the perceptually nearest named colour ([`super::names`], by CIEDE2000
//!    through the lookup table of [`super::lookup`]).
//! 3. A name's coverage is the fraction of pixels that got it; its `hex` is the mean of those
//!    pixels (so "blue" on a photo of the sea says which blue).
//! 4. Names are sorted by coverage, largest first (ties by name), and those below
//!    [`ColorOptions::min_coverage`] are dropped, keeping at most [`ColorOptions::max_colors`].
//!    **The most covered name is always kept**, even below the threshold: a non-empty image
//!    always has at least one colour (a busy photo where no name reaches 11 % still gets its
//!    main colour). An image with no pixels has none.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use image::RgbImage;

use super::lookup::name_index;
use super::names::{hex, NAMED_COLORS};
use crate::thumbnail::fit_within;

/// Longest side of the image the colours are counted on.
pub const SAMPLE_SIDE: u32 = 128;
/// Bounds of [`ColorOptions::max_colors`].
pub const MAX_COLORS: u8 = 40;

/// How many colours to report, and from what coverage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ColorOptions {
    /// At most this many colours, 1 to 40 (default 10).
    pub max_colors: u8,
    /// Colours covering less than this fraction of the image are left out, 0 to 1 (default
    /// 0.11); the most covered colour is always kept.
    pub min_coverage: f32,
}

impl Default for ColorOptions {
    fn default() -> Self {
        ColorOptions { max_colors: 10, min_coverage: 0.11 }
    }
}

impl ColorOptions {
    pub fn validate(&self) -> Result<(), ColorError> {
        if !(1..=MAX_COLORS).contains(&self.max_colors) {
            return Err(ColorError::MaxColors(self.max_colors));
        }
        if !(0.0..=1.0).contains(&self.min_coverage) {
            return Err(ColorError::MinCoverage);
        }
        Ok(())
    }
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ColorError {
    #[error("the number of colours must be from 1 to 40, got {0}")]
    MaxColors(u8),
    #[error("the minimum colour coverage must be a number from 0 to 1")]
    MinCoverage,
}

/// One dominant colour of an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColorTag {
    /// A name of the named-colour set, e.g. `"light blue"`.
    pub name: String,
    /// `#rrggbb`: the mean sRGB of the pixels that got this name.
    pub hex: String,
    /// Fraction of the image's pixels (after downsampling) that got this name, 0 to 1.
    pub coverage: f32,
}

/// The dominant colours of `image`; see the module documentation for the rules.
pub fn dominant_colors(image: &RgbImage, options: &ColorOptions) -> Result<Vec<ColorTag>, ColorError> {
    options.validate()?;
    let mut counts = [0u32; NAMED_COLORS.len()];
    let mut sums = [[0u64; 3]; NAMED_COLORS.len()];
    let mut total = 0u32;
    for_each_averaged_pixel(image, SAMPLE_SIDE, |rgb| {
        let i = name_index(rgb);
        counts[i] += 1;
        for (sum, value) in sums[i].iter_mut().zip(rgb) {
            *sum += u64::from(value);
        }
        total += 1;
    });

    let mut order: Vec<usize> = (0..NAMED_COLORS.len()).filter(|&i| counts[i] > 0).collect();
    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then_with(|| NAMED_COLORS[a].name.cmp(NAMED_COLORS[b].name)));
    Ok(order
        .into_iter()
        .map(|i| {
            let n = u64::from(counts[i]);
            // A mean of u8 values is at most 255.
            let mean = sums[i].map(|s| ((s + n / 2) / n).min(255) as u8);
            ColorTag {
                name: NAMED_COLORS[i].name.to_owned(),
                hex: hex(mean),
                coverage: counts[i] as f32 / total as f32,
            }
        })
        .enumerate()
        .take_while(|(rank, tag)| *rank == 0 || tag.coverage >= options.min_coverage)
        .take(usize::from(options.max_colors))
        .map(|(_, tag)| tag)
        .collect())
}

/// Calls `f` with each pixel of `image` area-averaged to at most `longest` pixels on its longer
/// side (the size of [`fit_within`]). Each output pixel is the rounded mean of a block of source
/// pixels; block edges are `floor(i * source / target)`, so blocks differ by at most one row or
/// column and together cover every source pixel once. Integer arithmetic only.
fn for_each_averaged_pixel(image: &RgbImage, longest: u32, mut f: impl FnMut([u8; 3])) {
    let (width, height) = image.dimensions();
    if width == 0 || height == 0 {
        return;
    }
    let (out_w, out_h) = fit_within(width, height, longest);
    let edge = |i: u32, source: u32, target: u32| (u64::from(i) * u64::from(source) / u64::from(target)) as u32;
    // Output column of each source column, and the width of each output column's block.
    let mut column_of = Vec::with_capacity(width as usize);
    let mut block_width = Vec::with_capacity(out_w as usize);
    for ox in 0..out_w {
        let (x0, x1) = (edge(ox, width, out_w), edge(ox + 1, width, out_w));
        column_of.extend(std::iter::repeat_n(ox as usize, (x1 - x0) as usize));
        block_width.push(u64::from(x1 - x0));
    }
    let mut sums = vec![[0u64; 3]; out_w as usize];
    for oy in 0..out_h {
        let (y0, y1) = (edge(oy, height, out_h), edge(oy + 1, height, out_h));
        sums.fill([0; 3]);
        for y in y0..y1 {
            for (x, &ox) in column_of.iter().enumerate() {
                let p = image.get_pixel(x as u32, y).0;
                let sum = &mut sums[ox];
                sum[0] += u64::from(p[0]);
                sum[1] += u64::from(p[1]);
                sum[2] += u64::from(p[2]);
            }
        }
        let rows = u64::from(y1 - y0);
        for (sum, &w) in sums.iter().zip(&block_width) {
            let n = w * rows;
            f(sum.map(|s| ((s + n / 2) / n).min(255) as u8));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn colors(image: &RgbImage, options: &ColorOptions) -> Vec<(String, String, f32)> {
        dominant_colors(image, options).unwrap().into_iter().map(|t| (t.name, t.hex, t.coverage)).collect()
    }

    fn all() -> ColorOptions {
        ColorOptions { max_colors: 40, min_coverage: 0.0 }
    }

    #[test]
    fn a_solid_colour_is_its_own_name_with_full_coverage() {
        for c in &NAMED_COLORS {
            let img = RgbImage::from_pixel(300, 200, Rgb(c.rgb));
            assert_eq!(colors(&img, &ColorOptions::default()), [(c.name.to_owned(), c.hex(), 1.0)]);
        }
        let img = RgbImage::from_pixel(64, 64, Rgb([250, 10, 5]));
        assert_eq!(colors(&img, &ColorOptions::default()), [("red".to_owned(), "#fa0a05".to_owned(), 1.0)]);
    }

    #[test]
    fn half_red_half_blue() {
        // 300 columns averaged to 128: block edges fall on column 150, so no block mixes the two.
        let img = RgbImage::from_fn(300, 100, |x, _| if x < 150 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) });
        assert_eq!(
            colors(&img, &ColorOptions::default()),
            [("blue".to_owned(), "#0000ff".to_owned(), 0.5), ("red".to_owned(), "#ff0000".to_owned(), 0.5)]
        );
        // Equal coverage: sorted by name. One colour asked: the first of them.
        let one = ColorOptions { max_colors: 1, ..ColorOptions::default() };
        assert_eq!(colors(&img, &one), [("blue".to_owned(), "#0000ff".to_owned(), 0.5)]);
    }

    #[test]
    fn a_gray_ramp_gives_the_five_grays_and_nothing_else() {
        let img = RgbImage::from_fn(256, 16, |x, _| Rgb([x as u8; 3]));
        let got = colors(&img, &all());
        let names: Vec<&str> = got.iter().map(|(n, _, _)| n.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, ["black", "dark gray", "gray", "light gray", "white"], "{got:?}");
        let total: f32 = got.iter().map(|(_, _, c)| c).sum();
        assert!((total - 1.0).abs() < 1e-6);
        for (name, hex, coverage) in &got {
            assert_eq!(hex[1..3], hex[3..5], "{name} {hex} is not a gray");
            assert!(*coverage > 0.05, "{name} {coverage}");
        }
        // Coverage is sorted, largest first.
        assert!(got.windows(2).all(|w| w[0].2 >= w[1].2), "{got:?}");
    }

    #[test]
    fn a_hue_ramp_goes_round_the_colour_names() {
        // Fully saturated hues, red -> yellow -> green -> cyan -> blue -> magenta.
        let img = RgbImage::from_fn(360, 4, |x, _| {
            let h = x as f32 / 60.0;
            let up = ((h % 1.0) * 255.0).round() as u8;
            let down = 255 - up;
            Rgb(match h as u32 {
                0 => [255, up, 0],
                1 => [down, 255, 0],
                2 => [0, 255, up],
                3 => [0, down, 255],
                4 => [up, 0, 255],
                _ => [255, 0, down],
            })
        });
        let got = colors(&img, &all());
        let names: Vec<&str> = got.iter().map(|(n, _, _)| n.as_str()).collect();
        for expected in ["red", "orange", "yellow", "cyan", "blue", "magenta"] {
            assert!(names.contains(&expected), "{expected} missing from {got:?}");
        }
        for gray in ["black", "dark gray", "gray", "light gray", "white"] {
            assert!(!names.contains(&gray), "{gray} in a fully saturated ramp: {got:?}");
        }
    }

    #[test]
    fn a_single_pixel_and_an_empty_image() {
        let img = RgbImage::from_pixel(1, 1, Rgb([0, 0, 128]));
        assert_eq!(colors(&img, &ColorOptions::default()), [("navy".to_owned(), "#000080".to_owned(), 1.0)]);
        assert!(colors(&RgbImage::new(0, 0), &ColorOptions::default()).is_empty());
    }

    #[test]
    fn the_most_covered_colour_is_kept_below_the_threshold() {
        // Four names of a quarter each: none reaches 0.3, the first by name is kept.
        let quads = [[255, 255, 255], [0, 0, 0], [255, 0, 0], [0, 128, 0]];
        let img = RgbImage::from_fn(8, 8, |x, y| Rgb(quads[(x / 4 + 2 * (y / 4)) as usize]));
        let options = ColorOptions { min_coverage: 0.3, ..ColorOptions::default() };
        assert_eq!(colors(&img, &options), [("black".to_owned(), "#000000".to_owned(), 0.25)]);
        let options = ColorOptions { min_coverage: 0.25, ..ColorOptions::default() };
        assert_eq!(colors(&img, &options).len(), 4);
        let options = ColorOptions { max_colors: 3, min_coverage: 0.0 };
        let names: Vec<String> = colors(&img, &options).into_iter().map(|c| c.0).collect();
        assert_eq!(names, ["black", "green", "red"]);
    }

    #[test]
    fn averaging_covers_every_pixel_once() {
        let img = RgbImage::from_fn(1000, 3, |x, y| Rgb([(x % 256) as u8, (y * 100) as u8, 7]));
        let (mut n, mut sum) = (0u32, [0u64; 3]);
        for_each_averaged_pixel(&img, SAMPLE_SIDE, |p| {
            n += 1;
            for (s, v) in sum.iter_mut().zip(p) {
                *s += u64::from(v);
            }
        });
        assert_eq!(n, 128); // 1000x3 -> 128x0.384, rounded up to one row
        let mean = |c: usize| img.pixels().map(|p| f64::from(p.0[c])).sum::<f64>() / 3000.0;
        assert!((sum[1] as f64 / 128.0 - mean(1)).abs() < 0.5);
        assert_eq!(sum[2], 7 * 128);
        // No downsampling below the sample size: the pixels themselves.
        let small = RgbImage::from_fn(5, 3, |x, y| Rgb([x as u8, y as u8, 0]));
        let mut seen = Vec::new();
        for_each_averaged_pixel(&small, SAMPLE_SIDE, |p| seen.push(p));
        assert_eq!(seen, small.pixels().map(|p| p.0).collect::<Vec<_>>());
    }

    #[test]
    fn options_out_of_range_are_errors() {
        let img = RgbImage::from_pixel(4, 4, Rgb([1, 2, 3]));
        for (max_colors, min_coverage) in
            [(0, 0.11), (41, 0.11), (255, 0.11), (10, -0.01), (10, 1.01), (10, f32::NAN), (10, f32::INFINITY)]
        {
            let options = ColorOptions { max_colors, min_coverage };
            assert!(options.validate().is_err(), "{options:?}");
            assert!(dominant_colors(&img, &options).is_err(), "{options:?}");
        }
        assert_eq!(
            ColorOptions { max_colors: 0, ..ColorOptions::default() }.validate().unwrap_err().to_string(),
            "the number of colours must be from 1 to 40, got 0"
        );
        for (max_colors, min_coverage) in [(1, 0.0), (40, 1.0), (10, 0.11)] {
            ColorOptions { max_colors, min_coverage }.validate().unwrap();
        }
    }

    #[test]
    fn colour_tags_serialize_to_plain_json() {
        let tag = ColorTag { name: "light blue".to_owned(), hex: "#aaccee".to_owned(), coverage: 0.5 };
        let json = serde_json::to_string(&tag).unwrap();
        assert_eq!(json, r##"{"name":"light blue","hex":"#aaccee","coverage":0.5}"##);
        assert_eq!(serde_json::from_str::<ColorTag>(&json).unwrap(), tag);
    }
}
