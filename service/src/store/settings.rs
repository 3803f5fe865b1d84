//! Settings: typed values stored as JSON under a key. Every write bumps the settings version,
//! which predictions record (a threshold change makes them stale).

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::de::DeserializeOwned;
use serde::Serialize;
use smart_tags_core::taxonomy::TagId;

use super::{check_actor, from_json, now, to_json, Store, StoreError};

const THRESHOLDS: &str = "thresholds";

/// Most per-tag overrides accepted.
pub const MAX_PER_TAG: usize = 10_000;
pub use smart_tags_core::tags::Thresholds;

/// Checks every range and every per-tag id, reporting the first problem.
pub fn validate(thresholds: &Thresholds) -> Result<(), StoreError> {
    thresholds.validate().map_err(|e| StoreError::BadValue(e.to_string()))?;
    if thresholds.per_tag.len() > MAX_PER_TAG {
        return Err(StoreError::BadValue(format!("at most {MAX_PER_TAG} per-tag thresholds")));
    }
    for tag in thresholds.per_tag.keys() {
        TagId::parse(tag).map_err(|e| StoreError::BadValue(format!("per_tag: {e}")))?;
    }
    Ok(())
}

/// The settings version: the last write's number, 0 when nothing was ever set.
pub(super) fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT COALESCE(MAX(version), 0) FROM settings", [], |row| row.get(0))?)
}

fn get<T: DeserializeOwned>(conn: &Connection, key: &str) -> Result<Option<T>, StoreError> {
    let text: Option<String> =
        conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0)).optional()?;
    text.map(|t| from_json(&t, key)).transpose()
}

/// The thresholds, or their defaults when never set.
pub(super) fn thresholds(conn: &Connection) -> Result<Thresholds, StoreError> {
    Ok(get(conn, THRESHOLDS)?.unwrap_or_default())
}

/// Writes a setting and returns the new settings version.
fn put<T: Serialize>(tx: &Transaction<'_>, key: &str, value: &T, actor: &str) -> Result<i64, StoreError> {
    check_actor(actor)?;
    let next = version(tx)? + 1;
    tx.execute(
        "INSERT INTO settings (key, value, version, actor, at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version, actor = excluded.actor, at = excluded.at",
        params![key, to_json(value)?, next, actor, now(tx)?],
    )?;
    Ok(next)
}

/// Makes per-tag thresholds follow taxonomy changes: `change(key)` is `None` to keep a key,
/// `Some(None)` to drop it, `Some(Some(new))` to rename it. Writes only when something changed.
pub(super) fn follow_tags(
    tx: &Transaction<'_>,
    actor: &str,
    change: impl Fn(&str) -> Option<Option<String>>,
) -> Result<(), StoreError> {
    let Some(mut thresholds) = get::<Thresholds>(tx, THRESHOLDS)? else {
        return Ok(());
    };
    let mut changed = false;
    let mut per_tag = BTreeMap::new();
    for (key, value) in std::mem::take(&mut thresholds.per_tag) {
        match change(&key) {
            None => {
                per_tag.insert(key, value);
            }
            Some(None) => changed = true,
            Some(Some(new)) => {
                changed = true;
                per_tag.insert(new, value);
            }
        }
    }
    thresholds.per_tag = per_tag;
    if changed {
        put(tx, THRESHOLDS, &thresholds, actor)?;
    }
    Ok(())
}

impl Store {
    /// The thresholds, or their defaults when never set.
    pub fn thresholds(&self) -> Result<Thresholds, StoreError> {
        self.read(thresholds)
    }

    /// Replaces the thresholds after checking their ranges; returns the new settings version.
    pub fn set_thresholds(&self, thresholds: &Thresholds, actor: &str) -> Result<i64, StoreError> {
        validate(thresholds)?;
        self.write(|tx| put(tx, THRESHOLDS, thresholds, actor))
    }

    /// The settings version: 0 when nothing was ever set.
    pub fn settings_version(&self) -> Result<i64, StoreError> {
        self.read(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    #[test]
    fn defaults_then_set_and_reopen() {
        let (dir, store) = temp_store();
        assert_eq!(store.thresholds().unwrap(), Thresholds::default());
        assert_eq!(store.settings_version().unwrap(), 0);
        let mut thresholds = Thresholds { min_confidence: 0.3, max_tags: 5, ..Thresholds::default() };
        thresholds.per_tag.insert("color:red".to_owned(), 0.9);
        assert_eq!(store.set_thresholds(&thresholds, "alice").unwrap(), 1);
        assert_eq!(store.set_thresholds(&thresholds, "alice").unwrap(), 2);
        drop(store);
        let store = Store::open(&dir.path().join("data/smart-tags.sqlite3")).unwrap();
        assert_eq!(store.thresholds().unwrap(), thresholds);
        assert_eq!(store.settings_version().unwrap(), 2);
        assert_eq!(thresholds.per_tag.get("color:red").copied().unwrap_or(thresholds.min_confidence), 0.9);
        assert_eq!(thresholds.per_tag.get("color:blue").copied().unwrap_or(thresholds.min_confidence), 0.3);
    }

    #[test]
    fn refuses_out_of_range_values() {
        let (_dir, store) = temp_store();
        let bad = [
            Thresholds { min_confidence: 1.5, ..Thresholds::default() },
            Thresholds { min_confidence: -0.1, ..Thresholds::default() },
            Thresholds { min_confidence: f32::NAN, ..Thresholds::default() },
            Thresholds { max_tags: 0, ..Thresholds::default() },
            Thresholds { max_tags: 201, ..Thresholds::default() },
            Thresholds { per_tag: BTreeMap::from([("not an id".to_owned(), 0.5)]), ..Thresholds::default() },
            Thresholds { per_tag: BTreeMap::from([("color:red".to_owned(), 2.0)]), ..Thresholds::default() },
        ];
        for thresholds in bad {
            assert!(
                matches!(store.set_thresholds(&thresholds, "alice"), Err(StoreError::BadValue(_))),
                "{thresholds:?}"
            );
        }
        assert_eq!(store.settings_version().unwrap(), 0);
        let partial: Thresholds = serde_json::from_str(r#"{"max_tags": 3}"#).unwrap();
        assert_eq!(partial, Thresholds { max_tags: 3, ..Thresholds::default() });
        assert!(serde_json::from_str::<Thresholds>(r#"{"maxTags": 3}"#).is_err());
    }
}
