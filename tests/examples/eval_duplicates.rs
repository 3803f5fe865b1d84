//! How well the image embedding tells near copies of a photo from other photos of the same
//! subject, and where the duplicate threshold goes (`smart_tags_core::similarity::DUPLICATE_COSINE`).
//!
//! Photos: both labelled sets (set 1, 50 photos; set 2, 324), never the Tux Paint stamps. Each
//! photo gets near copies made from its pixels: JPEG at quality 30 and 70, resized to 1/2 and 1/4,
//! cropped to the central 90 % and to the top-left 80 %, brighter and darker, hue turned, more
//! contrast, and all at once (crop, resize, quality 60, brighter). Positives are (photo, copy)
//! pairs and the photos set 2 declares one picture (its `group` column). Negatives are pairs of
//! distinct pictures sharing a label ("another photo of the same subject"), the hard case.
//!
//! The threshold is chosen on the calibration half of the pictures (`in_calibration_half`): the
//! lowest cosine that flags at most 1 % of its same-subject pairs. It is reported on the held-out
//! half with 95 % Wilson intervals — recall per kind of copy, the share of same-subject pairs
//! flagged, and precision over the held-out pairs — for the raw embedding and for the embedding
//! minus the calibration mean.
//!
//! `cargo run --release -p smart_tags_tests --example eval_duplicates`

use std::collections::BTreeMap;

use image::{imageops, RgbImage};
use smart_tags_core::similarity::{cosine, DUPLICATE_COSINE};
use smart_tags_tests::labels::{in_calibration_half, pct_ci, read_labels, read_labels_from, set2_dir};
use smart_tags_tests::views::{encode_jpeg, load_photo};
use smart_tags_tests::{cache_dir, shared_engine};

/// Longest side the photos are decoded at before copies are made (most are smaller).
const LONG_SIDE: u32 = 2048;
/// The most same-subject pairs of the calibration half the threshold may flag.
const MAX_FALSE_POSITIVE_RATE: f64 = 0.01;

