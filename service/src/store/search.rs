//! The search index and its queries.
//!
//! - `asset_tags`: per asset, the tags it shows now — its stored candidates through the current
//!   thresholds and its moderation, ancestors included ([`smart_tags_core::search::index_rows`]).
//!   Every prediction and moderation write rewrites the asset's rows in its own transaction
//!   ([`reindex`]); `assets.indexed_settings` records the settings version they follow, and
//!   [`Store::catch_up_search`] brings the assets a thresholds change left behind up to date.
//! - `file_words`: the words read in each file (by content hash), folded with their singulars, as
//!   [`Store::save_detections`] writes them from the findings' `text.words[].text`.
//!
//! A query is a list of terms, each a set of tag ids and at most one folded word read in the
//! picture; an asset matches when it matches every term, with the weakest term's confidence as
//! its score. Rows of one tag id are contiguous in the primary key, best first, so the rarest
//! term is read in rank order (a word's tag lists merged) and the others are checked per asset,
//! until no later asset can enter the page (every score is at most the driver's confidence).

use std::collections::{BTreeMap, HashMap, HashSet};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use smart_tags_core::search::{by_rank, index_rows, word_forms, Cursor};
use smart_tags_core::tags::{apply, Decision, SmartTag};

use super::assets::AssetListing;
use super::{from_json, settings, AssetKey, ModerationAction, SqlEnum, Store, StoreError};

/// One term of a query: the asset shows one of `tags`, or `word` was read in its picture.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchTerm {
    pub tags: Vec<String>,
    /// A folded word ([`smart_tags_core::search::query_words`]), matched with its singulars.
    pub word: Option<String>,
}

/// One asset found, with its score (its weakest term's confidence).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub asset: AssetListing,
    pub score: f32,
}

/// A page of hits, best first; `next` continues it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub next: Option<Cursor>,
}

/// Rewrites the search rows of one asset from its stored prediction, its moderation and the
/// current thresholds, and records the settings version they follow.
pub(super) fn reindex(tx: &Transaction<'_>, key: AssetKey) -> Result<(), StoreError> {
    let thresholds = settings::thresholds(tx)?;
    let version = settings::version(tx)?;
    reindex_with(tx, key, &thresholds, version)
}

fn reindex_with(
    conn: &Connection,
    key: AssetKey,
    thresholds: &smart_tags_core::tags::Thresholds,
    version: i64,
) -> Result<(), StoreError> {
    let candidates: Vec<SmartTag> = conn
        .query_row("SELECT tags FROM predictions WHERE asset_key = ?1", [key.0], |row| row.get::<_, String>(0))
        .optional()?
        .map(|json| from_json(&json, "predicted tags"))
        .transpose()?
        .unwrap_or_default();
    let mut decisions = BTreeMap::new();
    let mut stmt = conn.prepare_cached("SELECT tag_id, action, title FROM moderation WHERE asset_key = ?1")?;
    let rows = stmt.query_map([key.0], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, Option<String>>(2)?))
    })?;
    for row in rows {
        let (tag_id, action, title) = row?;
        let decision = match ModerationAction::parse_stored(&action)? {
            ModerationAction::Removed => Decision::Removed,
            ModerationAction::Manual => {
                Decision::Manual { title: title.unwrap_or_else(|| tag_id.clone()), path: Vec::new() }
            }
        };
        decisions.insert(tag_id, decision);
    }
    conn.prepare_cached("DELETE FROM asset_tags WHERE asset_key = ?1")?.execute([key.0])?;
    let mut insert =
        conn.prepare_cached("INSERT INTO asset_tags (tag_id, asset_key, confidence) VALUES (?1, ?2, ?3)")?;
    for (tag_id, confidence) in index_rows(&apply(&candidates, thresholds, &decisions)) {
        insert.execute(params![tag_id, key.0, f64::from(confidence)])?;
    }
    conn.prepare_cached("UPDATE assets SET indexed_settings = ?1 WHERE key = ?2")?.execute(params![version, key.0])?;
    Ok(())
}

/// Marks the assets with a moderation row for `tag_id` as behind, before a taxonomy change
/// deletes or renames those rows, so the catch-up pass indexes them again.
pub(super) fn moderation_changes(tx: &Transaction<'_>, tag_id: &str) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE assets SET indexed_settings = -1 WHERE key IN (SELECT asset_key FROM moderation WHERE tag_id = ?1)",
    )?
    .execute([tag_id])?;
    Ok(())
}

