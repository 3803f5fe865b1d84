//! Every setting of the proxy, resolved in one place: flag or environment, then `proxy.toml`,
//! then the default; every problem reported at once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::anyhow;
use clap::Args;
use smart_tags_proxy::client_auth::cors::{parse_origins, Cors};
use smart_tags_proxy::client_auth::session::{PageUsers, Sessions};
use smart_tags_proxy::client_auth::widget_token::WidgetKeys;
use smart_tags_proxy::config::auth::{AuthConfig, AuthSources};
use smart_tags_proxy::config::file::FileConfig;
use smart_tags_proxy::config::{BrowserAccess, Config};
use smart_tags_proxy::connections::ConnectionLimits;
use smart_tags_proxy::keys::KeyStore;

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_SERVICE_URL: &str = "http://127.0.0.1:7701";
const DEFAULT_DATA_DIR: &str = "./proxy-data";

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address the browser connects to [default: 127.0.0.1:8080].
    #[arg(long, env = "SMART_TAGS_PROXY_LISTEN")]
    listen: Option<SocketAddr>,
    /// Base URL of the tagging service [default: http://127.0.0.1:7701].
    #[arg(long, global = true, env = "SMART_TAGS_SERVICE_URL")]
    service_url: Option<String>,
    /// Serve the pages from this folder instead of the copy built into the binary (development).
    #[arg(long, env = "SMART_TAGS_WWW_DIR")]
    www_dir: Option<PathBuf>,
    /// Longest wait for the tagging service, in milliseconds [default: 10000].
    #[arg(long, global = true, env = "SMART_TAGS_SERVICE_TIMEOUT_MS")]
    service_timeout_ms: Option<u64>,
    /// Longest wait for a request's header, on a new connection and between requests, in
    /// milliseconds; then the connection is closed [default: 30000].
    #[arg(long, env = "SMART_TAGS_HEADER_TIMEOUT_MS")]
    header_timeout_ms: Option<u64>,
    /// Longest pause between two chunks of a request body, in milliseconds [default: 60000].
    #[arg(long, env = "SMART_TAGS_BODY_TIMEOUT_MS")]
    body_timeout_ms: Option<u64>,
    /// Most connections open at once; beyond it new ones are closed at once [default: 8192].
    #[arg(long, env = "SMART_TAGS_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// File holding the admin token that opens /api/v1/admin/... (off when unset). A file, so the
    /// secret never appears in a process list.
    #[arg(long, env = "SMART_TAGS_ADMIN_TOKEN_FILE")]
    admin_token_file: Option<PathBuf>,
    /// File of the secrets widget tokens are checked with (docs/widget-tokens.md); without it
    /// the browser API is open, which is allowed on a loopback address only.
    #[arg(long, env = "SMART_TAGS_WIDGET_SECRETS_FILE")]
    widget_secrets_file: Option<PathBuf>,
    /// File of the users who may sign in to the upload page, one name:pbkdf2-hash per line
    /// (`smart-tags-proxy user add NAME` writes it; docs/widget-tokens.md).
    #[arg(long, global = true, env = "SMART_TAGS_PAGE_USERS_FILE")]
    page_users_file: Option<PathBuf>,
    /// Origins of pages that embed the widget, comma separated (CORS allow-list).
    #[arg(long, env = "SMART_TAGS_CORS_ORIGINS")]
    cors_origins: Option<String>,
    /// Origins besides the proxy's own that may show its pages in a frame, comma separated
    /// (Content-Security-Policy frame-ancestors) [default: none].
    #[arg(long, env = "SMART_TAGS_FRAME_ANCESTORS")]
    frame_ancestors: Option<String>,
    /// Browser API requests per second per caller; 0 turns the limit off [default: 20].
    #[arg(long, env = "SMART_TAGS_RATE_LIMIT")]
    rate_limit: Option<f64>,
    /// Browser API requests a caller may make at once [default: 100].
    #[arg(long, env = "SMART_TAGS_RATE_BURST")]
    rate_burst: Option<u32>,
    #[command(flatten)]
    pub(crate) backend: super::backend_settings::BackendArgs,
}

