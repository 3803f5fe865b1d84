//! Enhanced Smart Tags in the store: cached embeddings, training examples, tag models, their
//! versions and the training jobs.
//!
//! - An **embedding** is cached per content hash and image model; examples point at it.
//! - **Examples** come from bulk imports (`training_examples`) and from moderation: a manual tag
//!   (added or promoted by a person) on an asset whose bytes have a cached embedding.
//! - A **tag model** names mutually exclusive tags and the training options; each training run or
//!   import adds a **version** holding the exported model file (checksummed) and a summary of its
//!   metrics. At most one version per model is active; changing which one bumps the **trained
//!   version** ([`Versions::trained`](super::Versions)), which makes stored predictions stale;
//!   `training::apply` then brings them up to date from their stored model outputs.
//! - A **job** is one training run. Its version is written in the same transaction that marks it
//!   trained, so a crash leaves either no version or a whole one; jobs a stopped process left
//!   pending or training are marked failed by [`Store::fail_interrupted_jobs`] at start-up.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use smart_tags_core::taxonomy::TagId;
use smart_tags_core::training::{ModelKind, TrainingOptions};

use super::{from_json, now, to_json, SqlEnum, Store, StoreError};

/// Longest tag model name.
pub const MAX_MODEL_NAME: usize = 64;
/// Most tags in one tag model.
pub const MAX_MODEL_TAGS: usize = 500;
/// Longest file name kept with an imported example.
pub const MAX_FILE_NAME: usize = 1024;

/// A tag model as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagModel {
    pub name: String,
    pub tags: Vec<String>,
    pub kind: ModelKind,
    pub options: TrainingOptions,
    pub active_version: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// How a model version came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionOrigin {
    Trained,
    Imported,
}

impl SqlEnum for VersionOrigin {
    const ALL: &'static [Self] = &[VersionOrigin::Trained, VersionOrigin::Imported];
    fn as_str(self) -> &'static str {
        match self {
            VersionOrigin::Trained => "trained",
            VersionOrigin::Imported => "imported",
        }
    }
}

/// A model version without its file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelVersion {
    pub model: String,
    pub version: i64,
    pub origin: VersionOrigin,
    pub image_model: String,
    pub taxonomy_version: i64,
    /// Metrics and per-tag thresholds, as the training layer wrote them.
    pub summary: serde_json::Value,
    pub created_at: String,
}

/// Makes a version's file once its number and creation time are known (inside the transaction
/// that adds it, so the file always names the version it is stored as).
pub type MakeArtifact<'a> = &'a (dyn Fn(i64, &str) -> Vec<u8> + Sync);

/// A version to add.
#[derive(Clone, Copy)]
pub struct NewVersion<'a> {
    pub origin: VersionOrigin,
    pub image_model: &'a str,
    pub taxonomy_version: i64,
    pub summary: &'a serde_json::Value,
    pub artifact: MakeArtifact<'a>,
    pub activate: bool,
}

/// Where a training job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Pending,
    Training,
    Trained,
    Failed,
    Cancelled,
}

impl SqlEnum for JobStatus {
    const ALL: &'static [Self] =
        &[JobStatus::Pending, JobStatus::Training, JobStatus::Trained, JobStatus::Failed, JobStatus::Cancelled];
    fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Training => "training",
            JobStatus::Trained => "trained",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }
}

impl JobStatus {
    /// Whether the job has ended.
    pub fn is_final(self) -> bool {
        matches!(self, JobStatus::Trained | JobStatus::Failed | JobStatus::Cancelled)
    }
}

/// One training run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: i64,
    pub model: String,
    pub status: JobStatus,
    /// From 0 to 1.
    pub progress: f64,
    pub error: Option<String>,
    /// The version it made, once trained.
    pub version: Option<i64>,
    /// Whether the version it makes becomes the active one.
    pub activate: bool,
    /// Why the version it made did not become the active one although `activate` asked for it
    /// (`core::training::activation`): an administrator activates it by hand if they accept it.
    pub held_back: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// An example to add by import: the embedding of the file's bytes and the tags it carries.
#[derive(Debug, Clone)]
pub struct NewExample {
    pub content_hash: String,
    pub embedding: Vec<f32>,
    pub tags: Vec<String>,
    pub file: Option<String>,
    /// The picture it shows, when declared (views of one photo share it).
    pub picture: Option<String>,
}

