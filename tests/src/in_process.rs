//! The real service and the real proxy in this test process, each on a loopback port: for
//! tests that need both servers over HTTP but no separate processes.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use smart_tags_proxy::config::Config;
use tokio::net::TcpListener;

/// Starts the tagging service (shared engine, in-memory store, open mode); its address.
pub async fn start_service() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    let state = Arc::new(smart_tags_service::AppState::new(crate::shared_engine()));
    tokio::spawn(smart_tags_service::run(listener, state, std::future::pending()));
    addr
}

/// A proxy configuration in front of `service` with the defaults (10 s service timeout, no
/// admin token, open browser access), to adjust before [`start_proxy`].
pub fn proxy_config(service: SocketAddr) -> Config {
    Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        service_url: format!("http://{service}"),
        www_dir: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../www")),
        service_timeout: Duration::from_secs(10),
        connections: Default::default(),
        admin_token: None,
        browser: Default::default(),
    }
}

/// Starts the proxy on a free loopback port (`config.listen` is replaced); its base URL.
pub async fn start_proxy(mut config: Config) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    config.listen = listener.local_addr().expect("its address");
    config.validate().expect("a valid proxy configuration");
    let url = format!("http://{}", config.listen);
    tokio::spawn(async move { smart_tags_proxy::run(listener, &config, std::future::pending()).await });
    url
}
