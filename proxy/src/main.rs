//! Run with `cargo run --release -p smart_tags_proxy -- --help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Context};
use clap::Parser;
use smart_tags_proxy::config::Config;
use tracing_subscriber::EnvFilter;

/// The Smart Tags proxy: serves the upload page and forwards tag requests to the tagging service.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Address the browser connects to.
    #[arg(
        long,
        env = "SMART_TAGS_PROXY_LISTEN",
        default_value = "127.0.0.1:8080"
    )]
    listen: SocketAddr,
    /// Base URL of the tagging service.
    #[arg(
        long,
        env = "SMART_TAGS_SERVICE_URL",
        default_value = "http://127.0.0.1:7701"
    )]
    service_url: String,
    /// Folder served to the browser.
    #[arg(long, env = "SMART_TAGS_WWW_DIR", default_value = "www")]
    www_dir: PathBuf,
    /// Longest wait for the tagging service, in milliseconds.
    #[arg(long, env = "SMART_TAGS_SERVICE_TIMEOUT_MS", default_value_t = 10_000)]
    service_timeout_ms: u64,
    /// File holding the admin token that opens /api/v1/admin/... (off when unset). A file, so the
    /// secret never appears in a process list.
    #[arg(long, env = "SMART_TAGS_ADMIN_TOKEN_FILE")]
    admin_token_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let cli = Cli::parse();
    let admin_token = match &cli.admin_token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the admin token file {}", path.display()))?
                .trim()
                .to_owned(),
        ),
        None => None,
    };
    let config = Config {
        admin_token,
        listen: cli.listen,
        service_url: cli.service_url,
        www_dir: cli.www_dir,
        service_timeout: Duration::from_millis(cli.service_timeout_ms),
    };
    config
        .validate()
        .map_err(|problems| anyhow!("invalid configuration:\n  {}", problems.join("\n  ")))?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!(url = %format!("http://{}/", listener.local_addr()?), "proxy ready: open the upload page");
    smart_tags_proxy::run(listener, &config, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
