//! The back-end API's flags (`--backend-keys`, `--backend-rate`, `--backend-burst`,
//! `--webhook-allow` (repeated), `--webhook-secret-file`; `SMART_TAGS_WEBHOOK_SECRET`,
//! `--job-retention-hours`, `--image-memory-mb`, `--image-memory-wait-ms`, `--job-outage-minutes`) and their
//! `proxy.toml` keys, resolved with every problem reported.

use std::path::{Path, PathBuf};

use clap::Args;
use smart_tags_proxy::backend::config::{
    job_retention, BackendConfig, DEFAULT_BURST, DEFAULT_JOB_RETENTION_HOURS, DEFAULT_RATE,
};
use smart_tags_proxy::backend::keys::BackendKeys;
use smart_tags_proxy::config::file::FileConfig;

#[derive(Debug, Args)]
pub(crate) struct BackendArgs {
    /// The back-end API keys file (`backend-key add` writes it); without it /api/v1/backend/* is off.
    #[arg(long, global = true, env = "SMART_TAGS_BACKEND_KEYS_FILE")]
    backend_keys: Option<PathBuf>,
    /// Back-end API requests per second per key; 0 turns the limit off [default: 10].
    #[arg(long, env = "SMART_TAGS_BACKEND_RATE")]
    backend_rate: Option<f64>,
    /// Back-end API requests a key may make at once [default: 50].
    #[arg(long, env = "SMART_TAGS_BACKEND_BURST")]
    backend_burst: Option<u32>,
    /// A URL prefix job webhooks may be sent to (repeat for several), e.g. https://dam.example.com/hooks/.
    #[arg(long = "webhook-allow")]
    webhook_allow: Vec<String>,
    /// File holding the webhook signing secret (or set SMART_TAGS_WEBHOOK_SECRET).
    #[arg(long, env = "SMART_TAGS_WEBHOOK_SECRET_FILE")]
    webhook_secret_file: Option<PathBuf>,
    /// Hours an ended back-end job (cancelled, completed, failed) is kept, with the spooled files
    /// only it references; 0 keeps jobs forever [default: 168].
    #[arg(long, env = "SMART_TAGS_JOB_RETENTION_HOURS")]
    job_retention_hours: Option<u64>,
    /// Megabytes the back-end API's images in flight may hold (uploads and decodes); beyond it
    /// requests wait, then answer 503 busy [default: 2048].
    #[arg(long, env = "SMART_TAGS_IMAGE_MEMORY_MB")]
    image_memory_mb: Option<u64>,
    /// How long a back-end request waits for room in the image memory budget before 503 busy
    /// [default: 30000].
    #[arg(long)]
    image_memory_wait_ms: Option<u64>,
    /// Minutes a back-end job waits for a tagging service that is down (no item fails meanwhile)
    /// before its items fail as they come; 0 does not wait [default: 30].
    #[arg(long, env = "SMART_TAGS_JOB_OUTAGE_MINUTES")]
    job_outage_minutes: Option<u64>,
}

impl BackendArgs {
    pub(crate) fn keys_file(&self, file: &FileConfig) -> Option<PathBuf> {
        self.backend_keys.clone().or_else(|| file.backend_keys.clone())
    }
}

