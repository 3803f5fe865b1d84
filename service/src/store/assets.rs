//! Assets, their latest prediction and what people did to their tags.
//!
//! An asset is the DAM's asset id; any number of asset ids may hold the same bytes, each with its
//! own prediction row, moderation and folder (the work is shared by content hash: model outputs,
//! embeddings and detections). An asset the DAM gave no id is known by its content hash alone, one
//! per hash (the upload page's). Its smart tags (the latest
//! prediction, with the model, taxonomy and settings versions it was made with) and its
//! moderation (tags removed, manual tags added or promoted) live in separate tables: saving a new
//! prediction never touches the moderation, so re-tagging neither brings back a removed tag nor
//! drops a manual one.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use smart_tags_core::taxonomy::{Tag, TagId, DEFAULT_LOCALE};

use super::content_inputs::{self, InputClaim};
use super::{
    check_actor, from_json, model_outputs, now, search, to_json, training, SqlEnum, Store, StoreError, Versions,
};

/// Longest content hash accepted, in bytes.
pub const MAX_HASH_LEN: usize = 128;
/// Longest DAM asset id accepted, in bytes.
pub const MAX_ASSET_ID_LEN: usize = 1024;
/// Most tags one prediction may hold.
pub const MAX_PREDICTED_TAGS: usize = 1000;
/// Longest manual title, in characters.
pub const MAX_TITLE: usize = 1000;
/// Longest folder path, in bytes (as `smart_tags_core::workflow::FolderPath` allows).
pub const MAX_FOLDER_LEN: usize = 1024;
/// Most assets one listing page holds.
pub const MAX_LIST_LIMIT: usize = 10_000;

/// The store's own number for an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AssetKey(pub i64);

/// One smart tag of a prediction (generic, taxonomy or colour), as `core` defines it.
pub use smart_tags_core::tags::SmartTag as StoredTag;

/// A prediction to save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPrediction {
    /// The hash of the content the prediction was made from, when known.
    pub content_hash: Option<String>,
    pub model_version: String,
    pub taxonomy_version: i64,
    pub settings_version: i64,
    /// The trained-models state the trained tags came from ([`Versions::trained`]).
    #[serde(default)]
    pub trained_version: i64,
    pub tags: Vec<StoredTag>,
}

/// A saved prediction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredPrediction {
    pub content_hash: Option<String>,
    pub model_version: String,
    pub taxonomy_version: i64,
    pub settings_version: i64,
    pub trained_version: i64,
    pub tags: Vec<StoredTag>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// How many times the image model ran for this asset (re-tags from stored outputs do not count).
    pub inference_count: i64,
}

impl StoredPrediction {
    /// Whether re-tagging can be skipped: same content, model, taxonomy, settings and trained-model
    /// versions.
    /// A prediction without a content hash is never current.
    /// Marked to be made again at the next tagging whatever its age: its folder's switches (face
    /// detection) changed, or the asset moved folder.
    pub fn marked_stale(&self) -> bool {
        self.trained_version == super::folders::STALE_TRAINED_VERSION
    }

    pub fn is_current(&self, content_hash: &str, model_version: &str, versions: Versions) -> bool {
        self.content_hash.as_deref() == Some(content_hash)
            && self.model_version == model_version
            && self.taxonomy_version == versions.taxonomy
            && self.settings_version == versions.settings
            && self.trained_version == versions.trained
    }
}

/// What a person did to a tag of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModerationAction {
    /// The tag is never shown for this asset, whatever the model says.
    Removed,
    /// The tag is always shown, with confidence 1.
    Manual,
}

impl SqlEnum for ModerationAction {
    const ALL: &'static [ModerationAction] = &[ModerationAction::Removed, ModerationAction::Manual];
    fn as_str(self) -> &'static str {
        match self {
            ModerationAction::Removed => "removed",
            ModerationAction::Manual => "manual",
        }
    }
}

/// A moderation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TagAction {
    /// Remove a smart or manual tag (recorded as `removed`).
    Remove,
    /// Add a manual tag; without a title, the taxonomy's English title is used when there is one.
    AddManual { title: Option<String> },
    /// Make a smart tag of the current prediction a manual tag with confidence 1.
    Promote,
}

/// One moderation row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModerationEntry {
    pub tag_id: String,
    pub action: ModerationAction,
    pub title: Option<String>,
    /// 1 for manual tags; none for removed ones.
    pub confidence: Option<f32>,
    pub actor: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// One row of an asset listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetListing {
    pub key: AssetKey,
    pub asset_id: Option<String>,
    pub content_hash: Option<String>,
    pub folder: Option<String>,
}

/// Everything stored about an asset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetView {
    pub key: AssetKey,
    pub content_hash: Option<String>,
    pub asset_id: Option<String>,
    /// The DAM folder (a normalised path), when known.
    pub folder: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub prediction: Option<StoredPrediction>,
    pub moderation: Vec<ModerationEntry>,
}

fn check_prediction(prediction: &NewPrediction) -> Result<(), StoreError> {
    if prediction.tags.len() > MAX_PREDICTED_TAGS {
        return Err(StoreError::BadValue(format!("a prediction holds at most {MAX_PREDICTED_TAGS} tags")));
    }
    if let Some(tag) = prediction.tags.iter().find(|t| !(0.0..=1.0).contains(&t.confidence)) {
        return Err(StoreError::BadValue(format!("the confidence of {} must be between 0 and 1", tag.id)));
    }
    if let Some(hash) = &prediction.content_hash {
        check_text("content hash", hash, MAX_HASH_LEN)?;
    }
    Ok(())
}

