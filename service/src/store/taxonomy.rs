//! The taxonomy in the store: one row per tag, and a change log in which every change is one row
//! (version, when, who, what). Every mutation is checked against the whole resulting taxonomy with
//! [`Taxonomy::new`]; on any problem nothing changes.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};
use smart_tags_core::taxonomy::{ImportProblem, ImportReport, Tag, TagId, Taxonomy};

use super::{check_actor, from_json, now, search, settings, to_json, SqlEnum, Store, StoreError};

/// Most change rows one [`Store::changes`] call returns.
pub const MAX_CHANGES_PAGE: u32 = 1000;

/// What an import does with the tags it does not mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImportMode {
    /// The imported taxonomy becomes the whole taxonomy: tags it lacks are deleted.
    #[default]
    Replace,
    /// The imported tags are added or updated; the others stay.
    Merge,
}

/// What an import changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// The taxonomy version after the import (unchanged when the import changed nothing).
    pub version: i64,
    pub mode: ImportMode,
    /// Tags that were not there before.
    pub added: usize,
    /// Tags whose titles, synonyms or description changed.
    pub updated: usize,
    /// Tags deleted (only by [`ImportMode::Replace`]).
    pub removed: usize,
    /// Tags of the resulting taxonomy left as they were.
    pub unchanged: usize,
}

/// Fields of a tag to change; `None` leaves a field as it is. Titles and synonyms are replaced
/// whole (renaming a tag is giving it new titles).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagPatch {
    #[serde(default)]
    pub titles: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub synonyms: Option<BTreeMap<String, Vec<String>>>,
    /// `Some(None)` (JSON `null`) removes the description.
    #[serde(default, deserialize_with = "present")]
    pub description: Option<Option<String>>,
}

/// Tells a field set to `null` (`Some(None)`) from a missing one (`None`, through `default`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// The kind of a change-log row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeOp {
    Import,
    Create,
    Update,
    Move,
    Delete,
    /// A concept link was added, confirmed, rejected, or the automatic links were replaced.
    Link,
}

impl SqlEnum for ChangeOp {
    const ALL: &'static [ChangeOp] =
        &[ChangeOp::Import, ChangeOp::Create, ChangeOp::Update, ChangeOp::Move, ChangeOp::Delete, ChangeOp::Link];
    fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Import => "import",
            ChangeOp::Create => "create",
            ChangeOp::Update => "update",
            ChangeOp::Move => "move",
            ChangeOp::Delete => "delete",
            ChangeOp::Link => "link",
        }
    }
}

/// One row of the change log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The taxonomy version this change made.
    pub version: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub op: ChangeOp,
    /// The tag changed (the moved or deleted subtree's root); `None` for an import.
    pub tag_id: Option<String>,
    /// What changed: `before`/`after` for a tag, counts for an import.
    pub detail: Value,
}

/// A tag with its place in the hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagView {
    pub tag: Tag,
    /// Ancestors and the tag itself, namespace root first.
    pub path: Vec<TagId>,
    /// Direct children, sorted.
    pub children: Vec<TagId>,
}

/// The taxonomy version: the last change's number, 0 when nothing ever changed.
pub(super) fn version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT COALESCE(MAX(version), 0) FROM taxonomy_changes", [], |row| row.get(0))?)
}

/// Every stored tag, checked as a whole.
pub(super) fn load(conn: &Connection) -> Result<Taxonomy, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT tag FROM tags ORDER BY id")?;
    let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
    let mut tags = Vec::new();
    for row in rows {
        tags.push(from_json::<Tag>(&row?, "stored tag")?);
    }
    Taxonomy::new(tags).map_err(|report| StoreError::Corrupt(report.to_string()))
}

pub(super) fn tag_exists(conn: &Connection, id: &TagId) -> Result<bool, StoreError> {
    Ok(conn.query_row("SELECT 1 FROM tags WHERE id = ?1", [id.as_str()], |_| Ok(())).optional()?.is_some())
}

/// Appends a change row and returns the new taxonomy version.
pub(super) fn record(
    tx: &Transaction<'_>,
    actor: &str,
    op: ChangeOp,
    tag_id: Option<&str>,
    detail: &Value,
) -> Result<i64, StoreError> {
    check_actor(actor)?;
    let at = now(tx)?;
    tx.execute(
        "INSERT INTO taxonomy_changes (at, actor, op, tag_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, actor, op.as_str(), tag_id, to_json(detail)?],
    )?;
    Ok(tx.last_insert_rowid())
}