pub(crate) fn resolve(
    args: &BackendArgs,
    file: &FileConfig,
    data_dir: &Path,
) -> Result<Option<BackendConfig>, Vec<String>> {
    let Some(keys_file) = args.keys_file(file) else { return Ok(None) };
    let mut problems = Vec::new();
    let keys = match std::fs::read_to_string(&keys_file) {
        Ok(text) => BackendKeys::parse(&text).unwrap_or_else(|more| {
            problems.extend(more.into_iter().map(|p| format!("{p} ({})", keys_file.display())));
            BackendKeys::empty()
        }),
        Err(e) => {
            problems.push(format!("cannot read the back-end keys file {}: {e}", keys_file.display()));
            BackendKeys::empty()
        }
    };
    let mut config = BackendConfig::new(keys, data_dir.to_owned());
    config.rate_per_second = args.backend_rate.or(file.backend_rate).unwrap_or(DEFAULT_RATE);
    config.rate_burst = args.backend_burst.or(file.backend_burst).unwrap_or(DEFAULT_BURST);
    config.webhook_allow = if args.webhook_allow.is_empty() {
        file.webhook_allow.clone().unwrap_or_default()
    } else {
        args.webhook_allow.clone()
    };
    config.job_retention =
        job_retention(args.job_retention_hours.or(file.job_retention_hours).unwrap_or(DEFAULT_JOB_RETENTION_HOURS));
    if let Some(mb) = args.image_memory_mb.or(file.image_memory_mb) {
        config.image_memory = mb.saturating_mul(1024 * 1024);
    }
    if let Some(ms) = args.image_memory_wait_ms.or(file.image_memory_wait_ms) {
        config.image_memory_wait = std::time::Duration::from_millis(ms);
    }
    if let Some(minutes) = args.job_outage_minutes.or(file.job_outage_minutes) {
        config.job_outage_wait = std::time::Duration::from_secs(minutes.saturating_mul(60));
    }
    let secret_file = args.webhook_secret_file.clone().or_else(|| file.webhook_secret_file.clone());
    config.webhook_secret = match secret_file {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => Some(text.trim().to_owned()),
            Err(e) => {
                problems.push(format!("cannot read the webhook secret file {}: {e}", path.display()));
                None
            }
        },
        None => std::env::var("SMART_TAGS_WEBHOOK_SECRET").ok().filter(|s| !s.is_empty()),
    };
    if let Err(more) = config.validate() {
        problems.extend(more);
    }
    if problems.is_empty() {
        Ok(Some(config))
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> BackendArgs {
        BackendArgs {
            backend_keys: None,
            backend_rate: None,
            backend_burst: None,
            webhook_allow: Vec::new(),
            webhook_secret_file: None,
            job_retention_hours: None,
            image_memory_mb: None,
            image_memory_wait_ms: None,
            job_outage_minutes: None,
        }
    }

    #[test]
    fn proxy_toml_turns_the_backend_on_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        let (_, line) = smart_tags_proxy::backend::keys::new_key("dam").unwrap();
        std::fs::write(dir.path().join("keys"), format!("{line}\n")).unwrap();
        std::fs::write(dir.path().join("secret"), "a-webhook-secret-of-16+\n").unwrap();
        let toml = format!(
            "backend_keys = {:?}\nbackend_rate = 3.5\nwebhook_allow = [\"https://dam.example.com/hooks/\"]\nwebhook_secret_file = {:?}\njob_retention_hours = 0\n",
            dir.path().join("keys"),
            dir.path().join("secret")
        );
        let file = FileConfig::parse(&toml).unwrap();
        assert!(resolve(&args(), &FileConfig::default(), dir.path()).unwrap().is_none(), "off without a keys file");
        let config = resolve(&args(), &file, dir.path()).unwrap().unwrap();
        assert_eq!((config.rate_per_second, config.rate_burst, config.keys.len()), (3.5, DEFAULT_BURST, 1));
        assert!(config.webhook_allowed("https://dam.example.com/hooks/x"));
        assert_eq!(config.webhook_secret.as_deref(), Some("a-webhook-secret-of-16+"));
        assert_eq!(config.job_retention, None, "0 keeps jobs forever");
        let defaults = resolve(
            &BackendArgs { backend_keys: Some(dir.path().join("keys")), ..args() },
            &FileConfig::default(),
            dir.path(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(defaults.job_retention, Some(std::time::Duration::from_secs(168 * 3600)));
        let flags = BackendArgs {
            backend_rate: Some(1.0),
            webhook_allow: vec!["https://other.example.com/h/".to_owned()],
            job_retention_hours: Some(2),
            ..args()
        };
        let config = resolve(&flags, &file, dir.path()).unwrap().unwrap();
        assert_eq!((config.rate_per_second, config.job_retention), (1.0, Some(std::time::Duration::from_secs(7200))));
        assert!(!config.webhook_allowed("https://dam.example.com/hooks/x"));
        let bad = BackendArgs {
            backend_keys: Some(dir.path().join("missing")),
            webhook_allow: vec!["ftp://x/".to_owned()],
            ..args()
        };
        let problems = resolve(&bad, &file, dir.path()).unwrap_err();
        assert!(
            problems.iter().any(|p| p.contains("cannot read the back-end keys file"))
                && problems.iter().any(|p| p.contains("ftp://x/")),
            "{problems:?}"
        );
    }
}
