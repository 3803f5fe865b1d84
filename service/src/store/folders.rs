//! Folder settings: smart tagging switched on or off for a folder (and, by inheritance, the
//! folders below it). A folder without a row inherits; `smart_tags_core::workflow::resolve`
//! decides from the rows of the folder's ancestors.

use std::collections::BTreeMap;

use rusqlite::params;
use serde::Serialize;
use smart_tags_core::workflow::{resolve, Effective, FolderFlag, FolderPath};

use super::{check_actor, now, SqlEnum, Store, StoreError};

impl SqlEnum for FolderFlag {
    const ALL: &'static [FolderFlag] = &[FolderFlag::Enabled, FolderFlag::Disabled];
    fn as_str(self) -> &'static str {
        FolderFlag::as_str(self)
    }
}

/// One folder's own setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderSetting {
    pub path: String,
    pub smart_tags: FolderFlag,
    pub actor: String,
    /// RFC 3339, UTC.
    pub at: String,
}

impl Store {
    /// Every folder with its own setting, by path.
    pub fn folder_settings(&self) -> Result<Vec<FolderSetting>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT path, smart_tags, actor, at FROM folder_settings ORDER BY path")?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get::<_, String>(1)?, row.get(2)?, row.get(3)?)))?;
            rows.map(|row| {
                let (path, flag, actor, at) = row?;
                Ok(FolderSetting { path, smart_tags: FolderFlag::parse_stored(&flag)?, actor, at })
            })
            .collect()
        })
    }

    /// Sets a folder's own setting, or (`None`) deletes it so the folder inherits again. Answers
    /// the row now stored (`None` after a delete).
    pub fn set_folder_setting(&self, path: &FolderPath, flag: Option<FolderFlag>, actor: &str) -> Result<Option<FolderSetting>, StoreError> {
        check_actor(actor)?;
        self.write(|tx| {
            let Some(flag) = flag else {
                tx.execute("DELETE FROM folder_settings WHERE path = ?1", [path.as_str()])?;
                return Ok(None);
            };
            let at = now(tx)?;
            tx.execute(
                "INSERT INTO folder_settings (path, smart_tags, actor, at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (path) DO UPDATE SET smart_tags = excluded.smart_tags, actor = excluded.actor, at = excluded.at",
                params![path.as_str(), SqlEnum::as_str(flag), actor, at],
            )?;
            Ok(Some(FolderSetting { path: path.as_str().to_owned(), smart_tags: flag, actor: actor.to_owned(), at }))
        })
    }

    /// Whether smart tagging is on for a folder, from its own setting or its nearest ancestor's.
    pub fn resolve_folder(&self, path: &FolderPath) -> Result<Effective, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT smart_tags FROM folder_settings WHERE path = ?1")?;
            let mut settings = BTreeMap::new();
            for folder in path.ancestors() {
                let flags = stmt.query_map([folder], |row| row.get::<_, String>(0))?;
                for flag in flags {
                    settings.insert(folder.to_owned(), FolderFlag::parse_stored(&flag?)?);
                }
            }
            Ok(resolve(&settings, path))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    fn path(text: &str) -> FolderPath {
        FolderPath::parse(text).unwrap()
    }

    #[test]
    fn settings_are_set_inherited_and_deleted() {
        let (dir, store) = temp_store();
        assert_eq!(store.resolve_folder(&path("/a/b")).unwrap(), Effective { enabled: true, set_on: None });
        store.set_folder_setting(&path("/a"), Some(FolderFlag::Disabled), "alice").unwrap();
        let row = store.set_folder_setting(&path("/a/b/c"), Some(FolderFlag::Enabled), "bob").unwrap().unwrap();
        assert_eq!((row.path.as_str(), row.smart_tags, row.actor.as_str()), ("/a/b/c", FolderFlag::Enabled, "bob"));
        assert_eq!(store.resolve_folder(&path("/a/b")).unwrap(), Effective { enabled: false, set_on: Some("/a".into()) });
        assert_eq!(store.resolve_folder(&path("/a/b/c/d")).unwrap(), Effective { enabled: true, set_on: Some("/a/b/c".into()) });
        assert!(store.resolve_folder(&path("/ab")).unwrap().enabled);
        // Changing a setting replaces it.
        store.set_folder_setting(&path("/a"), Some(FolderFlag::Enabled), "carol").unwrap();
        assert!(store.resolve_folder(&path("/a/b")).unwrap().enabled);
        store.set_folder_setting(&path("/a"), Some(FolderFlag::Disabled), "carol").unwrap();
        drop(store);
        let store = Store::open(&dir.path().join("data/smart-tags.sqlite3")).unwrap();
        let listed: Vec<(String, FolderFlag)> = store.folder_settings().unwrap().into_iter().map(|s| (s.path, s.smart_tags)).collect();
        assert_eq!(listed, [("/a".to_owned(), FolderFlag::Disabled), ("/a/b/c".to_owned(), FolderFlag::Enabled)]);
        // Inherit: the row goes and the parent's (none) applies.
        assert_eq!(store.set_folder_setting(&path("/a"), None, "carol").unwrap(), None);
        assert_eq!(store.resolve_folder(&path("/a/b")).unwrap(), Effective { enabled: true, set_on: None });
        assert_eq!(store.set_folder_setting(&path("/a"), None, "carol").unwrap(), None, "twice is fine");
        // The root may be switched off too.
        store.set_folder_setting(&FolderPath::root(), Some(FolderFlag::Disabled), "carol").unwrap();
        assert_eq!(store.resolve_folder(&path("/x/y")).unwrap(), Effective { enabled: false, set_on: Some("/".into()) });
        assert!(matches!(store.set_folder_setting(&path("/a"), Some(FolderFlag::Enabled), ""), Err(StoreError::BadValue(_))));
    }
}
