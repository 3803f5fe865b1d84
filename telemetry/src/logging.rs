//! The log subscriber of both servers, on stderr: human-readable text (colours only when stderr
//! is a terminal, so log files hold no escape codes), or one JSON object per line with
//! `SMART_TAGS_LOG_FORMAT=json` (for a log shipper). `RUST_LOG` filters as usual (default `info`;
//! `smart_tags::request=warn` silences the access lines).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The environment variable that picks the format: `text` (default) or `json`.
pub const LOG_FORMAT_VARIABLE: &str = "SMART_TAGS_LOG_FORMAT";

/// Installs the subscriber; an error names a format that does not exist. Call once, first thing.
pub fn init_logging() -> Result<(), String> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let format = std::env::var(LOG_FORMAT_VARIABLE).unwrap_or_default();
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter);
    match format.as_str() {
        "" | "text" => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        "json" => builder.json().flatten_event(true).with_current_span(false).init(),
        other => return Err(format!("{LOG_FORMAT_VARIABLE} must be text or json, not {other:?}")),
    }
    Ok(())
}

/// A log writer into memory, cloned into a subscriber's `with_writer` (tests read what a server
/// logged: no secret in it, one access line per request).
#[derive(Debug, Clone, Default)]
pub struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLog {
    /// Everything written so far, as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
