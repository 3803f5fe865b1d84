//! Helpers shared by the cross-crate tests: where the fixtures, the model and the runtime live
//! (all installed and cached by `scripts/setup.sh`), and small maths.

pub mod backend;
pub mod in_process;
pub mod labels;
pub mod processes;
pub mod service_api;
pub mod training_set;
pub mod views;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use smart_tags_service::detectors::{Detectors, DetectorsConfig, TextReader};
use smart_tags_service::engine::{Engine, EngineConfig};
use smart_tags_service::text_engine::{TextEngine, TextEngineConfig};

/// The cache that `scripts/setup.sh` fills: `$SMART_TAGS_CACHE` or `~/.cache/smart-tags`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SMART_TAGS_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cache/smart-tags")
}

fn must_exist(path: PathBuf) -> PathBuf {
    assert!(path.exists(), "{} is missing: run `bash scripts/setup.sh` first", path.display());
    path
}

pub fn model_dir() -> PathBuf {
    must_exist(
        std::env::var_os("SMART_TAGS_MODEL_DIR")
            .map_or_else(|| cache_dir().join("models/efficientnet-lite0"), PathBuf::from),
    )
}

/// The MiniLM text model: `$SMART_TAGS_TEXT_MODEL_DIR` or `$CACHE/models/minilm-l6-v2`.
pub fn text_model_dir() -> PathBuf {
    must_exist(
        std::env::var_os("SMART_TAGS_TEXT_MODEL_DIR")
            .map_or_else(|| cache_dir().join("models/minilm-l6-v2"), PathBuf::from),
    )
}

pub fn ort_library() -> PathBuf {
    must_exist(
        std::env::var_os("ORT_DYLIB_PATH")
            .map_or_else(|| cache_dir().join("onnxruntime/libonnxruntime.so"), PathBuf::from),
    )
}

/// WordNet's noun files (`data.noun`, `noun.exc`, `LICENSE`), installed by `scripts/setup-wordnet.sh`.
pub fn wordnet_dir() -> PathBuf {
    must_exist(cache_dir().join("models/wordnet"))
}

/// A photo fetched by `scripts/setup-fixtures.sh`, e.g. `fixture("skimage/coffee.png")`.
pub fn fixture(relative: &str) -> PathBuf {
    must_exist(cache_dir().join("fixtures").join(relative))
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The reference outputs committed in `tests/fixtures/reference/`.
pub fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/reference")
}

