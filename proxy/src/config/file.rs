//! `--config proxy.toml`: the non-secret settings, under the same names as the flags
//! (`listen = "127.0.0.1:8080"`, `service_url`, `auth_url`, `auth_grant`, `api_key`,
//! `client_secret_file`, `jwt_payload_file`, ...). Flags and the environment win over the file.
//! Secrets themselves are refused here: they belong in the environment or in files.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub service_url: Option<String>,
    pub www_dir: Option<PathBuf>,
    pub service_timeout_ms: Option<u64>,
    pub header_timeout_ms: Option<u64>,
    pub body_timeout_ms: Option<u64>,
    pub max_connections: Option<usize>,
    pub admin_token_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub auth_url: Option<String>,
    pub auth_grant: Option<String>,
    pub api_key: Option<String>,
    pub client_secret_file: Option<PathBuf>,
    pub jwt_payload_file: Option<PathBuf>,
    pub console_token_file: Option<PathBuf>,
    /// The back-end API (docs/backend-api.md): its keys file turns it on.
    pub backend_keys: Option<PathBuf>,
    pub backend_rate: Option<f64>,
    pub backend_burst: Option<u32>,
    /// Allowed webhook URL prefixes.
    pub webhook_allow: Option<Vec<String>>,
    pub webhook_secret_file: Option<PathBuf>,
    /// Hours an ended back-end job is kept (0: forever).
    pub job_retention_hours: Option<u64>,
    pub image_memory_mb: Option<u64>,
    pub image_memory_wait_ms: Option<u64>,
    pub job_outage_minutes: Option<u64>,
    /// Refused: a secret never sits in `proxy.toml`.
    client_secret: Option<toml::Value>,
    /// Refused.
    admin_token: Option<toml::Value>,
    /// Refused.
    key_passphrase: Option<toml::Value>,
}

impl FileConfig {
    /// Reads and checks a `proxy.toml`.
    pub fn read(path: &Path) -> Result<FileConfig, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        FileConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<FileConfig, String> {
        let file: FileConfig = toml::from_str(text).map_err(|e| e.message().to_lowercase())?;
        let refused: Vec<&str> = [
            ("client_secret", file.client_secret.is_some(), "SMART_TAGS_CLIENT_SECRET_FILE"),
            ("admin_token", file.admin_token.is_some(), "SMART_TAGS_ADMIN_TOKEN_FILE"),
            ("key_passphrase", file.key_passphrase.is_some(), "SMART_TAGS_KEY_PASSPHRASE"),
        ]
        .iter()
        .filter(|(_, set, _)| *set)
        .map(|(name, _, _)| *name)
        .collect();
        if !refused.is_empty() {
            return Err(format!(
                "secrets are not read from the config file ({}): use SMART_TAGS_CLIENT_SECRET_FILE, SMART_TAGS_ADMIN_TOKEN_FILE or SMART_TAGS_KEY_PASSPHRASE",
                refused.join(", ")
            ));
        }
        Ok(file)
    }
}