/// The auth settings that may be flags: none of them is a secret.
#[derive(Debug, Args)]
pub(crate) struct AuthArgs {
    /// Base URL of the authorization server [default: the service url].
    #[arg(long, global = true, env = "SMART_TAGS_AUTH_URL")]
    auth_url: Option<String>,
    /// jwt, client_credentials or none [default: jwt with an api key, else none].
    #[arg(long, global = true, env = "SMART_TAGS_AUTH_GRANT")]
    auth_grant: Option<String>,
    /// The integration's client id (API key).
    #[arg(long, global = true, env = "SMART_TAGS_API_KEY")]
    api_key: Option<String>,
    /// File holding the client secret (or set SMART_TAGS_CLIENT_SECRET).
    #[arg(long, global = true, env = "SMART_TAGS_CLIENT_SECRET_FILE")]
    client_secret_file: Option<PathBuf>,
    /// File holding the JWT payload the console printed (or set SMART_TAGS_JWT_PAYLOAD).
    #[arg(long, global = true, env = "SMART_TAGS_JWT_PAYLOAD_FILE")]
    jwt_payload_file: Option<PathBuf>,
    /// File holding the integration's certificate token (`smart-tags-service integration
    /// certificate-token`; scripts/integration-setup.sh writes it): the admin page then registers
    /// new certificates itself. The console's admin token works too, but opens far more.
    #[arg(long, global = true, env = "SMART_TAGS_CONSOLE_TOKEN_FILE")]
    console_token_file: Option<PathBuf>,
}

pub(crate) struct Settings {
    data_dir: Option<PathBuf>,
    config_file: Option<PathBuf>,
    serve: ServeArgs,
    auth: AuthArgs,
}

impl Settings {
    pub(crate) fn new(
        data_dir: Option<PathBuf>,
        config_file: Option<PathBuf>,
        serve: ServeArgs,
        auth: AuthArgs,
    ) -> Settings {
        Settings { data_dir, config_file, serve, auth }
    }

    fn file(&self) -> Result<FileConfig, String> {
        match &self.config_file {
            Some(path) => FileConfig::read(path),
            None => Ok(FileConfig::default()),
        }
    }

    fn data_dir(&self, file: &FileConfig) -> PathBuf {
        self.data_dir.clone().or_else(|| file.data_dir.clone()).unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
    }

    /// The users file, for `user add`.
    pub(crate) fn page_users_file(&self) -> Option<PathBuf> {
        self.serve.page_users_file.clone()
    }

    /// The back-end API's settings (`None`: off), with every problem found.
    pub(crate) fn backend(&self) -> Result<Option<smart_tags_proxy::backend::config::BackendConfig>, Vec<String>> {
        let file = self.file().map_err(|e| vec![e])?;
        let data_dir = self.data_dir(&file);
        super::backend_settings::resolve(&self.serve.backend, &file, &data_dir)
    }

    /// The back-end keys file `backend-key add` writes: `--backend-keys`, `proxy.toml`, or
    /// `<data-dir>/backend-keys`.
    pub(crate) fn backend_keys_file(&self) -> anyhow::Result<PathBuf> {
        let file = self.file().map_err(|e| anyhow!(e))?;
        let data_dir = self.data_dir(&file);
        Ok(self.serve.backend.keys_file(&file).unwrap_or_else(|| data_dir.join("backend-keys")))
    }

    /// The key store, for the `cert` commands.
    pub(crate) fn key_store(&self) -> anyhow::Result<KeyStore> {
        let file = self.file().map_err(|e| anyhow!(e))?;
        let passphrase = std::env::var("SMART_TAGS_KEY_PASSPHRASE").ok().filter(|p| !p.is_empty());
        Ok(KeyStore::new(&self.data_dir(&file), passphrase))
    }