/// Writes the asset's prediction; `inferred`: the model ran for it (the inference count grows).
fn put_prediction(
    tx: &Transaction<'_>,
    key: AssetKey,
    prediction: &NewPrediction,
    inferred: bool,
) -> Result<(), StoreError> {
    if !asset_exists(tx, key)? {
        return Err(StoreError::UnknownAsset);
    }
    let at = now(tx)?;
    tx.execute(
        "INSERT INTO predictions (asset_key, content_hash, model_version, taxonomy_version, settings_version, tags, created_at, trained_version, inference_count)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (asset_key) DO UPDATE SET content_hash = excluded.content_hash, model_version = excluded.model_version,
             taxonomy_version = excluded.taxonomy_version, settings_version = excluded.settings_version,
             trained_version = excluded.trained_version,
             tags = excluded.tags, created_at = excluded.created_at,
             inference_count = predictions.inference_count + excluded.inference_count",
        params![
            key.0,
            prediction.content_hash,
            prediction.model_version,
            prediction.taxonomy_version,
            prediction.settings_version,
            to_json(&prediction.tags)?,
            at,
            prediction.trained_version,
            i64::from(inferred)
        ],
    )?;
    tx.execute("UPDATE assets SET updated_at = ?1 WHERE key = ?2", params![at, key.0])?;
    search::reindex(tx, key)
}

fn check_text(what: &str, value: &str, max: usize) -> Result<(), StoreError> {
    if value.trim().is_empty() || value.len() > max || value.chars().any(char::is_control) {
        return Err(StoreError::BadValue(format!("the {what} must be 1 to {max} bytes without control characters")));
    }
    Ok(())
}

/// How a content hash alone names an asset.
enum ByContent {
    /// The asset stored without a DAM id for these bytes, or else the one asset holding them.
    One(AssetKey),
    /// No asset holds these bytes.
    None,
    /// Several DAM assets hold these bytes and none is stored without an id.
    Several(i64),
}

fn check_names(hash: Option<&str>, asset_id: Option<&str>) -> Result<(), StoreError> {
    if hash.is_none() && asset_id.is_none() {
        return Err(StoreError::BadValue("an asset needs a content hash or an asset id".to_owned()));
    }
    if let Some(hash) = hash {
        check_text("content hash", hash, MAX_HASH_LEN)?;
    }
    if let Some(id) = asset_id {
        check_text("asset id", id, MAX_ASSET_ID_LEN)?;
    }
    Ok(())
}

/// The asset with this DAM id, and the hash stored on it.
fn find_by_id(conn: &Connection, asset_id: &str) -> Result<Option<(AssetKey, Option<String>)>, StoreError> {
    Ok(conn
        .query_row("SELECT key, content_hash FROM assets WHERE asset_id = ?1", [asset_id], |row| {
            Ok((AssetKey(row.get(0)?), row.get(1)?))
        })
        .optional()?)
}

/// The asset stored without a DAM id for these bytes (the upload page's).
fn find_unnamed(conn: &Connection, hash: &str) -> Result<Option<AssetKey>, StoreError> {
    Ok(conn
        .query_row("SELECT key FROM assets WHERE content_hash = ?1 AND asset_id IS NULL", [hash], |row| {
            Ok(AssetKey(row.get(0)?))
        })
        .optional()?)
}

/// The asset a content hash alone names: the one stored without a DAM id, else the only asset
/// holding the bytes.
fn find_by_content(conn: &Connection, hash: &str) -> Result<ByContent, StoreError> {
    if let Some(key) = find_unnamed(conn, hash)? {
        return Ok(ByContent::One(key));
    }
    let (count, key): (i64, Option<i64>) =
        conn.query_row("SELECT count(*), min(key) FROM assets WHERE content_hash = ?1", [hash], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    Ok(match (count, key) {
        (1, Some(key)) => ByContent::One(AssetKey(key)),
        (0, _) | (_, None) => ByContent::None,
        (count, Some(_)) => ByContent::Several(count),
    })
}

fn asset_exists(conn: &Connection, key: AssetKey) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT 1 FROM assets WHERE key = ?1", [key.0], |_| Ok(())).optional()?.is_some())
}

fn get_prediction(conn: &Connection, key: AssetKey) -> Result<Option<StoredPrediction>, StoreError> {
    let row = conn
        .query_row(
            "SELECT content_hash, model_version, taxonomy_version, settings_version, trained_version, tags, created_at, inference_count
             FROM predictions WHERE asset_key = ?1",
            [key.0],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get::<_, String>(5)?, row.get(6)?, row.get(7)?)),
        )
        .optional()?;
    row.map(
        |(
            content_hash,
            model_version,
            taxonomy_version,
            settings_version,
            trained_version,
            tags,
            created_at,
            inference_count,
        )| {
            let tags = from_json(&tags, "predicted tags")?;
            Ok(StoredPrediction {
                content_hash,
                model_version,
                taxonomy_version,
                settings_version,
                trained_version,
                tags,
                created_at,
                inference_count,
            })
        },
    )
    .transpose()
}