/// Rewrites the words read in one file from its findings (`text.words[].text`, `text.confidence`).
pub(super) fn index_words(
    tx: &Transaction<'_>,
    content_hash: &str,
    findings: &serde_json::Value,
) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM file_words WHERE content_hash = ?1")?.execute([content_hash])?;
    let text = &findings["text"];
    let confidence = text["confidence"].as_f64().filter(|c| (0.0..=1.0).contains(c)).unwrap_or(0.0);
    let mut forms: Vec<String> = text["words"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|word| word["text"].as_str())
        .flat_map(smart_tags_core::search::query_words)
        .flat_map(|word| word_forms(&word))
        .collect();
    forms.sort();
    forms.dedup();
    let mut insert =
        tx.prepare_cached("INSERT INTO file_words (word, content_hash, confidence) VALUES (?1, ?2, ?3)")?;
    for form in forms {
        insert.execute(params![form, content_hash, confidence])?;
    }
    tx.prepare_cached("UPDATE detections SET words_indexed = 1 WHERE content_hash = ?1")?.execute([content_hash])?;
    Ok(())
}

/// The assets matching one term, with their best confidence for it, by asset key.
#[cfg(test)]
fn term_matches(conn: &Connection, term: &SearchTerm) -> Result<HashMap<i64, f32>, StoreError> {
    let mut found: HashMap<i64, f32> = HashMap::new();
    let mut keep = |key: i64, confidence: f64| {
        let confidence = confidence as f32;
        let best = found.entry(key).or_insert(confidence);
        *best = best.max(confidence);
    };
    let mut by_tag = conn.prepare_cached("SELECT asset_key, confidence FROM asset_tags WHERE tag_id = ?1")?;
    for tag in &term.tags {
        let mut rows = by_tag.query([tag])?;
        while let Some(row) = rows.next()? {
            keep(row.get(0)?, row.get(1)?);
        }
    }
    if let Some(word) = &term.word {
        let mut by_word = conn.prepare_cached(
            "SELECT a.key, w.confidence FROM file_words w JOIN assets a ON a.content_hash = w.content_hash WHERE w.word = ?1",
        )?;
        for form in word_forms(word) {
            let mut rows = by_word.query([form])?;
            while let Some(row) = rows.next()? {
                keep(row.get(0)?, row.get(1)?);
            }
        }
    }
    Ok(found)
}

/// Rows counted, at most, to choose the term a query reads in rank order.
const COUNT_CAP: i64 = 10_000;

/// The asset's listing, when it still exists.
fn listing(conn: &Connection, key: i64) -> Result<Option<AssetListing>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT asset_id, content_hash, folder FROM assets WHERE key = ?1")?;
    let row = stmt.query_row([key], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?))).optional()?;
    Ok(row.map(|(asset_id, content_hash, folder)| AssetListing { key: AssetKey(key), asset_id, content_hash, folder }))
}

/// The best hits so far, in rank order, at most `room` of them.
struct Best {
    hits: Vec<SearchHit>,
    room: usize,
}

impl Best {
    fn full(&self) -> bool {
        self.hits.len() == self.room
    }

    /// Whether a hit at `(score, key)` would rank before the worst one kept (always, when not full).
    fn admits(&self, score: f32, key: i64) -> bool {
        match self.hits.last() {
            Some(worst) if self.full() => by_rank(&(key, score), &(worst.asset.key.0, worst.score)).is_lt(),
            _ => true,
        }
    }

    fn add(&mut self, hit: SearchHit) {
        let at =
            self.hits.partition_point(|h| by_rank(&(h.asset.key.0, h.score), &(hit.asset.key.0, hit.score)).is_lt());
        self.hits.insert(at, hit);
        self.hits.truncate(self.room);
    }

    /// The page: `limit` hits, and the cursor after them when one more was found.
    fn page(mut self, limit: usize) -> SearchPage {
        let next = (self.hits.len() > limit)
            .then(|| self.hits[limit - 1].clone())
            .map(|h| Cursor { score: h.score, key: h.asset.key.0 });
        self.hits.truncate(limit);
        SearchPage { hits: self.hits, next }
    }
}