/// What an import added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AddedExamples {
    /// (file, tag) pairs that were new.
    pub imported: usize,
    /// (file, tag) pairs the store already had.
    pub already_known: usize,
}

/// Where an example's tag came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleOrigin {
    Import,
    Moderation,
}

/// One asset usable for training: its embedding and every tag it is an example of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredExample {
    pub content_hash: String,
    #[serde(skip)]
    pub embedding: Vec<f32>,
    /// Tag id -> where it came from (import wins over moderation when both).
    pub tags: BTreeMap<String, ExampleOrigin>,
    /// The imported file name, when there is one.
    pub file: Option<String>,
    /// The picture it shows, when its importer declared it (`Example::group`).
    #[serde(skip)]
    pub picture: Option<String>,
}

/// Whether a model's definition is the built-in scene model's: independent scene tags.
pub fn is_scene_model(tags: &[String], kind: ModelKind) -> bool {
    kind == ModelKind::Independent
        && tags.iter().all(|t| TagId::parse(t).is_ok_and(|id| smart_tags_core::scenes::is_scene_tag(&id)))
}

/// Model names: 1 to 64 of `a-z`, `0-9` and `-`, starting with a letter or digit.
pub fn check_model_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_MODEL_NAME
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadValue(format!(
            "a model name is 1 to {MAX_MODEL_NAME} of a-z, 0-9 and '-', not starting with '-'"
        )))
    }
}

pub(super) fn vector_to_blob(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub(super) fn blob_to_vector(blob: &[u8]) -> Result<Vec<f32>, StoreError> {
    if !blob.len().is_multiple_of(4) {
        return Err(StoreError::Corrupt(format!("a stored vector of {} bytes", blob.len())));
    }
    Ok(blob.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

/// The f32 vector a query keyed by content hash and image model answers, if any.
pub(super) fn read_vector(
    conn: &Connection,
    sql: &str,
    content_hash: &str,
    image_model: &str,
) -> Result<Option<Vec<f32>>, StoreError> {
    let blob: Option<Vec<u8>> = conn.query_row(sql, params![content_hash, image_model], |row| row.get(0)).optional()?;
    blob.map(|b| blob_to_vector(&b)).transpose()
}

/// The trained version: bumped whenever the set of active model versions changes.
pub(super) fn trained_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT version FROM trained_state WHERE id = 1", [], |row| row.get(0))?)
}

fn bump_trained_version(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("UPDATE trained_state SET version = version + 1 WHERE id = 1", [])?;
    Ok(())
}

type ModelColumns = (String, String, String, Option<i64>, String, String, String);

fn kind_from(text: &str) -> Result<ModelKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| StoreError::Corrupt(format!("unknown tag model kind {text:?}")))
}

fn kind_text(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::Exclusive => "exclusive",
        ModelKind::Independent => "independent",
    }
}

fn model_from(row: ModelColumns) -> Result<TagModel, StoreError> {
    let (name, tags, options, active_version, created_at, updated_at, kind) = row;
    Ok(TagModel {
        name,
        tags: from_json(&tags, "model tags")?,
        kind: kind_from(&kind)?,
        options: from_json(&options, "training options")?,
        active_version,
        created_at,
        updated_at,
    })
}

const MODEL_COLUMNS: &str = "name, tags, options, active_version, created_at, updated_at, kind";

fn read_model(row: &rusqlite::Row<'_>) -> rusqlite::Result<ModelColumns> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
}

fn get_model(conn: &Connection, name: &str) -> Result<TagModel, StoreError> {
    let row = conn
        .query_row(&format!("SELECT {MODEL_COLUMNS} FROM tag_models WHERE name = ?1"), [name], read_model)
        .optional()?
        .ok_or_else(|| StoreError::UnknownModel(name.to_owned()))?;
    model_from(row)
}

const VERSION_COLUMNS: &str = "model, version, origin, image_model, taxonomy_version, summary, created_at";

fn read_version(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, i64, String, String, i64, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
}

fn version_from(row: (String, i64, String, String, i64, String, String)) -> Result<ModelVersion, StoreError> {
    let (model, version, origin, image_model, taxonomy_version, summary, created_at) = row;
    Ok(ModelVersion {
        model,
        version,
        origin: VersionOrigin::parse_stored(&origin)?,
        image_model,
        taxonomy_version,
        summary: from_json(&summary, "version summary")?,
        created_at,
    })
}

