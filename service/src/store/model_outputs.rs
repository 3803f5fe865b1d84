//! The image model's class probabilities per file (content hash) and image model, written with
//! every inference, so that re-tagging after a taxonomy, threshold or trained-model change can
//! recompute the candidates without the image.

use rusqlite::{params, Transaction};

use super::training::{read_vector, vector_to_blob};
use super::{now, Store, StoreError};

/// Writes (or replaces) the probabilities of one file under one image model.
pub(super) fn insert(
    tx: &Transaction<'_>,
    content_hash: &str,
    model_version: &str,
    probs: &[f32],
) -> Result<(), StoreError> {
    if probs.is_empty() || probs.iter().any(|p| !p.is_finite()) {
        return Err(StoreError::BadValue("model output probabilities must be finite and not empty".to_owned()));
    }
    let at = now(tx)?;
    tx.execute(
        "INSERT INTO model_outputs (content_hash, model_version, probs, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (content_hash, model_version) DO UPDATE SET probs = excluded.probs, created_at = excluded.created_at",
        params![content_hash, model_version, vector_to_blob(probs), at],
    )?;
    Ok(())
}

impl Store {
    /// The stored class probabilities of the file with this content hash under this image model.
    pub fn model_output(&self, content_hash: &str, model_version: &str) -> Result<Option<Vec<f32>>, StoreError> {
        self.read(|conn| {
            read_vector(
                conn,
                "SELECT probs FROM model_outputs WHERE content_hash = ?1 AND model_version = ?2",
                content_hash,
                model_version,
            )
        })
    }
}
