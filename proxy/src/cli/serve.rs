//! No subcommand: serve the browser. Every configuration problem is reported at once.

use anyhow::{anyhow, Context};
use smart_tags_proxy::config::auth::Grant;

use super::settings::Settings;

pub(crate) async fn run(settings: Settings) -> anyhow::Result<()> {
    smart_tags_telemetry::init_logging().map_err(|e| anyhow!(e))?;
    let backend = settings.backend();
    let (config, auth, mut problems) = settings.resolve().map_err(|e| anyhow!("invalid configuration:\n  {e}"))?;
    if let Err(more) = config.validate() {
        problems.extend(more);
    }
    if auth.grant == Grant::Jwt {
        if let Err(e) = auth.key_store().active() {
            problems.push(e.to_string());
        }
    }
    let backend = backend.unwrap_or_else(|more| {
        problems.extend(more);
        None
    });
    if !problems.is_empty() {
        return Err(anyhow!("invalid configuration:\n  {}", problems.join("\n  ")));
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    tracing::info!(grant = auth.grant.as_str(), "credentials configured");
    tracing::info!(url = %format!("http://{}/", listener.local_addr()?), "proxy ready: open the upload page");
    let mut state = smart_tags_proxy::AppState::with_auth(&config, &auth)?;
    if let Some(backend) = backend {
        let backend = smart_tags_proxy::backend::Backend::open(backend, state.upstream.clone())?;
        backend.start();
        tracing::info!("back-end api on: /api/v1/backend/...");
        state.backend = Some(backend);
    }
    smart_tags_proxy::run_with_state(listener, &config, std::sync::Arc::new(state), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
