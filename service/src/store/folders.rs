//! Folder settings: smart tagging, and face and person detection, switched on or off for a folder
//! (and, by inheritance, the folders below it). A folder without a row, or a row that leaves a
//! switch NULL, inherits; `smart_tags_core::workflow::resolve` decides from the rows of the
//! folder's ancestors.
//!
//! Changing a folder's people switch changes what its assets may show (the people tags and the
//! taxonomy tags they support): the predictions of the assets in that folder and below are marked
//! stale (`trained_version = -1`), so the apply pass (`training::apply`) makes them again from
//! their stored outputs under the new setting, and a tagging of the same bytes does not reuse
//! them. Moving an asset to another folder does the same for that asset.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use smart_tags_core::workflow::{resolve, FolderChoice, FolderFlag, FolderPath, OwnSettings, Resolution};

use super::{check_actor, now, AssetKey, SqlEnum, Store, StoreError};

impl SqlEnum for FolderFlag {
    const ALL: &'static [FolderFlag] = &[FolderFlag::Enabled, FolderFlag::Disabled];
    fn as_str(self) -> &'static str {
        FolderFlag::as_str(self)
    }
}

/// The trained version that marks a prediction to be made again (no set of models has it).
pub(crate) const STALE_TRAINED_VERSION: i64 = -1;

/// One folder's own settings (`null`: that switch is inherited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FolderSetting {
    pub path: String,
    pub smart_tags: Option<FolderFlag>,
    pub people: Option<FolderFlag>,
    pub actor: String,
    /// RFC 3339, UTC.
    pub at: String,
}

impl FolderSetting {
    pub fn own(&self) -> OwnSettings {
        OwnSettings { smart_tags: self.smart_tags, people: self.people }
    }
}

/// What a change of a folder's settings did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderChanged {
    /// The row now stored (`None`: the folder inherits everything).
    pub setting: Option<FolderSetting>,
    /// Stored predictions marked to be made again (the people switch changed for their folder).
    pub stale: u64,
}

fn flag(row: &rusqlite::Row<'_>, index: usize) -> Result<Option<FolderFlag>, StoreError> {
    row.get::<_, Option<String>>(index)?.map(|f| FolderFlag::parse_stored(&f)).transpose()
}

fn read_setting(row: &rusqlite::Row<'_>) -> Result<FolderSetting, StoreError> {
    Ok(FolderSetting {
        path: row.get(0)?,
        smart_tags: flag(row, 1)?,
        people: flag(row, 2)?,
        actor: row.get(3)?,
        at: row.get(4)?,
    })
}

/// Marks one asset's prediction stale; answers how many were (0 without a prediction).
pub(crate) fn mark_asset_stale(tx: &rusqlite::Transaction<'_>, key: AssetKey) -> Result<usize, StoreError> {
    Ok(tx.execute(
        "UPDATE predictions SET trained_version = ?2 WHERE asset_key = ?1",
        params![key.0, STALE_TRAINED_VERSION],
    )?)
}

/// Marks stale the predictions of the assets in `folder` and every folder below it.
fn mark_folder_stale(tx: &rusqlite::Transaction<'_>, folder: &FolderPath) -> Result<u64, StoreError> {
    // The folders below `/a` start with `/a/`; below the root, every folder.
    let below = match folder.as_str() {
        "/" => "/".to_owned(),
        path => format!("{path}/"),
    };
    // Assets without a folder are in the root for the people switch.
    let marked = tx.execute(
        "UPDATE predictions SET trained_version = ?3
         WHERE trained_version != ?3
           AND asset_key IN (SELECT key FROM assets WHERE folder = ?1 OR substr(folder, 1, length(?2)) = ?2 OR (?1 = '/' AND folder IS NULL))",
        params![folder.as_str(), below, STALE_TRAINED_VERSION],
    )?;
    Ok(u64::try_from(marked).unwrap_or(0))
}

