//! The approximate nearest-neighbour index of image embeddings behind "find similar" and the
//! duplicates of an upload: one vector per distinct bytes held by an asset, under the current
//! image model, in a usearch HNSW graph (cosine; vectors stored as `f16`).
//!
//! Why usearch: a well-kept HNSW implementation (the engine of DuckDB's and ClickHouse's vector
//! indexes) with removals, quantised vectors, and save/load, which hand-written or unmaintained
//! Rust HNSW crates lack; sqlite-vec only scans.
//!
//! - **Keys** are the first 16 hex digits of the content hash (a SHA-256), so the index needs no
//!   mapping table: the assets behind a key are those whose hash starts with them
//!   (`Store::assets_with_hash_prefix`). Callers re-check candidates against the stored embedding
//!   ([`smart_tags_core::similarity::cosine`]), so the answers' similarities are exact.
//! - **In step with the store**: every inference adds its bytes ([`SimilarIndex::add`]); bytes no
//!   asset holds any more (an asset's content changed) are taken out ([`SimilarIndex::remove`]),
//!   and skipped anyway when candidates are expanded to assets.
//! - **Rebuilt if lost**: the index is built on first use (the service starts it at start-up)
//!   from the store's embeddings, page by page, without holding the lock — tagging goes on and
//!   answers no duplicates until it is ready, and its changes are applied when the new index is
//!   swapped in — or loaded from `<data-dir>/similar-<model digest>.usearch` when that file holds as
//!   many vectors as the store has; it is saved after a build and when the service stops
//!   ([`SimilarIndex::save`]). A file that is missing, damaged or behind the store (a crash after
//!   inserts) is rebuilt.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use sha2::{Digest, Sha256};
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

use crate::store::embeddings::PAGE;
use crate::store::{Store, StoreError};

/// Length of the image model's embedding.
pub const DIMENSIONS: usize = 1280;
/// How vectors are stored in the index (half precision: recall@10 as with `f32` in
/// BENCHMARKS.md, "Find similar", at half the memory).
pub const QUANTIZATION: ScalarKind = ScalarKind::F16;
/// Threads that may add or search at once (usearch keeps a context per thread and refuses a
/// search when none is free); the service uses one at a time, under its mutex.
const THREADS: usize = 4;
/// HNSW graph degree and the candidate lists while adding and searching (400: recall@10 ≥ 0.95
/// at a million vectors, BENCHMARKS.md "Find similar"; 100 gives 0.91 at 100,000).
const CONNECTIVITY: usize = 16;
const EXPANSION_ADD: usize = 128;
const EXPANSION_SEARCH: usize = 400;

#[derive(Debug, thiserror::Error)]
pub enum SimilarError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the similarity index failed: {0}")]
    Index(String),
}

fn index_error(e: impl std::fmt::Display) -> SimilarError {
    SimilarError::Index(e.to_string())
}

/// The index key of a content hash: its first 16 hex digits (`None` for a hash that is not hex).
pub fn key_of(content_hash: &str) -> Option<u64> {
    content_hash.get(..16).and_then(|prefix| u64::from_str_radix(prefix, 16).ok())
}

/// The hash prefix a key stands for.
pub fn prefix_of(key: u64) -> String {
    format!("{key:016x}")
}

/// One candidate: an index key and the cosine the index estimates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    pub key: u64,
    pub cosine: f32,
}

struct Built {
    model: String,
    index: Index,
}

/// The index, built on first use for the current image model.
pub struct SimilarIndex {
    /// Where it is saved; `None`: kept in memory only.
    dir: Option<PathBuf>,
    /// One caller at a time: a search takes about 7 ms at a million vectors, and usearch's
    /// per-thread contexts are bounded ([`THREADS`]). A rebuild does not hold it.
    state: Mutex<State>,
}

fn options() -> IndexOptions {
    options_with(QUANTIZATION)
}

fn options_with(quantization: ScalarKind) -> IndexOptions {
    IndexOptions {
        dimensions: DIMENSIONS,
        metric: MetricKind::Cos,
        quantization,
        connectivity: CONNECTIVITY,
        expansion_add: EXPANSION_ADD,
        expansion_search: EXPANSION_SEARCH,
        multi: false,
    }
}

