//! The named-colour set: 31 everyday colour names a DAM user searches for, each with an sRGB
//! reference value (a prototype, not a range: a photo's "red" is seldom `#ff0000`). A pixel gets the name whose reference is perceptually nearest
//! (see [`super::lab`]), so the set also decides where one name ends and the next begins.
//!
//! The values are the CSS Color Module Level 4 named colours (<https://www.w3.org/TR/css-color-4/#named-colors>)
//! of the same name, except where the CSS keyword means something else than the everyday word:
//!
//! | name        | hex       | source                                                          |
//! |-------------|-----------|-----------------------------------------------------------------|
//! | black       | `#000000` | CSS `black`                                                     |
//! | dark gray   | `#404040` | ours: CSS `darkgray` (`#a9a9a9`) is *lighter* than CSS `gray`   |
//! | gray        | `#808080` | CSS `gray`                                                      |
//! | light gray  | `#d3d3d3` | CSS `lightgray`                                                 |
//! | white       | `#ffffff` | CSS `white`                                                     |
//! | red         | `#ff0000` | CSS `red`                                                       |
//! | dark red    | `#8b0000` | CSS `darkred`                                                   |
//! | pink        | `#ffc0cb` | CSS `pink`                                                      |
//! | salmon      | `#fa8072` | CSS `salmon`                                                    |
//! | orange      | `#ffa500` | CSS `orange`                                                    |
//! | brown       | `#8b4513` | CSS `saddlebrown` (CSS `brown`, `#a52a2a`, is a brick red)      |
//! | dark brown  | `#654321` | ours: the usual "dark brown" swatch; CSS has no dark brown      |
//! | tan         | `#d2b48c` | CSS `tan`                                                       |
//! | beige       | `#f5f5dc` | CSS `beige`                                                     |
//! | gold        | `#ffd700` | CSS `gold`                                                      |
//! | yellow      | `#ffff00` | CSS `yellow`                                                    |
//! | olive       | `#808000` | CSS `olive`                                                     |
//! | light green | `#90ee90` | CSS `lightgreen`                                                |
//! | green       | `#008000` | CSS `green`                                                     |
//! | dark green  | `#006400` | CSS `darkgreen`                                                 |
//! | teal        | `#008080` | CSS `teal`                                                      |
//! | turquoise   | `#40e0d0` | CSS `turquoise`                                                 |
//! | cyan        | `#00ffff` | CSS `cyan`                                                      |
//! | light blue  | `#add8e6` | CSS `lightblue`                                                 |
//! | sky blue    | `#87ceeb` | CSS `skyblue`                                                   |
//! | steel blue  | `#4682b4` | CSS `steelblue`                                                 |
//! | blue        | `#0000ff` | CSS `blue`                                                      |
//! | navy        | `#000080` | CSS `navy`                                                      |
//! | purple      | `#800080` | CSS `purple`                                                    |
//! | violet      | `#ee82ee` | CSS `violet`                                                    |
//! | magenta     | `#ff00ff` | CSS `magenta`                                                   |
//!
//! Names are lowercase English words, stable identifiers: changing a name or a value changes the
//! tags of images already tagged, so it is a versioned change of the product.

/// One entry of the named-colour set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NamedColor {
    /// Lowercase English name, e.g. `"light blue"`.
    pub name: &'static str,
    /// sRGB reference value.
    pub rgb: [u8; 3],
}

impl NamedColor {
    /// The reference value as `#rrggbb`.
    pub fn hex(&self) -> String {
        hex(self.rgb)
    }
}

/// Formats an sRGB colour as lowercase `#rrggbb`.
pub fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

const fn named(name: &'static str, rgb: u32) -> NamedColor {
    NamedColor { name, rgb: [(rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8] }
}

/// The named-colour set, in the order of the table above. A tie in distance would go to the
/// earlier entry; there is none (see [`super::lookup`]).
pub const NAMED_COLORS: [NamedColor; 31] = [
    named("black", 0x000000),
    named("dark gray", 0x404040),
    named("gray", 0x808080),
    named("light gray", 0xd3d3d3),
    named("white", 0xffffff),
    named("red", 0xff0000),
    named("dark red", 0x8b0000),
    named("pink", 0xffc0cb),
    named("salmon", 0xfa8072),
    named("orange", 0xffa500),
    named("brown", 0x8b4513),
    named("dark brown", 0x654321),
    named("tan", 0xd2b48c),
    named("beige", 0xf5f5dc),
    named("gold", 0xffd700),
    named("yellow", 0xffff00),
    named("olive", 0x808000),
    named("light green", 0x90ee90),
    named("green", 0x008000),
    named("dark green", 0x006400),
    named("teal", 0x008080),
    named("turquoise", 0x40e0d0),
    named("cyan", 0x00ffff),
    named("light blue", 0xadd8e6),
    named("sky blue", 0x87ceeb),
    named("steel blue", 0x4682b4),
    named("blue", 0x0000ff),
    named("navy", 0x000080),
    named("purple", 0x800080),
    named("violet", 0xee82ee),
    named("magenta", 0xff00ff),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_lowercase_and_values_distinct() {
        for (i, a) in NAMED_COLORS.iter().enumerate() {
            assert_eq!(a.name, a.name.to_lowercase());
            for b in &NAMED_COLORS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.rgb, b.rgb, "{} and {}", a.name, b.name);
            }
        }
    }

    #[test]
    fn the_documented_table_matches_the_values() {
        let doc = include_str!("names.rs");
        for c in &NAMED_COLORS {
            let row = format!("| {:<11} | `{}` |", c.name, c.hex());
            assert!(doc.contains(&row), "missing doc row {row}");
        }
    }

    #[test]
    fn formats_hex() {
        assert_eq!(hex([255, 8, 171]), "#ff08ab");
        assert_eq!(NAMED_COLORS[5].hex(), "#ff0000");
    }
}