const JOB_COLUMNS: &str = "id, model, status, progress, error, version, activate, held_back, created_at, finished_at";

type JobColumns = (i64, String, String, f64, Option<String>, Option<i64>, bool, Option<String>, String, Option<String>);

fn read_job(row: &rusqlite::Row<'_>) -> rusqlite::Result<JobColumns> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
        row.get(7)?,
        row.get(8)?,
        row.get(9)?,
    ))
}

fn job_from(row: JobColumns) -> Result<Job, StoreError> {
    let (id, model, status, progress, error, version, activate, held_back, created_at, finished_at) = row;
    Ok(Job {
        id,
        model,
        status: JobStatus::parse_stored(&status)?,
        progress,
        error,
        version,
        activate,
        held_back,
        created_at,
        finished_at,
    })
}

fn get_job(conn: &Connection, id: i64) -> Result<Job, StoreError> {
    let row = conn
        .query_row(&format!("SELECT {JOB_COLUMNS} FROM training_jobs WHERE id = ?1"), [id], read_job)
        .optional()?
        .ok_or(StoreError::UnknownJob(id))?;
    job_from(row)
}

fn version_exists(conn: &Connection, model: &str, version: i64) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM model_versions WHERE model = ?1 AND version = ?2",
            params![model, version],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn set_active(tx: &Transaction<'_>, model: &str, version: Option<i64>) -> Result<(), StoreError> {
    let at = now(tx)?;
    tx.execute(
        "UPDATE tag_models SET active_version = ?1, updated_at = ?2 WHERE name = ?3",
        params![version, at, model],
    )?;
    bump_trained_version(tx)
}

impl Store {
    /// Caches the embedding of the file with this content hash.
    pub fn save_embedding(&self, content_hash: &str, image_model: &str, embedding: &[f32]) -> Result<(), StoreError> {
        self.write(|tx| insert_embedding(tx, content_hash, image_model, embedding))
    }

    /// The cached embedding of a content hash for this image model.
    pub fn embedding(&self, content_hash: &str, image_model: &str) -> Result<Option<Vec<f32>>, StoreError> {
        self.read(|conn| {
            read_vector(
                conn,
                "SELECT vector FROM embeddings WHERE content_hash = ?1 AND image_model = ?2",
                content_hash,
                image_model,
            )
        })
    }

    /// Adds imported examples (their embeddings and tags) in one transaction.
    pub fn add_examples(&self, image_model: &str, examples: &[NewExample]) -> Result<AddedExamples, StoreError> {
        for example in examples {
            if let Some(file) = &example.file {
                if file.len() > MAX_FILE_NAME {
                    return Err(StoreError::BadValue(format!("a file name is at most {MAX_FILE_NAME} bytes")));
                }
            }
        }
        self.write(|tx| {
            let at = now(tx)?;
            let mut added = AddedExamples::default();
            for example in examples {
                insert_embedding(tx, &example.content_hash, image_model, &example.embedding)?;
                for tag in &example.tags {
                    let inserted = tx.execute(
                        "INSERT INTO training_examples (content_hash, tag_id, file, added_at, picture) VALUES (?1, ?2, ?3, ?4, ?5)
                         ON CONFLICT (content_hash, tag_id) DO NOTHING",
                        params![example.content_hash, tag, example.file, at, example.picture],
                    )?;
                    if inserted == 1 {
                        added.imported += 1;
                    } else {
                        added.already_known += 1;
                    }
                }
            }
            Ok(added)
        })
    }

    /// Removes imported examples of a file: for one tag, or all of its tags. Returns how many.
    pub fn remove_examples(&self, content_hash: &str, tag: Option<&str>) -> Result<usize, StoreError> {
        self.write(|tx| {
            Ok(match tag {
                Some(tag) => tx.execute(
                    "DELETE FROM training_examples WHERE content_hash = ?1 AND tag_id = ?2",
                    params![content_hash, tag],
                )?,
                None => tx.execute("DELETE FROM training_examples WHERE content_hash = ?1", [content_hash])?,
            })
        })
    }

