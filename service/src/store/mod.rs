//! The service's SQLite store: the taxonomy with its change log, taxonomy -> WordNet concept links,
//! assets with their predictions and moderation, and settings.
//!
//! One file per area: [`taxonomy`], [`links`], [`assets`], [`model_outputs`] (class
//! probabilities kept for re-tagging), [`search`] (the search index and its queries), [`settings`], [`training`], [`workflow`] (the auto-tagging
//! workflow), [`folders`] (smart tagging and face detection on or off per folder), [`integrations`] (the
//! authorization server's clients and keys); the schema lives in
//! [`migrations`]. [`Store`] holds one connection behind a mutex; every call is synchronous, so
//! async code calls it on the blocking pool (`tokio::task::spawn_blocking`). Each mutation is one
//! transaction: it either happens whole or not at all.
//!
//! # Versions
//! - The **taxonomy version** is the number of the last row of the change log (0 for a store that
//!   never changed). Tag changes *and* concept-link changes write a row, so it is also the version
//!   of the tag -> concept mapping: a prediction made under an older taxonomy version is stale.
//! - The **settings version** is bumped by every settings write (thresholds).
//! - The **trained version** is bumped whenever the set of active trained model versions changes
//!   ([`training`]).
//!
//! A stored prediction records both, with the model version and the content hash; see
//! [`assets::StoredPrediction::is_current`].

pub mod assets;
pub mod behind;
pub mod content_inputs;
pub mod detections;
pub mod embeddings;
pub mod folders;
pub mod integrations;
pub mod links;
pub mod migrations;
pub mod model_outputs;
pub mod private;
pub mod scan;
pub mod search;
pub mod settings;
pub mod storage;
pub mod taxonomy;
pub mod training;
pub mod workflow;

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::Serialize;
use smart_tags_core::taxonomy::ImportReport;

pub use assets::{
    AssetKey, AssetListing, AssetView, ModerationAction, ModerationEntry, NewPrediction, StoredPrediction, StoredTag,
    TagAction,
};
pub use folders::FolderSetting;
pub use integrations::{
    Credential, Integration, IntegrationStatus, NewCertificate, NewIntegration, StoredCertificate, StoredSecret,
    TokenKey,
};
pub use links::{Link, LinkMethod, LinkState, NewLink};
pub use settings::Thresholds;
pub use taxonomy::{Change, ChangeOp, ImportMode, ImportSummary, TagPatch};
pub use training::{
    is_scene_model, AddedExamples, ExampleOrigin, Job, JobStatus, ModelVersion, NewExample, NewVersion, StoredExample,
    TagModel, VersionOrigin,
};
pub use workflow::StoredWorkflow;

/// How long a statement waits for another connection's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest actor name accepted, in bytes.
pub const MAX_ACTOR_LEN: usize = 200;