/// A little-endian f32 file from the reference folder, e.g. `reference_f32("coffee.png.emb.f32")`.
pub fn reference_f32(name: &str) -> Vec<f32> {
    read(&reference_dir().join(name)).chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

pub fn reference_labels() -> Vec<String> {
    String::from_utf8(read(&reference_dir().join("imagenet_labels.txt")))
        .expect("labels are utf-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The five photos with reference outputs, and the file each was made from.
pub const REFERENCE_PHOTOS: [&str; 5] =
    ["chelsea.png", "coffee.png", "astronaut.png", "rocket.jpg", "motorcycle_left.png"];

/// One engine per test binary: loading the model is the slow part.
pub fn shared_engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    Arc::clone(ENGINE.get_or_init(|| {
        Arc::new(
            Engine::load(&EngineConfig { model_dir: model_dir(), runtime_library: ort_library(), threads: 2 })
                .unwrap_or_else(|e| panic!("{e}")),
        )
    }))
}

/// The face and person detectors (`$CACHE/models/`, installed by `scripts/setup-detectors.sh`),
/// once per test binary, 2 threads.
pub fn shared_detectors() -> Arc<Detectors> {
    static DETECTORS: OnceLock<Arc<Detectors>> = OnceLock::new();
    Arc::clone(DETECTORS.get_or_init(|| {
        let config = DetectorsConfig {
            models_dir: must_exist(cache_dir().join("models")),
            runtime_library: ort_library(),
            threads: 2,
        };
        Arc::new(Detectors::load(&config).unwrap_or_else(|e| panic!("{e} (run bash scripts/setup.sh)")))
    }))
}

/// The text detector and recogniser (`$CACHE/models/ppocr-v4/`), once per test binary, 2 threads.
pub fn shared_text_reader() -> Arc<TextReader> {
    static READER: OnceLock<Arc<TextReader>> = OnceLock::new();
    Arc::clone(READER.get_or_init(|| {
        let config = DetectorsConfig {
            models_dir: must_exist(cache_dir().join("models")),
            runtime_library: ort_library(),
            threads: 2,
        };
        Arc::new(TextReader::load(&config).unwrap_or_else(|e| panic!("{e} (run bash scripts/setup.sh)")))
    }))
}

/// The built-in scene model (`$CACHE/models/scenes/scene-model.stm`, trained by
/// `scripts/setup-scenes.sh`), once per test binary.
pub fn shared_scenes() -> Arc<smart_tags_service::scenes::SceneModel> {
    static SCENES: OnceLock<Arc<smart_tags_service::scenes::SceneModel>> = OnceLock::new();
    Arc::clone(SCENES.get_or_init(|| {
        let file = must_exist(cache_dir().join("models").join(smart_tags_service::scenes::SCENE_MODEL_FILE));
        Arc::new(
            smart_tags_service::scenes::SceneModel::load(&file, shared_engine().version())
                .unwrap_or_else(|e| panic!("{e} (run bash scripts/setup.sh)")),
        )
    }))
}

/// One text engine per test binary (2 threads).
pub fn shared_text_engine() -> Arc<TextEngine> {
    static ENGINE: OnceLock<Arc<TextEngine>> = OnceLock::new();
    Arc::clone(ENGINE.get_or_init(|| {
        Arc::new(
            TextEngine::load(&TextEngineConfig {
                model_dir: text_model_dir(),
                runtime_library: ort_library(),
                threads: 2,
            })
            .unwrap_or_else(|e| panic!("{e}")),
        )
    }))
}

/// The fixtures committed in `tests/fixtures/minilm/` (see `scripts/model/make_minilm_fixtures.py`).
pub fn minilm_fixture(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/minilm").join(name);
    serde_json::from_slice(&read(&path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE.get_or_init(shared_engine)
}

pub fn cosine(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    let dot: f64 = a.iter().zip(b).map(|(x, y)| f64::from(*x) * f64::from(*y)).sum();
    let na: f64 = a.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    dot / (na * nb)
}

pub fn argmax(values: &[f32]) -> usize {
    values.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i)
}

pub fn mean_abs_diff(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| f64::from((x - y).abs())).sum::<f64>() / a.len() as f64
}

/// One smart-tag engine (WordNet hierarchy + text model) per test binary.
pub fn shared_tagger() -> Arc<smart_tags_service::tagger::Tagger> {
    use smart_tags_service::tagger::{Tagger, TaggerConfig};
    use smart_tags_service::text_engine::TextEngineConfig;
    static TAGGER: OnceLock<Arc<Tagger>> = OnceLock::new();
    Arc::clone(TAGGER.get_or_init(|| {
        let engine = shared_engine();
        let wnids: Vec<String> =
            (0..smart_tags_service::engine::CLASSES).map(|i| engine.labels().wnid(i).to_owned()).collect();
        let config = TaggerConfig {
            wordnet_dir: wordnet_dir(),
            text: TextEngineConfig { model_dir: text_model_dir(), runtime_library: ort_library(), threads: 2 },
            generic_allow: Vec::new(),
            generic_deny: Vec::new(),
        };
        Arc::new(Tagger::load(&config, &wnids).unwrap_or_else(|e| panic!("{e}")))
    }))
}

/// The demo taxonomy files in `taxonomies/`.
pub fn demo_taxonomy(file: &str) -> Vec<u8> {
    read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../taxonomies").join(file))
}

/// What the browser sends for one photo: the model input, the colours and the content hash.
pub struct Prepared {
    pub model_input: Vec<u8>,
    pub colors: Vec<smart_tags_core::color::ColorTag>,
    pub content_hash: String,
    /// The 512-px JPEG thumbnail the detectors look at.
    pub thumbnail: Vec<u8>,
}

/// Preprocesses a fixture photo with core, as the browser's worker does.
pub fn prepare(relative: &str) -> Prepared {
    prepare_bytes(&read(&fixture(relative))).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Preprocesses an image file's bytes with core, as the browser's worker does.
pub fn prepare_bytes(bytes: &[u8]) -> Result<Prepared, smart_tags_core::PreprocessError> {
    let pre = smart_tags_core::preprocess(bytes, &smart_tags_core::preprocess::Options::default())?;
    Ok(Prepared {
        model_input: pre.model_input.into_bytes(),
        colors: pre.colors,
        content_hash: sha256_hex(bytes),
        thumbnail: pre.thumbnail.jpeg,
    })
}

/// SHA-256 of `bytes` as lowercase hex (what the browser computes with crypto.subtle).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The service's mapping of the demo taxonomy, as `eval_taxonomy` and `eval_training` use it: a
/// SQLite store in `data_dir`, `taxonomies/demo.ttl` imported, `linker::relink` (lemma + MiniLM
/// similarity links), and the taxonomy with its active links as `MappingCache` serves them.
pub fn demo_mapping(
    data_dir: &Path,
    tagger: &smart_tags_service::tagger::Tagger,
) -> Result<
    (smart_tags_service::linker::LinkSummary, Arc<smart_tags_service::mapping_cache::Mapping>),
    Box<dyn std::error::Error>,
> {
    let ttl = String::from_utf8(demo_taxonomy("demo.ttl"))?;
    mapping_of(data_dir, tagger, smart_tags_service::routes::taxonomy::TaxonomyFormat::Skos, &ttl)
}

/// A store in `data_dir` holding the taxonomy `text` (in `format`), linked by the service's
/// linker, and its mapping as the service serves it.
pub fn mapping_of(
    data_dir: &Path,
    tagger: &smart_tags_service::tagger::Tagger,
    format: smart_tags_service::routes::taxonomy::TaxonomyFormat,
    text: &str,
) -> Result<
    (smart_tags_service::linker::LinkSummary, Arc<smart_tags_service::mapping_cache::Mapping>),
    Box<dyn std::error::Error>,
> {
    use smart_tags_service::routes::taxonomy::parse_taxonomy;
    let store = smart_tags_service::open_store(data_dir)?;
    let taxonomy = parse_taxonomy(format, text).map_err(|report| format!("taxonomy: {report:?}"))?;
    store.import_taxonomy(&taxonomy, smart_tags_service::store::ImportMode::Replace, "eval")?;
    let summary = smart_tags_service::linker::relink(&store, tagger)?;
    let mapping = smart_tags_service::mapping_cache::MappingCache::default().get(&store)?;
    Ok((summary, mapping))
}

/// The 1, 5 and 15 minute load averages (`/proc/loadavg`), for timings taken on a shared machine.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

/// exiftool's record of `path`: `exiftool -j <args> <path>`, the first (only) object.
pub fn exiftool(args: &[&str], path: &Path) -> serde_json::Value {
    let output = std::process::Command::new("exiftool")
        .arg("-j")
        .args(args)
        .arg(path)
        .output()
        .expect("exiftool runs (scripts/setup.sh installs libimage-exiftool-perl)");
    assert!(output.status.success(), "exiftool failed: {}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("exiftool -j answers JSON");
    json[0].clone()
}

/// A field of an exiftool record as a list (exiftool writes a single value without the list).
pub fn exiftool_list(record: &serde_json::Value, field: &str) -> Vec<String> {
    use serde_json::Value;
    match &record[field] {
        Value::Array(items) => {
            items.iter().map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())).collect()
        }
        Value::String(one) => vec![one.clone()],
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

/// A zip of example files with a `manifest.csv` (`file,tags`: name in the zip, tag ids separated by
/// `|`), as `POST /v1/training/examples/import` takes it.
pub fn manifest_zip(files: &[(String, Vec<u8>, String)]) -> Vec<u8> {
    use std::io::Write;
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    let options = zip::write::SimpleFileOptions::default();
    let mut manifest = String::from("file,tags\n");
    for (name, bytes, tags) in files {
        writer.start_file(name.as_str(), options).expect("a zip entry");
        writer.write_all(bytes).expect("zip bytes");
        manifest.push_str(&format!("{name},{tags}\n"));
    }
    writer.start_file("manifest.csv", options).expect("a zip entry");
    writer.write_all(manifest.as_bytes()).expect("zip bytes");
    writer.finish().expect("a finished zip");
    buffer.into_inner()
}
