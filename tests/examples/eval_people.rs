//! Quality and cost of the people tags (faces and person detectors) on the labelled people set
//! `tests/eval/people/labels.csv` (every photo of both labelled sets and the face-api group
//! photos, labelled by eye before any detector ran; see its README).
//!
//! Usage: `cargo run --release -p smart_tags_tests --example eval_people -- [all|calibration|held-out]`
//! (after `bash scripts/setup.sh --test` and `bash scripts/setup-eval-photos.sh`; or
//! `bash scripts/eval-people.sh`). The split is by photo group, as for the taxonomy report: the
//! first byte of the SHA-256 of the group's name is even for the calibration half. Thresholds may
//! be chosen on `calibration` only; `held-out` is what to report.
//!
//! The pipeline is the service's: core's preprocessing of the original file (the thumbnail the
//! browser sends), the thumbnail decoded again, `Detectors::people` on it. A tag counts as given
//! when its confidence reaches the default tag threshold, 0.5.
//!
//! Metrics: *people* — recall over the photos labelled `person=yes`, precision over the photos
//! tagged, `unsure` photos (statues, paintings, tiny figures) left out of both and listed; *face
//! count* — the exact count on the group photos and on every photo with a countable number of
//! faces; *portrait*, *group*, *crowd* — precision and recall against the labelled kind; *false
//! people* — people tags on photos labelled `person=no`. Latency: the two detectors per image
//! (p50, p90), beside the image model on the same photo in the same run.

use std::collections::BTreeMap;
use std::time::Instant;

use smart_tags_core::decode::decode;
use smart_tags_core::detect::THUMBNAIL_LIMITS;
use smart_tags_core::ModelInput;
use smart_tags_tests::labels::{in_calibration_half, parse_csv, pct_ci, read_people_labels, PeopleLabel};
use smart_tags_tests::{prepare, shared_detectors, shared_engine};