fn insert_tag(tx: &Transaction<'_>, tag: &Tag) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO tags (id, tag) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET tag = excluded.tag",
        params![tag.id.as_str(), to_json(tag)?],
    )?;
    Ok(())
}

/// Deletes tags and what hangs off them: links (by cascade), moderation rows and thresholds.
fn delete_tags(tx: &Transaction<'_>, ids: &[TagId], actor: &str) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut delete_tag = tx.prepare_cached("DELETE FROM tags WHERE id = ?1")?;
    let mut delete_moderation = tx.prepare_cached("DELETE FROM moderation WHERE tag_id = ?1")?;
    for id in ids {
        delete_tag.execute([id.as_str()])?;
        search::moderation_changes(tx, id.as_str())?;
        delete_moderation.execute([id.as_str()])?;
    }
    let gone: BTreeSet<&str> = ids.iter().map(TagId::as_str).collect();
    settings::follow_tags(tx, actor, |key| if gone.contains(key) { Some(None) } else { None })
}

/// A one-problem report, for mutations that break the taxonomy.
fn problem(problem: ImportProblem) -> StoreError {
    StoreError::Invalid(ImportReport { problems: vec![problem] })
}

impl Store {
    /// The whole taxonomy.
    pub fn taxonomy(&self) -> Result<Taxonomy, StoreError> {
        self.read(load)
    }

    /// The taxonomy version: 0 for a store whose taxonomy never changed.
    pub fn taxonomy_version(&self) -> Result<i64, StoreError> {
        self.read(version)
    }

    /// The whole taxonomy and its version, read together.
    pub fn taxonomy_with_version(&self) -> Result<(Taxonomy, i64), StoreError> {
        self.read(|conn| Ok((load(conn)?, version(conn)?)))
    }

    /// One tag with its path and children.
    pub fn tag(&self, id: &TagId) -> Result<TagView, StoreError> {
        let taxonomy = self.taxonomy()?;
        let tag = taxonomy.get(id).ok_or_else(|| StoreError::UnknownTag(id.to_string()))?.clone();
        let path = taxonomy.path(id).into_iter().map(|t| t.id.clone()).collect();
        let children = taxonomy.children(id).map(|t| t.id.clone()).collect();
        Ok(TagView { tag, path, children })
    }

    /// Imports a whole taxonomy in one transaction. With [`ImportMode::Merge`] the result (stored
    /// tags updated by the imported ones) must validate as a whole, else nothing changes and the
    /// report comes back as [`StoreError::Invalid`]. Tags removed by [`ImportMode::Replace`] lose
    /// their links, moderation rows and thresholds. An import that changes nothing writes no
    /// change row.
    pub fn import_taxonomy(
        &self,
        imported: &Taxonomy,
        mode: ImportMode,
        actor: &str,
    ) -> Result<ImportSummary, StoreError> {
        check_actor(actor)?;
        self.write(|tx| {
            let old = load(tx)?;
            let new = match mode {
                ImportMode::Replace => imported.clone(),
                ImportMode::Merge => {
                    let mut merged: BTreeMap<TagId, Tag> = old.tags().map(|t| (t.id.clone(), t.clone())).collect();
                    merged.extend(imported.tags().map(|t| (t.id.clone(), t.clone())));
                    Taxonomy::new(merged.into_values().collect()).map_err(StoreError::Invalid)?
                }
            };
            let removed: Vec<TagId> = old.tags().filter(|t| new.get(&t.id).is_none()).map(|t| t.id.clone()).collect();
            let (mut added, mut updated, mut unchanged) = (0, 0, 0);
            for tag in new.tags() {
                match old.get(&tag.id) {
                    Some(before) if before == tag => unchanged += 1,
                    Some(_) => {
                        updated += 1;
                        insert_tag(tx, tag)?;
                    }
                    None => {
                        added += 1;
                        insert_tag(tx, tag)?;
                    }
                }
            }
            delete_tags(tx, &removed, actor)?;
            let mut summary =
                ImportSummary { version: version(tx)?, mode, added, updated, removed: removed.len(), unchanged };
            if added + updated + removed.len() > 0 {
                let detail = json!({
                    "mode": mode, "added": added, "updated": updated, "removed": summary.removed,
                    "unchanged": unchanged, "total": new.len(),
                });
                summary.version = record(tx, actor, ChangeOp::Import, None, &detail)?;
            }
            Ok(summary)
        })
    }

