//! Check Health: every link of the credential chain, in order, each ok, warning or failed with an
//! exact reason; the steps after a failed one are skipped. `smart-tags-proxy health` prints it and
//! `GET /api/v1/admin/health` answers it as JSON.
//!
//! # Layout
//! - [`report`]: [`Report`], [`Step`], [`Status`].
//! - [`steps`]: the checks themselves.
//! - [`sample`]: the built-in image the prediction step sends.

pub mod report;
pub mod sample;
pub mod steps;

use std::time::Duration;

pub use report::{Report, Status, Step};

use crate::config::auth::AuthConfig;
use crate::token::RetryPolicy;

/// What Check Health looks at.
#[derive(Debug, Clone)]
pub struct HealthInput {
    pub auth: AuthConfig,
    /// The problems found while reading the configuration (named settings).
    pub problems: Vec<String>,
    pub service_url: String,
    /// A certificate expiring within this many days is a warning.
    pub warn_days: i64,
    /// Longest wait for each request.
    pub timeout: Duration,
    pub retry: RetryPolicy,
}

/// Runs every step.
pub async fn check(input: &HealthInput) -> Report {
    steps::run(input).await
}