fn get_moderation(conn: &Connection, key: AssetKey) -> Result<Vec<ModerationEntry>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT tag_id, action, title, confidence, actor, at FROM moderation WHERE asset_key = ?1 ORDER BY tag_id",
    )?;
    let rows = stmt.query_map([key.0], |row| {
        Ok((
            row.get(0)?,
            row.get::<_, String>(1)?,
            row.get(2)?,
            row.get::<_, Option<f64>>(3)?,
            row.get(4)?,
            row.get(5)?,
        ))
    })?;
    rows.map(|row| {
        let (tag_id, action, title, confidence, actor, at) = row?;
        Ok(ModerationEntry {
            tag_id,
            action: ModerationAction::parse_stored(&action)?,
            title,
            confidence: confidence.map(|c| c as f32),
            actor,
            at,
        })
    })
    .collect()
}

/// The best title known for a tag of an asset: a manual row's, the prediction's, the taxonomy's.
fn known_title(
    tx: &Transaction<'_>,
    key: AssetKey,
    tag_id: &str,
    prediction: Option<&StoredPrediction>,
) -> Result<Option<String>, StoreError> {
    let manual: Option<Option<String>> = tx
        .query_row("SELECT title FROM moderation WHERE asset_key = ?1 AND tag_id = ?2", params![key.0, tag_id], |row| {
            row.get(0)
        })
        .optional()?;
    if let Some(Some(title)) = manual {
        return Ok(Some(title));
    }
    if let Some(tag) = prediction.and_then(|p| p.tags.iter().find(|t| t.id == tag_id)) {
        return Ok(Some(tag.title.clone()));
    }
    let stored: Option<String> =
        tx.query_row("SELECT tag FROM tags WHERE id = ?1", [tag_id], |row| row.get(0)).optional()?;
    Ok(stored.map(|t| from_json::<Tag>(&t, "stored tag")).transpose()?.map(|t| t.title(DEFAULT_LOCALE).to_owned()))
}

impl Store {
    /// The asset a request names, created when unknown. An asset id names its asset (a new one
    /// is created for it, whatever other assets hold the same bytes); a hash that differs from
    /// the one stored on it is its new content. A hash alone names the asset stored without an
    /// id for these bytes (the upload page's), created when there is none: what the page does to
    /// its tags never touches a DAM asset's.
    pub fn resolve_asset(&self, content_hash: Option<&str>, asset_id: Option<&str>) -> Result<AssetKey, StoreError> {
        check_names(content_hash, asset_id)?;
        self.write(|tx| {
            let at = now(tx)?;
            if let Some(id) = asset_id {
                if let Some((key, stored)) = find_by_id(tx, id)? {
                    if let Some(hash) = content_hash.filter(|h| stored.as_deref() != Some(*h)) {
                        tx.execute(
                            "UPDATE assets SET content_hash = ?1, updated_at = ?2 WHERE key = ?3",
                            params![hash, at, key.0],
                        )?;
                    }
                    return Ok(key);
                }
            } else if let Some(hash) = content_hash {
                if let Some(key) = find_unnamed(tx, hash)? {
                    return Ok(key);
                }
            }
            tx.execute(
                "INSERT INTO assets (content_hash, asset_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
                params![content_hash, asset_id, at],
            )?;
            Ok(AssetKey(tx.last_insert_rowid()))
        })
    }

    /// The asset a request names, without creating or changing anything: the asset with the id
    /// when one is given (the hash is then not consulted); for a hash alone, the asset stored
    /// without an id for these bytes, else the one asset holding them (so a DAM asset can be read
    /// by its bytes); several assets holding them, none without an id, is the caller's ambiguity.
    pub fn find_asset(
        &self,
        content_hash: Option<&str>,
        asset_id: Option<&str>,
    ) -> Result<Option<AssetKey>, StoreError> {
        check_names(content_hash, asset_id)?;
        self.read(|conn| match (asset_id, content_hash) {
            (Some(id), _) => Ok(find_by_id(conn, id)?.map(|(key, _)| key)),
            (None, Some(hash)) => match find_by_content(conn, hash)? {
                ByContent::One(key) => Ok(Some(key)),
                ByContent::None => Ok(None),
                ByContent::Several(count) => Err(StoreError::AmbiguousContent { count }),
            },
            (None, None) => Ok(None),
        })
    }

    /// The content hash stored on the asset with this DAM id, if it exists and has one.
    pub fn content_hash_of(&self, asset_id: &str) -> Result<Option<String>, StoreError> {
        self.read(|conn| Ok(find_by_id(conn, asset_id)?.and_then(|(_, hash)| hash)))
    }

    /// Saves an asset's prediction, replacing the previous one; moderation is left as it is. For a
    /// prediction recomputed without running the model (a re-tag): the inference count stays.
    pub fn save_prediction(&self, key: AssetKey, prediction: &NewPrediction) -> Result<(), StoreError> {
        check_prediction(prediction)?;
        self.write(|tx| put_prediction(tx, key, prediction, false))
    }

