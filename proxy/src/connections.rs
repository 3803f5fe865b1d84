//! Accepting and serving browser connections with bounds a slow or idle client cannot break
//! (nginx's `client_header_timeout`, `keepalive_timeout`, `client_body_timeout` and
//! `worker_connections`):
//! - a connection has [`ConnectionLimits::header_timeout`] to send each request's header — from
//!   when it opens, and again after each answer while it idles between requests —, then it is
//!   closed (hyper's `header_read_timeout`);
//! - a request body may pause at most [`ConnectionLimits::body_timeout`] between two chunks; a
//!   stalled upload is answered 400 (tower-http's `RequestBodyTimeoutLayer`);
//! - at most [`ConnectionLimits::max_connections`] are open at once (by default 8,192 or half the
//!   open-file limit, whichever is lower); beyond it a new connection is closed at once, so the
//!   proxy does not run out of file descriptors and is reachable again as soon as the idle ones
//!   time out.
//!
//! `axum::serve` offers none of these (its hyper builder has no timer), so this is its accept
//! loop with them: hyper's HTTP/1 connection builder, hyper-util's graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// How long a client may take and how many may be connected at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Longest wait for a request's whole header, on a new connection and between requests on a
    /// kept-alive one (30 s by default).
    pub header_timeout: Duration,
    /// Longest pause between two chunks of a request body (60 s by default).
    pub body_timeout: Duration,
    /// Most connections open at once (8,192 by default; keep it below the open-file limit).
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(60),
            max_connections: default_max_connections(),
        }
    }
}

/// Most connections by default: 8,192, or half the process's open-file limit when that is lower
/// (the other half for the service, the key store, the spool and the pages' files).
pub fn default_max_connections() -> usize {
    open_file_limit().map_or(8192, |limit| (limit / 2).clamp(1, 8192))
}

/// The soft open-file limit (`Max open files` of `/proc/self/limits`), where it can be read.
pub fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files").split_whitespace().next()?.parse().ok()
}

impl ConnectionLimits {
    /// Every problem with the limits.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.header_timeout.is_zero() {
            problems.push("the header timeout must be more than 0 ms".to_owned());
        }
        if self.body_timeout.is_zero() {
            problems.push("the body timeout must be more than 0 ms".to_owned());
        }
        if self.max_connections == 0 || self.max_connections > Semaphore::MAX_PERMITS {
            problems.push(format!(
                "max connections must be 1 to {}, not {}",
                Semaphore::MAX_PERMITS,
                self.max_connections
            ));
        }
        problems
    }
}

/// Longest wait, at shutdown, for the requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then waits for the
/// requests in flight (at most 30 s). Handlers see the caller's address as
/// `ConnectInfo<SocketAddr>`. Not covered: a client that reads its answer slowly (no write
/// timeout), or sends its body one byte per pause just under the body timeout.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app.layer(RequestBodyTimeoutLayer::new(limits.body_timeout));
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut full = false;
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors or a connection reset before it was accepted: go on
                    // after a pause rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            if !std::mem::replace(&mut full, true) {
                tracing::warn!(
                    max_connections = limits.max_connections,
                    "too many open connections: new ones are closed until some end"
                );
            }
            drop(stream);
            continue;
        };
        full = false;
        let service = app.clone().map_request(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            request.map(Body::new)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %remote, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("connections still open {} s after shutdown began: closing them", SHUTDOWN_GRACE.as_secs());
    }
    Ok(())
}
