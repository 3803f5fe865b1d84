//! Run with `cargo run --release -p smart_tags_service -- --help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Parser;
use smart_tags_service::engine::{Engine, EngineConfig};
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
    /// Threads per inference (default: all cores).
    #[arg(long, env = "SMART_TAGS_THREADS")]
    threads: Option<usize>,
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
    let engine = Engine::load(&EngineConfig { model_dir: cli.model_dir, runtime_library: cli.ort_lib, threads })?;
    let listener = tokio::net::TcpListener::bind(cli.listen).await.with_context(|| format!("cannot listen on {}", cli.listen))?;
    tracing::info!(address = %listener.local_addr()?, model = engine.version(), data_dir = %cli.data_dir.display(), "tagging service ready");
    let state = AppState::with_store(Arc::new(engine), Arc::new(store));
    smart_tags_service::run(listener, Arc::new(state), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
