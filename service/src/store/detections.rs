//! What the detectors found in a file, by content hash: written when they run, read by every
//! answer and by re-tags (which have no image). The findings are JSON the store does not read,
//! except the words read in the picture (`text.words[].text`), which search indexes.

use rusqlite::{params, OptionalExtension};

use super::{now, Store, StoreError};

/// The stored findings of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDetections {
    /// The detectors' versions.
    pub version: String,
    pub findings: serde_json::Value,
}

impl Store {
    /// Writes (or replaces) the findings for the file with this content hash.
    pub fn save_detections(
        &self,
        content_hash: &str,
        version: &str,
        findings: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(findings).map_err(|e| StoreError::BadValue(e.to_string()))?;
        self.write(|tx| {
            let at = now(tx)?;
            tx.execute(
                "INSERT INTO detections (content_hash, version, findings, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (content_hash) DO UPDATE SET version = excluded.version, findings = excluded.findings, created_at = excluded.created_at",
                params![content_hash, version, json, at],
            )?;
            super::search::index_words(tx, content_hash, findings)
        })
    }

    /// The findings for the file with this content hash, when the detectors ran on it.
    pub fn detections(&self, content_hash: &str) -> Result<Option<StoredDetections>, StoreError> {
        self.read(|conn| {
            let row: Option<(String, String)> = conn
                .query_row("SELECT version, findings FROM detections WHERE content_hash = ?1", [content_hash], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            row.map(|(version, json)| {
                let findings =
                    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("stored detections: {e}")))?;
                Ok(StoredDetections { version, findings })
            })
            .transpose()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_kept_per_file_and_replaced() {
        let store = Store::open_in_memory().unwrap();
        let hash = "a".repeat(64);
        assert_eq!(store.detections(&hash).unwrap(), None);
        store.save_detections(&hash, "faces@1", &serde_json::json!({"faces": 2})).unwrap();
        store.save_detections(&hash, "faces@2", &serde_json::json!({"faces": 3})).unwrap();
        let got = store.detections(&hash).unwrap().unwrap();
        assert_eq!((got.version.as_str(), got.findings["faces"].as_i64()), ("faces@2", Some(3)));
        assert_eq!(store.detections(&"b".repeat(64)).unwrap(), None);
    }
}
