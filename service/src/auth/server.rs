//! [`AuthServer`]: what the token endpoints, the console and the token check share.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use super::clock::{Clock, SystemClock};
use super::token_keys::{Rotation, TokenKeys};
use crate::store::{Store, StoreError, TokenKey};

/// The longest lifetime of a proxy's JWT: `exp` more than this ahead is refused.
pub const MAX_JWT_LIFETIME_SECONDS: i64 = 24 * 3_600;
/// Default clock skew tolerated on a JWT's `exp`, `iat` and `nbf`.
pub const DEFAULT_LEEWAY_SECONDS: i64 = 60;
/// Default lifetime of an access token.
pub const DEFAULT_ACCESS_TOKEN_SECONDS: i64 = 3_600;
/// Default time a rotated-out client secret keeps working.
pub const DEFAULT_SECRET_OVERLAP_SECONDS: i64 = 24 * 3_600;
/// Shortest admin token accepted.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 16;

/// The authorization server's settings.
#[derive(Clone)]
pub struct AuthConfig {
    /// The public URL of the authorization server (`--public-url`), without a trailing slash:
    /// the `iss` of access tokens and the prefix of the JWT `aud` and metascopes.
    pub issuer: String,
    /// Clock skew tolerated on a JWT's `exp`, `iat` and `nbf`, in seconds (0 to 3600).
    pub leeway_seconds: i64,
    /// Lifetime of an access token, in seconds (5 to 86400; short lives are for tests and demos of
    /// token refresh, an hour is the default).
    pub access_token_seconds: i64,
    /// The console's bearer token; `None`: the console is off.
    pub admin_token: Option<String>,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("issuer", &self.issuer)
            .field("leeway_seconds", &self.leeway_seconds)
            .field("access_token_seconds", &self.access_token_seconds)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "(set)"))
            .finish()
    }
}

impl AuthConfig {
    /// The defaults for an issuer: 60 s leeway, 1 h tokens, no console.
    pub fn new(issuer: &str) -> AuthConfig {
        AuthConfig {
            issuer: issuer.trim_end_matches('/').to_owned(),
            leeway_seconds: DEFAULT_LEEWAY_SECONDS,
            access_token_seconds: DEFAULT_ACCESS_TOKEN_SECONDS,
            admin_token: None,
        }
    }

    /// Checks every value.
    pub fn validate(&self) -> Result<(), AuthConfigError> {
        let rest = self.issuer.strip_prefix("https://").or_else(|| self.issuer.strip_prefix("http://"));
        if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace) || r.contains(['?', '#']))
            || self.issuer.ends_with('/')
        {
            return Err(AuthConfigError::Issuer(self.issuer.clone()));
        }
        if !(0..=3_600).contains(&self.leeway_seconds) {
            return Err(AuthConfigError::Leeway(self.leeway_seconds));
        }
        if !(5..=MAX_JWT_LIFETIME_SECONDS).contains(&self.access_token_seconds) {
            return Err(AuthConfigError::TokenLifetime(self.access_token_seconds));
        }
        if self.admin_token.as_ref().is_some_and(|t| {
            t.chars().count() < MIN_ADMIN_TOKEN_CHARS || t.chars().any(|c| c.is_whitespace() || c.is_control())
        }) {
            return Err(AuthConfigError::AdminToken);
        }
        Ok(())
    }
}

/// A bad [`AuthConfig`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthConfigError {
    #[error("the public url {0:?} must be an http:// or https:// url without a trailing slash, query or fragment")]
    Issuer(String),
    #[error("the jwt leeway must be 0 to 3600 seconds, not {0}")]
    Leeway(i64),
    #[error("the access token lifetime must be 5 to 86400 seconds, not {0}")]
    TokenLifetime(i64),
    #[error("the admin token must be at least {MIN_ADMIN_TOKEN_CHARS} characters without spaces")]
    AdminToken,
}

/// The authorization server: its settings, its store, its clock, the access-token keys.
#[derive(Debug)]
pub struct AuthServer {
    pub(crate) store: Arc<Store>,
    pub(crate) config: AuthConfig,
    clock: Arc<dyn Clock>,
    /// Where the access-token keys are (a file beside the database).
    key_file: TokenKeys,
    /// The access-token keys as last read, newest first, with the key file's modification time
    /// then.
    keys: RwLock<(Option<SystemTime>, Vec<TokenKey>)>,
}

impl AuthServer {
    /// A server on `store` with the system clock.
    pub fn new(store: Arc<Store>, config: AuthConfig) -> Result<AuthServer, AuthConfigError> {
        AuthServer::with_clock(store, config, Arc::new(SystemClock))
    }

    /// A server with the given clock (tests move time with [`super::ManualClock`]).
    pub fn with_clock(
        store: Arc<Store>,
        config: AuthConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<AuthServer, AuthConfigError> {
        config.validate()?;
        let key_file = TokenKeys::beside(&store);
        Ok(AuthServer { store, config, clock, key_file, keys: RwLock::default() })
    }

    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The current time, unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The `aud` of this integration's JWTs: `<issuer>/c/<client id>`.
    pub fn audience(&self, client_id: &str) -> String {
        format!("{}/c/{client_id}", self.config.issuer)
    }

    /// The key new access tokens are signed with (created on first use; a rotation is seen at
    /// the next call).
    pub(crate) fn signing_key(&self) -> Result<TokenKey, StoreError> {
        let modified = self.key_file.modified();
        {
            let cached = self.keys.read().unwrap_or_else(PoisonError::into_inner);
            if let (true, Some(key)) = (cached.0 == modified, cached.1.first()) {
                return Ok(key.clone());
            }
        }
        let key = self.key_file.current(&self.store, self.now())?;
        self.reload_keys()?;
        Ok(key)
    }

    /// Makes a new signing key; the others keep verifying for the overlap (see
    /// [`super::token_keys`]).
    pub fn rotate_token_key(&self) -> Result<Rotation, StoreError> {
        let rotation = self.key_file.rotate(&self.store, self.now())?;
        self.reload_keys()?;
        Ok(rotation)
    }

    /// The key named `kid`, reading the key file again when it is not known yet.
    pub(crate) fn verifying_key(&self, kid: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let now = self.now();
        let find = |keys: &[TokenKey]| {
            keys.iter()
                .position(|k| k.kid == kid)
                .filter(|&i| TokenKeys::verifies(keys, i, now))
                .map(|i| keys[i].key.clone())
        };
        if let Some(key) = find(&self.keys.read().unwrap_or_else(PoisonError::into_inner).1) {
            return Ok(Some(key));
        }
        Ok(find(&self.reload_keys()?))
    }

    fn reload_keys(&self) -> Result<Vec<TokenKey>, StoreError> {
        let modified = self.key_file.modified();
        let keys = self.key_file.load()?;
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = (modified, keys.clone());
        Ok(keys)
    }
}
