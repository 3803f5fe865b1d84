//! Which model input each file's shared outputs were made from: the trust model of content hashes.
//!
//! A browser sends the content hash of a file the service never sees, with the model input it
//! made from it: the hash is a claim. What is kept by hash and shared by every asset holding those
//! bytes — the class probabilities, the embedding (and its place in the similarity index) and the
//! detectors' findings — is therefore tied to the SHA-256 of the model input it came from, and
//! to whether the proxy hashed the bytes itself (its back-end API, actor `backend`: *verified*).
//! [`Sharing::of`] decides, per request:
//! - the stored outputs are **reused** only for the same model input (core preprocesses the same
//!   bytes to the same input in the browser and on the server, so an honest client always
//!   matches) — or, by a browser, for outputs stored before inputs were recorded;
//! - they are **written** (first run, a forced run) only when none are stored, when the input is
//!   the same, or when the request is verified: a browser can neither overwrite what another
//!   client stored under a hash nor, by claiming it first, make later honest uploads reuse its
//!   outputs; a verified upload of the real bytes replaces a claim made first.
//!
//! A request that may not write runs the model for its own asset only: its prediction is saved
//! without a content hash (the pixels it came from are not the stored ones), so it is never
//! reused, never re-made from the shared outputs, and the next upload runs the model again. The
//! asset known by the hash alone (no asset id: the upload page's) is everyone's who names those
//! bytes, so such a request is refused there (409 `other_pixels`). The detectors' findings come
//! from the thumbnail, which the claim does not cover: a browser only adds the parts missing
//! from what is stored, and a verified upload replaces them.

use rusqlite::{params, OptionalExtension, Transaction};

use super::{now, Store, StoreError};

/// What a request says about its model input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputClaim {
    /// SHA-256 of the 150,528-byte model input, lowercase hex.
    pub digest: String,
    /// The proxy computed the content hash from the bytes.
    pub verified: bool,
}

/// What is recorded for a content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInput {
    /// `None`: outputs stored before inputs were recorded.
    pub digest: Option<String>,
    pub verified: bool,
}

/// Whether a request may use and replace the outputs stored for its content hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sharing {
    pub reuse: bool,
    pub write: bool,
}

impl Sharing {
    /// The rules of the module's documentation.
    pub fn of(stored: Option<&StoredInput>, claim: &InputClaim) -> Sharing {
        match stored {
            None => Sharing { reuse: true, write: true },
            // Stored before inputs were recorded: a browser reuses them as before; a verified
            // upload runs the model and records its input.
            Some(StoredInput { digest: None, .. }) => Sharing { reuse: !claim.verified, write: claim.verified },
            Some(StoredInput { digest: Some(digest), .. }) => {
                let same = *digest == claim.digest;
                Sharing { reuse: same, write: same || claim.verified }
            }
        }
    }
}

/// Records the input the outputs of `content_hash` now come from (in the transaction that writes
/// them).
pub(super) fn record(tx: &Transaction<'_>, content_hash: &str, claim: &InputClaim) -> Result<(), StoreError> {
    let at = now(tx)?;
    tx.execute(
        "INSERT INTO content_inputs (content_hash, input_sha256, verified, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (content_hash) DO UPDATE SET input_sha256 = excluded.input_sha256, verified = excluded.verified, updated_at = excluded.updated_at",
        params![content_hash, claim.digest, claim.verified, at],
    )?;
    Ok(())
}

impl Store {
    /// The input the stored outputs of `content_hash` came from, when any are stored.
    pub fn content_input(&self, content_hash: &str) -> Result<Option<StoredInput>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT input_sha256, verified FROM content_inputs WHERE content_hash = ?1",
                    [content_hash],
                    |row| Ok(StoredInput { digest: row.get(0)?, verified: row.get(1)? }),
                )
                .optional()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(digest: &str, verified: bool) -> InputClaim {
        InputClaim { digest: digest.to_owned(), verified }
    }

    #[test]
    fn outputs_are_reused_for_the_same_input_and_replaced_only_by_it_or_a_verified_upload() {
        let stored = |digest: Option<&str>, verified| StoredInput { digest: digest.map(str::to_owned), verified };
        let both = Sharing { reuse: true, write: true };
        let neither = Sharing { reuse: false, write: false };
        assert_eq!(Sharing::of(None, &claim("a", false)), both, "nothing stored yet");
        assert_eq!(Sharing::of(Some(&stored(Some("a"), false)), &claim("a", false)), both, "the same input");
        assert_eq!(
            Sharing::of(Some(&stored(Some("a"), true)), &claim("b", false)),
            neither,
            "a claim on verified bytes"
        );
        assert_eq!(
            Sharing::of(Some(&stored(Some("a"), false)), &claim("b", false)),
            neither,
            "a claim on claimed bytes"
        );
        assert_eq!(
            Sharing::of(Some(&stored(Some("a"), false)), &claim("b", true)),
            Sharing { reuse: false, write: true },
            "the proxy hashed the bytes"
        );
        assert_eq!(
            Sharing::of(Some(&stored(None, false)), &claim("b", false)),
            Sharing { reuse: true, write: false },
            "stored before inputs were recorded"
        );
        assert_eq!(
            Sharing::of(Some(&stored(None, false)), &claim("b", true)),
            Sharing { reuse: false, write: true },
            "a verified upload replaces them"
        );
    }

    #[test]
    fn the_input_is_recorded_with_the_outputs_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::open_store(dir.path()).unwrap();
        let hash = "c".repeat(64);
        assert_eq!(store.content_input(&hash).unwrap(), None);
        store.write(|tx| record(tx, &hash, &claim("d1", false))).unwrap();
        assert_eq!(
            store.content_input(&hash).unwrap(),
            Some(StoredInput { digest: Some("d1".into()), verified: false })
        );
        store.write(|tx| record(tx, &hash, &claim("d2", true))).unwrap();
        assert_eq!(
            store.content_input(&hash).unwrap(),
            Some(StoredInput { digest: Some("d2".into()), verified: true })
        );
    }
}
