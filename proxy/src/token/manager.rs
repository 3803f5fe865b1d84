//! [`TokenManager`]: the proxy's one cached access token.
//!
//! A token is refreshed when less than 5 minutes, or less than a fifth of its lifetime (whichever
//! is shorter, so a short-lived token is not refreshed on every request), is left. Only one
//! refresh is ever in flight: requests that find the token still usable keep using it meanwhile;
//! requests without a usable token wait for that one refresh, and when it fails they all get its
//! error instead of starting their own. Before each refresh the key store's `state.json` is read,
//! and the signing key reloaded when the active certificate changed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::exchange::{self, RetryPolicy};
use super::{assertion, unix_now, TokenError};
use crate::config::auth::{AuthConfig, Grant};
use crate::keys::{ActiveKey, KeyStore};

/// Refresh when less than this is left (or a fifth of the lifetime, when shorter).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// A token this close to its expiry is not used any more.
const USABLE_MARGIN: Duration = Duration::from_secs(5);

/// A cached access token. Its `Debug` hides the value.
pub struct AccessToken {
    value: String,
    obtained: Instant,
    expires_at: Instant,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken").field("value", &"redacted").field("expires_at", &self.expires_at).finish()
    }
}

impl AccessToken {
    /// The bearer token.
    pub fn value(&self) -> &str {
        &self.value
    }

    fn lifetime(&self) -> Duration {
        self.expires_at.saturating_duration_since(self.obtained)
    }

    fn needs_refresh(&self, now: Instant) -> bool {
        let margin = REFRESH_MARGIN.min(self.lifetime() / 5);
        self.expires_at.saturating_duration_since(now) < margin
    }

    fn usable(&self, now: Instant) -> bool {
        let margin = USABLE_MARGIN.min(self.lifetime() / 10);
        self.expires_at.saturating_duration_since(now) > margin
    }
}

/// The outcome of the latest refresh, for the requests that waited on it.
struct Attempt {
    generation: u64,
    error: Option<TokenError>,
}

pub struct TokenManager {
    config: AuthConfig,
    client: reqwest::Client,
    store: KeyStore,
    retry: RetryPolicy,
    current: Mutex<Option<Arc<AccessToken>>>,
    /// Held by the one refresh in flight.
    refresh: tokio::sync::Mutex<()>,
    last: Mutex<Attempt>,
    generation: AtomicU64,
    /// The loaded signing key (JWT grant).
    signer: Mutex<Option<ActiveKey>>,
    exchanges: AtomicU64,
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenManager").field("config", &self.config).finish_non_exhaustive()
    }
}

impl TokenManager {
    /// A manager for a configured grant; `None` for grant `none`.
    pub fn new(config: &AuthConfig, timeout: Duration) -> Result<Option<TokenManager>, reqwest::Error> {
        if config.grant == Grant::None {
            return Ok(None);
        }
        let client =
            reqwest::Client::builder().timeout(timeout).connect_timeout(timeout.min(Duration::from_secs(2))).build()?;
        Ok(Some(TokenManager {
            config: config.clone(),
            client,
            store: config.key_store(),
            retry: RetryPolicy::default(),
            current: Mutex::new(None),
            refresh: tokio::sync::Mutex::new(()),
            last: Mutex::new(Attempt { generation: 0, error: None }),
            generation: AtomicU64::new(0),
            signer: Mutex::new(None),
            exchanges: AtomicU64::new(0),
        }))
    }

    /// Replaces the retry policy of the exchange.
    pub fn with_retry(mut self, retry: RetryPolicy) -> TokenManager {
        self.retry = retry;
        self
    }

    /// How many exchanges this manager started.
    pub fn exchanges(&self) -> u64 {
        self.exchanges.load(Ordering::Relaxed)
    }

    fn cached(&self) -> Option<Arc<AccessToken>> {
        self.current.lock().ok().and_then(|c| c.clone())
    }

