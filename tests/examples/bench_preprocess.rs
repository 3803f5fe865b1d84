//! Native preprocessing benchmark: the same `smart_tags_core::preprocess` that the browser runs
//! as wasm, timed on this machine, with a breakdown of where the time goes.
//!
//! Usage: `bench_preprocess FILE...` (env `ITERS`, default 10). Per file: 2 warm-ups, then
//! `ITERS` timed runs of each stage. Prints one JSON line per file.
//!
//! The stages are timed in alternation inside each iteration (full preprocess, then decode alone,
//! then each step on the decoded image) so that machine noise hits all of them alike:
//! - `median_ms`: `preprocess` (decode + orientation + thumbnail + colours + model input + SHA-256
//!   + metadata), what the browser does; a large JPEG is decoded at a reduced scale (`decoder`);
//! - `full_median_ms`: the same with every pixel decoded (`Options::reduced_jpeg = false`);
//! - `reduced_decode_median_ms`: `decode_for` alone (the reduced-scale decode, when it applies);
//! - `decode_median_ms`: `smart_tags_core::decode::decode` (header checks, decode, EXIF orientation, to RGB);
//! - `raw_decode_median_ms`: the `image` crate's decode alone (no EXIF rotation, no RGB conversion);
//! - `thumbnail_median_ms`: resize to longest side 512 + JPEG encode (quality 85);
//! - `model_input_median_ms`: resize shorter side to 256 + centre crop 224;
//! - `colors_median_ms`: dominant colours counted on the thumbnail's pixels (what `preprocess`
//!   adds to the thumbnail: averaging down to 128 px and naming each pixel).
//!
//! Run by `scripts/bench-preprocess.sh`, which compares it with the wasm build in Chromium.

use std::path::{Path, PathBuf};
use std::time::Instant;

use smart_tags_core::color::dominant_colors;
use smart_tags_core::decode::{decode, decode_for};
use smart_tags_core::model_input::ModelInput;
use smart_tags_core::preprocess::{preprocess, Options};
use smart_tags_core::thumbnail::{make_thumbnail, thumbnail_pixels};
use smart_tags_tests::read;

const WARMUPS: usize = 2;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

fn ms<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed().as_secs_f64() * 1000.0, out)
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn bench(path: &Path, iters: usize) -> Result<String, String> {
    let bytes = read(path);
    let options = Options::default();

    let mut total = Vec::with_capacity(iters);
    let mut dec = Vec::with_capacity(iters);
    let mut raw = Vec::with_capacity(iters);
    let mut thumb = Vec::with_capacity(iters);
    let mut model = Vec::with_capacity(iters);
    let mut colors = Vec::with_capacity(iters);
    let mut full = Vec::with_capacity(iters);
    let mut reduced = Vec::with_capacity(iters);
    let full_options = Options { reduced_jpeg: false, ..Options::default() };
    let mut last = None;

    for i in 0..WARMUPS + iters {
        let (t_total, p) = ms(|| preprocess(&bytes, &options));
        let p = p.map_err(|e| format!("{}: {e}", path.display()))?;
        let (t_full, f) = ms(|| preprocess(&bytes, &full_options));
        f.map_err(|e| format!("{}: full: {e}", path.display()))?;
        let (t_reduced, r) = ms(|| decode_for(&bytes, &options.limits, options.needs()));
        r.map_err(|e| format!("{}: reduced decode: {e}", path.display()))?;
        let (t_dec, d) = ms(|| decode(&bytes, &options.limits));
        let d = d.map_err(|e| format!("{}: decode: {e}", path.display()))?;
        let (t_raw, r) = ms(|| image::load_from_memory(&bytes));
        r.map_err(|e| format!("{}: raw decode: {e}", path.display()))?;
        let (t_thumb, t) = ms(|| make_thumbnail(&d.image, options.thumbnail_side));
        t.map_err(|e| format!("{}: thumbnail: {e}", path.display()))?;
        let (t_model, m) = ms(|| ModelInput::from_image(&d.image));
        m.map_err(|e| format!("{}: model input: {e}", path.display()))?;
        let small = thumbnail_pixels(&d.image, options.thumbnail_side)
            .map_err(|e| format!("{}: thumbnail: {e}", path.display()))?;
        let (t_colors, c) = ms(|| dominant_colors(&small, &options.colors));
        c.map_err(|e| format!("{}: colours: {e}", path.display()))?;
        if i >= WARMUPS {
            total.push(t_total);
            dec.push(t_dec);
            raw.push(t_raw);
            thumb.push(t_thumb);
            model.push(t_model);
            colors.push(t_colors);
            full.push(t_full);
            reduced.push(t_reduced);
        }
        last = Some(p);
    }
    let p = last.ok_or("no runs")?;
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let min_total = min(&total);
    Ok(format!(
        concat!(
            "{{\"engine\":\"native\",\"thread\":\"main\",\"file\":{},\"path\":{},\"bytes\":{},",
            "\"format\":\"{}\",\"orientation\":{},\"width\":{},\"height\":{},\"iters\":{},",
            "\"decoder\":\"{}\",\"full_median_ms\":{:.3},\"reduced_decode_median_ms\":{:.3},",
            "\"median_ms\":{:.3},\"min_ms\":{:.3},\"decode_median_ms\":{:.3},\"raw_decode_median_ms\":{:.3},",
            "\"thumbnail_median_ms\":{:.3},\"model_input_median_ms\":{:.3},\"colors_median_ms\":{:.3},\"colors\":[{}],",
            "\"thumbnail_bytes\":{},\"thumbnail_width\":{},\"thumbnail_height\":{},\"model_input_bytes\":{}}}"
        ),
        json_string(&name),
        json_string(&path.display().to_string()),
        bytes.len(),
        p.format.as_str(),
        p.exif_orientation.map_or_else(|| "null".to_owned(), |o| o.to_string()),
        p.width,
        p.height,
        iters,
        p.decoder.as_str(),
        median(&mut full),
        median(&mut reduced),
        median(&mut total),
        min_total,
        median(&mut dec),
        median(&mut raw),
        median(&mut thumb),
        median(&mut model),
        median(&mut colors),
        p.colors.iter().map(|c| json_string(&c.name)).collect::<Vec<_>>().join(","),
        p.thumbnail.jpeg.len(),
        p.thumbnail.width,
        p.thumbnail.height,
        p.model_input.as_bytes().len(),
    ))
}

fn main() {
    let iters: usize = std::env::var("ITERS").ok().and_then(|v| v.parse().ok()).filter(|&n| n > 0).unwrap_or(10);
    let files: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        eprintln!("usage: bench_preprocess FILE... (env ITERS, default 10)");
        std::process::exit(2);
    }
    let mut failed = false;
    for path in &files {
        match bench(path, iters) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("bench_preprocess: {e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
