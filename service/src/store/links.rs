//! Links from taxonomy tags to WordNet concepts (`n02121808`), each with a score, the method that
//! found it and a state: `auto` (found by the mapper, replaced whenever it runs again),
//! `confirmed` (kept by the admin; the mapper never touches it) or `rejected` (hidden from
//! scoring, and the mapper never brings it back).
//!
//! Every link change writes a change-log row (op `link`) and so bumps the taxonomy version: the
//! taxonomy version is also the version of the tag -> concept mapping.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use smart_tags_core::taxonomy::TagId;

use super::taxonomy::{record, tag_exists, version, ChangeOp};
use super::{check_actor, SqlEnum, Store, StoreError};

/// The actor recorded for the mapper's automatic links.
pub const MAPPER_ACTOR: &str = "system:mapper";

pub use smart_tags_core::mapping::{LinkMethod, LinkState};

impl SqlEnum for LinkMethod {
    const ALL: &'static [LinkMethod] =
        &[LinkMethod::Lemma, LinkMethod::Synonym, LinkMethod::Similarity, LinkMethod::Manual];
    fn as_str(self) -> &'static str {
        LinkMethod::as_str(self)
    }
}

impl SqlEnum for LinkState {
    const ALL: &'static [LinkState] = &[LinkState::Auto, LinkState::Confirmed, LinkState::Rejected];
    fn as_str(self) -> &'static str {
        LinkState::as_str(self)
    }
}

/// One stored link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub tag_id: TagId,
    /// WordNet id, e.g. `n02121808`.
    pub concept: String,
    /// 0 to 1.
    pub score: f32,
    pub method: LinkMethod,
    pub state: LinkState,
}

impl Link {
    /// Whether the link counts for scoring (not rejected).
    pub fn is_active(&self) -> bool {
        self.state != LinkState::Rejected
    }
}

/// A link found by the mapper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewLink {
    pub concept: String,
    pub score: f32,
    pub method: LinkMethod,
}

/// A WordNet id: part of speech (`n`, `v`, `a`, `s` or `r`) then 8 digits.
pub fn check_concept(concept: &str) -> Result<(), StoreError> {
    let bytes = concept.as_bytes();
    let ok = bytes.len() == 9
        && matches!(bytes[0], b'n' | b'v' | b'a' | b's' | b'r')
        && bytes[1..].iter().all(u8::is_ascii_digit);
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadValue(format!(
            "{:?} is not a wordnet id like n02121808",
            concept.chars().take(40).collect::<String>()
        )))
    }
}

fn read_link(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, String, f64, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
}

fn to_link((tag_id, concept, score, method, state): (String, String, f64, String, String)) -> Result<Link, StoreError> {
    Ok(Link {
        tag_id: TagId::parse(&tag_id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        concept,
        score: score as f32,
        method: LinkMethod::parse_stored(&method)?,
        state: LinkState::parse_stored(&state)?,
    })
}

fn get_link(conn: &Connection, tag: &TagId, concept: &str) -> Result<Option<Link>, StoreError> {
    conn.query_row(
        "SELECT tag_id, concept, score, method, state FROM tag_links WHERE tag_id = ?1 AND concept = ?2",
        params![tag.as_str(), concept],
        read_link,
    )
    .optional()?
    .map(to_link)
    .transpose()
}

fn put_link(tx: &Transaction<'_>, link: &Link) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO tag_links (tag_id, concept, score, method, state) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (tag_id, concept) DO UPDATE SET score = excluded.score, method = excluded.method, state = excluded.state",
        params![link.tag_id.as_str(), link.concept, f64::from(link.score), link.method.as_str(), link.state.as_str()],
    )?;
    Ok(())
}

fn links_of(conn: &Connection, tag: &TagId) -> Result<Vec<Link>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT tag_id, concept, score, method, state FROM tag_links WHERE tag_id = ?1 ORDER BY concept",
    )?;
    let rows = stmt.query_map([tag.as_str()], read_link)?;
    rows.map(|row| to_link(row?)).collect()
}