    /// Every asset usable for training with this image model: imported examples, and manual tags
    /// from moderation on assets with a cached embedding. With `only_tags`, just the assets that
    /// carry one of them (with all their tags, so that conflicts show).
    pub fn examples(&self, image_model: &str, only_tags: Option<&[String]>) -> Result<Vec<StoredExample>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT te.content_hash, te.tag_id, 'import', te.file, te.picture FROM training_examples te
                   JOIN embeddings e ON e.content_hash = te.content_hash AND e.image_model = ?1
                 UNION ALL
                 SELECT a.content_hash, m.tag_id, 'moderation', NULL, NULL FROM moderation m
                   JOIN assets a ON a.key = m.asset_key
                   JOIN embeddings e ON e.content_hash = a.content_hash AND e.image_model = ?1
                  WHERE m.action = 'manual'",
            )?;
            let rows = stmt.query_map([image_model], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            })?;
            let mut by_hash: BTreeMap<String, StoredExample> = BTreeMap::new();
            for row in rows {
                let (hash, tag, origin, file, picture) = row?;
                let origin = if origin == "import" { ExampleOrigin::Import } else { ExampleOrigin::Moderation };
                let entry = by_hash.entry(hash.clone()).or_insert_with(|| StoredExample {
                    content_hash: hash,
                    embedding: Vec::new(),
                    tags: BTreeMap::new(),
                    file: None,
                    picture: None,
                });
                let slot = entry.tags.entry(tag).or_insert(origin);
                *slot = (*slot).min(origin);
                if entry.file.is_none() {
                    entry.file = file;
                }
                if entry.picture.is_none() {
                    entry.picture = picture;
                }
            }
            if let Some(only) = only_tags {
                by_hash.retain(|_, e| e.tags.keys().any(|t| only.contains(t)));
            }
            let mut vectors =
                conn.prepare_cached("SELECT vector FROM embeddings WHERE content_hash = ?1 AND image_model = ?2")?;
            let mut examples = Vec::with_capacity(by_hash.len());
            for (hash, mut example) in by_hash {
                let blob: Vec<u8> = vectors.query_row(params![hash, image_model], |row| row.get(0))?;
                example.embedding = blob_to_vector(&blob)?;
                examples.push(example);
            }
            Ok(examples)
        })
    }

    /// Creates a tag model or replaces its tags, kind and options (its versions stay).
    pub fn put_model(
        &self,
        name: &str,
        tags: &[String],
        kind: ModelKind,
        options: &TrainingOptions,
    ) -> Result<TagModel, StoreError> {
        check_model_name(name)?;
        if name == smart_tags_core::scenes::SCENE_MODEL && !is_scene_model(tags, kind) {
            return Err(StoreError::BadValue(format!(
                "the tag model {name} is the built-in scene model: its tags are independent built-in scenes (scene:<title>)"
            )));
        }
        if tags.len() > MAX_MODEL_TAGS {
            return Err(StoreError::BadValue(format!("a tag model holds at most {MAX_MODEL_TAGS} tags")));
        }
        options.validate().map_err(StoreError::BadValue)?;
        self.write(|tx| {
            let at = now(tx)?;
            tx.execute(
                "INSERT INTO tag_models (name, tags, options, active_version, created_at, updated_at, kind) VALUES (?1, ?2, ?3, NULL, ?4, ?4, ?5)
                 ON CONFLICT (name) DO UPDATE SET tags = excluded.tags, options = excluded.options, kind = excluded.kind, updated_at = excluded.updated_at",
                params![name, to_json(&tags)?, to_json(options)?, at, kind_text(kind)],
            )?;
            get_model(tx, name)
        })
    }

    /// Deletes a tag model with its versions and jobs; never the built-in scene model.
    pub fn delete_model(&self, name: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let model = get_model(tx, name)?;
            if name == smart_tags_core::scenes::SCENE_MODEL && is_scene_model(&model.tags, model.kind) {
                return Err(StoreError::BuiltInModel(name.to_owned()));
            }
            tx.execute("DELETE FROM tag_models WHERE name = ?1", [name])?;
            if model.active_version.is_some() {
                bump_trained_version(tx)?;
            }
            Ok(())
        })
    }

    pub fn model(&self, name: &str) -> Result<TagModel, StoreError> {
        self.read(|conn| get_model(conn, name))
    }

    /// Every tag model, by name.
    pub fn models(&self) -> Result<Vec<TagModel>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("SELECT {MODEL_COLUMNS} FROM tag_models ORDER BY name"))?;
            let rows = stmt.query_map([], read_model)?.collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(model_from).collect()
        })
    }

    /// A model's versions, newest first.
    pub fn versions_of(&self, name: &str) -> Result<Vec<ModelVersion>, StoreError> {
        self.read(|conn| {
            get_model(conn, name)?;
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {VERSION_COLUMNS} FROM model_versions WHERE model = ?1 ORDER BY version DESC"
            ))?;
            let rows = stmt.query_map([name], read_version)?.collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(version_from).collect()
        })
    }

    /// One version's exported file.
    pub fn artifact(&self, name: &str, version: i64) -> Result<Vec<u8>, StoreError> {
        self.read(|conn| {
            get_model(conn, name)?;
            conn.query_row(
                "SELECT artifact FROM model_versions WHERE model = ?1 AND version = ?2",
                params![name, version],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownVersion { model: name.to_owned(), version })
        })
    }

    /// The files of every active version: (model, version, file).
    pub fn active_artifacts(&self) -> Result<Vec<(String, i64, Vec<u8>)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT v.model, v.version, v.artifact FROM tag_models m
                   JOIN model_versions v ON v.model = m.name AND v.version = m.active_version
                  ORDER BY v.model",
            )?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Adds the next version of a model (activating it when asked) and returns its number.
    pub fn add_version(&self, name: &str, new: &NewVersion<'_>) -> Result<i64, StoreError> {
        self.write(|tx| add_version(tx, name, new))
    }

    /// Makes a version the active one (rolling back is activating an older one).
    pub fn activate(&self, name: &str, version: i64) -> Result<TagModel, StoreError> {
        self.write(|tx| {
            get_model(tx, name)?;
            if !version_exists(tx, name, version)? {
                return Err(StoreError::UnknownVersion { model: name.to_owned(), version });
            }
            set_active(tx, name, Some(version))?;
            get_model(tx, name)
        })
    }

    /// Leaves a model without an active version: its tags are no longer predicted.
    pub fn deactivate(&self, name: &str) -> Result<TagModel, StoreError> {
        self.write(|tx| {
            get_model(tx, name)?;
            set_active(tx, name, None)?;
            get_model(tx, name)
        })
    }

    /// Deletes a version that is not the active one.
    pub fn delete_version(&self, name: &str, version: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            let model = get_model(tx, name)?;
            if model.active_version == Some(version) {
                return Err(StoreError::VersionActive { model: name.to_owned(), version });
            }
            if tx.execute("DELETE FROM model_versions WHERE model = ?1 AND version = ?2", params![name, version])? == 0
            {
                return Err(StoreError::UnknownVersion { model: name.to_owned(), version });
            }
            Ok(())
        })
    }

    /// Queues a training job; refuses while another job of the model is pending or training.
    pub fn create_job(&self, name: &str, activate: bool) -> Result<Job, StoreError> {
        self.write(|tx| {
            get_model(tx, name)?;
            let running: Option<i64> = tx
                .query_row("SELECT id FROM training_jobs WHERE model = ?1 AND status IN ('pending', 'training')", [name], |row| row.get(0))
                .optional()?;
            if let Some(id) = running {
                return Err(StoreError::JobRunning { model: name.to_owned(), job: id });
            }
            let at = now(tx)?;
            tx.execute(
                "INSERT INTO training_jobs (model, status, progress, activate, created_at) VALUES (?1, 'pending', 0, ?2, ?3)",
                params![name, activate, at],
            )?;
            get_job(tx, tx.last_insert_rowid())
        })
    }

    pub fn job(&self, id: i64) -> Result<Job, StoreError> {
        self.read(|conn| get_job(conn, id))
    }

    /// The newest job of a model.
    pub fn latest_job(&self, name: &str) -> Result<Option<Job>, StoreError> {
        self.read(|conn| {
            let id: Option<i64> =
                conn.query_row("SELECT MAX(id) FROM training_jobs WHERE model = ?1", [name], |row| row.get(0))?;
            id.map(|id| get_job(conn, id)).transpose()
        })
    }

    /// Records progress of a running job (and moves it from pending to training).
    pub fn job_progress(&self, id: i64, progress: f64) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE training_jobs SET status = 'training', progress = MAX(progress, ?1) WHERE id = ?2 AND status IN ('pending', 'training')",
                params![progress.clamp(0.0, 1.0), id],
            )?;
            Ok(())
        })
    }

    /// Ends a job without a version: failed (with the reason) or cancelled.
    pub fn finish_job(&self, id: i64, status: JobStatus, error: Option<&str>) -> Result<Job, StoreError> {
        self.write(|tx| {
            let at = now(tx)?;
            tx.execute(
                "UPDATE training_jobs SET status = ?1, error = ?2, finished_at = ?3 WHERE id = ?4 AND status IN ('pending', 'training')",
                params![status.as_str(), error, at, id],
            )?;
            get_job(tx, id)
        })
    }

    /// Ends a job with the version it trained, in one transaction with the version itself, and
    /// why that version was not activated although the job asked for it (`held_back`).
    pub fn complete_job(&self, id: i64, new: &NewVersion<'_>, held_back: Option<&str>) -> Result<Job, StoreError> {
        self.write(|tx| {
            let job = get_job(tx, id)?;
            if job.status.is_final() {
                return Ok(job);
            }
            let version = add_version(tx, &job.model, new)?;
            let at = now(tx)?;
            tx.execute(
                "UPDATE training_jobs SET status = 'trained', progress = 1, version = ?1, held_back = ?2, finished_at = ?3 WHERE id = ?4",
                params![version, held_back, at, id],
            )?;
            get_job(tx, id)
        })
    }

    /// Marks failed every job a stopped process left pending or training. Returns how many.
    pub fn fail_interrupted_jobs(&self) -> Result<usize, StoreError> {
        self.write(|tx| {
            let at = now(tx)?;
            Ok(tx.execute(
                "UPDATE training_jobs SET status = 'failed', error = 'interrupted: the service stopped during training; the previous version stays active', finished_at = ?1
                  WHERE status IN ('pending', 'training')",
                [at],
            )?)
        })
    }

    /// Example counts per tag for this image model (imports and moderation).
    pub fn example_counts(&self, image_model: &str) -> Result<BTreeMap<String, usize>, StoreError> {
        let mut counts = BTreeMap::new();
        for example in self.examples(image_model, None)? {
            for tag in example.tags.keys() {
                *counts.entry(tag.clone()).or_insert(0) += 1;
            }
        }
        Ok(counts)
    }
}

