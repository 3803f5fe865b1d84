//! The colour-name lookup table: the nearest named colour of every sRGB colour quantized to
//! 5 bits per channel (32,768 cells, one byte each).
//!
//! # Quantization
//! Each 8-bit channel `v` goes to the nearest of 32 levels, `q = round(v * 31 / 255)`, whose
//! representative is `q * 255 / 31` (so 0 and 255 are represented exactly). A cell's name is the
//! name of the named colour nearest to the cell's representative by CIEDE2000 ([`super::lab`]).
//! A pixel is at most 4.2 levels per channel from its cell's representative, about one ΔE00
//! unit: far less than the width of any name's region.
//!
//! # Why the browser and the servers give the same names
//! The table is data, not computed at run time: [`build_table`] computes it from the formula
//! (about 32,768 x 31 CIEDE2000 differences: 0.2-0.3 s natively and in Chromium, too long to add
//! to the first image), `cargo run --release -p smart_tags_tests --example color_table` writes it to
//! `lookup.bin`, and [`table`] is that file, embedded with `include_bytes!`. Naming a pixel is
//! then integer arithmetic and one byte read, the same on every platform.
//!
//! The file stays honest by three tests: a native unit test checks it equals [`build_table`];
//! another checks that no cell is within [`MIN_MARGIN`] (1e-6 ΔE00) of a tie between its two
//! nearest named colours, so the last-bit differences between maths libraries (`powf`, `cbrt`,
//! `atan2`, `sin`, `cos` and `exp` are not correctly rounded, and the native library and the one
//! compiled into wasm may differ by an ulp, about 1e-13 ΔE00 here) cannot change any name if the
//! table is rebuilt elsewhere; and the wasm test rebuilds the table in Chromium and compares it.

use super::lab::{delta_e2000_squared, Lab};
use super::names::{NamedColor, NAMED_COLORS};

/// Levels per channel.
const LEVELS: usize = 32;
/// Number of cells of the table.
pub const CELLS: usize = LEVELS * LEVELS * LEVELS;
/// The smallest gap, in ΔE00, between the nearest and second-nearest named colour of any cell
/// (checked by a unit test; the actual smallest gap is reported by that test).
pub const MIN_MARGIN: f64 = 1e-6;

/// The level (0-31) of an 8-bit channel.
fn level(v: u8) -> usize {
    (usize::from(v) * (LEVELS - 1) + 127) / 255
}

/// The table cell of an sRGB colour.
pub fn cell([r, g, b]: [u8; 3]) -> usize {
    (level(r) * LEVELS + level(g)) * LEVELS + level(b)
}

/// The representative sRGB colour (0-255, fractional) of a table cell.
fn representative(cell: usize) -> [f64; 3] {
    let value = |q: usize| (q % LEVELS) as f64 * 255.0 / (LEVELS - 1) as f64;
    [value(cell / (LEVELS * LEVELS)), value(cell / LEVELS), value(cell)]
}

/// The indices into [`NAMED_COLORS`] of the nearest and second-nearest named colours, with their
/// squared distances. Ties go to the earlier entry.
fn two_nearest(colour: Lab, references: &[Lab]) -> ((usize, f64), (usize, f64)) {
    let mut best = (usize::MAX, f64::INFINITY);
    let mut second = (usize::MAX, f64::INFINITY);
    for (i, &reference) in references.iter().enumerate() {
        let d = delta_e2000_squared(colour, reference);
        if d < best.1 {
            second = best;
            best = (i, d);
        } else if d < second.1 {
            second = (i, d);
        }
    }
    (best, second)
}

fn reference_labs() -> Vec<Lab> {
    NAMED_COLORS.iter().map(|c| Lab::from_rgb8(c.rgb)).collect()
}

/// Computes the table from the named colours and CIEDE2000: for each cell, the index into
/// [`NAMED_COLORS`] of its name. What [`table`] embeds.
pub fn build_table() -> Vec<u8> {
    let references = reference_labs();
    (0..CELLS)
        .map(|cell| {
            let ((best, _), _) = two_nearest(Lab::from_srgb(representative(cell)), &references);
            // NAMED_COLORS has 31 entries, so every index fits in a u8.
            best as u8
        })
        .collect()
}

/// The table (see the module documentation): for each cell, the index into [`NAMED_COLORS`] of
/// its name.
pub fn table() -> &'static [u8; CELLS] {
    static TABLE: &[u8; CELLS] = include_bytes!("lookup.bin");
    TABLE
}

/// The index into [`NAMED_COLORS`] of the name of an sRGB colour.
pub fn name_index(rgb: [u8; 3]) -> usize {
    usize::from(table()[cell(rgb)])
}

/// The named colour of an sRGB colour.
pub fn nearest_named_color(rgb: [u8; 3]) -> &'static NamedColor {
    &NAMED_COLORS[name_index(rgb)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantizes_to_32_levels_with_exact_ends() {
        assert_eq!(level(0), 0);
        assert_eq!(level(4), 0);
        assert_eq!(level(5), 1);
        assert_eq!(level(255), 31);
        assert_eq!(cell([255, 255, 255]), CELLS - 1);
        assert_eq!(representative(cell([255, 0, 255])), [255.0, 0.0, 255.0]);
        for v in 0..=255u8 {
            let r = representative(cell([v, v, v]))[0];
            assert!((r - f64::from(v)).abs() <= 4.2, "{v} -> {r}");
        }
    }

    #[test]
    fn every_named_colour_names_itself() {
        for c in &NAMED_COLORS {
            assert_eq!(nearest_named_color(c.rgb).name, c.name);
        }
    }

    #[test]
    fn no_cell_is_near_a_tie() {
        let references = reference_labs();
        let mut smallest = (f64::INFINITY, 0);
        for cell in 0..CELLS {
            let ((_, d1), (_, d2)) = two_nearest(Lab::from_srgb(representative(cell)), &references);
            let margin = d2.max(0.0).sqrt() - d1.max(0.0).sqrt();
            if margin < smallest.0 {
                smallest = (margin, cell);
            }
        }
        println!(
            "smallest gap between the two nearest names: {} ΔE00 (cell {:?})",
            smallest.0,
            representative(smallest.1)
        );
        assert!(
            smallest.0 > MIN_MARGIN,
            "cell {:?} is within {} ΔE00 of a tie",
            representative(smallest.1),
            smallest.0
        );
    }

    #[test]
    fn the_embedded_table_is_the_computed_one() {
        let built = build_table();
        let differing = built.iter().zip(table()).filter(|(a, b)| a != b).count();
        assert_eq!(
            differing, 0,
            "lookup.bin is stale: run `cargo run --release -p smart_tags_tests --example color_table`"
        );
        assert!(table().iter().all(|&i| usize::from(i) < NAMED_COLORS.len()));
    }
}