    /// Saves what one run of the image model gave, in one transaction: the prediction (counting
    /// the run), and, when the content hash is known, the class probabilities and the embedding
    /// under the prediction's image model.
    /// [`Store::save_prediction`], only while the asset still holds the prediction's bytes; false
    /// (nothing saved) when its content changed meanwhile.
    pub fn save_prediction_for_bytes(&self, key: AssetKey, prediction: &NewPrediction) -> Result<bool, StoreError> {
        check_prediction(prediction)?;
        self.write(|tx| {
            let holds: Option<Option<String>> =
                tx.query_row("SELECT content_hash FROM assets WHERE key = ?1", [key.0], |row| row.get(0)).optional()?;
            if holds.flatten() != prediction.content_hash {
                return Ok(false);
            }
            put_prediction(tx, key, prediction, false)?;
            Ok(true)
        })
    }

    pub fn save_inference(
        &self,
        key: AssetKey,
        prediction: &NewPrediction,
        probs: &[f32],
        embedding: &[f32],
    ) -> Result<(), StoreError> {
        self.save_inference_from(key, prediction, probs, embedding, None)
    }

    /// [`Store::save_inference`], recording the model input the outputs came from
    /// ([`super::content_inputs`]).
    pub fn save_inference_from(
        &self,
        key: AssetKey,
        prediction: &NewPrediction,
        probs: &[f32],
        embedding: &[f32],
        input: Option<&InputClaim>,
    ) -> Result<(), StoreError> {
        check_prediction(prediction)?;
        self.write(|tx| {
            put_prediction(tx, key, prediction, true)?;
            if let Some(hash) = &prediction.content_hash {
                model_outputs::insert(tx, hash, &prediction.model_version, probs)?;
                training::insert_embedding(tx, hash, &prediction.model_version, embedding)?;
                if let Some(input) = input {
                    content_inputs::record(tx, hash, input)?;
                }
            }
            Ok(())
        })
    }

    /// Saves the prediction of a run whose outputs may not be shared ([`super::content_inputs`]):
    /// without its content hash, counting the run.
    pub fn save_private_inference(&self, key: AssetKey, prediction: &NewPrediction) -> Result<(), StoreError> {
        let prediction = NewPrediction { content_hash: None, ..prediction.clone() };
        check_prediction(&prediction)?;
        self.write(|tx| put_prediction(tx, key, &prediction, true))
    }

    /// Records the DAM folder of an asset (a normalised path, see `smart_tags_core::workflow`).
    /// A move marks its prediction stale: the new folder's switches (face detection) may allow
    /// other tags.
    pub fn set_folder(&self, key: AssetKey, folder: &str) -> Result<(), StoreError> {
        check_text("folder", folder, MAX_FOLDER_LEN)?;
        self.write(|tx| {
            let at = now(tx)?;
            let changed = tx.execute(
                "UPDATE assets SET folder = ?1, updated_at = ?2 WHERE key = ?3 AND folder IS NOT ?1",
                params![folder, at, key.0],
            )?;
            if changed == 0 && !asset_exists(tx, key)? {
                return Err(StoreError::UnknownAsset);
            }
            let marked = if changed > 0 { super::folders::mark_asset_stale(tx, key)? } else { 0 };
            Ok(marked > 0)
        })
        .map(|marked| {
            // The apply pass makes it again should the tagging that moved it fail (a new asset
            // has no prediction to mark, so uploads wake nothing).
            if marked {
                self.note_stale_marks();
            }
        })
    }