/// Replaces one tag's automatic links; returns what changed as a change-detail entry, or `None`.
fn replace_auto(tx: &Transaction<'_>, tag: &TagId, found: &[NewLink]) -> Result<Option<Value>, StoreError> {
    if !tag_exists(tx, tag)? {
        return Err(StoreError::UnknownTag(tag.to_string()));
    }
    // One entry per concept, the best score winning.
    let mut wanted: BTreeMap<&str, &NewLink> = BTreeMap::new();
    for link in found {
        check_concept(&link.concept)?;
        if !(0.0..=1.0).contains(&link.score) {
            return Err(StoreError::BadValue(format!("the score of {} must be between 0 and 1", link.concept)));
        }
        if link.method == LinkMethod::Manual {
            return Err(StoreError::BadValue("automatic links cannot have the method manual".to_owned()));
        }
        if wanted.get(link.concept.as_str()).is_none_or(|w| w.score < link.score) {
            wanted.insert(&link.concept, link);
        }
    }
    let existing: BTreeMap<String, Link> = links_of(tx, tag)?.into_iter().map(|l| (l.concept.clone(), l)).collect();
    let (mut added, mut removed, mut rescored) = (Vec::new(), Vec::new(), 0);
    for (concept, link) in &existing {
        if link.state == LinkState::Auto && !wanted.contains_key(concept.as_str()) {
            tx.execute("DELETE FROM tag_links WHERE tag_id = ?1 AND concept = ?2", params![tag.as_str(), concept])?;
            removed.push(concept.clone());
        }
    }
    for (concept, new) in wanted {
        let link = Link {
            tag_id: tag.clone(),
            concept: concept.to_owned(),
            score: new.score,
            method: new.method,
            state: LinkState::Auto,
        };
        match existing.get(concept) {
            // The admin's decisions stand.
            Some(old) if old.state != LinkState::Auto => {}
            Some(old) if *old == link => {}
            Some(_) => {
                rescored += 1;
                put_link(tx, &link)?;
            }
            None => {
                added.push(concept.to_owned());
                put_link(tx, &link)?;
            }
        }
    }
    if added.is_empty() && removed.is_empty() && rescored == 0 {
        return Ok(None);
    }
    Ok(Some(json!({ "tag": tag, "added": added, "removed": removed, "rescored": rescored })))
}

impl Store {
    /// Every link of one tag, or of all tags, rejected ones included; sorted by tag then concept.
    pub fn links(&self, tag: Option<&TagId>) -> Result<Vec<Link>, StoreError> {
        self.read(|conn| match tag {
            Some(tag) => links_of(conn, tag),
            None => {
                let mut stmt = conn.prepare_cached(
                    "SELECT tag_id, concept, score, method, state FROM tag_links ORDER BY tag_id, concept",
                )?;
                let rows = stmt.query_map([], read_link)?;
                rows.map(|row| to_link(row?)).collect()
            }
        })
    }

    /// Replaces one tag's automatic links with `found` (see [`Store::replace_all_auto_links`]).
    pub fn replace_auto_links(&self, tag: &TagId, found: &[NewLink]) -> Result<i64, StoreError> {
        self.replace_all_auto_links(&[(tag.clone(), found.to_vec())])
    }

    /// Replaces the automatic links of several tags in one transaction. Confirmed and rejected
    /// links are never touched, so a rejected concept never comes back. Writes one change row when
    /// anything changed; returns the taxonomy version.
    pub fn replace_all_auto_links(&self, found: &[(TagId, Vec<NewLink>)]) -> Result<i64, StoreError> {
        self.write(|tx| {
            let mut changes = Vec::new();
            for (tag, links) in found {
                changes.extend(replace_auto(tx, tag, links)?);
            }
            if changes.is_empty() {
                return version(tx);
            }
            let tag_id = match found {
                [(tag, _)] => Some(tag.as_str()),
                _ => None,
            };
            record(tx, MAPPER_ACTOR, ChangeOp::Link, tag_id, &json!({ "action": "auto", "tags": changes }))
        })
    }

    /// Marks a link confirmed: it counts for scoring and the mapper no longer replaces it.
    pub fn confirm_link(&self, tag: &TagId, concept: &str, actor: &str) -> Result<i64, StoreError> {
        self.set_link_state(tag, concept, LinkState::Confirmed, actor)
    }

    /// Marks a link rejected: hidden from scoring and never re-added by the mapper.
    pub fn reject_link(&self, tag: &TagId, concept: &str, actor: &str) -> Result<i64, StoreError> {
        self.set_link_state(tag, concept, LinkState::Rejected, actor)
    }

    fn set_link_state(&self, tag: &TagId, concept: &str, state: LinkState, actor: &str) -> Result<i64, StoreError> {
        check_actor(actor)?;
        self.write(|tx| {
            let before = get_link(tx, tag, concept)?
                .ok_or_else(|| StoreError::UnknownLink { tag: tag.to_string(), concept: concept.to_owned() })?;
            if before.state == state {
                return version(tx);
            }
            let after = Link { state, ..before.clone() };
            put_link(tx, &after)?;
            let action = if state == LinkState::Rejected { "reject" } else { "confirm" };
            record(
                tx,
                actor,
                ChangeOp::Link,
                Some(tag.as_str()),
                &json!({ "action": action, "before": before, "after": after }),
            )
        })
    }

