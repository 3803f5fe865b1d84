//! Cost of the detectors per image, stage by stage, beside the image model in the same run: the
//! thumbnail's JPEG decode, the face detector (BlazeFace full range, 192×192), the person detector
//! (SSD-MobileNetV2, 300×300), the text reader (PP-OCRv4 detection, then recognition of what it
//! found) and EfficientNet-Lite0 on the model input; then every detector on one image, one after
//! the other against the service's way (the people detectors and the text reader at once, on two
//! threads: `service::detectors::find_all`), alternating within each round.
//!
//! Usage: `cargo run --release -p smart_tags_tests --example bench_detectors -- [rounds]`
//! (`bash scripts/bench-detectors.sh`). Photos: the six face-api group photos, the astronaut,
//! the cat, the coffee and a 14.7 MP wallpaper; each stage runs `rounds` times per photo (10 by
//! default) after one warm-up, 2 threads per model, and the medians and p90 over all runs are
//! printed.

use std::time::Instant;

use smart_tags_core::decode::decode;
use smart_tags_core::detect::THUMBNAIL_LIMITS;
use smart_tags_core::ModelInput;
use smart_tags_service::detectors::{Detectors, DetectorsConfig, TextReader};
use smart_tags_tests::{cache_dir, ort_library, prepare, shared_detectors, shared_engine, shared_text_reader};

const PHOTOS: [&str; 10] = [
    "eval2/face-api/sample1.jpg",
    "eval2/face-api/sample2.jpg",
    "eval2/face-api/sample3.jpg",
    "eval2/face-api/sample4.jpg",
    "eval2/face-api/sample5.jpg",
    "eval2/face-api/sample6.jpg",
    "skimage/astronaut.png",
    "skimage/chelsea.png",
    "skimage/coffee.png",
    "wallpapers/large-5120x2880.jpg",
];

fn stats(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.9))
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let detectors = shared_detectors();
    let reader = shared_text_reader();
    let engine = shared_engine();
    // The same models with one intra-op thread each: two pipelines at once on two cores.
    let single = DetectorsConfig { models_dir: cache_dir().join("models"), runtime_library: ort_library(), threads: 1 };
    let detectors_1 = Detectors::load(&single).unwrap_or_else(|e| panic!("{e}"));
    let reader_1 = TextReader::load(&single).unwrap_or_else(|e| panic!("{e}"));
    let names = [
        "thumbnail decode",
        "face detector",
        "person detector",
        "people total (decode + both)",
        "text (detection + recognition)",
        "all detectors, one after the other (decode + people + text)",
        "all detectors, people and text at once (the service)",
        "all detectors at once, 1 thread per model",
        "image model",
    ];
    let mut stages: Vec<(&str, Vec<f64>)> = names.into_iter().map(|s| (s, Vec::new())).collect();
    for photo in PHOTOS {
        let prepared = prepare(photo);
        let input = ModelInput::from_bytes(prepared.model_input.clone()).unwrap_or_else(|e| panic!("{e}"));
        for round in 0..=rounds {
            let t0 = Instant::now();
            let image = decode(&prepared.thumbnail, &THUMBNAIL_LIMITS).unwrap_or_else(|e| panic!("{photo}: {e}")).image;
            let t1 = Instant::now();
            detectors.faces(&image).unwrap_or_else(|e| panic!("{e}"));
            let t2 = Instant::now();
            detectors.persons(&image).unwrap_or_else(|e| panic!("{e}"));
            let t3 = Instant::now();
            reader.read(&image).unwrap_or_else(|e| panic!("{e}"));
            let t4 = Instant::now();
            engine.infer_timed(std::slice::from_ref(&input)).unwrap_or_else(|e| panic!("{e}"));
            let t5 = Instant::now();
            // Every detector on the image: one after the other, and as the service runs them,
            // in alternating order so neither always runs on a warmer machine.
            let sequential = || {
                let t = Instant::now();
                let image = decode(&prepared.thumbnail, &THUMBNAIL_LIMITS).unwrap_or_else(|e| panic!("{e}")).image;
                detectors.people(&image).unwrap_or_else(|e| panic!("{e}"));
                reader.read(&image).unwrap_or_else(|e| panic!("{e}"));
                t.elapsed()
            };
            let at_once_with = |detectors: &Detectors, reader: &TextReader| {
                let t = Instant::now();
                let image = decode(&prepared.thumbnail, &THUMBNAIL_LIMITS).unwrap_or_else(|e| panic!("{e}")).image;
                let (people, text) = smart_tags_service::detectors::find_all(Some(detectors), Some(reader), &image);
                people.unwrap_or_else(|| panic!("people")).unwrap_or_else(|e| panic!("{e}"));
                text.unwrap_or_else(|| panic!("text")).unwrap_or_else(|e| panic!("{e}"));
                t.elapsed()
            };
            let together = || at_once_with(&detectors, &reader);
            let single_threads = || at_once_with(&detectors_1, &reader_1);
            let (one_after_the_other, at_once, at_once_1) = if round % 2 == 0 {
                let a = sequential();
                let b = together();
                (a, b, single_threads())
            } else {
                let c = single_threads();
                let b = together();
                (sequential(), b, c)
            };
            if round == 0 {
                continue;
            }
            let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1000.0;
            let values = [
                ms(t0, t1),
                ms(t1, t2),
                ms(t2, t3),
                ms(t0, t3),
                ms(t3, t4),
                one_after_the_other.as_secs_f64() * 1000.0,
                at_once.as_secs_f64() * 1000.0,
                at_once_1.as_secs_f64() * 1000.0,
                ms(t4, t5),
            ];
            for (i, v) in values.into_iter().enumerate() {
                stages[i].1.push(v);
            }
        }
    }
    println!(
        "| stage ({} photos × {rounds} runs, 2 threads per model) | p50 ms | p90 ms |\n|---|---|---|",
        PHOTOS.len()
    );
    for (name, ms) in stages {
        let (p50, p90) = stats(ms);
        println!("| {name} | {p50:.1} | {p90:.1} |");
    }
}