    /// One page of assets in key order, after key `after`: all of them, those of one folder, or
    /// (`recursive`) those of a folder and every folder below it.
    pub fn list_assets(
        &self,
        folder: Option<&str>,
        recursive: bool,
        after: AssetKey,
        limit: usize,
    ) -> Result<Vec<AssetListing>, StoreError> {
        let limit = i64::try_from(limit.clamp(1, MAX_LIST_LIMIT)).unwrap_or(1);
        self.read(|conn| {
            let read = |row: &rusqlite::Row<'_>| {
                Ok(AssetListing { key: AssetKey(row.get(0)?), asset_id: row.get(1)?, content_hash: row.get(2)?, folder: row.get(3)? })
            };
            // The folders below `/a` start with `/a/`; below the root, every folder.
            let prefix = match folder {
                Some("/") if recursive => Some("/".to_owned()),
                Some(folder) if recursive => Some(format!("{folder}/")),
                _ => None,
            };
            let mut stmt = conn.prepare_cached(
                "SELECT key, asset_id, content_hash, folder FROM assets
                 WHERE key > ?1 AND (?2 IS NULL OR folder = ?2 OR (?3 IS NOT NULL AND substr(folder, 1, length(?3)) = ?3))
                 ORDER BY key LIMIT ?4",
            )?;
            let rows = stmt.query_map(params![after.0, folder, prefix, limit], read)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// How many seconds ago the asset's prediction was saved, if it has one (a time SQLite cannot
    /// read counts as none).
    pub fn prediction_age_seconds(&self, key: AssetKey) -> Result<Option<i64>, StoreError> {
        self.read(|conn| {
            let age: Option<Option<i64>> = conn
                .query_row(
                    "SELECT CAST(round((julianday('now') - julianday(created_at)) * 86400) AS INTEGER) FROM predictions WHERE asset_key = ?1",
                    [key.0],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(age.flatten())
        })
    }

    /// The asset's latest prediction, if any.
    pub fn prediction(&self, key: AssetKey) -> Result<Option<StoredPrediction>, StoreError> {
        self.read(|conn| get_prediction(conn, key))
    }

    /// Records what a person did to one tag of an asset and returns the resulting row. Removing a
    /// manual tag replaces its manual row with a `removed` one.
    pub fn moderate(
        &self,
        key: AssetKey,
        tag_id: &str,
        action: TagAction,
        actor: &str,
    ) -> Result<ModerationEntry, StoreError> {
        check_actor(actor)?;
        TagId::parse(tag_id).map_err(|e| StoreError::BadValue(e.to_string()))?;
        self.write(|tx| {
            if !asset_exists(tx, key)? {
                return Err(StoreError::UnknownAsset);
            }
            let prediction = get_prediction(tx, key)?;
            let (action, title, confidence) = match action {
                TagAction::Remove => (ModerationAction::Removed, known_title(tx, key, tag_id, prediction.as_ref())?, None),
                TagAction::AddManual { title } => {
                    if let Some(title) = &title {
                        check_text("title", title, MAX_TITLE)?;
                    }
                    let title = match title {
                        Some(title) => Some(title),
                        None => known_title(tx, key, tag_id, prediction.as_ref())?,
                    };
                    (ModerationAction::Manual, title, Some(1.0_f32))
                }
                TagAction::Promote => {
                    let tag = prediction
                        .as_ref()
                        .and_then(|p| p.tags.iter().find(|t| t.id == tag_id))
                        .ok_or_else(|| StoreError::NotPredicted { tag: tag_id.to_owned() })?;
                    (ModerationAction::Manual, Some(tag.title.clone()), Some(1.0_f32))
                }
            };
            let at = now(tx)?;
            tx.execute(
                "INSERT INTO moderation (asset_key, tag_id, action, title, confidence, actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (asset_key, tag_id) DO UPDATE SET action = excluded.action, title = excluded.title,
                     confidence = excluded.confidence, actor = excluded.actor, at = excluded.at",
                params![key.0, tag_id, action.as_str(), title, confidence.map(f64::from), actor, at],
            )?;
            search::reindex(tx, key)?;
            Ok(ModerationEntry { tag_id: tag_id.to_owned(), action, title, confidence, actor: actor.to_owned(), at })
        })
    }

    /// Forgets what a person decided about one tag of an asset (its moderation row is deleted in
    /// one transaction), so the tag is a suggestion again; answers the row that was deleted. A tag
    /// without a decision changes nothing (`None`), so an undo can be sent twice.
    pub fn clear_decision(
        &self,
        key: AssetKey,
        tag_id: &str,
        actor: &str,
    ) -> Result<Option<ModerationEntry>, StoreError> {
        check_actor(actor)?;
        TagId::parse(tag_id).map_err(|e| StoreError::BadValue(e.to_string()))?;
        self.write(|tx| {
            if !asset_exists(tx, key)? {
                return Err(StoreError::UnknownAsset);
            }
            let row = tx
                .query_row(
                    "DELETE FROM moderation WHERE asset_key = ?1 AND tag_id = ?2 RETURNING tag_id, action, title, confidence, actor, at",
                    params![key.0, tag_id],
                    |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get(2)?, row.get::<_, Option<f64>>(3)?, row.get(4)?, row.get(5)?))
                    },
                )
                .optional()?;
            search::reindex(tx, key)?;
            row.map(|(tag_id, action, title, confidence, actor, at)| {
                Ok(ModerationEntry { tag_id, action: ModerationAction::parse_stored(&action)?, title, confidence: confidence.map(|c| c as f32), actor, at })
            })
            .transpose()
        })
    }

    /// The asset's moderation rows, sorted by tag id.
    pub fn moderation(&self, key: AssetKey) -> Result<Vec<ModerationEntry>, StoreError> {
        self.read(|conn| get_moderation(conn, key))
    }

