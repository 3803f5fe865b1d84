//! How the proxy gets access tokens from the authorization server (docs/credentials.md).

use std::path::{Path, PathBuf};

use serde::Serialize;
use smart_tags_credentials::jwt::Claims;

use crate::keys::KeyStore;

/// The token grant the proxy uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// A signed JWT exchanged at `/ims/exchange/jwt`.
    Jwt,
    /// The client id and secret at `/ims/token/v3`.
    ClientCredentials,
    /// No token: the service runs in open mode.
    None,
}

impl Grant {
    pub fn parse(text: &str) -> Option<Grant> {
        match text.trim().to_ascii_lowercase().as_str() {
            "jwt" => Some(Grant::Jwt),
            "client_credentials" | "client-credentials" => Some(Grant::ClientCredentials),
            "none" | "open" => Some(Grant::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Grant::Jwt => "jwt",
            Grant::ClientCredentials => "client_credentials",
            Grant::None => "none",
        }
    }
}

/// A secret value: its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

/// The proxy's credentials for the tagging service.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub grant: Grant,
    /// Base URL of the authorization server (the service's URL unless set).
    pub auth_url: String,
    /// The client id (API key) of the integration.
    pub api_key: Option<String>,
    pub client_secret: Option<Secret>,
    /// The JWT payload the console printed (iss, sub, aud, metascopes).
    pub jwt_payload: Option<Claims>,
    /// The data directory; the key store is its `keys/`.
    pub data_dir: PathBuf,
    /// Seals new private keys and opens sealed ones (`SMART_TAGS_KEY_PASSPHRASE`).
    pub key_passphrase: Option<Secret>,
    /// The authorization server's console token (`SMART_TAGS_CONSOLE_TOKEN_FILE`): with it the
    /// admin page registers the proxy's next certificate for the integration itself
    /// (`token::console`); without it, registering stays the console's or its CLI's work.
    pub console_token: Option<Secret>,
}

impl AuthConfig {
    /// No grant: what a proxy in front of an open-mode service uses (and what
    /// [`crate::run`] uses).
    pub fn none(service_url: &str) -> AuthConfig {
        AuthConfig {
            grant: Grant::None,
            auth_url: service_url.to_owned(),
            api_key: None,
            client_secret: None,
            jwt_payload: None,
            data_dir: PathBuf::from("proxy-data"),
            key_passphrase: None,
            console_token: None,
        }
    }

    pub fn key_store(&self) -> KeyStore {
        KeyStore::new(&self.data_dir, self.key_passphrase.as_ref().map(|s| s.expose().to_owned()))
    }

    /// The settings the grant needs that are missing or wrong, each named.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.grant == Grant::None {
            return problems;
        }
        match reqwest::Url::parse(&self.auth_url) {
            Ok(url) if url.scheme() == "http" || url.scheme() == "https" => {}
            Ok(url) => problems.push(format!("SMART_TAGS_AUTH_URL must be http or https, not {}", url.scheme())),
            Err(e) => problems.push(format!("SMART_TAGS_AUTH_URL is not a url: {e}")),
        }
        let mut missing = Vec::new();
        if self.api_key.as_deref().is_none_or(str::is_empty) {
            missing.push("SMART_TAGS_API_KEY");
        }
        if self.client_secret.as_ref().is_none_or(|s| s.expose().is_empty()) {
            missing.push("SMART_TAGS_CLIENT_SECRET_FILE or SMART_TAGS_CLIENT_SECRET");
        }
        if self.grant == Grant::Jwt && self.jwt_payload.is_none() {
            missing.push("SMART_TAGS_JWT_PAYLOAD_FILE or SMART_TAGS_JWT_PAYLOAD");
        }
        if !missing.is_empty() {
            problems.insert(0, format!("grant {} is missing {}", self.grant.as_str(), missing.join(", ")));
        }
        problems
    }
}

/// Where each auth setting came from, before it is checked: flags or environment first, then
/// `proxy.toml`. Secrets are only ever values of the environment or contents of files.
#[derive(Debug, Default, Clone)]
pub struct AuthSources {
    pub grant: Option<String>,
    pub auth_url: Option<String>,
    pub api_key: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    /// `SMART_TAGS_CLIENT_SECRET`, from the environment only.
    pub client_secret: Option<Secret>,
    pub jwt_payload_file: Option<PathBuf>,
    /// `SMART_TAGS_JWT_PAYLOAD`.
    pub jwt_payload: Option<String>,
    pub data_dir: PathBuf,
    /// `SMART_TAGS_KEY_PASSPHRASE`.
    pub key_passphrase: Option<Secret>,
    pub console_token_file: Option<PathBuf>,
}

