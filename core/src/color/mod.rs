//! Dominant colours of an image with human colour names, computed here so that the browser
//! (wasm) and the servers give the same colour tags for the same file.
//!
//! - [`names`]: the documented named-colour set (31 names, mostly CSS Color 4 values).
//! - [`lab`]: CIELAB and the CIEDE2000 difference that decides which name a pixel gets.
//! - [`lookup`]: the name of every sRGB colour, quantized to 5 bits per channel, as a table
//!   built once; why it is the same table on every platform.
//! - [`palette`]: the dominant colours of an image, their coverage and options (1-40 colours,
//!   default 10; coverage threshold, default 11 %).

pub mod lab;
pub mod lookup;
pub mod names;
pub mod palette;

pub use names::{NamedColor, NAMED_COLORS};
pub use palette::{dominant_colors, ColorError, ColorOptions, ColorTag, MAX_COLORS};

/// Whether `name` is a name of the named-colour set.
pub fn is_known_name(name: &str) -> bool {
    NAMED_COLORS.iter().any(|c| c.name == name)
}
