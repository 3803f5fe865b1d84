//! The schema, as an ordered list of SQL scripts. Script `i` (0-based) takes the database from
//! `PRAGMA user_version = i` to `i + 1`; each runs in its own transaction together with the
//! `user_version` update, so a failed script leaves the database as it was. Never edit a script
//! that has shipped: append a new one.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::StoreError;

/// Every script, oldest first. The schema version of a database is how many have been applied.
pub(crate) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const V1: &str = r"
-- The customer's taxonomy: one row per tag; `tag` is the whole smart_tags_core Tag as JSON.
CREATE TABLE tags (
    id  TEXT PRIMARY KEY NOT NULL,
    tag TEXT NOT NULL CHECK (json_valid(tag))
) WITHOUT ROWID;

-- Every change to the taxonomy and its concept links; `version` is the taxonomy version it made.
CREATE TABLE taxonomy_changes (
    version INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    op      TEXT NOT NULL CHECK (op IN ('import', 'create', 'update', 'move', 'delete', 'link')),
    tag_id  TEXT,
    detail  TEXT NOT NULL CHECK (json_valid(detail))
);

-- Taxonomy tag -> WordNet concept links.
CREATE TABLE tag_links (
    tag_id  TEXT NOT NULL REFERENCES tags (id) ON DELETE CASCADE ON UPDATE CASCADE,
    concept TEXT NOT NULL,
    score   REAL NOT NULL,
    method  TEXT NOT NULL CHECK (method IN ('lemma', 'synonym', 'similarity', 'manual')),
    state   TEXT NOT NULL CHECK (state IN ('auto', 'confirmed', 'rejected')),
    PRIMARY KEY (tag_id, concept)
) WITHOUT ROWID;
CREATE INDEX tag_links_concept ON tag_links (concept);

-- Assets, known by their content hash, their DAM asset id, or both.
CREATE TABLE assets (
    key          INTEGER PRIMARY KEY,
    content_hash TEXT UNIQUE,
    asset_id     TEXT UNIQUE,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CHECK (content_hash IS NOT NULL OR asset_id IS NOT NULL)
);

-- The latest smart tags of each asset and what they were computed with.
CREATE TABLE predictions (
    asset_key        INTEGER PRIMARY KEY REFERENCES assets (key) ON DELETE CASCADE,
    content_hash     TEXT,
    model_version    TEXT NOT NULL,
    taxonomy_version INTEGER NOT NULL,
    settings_version INTEGER NOT NULL,
    tags             TEXT NOT NULL CHECK (json_valid(tags)),
    created_at       TEXT NOT NULL
);

-- What people did to an asset's tags; kept apart from predictions so re-tagging never undoes it.
-- No foreign key on tag_id: generic tags (wordnet:..., color:...) are moderated too.
CREATE TABLE moderation (
    asset_key  INTEGER NOT NULL REFERENCES assets (key) ON DELETE CASCADE,
    tag_id     TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('removed', 'manual')),
    title      TEXT,
    confidence REAL,
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (asset_key, tag_id)
) WITHOUT ROWID;
CREATE INDEX moderation_tag ON moderation (tag_id);

-- Typed settings as JSON values; `version` is the settings version that last wrote the row.
CREATE TABLE settings (
    key     TEXT PRIMARY KEY NOT NULL,
    value   TEXT NOT NULL CHECK (json_valid(value)),
    version INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    at      TEXT NOT NULL
) WITHOUT ROWID;
";

const V2: &str = r"
-- Image-model embeddings, cached by the content hash of the original file.
CREATE TABLE embeddings (
    content_hash TEXT PRIMARY KEY NOT NULL,
    image_model  TEXT NOT NULL,
    vector       BLOB NOT NULL,
    created_at   TEXT NOT NULL
) WITHOUT ROWID;

-- Training examples added by a bulk import (moderation gives more: manual rows of assets with a
-- content hash and an embedding). No foreign key on tag_id: a tag may be deleted and recreated.
CREATE TABLE training_examples (
    content_hash TEXT NOT NULL REFERENCES embeddings (content_hash) ON DELETE CASCADE,
    tag_id       TEXT NOT NULL,
    file         TEXT,
    added_at     TEXT NOT NULL,
    PRIMARY KEY (content_hash, tag_id)
) WITHOUT ROWID;
CREATE INDEX training_examples_tag ON training_examples (tag_id);

