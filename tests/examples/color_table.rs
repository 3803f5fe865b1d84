//! Writes the colour-name lookup table that `smart_tags_core::color::lookup` embeds
//! (`core/src/color/lookup.bin`), computed from the named colours and CIEDE2000. Run it after
//! changing the named-colour set; core's unit tests fail while the file is stale.
//!
//! Usage: `cargo run --release -p smart_tags_tests --example color_table [OUTPUT]`.

use std::path::PathBuf;

use smart_tags_core::color::lookup::build_table;
use smart_tags_core::color::NAMED_COLORS;

fn main() {
    let out = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/src/color/lookup.bin"), PathBuf::from);
    let table = build_table();
    if let Err(e) = std::fs::write(&out, &table) {
        eprintln!("color_table: cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
    println!("wrote {} ({} cells)", out.display(), table.len());
    for (i, color) in NAMED_COLORS.iter().enumerate() {
        let cells = table.iter().filter(|&&t| usize::from(t) == i).count();
        println!("{:>12} {} {:>5} cells", color.name, color.hex(), cells);
    }
}