    /// Adds one tag; its parent must exist. Returns the new taxonomy version.
    pub fn create_tag(&self, tag: Tag, actor: &str) -> Result<i64, StoreError> {
        check_actor(actor)?;
        self.write(|tx| {
            if tag_exists(tx, &tag.id)? {
                return Err(StoreError::TagExists(tag.id.to_string()));
            }
            let mut tags = load(tx)?.into_tags();
            tags.push(tag.clone());
            Taxonomy::new(tags).map_err(StoreError::Invalid)?;
            insert_tag(tx, &tag)?;
            record(tx, actor, ChangeOp::Create, Some(tag.id.as_str()), &json!({ "before": null, "after": tag }))
        })
    }

    /// Changes a tag's titles, synonyms or description. Returns the tag as it is now and the
    /// taxonomy version (unchanged, with no change row, when the patch changes nothing).
    pub fn update_tag(&self, id: &TagId, patch: TagPatch, actor: &str) -> Result<(Tag, i64), StoreError> {
        check_actor(actor)?;
        self.write(|tx| {
            let taxonomy = load(tx)?;
            let before = taxonomy.get(id).ok_or_else(|| StoreError::UnknownTag(id.to_string()))?.clone();
            let mut after = before.clone();
            if let Some(titles) = patch.titles {
                after.titles = titles;
            }
            if let Some(synonyms) = patch.synonyms {
                after.synonyms = synonyms;
            }
            if let Some(description) = patch.description {
                after.description = description;
            }
            if after == before {
                return Ok((after, version(tx)?));
            }
            let tags = taxonomy.into_tags().into_iter().map(|t| if t.id == *id { after.clone() } else { t }).collect();
            Taxonomy::new(tags).map_err(StoreError::Invalid)?;
            insert_tag(tx, &after)?;
            let version =
                record(tx, actor, ChangeOp::Update, Some(id.as_str()), &json!({ "before": before, "after": after }))?;
            Ok((after, version))
        })
    }

    /// Moves a tag and its whole subtree under `new_parent`, keeping its name: every id in the
    /// subtree is rebased, and links, moderation rows and thresholds follow. Returns the tag's new
    /// id and the taxonomy version. Moving a tag to the parent it has already changes nothing.
    pub fn move_tag(&self, id: &TagId, new_parent: &TagId, actor: &str) -> Result<(TagId, i64), StoreError> {
        check_actor(actor)?;
        self.write(|tx| {
            let taxonomy = load(tx)?;
            if taxonomy.get(id).is_none() {
                return Err(StoreError::UnknownTag(id.to_string()));
            }
            if taxonomy.get(new_parent).is_none() {
                return Err(StoreError::UnknownTag(new_parent.to_string()));
            }
            if id.is_namespace() {
                return Err(StoreError::BadValue(format!("{id} is a namespace and cannot be moved")));
            }
            if new_parent.is_within(id) {
                return Err(StoreError::BadValue(format!(
                    "cannot move {id} under itself or its descendant {new_parent}"
                )));
            }
            let bad_id = |e: smart_tags_core::taxonomy::TagIdError| {
                problem(ImportProblem::BadId { location: "move".to_owned(), message: e.to_string() })
            };
            let new_id = new_parent.child(id.name()).map_err(bad_id)?;
            if new_id == *id {
                return Ok((new_id, version(tx)?));
            }
            if taxonomy.get(&new_id).is_some() {
                return Err(StoreError::TagExists(new_id.to_string()));
            }
            let mut renames: Vec<(TagId, Tag)> = Vec::new();
            let mut tags = Vec::with_capacity(taxonomy.len());
            for tag in taxonomy.into_tags() {
                if tag.id.is_within(id) {
                    let mut moved = tag.clone();
                    moved.id = tag.id.rebased(id, &new_id).map_err(bad_id)?;
                    tags.push(moved.clone());
                    renames.push((tag.id, moved));
                } else {
                    tags.push(tag);
                }
            }
            Taxonomy::new(tags).map_err(StoreError::Invalid)?;
            let mut update_tag = tx.prepare_cached("UPDATE tags SET id = ?1, tag = ?2 WHERE id = ?3")?;
            let mut update_moderation =
                tx.prepare_cached("UPDATE OR REPLACE moderation SET tag_id = ?1 WHERE tag_id = ?2")?;
            for (old, moved) in &renames {
                // ON UPDATE CASCADE carries the links along.
                update_tag.execute(params![moved.id.as_str(), to_json(moved)?, old.as_str()])?;
                search::moderation_changes(tx, old.as_str())?;
                update_moderation.execute(params![moved.id.as_str(), old.as_str()])?;
            }
            let map: BTreeMap<&str, &str> =
                renames.iter().map(|(old, moved)| (old.as_str(), moved.id.as_str())).collect();
            settings::follow_tags(tx, actor, |key| map.get(key).map(|new| Some((*new).to_owned())))?;
            let detail = json!({
                "before": { "id": id, "parent": id.parent() },
                "after": { "id": new_id, "parent": new_parent },
                "moved": renames.len(),
            });
            let version = record(tx, actor, ChangeOp::Move, Some(id.as_str()), &detail)?;
            Ok((new_id, version))
        })
    }