    /// Everything stored about an asset.
    pub fn asset(&self, key: AssetKey) -> Result<AssetView, StoreError> {
        self.read(|conn| {
            let row = conn
                .query_row(
                    "SELECT content_hash, asset_id, folder, created_at, updated_at FROM assets WHERE key = ?1",
                    [key.0],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?)),
                )
                .optional()?;
            let (content_hash, asset_id, folder, created_at, updated_at) = row.ok_or(StoreError::UnknownAsset)?;
            Ok(AssetView {
                key,
                content_hash,
                asset_id,
                folder,
                created_at,
                updated_at,
                prediction: get_prediction(conn, key)?,
                moderation: get_moderation(conn, key)?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;

    fn smart(id: &str, confidence: f32) -> StoredTag {
        StoredTag {
            id: id.to_owned(),
            title: format!("Title of {id}"),
            path: vec![format!("Title of {id}")],
            confidence,
            source: smart_tags_core::tags::TagSource::Generic,
            model_version: "efficientnet-lite0@1".to_owned(),
            hex: None,
            threshold: None,
        }
    }

    fn prediction(hash: &str, tags: Vec<StoredTag>) -> NewPrediction {
        NewPrediction {
            content_hash: Some(hash.to_owned()),
            model_version: "efficientnet-lite0@1".to_owned(),
            taxonomy_version: 3,
            settings_version: 1,
            trained_version: 0,
            tags,
        }
    }

    #[test]
    fn an_asset_is_its_id_and_ids_share_bytes() {
        let (_dir, store) = temp_store();
        let page = store.resolve_asset(Some("hash-a"), None).unwrap();
        assert_eq!(store.resolve_asset(Some("hash-a"), None).unwrap(), page);
        // A DAM id is an asset of its own, even for bytes another asset holds.
        let a = store.resolve_asset(Some("hash-a"), Some("dam-a")).unwrap();
        let a2 = store.resolve_asset(Some("hash-a"), Some("dam-a2")).unwrap();
        assert!(page != a && a != a2 && page != a2);
        assert_eq!(store.resolve_asset(None, Some("dam-a")).unwrap(), a);
        assert_eq!(store.resolve_asset(Some("hash-a"), Some("dam-a2")).unwrap(), a2);
        // A hash alone names the asset stored without an id.
        assert_eq!(store.find_asset(Some("hash-a"), None).unwrap(), Some(page));
        // An id decides; the hash given beside it is not consulted by a lookup.
        assert_eq!(store.find_asset(Some("hash-other"), Some("dam-a")).unwrap(), Some(a));
        assert_eq!(store.find_asset(Some("hash-a"), Some("dam-unknown")).unwrap(), None);
        // Without an unnamed asset, a lookup by hash alone finds the one asset holding the bytes ...
        let b = store.resolve_asset(None, Some("dam-b")).unwrap();
        assert_eq!(store.resolve_asset(Some("hash-b"), Some("dam-b")).unwrap(), b);
        assert_eq!(store.find_asset(Some("hash-b"), None).unwrap(), Some(b));
        // ... and with several, it is ambiguous.
        let c = store.resolve_asset(Some("hash-b"), Some("dam-c")).unwrap();
        assert_ne!(b, c);
        assert!(matches!(store.find_asset(Some("hash-b"), None), Err(StoreError::AmbiguousContent { count: 2 })));
        // Tagging by hash alone makes the unnamed asset, which lookups then find.
        let unnamed = store.resolve_asset(Some("hash-b"), None).unwrap();
        assert!(unnamed != b && unnamed != c);
        assert_eq!(store.find_asset(Some("hash-b"), None).unwrap(), Some(unnamed));
        // New content for a known DAM asset replaces its hash; the others keep theirs.
        assert_eq!(store.resolve_asset(Some("hash-b2"), Some("dam-b")).unwrap(), b);
        assert_eq!(store.asset(b).unwrap().content_hash.as_deref(), Some("hash-b2"));
        assert_eq!(store.asset(c).unwrap().content_hash.as_deref(), Some("hash-b"));
        assert_eq!(store.find_asset(Some("hash-none"), None).unwrap(), None);
        assert!(matches!(store.resolve_asset(None, None), Err(StoreError::BadValue(_))));
        assert!(matches!(store.find_asset(None, None), Err(StoreError::BadValue(_))));
        assert!(matches!(store.resolve_asset(Some(""), None), Err(StoreError::BadValue(_))));
        assert!(matches!(store.asset(AssetKey(999)), Err(StoreError::UnknownAsset)));
    }

    #[test]
    fn assets_sharing_bytes_keep_their_own_moderation_and_folder() {
        let (_dir, store) = temp_store();
        let one = store.resolve_asset(Some("hash-1"), Some("dam-1")).unwrap();
        let two = store.resolve_asset(Some("hash-1"), Some("dam-2")).unwrap();
        for key in [one, two] {
            store.save_prediction(key, &prediction("hash-1", vec![smart("wordnet:n02121808", 0.9)])).unwrap();
        }
        store.moderate(one, "wordnet:n02121808", TagAction::Remove, "alice").unwrap();
        store.set_folder(one, "/a").unwrap();
        store.set_folder(two, "/b").unwrap();
        assert_eq!(store.moderation(one).unwrap().len(), 1);
        assert!(store.moderation(two).unwrap().is_empty());
        assert_eq!(
            (store.asset(one).unwrap().folder.as_deref(), store.asset(two).unwrap().folder.as_deref()),
            (Some("/a"), Some("/b"))
        );
    }

    #[test]
    fn moderation_survives_a_new_prediction() {
        let (dir, store) = temp_store();
        let key = store.resolve_asset(Some("hash-1"), Some("dam-1")).unwrap();
        store
            .save_prediction(key, &prediction("hash-1", vec![smart("wordnet:n02121808", 0.9), smart("color:red", 0.6)]))
            .unwrap();
        let promoted = store.moderate(key, "wordnet:n02121808", TagAction::Promote, "alice").unwrap();
        assert_eq!(
            (promoted.action, promoted.confidence, promoted.title.as_deref()),
            (ModerationAction::Manual, Some(1.0), Some("Title of wordnet:n02121808"))
        );
        store.moderate(key, "color:red", TagAction::Remove, "alice").unwrap();
        store.moderate(key, "products:shoes", TagAction::AddManual { title: Some("Shoes".to_owned()) }, "bob").unwrap();
        assert!(matches!(
            store.moderate(key, "color:blue", TagAction::Promote, "bob"),
            Err(StoreError::NotPredicted { .. })
        ));
        assert!(matches!(store.moderate(key, "not a tag", TagAction::Remove, "bob"), Err(StoreError::BadValue(_))));
        assert!(matches!(
            store.moderate(AssetKey(999), "color:red", TagAction::Remove, "bob"),
            Err(StoreError::UnknownAsset)
        ));

        // Re-tagging with a new model: the moderation is untouched.
        let mut newer = prediction("hash-1", vec![smart("color:red", 0.95), smart("wordnet:n02124075", 0.5)]);
        newer.model_version = "efficientnet-lite0@2".to_owned();
        store.save_prediction(key, &newer).unwrap();
        drop(store);
        let store = Store::open(&dir.path().join("data/smart-tags.sqlite3")).unwrap();
        let view = store.asset(key).unwrap();
        assert_eq!(view.asset_id.as_deref(), Some("dam-1"));
        assert_eq!(view.prediction.as_ref().unwrap().model_version, "efficientnet-lite0@2");
        assert_eq!(view.prediction.as_ref().unwrap().tags.len(), 2);
        let rows: Vec<(&str, ModerationAction, &str)> =
            view.moderation.iter().map(|m| (m.tag_id.as_str(), m.action, m.actor.as_str())).collect();
        assert_eq!(
            rows,
            [
                ("color:red", ModerationAction::Removed, "alice"),
                ("products:shoes", ModerationAction::Manual, "bob"),
                ("wordnet:n02121808", ModerationAction::Manual, "alice"),
            ]
        );
        // Removing a manual tag turns it into a removed one.
        let removed = store.moderate(key, "products:shoes", TagAction::Remove, "carol").unwrap();
        assert_eq!(
            (removed.action, removed.confidence, removed.title.as_deref()),
            (ModerationAction::Removed, None, Some("Shoes"))
        );
        assert_eq!(store.moderation(key).unwrap().len(), 3);
    }

    #[test]
    fn clearing_a_decision_makes_the_tag_a_suggestion_again() {
        let (_dir, store) = temp_store();
        let key = store.resolve_asset(Some(&"c".repeat(64)), None).unwrap();
        store.save_prediction(key, &prediction(&"c".repeat(64), vec![smart("wordnet:n02121808", 0.9)])).unwrap();
        store.moderate(key, "wordnet:n02121808", TagAction::Promote, "alice").unwrap();
        store.moderate(key, "color:red", TagAction::Remove, "alice").unwrap();
        let cleared = store.clear_decision(key, "wordnet:n02121808", "bob").unwrap().unwrap();
        assert_eq!(
            (cleared.action, cleared.actor.as_str()),
            (ModerationAction::Manual, "alice"),
            "answers the row it deleted"
        );
        let rows: Vec<String> = store.moderation(key).unwrap().into_iter().map(|m| m.tag_id).collect();
        assert_eq!(rows, ["color:red"]);
        assert_eq!(
            store.clear_decision(key, "wordnet:n02121808", "bob").unwrap(),
            None,
            "clearing twice changes nothing"
        );
        assert!(matches!(store.clear_decision(AssetKey(999), "color:red", "bob"), Err(StoreError::UnknownAsset)));
        assert!(matches!(store.clear_decision(key, "not a tag", "bob"), Err(StoreError::BadValue(_))));
        assert_eq!(store.moderation(key).unwrap().len(), 1);
    }

    #[test]
    fn knows_when_a_prediction_is_current() {
        let (_dir, store) = temp_store();
        let key = store.resolve_asset(Some("hash-1"), None).unwrap();
        assert_eq!(store.prediction(key).unwrap(), None);
        store.save_prediction(key, &prediction("hash-1", vec![smart("color:red", 0.6)])).unwrap();
        let saved = store.prediction(key).unwrap().unwrap();
        let versions = Versions { taxonomy: 3, settings: 1, trained: 0 };
        assert!(saved.is_current("hash-1", "efficientnet-lite0@1", versions));
        assert!(!saved.is_current("hash-2", "efficientnet-lite0@1", versions));
        assert!(!saved.is_current("hash-1", "efficientnet-lite0@2", versions));
        assert!(!saved.is_current("hash-1", "efficientnet-lite0@1", Versions { taxonomy: 4, settings: 1, trained: 0 }));
        assert!(!saved.is_current("hash-1", "efficientnet-lite0@1", Versions { taxonomy: 3, settings: 2, trained: 0 }));
        assert!(!saved.is_current("hash-1", "efficientnet-lite0@1", Versions { taxonomy: 3, settings: 1, trained: 1 }));
        assert!(matches!(store.save_prediction(AssetKey(42), &prediction("h", vec![])), Err(StoreError::UnknownAsset)));
        assert!(matches!(
            store.save_prediction(key, &prediction("h", vec![smart("color:red", 1.5)])),
            Err(StoreError::BadValue(_))
        ));
    }

    #[test]
    fn an_inference_is_counted_and_keeps_its_outputs() {
        let (dir, store) = temp_store();
        let hash = "d".repeat(64);
        let key = store.resolve_asset(Some(&hash), None).unwrap();
        let probs: Vec<f32> = (0..1000).map(|i| i as f32 / 1000.0).collect();
        let embedding = vec![0.25_f32; 1280];
        store.save_inference(key, &prediction(&hash, vec![smart("color:red", 0.6)]), &probs, &embedding).unwrap();
        store.save_inference(key, &prediction(&hash, vec![smart("color:red", 0.7)]), &probs, &embedding).unwrap();
        // A re-tag from the stored outputs is no inference.
        store.save_prediction(key, &prediction(&hash, vec![smart("color:red", 0.8)])).unwrap();
        drop(store);
        let store = Store::open(&dir.path().join("data/smart-tags.sqlite3")).unwrap();
        let saved = store.prediction(key).unwrap().unwrap();
        assert_eq!((saved.inference_count, saved.tags[0].confidence), (2, 0.8));
        let age = store.prediction_age_seconds(key).unwrap().unwrap();
        assert!((0..60).contains(&age), "{age}");
        assert_eq!(store.prediction_age_seconds(store.resolve_asset(Some("new"), None).unwrap()).unwrap(), None);
        assert_eq!(store.model_output(&hash, "efficientnet-lite0@1").unwrap(), Some(probs.clone()));
        assert_eq!(store.model_output(&hash, "efficientnet-lite0@2").unwrap(), None);
        assert_eq!(store.embedding(&hash, "efficientnet-lite0@1").unwrap(), Some(embedding.clone()));
        // Nothing is half written: a bad output leaves the prediction as it was.
        let err = store.save_inference(key, &prediction(&hash, vec![]), &[f32::NAN], &embedding).unwrap_err();
        assert!(matches!(err, StoreError::BadValue(_)), "{err}");
        assert_eq!(store.prediction(key).unwrap().unwrap().tags.len(), 1);
        assert!(matches!(
            store.save_inference(AssetKey(999), &prediction(&hash, vec![]), &probs, &embedding),
            Err(StoreError::UnknownAsset)
        ));
        // Without a content hash there is nothing to key the outputs by; the run still counts.
        let dam = store.resolve_asset(None, Some("dam-9")).unwrap();
        let mut unhashed = prediction(&hash, vec![]);
        unhashed.content_hash = None;
        store.save_inference(dam, &unhashed, &probs, &embedding).unwrap();
        assert_eq!(store.prediction(dam).unwrap().unwrap().inference_count, 1);
    }

    #[test]
    fn lists_assets_by_folder_a_page_at_a_time() {
        let (_dir, store) = temp_store();
        let mut keys = Vec::new();
        for (i, folder) in ["/a", "/a/b", "/ab", "/a/b/c", "/", "/z"].iter().enumerate() {
            let key = store.resolve_asset(None, Some(&format!("dam-{i}"))).unwrap();
            store.set_folder(key, folder).unwrap();
            keys.push(key);
        }
        let unfiled = store.resolve_asset(Some("hash-x"), None).unwrap();
        let ids = |folder: Option<&str>, recursive: bool| -> Vec<String> {
            store
                .list_assets(folder, recursive, AssetKey(0), 100)
                .unwrap()
                .into_iter()
                .map(|a| a.folder.unwrap_or_else(|| "-".into()))
                .collect()
        };
        assert_eq!(ids(None, false), ["/a", "/a/b", "/ab", "/a/b/c", "/", "/z", "-"]);
        assert_eq!(ids(Some("/a"), false), ["/a"]);
        assert_eq!(ids(Some("/a"), true), ["/a", "/a/b", "/a/b/c"], "/ab is not below /a");
        assert_eq!(ids(Some("/"), true), ["/a", "/a/b", "/ab", "/a/b/c", "/", "/z"]);
        assert_eq!(ids(Some("/"), false), ["/"]);
        assert!(ids(Some("/q"), true).is_empty());
        // Pages: keys after the last one seen, in order, nothing twice.
        let first = store.list_assets(None, false, AssetKey(0), 4).unwrap();
        let second = store.list_assets(None, false, first[3].key, 4).unwrap();
        let seen: Vec<AssetKey> = first.iter().chain(&second).map(|a| a.key).collect();
        assert_eq!(seen, keys.iter().copied().chain([unfiled]).collect::<Vec<_>>());
        assert!(store.list_assets(None, false, unfiled, 4).unwrap().is_empty());
        // Moving an asset to another folder.
        store.set_folder(keys[0], "/z").unwrap();
        assert_eq!(store.asset(keys[0]).unwrap().folder.as_deref(), Some("/z"));
        assert!(matches!(store.set_folder(AssetKey(999), "/a"), Err(StoreError::UnknownAsset)));
        assert!(matches!(store.set_folder(keys[0], "/a\nb"), Err(StoreError::BadValue(_))));
    }

    #[test]
    fn serves_several_threads_at_once() {
        let (_dir, store) = temp_store();
        let store = std::sync::Arc::new(store);
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let store = std::sync::Arc::clone(&store);
                std::thread::spawn(move || {
                    for i in 0..25 {
                        let key =
                            store.resolve_asset(Some(&format!("hash-{t}-{i}")), Some(&format!("dam-{t}-{i}"))).unwrap();
                        store
                            .save_prediction(key, &prediction(&format!("hash-{t}-{i}"), vec![smart("color:red", 0.5)]))
                            .unwrap();
                        store.moderate(key, "color:red", TagAction::Remove, &format!("user-{t}")).unwrap();
                        let thresholds = crate::store::Thresholds { max_tags: 1 + i, ..Default::default() };
                        store.set_thresholds(&thresholds, "admin").unwrap();
                        assert_eq!(store.asset(key).unwrap().moderation.len(), 1);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let count: i64 = store.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM assets", [], |r| r.get(0))?)).unwrap();
        assert_eq!(count, 200);
        assert_eq!(store.settings_version().unwrap(), 200);
    }
}
