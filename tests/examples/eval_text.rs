//! Quality and cost of the text reader (PP-OCRv4 on the 512-px thumbnail) on the labelled text
//! set `tests/eval/text/labels.csv` (every photo of both labelled sets, marked by eye for legible
//! text and its words before any OCR ran; see its README).
//!
//! Usage: `cargo run --release -p smart_tags_tests --example eval_text -- [all|calibration|held-out]`
//! (after `bash scripts/setup.sh --test` and `bash scripts/setup-eval-photos.sh`). Split by photo
//! group as the other reports (first byte of the SHA-256 of the group's name even: calibration).
//!
//! Metrics: *contains text* — a photo is tagged when the reader's confidence reaches 0.5;
//! precision over tagged photos labelled `yes` or `no` (`unsure` left out), recall over `yes`;
//! *words* — a labelled word counts as read when a read word equals it ignoring case (word-level
//! recall), and a read word counts as right when it equals a labelled word of its photo ignoring
//! case (word-level precision, over photos labelled `yes`). Latency: detection plus recognition
//! per image, beside the image model in the same run.

use std::collections::BTreeMap;
use std::time::Instant;

use smart_tags_core::decode::decode;
use smart_tags_core::detect::THUMBNAIL_LIMITS;
use smart_tags_core::ModelInput;
use smart_tags_tests::labels::{in_calibration_half, parse_csv, pct_ci};
use smart_tags_tests::{prepare, shared_engine, shared_text_reader};

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(((values.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(f64::NAN)
}

fn rows(path: &str) -> Vec<Vec<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    parse_csv(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .into_iter()
        .skip(1)
        .filter(|r| r.len() >= 3)
        .collect()
}

fn main() {
    let split = std::env::args().nth(1).unwrap_or_else(|| "all".to_owned());
    let verbose = std::env::var("VERBOSE").map_or(true, |v| v != "0");
    let groups: BTreeMap<String, String> = rows("eval/set2/labels.csv")
        .into_iter()
        .filter(|r| r.len() > 3 && !r[3].is_empty())
        .map(|r| (r[0].clone(), r[3].clone()))
        .collect();
    let reader = shared_text_reader();
    let engine = shared_engine();
    let labelled: Vec<Vec<String>> = rows("eval/text/labels.csv")
        .into_iter()
        .filter(|r| {
            let group = groups.get(&r[0]).cloned().unwrap_or_else(|| r[0].clone());
            match split.as_str() {
                "calibration" => in_calibration_half(&group),
                "held-out" => !in_calibration_half(&group),
                _ => true,
            }
        })
        .collect();
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let (mut words_labelled, mut words_found, mut words_read, mut words_right) = (0, 0, 0, 0);
    let (mut reader_ms, mut model_ms) = (Vec::new(), Vec::new());
    let mut lines = Vec::new();
    for row in &labelled {
        let (photo, label) = (&row[0], row[1].as_str());
        let prepared = prepare(photo);
        let started = Instant::now();
        let image = decode(&prepared.thumbnail, &THUMBNAIL_LIMITS).unwrap_or_else(|e| panic!("{photo}: {e}")).image;
        let found = reader.read(&image).unwrap_or_else(|e| panic!("{photo}: {e}"));
        reader_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        let input = ModelInput::from_bytes(prepared.model_input.clone()).unwrap_or_else(|e| panic!("{e}"));
        model_ms.push(
            engine.infer_timed(std::slice::from_ref(&input)).unwrap_or_else(|e| panic!("{e}")).1.as_secs_f64() * 1000.0,
        );
        let tagged = found.confidence >= 0.5;
        match (label, tagged) {
            ("yes", true) => tp += 1,
            ("yes", false) => fn_ += 1,
            ("no", true) => fp += 1,
            _ => {}
        }
        let read: Vec<String> = found
            .words
            .iter()
            .flat_map(|w| w.text.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>())
            .collect();
        if label == "yes" {
            let truth: Vec<String> = row[2].split('|').filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
            words_labelled += truth.len();
            words_found += truth.iter().filter(|w| read.contains(w)).count();
            words_read += read.len();
            words_right += read.iter().filter(|w| truth.contains(w)).count();
        }
        if (label == "no" && tagged) || label == "yes" {
            lines.push(format!(
                "{photo} [{label}] conf {:.2}: {}",
                found.confidence,
                found.words.iter().map(|w| format!("{} ({:.2})", w.text, w.score)).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    println!("# Text in pictures — split {split}, {} photos\n", labelled.len());
    println!("| metric (95% Wilson interval) | value |\n|---|---|");
    println!("| contains text: precision | {} |", pct_ci(tp, tp + fp));
    println!("| contains text: recall | {} |", pct_ci(tp, tp + fn_));
    println!("| text tags on photos without text | {fp} of {} |", labelled.iter().filter(|r| r[1] == "no").count());
    println!("| labelled words read exactly (ignoring case) | {} |", pct_ci(words_found, words_labelled));
    println!("| read words that are labelled words (photos with text) | {} |", pct_ci(words_right, words_read));
    let (r50, r90) = (percentile(&mut reader_ms.clone(), 0.5), percentile(&mut reader_ms, 0.9));
    let (m50, m90) = (percentile(&mut model_ms.clone(), 0.5), percentile(&mut model_ms, 0.9));
    println!("\n| per image, same run, 2 threads | p50 ms | p90 ms |\n|---|---|---|");
    println!("| thumbnail decode + text detection + recognition of its boxes | {r50:.1} | {r90:.1} |");
    println!("| image model (EfficientNet-Lite0) | {m50:.1} | {m90:.1} |");
    if verbose {
        println!();
        for line in lines {
            println!("- {line}");
        }
    }
}