    /// Deletes a tag; one with children only when `recursive`, and then its whole subtree. Links,
    /// moderation rows and thresholds of the deleted tags go too. Returns the deleted ids and the
    /// taxonomy version.
    pub fn delete_tag(&self, id: &TagId, recursive: bool, actor: &str) -> Result<(Vec<TagId>, i64), StoreError> {
        check_actor(actor)?;
        self.write(|tx| {
            let taxonomy = load(tx)?;
            if taxonomy.get(id).is_none() {
                return Err(StoreError::UnknownTag(id.to_string()));
            }
            if !recursive && taxonomy.children(id).next().is_some() {
                return Err(StoreError::HasChildren(id.to_string()));
            }
            let (deleted, kept): (Vec<Tag>, Vec<Tag>) =
                taxonomy.into_tags().into_iter().partition(|t| t.id.is_within(id));
            Taxonomy::new(kept).map_err(StoreError::Invalid)?;
            let ids: Vec<TagId> = deleted.iter().map(|t| t.id.clone()).collect();
            delete_tags(tx, &ids, actor)?;
            let detail = json!({ "before": deleted, "after": null, "recursive": recursive });
            let version = record(tx, actor, ChangeOp::Delete, Some(id.as_str()), &detail)?;
            Ok((ids, version))
        })
    }