pub(super) fn insert_embedding(
    tx: &Transaction<'_>,
    content_hash: &str,
    image_model: &str,
    embedding: &[f32],
) -> Result<(), StoreError> {
    let at = now(tx)?;
    tx.execute(
        "INSERT INTO embeddings (content_hash, image_model, vector, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (content_hash) DO UPDATE SET image_model = excluded.image_model, vector = excluded.vector, created_at = excluded.created_at",
        params![content_hash, image_model, vector_to_blob(embedding), at],
    )?;
    Ok(())
}

fn add_version(tx: &Transaction<'_>, name: &str, new: &NewVersion<'_>) -> Result<i64, StoreError> {
    get_model(tx, name)?;
    let version: i64 =
        tx.query_row("SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model = ?1", [name], |row| {
            row.get(0)
        })?;
    let at = now(tx)?;
    let artifact = (new.artifact)(version, &at);
    tx.execute(
        "INSERT INTO model_versions (model, version, origin, image_model, taxonomy_version, summary, artifact, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![name, version, new.origin.as_str(), new.image_model, new.taxonomy_version, to_json(new.summary)?, artifact, at],
    )?;
    if new.activate {
        set_active(tx, name, Some(version))?;
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::temp_store;
    use super::*;

    fn example(hash: &str, tags: &[&str]) -> NewExample {
        NewExample {
            content_hash: hash.to_owned(),
            embedding: vec![0.5, 1.5, -2.0],
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            file: Some(format!("{hash}.jpg")),
            picture: None,
        }
    }

    fn version<'a>(summary: &'a serde_json::Value, activate: bool) -> NewVersion<'a> {
        NewVersion {
            origin: VersionOrigin::Trained,
            image_model: "m1",
            taxonomy_version: 3,
            summary,
            artifact: &|v, _| format!("file {v}").into_bytes(),
            activate,
        }
    }

    #[test]
    fn examples_come_from_imports_and_moderation() {
        let (_dir, store) = temp_store();
        let added =
            store.add_examples("m1", &[example("h1", &["demo:a"]), example("h2", &["demo:b", "demo:a"])]).unwrap();
        assert_eq!(added, AddedExamples { imported: 3, already_known: 0 });
        let again = store.add_examples("m1", &[example("h1", &["demo:a"])]).unwrap();
        assert_eq!(again, AddedExamples { imported: 0, already_known: 1 });
        // A person promotes demo:c on an asset whose embedding is cached.
        let key = store.resolve_asset(Some("h3"), None).unwrap();
        store.save_embedding("h3", "m1", &[1.0, 2.0, 3.0]).unwrap();
        store
            .save_prediction(
                key,
                &super::super::NewPrediction {
                    content_hash: Some("h3".into()),
                    model_version: "m1".into(),
                    taxonomy_version: 0,
                    settings_version: 0,
                    trained_version: 0,
                    tags: vec![],
                },
            )
            .unwrap();
        store.moderate(key, "demo:c", super::super::TagAction::AddManual { title: Some("C".into()) }, "admin").unwrap();
        let all = store.examples("m1", None).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].tags.len(), 2);
        assert_eq!(all[2].tags.get("demo:c"), Some(&ExampleOrigin::Moderation));
        assert_eq!(all[2].embedding, vec![1.0, 2.0, 3.0]);
        assert_eq!(all[0].embedding, vec![0.5, 1.5, -2.0]);
        // Other image models' embeddings are not examples.
        assert!(store.examples("m2", None).unwrap().is_empty());
        let only_b = store.examples("m1", Some(&["demo:b".to_owned()])).unwrap();
        assert_eq!(only_b.len(), 1);
        assert_eq!(store.example_counts("m1").unwrap().get("demo:a"), Some(&2));
        assert_eq!(store.remove_examples("h2", None).unwrap(), 2);
    }

    #[test]
    fn versions_activate_roll_back_and_bump_the_trained_version() {
        let (_dir, store) = temp_store();
        store
            .put_model(
                "product-type",
                &["demo:a".into(), "demo:b".into()],
                ModelKind::Exclusive,
                &TrainingOptions::default(),
            )
            .unwrap();
        assert!(matches!(
            store.put_model("Bad Name", &[], ModelKind::Exclusive, &TrainingOptions::default()),
            Err(StoreError::BadValue(_))
        ));
        let summary = serde_json::json!({"accuracy": 0.9});
        let start = store.versions().unwrap().trained;
        assert_eq!(store.add_version("product-type", &version(&summary, true)).unwrap(), 1);
        assert_eq!(store.add_version("product-type", &version(&summary, true)).unwrap(), 2);
        assert_eq!(store.versions().unwrap().trained, start + 2);
        assert_eq!(store.model("product-type").unwrap().active_version, Some(2));
        store.activate("product-type", 1).unwrap();
        assert_eq!(store.active_artifacts().unwrap(), vec![("product-type".to_owned(), 1, b"file 1".to_vec())]);
        assert!(matches!(store.delete_version("product-type", 1), Err(StoreError::VersionActive { .. })));
        store.delete_version("product-type", 2).unwrap();
        assert!(matches!(store.activate("product-type", 2), Err(StoreError::UnknownVersion { .. })));
        assert_eq!(store.versions_of("product-type").unwrap().len(), 1);
        store.deactivate("product-type").unwrap();
        assert!(store.active_artifacts().unwrap().is_empty());
        store.delete_model("product-type").unwrap();
        assert!(matches!(store.model("product-type"), Err(StoreError::UnknownModel(_))));
    }

    #[test]
    fn jobs_run_one_at_a_time_and_interrupted_ones_fail() {
        let (_dir, store) = temp_store();
        store
            .put_model("m", &["demo:a".into(), "demo:b".into()], ModelKind::Independent, &TrainingOptions::default())
            .unwrap();
        let job = store.create_job("m", true).unwrap();
        assert_eq!(job.status, JobStatus::Pending);
        assert!(matches!(store.create_job("m", true), Err(StoreError::JobRunning { .. })));
        store.job_progress(job.id, 0.4).unwrap();
        store.job_progress(job.id, 0.2).unwrap();
        let running = store.job(job.id).unwrap();
        assert_eq!((running.status, running.progress), (JobStatus::Training, 0.4));
        assert_eq!(store.fail_interrupted_jobs().unwrap(), 1);
        let failed = store.job(job.id).unwrap();
        assert_eq!(failed.status, JobStatus::Failed);
        assert!(failed.error.unwrap().contains("interrupted"));
        let second = store.create_job("m", true).unwrap();
        let summary = serde_json::json!({});
        let done = store.complete_job(second.id, &version(&summary, true), None).unwrap();
        assert_eq!((done.status, done.version), (JobStatus::Trained, Some(1)));
        assert_eq!(store.latest_job("m").unwrap().unwrap().id, second.id);
        assert_eq!(store.model("m").unwrap().active_version, Some(1));
    }
}