/// Set 2's `group` column: the photos that show one picture (edits, crops) share a group.
fn groups() -> BTreeMap<String, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/set2/labels.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_csv(&text)
        .into_iter()
        .skip(1)
        .filter(|r| r.len() > 3 && !r[3].is_empty())
        .map(|r| (r[0].clone(), r[3].clone()))
        .collect()
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let split = std::env::args().nth(1).unwrap_or_else(|| "all".to_owned());
    if !["all", "calibration", "held-out"].contains(&split.as_str()) {
        eprintln!("usage: eval_people [all|calibration|held-out]");
        std::process::exit(2);
    }
    let verbose = std::env::var("VERBOSE").map_or(true, |v| v != "0");
    let sweep = std::env::var("SWEEP").is_ok_and(|v| v == "1");
    let detectors = shared_detectors();
    let engine = shared_engine();
    let groups = groups();
    let rows: Vec<PeopleLabel> = read_people_labels()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .filter(|r| {
            let group = groups.get(&r.photo).cloned().unwrap_or_else(|| r.photo.clone());
            match split.as_str() {
                "calibration" => in_calibration_half(&group),
                "held-out" => !in_calibration_half(&group),
                _ => true,
            }
        })
        .collect();
    println!("# People tags — split {split}, {} photos, detectors {}", rows.len(), detectors.version());
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let mut unsure_tagged = Vec::new();
    let mut unsure = 0;
    let mut false_people = Vec::new();
    let mut missed = Vec::new();
    let (mut group_exact, mut group_n) = (0, 0);
    let (mut count_exact, mut count_n, mut count_abs) = (0, 0, 0usize);
    let mut kinds: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new(); // (tp, fp, fn)
    let mut detector_ms = Vec::new();
    let mut model_ms = Vec::new();
    let mut thumbnail_bytes = Vec::new();
    let mut miscounts = Vec::new();
    // (label, best face score, best person score) for the threshold sweep.
    let mut scores: Vec<(String, f32, f32)> = Vec::new();
    // (labelled count, every face score) of the countable photos, for the face threshold sweep.
    let mut face_scores: Vec<(usize, Vec<f32>)> = Vec::new();
    // Recall per labelled kind.
    let mut recall_by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for row in &rows {
        let prepared = prepare(&row.photo);
        thumbnail_bytes.push(prepared.thumbnail.len() as f64);
        let started = Instant::now();
        let image =
            decode(&prepared.thumbnail, &THUMBNAIL_LIMITS).unwrap_or_else(|e| panic!("{}: {e}", row.photo)).image;
        let found = detectors.people(&image).unwrap_or_else(|e| panic!("{}: {e}", row.photo));
        detector_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        let input = ModelInput::from_bytes(prepared.model_input.clone()).unwrap_or_else(|e| panic!("{e}"));
        let (_, ran) = engine.infer_timed(std::slice::from_ref(&input)).unwrap_or_else(|e| panic!("{e}"));
        model_ms.push(ran.as_secs_f64() * 1000.0);
        let s = &found.summary;
        scores.push((row.person.clone(), s.best_face, s.best_person));
        if let (Some(n), true) = (row.faces, row.person != "unsure") {
            if sweep {
                // Every face above the decoding floor, for the face threshold sweep.
                let all = detectors.faces(&image).unwrap_or_else(|e| panic!("{}: {e}", row.photo));
                face_scores.push((n, all.iter().map(|d| d.score).collect()));
            }
        }
        if row.person == "yes" {
            let entry = recall_by_kind.entry(row.kind.clone()).or_default();
            entry.0 += usize::from(s.people >= 0.5);
            entry.1 += 1;
        }
        let tagged = s.people >= 0.5;
        match row.person.as_str() {
            "yes" => {
                if tagged {
                    tp += 1;
                } else {
                    fn_ += 1;
                    missed.push(format!("{} (people {:.2}, kind {})", row.photo, s.people, row.kind));
                }
            }
            "no" => {
                if tagged {
                    fp += 1;
                    false_people.push(format!(
                        "{} (people {:.2}, {} faces, {} persons)",
                        row.photo, s.people, s.faces, s.persons
                    ));
                }
            }
            _ => {
                unsure += 1;
                if tagged {
                    unsure_tagged.push(row.photo.clone());
                }
            }
        }
        if let Some(faces) = row.faces {
            if row.person != "unsure" {
                count_n += 1;
                count_abs += faces.abs_diff(s.faces);
                if faces == s.faces {
                    count_exact += 1;
                } else if faces > 0 || s.faces > 0 {
                    miscounts.push(format!("{}: labelled {faces}, found {}", row.photo, s.faces));
                }
                if row.kind == "group" {
                    group_n += 1;
                    group_exact += usize::from(faces == s.faces);
                }
            }
        }
        if row.person != "unsure" {
            for (kind, confidence) in [("portrait", s.portrait), ("group", s.group), ("crowd", s.crowd)] {
                let entry = kinds.entry(kind).or_default();
                match (row.kind == kind, confidence >= 0.5) {
                    (true, true) => entry.0 += 1,
                    (false, true) => entry.1 += 1,
                    (true, false) => entry.2 += 1,
                    (false, false) => {}
                }
            }
        }
    }
    println!("\n| metric | value (95% Wilson interval) |\n|---|---|");
    println!("| people recall (person=yes tagged) | {} |", pct_ci(tp, tp + fn_));
    println!("| people precision (tagged photos with a person) | {} |", pct_ci(tp, tp + fp));
    println!(
        "| people tags on photos without a person | {fp} of {} |",
        rows.iter().filter(|r| r.person == "no").count()
    );
    println!("| exact face count, group photos | {} |", pct_ci(group_exact, group_n));
    println!(
        "| exact face count, every countable photo | {} (mean abs error {:.2}) |",
        pct_ci(count_exact, count_n),
        count_abs as f64 / count_n.max(1) as f64
    );
    for (kind, (t, f, n)) in &kinds {
        println!("| {kind}: precision / recall | {} / {} |", pct_ci(*t, t + f), pct_ci(*t, t + n));
    }
    for (kind, (hit, n)) in &recall_by_kind {
        println!("| people recall, photos labelled {kind} | {} |", pct_ci(*hit, *n));
    }
    println!(
        "| unsure photos (statues, paintings, tiny figures) tagged people | {} of {unsure} |",
        unsure_tagged.len()
    );
    let (d50, d90) = (percentile(&mut detector_ms.clone(), 0.5), percentile(&mut detector_ms, 0.9));
    let (m50, m90) = (percentile(&mut model_ms.clone(), 0.5), percentile(&mut model_ms, 0.9));
    println!("\n| per image, same run, 2 threads | p50 ms | p90 ms |\n|---|---|---|");
    println!("| thumbnail decode + face + person detectors | {d50:.1} | {d90:.1} |");
    println!("| image model (EfficientNet-Lite0) | {m50:.1} | {m90:.1} |");
    println!(
        "\nthumbnail bytes sent: p50 {:.0}, max {:.0} (5% of a 4 MB photo is 200,000)",
        percentile(&mut thumbnail_bytes.clone(), 0.5),
        percentile(&mut thumbnail_bytes, 1.0)
    );
    if sweep {
        println!("\n| face min | person min | people recall | false people (of person=no) |\n|---|---|---|---|");
        for face_min in [0.5f32, 0.6, 0.7] {
            for person_min in [0.3f32, 0.35, 0.4, 0.45, 0.5] {
                let hit = |s: &&&(String, f32, f32)| s.1 >= face_min || s.2 >= person_min;
                let yes: Vec<_> = scores.iter().filter(|s| s.0 == "yes").collect();
                let no: Vec<_> = scores.iter().filter(|s| s.0 == "no").collect();
                let recall = yes.iter().filter(hit).count();
                let false_people = no.iter().filter(hit).count();
                println!(
                    "| {face_min} | {person_min} | {} | {false_people} of {} |",
                    pct_ci(recall, yes.len()),
                    no.len()
                );
            }
        }
    }
    if sweep {
        println!("\n| face min | exact face count (countable photos) | on group photos |\n|---|---|---|");
        for face_min in [0.4f32, 0.5, 0.6, 0.7] {
            let exact = face_scores.iter().filter(|(n, f)| f.iter().filter(|&&x| x >= face_min).count() == *n).count();
            println!("| {face_min} | {} | |", pct_ci(exact, face_scores.len()));
        }
    }
    if verbose {
        for (title, list) in [
            ("missed people", &missed),
            ("false people", &false_people),
            ("face miscounts", &miscounts),
            ("unsure tagged", &unsure_tagged),
        ] {
            println!("\n{title}:");
            for line in list {
                println!("- {line}");
            }
        }
    }
}