    /// The serving configuration and the auth configuration, with every problem found.
    pub(crate) fn resolve(self) -> Result<(Config, AuthConfig, Vec<String>), String> {
        let file = self.file()?;
        let mut problems = Vec::new();
        let listen = match (self.serve.listen, &file.listen) {
            (Some(listen), _) => listen,
            (None, Some(text)) => text.parse().unwrap_or_else(|e| {
                problems.push(format!("listen {text} in the config file is not an address: {e}"));
                SocketAddr::from(([127, 0, 0, 1], 8080))
            }),
            (None, None) => DEFAULT_LISTEN.parse().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080))),
        };
        let admin_token = match self.serve.admin_token_file.clone().or_else(|| file.admin_token_file.clone()) {
            Some(path) => match std::fs::read_to_string(&path) {
                Ok(token) => Some(token.trim().to_owned()),
                Err(e) => {
                    problems.push(format!("cannot read the admin token file {}: {e}", path.display()));
                    None
                }
            },
            None => None,
        };
        let widget_keys = match &self.serve.widget_secrets_file {
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => match WidgetKeys::parse(&text) {
                    Ok(keys) => Some(std::sync::Arc::new(keys)),
                    Err(more) => {
                        problems.extend(more.into_iter().map(|p| format!("{p} ({})", path.display())));
                        None
                    }
                },
                Err(e) => {
                    problems.push(format!("cannot read the widget secrets file {}: {e}", path.display()));
                    None
                }
            },
            None => None,
        };
        let sessions = match &self.serve.page_users_file {
            Some(path) => match std::fs::read_to_string(path) {
                // The session key is made now: a restart of the proxy ends every session.
                Ok(text) => match PageUsers::parse(&text) {
                    Ok(users) => match Sessions::new(std::sync::Arc::new(users), !listen.ip().is_loopback()) {
                        Ok(sessions) => Some(std::sync::Arc::new(sessions)),
                        Err(e) => {
                            problems.push(format!("cannot make the session key: {e}"));
                            None
                        }
                    },
                    Err(more) => {
                        problems.extend(more.into_iter().map(|p| format!("{p} ({})", path.display())));
                        None
                    }
                },
                Err(e) => {
                    problems.push(format!("cannot read the page users file {}: {e}", path.display()));
                    None
                }
            },
            None => None,
        };
        let cors = match Cors::parse(self.serve.cors_origins.as_deref().unwrap_or_default()) {
            Ok(cors) => cors,
            Err(more) => {
                problems.extend(more);
                Cors::default()
            }
        };
        let frame_ancestors =
            match parse_origins(self.serve.frame_ancestors.as_deref().unwrap_or_default(), "frame ancestor") {
                Ok(origins) => origins,
                Err(more) => {
                    problems.extend(more);
                    Vec::new()
                }
            };
        let browser = BrowserAccess {
            widget_keys,
            sessions,
            cors,
            rate_per_second: self.serve.rate_limit.unwrap_or(20.0),
            rate_burst: self.serve.rate_burst.unwrap_or(100),
            frame_ancestors,
        };
        let service_url = self
            .serve
            .service_url
            .clone()
            .or_else(|| file.service_url.clone())
            .unwrap_or_else(|| DEFAULT_SERVICE_URL.to_owned());
        let defaults = ConnectionLimits::default();
        let config = Config {
            listen,
            service_url: service_url.clone(),
            www_dir: self.serve.www_dir.clone().or_else(|| file.www_dir.clone()),
            service_timeout: Duration::from_millis(
                self.serve.service_timeout_ms.or(file.service_timeout_ms).unwrap_or(10_000),
            ),
            admin_token,
            browser,
            connections: ConnectionLimits {
                header_timeout: self
                    .serve
                    .header_timeout_ms
                    .or(file.header_timeout_ms)
                    .map_or(defaults.header_timeout, Duration::from_millis),
                body_timeout: self
                    .serve
                    .body_timeout_ms
                    .or(file.body_timeout_ms)
                    .map_or(defaults.body_timeout, Duration::from_millis),
                max_connections: self
                    .serve
                    .max_connections
                    .or(file.max_connections)
                    .unwrap_or(defaults.max_connections),
            },
        };
        let sources = AuthSources {
            grant: self.auth.auth_grant.clone().or_else(|| file.auth_grant.clone()),
            auth_url: self.auth.auth_url.clone().or_else(|| file.auth_url.clone()),
            api_key: self.auth.api_key.clone().or_else(|| file.api_key.clone()),
            client_secret_file: self.auth.client_secret_file.clone().or_else(|| file.client_secret_file.clone()),
            jwt_payload_file: self.auth.jwt_payload_file.clone().or_else(|| file.jwt_payload_file.clone()),
            console_token_file: self.auth.console_token_file.clone().or_else(|| file.console_token_file.clone()),
            data_dir: self.data_dir(&file),
            ..AuthSources::default()
        }
        .with_environment(|name| std::env::var(name).ok());
        let (auth, auth_problems) = sources.resolve(&service_url);
        problems.extend(auth_problems);
        Ok((config, auth, problems))
    }
}