-- Tag models: mutually exclusive tags describing one visual aspect, with training options.
CREATE TABLE tag_models (
    name           TEXT PRIMARY KEY NOT NULL,
    tags           TEXT NOT NULL CHECK (json_valid(tags)),
    options        TEXT NOT NULL CHECK (json_valid(options)),
    active_version INTEGER,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) WITHOUT ROWID;

-- Every trained or imported model version: its summary (metrics) and the exported file itself
-- (smart_tags_core::training::artifact, checksummed), which is what prediction loads.
CREATE TABLE model_versions (
    model            TEXT NOT NULL REFERENCES tag_models (name) ON DELETE CASCADE,
    version          INTEGER NOT NULL,
    origin           TEXT NOT NULL CHECK (origin IN ('trained', 'imported')),
    image_model      TEXT NOT NULL,
    taxonomy_version INTEGER NOT NULL,
    summary          TEXT NOT NULL CHECK (json_valid(summary)),
    artifact         BLOB NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (model, version)
) WITHOUT ROWID;

-- Training runs. A run left pending or training by a stopped process is marked failed at start-up.
CREATE TABLE training_jobs (
    id          INTEGER PRIMARY KEY,
    model       TEXT NOT NULL REFERENCES tag_models (name) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'training', 'trained', 'failed', 'cancelled')),
    progress    REAL NOT NULL DEFAULT 0,
    error       TEXT,
    version     INTEGER,
    activate    INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX training_jobs_model ON training_jobs (model, id);

-- Bumped whenever the set of active trained model versions changes; a prediction made under
-- another value is stale.
CREATE TABLE trained_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO trained_state (id, version) VALUES (1, 0);

ALTER TABLE predictions ADD COLUMN trained_version INTEGER NOT NULL DEFAULT 0;
";

const V3: &str = r"
-- Integrations of the authorization server (docs/credentials.md). Times are unix seconds.
CREATE TABLE integrations (
    client_id            TEXT PRIMARY KEY NOT NULL,
    name                 TEXT NOT NULL,
    org_id               TEXT NOT NULL UNIQUE,
    technical_account_id TEXT NOT NULL UNIQUE,
    scopes               TEXT NOT NULL CHECK (json_valid(scopes)),
    status               TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    created_at           INTEGER NOT NULL,
    revoked_at           INTEGER,
    tokens_issued        INTEGER NOT NULL DEFAULT 0,
    last_exchange_at     INTEGER
) WITHOUT ROWID;