impl AuthSources {
    /// Reads the secret variables of the environment (`SMART_TAGS_CLIENT_SECRET`,
    /// `SMART_TAGS_JWT_PAYLOAD`, `SMART_TAGS_KEY_PASSPHRASE`) through `lookup`.
    pub fn with_environment(mut self, lookup: impl Fn(&str) -> Option<String>) -> AuthSources {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        self.client_secret =
            self.client_secret.or_else(|| get("SMART_TAGS_CLIENT_SECRET").map(|s| Secret::new(s.trim())));
        self.jwt_payload = self.jwt_payload.or_else(|| get("SMART_TAGS_JWT_PAYLOAD"));
        self.key_passphrase = self
            .key_passphrase
            .or_else(|| lookup("SMART_TAGS_KEY_PASSPHRASE").filter(|v| !v.is_empty()).map(Secret::new));
        self
    }

    /// Checks and reads everything (secret and payload files included). Returns the
    /// configuration and every problem found; the configuration is usable only without problems.
    pub fn resolve(self, service_url: &str) -> (AuthConfig, Vec<String>) {
        let mut problems = Vec::new();
        let nonempty = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let api_key = nonempty(self.api_key);
        let client_secret = match (&self.client_secret_file, self.client_secret) {
            (Some(_), Some(_)) => {
                problems.push("set SMART_TAGS_CLIENT_SECRET_FILE or SMART_TAGS_CLIENT_SECRET, not both".to_owned());
                None
            }
            (Some(path), None) => {
                read_file(path, "SMART_TAGS_CLIENT_SECRET_FILE", &mut problems).map(|s| Secret::new(s.trim()))
            }
            (None, secret) => secret,
        };
        let payload_text = match (&self.jwt_payload_file, self.jwt_payload) {
            (Some(_), Some(_)) => {
                problems.push("set SMART_TAGS_JWT_PAYLOAD_FILE or SMART_TAGS_JWT_PAYLOAD, not both".to_owned());
                None
            }
            (Some(path), None) => read_file(path, "SMART_TAGS_JWT_PAYLOAD_FILE", &mut problems)
                .map(|text| (text, "SMART_TAGS_JWT_PAYLOAD_FILE")),
            (None, text) => text.map(|text| (text, "SMART_TAGS_JWT_PAYLOAD")),
        };
        let jwt_payload =
            payload_text.and_then(|(text, name)| match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(serde_json::Value::Object(claims)) => Some(claims),
                Ok(_) => {
                    problems.push(format!("{name} must be a json object"));
                    None
                }
                Err(e) => {
                    problems.push(format!("{name} is not json: {e}"));
                    None
                }
            });
        let grant = match nonempty(self.grant) {
            Some(text) => Grant::parse(&text).unwrap_or_else(|| {
                problems.push(format!(
                    "SMART_TAGS_AUTH_GRANT must be jwt, client_credentials or none, not {}",
                    printable(&text)
                ));
                Grant::None
            }),
            None if api_key.is_some() => Grant::Jwt,
            None if client_secret.is_some() || jwt_payload.is_some() => {
                problems.push("SMART_TAGS_API_KEY is missing (a client secret or jwt payload is set)".to_owned());
                Grant::Jwt
            }
            None => Grant::None,
        };
        let config = AuthConfig {
            grant,
            auth_url: nonempty(self.auth_url)
                .unwrap_or_else(|| service_url.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            api_key,
            client_secret,
            jwt_payload,
            data_dir: self.data_dir,
            key_passphrase: self.key_passphrase,
            console_token: self
                .console_token_file
                .as_deref()
                .and_then(|path| read_file(path, "SMART_TAGS_CONSOLE_TOKEN_FILE", &mut problems))
                .map(|token| Secret::new(token.trim())),
        };
        for problem in config.problems() {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
        (config, problems)
    }
}

fn read_file(path: &Path, name: &str, problems: &mut Vec<String>) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().is_empty() => {
            problems.push(format!("{name} {} is empty", path.display()));
            None
        }
        Ok(text) => Some(text),
        Err(e) => {
            problems.push(format!("cannot read {name} {}: {e}", path.display()));
            None
        }
    }
}

fn printable(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_graphic()).take(40).collect()
}