/// An empty index with room for `capacity` vectors.
pub fn new_index(capacity: usize) -> Result<Index, SimilarError> {
    new_index_with(capacity, QUANTIZATION)
}

/// An empty index storing vectors as `quantization` (the benchmark compares them).
pub fn new_index_with(capacity: usize, quantization: ScalarKind) -> Result<Index, SimilarError> {
    let index = Index::new(&options_with(quantization)).map_err(index_error)?;
    index.reserve_capacity_and_threads(capacity.max(1024), THREADS).map_err(index_error)?;
    Ok(index)
}

/// Adds a vector unless its key is there (the same bytes give the same embedding), growing the
/// capacity by doubling.
pub fn insert(index: &Index, key: u64, embedding: &[f32]) -> Result<(), SimilarError> {
    if embedding.len() != DIMENSIONS || index.contains(key) {
        return Ok(());
    }
    if index.size() >= index.capacity() {
        index.reserve_capacity_and_threads((index.capacity() * 2).max(1024), THREADS).map_err(index_error)?;
    }
    index.add(key, embedding).map_err(index_error)
}

/// What changed while the index was being built, applied when it is swapped in.
enum Pending {
    Add(u64, Vec<f32>),
    Remove(u64),
}

/// The index's state: nothing yet, being built for a model (searches answer nothing meanwhile,
/// changes wait in `pending`), or built.
enum State {
    Empty,
    Building { model: String, pending: Vec<Pending> },
    Built(Built),
}

