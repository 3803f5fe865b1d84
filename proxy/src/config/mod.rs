//! Proxy configuration: every problem is reported at once, at start-up.
//!
//! [`Config`] is what serving needs; [`auth::AuthConfig`] is how the proxy gets its access tokens
//! (grant, authorization server, API key, client secret, JWT payload, key store); [`file`] reads
//! the optional `proxy.toml` with the non-secret settings. Secrets come only from the environment
//! or files, never from flags or `proxy.toml`, and every `Debug` hides them.

pub mod auth;
pub mod file;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone)]
pub struct Config {
    /// Where the browser reaches the proxy.
    pub listen: SocketAddr,
    /// Base URL of the tagging service, e.g. `http://127.0.0.1:7701`. Never sent to the browser.
    pub service_url: String,
    /// Folder served to the browser (the upload page and the wasm module) instead of the copy
    /// embedded in the binary (`None`, see `site`).
    pub www_dir: Option<PathBuf>,
    /// Longest wait for the tagging service, per request.
    pub service_timeout: Duration,
    /// Bearer token that opens the admin routes (`/api/v1/admin/...`); read from a file, never
    /// from the command line. `None` switches the admin routes off.
    pub admin_token: Option<String>,
    /// Who may call the browser API: widget tokens (or open mode), CORS origins, rate limits.
    pub browser: BrowserAccess,
    /// Header and body timeouts and the most connections at once.
    pub connections: crate::connections::ConnectionLimits,
}

/// The browser API's access rules (see [`crate::client_auth`]).
#[derive(Debug, Clone, Default)]
pub struct BrowserAccess {
    /// The secrets widget tokens are checked with. With neither these nor `page_users` the API is
    /// in open mode, allowed on loopback only.
    pub widget_keys: Option<std::sync::Arc<crate::client_auth::widget_token::WidgetKeys>>,
    /// The users who may sign in to the standalone upload page and the key their session cookies
    /// are signed with (made at start, so a restart ends every session).
    pub sessions: Option<std::sync::Arc<crate::client_auth::session::Sessions>>,
    /// Origins of pages that may embed the widget.
    pub cors: crate::client_auth::cors::Cors,
    /// Requests per second per caller (0: no limit; the binary's default is 20).
    pub rate_per_second: f64,
    /// Requests a caller may make at once (the binary's default is 100).
    pub rate_burst: u32,
    /// Origins besides the proxy's own that may show its pages in a frame (CSP
    /// `frame-ancestors`; see [`crate::page_headers`]).
    pub frame_ancestors: Vec<String>,
}

impl BrowserAccess {
    /// Open mode: neither widget secrets nor page users, so the browser API needs no credentials.
    pub fn is_open(&self) -> bool {
        self.widget_keys.is_none() && self.sessions.is_none()
    }
}

/// Hides the admin token.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("service_url", &self.service_url)
            .field("www_dir", &self.www_dir)
            .field("service_timeout", &self.service_timeout)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "redacted"))
            .field("browser", &self.browser)
            .finish()
    }
}

impl Config {
    /// Checks the whole configuration and returns every problem found, not just the first.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        match reqwest::Url::parse(&self.service_url) {
            Ok(url) if url.scheme() == "http" || url.scheme() == "https" => {}
            Ok(url) => problems.push(format!("service url must be http or https, not {}", url.scheme())),
            Err(e) => problems.push(format!("service url is not a url: {e}")),
        }
        if !crate::site::has_index(self.www_dir.as_deref()) {
            match &self.www_dir {
                Some(dir) => problems.push(format!("www dir {} has no index.html", dir.display())),
                None => problems.push(
                    "this binary was built without the pages (www/): build it with scripts/build.sh, or give --www-dir"
                        .to_owned(),
                ),
            }
        }
        if self.service_timeout.is_zero() {
            problems.push("service timeout must be more than zero".to_owned());
        }
        problems.extend(self.connections.problems());
        if let Some(limit) = crate::connections::open_file_limit().filter(|&l| self.connections.max_connections >= l) {
            tracing::warn!(max_connections = self.connections.max_connections, open_file_limit = limit, "max connections is not below the open-file limit: the proxy may run out of descriptors (raise ulimit -n or lower --max-connections)");
        }
        if let Some(token) = &self.admin_token {
            if token.len() < 16 {
                problems.push("the admin token must be at least 16 characters".to_owned());
            }
        }
        if self.browser.is_open() && !self.listen.ip().is_loopback() {
            problems.push(format!(
                "the proxy listens on {}, beyond loopback, in open mode: set SMART_TAGS_WIDGET_SECRETS_FILE so browsers need a widget token, or SMART_TAGS_PAGE_USERS_FILE so the upload page needs a sign-in (docs/widget-tokens.md)",
                self.listen
            ));
        }
        if !self.browser.rate_per_second.is_finite() || self.browser.rate_per_second < 0.0 {
            problems.push("the rate limit must be zero (off) or a positive number of requests per second".to_owned());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}
