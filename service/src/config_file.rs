//! `--config service.toml`: the service's settings under the same names as its flags
//! (`listen = "0.0.0.0:7701"`, `data_dir`, `model_dir`, `threads`, ...), as the proxy reads
//! `proxy.toml`. A flag or its environment variable wins over the file, the file over the default.
//! Relative paths are relative to the working directory, as the flags' are. Unknown names are
//! refused, and so are secrets: the console's admin token belongs in `admin_token_file`.
//! Every setting: `service.example.toml`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    pub listen: Option<SocketAddr>,
    pub open: Option<bool>,
    pub public_url: Option<String>,
    pub admin_token_file: Option<PathBuf>,
    pub jwt_leeway_seconds: Option<i64>,
    pub access_token_seconds: Option<i64>,
    pub model_dir: Option<PathBuf>,
    pub ort_lib: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub wordnet_dir: Option<PathBuf>,
    pub detectors_dir: Option<PathBuf>,
    pub scene_model: Option<PathBuf>,
    pub text_model_dir: Option<PathBuf>,
    pub seed_taxonomy: Option<PathBuf>,
    pub workflow: Option<PathBuf>,
    pub generic_allow: Option<Vec<String>>,
    pub generic_deny: Option<Vec<String>>,
    pub threads: Option<usize>,
    /// Refused: a secret never sits in the config file.
    admin_token: Option<toml::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    #[error("cannot read the config file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the config file {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl ServiceFile {
    /// Reads and checks a `service.toml`.
    pub fn read(path: &Path) -> Result<ServiceFile, ConfigFileError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigFileError::Read { path: path.to_owned(), source })?;
        ServiceFile::parse(&text).map_err(|message| ConfigFileError::Invalid { path: path.to_owned(), message })
    }

    /// Parses the text of a `service.toml`; the error says what is wrong, in lower case.
    pub fn parse(text: &str) -> Result<ServiceFile, String> {
        let file: ServiceFile = toml::from_str(text).map_err(|e| e.message().to_lowercase())?;
        if file.admin_token.is_some() {
            return Err("secrets are not read from the config file (admin_token): put the token in a file and name it with admin_token_file".to_owned());
        }
        if file.threads == Some(0) {
            return Err("threads must be at least 1".to_owned());
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_setting_is_read() {
        let text = include_str!("../../service.example.toml");
        let uncommented: String = text
            .lines()
            .map(|line| line.strip_prefix("# ").filter(|l| l.contains(" = ")).unwrap_or(line))
            .fold(String::new(), |mut all, line| {
                all.push_str(line);
                all.push('\n');
                all
            });
        let file = ServiceFile::parse(&uncommented).expect("the example parses");
        assert_eq!(file.listen, Some("127.0.0.1:7701".parse().unwrap()));
        assert_eq!(file.threads, Some(2));
        assert_eq!(file.generic_allow.as_deref(), Some(&["n04565375".to_owned()][..]));
        assert!(file.model_dir.is_some() && file.ort_lib.is_some() && file.data_dir.is_some());
    }

    #[test]
    fn unknown_names_and_secrets_are_refused() {
        let unknown = ServiceFile::parse("listen = \"127.0.0.1:1\"\nlisten_port = 7\n").unwrap_err();
        assert!(unknown.contains("unknown field `listen_port`"), "{unknown}");
        let secret = ServiceFile::parse("admin_token = \"0123456789abcdef\"\n").unwrap_err();
        assert!(secret.contains("secrets are not read from the config file (admin_token)"), "{secret}");
        assert!(!secret.contains("0123456789abcdef"));
        let wrong_type = ServiceFile::parse("threads = \"two\"\n").unwrap_err();
        assert!(wrong_type.contains("invalid type"), "{wrong_type}");
        assert!(ServiceFile::parse("threads = 0\n").unwrap_err().contains("at least 1"));
        assert!(ServiceFile::parse("listen = \"nowhere\"\n").is_err());
    }
}