/// Every way a store call can fail. Messages are lowercase and safe to show to an admin, except
/// [`StoreError::Database`], [`StoreError::Corrupt`] and the open errors, which belong in the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot make {path} private to this user: {source}")]
    Permissions { path: PathBuf, source: std::io::Error },
    #[error("the access-token key file {path}: {message}")]
    TokenKeys { path: PathBuf, message: String },
    #[error("cannot open the database {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("the database {path} cannot use write-ahead logging (journal mode {mode}): put the data directory on a local file system")]
    NoWal { path: PathBuf, mode: String },
    #[error("the database has schema version {found} but this build knows only up to {supported}: run a newer smart-tags-service")]
    TooNew { found: i64, supported: i64 },
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("the database holds data this build cannot read: {0}")]
    Corrupt(String),
    #[error("unknown tag {0}")]
    UnknownTag(String),
    #[error("tag {0} already exists")]
    TagExists(String),
    #[error("tag {0} has children: move or delete them first, or delete recursively")]
    HasChildren(String),
    #[error("{0}")]
    Invalid(ImportReport),
    #[error("{0}")]
    BadValue(String),
    #[error("tag {tag} has no link to concept {concept}")]
    UnknownLink { tag: String, concept: String },
    #[error("unknown asset")]
    UnknownAsset,
    #[error("{count} assets hold these bytes: name one with its asset_id")]
    AmbiguousContent { count: i64 },
    #[error("tag {tag} is not among the asset's smart tags")]
    NotPredicted { tag: String },
    #[error("unknown tag model {0}")]
    UnknownModel(String),
    #[error("tag model {model} has no version {version}")]
    UnknownVersion { model: String, version: i64 },
    #[error(
        "version {version} of {model} is the active one: activate another version (or deactivate the model) first"
    )]
    VersionActive { model: String, version: i64 },
    #[error("tag model {model} is already training (job {job})")]
    JobRunning { model: String, job: i64 },
    #[error("tag model {0} is built in and cannot be deleted: deactivate it to switch its tags off, or activate another version to roll back")]
    BuiltInModel(String),
    #[error("unknown training job {0}")]
    UnknownJob(i64),
    #[error("unknown integration {0}")]
    UnknownIntegration(String),
    #[error("integration {0} is revoked")]
    IntegrationRevoked(String),
    #[error("the integration has no certificate {0}")]
    UnknownCertificate(String),
    #[error("certificate {0} is already registered for this integration")]
    CertificateExists(String),
    #[error("an integration keeps at least one certificate: add its replacement first")]
    LastCertificate,
    #[error(
        "integration {0} is an oauth server-to-server credential: it has no certificates (a jwt integration does)"
    )]
    NotJwtIntegration(String),
}

/// The store: one SQLite connection, shared by every caller in turn.
pub struct Store {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
    /// How many writes of this process marked predictions stale (`folders`): the apply pass's
    /// watcher starts a pass when it moves.
    stale_marks: std::sync::atomic::AtomicU64,
    /// The last storage probe and when it ran ([`storage`]).
    storage_probe: Mutex<Option<(std::time::Instant, storage::StorageHealth)>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

/// The versions a prediction depends on besides the model and the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Versions {
    pub taxonomy: i64,
    pub settings: i64,
    /// Bumped whenever the set of active trained model versions changes.
    pub trained: i64,
}

impl Store {
    /// Opens (creating it and its parent directory if needed) the database file at `path`, in WAL
    /// mode with foreign keys on, and brings its schema up to date. The database holds the
    /// integrations' secret hashes and the access-token keys, so its directory is made 0700 and
    /// the database with its WAL and shared-memory files 0600 (`private`), on creation and, for
    /// an installation made before, on every open.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(private::DIR_MODE)
                .create(parent)
                .map_err(|source| StoreError::CreateDir { path: parent.to_owned(), source })?;
            private::restrict_dir(parent)
                .map_err(|source| StoreError::Permissions { path: parent.to_owned(), source })?;
        }
        let open_error = |source| StoreError::Open { path: path.to_owned(), source };
        let conn = Connection::open(path).map_err(open_error)?;
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)).map_err(open_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::NoWal { path: path.to_owned(), mode });
        }
        private::restrict_database(path).map_err(|source| StoreError::Permissions { path: path.to_owned(), source })?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(open_error)?;
        Store::finish_open(conn, Some(path.to_owned()))
    }

    /// A store in memory, gone when dropped: for tests and callers that need no persistence.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()
            .map_err(|source| StoreError::Open { path: PathBuf::from(":memory:"), source })?;
        Store::finish_open(conn, None)
    }

    fn finish_open(mut conn: Connection, path: Option<PathBuf>) -> Result<Store, StoreError> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        migrations::migrate(&mut conn)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path,
            stale_marks: std::sync::atomic::AtomicU64::new(0),
            storage_probe: Mutex::new(None),
        })
    }

    /// How many writes of this process have marked predictions stale so far.
    pub fn stale_marks(&self) -> u64 {
        self.stale_marks.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn note_stale_marks(&self) {
        self.stale_marks.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }

    /// The database file; `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The taxonomy and settings versions, read together.
    pub fn versions(&self) -> Result<Versions, StoreError> {
        self.read(|conn| {
            Ok(Versions {
                taxonomy: taxonomy::version(conn)?,
                settings: settings::version(conn)?,
                trained: training::trained_version(conn)?,
            })
        })
    }

    /// The schema version of the open database (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.read(|conn| Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?))
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a call drops its transaction, which rolls back: the connection is sound.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the connection (reads).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        f(&self.lock())
    }

    /// Runs `f` in one write transaction, committed only when `f` succeeds.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

