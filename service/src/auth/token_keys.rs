//! The access-token signing keys, kept out of the database: a file of their own beside it,
//! `<data-dir>/token-keys.json`, 0600 in a 0700 directory, so a copy of the database (a backup,
//! a replica's snapshot) cannot mint access tokens.
//!
//! The newest key signs; every key verifies. `smart-tags-service token-key rotate` puts a new
//! key first; the older ones keep verifying for [`OVERLAP_SECONDS`] after their successor was
//! made (the longest access-token lifetime), so no token in flight is refused, and are dropped
//! by a later rotation. A running service sees a rotation at its next signing (it compares the
//! file's modification time) or at the first token signed with a key it does not know.
//!
//! Keys left in the database by an older version move to the file at first use, then are
//! deleted from the database; tokens they signed keep verifying. A store in memory (tests) keeps
//! its keys in memory.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::store::integrations::TokenKey;
use crate::store::{Store, StoreError};

/// The key file's name in the data directory.
pub const FILE_NAME: &str = "token-keys.json";
/// How long a replaced key still verifies: the longest access-token lifetime.
pub const OVERLAP_SECONDS: i64 = 86_400;
/// Bytes of a new HMAC-SHA256 key.
const KEY_BYTES: usize = 32;

#[derive(Debug, Serialize, Deserialize)]
struct KeyFile {
    version: u32,
    /// Newest first.
    keys: Vec<StoredKey>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredKey {
    kid: String,
    /// base64url, no padding.
    key: String,
    created_at: i64,
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rotation {
    /// The new signing key's id.
    pub signing: String,
    /// Every key that still verifies, newest first (the new one included).
    pub verifying: Vec<String>,
    /// Keys dropped because every token they signed has expired.
    pub dropped: Vec<String>,
}

/// Where the keys are: a file, or memory for a store in memory.
#[derive(Debug)]
pub struct TokenKeys {
    path: Option<PathBuf>,
    memory: Mutex<Vec<TokenKey>>,
}

fn file_error(path: &Path, message: impl std::fmt::Display) -> StoreError {
    StoreError::TokenKeys { path: path.to_owned(), message: message.to_string() }
}

fn new_key(now: i64) -> Result<TokenKey, StoreError> {
    let random = |n| smart_tags_credentials::secret::random_bytes(n).map_err(|e| StoreError::BadValue(e.to_string()));
    Ok(TokenKey { kid: smart_tags_credentials::hex(&random(8)?), key: random(KEY_BYTES)?, created_at: now })
}

impl TokenKeys {
    /// The key file beside `store`'s database, or memory when the store has no file.
    pub fn beside(store: &Store) -> TokenKeys {
        let path = store.path().map(|db| db.parent().unwrap_or(Path::new(".")).join(FILE_NAME));
        TokenKeys { path, memory: Mutex::new(Vec::new()) }
    }

    /// The key file, when there is one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// When the key file last changed (`None` without one).
    pub fn modified(&self) -> Option<SystemTime> {
        self.path.as_ref().and_then(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
    }

    /// Every key, newest first; empty before the first one is made.
    pub fn load(&self) -> Result<Vec<TokenKey>, StoreError> {
        let Some(path) = &self.path else {
            return Ok(self.memory.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone());
        };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(file_error(path, e)),
        };
        let file: KeyFile =
            serde_json::from_slice(&bytes).map_err(|e| file_error(path, format!("not a key file: {e}")))?;
        if file.version != 1 {
            return Err(file_error(path, format!("key file version {} is not known", file.version)));
        }
        file.keys
            .into_iter()
            .map(|k| {
                let key =
                    URL_SAFE_NO_PAD.decode(&k.key).map_err(|e| file_error(path, format!("key {}: {e}", k.kid)))?;
                if key.len() < KEY_BYTES {
                    return Err(file_error(path, format!("key {} is shorter than {KEY_BYTES} bytes", k.kid)));
                }
                Ok(TokenKey { kid: k.kid, key, created_at: k.created_at })
            })
            .collect()
    }

    /// The signing key: the newest one, else the ones an older version left in the database
    /// (moved here), else a new one. Two processes starting at once agree on the key: the file
    /// is created only when absent, and the loser reads the winner's.
    pub fn current(&self, store: &Store, now: i64) -> Result<TokenKey, StoreError> {
        if let Some(key) = self.load()?.into_iter().next() {
            return Ok(key);
        }
        // Keys an older version kept in the database are in every backup of it: a fresh key signs
        // from now on, and they only verify the tokens they signed, for the overlap.
        let from_database = store.token_keys()?;
        let moved = !from_database.is_empty();
        let mut keys = vec![new_key(now)?];
        keys.extend(from_database);
        self.write(&keys, true)?;
        if moved {
            store.forget_token_keys()?;
            tracing::info!(file = ?self.path, "the access-token keys moved out of the database into their key file");
        }
        self.load()?.into_iter().next().ok_or_else(|| StoreError::BadValue("the token key file is empty".to_owned()))
    }

    /// Whether the key at `index` of `keys` (newest first) still verifies at `now`: the newest
    /// always, a replaced one until [`OVERLAP_SECONDS`] after its successor was made.
    pub fn verifies(keys: &[TokenKey], index: usize, now: i64) -> bool {
        index == 0 || keys.get(index - 1).is_some_and(|successor| successor.created_at + OVERLAP_SECONDS > now)
    }

    /// Puts a new key first; drops the keys whose successor is older than [`OVERLAP_SECONDS`].
    pub fn rotate(&self, store: &Store, now: i64) -> Result<Rotation, StoreError> {
        self.current(store, now)?;
        let mut keys = self.load()?;
        keys.insert(0, new_key(now)?);
        let mut dropped = Vec::new();
        let mut kept: Vec<TokenKey> = Vec::with_capacity(keys.len());
        for key in keys {
            match kept.last() {
                Some(successor) if successor.created_at + OVERLAP_SECONDS <= now => dropped.push(key.kid),
                _ => kept.push(key),
            }
        }
        self.write(&kept, false)?;
        Ok(Rotation { signing: kept[0].kid.clone(), verifying: kept.iter().map(|k| k.kid.clone()).collect(), dropped })
    }

    /// Writes `keys`, 0600, through a temporary file: renamed over the old file, or — when
    /// `only_if_absent` — linked into place only if no file is there yet.
    fn write(&self, keys: &[TokenKey], only_if_absent: bool) -> Result<(), StoreError> {
        let Some(path) = &self.path else {
            let mut memory = self.memory.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if !only_if_absent || memory.is_empty() {
                *memory = keys.to_vec();
            }
            return Ok(());
        };
        let file = KeyFile {
            version: 1,
            keys: keys
                .iter()
                .map(|k| StoredKey {
                    kid: k.kid.clone(),
                    key: URL_SAFE_NO_PAD.encode(&k.key),
                    created_at: k.created_at,
                })
                .collect(),
        };
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| file_error(path, e))?;
        let suffix = smart_tags_credentials::secret::random_bytes(6)
            .map(|b| smart_tags_credentials::hex(&b))
            .map_err(|e| StoreError::BadValue(e.to_string()))?;
        let partial = path.with_extension(format!("partial-{suffix}"));
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(crate::store::private::FILE_MODE)
            .open(&partial)
            .and_then(|mut f| f.write_all(&bytes).and_then(|()| f.sync_all()));
        let placed = written.and_then(|()| {
            if only_if_absent {
                std::fs::hard_link(&partial, path)
            } else {
                std::fs::rename(&partial, path)
            }
        });
        let _ = std::fs::remove_file(&partial);
        match placed {
            Ok(()) => Ok(()),
            Err(e) if only_if_absent && e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(file_error(path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data/smart-tags.sqlite3")).unwrap();
        (dir, store)
    }

    #[test]
    fn the_key_is_made_once_in_a_private_file_and_not_in_the_database() {
        let (dir, store) = store();
        let keys = TokenKeys::beside(&store);
        let first = keys.current(&store, 100).unwrap();
        assert_eq!(keys.current(&store, 200).unwrap(), first, "made once");
        assert_eq!(
            TokenKeys::beside(&store).current(&store, 300).unwrap(),
            first,
            "another process reads the same key"
        );
        let file = dir.path().join("data").join(FILE_NAME);
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(store.token_keys().unwrap().is_empty(), "nothing in the database");
        assert!(!std::fs::read_to_string(&file).unwrap().is_empty());
    }

    #[test]
    fn keys_an_older_version_left_in_the_database_move_to_the_file() {
        let (dir, store) = store();
        let conn = rusqlite::Connection::open(dir.path().join("data/smart-tags.sqlite3")).unwrap();
        let old = vec![0x42u8; 32];
        conn.execute("INSERT INTO token_keys (kid, key, created_at) VALUES ('old1', ?1, 5)", [&old]).unwrap();
        let keys = TokenKeys::beside(&store);
        let current = keys.current(&store, 100).unwrap();
        assert_ne!(current.kid, "old1", "a key every old backup holds never signs again");
        let all = keys.load().unwrap();
        assert_eq!(
            (all[1].kid.as_str(), all[1].key.as_slice(), all[1].created_at),
            ("old1", old.as_slice(), 5),
            "it still verifies what it signed"
        );
        assert!(TokenKeys::verifies(&all, 1, 100 + OVERLAP_SECONDS - 1));
        assert!(!TokenKeys::verifies(&all, 1, 100 + OVERLAP_SECONDS), "only for the overlap");
        assert!(store.token_keys().unwrap().is_empty(), "deleted from the database once in the file");
    }

    #[test]
    fn a_rotation_signs_with_a_new_key_and_drops_old_ones_only_after_the_overlap() {
        let (_dir, store) = store();
        let keys = TokenKeys::beside(&store);
        let first = keys.current(&store, 1_000).unwrap();
        let second = keys.rotate(&store, 2_000).unwrap();
        assert_eq!(second.verifying, [second.signing.clone(), first.kid.clone()]);
        assert!(second.dropped.is_empty());
        assert_eq!(keys.current(&store, 2_001).unwrap().kid, second.signing, "the new key signs");
        // The first key's successor is OVERLAP_SECONDS old: every token the first signed expired.
        let third = keys.rotate(&store, 2_000 + OVERLAP_SECONDS).unwrap();
        assert_eq!(third.verifying, [third.signing.clone(), second.signing.clone()]);
        assert_eq!(third.dropped, [first.kid]);
    }

    #[test]
    fn a_damaged_key_file_is_an_error_not_a_new_key() {
        let (dir, store) = store();
        std::fs::write(
            dir.path().join("data").join(FILE_NAME),
            b"{\"version\":1,\"keys\":[{\"kid\":\"k\",\"key\":\"c2hvcnQ\",\"created_at\":1}]}",
        )
        .unwrap();
        let err = TokenKeys::beside(&store).current(&store, 5).unwrap_err();
        assert!(err.to_string().contains("shorter than 32 bytes"), "{err}");
    }
}
