//! Access tokens for the tagging service: one cached token, refreshed before it runs out by a
//! single in-flight exchange, with the signing key reloaded when `cert activate` changed it.
//!
//! # Layout
//! - [`manager`]: [`TokenManager`], the cache and the single flight.
//! - [`assertion`]: the JWT the proxy signs (payload claims + `exp`, `iat`, `jti`, `kid`).
//! - [`exchange`]: the POST to `/ims/exchange/jwt` or `/ims/token/v3`, retried with backoff.
//! - [`error`]: [`TokenError`], with the authorization server's own error code.
//! - [`registration`]: whether the authorization server accepts a certificate, before it is activated.

pub mod assertion;
pub mod console;
pub mod error;
pub mod exchange;
pub mod manager;
pub mod registration;

pub use error::TokenError;
pub use exchange::{Issued, RetryPolicy};
pub use manager::{AccessToken, TokenManager};

/// Unix time now, in seconds.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}
