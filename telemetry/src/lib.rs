//! Telemetry of the proxy and the service, written once for both.
//!
//! - [`metrics`](mod@metrics): the process's Prometheus recorder ([`install`]) and the answer of
//!   `GET /metrics` ([`exposition`]).
//! - [`requests`]: the middleware every request passes ([`track_requests`]): its request id
//!   (the caller's `x-request-id` when it is a sane one, else a new one; answered in
//!   `x-request-id`, passed on to the service by the proxy, readable anywhere in the request's
//!   task with [`request_id`]), its metrics (`http_requests_total`,
//!   `http_request_duration_seconds`) and one access log line.
//! - [`logging`]: the log subscriber of both servers ([`init_logging`]): text, colours only on a
//!   terminal, or JSON lines with `SMART_TAGS_LOG_FORMAT=json`.
//!
//! Each server records its own figures (inference time, token exchanges, queue depth…) with the
//! `metrics` macros where they happen; README.md lists them.

pub mod logging;
pub mod metrics;
pub mod requests;

pub use logging::init_logging;
pub use metrics::{exposition, install, LATENCY_BUCKETS};
pub use requests::{request_id, track_requests, Server, REQUEST_ID_HEADER};
