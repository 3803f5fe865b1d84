//! The back-end API's settings (`--backend-keys`, `--backend-rate`, `--backend-burst`,
//! `--webhook-allow`, `--webhook-secret-file` / `SMART_TAGS_WEBHOOK_SECRET`,
//! `--job-retention-hours`, `--image-memory-mb`, `--image-memory-wait-ms`), checked at once.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::keys::BackendKeys;
use super::memory;

/// Requests per second per back-end key, by default.
pub const DEFAULT_RATE: f64 = 10.0;
/// Requests a back-end key may make at once, by default.
pub const DEFAULT_BURST: u32 = 50;
/// How long a job waits for a tagging service that is down, by default.
pub const DEFAULT_JOB_OUTAGE_MINUTES: u64 = 30;
/// How long an ended job is kept, by default (a week); 0 keeps jobs forever.
pub const DEFAULT_JOB_RETENTION_HOURS: u64 = 168;

/// The retention of `hours` (`None`: keep ended jobs forever).
pub fn job_retention(hours: u64) -> Option<Duration> {
    (hours > 0).then(|| Duration::from_secs(hours.saturating_mul(3600)))
}

#[derive(Clone)]
pub struct BackendConfig {
    pub keys: Arc<BackendKeys>,
    /// `<data-dir>`: `jobs.sqlite3` and `spool/` live there.
    pub data_dir: PathBuf,
    pub rate_per_second: f64,
    pub rate_burst: u32,
    /// A webhook URL must start with one of these.
    pub webhook_allow: Vec<String>,
    /// The HMAC key of webhook signatures; webhooks are refused without it.
    pub webhook_secret: Option<String>,
    /// Items a job works on at once.
    pub concurrency: usize,
    /// The delays between webhook attempts (6 tries: 1, 2, 4, 8, 16 s).
    pub webhook_backoff: Vec<Duration>,
    /// How long the workflow read from the service is kept.
    pub workflow_ttl: Duration,
    /// Ended jobs last changed longer ago than this are deleted by the retention sweep (`None`:
    /// kept forever).
    pub job_retention: Option<Duration>,
    /// Bytes the images in flight may hold ([`super::memory`]).
    pub image_memory: u64,
    /// How long a request waits for room in that budget.
    pub image_memory_wait: Duration,
    /// How long a job waits for a tagging service that is down before its items fail.
    pub job_outage_wait: Duration,
}

/// Never shows the webhook secret.
impl std::fmt::Debug for BackendConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendConfig")
            .field("keys", &self.keys)
            .field("data_dir", &self.data_dir)
            .field("rate_per_second", &self.rate_per_second)
            .field("rate_burst", &self.rate_burst)
            .field("webhook_allow", &self.webhook_allow)
            .field("webhook_secret", &self.webhook_secret.as_ref().map(|_| "redacted"))
            .field("concurrency", &self.concurrency)
            .field("job_retention", &self.job_retention)
            .field("image_memory", &self.image_memory)
            .field("image_memory_wait", &self.image_memory_wait)
            .field("job_outage_wait", &self.job_outage_wait)
            .finish()
    }
}

impl BackendConfig {
    /// The defaults around `keys` and `data_dir`.
    pub fn new(keys: BackendKeys, data_dir: PathBuf) -> BackendConfig {
        BackendConfig {
            keys: Arc::new(keys),
            data_dir,
            rate_per_second: DEFAULT_RATE,
            rate_burst: DEFAULT_BURST,
            webhook_allow: Vec::new(),
            webhook_secret: None,
            concurrency: 2,
            webhook_backoff: [1, 2, 4, 8, 16].into_iter().map(Duration::from_secs).collect(),
            workflow_ttl: Duration::from_secs(5),
            job_retention: job_retention(DEFAULT_JOB_RETENTION_HOURS),
            image_memory: memory::DEFAULT_MEMORY_MB * 1024 * 1024,
            image_memory_wait: memory::DEFAULT_WAIT,
            job_outage_wait: Duration::from_secs(DEFAULT_JOB_OUTAGE_MINUTES * 60),
        }
    }

    /// Every problem at once.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        if self.keys.is_empty() {
            problems.push(
                "the back-end keys file has no key: add one with `smart-tags-proxy backend-key add NAME`".to_owned(),
            );
        }
        if !self.rate_per_second.is_finite() || self.rate_per_second < 0.0 {
            problems
                .push("the back-end rate must be zero (off) or a positive number of requests per second".to_owned());
        }
        for prefix in &self.webhook_allow {
            match reqwest::Url::parse(prefix) {
                Ok(url)
                    if (url.scheme() == "https" || url.scheme() == "http")
                        && url.host_str().is_some()
                        && prefix.ends_with('/') => {}
                _ => problems.push(format!("webhook prefix {prefix:?} must be an http(s) url ending with /")),
            }
        }
        if self.webhook_secret.as_ref().is_some_and(|s| s.len() < 16) {
            problems.push("the webhook secret must be at least 16 characters".to_owned());
        }
        if self.image_memory < memory::MIN_MEMORY_MB * 1024 * 1024 {
            problems.push(format!("the image memory budget must be at least {} MB", memory::MIN_MEMORY_MB));
        }
        if self.concurrency == 0 {
            problems.push("the job concurrency must be at least 1".to_owned());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Whether a webhook may be sent to `url`: it must parse and start with an allowed prefix
    /// (which ends with `/`, so `https://dam.example.com/hooks/` never lets `…/hooks.evil.com` in).
    pub fn webhook_allowed(&self, url: &str) -> bool {
        let Ok(parsed) = reqwest::Url::parse(url) else { return false };
        // Compare the normalised form, so `https://dam.example.com/hooks/../admin` cannot pass.
        let normal = parsed.as_str();
        url == normal
            && parsed.username().is_empty()
            && parsed.password().is_none()
            && self.webhook_allow.iter().any(|p| normal.starts_with(p.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls_must_start_with_an_allowed_prefix() {
        let mut config = BackendConfig::new(BackendKeys::parse("").unwrap(), PathBuf::from("."));
        config.webhook_allow = vec!["https://dam.example.com/hooks/".to_owned()];
        assert!(config.webhook_allowed("https://dam.example.com/hooks/smart-tags"));
        assert!(!config.webhook_allowed("https://dam.example.com/hooks.evil.com/x"));
        assert!(!config.webhook_allowed("https://dam.example.com/hooks/../admin"));
        assert!(!config.webhook_allowed("http://169.254.169.254/latest/meta-data"));
        assert!(!config.webhook_allowed("https://user@dam.example.com/hooks/x"));
        assert!(!config.webhook_allowed("not a url"));
        let problems = config.validate().unwrap_err();
        assert!(problems[0].contains("no key"), "{problems:?}");
    }
}