    /// Change-log rows after version `since`, oldest first, at most `limit` (capped at
    /// [`MAX_CHANGES_PAGE`]).
    pub fn changes(&self, since: i64, limit: u32) -> Result<Vec<Change>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT version, at, actor, op, tag_id, detail FROM taxonomy_changes WHERE version > ?1 ORDER BY version LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![since, limit.min(MAX_CHANGES_PAGE)], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get::<_, String>(3)?, row.get(4)?, row.get::<_, String>(5)?))
            })?;
            let mut changes = Vec::new();
            for row in rows {
                let (version, at, actor, op, tag_id, detail) = row?;
                changes.push(Change { version, at, actor, op: ChangeOp::parse_stored(&op)?, tag_id, detail: from_json(&detail, "change detail")? });
            }
            Ok(changes)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;
    use crate::store::{LinkMethod, NewLink, TagAction, Thresholds};

    fn id(s: &str) -> TagId {
        TagId::parse(s).unwrap()
    }

    fn tags(ids: &[&str]) -> Taxonomy {
        Taxonomy::new(ids.iter().map(|i| Tag::new(id(i), &format!("Title of {i}"))).collect()).unwrap()
    }

    fn ids(taxonomy: &Taxonomy) -> Vec<String> {
        taxonomy.tags().map(|t| t.id.to_string()).collect()
    }

    const BASE: &[&str] = &[
        "products:",
        "products:apparel",
        "products:apparel/shoes",
        "products:apparel/shoes/boots",
        "catalog:",
        "catalog:wear",
    ];

    #[test]
    fn import_replace_and_merge_and_reopen() {
        let (dir, store) = temp_store();
        assert_eq!(store.taxonomy_version().unwrap(), 0);
        let summary = store.import_taxonomy(&tags(BASE), ImportMode::Replace, "alice").unwrap();
        assert_eq!((summary.version, summary.added, summary.removed), (1, 6, 0));
        // Same content again: nothing changes, no new version.
        let again = store.import_taxonomy(&tags(BASE), ImportMode::Replace, "alice").unwrap();
        assert_eq!((again.version, again.unchanged), (1, 6));
        let merged = store.import_taxonomy(&tags(&["colors:", "colors:red"]), ImportMode::Merge, "bob").unwrap();
        assert_eq!((merged.version, merged.added, merged.removed, merged.unchanged), (2, 2, 0, 6));
        assert_eq!(store.taxonomy().unwrap().len(), 8);
        let replaced = store.import_taxonomy(&tags(&["colors:", "colors:red"]), ImportMode::Replace, "bob").unwrap();
        assert_eq!((replaced.version, replaced.removed, replaced.unchanged), (3, 6, 2));
        drop(store);
        let reopened = Store::open(&dir.path().join("data/smart-tags.sqlite3")).unwrap();
        assert_eq!(ids(&reopened.taxonomy().unwrap()), ["colors:", "colors:red"]);
        assert_eq!(reopened.taxonomy_version().unwrap(), 3);
        let log = reopened.changes(0, 100).unwrap();
        assert_eq!(log.len(), 3);
        assert_eq!(log[2].detail["removed"], 6);
        assert_eq!(log[1].actor, "bob");
    }

    #[test]
    fn a_mutation_that_breaks_the_taxonomy_changes_nothing() {
        let (_dir, store) = temp_store();
        store.import_taxonomy(&tags(BASE), ImportMode::Replace, "alice").unwrap();
        let err = store.create_tag(Tag::new(id("nowhere:x/y"), "Orphan"), "alice").unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(ref r) if matches!(r.problems[0], ImportProblem::UnknownParent { .. })),
            "{err}"
        );
        let blank = BTreeMap::from([("en".to_owned(), " ".to_owned())]);
        let err = store
            .update_tag(&id("products:apparel"), TagPatch { titles: Some(blank), ..TagPatch::default() }, "alice")
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(ref r) if matches!(r.problems[0], ImportProblem::MissingTitle { .. })),
            "{err}"
        );
        assert_eq!(ids(&store.taxonomy().unwrap()), ids(&tags(BASE)));
        assert_eq!(store.taxonomy_version().unwrap(), 1);
        assert_eq!(store.changes(0, 10).unwrap().len(), 1);
    }

    #[test]
    fn an_import_failing_midway_leaves_taxonomy_and_version() {
        let (_dir, store) = temp_store();
        store.import_taxonomy(&tags(BASE), ImportMode::Replace, "alice").unwrap();
        // Fail the last statement of the transaction, after every tag row was written.
        store
            .read(|c| {
                Ok(c.execute_batch(
                    "CREATE TRIGGER fail BEFORE INSERT ON taxonomy_changes BEGIN SELECT RAISE(ABORT, 'injected'); END;",
                )?)
            })
            .unwrap();
        let err = store.import_taxonomy(&tags(&["colors:", "colors:red"]), ImportMode::Replace, "bob").unwrap_err();
        assert!(matches!(err, StoreError::Database(_)), "{err}");
        let err = store.import_taxonomy(&tags(&["colors:", "colors:red"]), ImportMode::Merge, "bob").unwrap_err();
        assert!(matches!(err, StoreError::Database(_)), "{err}");
        assert_eq!(ids(&store.taxonomy().unwrap()), ids(&tags(BASE)));
        assert_eq!(store.taxonomy_version().unwrap(), 1);
        store.read(|c| Ok(c.execute_batch("DROP TRIGGER fail")?)).unwrap();
        assert_eq!(store.import_taxonomy(&tags(&["colors:"]), ImportMode::Replace, "bob").unwrap().version, 2);
    }

    #[test]
    fn every_mutation_writes_one_change_row() {
        let (_dir, store) = temp_store();
        store.import_taxonomy(&tags(BASE), ImportMode::Replace, "alice").unwrap();
        let v = store.create_tag(Tag::new(id("products:apparel/hats"), "Hats"), "bob").unwrap();
        assert_eq!(v, 2);
        assert!(matches!(
            store.create_tag(Tag::new(id("products:apparel/hats"), "Hats"), "bob"),
            Err(StoreError::TagExists(_))
        ));
        let patch = TagPatch {
            titles: Some(BTreeMap::from([
                ("en".to_owned(), "Caps".to_owned()),
                ("fr".to_owned(), "Casquettes".to_owned()),
            ])),
            description: Some(Some("Head wear".to_owned())),
            ..TagPatch::default()
        };
        let (tag, v) = store.update_tag(&id("products:apparel/hats"), patch.clone(), "carol").unwrap();
        assert_eq!((tag.title("fr"), v), ("Casquettes", 3));
        // The same patch again changes nothing.
        assert_eq!(store.update_tag(&id("products:apparel/hats"), patch, "carol").unwrap().1, 3);
        let (new_id, v) = store.move_tag(&id("products:apparel/hats"), &id("catalog:wear"), "dave").unwrap();
        assert_eq!((new_id.as_str(), v), ("catalog:wear/hats", 4));
        let (deleted, v) = store.delete_tag(&id("catalog:wear/hats"), false, "erin").unwrap();
        assert_eq!((deleted.len(), v), (1, 5));
        let log = store.changes(1, 100).unwrap();
        let summary: Vec<(i64, &str, ChangeOp, Option<&str>)> =
            log.iter().map(|c| (c.version, c.actor.as_str(), c.op, c.tag_id.as_deref())).collect();
        assert_eq!(
            summary,
            [
                (2, "bob", ChangeOp::Create, Some("products:apparel/hats")),
                (3, "carol", ChangeOp::Update, Some("products:apparel/hats")),
                (4, "dave", ChangeOp::Move, Some("products:apparel/hats")),
                (5, "erin", ChangeOp::Delete, Some("catalog:wear/hats")),
            ]
        );
        assert_eq!(log[0].detail["before"], Value::Null);
        assert_eq!(log[0].detail["after"]["titles"]["en"], "Hats");
        assert_eq!(log[1].detail["before"]["titles"]["en"], "Hats");
        assert_eq!(log[1].detail["after"]["titles"]["en"], "Caps");
        assert_eq!(log[2].detail["after"]["id"], "catalog:wear/hats");
        assert_eq!(log[3].detail["before"][0]["id"], "catalog:wear/hats");
        for change in &log {
            assert!(change.at.ends_with('Z') && change.at.len() == 24, "{}", change.at);
        }
        assert_eq!(store.changes(3, 1).unwrap().iter().map(|c| c.version).collect::<Vec<_>>(), [4]);
    }

    #[test]
    fn move_rebases_the_subtree_and_what_hangs_off_it() {
        let (_dir, store) = temp_store();
        store.import_taxonomy(&tags(BASE), ImportMode::Replace, "alice").unwrap();
        let boots = id("products:apparel/shoes/boots");
        store.add_manual_link(&boots, "n02869837", "alice").unwrap();
        let asset = store.resolve_asset(Some("hash-1"), None).unwrap();
        store.moderate(asset, boots.as_str(), TagAction::AddManual { title: None }, "alice").unwrap();
        let mut thresholds = Thresholds::default();
        thresholds.per_tag.insert(boots.to_string(), 0.8);
        thresholds.per_tag.insert("wordnet:n02869837".to_owned(), 0.3);
        store.set_thresholds(&thresholds, "alice").unwrap();

        assert!(matches!(
            store.move_tag(&id("products:apparel"), &id("products:apparel/shoes"), "a"),
            Err(StoreError::BadValue(_))
        ));
        assert!(matches!(store.move_tag(&id("products:"), &id("catalog:"), "a"), Err(StoreError::BadValue(_))));
        assert!(matches!(store.move_tag(&id("products:nope"), &id("catalog:"), "a"), Err(StoreError::UnknownTag(_))));
        assert!(matches!(
            store.move_tag(&id("products:apparel"), &id("catalog:nope"), "a"),
            Err(StoreError::UnknownTag(_))
        ));

        let (new_id, _) = store.move_tag(&id("products:apparel/shoes"), &id("catalog:wear"), "bob").unwrap();
        assert_eq!(new_id.as_str(), "catalog:wear/shoes");
        assert_eq!(
            ids(&store.taxonomy().unwrap()),
            [
                "catalog:",
                "catalog:wear",
                "catalog:wear/shoes",
                "catalog:wear/shoes/boots",
                "products:",
                "products:apparel"
            ]
        );
        let moved = store.taxonomy().unwrap().get(&id("catalog:wear/shoes/boots")).unwrap().clone();
        assert_eq!(moved.title("en"), "Title of products:apparel/shoes/boots");
        let links = store.links(None).unwrap();
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].tag_id.as_str(), "catalog:wear/shoes/boots");
        let moderation = store.moderation(asset).unwrap();
        assert_eq!(moderation[0].tag_id, "catalog:wear/shoes/boots");
        let thresholds = store.thresholds().unwrap();
        assert_eq!(thresholds.per_tag.get("catalog:wear/shoes/boots"), Some(&0.8));
        assert_eq!(thresholds.per_tag.get("wordnet:n02869837"), Some(&0.3));
        assert_eq!(thresholds.per_tag.len(), 2);
        // Moving to the current parent is a no-op; onto an existing name is refused.
        let before = store.taxonomy_version().unwrap();
        assert_eq!(store.move_tag(&new_id, &id("catalog:wear"), "bob").unwrap(), (new_id.clone(), before));
        store.create_tag(Tag::new(id("products:apparel/shoes"), "Shoes"), "bob").unwrap();
        assert!(matches!(store.move_tag(&new_id, &id("products:apparel"), "bob"), Err(StoreError::TagExists(_))));
    }

    #[test]
    fn delete_refuses_children_unless_recursive_and_cleans_up() {
        let (_dir, store) = temp_store();
        store.import_taxonomy(&tags(BASE), ImportMode::Replace, "alice").unwrap();
        let shoes = id("products:apparel/shoes");
        let boots = id("products:apparel/shoes/boots");
        store
            .replace_auto_links(
                &boots,
                &[NewLink { concept: "n02869837".to_owned(), score: 0.9, method: LinkMethod::Lemma }],
            )
            .unwrap();
        let asset = store.resolve_asset(None, Some("dam-1")).unwrap();
        store
            .moderate(asset, boots.as_str(), TagAction::AddManual { title: Some("Boots".to_owned()) }, "alice")
            .unwrap();
        store.moderate(asset, "color:red", TagAction::Remove, "alice").unwrap();
        let mut thresholds = Thresholds::default();
        thresholds.per_tag.insert(boots.to_string(), 0.9);
        store.set_thresholds(&thresholds, "alice").unwrap();
        let version = store.taxonomy_version().unwrap();

        assert!(matches!(store.delete_tag(&shoes, false, "bob"), Err(StoreError::HasChildren(_))));
        assert!(matches!(store.delete_tag(&id("products:hats"), true, "bob"), Err(StoreError::UnknownTag(_))));
        assert_eq!(store.taxonomy_version().unwrap(), version);
        let (deleted, _) = store.delete_tag(&shoes, true, "bob").unwrap();
        assert_eq!(deleted, [shoes.clone(), boots.clone()]);
        assert!(store.links(None).unwrap().is_empty());
        let moderation = store.moderation(asset).unwrap();
        assert_eq!(moderation.iter().map(|m| m.tag_id.as_str()).collect::<Vec<_>>(), ["color:red"]);
        assert!(store.thresholds().unwrap().per_tag.is_empty());
        assert_eq!(store.tag(&id("products:apparel")).unwrap().children, Vec::<TagId>::new());
    }

    #[test]
    fn tag_view_has_path_and_children() {
        let (_dir, store) = temp_store();
        store.import_taxonomy(&tags(BASE), ImportMode::Replace, "alice").unwrap();
        let view = store.tag(&id("products:apparel")).unwrap();
        assert_eq!(view.path, [id("products:"), id("products:apparel")]);
        assert_eq!(view.children, [id("products:apparel/shoes")]);
        assert!(matches!(store.tag(&id("products:x")), Err(StoreError::UnknownTag(_))));
    }

    #[test]
    fn patch_tells_null_from_missing() {
        let patch: TagPatch = serde_json::from_str(r#"{"description": null}"#).unwrap();
        assert_eq!(patch.description, Some(None));
        let patch: TagPatch = serde_json::from_str("{}").unwrap();
        assert_eq!(patch.description, None);
        assert!(serde_json::from_str::<TagPatch>(r#"{"id": "x:y"}"#).is_err());
    }
}