impl SimilarIndex {
    /// An index saved under `dir` (the data directory), or kept in memory (`None`).
    pub fn new(dir: Option<&Path>) -> SimilarIndex {
        SimilarIndex { dir: dir.map(Path::to_owned), state: Mutex::new(State::Empty) }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while held leaves a usable index (usearch calls do not unwind halfway).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn file(&self, model: &str) -> Option<PathBuf> {
        let digest: String = Sha256::digest(model.as_bytes())[..6].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.as_ref().map(|dir| dir.join(format!("similar-{digest}.usearch")))
    }

    /// Makes sure the index is built for `model`: loaded from its file when that holds as many
    /// vectors as the store, else rebuilt from the store and saved. The build runs without the
    /// lock, so tagging goes on meanwhile (its changes are applied when the index is swapped in);
    /// a call while another thread builds returns at once. Answers whether the index is ready.
    pub fn ensure(&self, store: &Store, model: &str) -> Result<bool, SimilarError> {
        {
            let mut state = self.lock();
            match &*state {
                State::Built(b) if b.model == model => return Ok(true),
                State::Building { model: building, .. } if building == model => return Ok(false),
                _ => *state = State::Building { model: model.to_owned(), pending: Vec::new() },
            }
        }
        let built = self.build(store, model);
        let mut state = self.lock();
        let pending = match std::mem::replace(&mut *state, State::Empty) {
            State::Building { model: building, pending } if building == model => pending,
            // Another model took over meanwhile: leave it to its own build.
            other => {
                *state = other;
                return Ok(false);
            }
        };
        let index = built?;
        for change in pending {
            match change {
                Pending::Add(key, embedding) => insert(&index, key, &embedding)?,
                Pending::Remove(key) if index.contains(key) => {
                    index.remove(key).map_err(index_error)?;
                }
                Pending::Remove(_) => {}
            }
        }
        let built = Built { model: model.to_owned(), index };
        self.save_built(&built);
        *state = State::Built(built);
        Ok(true)
    }

    /// Loads the saved index, or builds one from the store page by page (without the lock).
    fn build(&self, store: &Store, model: &str) -> Result<Index, SimilarError> {
        let started = Instant::now();
        let expected = store.count_asset_embeddings(model)?;
        if let Some(index) = self.file(model).as_deref().and_then(|f| self.load(f, expected)) {
            tracing::info!(
                vectors = index.size(),
                ms = started.elapsed().as_millis() as u64,
                "loaded the similarity index"
            );
            return Ok(index);
        }
        let index = new_index(expected)?;
        let mut after = String::new();
        loop {
            let page = store.asset_embeddings(model, &after, PAGE)?;
            let Some((last, _)) = page.last() else { break };
            after = last.clone();
            for (hash, embedding) in &page {
                if let Some(key) = key_of(hash) {
                    insert(&index, key, embedding)?;
                }
            }
        }
        tracing::info!(
            vectors = index.size(),
            ms = started.elapsed().as_millis() as u64,
            "built the similarity index from the store"
        );
        Ok(index)
    }

    /// The saved index, when it loads and holds `expected` vectors.
    fn load(&self, file: &Path, expected: usize) -> Option<Index> {
        let path = file.to_str()?;
        if !file.exists() {
            return None;
        }
        let index = Index::new(&options()).ok()?;
        match index.load(path) {
            Ok(()) if index.size() == expected && index.dimensions() == DIMENSIONS => Some(index),
            Ok(()) => {
                tracing::info!(file = %file.display(), vectors = index.size(), expected, "the saved similarity index is behind the store: rebuilding");
                None
            }
            Err(e) => {
                tracing::warn!(file = %file.display(), error = %e, "the saved similarity index does not load: rebuilding");
                None
            }
        }
    }

    /// Saves the index next to the database (a temporary file renamed over the old one), if it
    /// is built and has a directory; a failure is logged, the next start rebuilds.
    pub fn save(&self) {
        if let State::Built(built) = &*self.lock() {
            self.save_built(built);
        }
    }

    fn save_built(&self, built: &Built) {
        let Some(file) = self.file(&built.model) else { return };
        let tmp = file.with_extension("usearch.tmp");
        let saved = tmp
            .to_str()
            .ok_or_else(|| index_error("the data directory's path is not UTF-8"))
            .and_then(|path| built.index.save(path).map_err(index_error))
            .and_then(|()| std::fs::rename(&tmp, &file).map_err(index_error));
        match saved {
            Ok(()) => {
                tracing::info!(file = %file.display(), vectors = built.index.size(), "saved the similarity index")
            }
            Err(e) => tracing::warn!(file = %file.display(), error = %e, "could not save the similarity index"),
        }
    }

    /// Adds the embedding of these bytes (after an inference, or a new asset of known bytes);
    /// bytes already there are left as they are.
    pub fn add(&self, store: &Store, model: &str, content_hash: &str, embedding: &[f32]) -> Result<(), SimilarError> {
        let Some(key) = key_of(content_hash) else { return Ok(()) };
        self.ensure(store, model)?;
        match &mut *self.lock() {
            State::Built(b) if b.model == model => insert(&b.index, key, embedding),
            State::Building { model: building, pending } if building == model => {
                pending.push(Pending::Add(key, embedding.to_vec()));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Takes out the vector of bytes no asset holds any more (an asset's content changed).
    pub fn remove(&self, content_hash: &str) -> Result<(), SimilarError> {
        let Some(key) = key_of(content_hash) else { return Ok(()) };
        match &mut *self.lock() {
            State::Built(b) if b.index.contains(key) => b.index.remove(key).map(|_| ()).map_err(index_error),
            State::Building { pending, .. } => {
                pending.push(Pending::Remove(key));
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The `count` nearest stored bytes to `embedding`, nearest first; none while the index is
    /// being built.
    pub fn nearest(
        &self,
        store: &Store,
        model: &str,
        embedding: &[f32],
        count: usize,
    ) -> Result<Vec<Neighbour>, SimilarError> {
        if !self.ensure(store, model)? || embedding.len() != DIMENSIONS || count == 0 {
            return Ok(Vec::new());
        }
        let state = self.lock();
        let State::Built(built) = &*state else { return Ok(Vec::new()) };
        if built.model != model {
            return Ok(Vec::new());
        }
        let matches = built.index.search(embedding, count).map_err(index_error)?;
        Ok(matches
            .keys
            .iter()
            .zip(&matches.distances)
            .map(|(&key, &distance)| Neighbour { key, cosine: 1.0 - distance })
            .collect())
    }

    /// Vectors in the index (0 before it is built).
    pub fn len(&self) -> usize {
        match &*self.lock() {
            State::Built(b) => b.index.size(),
            _ => 0,
        }
    }

    /// Whether the index holds no vector.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;
    use crate::store::NewPrediction;

    fn vector(seed: u64) -> Vec<f32> {
        // A deterministic, non-negative vector (as pooled features are).
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..DIMENSIONS)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 1000) as f32 / 1000.0
            })
            .collect()
    }

    fn tagged(store: &Store, model: &str, hash: &str, id: &str, embedding: &[f32]) {
        let key = store.resolve_asset(Some(hash), Some(id)).unwrap();
        let prediction = NewPrediction {
            content_hash: Some(hash.to_owned()),
            model_version: model.to_owned(),
            taxonomy_version: 0,
            settings_version: 0,
            trained_version: 0,
            tags: Vec::new(),
        };
        store.save_inference(key, &prediction, &[1.0], embedding).unwrap();
    }

    #[test]
    fn builds_from_the_store_adds_saves_and_reloads() {
        let (dir, store) = temp_store();
        let model = "efficientnet-lite0@1";
        let hashes: Vec<String> = (0..20u64).map(|i| format!("{:016x}{}", 0x1000 + i, "a".repeat(48))).collect();
        for (i, hash) in hashes.iter().enumerate().take(10) {
            tagged(&store, model, hash, &format!("dam-{i}"), &vector(i as u64));
        }
        let index = SimilarIndex::new(Some(dir.path()));
        assert_eq!(index.nearest(&store, model, &vector(3), 1).unwrap()[0].key, key_of(&hashes[3]).unwrap());
        assert_eq!(index.len(), 10);
        // A new inference is added.
        tagged(&store, model, &hashes[10], "dam-10", &vector(10));
        index.add(&store, model, &hashes[10], &vector(10)).unwrap();
        let found = index.nearest(&store, model, &vector(10), 2).unwrap();
        assert_eq!(found[0].key, key_of(&hashes[10]).unwrap());
        assert!((found[0].cosine - 1.0).abs() < 1e-2, "{found:?}");
        index.save();
        // A new process loads the saved file; one behind the store is rebuilt.
        let reloaded = SimilarIndex::new(Some(dir.path()));
        reloaded.ensure(&store, model).unwrap();
        assert_eq!(reloaded.len(), 11);
        tagged(&store, model, &hashes[11], "dam-11", &vector(11));
        let behind = SimilarIndex::new(Some(dir.path()));
        assert_eq!(behind.nearest(&store, model, &vector(11), 1).unwrap()[0].key, key_of(&hashes[11]).unwrap());
        assert_eq!(behind.len(), 12);
        // A damaged file is rebuilt too.
        let file = behind.file(model).unwrap();
        std::fs::write(&file, b"not an index").unwrap();
        let damaged = SimilarIndex::new(Some(dir.path()));
        damaged.ensure(&store, model).unwrap();
        assert_eq!(damaged.len(), 12);
        // Bytes no asset holds any more are taken out.
        damaged.remove(&hashes[11]).unwrap();
        assert_eq!(damaged.len(), 11);
        assert_ne!(damaged.nearest(&store, model, &vector(11), 1).unwrap()[0].key, key_of(&hashes[11]).unwrap());
        // Another image model has its own (empty) index.
        assert!(damaged.nearest(&store, "other@2", &vector(1), 3).unwrap().is_empty());
    }

    #[test]
    fn while_it_is_built_searches_answer_nothing_and_changes_wait() {
        let (_dir, store) = temp_store();
        let model = "efficientnet-lite0@1";
        let index = SimilarIndex::new(None);
        *index.lock() = State::Building { model: model.to_owned(), pending: Vec::new() };
        let hash = format!("{:016x}{}", 0x42, "b".repeat(48));
        index.add(&store, model, &hash, &vector(1)).unwrap();
        index.remove(&hash).unwrap();
        assert!(index.nearest(&store, model, &vector(1), 3).unwrap().is_empty(), "not ready: no answer, no wait");
        assert!(matches!(&*index.lock(), State::Building { pending, .. } if pending.len() == 2));
        assert_eq!(index.len(), 0);
    }

    #[test]
    fn keys_are_hash_prefixes() {
        assert_eq!(key_of("00000000000000ffdeadbeef"), Some(255));
        assert_eq!(prefix_of(255), "00000000000000ff");
        assert_eq!(key_of("not-hex-at-all-xx"), None);
        assert_eq!(key_of("abc"), None);
    }
}