    /// Adds (or turns an existing link into) a confirmed manual link with score 1.
    pub fn add_manual_link(&self, tag: &TagId, concept: &str, actor: &str) -> Result<i64, StoreError> {
        check_actor(actor)?;
        check_concept(concept)?;
        self.write(|tx| {
            if !tag_exists(tx, tag)? {
                return Err(StoreError::UnknownTag(tag.to_string()));
            }
            let before = get_link(tx, tag, concept)?;
            let after = Link {
                tag_id: tag.clone(),
                concept: concept.to_owned(),
                score: 1.0,
                method: LinkMethod::Manual,
                state: LinkState::Confirmed,
            };
            if before.as_ref() == Some(&after) {
                return version(tx);
            }
            put_link(tx, &after)?;
            record(
                tx,
                actor,
                ChangeOp::Link,
                Some(tag.as_str()),
                &json!({ "action": "add", "before": before, "after": after }),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;
    use crate::store::ImportMode;
    use smart_tags_core::taxonomy::{Tag, Taxonomy};

    fn id(s: &str) -> TagId {
        TagId::parse(s).unwrap()
    }

    fn found(concept: &str, score: f32) -> NewLink {
        NewLink { concept: concept.to_owned(), score, method: LinkMethod::Lemma }
    }

    fn store_with_cats() -> (tempfile::TempDir, Store) {
        let (dir, store) = temp_store();
        let taxonomy =
            Taxonomy::new(vec![Tag::new(id("animals:"), "Animals"), Tag::new(id("animals:cats"), "Cats")]).unwrap();
        store.import_taxonomy(&taxonomy, ImportMode::Replace, "alice").unwrap();
        (dir, store)
    }

    fn states(store: &Store) -> Vec<(String, LinkState, f32)> {
        store.links(Some(&id("animals:cats"))).unwrap().into_iter().map(|l| (l.concept, l.state, l.score)).collect()
    }

    #[test]
    fn admin_decisions_survive_the_mapper() {
        let (_dir, store) = store_with_cats();
        let cats = id("animals:cats");
        let v = store
            .replace_auto_links(&cats, &[found("n02121808", 0.9), found("n02124075", 0.7), found("n02123045", 0.6)])
            .unwrap();
        assert_eq!(v, 2);
        // The same links again change nothing.
        assert_eq!(
            store
                .replace_auto_links(&cats, &[found("n02121808", 0.9), found("n02124075", 0.7), found("n02123045", 0.6)])
                .unwrap(),
            2
        );
        assert_eq!(store.reject_link(&cats, "n02124075", "bob").unwrap(), 3);
        assert_eq!(store.confirm_link(&cats, "n02123045", "bob").unwrap(), 4);
        assert_eq!(store.add_manual_link(&cats, "n02121620", "bob").unwrap(), 5);
        // The mapper runs again: it drops n02121808, finds n02124075 (rejected) and n02123045
        // (confirmed) with new scores, and a new concept.
        store
            .replace_auto_links(&cats, &[found("n02124075", 0.95), found("n02123045", 0.1), found("n02123159", 0.5)])
            .unwrap();
        assert_eq!(
            states(&store),
            [
                ("n02121620".to_owned(), LinkState::Confirmed, 1.0),
                ("n02123045".to_owned(), LinkState::Confirmed, 0.6),
                ("n02123159".to_owned(), LinkState::Auto, 0.5),
                ("n02124075".to_owned(), LinkState::Rejected, 0.7),
            ]
        );
        let active: Vec<String> =
            store.links(None).unwrap().into_iter().filter(Link::is_active).map(|l| l.concept).collect();
        assert_eq!(active, ["n02121620", "n02123045", "n02123159"]);
        let log = store.changes(1, 100).unwrap();
        assert!(log.iter().all(|c| c.op == ChangeOp::Link));
        assert_eq!(log[0].actor, MAPPER_ACTOR);
        assert_eq!(log[1].detail["action"], "reject");
        assert_eq!(log[1].detail["before"]["state"], "auto");
        assert_eq!(log[1].detail["after"]["state"], "rejected");
        assert_eq!(log[4].detail["tags"][0]["removed"][0], "n02121808");
    }

    #[test]
    fn refuses_bad_links() {
        let (_dir, store) = store_with_cats();
        let cats = id("animals:cats");
        assert!(matches!(store.replace_auto_links(&cats, &[found("cat", 0.5)]), Err(StoreError::BadValue(_))));
        assert!(matches!(store.replace_auto_links(&cats, &[found("n02121808", 1.5)]), Err(StoreError::BadValue(_))));
        assert!(matches!(store.replace_auto_links(&id("animals:dogs"), &[]), Err(StoreError::UnknownTag(_))));
        assert!(matches!(store.confirm_link(&cats, "n02121808", "bob"), Err(StoreError::UnknownLink { .. })));
        assert!(matches!(
            store.add_manual_link(&id("animals:dogs"), "n02084071", "bob"),
            Err(StoreError::UnknownTag(_))
        ));
        assert!(matches!(store.add_manual_link(&cats, "n0208407", "bob"), Err(StoreError::BadValue(_))));
        assert_eq!(store.taxonomy_version().unwrap(), 1);
    }
}
