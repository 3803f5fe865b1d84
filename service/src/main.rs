//! Run with `cargo run --release -p smart_tags_service -- --help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Parser;
use smart_tags_service::engine::{Engine, EngineConfig};
use smart_tags_service::linker::relink;
use smart_tags_service::routes::taxonomy::{parse_taxonomy, TaxonomyFormat};
use smart_tags_service::store::{ImportMode, ImportSummary, Store};
use smart_tags_service::tagger::{Tagger, TaggerConfig};
use smart_tags_service::text_engine::TextEngineConfig;
use smart_tags_service::training::import::{import, Upload, UploadedFile};
use smart_tags_service::AppState;
use tracing_subscriber::EnvFilter;

/// The Smart Tags tagging service.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Address to listen on. Must be a loopback address until service credentials exist.
    #[arg(long, env = "SMART_TAGS_SERVICE_LISTEN", default_value = "127.0.0.1:7701")]
    listen: SocketAddr,
    /// Folder with model.onnx, imagenet_synsets.txt and imagenet_labels.txt.
    #[arg(long, env = "SMART_TAGS_MODEL_DIR")]
    model_dir: PathBuf,
    /// Path of libonnxruntime.so (scripts/setup.sh installs one).
    #[arg(long, env = "ORT_DYLIB_PATH")]
    ort_lib: PathBuf,
    /// Folder of the service's data: the SQLite database `smart-tags.sqlite3` (taxonomy, concept
    /// links, assets, settings). Created when missing; relative to the working directory.
    #[arg(long, env = "SMART_TAGS_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Folder with WordNet's data.noun and noun.exc (default: `wordnet` beside the model folder).
    #[arg(long, env = "SMART_TAGS_WORDNET_DIR")]
    wordnet_dir: Option<PathBuf>,
    /// Folder with the MiniLM text model (default: `minilm-l6-v2` beside the model folder).
    #[arg(long, env = "SMART_TAGS_TEXT_MODEL_DIR")]
    text_model_dir: Option<PathBuf>,
    /// A taxonomy file (`.ttl` SKOS, `.csv` or `.json`) imported at start-up when the store has no
    /// taxonomy yet (e.g. `taxonomies/demo.ttl`).
    #[arg(long, env = "SMART_TAGS_SEED_TAXONOMY")]
    seed_taxonomy: Option<PathBuf>,
    /// Threads per inference (default: all cores).
    #[arg(long, env = "SMART_TAGS_THREADS")]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Imports training examples from a folder (one sub-folder per tag, or files plus
    /// manifest.csv / manifest.json at its root) into the store of --data-dir, prints the report
    /// as JSON and exits. Safe while the service runs on the same data directory.
    ImportExamples {
        /// The folder to import.
        folder: PathBuf,
        /// Import nothing when any file is refused.
        #[arg(long)]
        strict: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into())).init();
    let cli = Cli::parse();
    if !cli.listen.ip().is_loopback() {
        bail!("refusing to listen on {}: the service has no client authentication yet, so it listens on loopback only", cli.listen);
    }
    let threads = cli.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let store = smart_tags_service::open_store(&cli.data_dir).with_context(|| format!("cannot open the store in {}", cli.data_dir.display()))?;
    let sibling = |name: &str| cli.model_dir.parent().map_or_else(|| PathBuf::from(name), |p| p.join(name));
    let tagger_config = TaggerConfig {
        wordnet_dir: cli.wordnet_dir.clone().unwrap_or_else(|| sibling("wordnet")),
        text: TextEngineConfig {
            model_dir: cli.text_model_dir.clone().unwrap_or_else(|| sibling("minilm-l6-v2")),
            runtime_library: cli.ort_lib.clone(),
            threads,
        },
    };
    let engine = Engine::load(&EngineConfig { model_dir: cli.model_dir, runtime_library: cli.ort_lib, threads })?;
    if let Some(Command::ImportExamples { folder, strict }) = &cli.command {
        let upload = read_folder(folder)?;
        let taxonomy = store.taxonomy()?;
        let report = import(&store, &engine, &taxonomy, &upload, *strict)?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let interrupted = store.fail_interrupted_jobs()?;
    if interrupted > 0 {
        tracing::warn!(jobs = interrupted, "marked training jobs interrupted by the last stop as failed");
    }
    let class_wnids: Vec<String> = (0..smart_tags_service::engine::CLASSES).map(|i| engine.labels().wnid(i).to_owned()).collect();
    let tagger = Arc::new(Tagger::load(&tagger_config, &class_wnids)?);
    if let Some(seed) = &cli.seed_taxonomy {
        if store.taxonomy_version()? == 0 {
            let summary = seed_taxonomy(&store, seed)?;
            tracing::info!(file = %seed.display(), tags = summary.added, "imported the seed taxonomy");
        }
    }
    if !store.taxonomy()?.is_empty() {
        let summary = relink(&store, &tagger)?;
        tracing::info!(?summary, "linked the taxonomy to concepts");
    } else {
        // Warm the concept embeddings so the first import links quickly.
        let warm = Arc::clone(&tagger);
        std::thread::spawn(move || {
            if let Err(e) = warm.warm_up() {
                tracing::warn!(error = %e, "cannot embed the concepts");
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(cli.listen).await.with_context(|| format!("cannot listen on {}", cli.listen))?;
    tracing::info!(address = %listener.local_addr()?, model = engine.version(), data_dir = %cli.data_dir.display(), "tagging service ready");
    let state = AppState::with_tagger(Arc::new(engine), Arc::new(store), tagger);
    smart_tags_service::run(listener, Arc::new(state), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Reads every file below `folder` (hidden ones aside) as an upload; `manifest.csv` or
/// `manifest.json` at its root is the manifest.
fn read_folder(folder: &std::path::Path) -> anyhow::Result<Upload> {
    let mut upload = Upload::default();
    let mut stack = vec![folder.to_owned()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).with_context(|| format!("cannot read the folder {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            let relative = path.strip_prefix(folder)?.to_string_lossy().replace('\\', "/");
            if relative.split('/').any(|part| part.starts_with('.')) {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let file = UploadedFile { path: relative, bytes };
            if matches!(file.path.as_str(), "manifest.csv" | "manifest.json") {
                upload.manifest = Some(file);
            } else {
                upload.files.push(file);
            }
        }
    }
    upload.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(upload)
}

/// Imports a taxonomy file, its format chosen by extension.
fn seed_taxonomy(store: &Store, path: &std::path::Path) -> anyhow::Result<ImportSummary> {
    let format = match path.extension().and_then(|e| e.to_str()) {
        Some("ttl") => TaxonomyFormat::Skos,
        Some("csv") => TaxonomyFormat::Csv,
        Some("json") => TaxonomyFormat::Json,
        _ => bail!("the seed taxonomy {} must end in .ttl (SKOS), .csv or .json", path.display()),
    };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the seed taxonomy {}", path.display()))?;
    let taxonomy = parse_taxonomy(format, &text).map_err(|report| {
        let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the seed taxonomy {} is invalid:\n  {}", path.display(), problems.join("\n  "))
    })?;
    Ok(store.import_taxonomy(&taxonomy, ImportMode::Replace, "system:seed")?)
}