    /// A usable access token: the cached one, or a fresh one from the single in-flight refresh.
    pub async fn token(&self) -> Result<Arc<AccessToken>, TokenError> {
        if let Some(token) = self.cached() {
            let now = Instant::now();
            if !token.needs_refresh(now) {
                metrics::counter!("smart_tags_token_requests_total", "served" => "cached").increment(1);
                return Ok(token);
            }
            if token.usable(now) {
                // Refresh early, unless another request already does: then keep using this one.
                let Ok(_guard) = self.refresh.try_lock() else {
                    metrics::counter!("smart_tags_token_requests_total", "served" => "cached").increment(1);
                    return Ok(token);
                };
                if let Some(fresh) = self.cached().filter(|t| !t.needs_refresh(Instant::now())) {
                    metrics::counter!("smart_tags_token_requests_total", "served" => "cached").increment(1);
                    return Ok(fresh);
                }
                return match self.refresh_locked().await {
                    Ok(fresh) => Ok(fresh),
                    Err(error) => {
                        tracing::warn!(%error, "early token refresh failed; the current token is still used");
                        Ok(token)
                    }
                };
            }
        }
        let seen = self.generation.load(Ordering::Acquire);
        let _guard = self.refresh.lock().await;
        if let Some(token) = self.cached().filter(|t| t.usable(Instant::now())) {
            // Another request's exchange made it while this one waited.
            metrics::counter!("smart_tags_token_requests_total", "served" => "cached").increment(1);
            return Ok(token);
        }
        if let Ok(last) = self.last.lock() {
            if last.generation > seen {
                if let Some(error) = &last.error {
                    return Err(error.clone());
                }
            }
        }
        self.refresh_locked().await
    }

    /// Drops `token` if it is still the cached one (the service refused it), so the next
    /// [`TokenManager::token`] refreshes.
    pub fn invalidate(&self, token: &Arc<AccessToken>) {
        if let Ok(mut current) = self.current.lock() {
            if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, token)) {
                *current = None;
            }
        }
    }

    /// Runs one exchange; the caller holds `self.refresh`.
    async fn refresh_locked(&self) -> Result<Arc<AccessToken>, TokenError> {
        metrics::counter!("smart_tags_token_requests_total", "served" => "exchanged").increment(1);
        let outcome = self.exchange().await;
        metrics::counter!("smart_tags_token_exchanges_total", "outcome" => if outcome.is_ok() { "ok" } else { "failed" }).increment(1);
        let generation = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        if let Ok(mut last) = self.last.lock() {
            *last = Attempt { generation, error: outcome.as_ref().err().cloned() };
        }
        let issued = outcome?;
        let now = Instant::now();
        let token =
            Arc::new(AccessToken { value: issued.access_token, obtained: now, expires_at: now + issued.expires_in });
        if let Ok(mut current) = self.current.lock() {
            *current = Some(token.clone());
        }
        tracing::info!(expires_in_s = issued.expires_in.as_secs(), "access token refreshed");
        Ok(token)
    }

    async fn exchange(&self) -> Result<exchange::Issued, TokenError> {
        self.exchanges.fetch_add(1, Ordering::Relaxed);
        let jwt = match self.config.grant {
            Grant::Jwt => Some(self.sign()?),
            _ => None,
        };
        exchange::request(&self.client, &self.config, jwt.as_deref(), self.retry).await
    }

    /// Signs a JWT with the active key, reloading it when `state.json` names another one.
    fn sign(&self) -> Result<String, TokenError> {
        let payload =
            self.config.jwt_payload.as_ref().ok_or_else(|| TokenError::Configuration("no jwt payload".to_owned()))?;
        let active = self.store.state().map_err(|e| TokenError::Key(e.to_string()))?.active;
        let mut signer =
            self.signer.lock().map_err(|_| TokenError::Key("the signing key lock is poisoned".to_owned()))?;
        let loaded = signer.as_ref().map(|k| k.id.clone());
        if active.is_none() || loaded != active {
            let key = self.store.active().map_err(|e| TokenError::Key(e.to_string()))?;
            if loaded.is_some() {
                tracing::info!(kid = %key.id, "the active certificate changed: signing with the new key");
            }
            *signer = Some(key);
        }
        let key = signer.as_ref().ok_or_else(|| TokenError::Key("no signing key".to_owned()))?;
        assertion::sign(payload, key, unix_now())
    }
}