type Transform = (&'static str, fn(&RgbImage) -> Vec<u8>);

fn jpeg(image: &RgbImage, quality: u8) -> Vec<u8> {
    encode_jpeg(image, quality).unwrap_or_else(|e| panic!("encode: {e}"))
}

fn scaled(image: &RgbImage, factor: f64) -> RgbImage {
    let (w, h) = (
        (f64::from(image.width()) * factor).round().max(16.0) as u32,
        (f64::from(image.height()) * factor).round().max(16.0) as u32,
    );
    imageops::resize(image, w, h, imageops::FilterType::Triangle)
}

fn cropped(image: &RgbImage, fraction: f64, centred: bool) -> RgbImage {
    let (w, h) = ((f64::from(image.width()) * fraction) as u32, (f64::from(image.height()) * fraction) as u32);
    let (x, y) = if centred { ((image.width() - w) / 2, (image.height() - h) / 2) } else { (0, 0) };
    imageops::crop_imm(image, x, y, w.max(1), h.max(1)).to_image()
}

const TRANSFORMS: &[Transform] = &[
    ("jpeg q30", |i| jpeg(i, 30)),
    ("jpeg q70", |i| jpeg(i, 70)),
    ("resized 1/2", |i| jpeg(&scaled(i, 0.5), 90)),
    ("resized 1/4", |i| jpeg(&scaled(i, 0.25), 90)),
    ("crop 90% centre", |i| jpeg(&cropped(i, 0.9, true), 90)),
    ("crop 80% corner", |i| jpeg(&cropped(i, 0.8, false), 90)),
    ("brighter +30", |i| jpeg(&imageops::brighten(i, 30), 90)),
    ("darker -30", |i| jpeg(&imageops::brighten(i, -30), 90)),
    ("hue +20°", |i| jpeg(&imageops::huerotate(i, 20), 90)),
    ("contrast +20", |i| jpeg(&imageops::contrast(i, 20.0), 90)),
    ("all at once", |i| jpeg(&imageops::brighten(&scaled(&cropped(i, 0.9, true), 0.5), 15), 60)),
];

struct Photo {
    name: String,
    group: String,
    labels: Vec<String>,
    embedding: Vec<f32>,
    /// One embedding per transform, in `TRANSFORMS` order.
    copies: Vec<Vec<f32>>,
}

fn embed(bytes: &[u8]) -> Vec<f32> {
    let pre = smart_tags_core::preprocess(bytes, &smart_tags_core::preprocess::Options::default())
        .unwrap_or_else(|e| panic!("preprocess: {e}"));
    let outputs =
        shared_engine().infer(std::slice::from_ref(&pre.model_input)).unwrap_or_else(|e| panic!("infer: {e}"));
    outputs.into_iter().next().map(|o| o.embedding).unwrap_or_default()
}

/// A pair's similarity and what it is.
struct Pair {
    cosine: f64,
    positive: bool,
    /// The transform, `declared group` or `same subject`.
    kind: String,
    calibration: bool,
}

fn pairs(photos: &[Photo], centre: Option<&[f32]>) -> Vec<Pair> {
    let shift = |v: &[f32]| -> Vec<f32> {
        centre.map_or_else(|| v.to_vec(), |c| v.iter().zip(c).map(|(a, b)| a - b).collect())
    };
    let mut out = Vec::new();
    for (i, a) in photos.iter().enumerate() {
        let ea = shift(&a.embedding);
        let calibration = in_calibration_half(&a.group);
        for (copy, (name, _)) in a.copies.iter().zip(TRANSFORMS) {
            out.push(Pair { cosine: cosine(&ea, &shift(copy)), positive: true, kind: (*name).to_owned(), calibration });
        }
        for b in &photos[i + 1..] {
            if in_calibration_half(&b.group) != calibration {
                continue;
            }
            let kind = if a.group == b.group {
                "declared group"
            } else if a.labels.iter().any(|l| b.labels.contains(l)) {
                "same subject"
            } else {
                continue;
            };
            out.push(Pair {
                cosine: cosine(&ea, &shift(&b.embedding)),
                positive: kind == "declared group",
                kind: kind.to_owned(),
                calibration,
            });
        }
    }
    out
}

/// The lowest threshold that flags at most `MAX_FALSE_POSITIVE_RATE` of the negative pairs: in a
/// DAM, the other photos of one subject far outnumber the copies of a photo, so the rate at
/// which a distinct picture is called a duplicate is what the threshold must bound.
fn choose(pairs: &[&Pair]) -> f64 {
    let mut negatives: Vec<f64> = pairs.iter().filter(|p| !p.positive).map(|p| p.cosine).collect();
    negatives.sort_by(|a, b| b.total_cmp(a));
    let allowed = (negatives.len() as f64 * MAX_FALSE_POSITIVE_RATE).floor() as usize;
    // Just above the highest negative that may not be flagged.
    negatives.get(allowed).map_or(0.0, |c| c + 1e-3)
}

/// Chooses the threshold on the calibration pairs and reports the held-out ones at `shipped`, or
/// at the chosen threshold.
fn report(title: &str, photos: &[Photo], centre: Option<&[f32]>, shipped: Option<f64>) -> f64 {
    let all = pairs(photos, centre);
    let calibration: Vec<&Pair> = all.iter().filter(|p| p.calibration).collect();
    let held_out: Vec<&Pair> = all.iter().filter(|p| !p.calibration).collect();
    let chosen = choose(&calibration);
    let threshold = shipped.unwrap_or(chosen);
    println!(
        "\n## {title}: threshold chosen {chosen:.3} on {} calibration pairs; held out at {threshold:.3}\n",
        calibration.len()
    );
    println!("| pairs (held out) | flagged as duplicates | cosine min / median / max |");
    println!("|---|---|---|");
    let mut kinds: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for pair in &held_out {
        kinds.entry(pair.kind.as_str()).or_default().push(pair.cosine);
    }
    for name in TRANSFORMS.iter().map(|(n, _)| *n).chain(["declared group", "same subject"]) {
        let Some(values) = kinds.get_mut(name) else { continue };
        values.sort_by(f64::total_cmp);
        let flagged = values.iter().filter(|c| **c >= threshold).count();
        println!(
            "| {name} | {} | {:.3} / {:.3} / {:.3} |",
            pct_ci(flagged, values.len()),
            values[0],
            values[values.len() / 2],
            values[values.len() - 1]
        );
    }
    let tp = held_out.iter().filter(|p| p.positive && p.cosine >= threshold).count();
    let fp = held_out.iter().filter(|p| !p.positive && p.cosine >= threshold).count();
    let positives = held_out.iter().filter(|p| p.positive).count();
    let negatives = held_out.len() - positives;
    println!(
        "\nheld out: precision {}, recall {}, same-subject pairs flagged {}",
        pct_ci(tp, tp + fp),
        pct_ci(tp, positives),
        pct_ci(fp, negatives)
    );
    chosen
}

fn main() {
    let root = cache_dir().join("fixtures");
    let mut labelled = read_labels().unwrap_or_else(|e| panic!("{e}"));
    labelled.extend(read_labels_from(&set2_dir().join("labels.csv")).unwrap_or_else(|e| panic!("{e}")));
    let mut photos = Vec::new();
    for label in &labelled {
        let path = root.join(&label.photo);
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/setup-eval-photos.sh)", path.display()));
        let image: RgbImage = load_photo(&path, LONG_SIDE).unwrap_or_else(|e| panic!("{e}"));
        let copies = TRANSFORMS.iter().map(|(_, make)| embed(&make(&image))).collect();
        photos.push(Photo {
            name: label.photo.clone(),
            group: label.group.clone(),
            labels: label.labels.iter().map(ToString::to_string).collect(),
            embedding: embed(&bytes),
            copies,
        });
    }
    let (calibration, held_out) = photos.iter().partition::<Vec<&Photo>, _>(|p| in_calibration_half(&p.group));
    println!(
        "{} photos ({} calibration, {} held out), {} copies each",
        photos.len(),
        calibration.len(),
        held_out.len(),
        TRANSFORMS.len()
    );
    let raw = report("raw embedding, cosine (shipped: DUPLICATE_COSINE)", &photos, None, Some(DUPLICATE_COSINE));
    let dims = photos[0].embedding.len();
    let mut mean = vec![0f32; dims];
    for photo in &calibration {
        for (m, v) in mean.iter_mut().zip(&photo.embedding) {
            *m += v / calibration.len() as f32;
        }
    }
    let centred = report("embedding minus the calibration mean, cosine", &photos, Some(&mean), None);
    // The closest distinct same-subject pictures, to look at by eye.
    let mut closest: Vec<(f64, &str, &str)> = Vec::new();
    for (i, a) in photos.iter().enumerate() {
        for b in &photos[i + 1..] {
            if a.group != b.group && a.labels.iter().any(|l| b.labels.contains(l)) {
                closest.push((cosine(&a.embedding, &b.embedding), &a.name, &b.name));
            }
        }
    }
    closest.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("\nclosest distinct pictures of one subject (raw cosine):");
    for (c, a, b) in closest.iter().take(8) {
        println!("  {c:.3} {a} ~ {b}");
    }
    println!("\nthresholds chosen: raw {raw:.3} (shipped {DUPLICATE_COSINE}), centred {centred:.3}");
}