/// The current time as RFC 3339 UTC with milliseconds, e.g. `2026-05-01T12:00:00.123Z`.
fn now(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |row| row.get(0))?)
}

/// Who made a change: non-empty, at most [`MAX_ACTOR_LEN`] bytes, no control characters.
pub fn check_actor(actor: &str) -> Result<(), StoreError> {
    if actor.trim().is_empty() || actor.len() > MAX_ACTOR_LEN || actor.chars().any(char::is_control) {
        return Err(StoreError::BadValue(format!(
            "the actor must be 1 to {MAX_ACTOR_LEN} bytes without control characters"
        )));
    }
    Ok(())
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("cannot serialize: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("bad {what}: {e}")))
}

/// Text values stored in CHECK-constrained columns.
trait SqlEnum: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn parse_stored(text: &str) -> Result<Self, StoreError> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == text)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown value {text:?}")))
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::Store;

    /// A store in a real file in a fresh temporary directory (kept alive by the returned guard).
    pub(crate) fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data/smart-tags.sqlite3")).unwrap();
        (dir, store)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::temp_store;
    use super::*;

    #[test]
    fn opens_a_wal_file_and_migrates_once() {
        let (dir, store) = temp_store();
        let path = dir.path().join("data/smart-tags.sqlite3");
        assert!(path.is_file());
        assert_eq!(store.schema_version().unwrap(), migrations::SCHEMA_VERSION);
        let mode: String = store.read(|c| Ok(c.pragma_query_value(None, "journal_mode", |r| r.get(0))?)).unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store.read(|c| Ok(c.pragma_query_value(None, "foreign_keys", |r| r.get(0))?)).unwrap();
        assert_eq!(fk, 1);
        drop(store);
        // Reopening applies nothing again (the tables exist: a second CREATE TABLE would fail).
        let again = Store::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), migrations::SCHEMA_VERSION);
        assert_eq!(again.versions().unwrap(), Versions { taxonomy: 0, settings: 0, trained: 0 });
    }

    #[test]
    fn migration_4_keeps_older_predictions_counted_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        {
            // A database as the build before the workflow left it: schema 3, one tagged asset.
            let conn = Connection::open(&path).unwrap();
            for script in &migrations::MIGRATIONS[..3] {
                conn.execute_batch(script).unwrap();
            }
            conn.pragma_update(None, "user_version", 3).unwrap();
            conn.execute_batch(
                "INSERT INTO assets (key, content_hash, asset_id, created_at, updated_at) VALUES (1, 'h', 'dam-1', 't', 't');
                 INSERT INTO predictions (asset_key, content_hash, model_version, taxonomy_version, settings_version, tags, created_at)
                 VALUES (1, 'h', 'm', 0, 0, '[]', '2026-01-01T00:00:00.000Z');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::SCHEMA_VERSION);
        let view = store.asset(AssetKey(1)).unwrap();
        assert_eq!((view.folder, view.prediction.unwrap().inference_count), (None, 1));
        let age = store.prediction_age_seconds(AssetKey(1)).unwrap().unwrap();
        assert!(age > 24 * 3600, "made on 2026-01-01: {age} s ago");
        assert_eq!(
            store.model_output("h", "m").unwrap(),
            None,
            "older predictions have no stored output: a re-tag needs the image"
        );
        assert_eq!(store.workflow().unwrap().version, 0);
        assert!(store.folder_settings().unwrap().is_empty());
    }

    #[test]
    fn migration_7_lets_ids_share_bytes_and_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.sqlite3");
        {
            // A database as the build before asset identity left it: schema 6, foreign keys on.
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", "ON").unwrap();
            for script in &migrations::MIGRATIONS[..6] {
                conn.execute_batch(script).unwrap();
            }
            conn.pragma_update(None, "user_version", 6).unwrap();
            conn.execute_batch(
                "INSERT INTO assets (key, content_hash, asset_id, created_at, updated_at, folder) VALUES (7, 'h', 'dam-1', 't', 't', '/a');
                 INSERT INTO assets (key, content_hash, asset_id, created_at, updated_at) VALUES (8, 'g', NULL, 't', 't');
                 INSERT INTO predictions (asset_key, content_hash, model_version, taxonomy_version, settings_version, tags, created_at)
                 VALUES (7, 'h', 'm', 0, 0, '[]', '2026-01-01T00:00:00.000Z');
                 INSERT INTO moderation (asset_key, tag_id, action, actor, at) VALUES (7, 'wordnet:n02121808', 'removed', 'alice', 't');",
            )
            .unwrap();
            assert!(conn.execute("INSERT INTO assets (content_hash, asset_id, created_at, updated_at) VALUES ('h', 'dam-2', 't', 't')", []).is_err());
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), migrations::SCHEMA_VERSION);
        let fk: i64 = store.read(|c| Ok(c.pragma_query_value(None, "foreign_keys", |r| r.get(0))?)).unwrap();
        assert_eq!(fk, 1, "foreign keys are on again after migrating");
        let old = store.asset(AssetKey(7)).unwrap();
        assert_eq!(
            (old.asset_id.as_deref(), old.folder.as_deref(), old.moderation.len()),
            (Some("dam-1"), Some("/a"), 1)
        );
        assert!(old.prediction.is_some(), "rebuilding the assets table cascades to no prediction");
        // Migration 8: a prediction scored before the whole-score calibration is stale.
        assert_eq!(old.prediction.as_ref().map(|p| p.settings_version), Some(-1));
        let second = store.resolve_asset(Some("h"), Some("dam-2")).unwrap();
        assert!(second != AssetKey(7) && second != AssetKey(8));
        assert_eq!(store.find_asset(Some("g"), None).unwrap(), Some(AssetKey(8)));
        // Still one asset without an id per hash.
        assert!(store
            .read(|c| Ok(
                c.execute("INSERT INTO assets (content_hash, created_at, updated_at) VALUES ('g', 't', 't')", [])?
            ))
            .is_err());
    }

    #[test]
    fn migration_9_indexes_what_older_stores_hold_once_caught_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v8.sqlite3");
        {
            // A database as the build before search left it: a tagged asset and a read sign.
            let conn = Connection::open(&path).unwrap();
            for script in &migrations::MIGRATIONS[..8] {
                conn.execute_batch(script).unwrap();
            }
            conn.pragma_update(None, "user_version", 8).unwrap();
            conn.execute_batch(
                r#"INSERT INTO assets (key, content_hash, asset_id, created_at, updated_at) VALUES (3, 'h', 'dam-3', 't', 't');
                 INSERT INTO predictions (asset_key, content_hash, model_version, taxonomy_version, settings_version, tags, created_at)
                 VALUES (3, 'h', 'm', 0, 0, '[{"id":"demo:animals/cats","title":"Cats","path":[],"confidence":0.9,"source":"taxonomy","model_version":"m"}]', 't');
                 INSERT INTO detections (content_hash, version, findings, created_at)
                 VALUES ('h', 'v', '{"text":{"version":"ocr","confidence":0.8,"words":[{"text":"Galleries","score":0.9}]}}', 't');"#,
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let terms = |tag: &str, word: Option<&str>| {
            vec![search::SearchTerm { tags: vec![tag.to_owned()], word: word.map(str::to_owned) }]
        };
        let found = |terms: &[search::SearchTerm]| store.search(terms, None, 10, |_| true).unwrap().hits.len();
        assert!(store.search_behind().unwrap());
        assert_eq!(found(&terms("demo:animals", None)), 0, "not indexed before the catch-up pass");
        assert_eq!(store.catch_up_search(100).unwrap(), 2, "one asset and one file");
        assert!(!store.search_behind().unwrap());
        assert_eq!(found(&terms("demo:animals", None)), 1);
        assert_eq!(found(&terms("none:x", Some("gallery"))), 1, "the words read before the upgrade");
    }

    #[test]
    fn migration_10_keeps_folder_settings_and_adds_the_people_switch() {
        use smart_tags_core::workflow::{FolderFlag, FolderPath};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v9.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            for script in &migrations::MIGRATIONS[..9] {
                conn.execute_batch(script).unwrap();
            }
            conn.pragma_update(None, "user_version", 9).unwrap();
            conn.execute_batch("INSERT INTO folder_settings (path, smart_tags, actor, at) VALUES ('/archive', 'disabled', 'alice', 't');").unwrap();
        }
        let store = Store::open(&path).unwrap();
        let rows = store.folder_settings().unwrap();
        assert_eq!(
            rows.iter().map(|r| (r.path.as_str(), r.smart_tags, r.people, r.actor.as_str())).collect::<Vec<_>>(),
            [("/archive", Some(FolderFlag::Disabled), None, "alice")]
        );
        let resolved = store.resolve_folder(&FolderPath::parse("/archive/2019").unwrap()).unwrap();
        assert!(!resolved.smart_tags.enabled && resolved.people.enabled);
        // A row must set one switch at least.
        assert!(store
            .read(|c| Ok(c.execute("INSERT INTO folder_settings (path, actor, at) VALUES ('/x', 'a', 't')", [])?))
            .is_err());
    }

    #[test]
    fn refuses_a_database_from_a_newer_build() {
        let (dir, store) = temp_store();
        store.read(|c| Ok(c.pragma_update(None, "user_version", migrations::SCHEMA_VERSION + 1)?)).unwrap();
        drop(store);
        let err = Store::open(&dir.path().join("data/smart-tags.sqlite3")).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
        assert!(err.to_string().contains("newer"), "{err}");
    }

    #[test]
    fn two_connections_to_one_file_take_turns() {
        use smart_tags_core::taxonomy::{Tag, TagId, Taxonomy};
        let (dir, first) = temp_store();
        let path = dir.path().join("data/smart-tags.sqlite3");
        let root = Taxonomy::new(vec![Tag::new(TagId::parse("animals:").unwrap(), "Animals")]).unwrap();
        first.import_taxonomy(&root, ImportMode::Replace, "alice").unwrap();
        let stores = [std::sync::Arc::new(first), std::sync::Arc::new(Store::open(&path).unwrap())];
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let store = std::sync::Arc::clone(&stores[t % 2]);
                std::thread::spawn(move || {
                    for i in 0..10 {
                        let tag = Tag::new(TagId::parse(&format!("animals:t{t}-{i}")).unwrap(), "Animal");
                        store.create_tag(tag, &format!("user-{t}")).unwrap();
                        store.taxonomy().unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(stores[1].taxonomy().unwrap().len(), 41);
        assert_eq!(stores[0].taxonomy_version().unwrap(), 41);
        let versions: Vec<i64> = stores[0].changes(0, 100).unwrap().iter().map(|c| c.version).collect();
        assert_eq!(versions, (1..=41).collect::<Vec<_>>());
    }

    #[test]
    fn checks_actors() {
        assert!(check_actor("alice@example.com").is_ok());
        for bad in ["", "  ", "a\nb", &"x".repeat(MAX_ACTOR_LEN + 1)] {
            assert!(check_actor(bad).is_err(), "{bad:?}");
        }
    }
}