/// The best confidence of each term's tags among the rows one asset shows (`None`: none of them).
fn shown_confidences(
    shows: &mut rusqlite::CachedStatement<'_>,
    key: i64,
    terms: &[SearchTerm],
) -> Result<Vec<Option<f32>>, StoreError> {
    let mut best = vec![None; terms.len()];
    let mut rows = shows.query([key])?;
    while let Some(row) = rows.next()? {
        // Compared in place: no string is allocated per row.
        let id = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        for (slot, term) in best.iter_mut().zip(terms) {
            if term.tags.iter().any(|t| t == id) {
                let c = row.get::<_, f64>(1)? as f32;
                *slot = Some(slot.map_or(c, |b: f32| b.max(c)));
            }
        }
    }
    Ok(best)
}

/// The head of one ranked list while lists are merged: the heap pops the best rank first.
#[derive(Debug, PartialEq)]
struct Head {
    key: i64,
    confidence: f32,
    list: usize,
}

impl Eq for Head {}

impl Ord for Head {
    fn cmp(&self, other: &Head) -> std::cmp::Ordering {
        // BinaryHeap pops the greatest: the best rank is the greatest.
        by_rank(&(other.key, other.confidence), &(self.key, self.confidence))
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Head) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The assets whose pictures hold a word (any of its forms), best confidence each, in rank order.
fn read_in_rank_order(conn: &Connection, word: &str) -> Result<Vec<(i64, f32)>, StoreError> {
    let mut found: HashMap<i64, f32> = HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT a.key, w.confidence FROM file_words w JOIN assets a ON a.content_hash = w.content_hash WHERE w.word = ?1")?;
    for form in word_forms(word) {
        let mut rows = stmt.query([form])?;
        while let Some(row) = rows.next()? {
            let (key, c): (i64, f64) = (row.get(0)?, row.get(1)?);
            let best = found.entry(key).or_insert(c as f32);
            *best = best.max(c as f32);
        }
    }
    let mut ranked: Vec<(i64, f32)> = found.into_iter().collect();
    ranked.sort_unstable_by(by_rank);
    Ok(ranked)
}

/// The query read in rank order of one term (the driver): the ranked lists of its tags (and the
/// assets whose pictures hold its word) merged, each asset once at its best confidence, and each
/// checked against the other terms, until no later one can enter the page — every score is at
/// most the driver's confidence.
fn by_driver(
    conn: &Connection,
    terms: &[SearchTerm],
    driver: usize,
    after: Option<Cursor>,
    limit: usize,
    keep: &dyn Fn(&AssetListing) -> bool,
) -> Result<SearchPage, StoreError> {
    let term = &terms[driver];
    let mut best = Best { hits: Vec::new(), room: limit + 1 };
    let mut statements = term
        .tags
        .iter()
        .map(|_| {
            conn.prepare(
                "SELECT asset_key, confidence FROM asset_tags WHERE tag_id = ?1 ORDER BY confidence DESC, asset_key",
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut lists =
        statements.iter_mut().zip(&term.tags).map(|(stmt, tag)| stmt.query([tag])).collect::<Result<Vec<_>, _>>()?;
    let read = match &term.word {
        Some(word) => read_in_rank_order(conn, word)?,
        None => Vec::new(),
    };
    let mut read_next = read.iter();
    let mut heads = std::collections::BinaryHeap::new();
    for (list, rows) in lists.iter_mut().enumerate() {
        if let Some(row) = rows.next()? {
            heads.push(Head { key: row.get(0)?, confidence: row.get::<_, f64>(1)? as f32, list });
        }
    }
    let from_text = lists.len();
    if let Some(&(key, confidence)) = read_next.next() {
        heads.push(Head { key, confidence, list: from_text });
    }
    let mut shows = conn.prepare_cached("SELECT tag_id, confidence FROM asset_tags WHERE asset_key = ?1")?;
    // The words of the other terms, read once (few pictures hold a given word).
    let read_by_term: Vec<HashMap<i64, f32>> = terms
        .iter()
        .enumerate()
        .map(|(i, t)| match &t.word {
            Some(word) if i != driver => Ok(read_in_rank_order(conn, word)?.into_iter().collect()),
            _ => Ok(HashMap::new()),
        })
        .collect::<Result<_, StoreError>>()?;
    let mut seen: HashSet<i64> = HashSet::new();
    'rows: while let Some(Head { key, confidence, list }) = heads.pop() {
        if list == from_text {
            if let Some(&(key, confidence)) = read_next.next() {
                heads.push(Head { key, confidence, list });
            }
        } else if let Some(row) = lists[list].next()? {
            heads.push(Head { key: row.get(0)?, confidence: row.get::<_, f64>(1)? as f32, list });
        }
        // An asset found by several of the term's tags comes first at its best confidence.
        if !seen.insert(key) {
            continue;
        }
        let mut score = confidence;
        if !best.admits(score, key) {
            break;
        }
        if terms.len() > 1 {
            let shown = shown_confidences(&mut shows, key, terms)?;
            for (i, shown) in shown.into_iter().enumerate().filter(|(i, _)| *i != driver) {
                let read = read_by_term[i].get(&key).copied();
                match (shown, read) {
                    (None, None) => continue 'rows,
                    (a, b) => score = score.min(a.into_iter().chain(b).fold(0.0, f32::max)),
                }
            }
        }
        if after.is_some_and(|c| !c.precedes(score, key)) || !best.admits(score, key) {
            continue;
        }
        if let Some(asset) = listing(conn, key)?.filter(|a| keep(a)) {
            best.add(SearchHit { asset, score });
        }
    }
    Ok(best.page(limit))
}

/// The query read term by term: every match of each term, intersected, then ranked — what
/// [`by_driver`] must answer, page for page (tested).
#[cfg(test)]
fn by_sets(
    conn: &Connection,
    terms: &[SearchTerm],
    after: Option<Cursor>,
    limit: usize,
    keep: &dyn Fn(&AssetListing) -> bool,
) -> Result<SearchPage, StoreError> {
    let mut matches: Option<HashMap<i64, f32>> = None;
    for term in terms {
        let found = term_matches(conn, term)?;
        matches = Some(match matches {
            None => found,
            Some(mut so_far) => {
                so_far.retain(|key, score| {
                    found.get(key).is_some_and(|c| {
                        *score = score.min(*c);
                        true
                    })
                });
                so_far
            }
        });
        if matches.as_ref().is_some_and(HashMap::is_empty) {
            break;
        }
    }
    let mut ranked: Vec<(i64, f32)> = matches
        .unwrap_or_default()
        .into_iter()
        .filter(|&(key, score)| after.is_none_or(|c| c.precedes(score, key)))
        .collect();
    ranked.sort_unstable_by(by_rank);
    let mut best = Best { hits: Vec::new(), room: limit + 1 };
    for (key, score) in ranked {
        if best.full() {
            break;
        }
        if let Some(asset) = listing(conn, key)?.filter(|a| keep(a)) {
            best.add(SearchHit { asset, score });
        }
    }
    Ok(best.page(limit))
}

impl Store {
    /// The assets matching every term, `keep` allows and that come after `after`, best first, a
    /// page of `limit`. No terms: nothing.
    ///
    /// The rarest term (rows counted up to a cap) is read in rank order and the others are
    /// checked per asset, stopping once the page is settled.
    pub fn search(
        &self,
        terms: &[SearchTerm],
        after: Option<Cursor>,
        limit: usize,
        keep: impl Fn(&AssetListing) -> bool,
    ) -> Result<SearchPage, StoreError> {
        let limit = limit.max(1);
        if terms.is_empty() {
            return Ok(SearchPage { hits: Vec::new(), next: None });
        }
        self.read(|conn| {
            // The driver: the term with the fewest rows (counted up to a cap per tag).
            let mut count =
                conn.prepare_cached("SELECT count(*) FROM (SELECT 1 FROM asset_tags WHERE tag_id = ?1 LIMIT ?2)")?;
            let mut count_read =
                conn.prepare_cached("SELECT count(*) FROM (SELECT 1 FROM file_words WHERE word = ?1 LIMIT ?2)")?;
            let mut driver = (0, i64::MAX);
            for (i, term) in terms.iter().enumerate() {
                let mut rows = 0;
                for tag in &term.tags {
                    rows += count.query_row(params![tag, COUNT_CAP], |row| row.get::<_, i64>(0))?;
                }
                if let Some(word) = &term.word {
                    for form in word_forms(word) {
                        rows += count_read.query_row(params![form, COUNT_CAP], |row| row.get::<_, i64>(0))?;
                    }
                }
                if rows < driver.1 {
                    driver = (i, rows);
                }
            }
            by_driver(conn, terms, driver.0, after, limit, &keep)
        })
    }

    /// Brings up to `limit` assets whose search rows follow older thresholds (or were never
    /// written), and up to `limit` files whose words were never indexed, up to date; answers how
    /// many it did. Call until it answers 0.
    pub fn catch_up_search(&self, limit: usize) -> Result<usize, StoreError> {
        let limit = i64::try_from(limit.clamp(1, 10_000)).unwrap_or(1);
        self.write(|tx| {
            let thresholds = settings::thresholds(tx)?;
            let version = settings::version(tx)?;
            let keys: Vec<i64> = tx
                .prepare_cached(
                    "SELECT key FROM assets WHERE indexed_settings < ?1 ORDER BY indexed_settings LIMIT ?2",
                )?
                .query_map(params![version, limit], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            for &key in &keys {
                // One asset whose stored rows this build cannot read must not stall the rest: it
                // is left without search rows (and logged), as if it showed nothing.
                match reindex_with(tx, AssetKey(key), &thresholds, version) {
                    Err(StoreError::Corrupt(why)) => {
                        tracing::warn!(asset = key, %why, "cannot index an asset for search");
                        tx.prepare_cached("DELETE FROM asset_tags WHERE asset_key = ?1")?.execute([key])?;
                        tx.prepare_cached("UPDATE assets SET indexed_settings = ?1 WHERE key = ?2")?
                            .execute(params![version, key])?;
                    }
                    other => other?,
                }
            }
            let files: Vec<(String, String)> = tx
                .prepare_cached("SELECT content_hash, findings FROM detections WHERE words_indexed = 0 LIMIT ?1")?
                .query_map([limit], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (hash, findings) in &files {
                // Findings this build cannot read hold no words for it.
                let findings = serde_json::from_str(findings).unwrap_or(serde_json::Value::Null);
                index_words(tx, hash, &findings)?;
            }
            Ok(keys.len() + files.len())
        })
    }

    /// Whether any asset's search rows, or any file's words, wait for [`Store::catch_up_search`].
    pub fn search_behind(&self) -> Result<bool, StoreError> {
        self.read(|conn| {
            let version = settings::version(conn)?;
            let assets: bool =
                conn.query_row("SELECT EXISTS (SELECT 1 FROM assets WHERE indexed_settings < ?1)", [version], |row| {
                    row.get(0)
                })?;
            let files: bool =
                conn.query_row("SELECT EXISTS (SELECT 1 FROM detections WHERE words_indexed = 0)", [], |row| {
                    row.get(0)
                })?;
            Ok(assets || files)
        })
    }
}

#[cfg(test)]
mod tests {
    use smart_tags_core::search::Cursor;
    use smart_tags_core::tags::TagSource;

    use super::SearchTerm;
    use crate::store::test_support::temp_store;
    use crate::store::{AssetKey, NewPrediction, Store, StoredTag, TagAction, Thresholds};

    fn tag(id: &str, confidence: f32) -> StoredTag {
        let source = if id.starts_with("wordnet:") { TagSource::Generic } else { TagSource::Taxonomy };
        StoredTag {
            id: id.into(),
            title: id.into(),
            path: vec![],
            confidence,
            source,
            model_version: "m@1".into(),
            hex: None,
            threshold: None,
        }
    }

    fn asset(store: &Store, name: &str, folder: &str, tags: Vec<StoredTag>) -> AssetKey {
        let hash = format!("{:064x}", name.len() * 7919 + name.bytes().map(usize::from).sum::<usize>());
        let key = store.resolve_asset(Some(&hash), Some(name)).unwrap();
        store.set_folder(key, folder).unwrap();
        let prediction = NewPrediction {
            content_hash: Some(hash),
            model_version: "m@1".into(),
            taxonomy_version: 0,
            settings_version: 0,
            trained_version: 0,
            tags,
        };
        store.save_prediction(key, &prediction).unwrap();
        key
    }

    fn terms(tags: &[&[&str]]) -> Vec<SearchTerm> {
        tags.iter().map(|t| SearchTerm { tags: t.iter().map(|s| (*s).to_owned()).collect(), word: None }).collect()
    }

    fn keys(store: &Store, terms: &[SearchTerm]) -> Vec<(AssetKey, f32)> {
        store.search(terms, None, 100, |_| true).unwrap().hits.into_iter().map(|h| (h.asset.key, h.score)).collect()
    }

    #[test]
    fn finds_shown_tags_with_descendants_ranked_by_the_weakest_term() {
        let (_dir, store) = temp_store();
        let cat = asset(&store, "cat", "/a", vec![tag("demo:animals/cats", 0.9), tag("wordnet:n1", 0.6)]);
        let dog = asset(&store, "dog", "/a/b", vec![tag("demo:animals/dogs", 0.7), tag("wordnet:n1", 0.95)]);
        let shy = asset(&store, "shy", "/c", vec![tag("demo:animals/cats", 0.4)]);
        assert_eq!(
            keys(&store, &terms(&[&["demo:animals"]])),
            [(cat, 0.9), (dog, 0.7)],
            "below the 0.5 threshold is not shown"
        );
        assert_eq!(keys(&store, &terms(&[&["demo:animals"], &["wordnet:n1"]])), [(dog, 0.7), (cat, 0.6)]);
        assert_eq!(keys(&store, &terms(&[&["demo:animals/cats", "demo:animals/dogs"]])), [(cat, 0.9), (dog, 0.7)]);
        assert!(keys(&store, &terms(&[&["demo:animals/cats"], &["demo:animals/dogs"]])).is_empty());
        // Folders filter; a thresholds change reaches the index through the catch-up pass.
        let only_a =
            store.search(&terms(&[&["demo:animals"]]), None, 10, |a| a.folder.as_deref() == Some("/a")).unwrap();
        assert_eq!(only_a.hits.iter().map(|h| h.asset.key).collect::<Vec<_>>(), [cat]);
        store.set_thresholds(&Thresholds { min_confidence: 0.3, ..Thresholds::default() }, "alice").unwrap();
        assert!(store.search_behind().unwrap());
        assert_eq!(store.catch_up_search(2).unwrap(), 2);
        assert_eq!(store.catch_up_search(2).unwrap(), 1);
        assert_eq!(store.catch_up_search(2).unwrap(), 0);
        assert!(!store.search_behind().unwrap());
        assert_eq!(keys(&store, &terms(&[&["demo:animals/cats"]])), [(cat, 0.9), (shy, 0.4)]);
    }

    #[test]
    fn moderation_changes_what_an_asset_is_found_by() {
        let (_dir, store) = temp_store();
        let cat = asset(&store, "cat", "/a", vec![tag("demo:animals/cats", 0.9)]);
        store.moderate(cat, "demo:animals/cats", TagAction::Remove, "alice").unwrap();
        assert!(keys(&store, &terms(&[&["demo:animals"]])).is_empty());
        store.moderate(cat, "demo:places/home", TagAction::AddManual { title: Some("Home".into()) }, "alice").unwrap();
        assert_eq!(keys(&store, &terms(&[&["demo:places"]])), [(cat, 1.0)]);
        store.clear_decision(cat, "demo:animals/cats", "alice").unwrap();
        assert_eq!(keys(&store, &terms(&[&["demo:animals/cats"]])), [(cat, 0.9)]);
    }

    #[test]
    fn a_taxonomy_delete_or_move_of_a_moderated_tag_reaches_the_index() {
        use smart_tags_core::taxonomy::{Tag, TagId};
        let (_dir, store) = temp_store();
        for (id, title) in
            [("demo:", "Demo"), ("demo:places", "Places"), ("demo:places/home", "Home"), ("demo:other", "Other")]
        {
            store.create_tag(Tag::new(TagId::parse(id).unwrap(), title), "alice").unwrap();
        }
        let home = asset(&store, "home", "/a", vec![]);
        store.moderate(home, "demo:places/home", TagAction::AddManual { title: None }, "alice").unwrap();
        assert_eq!(keys(&store, &terms(&[&["demo:places"]])), [(home, 1.0)]);
        store
            .move_tag(&TagId::parse("demo:places/home").unwrap(), &TagId::parse("demo:other").unwrap(), "alice")
            .unwrap();
        assert!(store.search_behind().unwrap());
        store.catch_up_search(10).unwrap();
        assert!(keys(&store, &terms(&[&["demo:places"]])).is_empty());
        assert_eq!(keys(&store, &terms(&[&["demo:other/home"]])), [(home, 1.0)]);
        store.delete_tag(&TagId::parse("demo:other/home").unwrap(), false, "alice").unwrap();
        store.catch_up_search(10).unwrap();
        assert!(keys(&store, &terms(&[&["demo:other"]])).is_empty());
    }

    #[test]
    fn pages_follow_the_cursor_without_repeats() {
        let (_dir, store) = temp_store();
        let mut all = Vec::new();
        for i in 0..7 {
            let confidence = [0.9, 0.8, 0.8, 0.8, 0.7, 0.6, 0.6][i];
            all.push((asset(&store, &format!("asset-{i}"), "/a", vec![tag("demo:things", confidence)]), confidence));
        }
        let mut seen = Vec::new();
        let mut after: Option<Cursor> = None;
        loop {
            let page = store.search(&terms(&[&["demo:things"]]), after, 3, |_| true).unwrap();
            seen.extend(page.hits.iter().map(|h| (h.asset.key, h.score)));
            match page.next {
                Some(next) => after = Some(Cursor::parse(&next.to_string()).unwrap()),
                None => break,
            }
        }
        assert_eq!(seen, all);
    }

    #[test]
    fn reading_in_rank_order_answers_what_reading_every_match_does() {
        let (_dir, store) = temp_store();
        let mut seed = 7_u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for i in 0..300 {
            let tags = (0..1 + next() % 4)
                .map(|_| tag(&format!("demo:t{}/c{}", next() % 3, next() % 3), 0.5 + (next() % 6) as f32 / 10.0))
                .collect();
            let key = asset(&store, &format!("a{i}"), if i % 3 == 0 { "/x" } else { "/y" }, tags);
            if i % 4 == 0 {
                let hash = store.asset(key).unwrap().content_hash.unwrap();
                let words = if i % 8 == 0 { "alpha beta" } else { "alphas" };
                let findings = serde_json::json!({"text": {"confidence": 0.5 + (next() % 5) as f64 / 10.0, "words": [{"text": words}]}});
                store.save_detections(&hash, "v", &findings).unwrap();
            }
        }
        let word = |tags: &[&str], word: &str| SearchTerm {
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            word: Some(word.to_owned()),
        };
        let queries = [
            terms(&[&["demo:t0"], &["demo:t1/c2"]]),
            terms(&[&["demo:t2/c0"], &["demo:t0", "demo:t1"], &["demo:t0/c1"]]),
            terms(&[&["demo:t1"]]),
            vec![word(&[], "alpha")],
            vec![word(&["demo:t2/c1"], "alpha"), word(&[], "beta")],
            [vec![word(&["demo:t0/c0", "demo:t1/c1"], "beta")], terms(&[&["demo:t2"]])].concat(),
        ];
        for query in &queries {
            for folder in [None, Some("/x")] {
                let keep = |a: &crate::store::AssetListing| folder.is_none_or(|f| a.folder.as_deref() == Some(f));
                let (mut after, mut read) = (None, Vec::new());
                loop {
                    let page = store.search(query, after, 7, keep).unwrap();
                    let all = store.read(|conn| super::by_sets(conn, query, after, 7, &keep)).unwrap();
                    assert_eq!(page, all, "{query:?} {folder:?} after {after:?}");
                    read.extend(page.hits.iter().map(|h| h.asset.key));
                    match page.next {
                        Some(n) => after = Some(n),
                        None => break,
                    }
                }
                let mut unique = read.clone();
                unique.sort();
                unique.dedup();
                assert_eq!(unique.len(), read.len());
                assert!(folder.is_some() || read.len() > 7, "several pages: {query:?} found {}", read.len());
            }
        }
    }

    #[test]
    fn words_read_in_a_picture_are_found_with_their_singulars() {
        let (_dir, store) = temp_store();
        let sign = asset(&store, "sign", "/a", vec![tag("demo:places", 0.8)]);
        let hash = store.asset(sign).unwrap().content_hash.unwrap();
        let findings = serde_json::json!({"text": {"version": "ocr@1", "confidence": 0.75, "words": [{"text": "CAFÉS", "score": 0.9}, {"text": "open", "score": 0.8}]}});
        store.save_detections(&hash, "v", &findings).unwrap();
        let word = |w: &str| vec![SearchTerm { tags: vec![], word: Some(w.to_owned()) }];
        assert_eq!(keys(&store, &word("cafe")), [(sign, 0.75)]);
        assert_eq!(keys(&store, &word("cafes")), [(sign, 0.75)]);
        assert!(keys(&store, &word("closed")).is_empty());
        let both = [word("open"), terms(&[&["demo:places"]])].concat();
        assert_eq!(keys(&store, &both), [(sign, 0.75)]);
    }
}