-- The certificates whose keys may sign an integration's JWTs; `fingerprint` is the SHA-256 of
-- the DER (its first 16 hex digits are the kid).
CREATE TABLE integration_certificates (
    client_id   TEXT NOT NULL REFERENCES integrations (client_id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    pem         TEXT NOT NULL,
    subject     TEXT NOT NULL,
    not_after   INTEGER NOT NULL,
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (client_id, fingerprint)
) WITHOUT ROWID;

-- Client secrets as `sha256:<hex>`, never in clear; `expires_at` NULL: no expiry.
CREATE TABLE integration_secrets (
    id         INTEGER PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES integrations (client_id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
);
CREATE INDEX integration_secrets_client ON integration_secrets (client_id);

-- JWT ids seen by the exchange, kept until their token can no longer be accepted.
CREATE TABLE used_jtis (
    client_id TEXT NOT NULL,
    jti       TEXT NOT NULL,
    exp       INTEGER NOT NULL,
    PRIMARY KEY (client_id, jti)
) WITHOUT ROWID;
CREATE INDEX used_jtis_exp ON used_jtis (exp);

-- The HS256 keys of the access tokens, created on first use.
CREATE TABLE token_keys (
    kid        TEXT PRIMARY KEY NOT NULL,
    key        BLOB NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
";

const V4: &str = r"
-- The image model's class probabilities (1000 little-endian f32) of every file it ran on, so a
-- re-tag after a taxonomy, threshold or trained-model change needs no image.
CREATE TABLE model_outputs (
    content_hash  TEXT NOT NULL,
    model_version TEXT NOT NULL,
    probs         BLOB NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (content_hash, model_version)
) WITHOUT ROWID;

-- The DAM folder of an asset (a normalised path: `/a/b`, `/` the root), when the DAM says.
ALTER TABLE assets ADD COLUMN folder TEXT;
CREATE INDEX assets_folder ON assets (folder, key);

-- How many times the image model ran for the asset; predictions saved before counted once.
ALTER TABLE predictions ADD COLUMN inference_count INTEGER NOT NULL DEFAULT 0;
UPDATE predictions SET inference_count = 1;

-- The auto-tagging workflow (smart_tags_core::workflow::Workflow as JSON); no row: the default.
CREATE TABLE workflow (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    definition TEXT NOT NULL CHECK (json_valid(definition)),
    version    INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    actor      TEXT NOT NULL
);

-- Smart tagging switched on or off for a folder and the folders below it; no row: inherited.
CREATE TABLE folder_settings (
    path       TEXT PRIMARY KEY NOT NULL,
    smart_tags TEXT NOT NULL CHECK (smart_tags IN ('enabled', 'disabled')),
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL
) WITHOUT ROWID;
";

const V5: &str = r"
-- What the detectors (faces, people) found in a file, by content hash, so a re-tag keeps it
-- without the image: the detector versions and the findings as JSON.
CREATE TABLE detections (
    content_hash TEXT PRIMARY KEY NOT NULL,
    version      TEXT NOT NULL,
    findings     TEXT NOT NULL CHECK (json_valid(findings)),
    created_at   TEXT NOT NULL
) WITHOUT ROWID;
";

const V6: &str = r"
-- Whether a tag model's tags exclude each other (a softmax) or are independent (multi-label: one
-- sigmoid per tag). Older models are exclusive.
ALTER TABLE tag_models ADD COLUMN kind TEXT NOT NULL DEFAULT 'exclusive' CHECK (kind IN ('exclusive', 'independent'));
";

const V7: &str = r"
-- An asset is the DAM's asset id, and any number of asset ids may share bytes (one file in two
-- folders); the content hash only deduplicates the work (model outputs, embeddings and detections
-- are kept by hash). An asset without a DAM id is known by its hash alone: one per hash.
-- SQLite cannot drop a UNIQUE constraint, so the table is rebuilt (keys kept; foreign keys are
-- off while migrations run, so dropping the old table deletes no prediction or moderation).
CREATE TABLE assets_v7 (
    key          INTEGER PRIMARY KEY,
    content_hash TEXT,
    asset_id     TEXT UNIQUE,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    folder       TEXT,
    CHECK (content_hash IS NOT NULL OR asset_id IS NOT NULL)
);
INSERT INTO assets_v7 (key, content_hash, asset_id, created_at, updated_at, folder)
    SELECT key, content_hash, asset_id, created_at, updated_at, folder FROM assets;
DROP TABLE assets;
ALTER TABLE assets_v7 RENAME TO assets;
CREATE INDEX assets_folder ON assets (folder, key);
CREATE INDEX assets_content_hash ON assets (content_hash);
CREATE UNIQUE INDEX assets_without_id ON assets (content_hash) WHERE asset_id IS NULL;
";

const V8: &str = r"
-- Taxonomy confidences are calibrated on each tag's whole score and taxonomy tags carry their own
-- threshold (smart_tags_core::calibration::TAXONOMY_THRESHOLD): every stored prediction was scored
-- the old way, so it is marked stale (no settings version is -1). The re-tag policy then makes it
-- again from the model outputs stored for its bytes, without running the image model.
UPDATE predictions SET settings_version = -1;
";

const V9: &str = r"
-- Asset search (store/search.rs). asset_tags: the tags each asset shows now (its candidates
-- through the current thresholds and its moderation, taxonomy ancestors included), one row per
-- asset and tag id (the store writes an asset's rows whole), kept in rank order per tag id so a
-- query reads the best first; the index by asset holds the whole row, so checking what one asset
-- shows reads no table page. assets.indexed_settings: the settings version its rows follow (-1:
-- never written, so the service's catch-up pass indexes every stored asset after this migration).
CREATE TABLE asset_tags (
    tag_id     TEXT NOT NULL,
    confidence REAL NOT NULL,
    asset_key  INTEGER NOT NULL REFERENCES assets (key) ON DELETE CASCADE,
    PRIMARY KEY (tag_id, confidence DESC, asset_key)
) WITHOUT ROWID;
CREATE INDEX asset_tags_asset ON asset_tags (asset_key);
ALTER TABLE assets ADD COLUMN indexed_settings INTEGER NOT NULL DEFAULT -1;
CREATE INDEX assets_indexed_settings ON assets (indexed_settings);
-- file_words: the words read in each file, folded with their singulars; detections.words_indexed
-- is 0 until they are written (findings stored before this migration wait for the pass).
CREATE TABLE file_words (
    word         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    confidence   REAL NOT NULL,
    PRIMARY KEY (word, content_hash)
) WITHOUT ROWID;
CREATE INDEX file_words_content ON file_words (content_hash);
ALTER TABLE detections ADD COLUMN words_indexed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX detections_words_behind ON detections (content_hash) WHERE words_indexed = 0;
";

const V10: &str = r"
-- Folder settings get a second switch, face and person detection (people), and each switch may be
-- left to inherit (NULL); a row sets at least one. Rebuilt because smart_tags was NOT NULL.
CREATE TABLE folder_settings_v10 (
    path       TEXT PRIMARY KEY NOT NULL,
    smart_tags TEXT CHECK (smart_tags IN ('enabled', 'disabled')),
    people     TEXT CHECK (people IN ('enabled', 'disabled')),
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL,
    CHECK (smart_tags IS NOT NULL OR people IS NOT NULL)
) WITHOUT ROWID;
INSERT INTO folder_settings_v10 (path, smart_tags, people, actor, at) SELECT path, smart_tags, NULL, actor, at FROM folder_settings;
DROP TABLE folder_settings;
ALTER TABLE folder_settings_v10 RENAME TO folder_settings;
";

const V11: &str = r"
-- The picture an example shows, when its importer declared it (the views and near copies of one
-- photo: the built-in scene photos' groups): cross-validation never splits one picture's examples
-- over two folds, and counts it once.
ALTER TABLE training_examples ADD COLUMN picture TEXT;
";

const V12: &str = r"
-- The model input each file's shared outputs (probabilities, embedding, detections) came from:
-- its SHA-256, and whether the proxy hashed the bytes itself (store/content_inputs.rs). Outputs
-- stored before are recorded with no input: reused as before, replaced by a verified upload only.
CREATE TABLE content_inputs (
    content_hash TEXT PRIMARY KEY NOT NULL,
    input_sha256 TEXT,
    verified     INTEGER NOT NULL CHECK (verified IN (0, 1)),
    updated_at   TEXT NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO content_inputs (content_hash, input_sha256, verified, updated_at)
    SELECT content_hash, NULL, 0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM model_outputs;
INSERT OR IGNORE INTO content_inputs (content_hash, input_sha256, verified, updated_at)
    SELECT content_hash, NULL, 0, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM detections;
";

const V13: &str = r"
-- Why a training job did not activate the version it trained although asked to (its tags rest on
-- too few distinct pictures: core::training::activation); NULL when it did, or was not asked.
ALTER TABLE training_jobs ADD COLUMN held_back TEXT;
";

const V14: &str = r"
-- The integration's certificate token (`sha256:<hex>`, never in clear): it opens only the console
-- routes of this integration's certificates (show, add, remove), for the proxy's own rotation;
-- NULL: none. A new one replaces it.
ALTER TABLE integrations ADD COLUMN certificate_token_hash TEXT;
";

const V15: &str = r"
-- The integration's credential type, as Adobe IMS separates them: `jwt` (certificates sign JWTs
-- for the exchange; the client secret alone gets nothing) or `oauth_server_to_server` (the client
-- credentials grant; no certificate). Integrations made before were all registered from a
-- certificate: jwt.
ALTER TABLE integrations ADD COLUMN credential TEXT NOT NULL DEFAULT 'jwt'
    CHECK (credential IN ('jwt', 'oauth_server_to_server'));
";

/// Brings the database up to [`SCHEMA_VERSION`]; refuses one written by a newer build.
///
/// Foreign keys are switched off while scripts run (a script may rebuild a table, whose `DROP`
/// would otherwise cascade) and checked before each script commits, as SQLite's documented
/// procedure for schema changes does.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |row| row.get(0))?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = apply(conn);
    if enforced {
        conn.pragma_update(None, "foreign_keys", "ON")?;
    }
    result
}

fn apply(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew { found, supported: SCHEMA_VERSION });
    }
    let start = usize::try_from(found).map_err(|_| StoreError::Corrupt(format!("negative schema version {found}")))?;
    for (index, script) in MIGRATIONS.iter().enumerate().skip(start) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        // Another process may have migrated between our read and our lock.
        let now: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if now > index as i64 {
            continue;
        }
        tx.execute_batch(script)?;
        let broken: Option<String> = tx.query_row("PRAGMA foreign_key_check", [], |row| row.get(0)).optional()?;
        if let Some(table) = broken {
            return Err(StoreError::Corrupt(format!(
                "after migration {}, rows of {table} point at rows that do not exist",
                index + 1
            )));
        }
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "applied a database migration");
    }
    Ok(())
}