impl Store {
    /// Every folder with its own settings, by path.
    pub fn folder_settings(&self) -> Result<Vec<FolderSetting>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT path, smart_tags, people, actor, at FROM folder_settings ORDER BY path")?;
            let mut rows = stmt.query([])?;
            let mut settings = Vec::new();
            while let Some(row) = rows.next()? {
                settings.push(read_setting(row)?);
            }
            Ok(settings)
        })
    }

    /// Changes a folder's own settings: each switch given is set, or (`inherit`) cleared so the
    /// folder takes its parent's again; a switch not given stays as it is. A row left setting
    /// nothing is deleted. A change of the people switch marks the predictions below stale.
    pub fn set_folder_settings(
        &self,
        path: &FolderPath,
        smart_tags: Option<FolderChoice>,
        people: Option<FolderChoice>,
        actor: &str,
    ) -> Result<FolderChanged, StoreError> {
        check_actor(actor)?;
        let changed = self.write(|tx| {
            let before = tx
                .query_row("SELECT path, smart_tags, people, actor, at FROM folder_settings WHERE path = ?1", [path.as_str()], |row| Ok(read_setting(row)))
                .optional()?
                .transpose()?;
            let own = before.as_ref().map(FolderSetting::own).unwrap_or_default();
            let after = own.changed(smart_tags, people);
            let stale = if after.people != own.people { mark_folder_stale(tx, path)? } else { 0 };
            if after.is_empty() {
                tx.execute("DELETE FROM folder_settings WHERE path = ?1", [path.as_str()])?;
                return Ok(FolderChanged { setting: None, stale });
            }
            if before.is_some() && after == own {
                return Ok(FolderChanged { setting: before, stale });
            }
            let at = now(tx)?;
            let text = |flag: Option<FolderFlag>| flag.map(SqlEnum::as_str);
            tx.execute(
                "INSERT INTO folder_settings (path, smart_tags, people, actor, at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (path) DO UPDATE SET smart_tags = excluded.smart_tags, people = excluded.people, actor = excluded.actor, at = excluded.at",
                params![path.as_str(), text(after.smart_tags), text(after.people), actor, at],
            )?;
            let setting = FolderSetting { path: path.as_str().to_owned(), smart_tags: after.smart_tags, people: after.people, actor: actor.to_owned(), at };
            Ok(FolderChanged { setting: Some(setting), stale })
        })?;
        if changed.stale > 0 {
            self.note_stale_marks();
        }
        Ok(changed)
    }

    /// Marks one asset's prediction stale (the apply pass's watcher is told).
    pub fn mark_prediction_stale(&self, key: AssetKey) -> Result<(), StoreError> {
        let marked = self.write(|tx| mark_asset_stale(tx, key))?;
        if marked > 0 {
            self.note_stale_marks();
        }
        Ok(())
    }

    /// The DAM folder stored for an asset, if any.
    pub fn asset_folder(&self, key: AssetKey) -> Result<Option<String>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row("SELECT folder FROM assets WHERE key = ?1", [key.0], |row| row.get(0))
                .optional()?
                .flatten())
        })
    }

    /// Every switch of a folder, each from its own setting or its nearest ancestor's that sets it.
    pub fn resolve_folder(&self, path: &FolderPath) -> Result<Resolution, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT smart_tags, people FROM folder_settings WHERE path = ?1")?;
            let mut settings = BTreeMap::new();
            for folder in path.ancestors() {
                let mut rows = stmt.query([folder])?;
                while let Some(row) = rows.next()? {
                    settings
                        .insert(folder.to_owned(), OwnSettings { smart_tags: flag(row, 0)?, people: flag(row, 1)? });
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
    use crate::store::{AssetKey, NewPrediction};
    use smart_tags_core::workflow::Effective;

    fn path(text: &str) -> FolderPath {
        FolderPath::parse(text).unwrap()
    }

    fn set(
        store: &Store,
        folder: &str,
        smart_tags: Option<FolderChoice>,
        people: Option<FolderChoice>,
        actor: &str,
    ) -> FolderChanged {
        store.set_folder_settings(&path(folder), smart_tags, people, actor).unwrap()
    }

    use FolderChoice::{Disabled, Enabled, Inherit};

    #[test]
    fn settings_are_set_inherited_and_deleted() {
        let (dir, store) = temp_store();
        assert_eq!(store.resolve_folder(&path("/a/b")).unwrap(), Resolution::by_default());
        set(&store, "/a", Some(Disabled), None, "alice");
        let row = set(&store, "/a/b/c", Some(Enabled), None, "bob").setting.unwrap();
        assert_eq!(
            (row.path.as_str(), row.smart_tags, row.people, row.actor.as_str()),
            ("/a/b/c", Some(FolderFlag::Enabled), None, "bob")
        );
        assert_eq!(
            store.resolve_folder(&path("/a/b")).unwrap().smart_tags,
            Effective { enabled: false, set_on: Some("/a".into()) }
        );
        assert_eq!(
            store.resolve_folder(&path("/a/b/c/d")).unwrap().smart_tags,
            Effective { enabled: true, set_on: Some("/a/b/c".into()) }
        );
        assert!(store.resolve_folder(&path("/ab")).unwrap().smart_tags.enabled);
        // Changing a setting replaces it.
        set(&store, "/a", Some(Enabled), None, "carol");
        assert!(store.resolve_folder(&path("/a/b")).unwrap().smart_tags.enabled);
        set(&store, "/a", Some(Disabled), None, "carol");
        drop(store);
        let store = Store::open(&dir.path().join("data/smart-tags.sqlite3")).unwrap();
        let listed: Vec<(String, Option<FolderFlag>)> =
            store.folder_settings().unwrap().into_iter().map(|s| (s.path, s.smart_tags)).collect();
        assert_eq!(
            listed,
            [("/a".to_owned(), Some(FolderFlag::Disabled)), ("/a/b/c".to_owned(), Some(FolderFlag::Enabled))]
        );
        // Inherit: the row goes and the parent's (none) applies.
        assert_eq!(set(&store, "/a", Some(Inherit), None, "carol").setting, None);
        assert_eq!(store.resolve_folder(&path("/a/b")).unwrap().smart_tags, Effective { enabled: true, set_on: None });
        assert_eq!(set(&store, "/a", Some(Inherit), None, "carol").setting, None, "twice is fine");
        // The root may be switched off too.
        set(&store, "/", Some(Disabled), None, "carol");
        assert_eq!(
            store.resolve_folder(&path("/x/y")).unwrap().smart_tags,
            Effective { enabled: false, set_on: Some("/".into()) }
        );
        assert!(matches!(
            store.set_folder_settings(&path("/a"), Some(Enabled), None, ""),
            Err(StoreError::BadValue(_))
        ));
    }

    #[test]
    fn the_people_switch_is_kept_beside_smart_tagging() {
        let (_dir, store) = temp_store();
        set(&store, "/hr", Some(Enabled), Some(Disabled), "alice");
        // A change of one switch leaves the other.
        let row = set(&store, "/hr", Some(Inherit), None, "bob").setting.unwrap();
        assert_eq!((row.smart_tags, row.people, row.actor.as_str()), (None, Some(FolderFlag::Disabled), "bob"));
        let resolved = store.resolve_folder(&path("/hr/badges")).unwrap();
        assert_eq!(resolved.people, Effective { enabled: false, set_on: Some("/hr".into()) });
        assert_eq!(resolved.smart_tags, Effective::by_default());
        // Both inherited: the row goes.
        assert_eq!(set(&store, "/hr", None, Some(Inherit), "bob").setting, None);
        assert!(store.folder_settings().unwrap().is_empty());
    }

    #[test]
    fn a_people_change_marks_the_predictions_below_stale() {
        let (_dir, store) = temp_store();
        let mut keys = Vec::new();
        for (i, folder) in ["/hr", "/hr/badges", "/hrx", "/marketing"].into_iter().enumerate() {
            let key = store.resolve_asset(Some(&format!("{i:064x}")), Some(&format!("a{i}"))).unwrap();
            store.set_folder(key, folder).unwrap();
            let prediction = NewPrediction {
                content_hash: Some(format!("{i:064x}")),
                model_version: "m".into(),
                taxonomy_version: 0,
                settings_version: 0,
                trained_version: 3,
                tags: Vec::new(),
            };
            store.save_prediction(key, &prediction).unwrap();
            keys.push(key);
        }
        let trained = |key: AssetKey| store.prediction(key).unwrap().unwrap().trained_version;
        // Smart tagging alone changes no prediction.
        assert_eq!(set(&store, "/hr", Some(Disabled), None, "alice").stale, 0);
        assert_eq!(store.stale_marks(), 0);
        assert_eq!(set(&store, "/hr", None, Some(Disabled), "alice").stale, 2, "/hr and /hr/badges, not /hrx");
        assert_eq!(store.stale_marks(), 1, "the apply pass's watcher is told");
        assert_eq!(
            keys.iter().map(|k| trained(*k)).collect::<Vec<_>>(),
            [STALE_TRAINED_VERSION, STALE_TRAINED_VERSION, 3, 3]
        );
        assert_eq!(
            set(&store, "/hr", None, Some(Disabled), "alice").stale,
            0,
            "the same setting again changes nothing"
        );
        // The root reaches every folder and the assets without one; marked ones stay marked.
        let loose = store.resolve_asset(Some(&"f".repeat(64)), Some("no-folder")).unwrap();
        let prediction = NewPrediction {
            content_hash: Some("f".repeat(64)),
            model_version: "m".into(),
            taxonomy_version: 0,
            settings_version: 0,
            trained_version: 3,
            tags: Vec::new(),
        };
        store.save_prediction(loose, &prediction).unwrap();
        assert_eq!(set(&store, "/", None, Some(Enabled), "alice").stale, 3);
        assert_eq!((trained(keys[3]), trained(loose)), (STALE_TRAINED_VERSION, STALE_TRAINED_VERSION));
        assert_eq!(store.asset_folder(keys[1]).unwrap().as_deref(), Some("/hr/badges"));
        assert_eq!(store.asset_folder(loose).unwrap(), None);
    }
}
