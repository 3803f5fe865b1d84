//! `keys/state.json`: which certificate signs (`active`), which waits (`next`), which are retired.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::files::{read_text, write_atomic, PUBLIC_MODE};
use super::KeyStoreError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyState {
    pub active: Option<String>,
    pub next: Option<String>,
    #[serde(default)]
    pub retired: Vec<String>,
}

impl KeyState {
    /// Reads the state; a missing file is an empty store.
    pub fn read(path: &Path) -> Result<KeyState, KeyStoreError> {
        if !path.exists() {
            return Ok(KeyState::default());
        }
        let text = read_text(path)?;
        serde_json::from_str(&text).map_err(|e| KeyStoreError::Damaged { path: path.to_owned(), reason: e.to_string() })
    }

    pub fn write(&self, path: &Path) -> Result<(), KeyStoreError> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| KeyStoreError::Damaged { path: path.to_owned(), reason: e.to_string() })?;
        text.push('\n');
        write_atomic(path, text.as_bytes(), PUBLIC_MODE)
    }
}
