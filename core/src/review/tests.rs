//! Session tests: states from answers, actions on selections, undo/redo, slider, queue, final tags.

use super::*;
use crate::tags::{apply, AssetTags, Decision, SmartTag, TagSource, Thresholds};
use std::collections::BTreeMap;

fn smart(id: &str, title: &str, confidence: f32) -> SmartTag {
    SmartTag {
        id: id.into(),
        title: title.into(),
        path: vec!["Root".into(), title.into()],
        confidence,
        source: if id.starts_with("color:") { TagSource::Color } else { TagSource::Taxonomy },
        model_version: "m@1".into(),
        hex: None,
        threshold: None,
    }
}

/// A tiny stand-in for the service's store: candidates + decisions, answered through the real
/// `tags::apply`, and the moderation ops applied the way the service applies them.
struct Server {
    candidates: Vec<SmartTag>,
    decisions: BTreeMap<String, Decision>,
}

impl Server {
    fn new(candidates: Vec<SmartTag>) -> Server {
        Server { candidates, decisions: BTreeMap::new() }
    }
    fn answer(&self) -> AssetTags {
        apply(&self.candidates, &Thresholds { min_confidence: 0.3, ..Thresholds::default() }, &self.decisions)
    }
    fn send(&mut self, op: &ModerationOp) {
        match op.action {
            OpAction::Clear => {
                self.decisions.remove(&op.tag_id);
            }
            OpAction::Remove => {
                self.decisions.insert(op.tag_id.clone(), Decision::Removed);
            }
            OpAction::Promote => {
                let tag = self.candidates.iter().find(|t| t.id == op.tag_id).expect("promote needs a candidate");
                self.decisions
                    .insert(op.tag_id.clone(), Decision::Manual { title: tag.title.clone(), path: tag.path.clone() });
            }
            OpAction::AddManual => {
                let title = op.title.clone().unwrap_or_else(|| op.tag_id.clone());
                self.decisions.insert(op.tag_id.clone(), Decision::Manual { path: vec![title.clone()], title });
            }
        }
    }
}

fn sel(key: &String) -> &[String] {
    std::slice::from_ref(key)
}

fn hash(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

fn session() -> ReviewSession {
    ReviewSession::new(ReviewOptions { min_confidence: 0.3 }).unwrap()
}

fn states(view: &AssetView) -> Vec<(&str, TagState)> {
    view.tags.iter().map(|t| (t.id.as_str(), t.state)).collect()
}

fn cats_and_dogs() -> Vec<SmartTag> {
    vec![smart("demo:cats", "Cats", 0.9), smart("demo:dogs", "Dogs", 0.35), smart("color:red", "Red", 0.2)]
}

#[test]
fn answers_become_states_and_stay_consistent_after_each_moderation() {
    let mut server = Server::new(cats_and_dogs());
    let mut s = session();
    let key = hash(1);
    let view = s.upsert_asset(&key, "a.jpg", &server.answer());
    assert_eq!(
        states(&view),
        [("demo:cats", TagState::Suggested), ("demo:dogs", TagState::Suggested), ("color:red", TagState::Suggested)]
    );

    let ops = s.accept(sel(&key), "demo:cats").unwrap();
    assert_eq!(
        ops,
        [ModerationOp {
            content_hash: key.clone(),
            tag_id: "demo:cats".into(),
            action: OpAction::Promote,
            title: None
        }]
    );
    let local = s.asset(&key).unwrap();
    for op in &ops {
        server.send(op);
    }
    let after = s.upsert_asset(&key, "a.jpg", &server.answer());
    assert_eq!(states(&local), states(&after), "the service's answer agrees with the local state");
    let cats = &after.tags[0];
    assert_eq!(
        (cats.state, cats.confidence, cats.source),
        (TagState::Accepted, 0.9, TagSource::Taxonomy),
        "accepted keeps the model's numbers"
    );

    let ops = s.reject(sel(&key), "demo:dogs").unwrap();
    assert_eq!(ops[0].action, OpAction::Remove);
    ops.iter().for_each(|op| server.send(op));
    let after = s.upsert_asset(&key, "a.jpg", &server.answer());
    assert_eq!(after.tags[1].state, TagState::Rejected);
    assert_eq!(after.tags[1].title, "Dogs", "a rejected tag keeps the title the session saw");

    let ops = s.add(sel(&key), "demo:birds", "Birds", vec!["Animals".into(), "Birds".into()]).unwrap();
    assert_eq!(ops[0].action, OpAction::AddManual);
    assert_eq!(ops[0].title.as_deref(), Some("Birds"));
    ops.iter().for_each(|op| server.send(op));
    let after = s.upsert_asset(&key, "a.jpg", &server.answer());
    assert_eq!(
        states(&after),
        [
            ("demo:cats", TagState::Accepted),
            ("demo:dogs", TagState::Rejected),
            ("color:red", TagState::Suggested),
            ("demo:birds", TagState::Manual)
        ],
        "accepting and rejecting never move a tag"
    );
}

#[test]
fn a_fresh_session_sees_unknown_removed_ids_and_manual_tags() {
    let mut server = Server::new(cats_and_dogs());
    server.decisions.insert("wordnet:n1".into(), Decision::Removed);
    server.decisions.insert("demo:cats".into(), Decision::Manual { title: "Cats".into(), path: vec!["Cats".into()] });
    let mut s = session();
    let view = s.upsert_asset(&hash(1), "a.jpg", &server.answer());
    let unknown = view.tags.iter().find(|t| t.id == "wordnet:n1").unwrap();
    assert_eq!(
        (unknown.state, unknown.source, unknown.title.as_str()),
        (TagState::Rejected, TagSource::Generic, "wordnet:n1")
    );
    let cats = view.tags.iter().find(|t| t.id == "demo:cats").unwrap();
    assert_eq!(cats.state, TagState::Manual, "never seen as a suggestion: manual");
    // Accepting an unknown rejected id: generic and colour tags can only be promoted, taxonomy
    // tags are added by hand (they may not be candidates any more).
    let ops = s.accept(&[hash(1)], "wordnet:n1").unwrap();
    assert_eq!(ops[0].action, OpAction::Promote);
    server.decisions.insert("demo:gone".into(), Decision::Removed);
    s.upsert_asset(&hash(1), "a.jpg", &server.answer());
    let ops = s.accept(&[hash(1)], "demo:gone").unwrap();
    assert_eq!((ops[0].action, ops[0].title.as_deref()), (OpAction::AddManual, Some("demo:gone")));
}

#[test]
fn actions_on_a_selection_are_one_undo_step_with_inverse_ops() {
    let mut servers: Vec<Server> = (0..3).map(|_| Server::new(cats_and_dogs())).collect();
    servers[2].candidates.retain(|t| t.id != "demo:cats");
    let mut s = session();
    let keys: Vec<String> = (0..3).map(hash).collect();
    for (i, key) in keys.iter().enumerate() {
        s.upsert_asset(key, &format!("img{i}.jpg"), &servers[i].answer());
    }
    // Asset 1 rejected Cats before.
    let ops = s.reject(&keys[1..2], "demo:cats").unwrap();
    ops.iter().for_each(|op| servers[1].send(op));
    assert_eq!(s.undo_description().as_deref(), Some("undo: reject Cats on img1.jpg"));

    let ops = s.accept(&keys, "demo:cats").unwrap();
    assert_eq!(ops.len(), 2, "asset 2 has no Cats: nothing to do there");
    assert!(ops.iter().all(|op| op.action == OpAction::Promote));
    assert_eq!(s.undo_description().as_deref(), Some("undo: accept Cats on 2 assets"));
    ops.iter().for_each(|op| servers[keys.iter().position(|k| *k == op.content_hash).unwrap()].send(op));

    let undo = s.undo();
    assert_eq!(
        undo.iter().map(|op| (op.content_hash.as_str(), op.action)).collect::<Vec<_>>(),
        [(keys[0].as_str(), OpAction::Clear), (keys[1].as_str(), OpAction::Remove)],
        "undo restores each asset's own previous decision"
    );
    assert_eq!(s.asset(&keys[0]).unwrap().tags[0].state, TagState::Suggested);
    assert_eq!(s.asset(&keys[1]).unwrap().tags[0].state, TagState::Rejected);
    assert!(s.can_redo());
    assert_eq!(s.redo_description().as_deref(), Some("redo: accept Cats on 2 assets"));
    assert_eq!(s.undo_description().as_deref(), Some("undo: reject Cats on img1.jpg"));
    undo.iter().for_each(|op| servers[keys.iter().position(|k| *k == op.content_hash).unwrap()].send(op));
    for (i, key) in keys.iter().enumerate() {
        let local = s.asset(key).unwrap();
        assert_eq!(states(&local), states(&s.upsert_asset(key, &format!("img{i}.jpg"), &servers[i].answer())));
    }

    let redo = s.redo();
    assert!(redo.iter().all(|op| op.action == OpAction::Promote) && redo.len() == 2);
    assert!(!s.can_redo());
    // A new action after an undo drops the redo steps.
    s.undo();
    s.reject(&keys[0..1], "demo:dogs").unwrap();
    assert!(!s.can_redo());
    assert!(s.redo().is_empty());
    // Nothing changed: no step.
    assert!(s.reject(&keys[0..1], "demo:dogs").unwrap().is_empty());
    assert_eq!(s.undo_description().as_deref(), Some("undo: reject Dogs on img0.jpg"));
}

#[test]
fn undoing_an_added_tag_clears_it_and_removes_it_locally() {
    let server = Server::new(cats_and_dogs());
    let mut s = session();
    let key = hash(7);
    s.upsert_asset(&key, "a.jpg", &server.answer());
    let ops = s.add(sel(&key), "demo:cats", "Cats", vec![]).unwrap();
    assert_eq!(ops[0].action, OpAction::Promote, "adding a suggestion accepts it");
    let ops = s.add(sel(&key), "demo:birds", "Birds", vec![]).unwrap();
    assert_eq!(ops[0].action, OpAction::AddManual);
    assert_eq!(s.undo()[0].action, OpAction::Clear);
    assert!(s.asset(&key).unwrap().tags.iter().all(|t| t.id != "demo:birds"));
    // Undoing a manual tag that replaced a rejection restores the rejection.
    s.reject(sel(&key), "demo:dogs").unwrap();
    s.reject(sel(&key), "demo:cats").unwrap();
    let undo = s.undo();
    assert_eq!((undo[0].action, undo[0].title.as_deref()), (OpAction::Promote, None));
    assert_eq!(s.add(sel(&key), "demo:x", " ", vec![]), Err(ReviewError::EmptyTitle));
    assert_eq!(s.accept(&[hash(9)], "demo:cats"), Err(ReviewError::UnknownAsset(hash(9))));
    assert_eq!(s.accept(&[], "demo:cats"), Err(ReviewError::EmptySelection));
}

#[test]
fn undo_restores_a_manual_tag_with_its_title() {
    let server = Server::new(cats_and_dogs());
    let mut s = session();
    let key = hash(3);
    s.upsert_asset(&key, "a.jpg", &server.answer());
    s.add(sel(&key), "demo:birds", "Birds", vec![]).unwrap();
    s.reject(sel(&key), "demo:birds").unwrap();
    let undo = s.undo();
    assert_eq!((undo[0].action, undo[0].title.as_deref()), (OpAction::AddManual, Some("Birds")));
}

#[test]
fn the_view_threshold_hides_suggestions_only() {
    let server = Server::new(vec![
        smart("demo:a", "A", 0.9),
        smart("demo:b", "B", 0.5),
        smart("demo:c", "C", 0.4),
        smart("color:red", "Red", 0.1),
    ]);
    let mut s = session();
    let (k1, k2) = (hash(1), hash(2));
    s.upsert_asset(&k1, "one.jpg", &server.answer());
    s.upsert_asset(&k2, "two.jpg", &server.answer());
    s.accept(sel(&k1), "demo:c").unwrap();
    let report = s.set_view_threshold(0.6).unwrap();
    assert_eq!(report.count, 3, "b and c on two.jpg, b on one.jpg (c is accepted there)");
    let one = report.assets.iter().find(|a| a.key == k1).unwrap();
    assert_eq!(one.ids, ["demo:b"]);
    let two = s.asset(&k2).unwrap();
    assert_eq!(two.hidden.ids, ["demo:b", "demo:c"]);
    assert!(two.tags.iter().all(|t| t.state == TagState::Suggested), "the slider changes no decision");
    let finals: Vec<String> = s.final_tags(&k1).unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(finals, ["demo:a", "demo:c", "color:red"], "accepted and colours stay; hidden suggestions go");
    let final_c = s.final_tags(&k1).unwrap().into_iter().find(|t| t.id == "demo:c").unwrap();
    assert!(final_c.confirmed);
    // Navigation skips hidden tags.
    assert_eq!(s.next_tag(&k2, None).unwrap().as_deref(), Some("demo:a"));
    assert_eq!(s.next_tag(&k2, Some("demo:a")).unwrap().as_deref(), Some("color:red"));
    assert_eq!(s.previous_tag(&k2, None).unwrap().as_deref(), Some("color:red"));
    assert_eq!(s.next_tag(&k2, Some("color:red")).unwrap(), None);
    assert_eq!(s.set_view_threshold(1.5), Err(ReviewError::ViewThreshold(1.5)));
    assert_eq!(s.set_view_threshold(0.0).unwrap().count, 0);
    // Rejected tags are never final.
    s.reject(sel(&k1), "demo:a").unwrap();
    assert!(s.final_tags(&k1).unwrap().iter().all(|t| t.id != "demo:a"));
}

#[test]
fn the_queue_puts_the_most_uncertain_first_and_decided_last() {
    let mut s = session(); // min_confidence 0.3
    let near = Server::new(vec![smart("demo:a", "A", 0.32), smart("demo:b", "B", 0.9)]); // |0.32-0.3| = 0.02
    let far = Server::new(vec![smart("demo:a", "A", 0.8)]); // 0.5
    let mut trained = smart("demo:t", "T", 0.75);
    trained.threshold = Some(0.7); // own threshold: 0.05
    let own = Server::new(vec![trained]);
    let colour_only = Server::new(vec![smart("color:red", "Red", 0.31)]); // colours do not count
    s.upsert_asset(&hash(1), "far.jpg", &far.answer());
    s.upsert_asset(&hash(2), "near.jpg", &near.answer());
    s.upsert_asset(&hash(3), "own.jpg", &own.answer());
    s.upsert_asset(&hash(4), "b-colour.jpg", &colour_only.answer());
    s.upsert_asset(&hash(5), "a-colour.jpg", &colour_only.answer());
    assert_eq!(s.queue(), [hash(2), hash(3), hash(1), hash(5), hash(4)], "ties by name");
    let near_view = s.asset(&hash(2)).unwrap();
    assert!((near_view.uncertainty.unwrap() - 0.02).abs() < 1e-6);
    assert_eq!(s.asset(&hash(4)).unwrap().uncertainty, None);

    // Deciding does not move assets under the cursor; sort_queue does.
    s.accept(&[hash(2)], "demo:a").unwrap();
    assert_eq!(s.queue()[0], hash(2));
    assert_eq!(s.next_asset(Some(&hash(2))), Some(hash(3)));
    s.sort_queue();
    assert_eq!(s.queue()[0], hash(3), "near.jpg now scores |0.9-0.3| = 0.6");
    // The view threshold raises effective thresholds: far.jpg's 0.8 is 0.02 from 0.78, own.jpg's
    // 0.75 is 0.03 from max(0.7, 0.78).
    s.set_view_threshold(0.78).unwrap();
    assert_eq!(s.queue()[..2], [hash(1), hash(3)]);
    assert_eq!(s.asset(&hash(1)).unwrap().tags[0].threshold, 0.78);

    assert_eq!(s.next_asset(None), Some(s.queue()[0].clone()));
    assert_eq!(s.previous_asset(None), Some(s.queue()[4].clone()));
    assert_eq!(s.previous_asset(Some(&s.queue()[0].clone())), None);
    assert_eq!(s.next_asset(Some(&s.queue()[4].clone())), None);
    assert!(s.remove_asset(&hash(1)));
    assert_eq!(s.len(), 4);
    assert_eq!(s.assets().len(), 4);
}

#[test]
fn export_assets_carry_final_tags_in_queue_order() {
    let server = Server::new(cats_and_dogs());
    let mut s = session();
    s.upsert_asset(&hash(1), "b.jpg", &server.answer());
    s.upsert_asset(&hash(2), "a.jpg", &server.answer());
    s.reject(&[hash(1)], "demo:cats").unwrap();
    let assets = s.export_assets(None).unwrap();
    assert_eq!(assets.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["a.jpg", "b.jpg"]);
    assert_eq!(assets[1].tags.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["demo:dogs", "color:red"]);
    assert_eq!(assets[1].content_hash.as_deref(), Some(hash(1).as_str()));
    assert!(s.export_assets(Some(&[hash(9)])).is_err());
    // The words an answer read in the picture go with the asset into the exports, each once;
    // an answer without `text` (a moderation answer of an older service) keeps them.
    let text = serde_json::json!({ "version": "ocr@1", "confidence": 0.9, "words": [{ "text": "GM125" }, { "text": " GM125 " }, { "text": "OPEN" }] });
    s.set_text(&hash(1), Some(&text)).unwrap();
    s.set_text(&hash(1), None).unwrap();
    let assets = s.export_assets(None).unwrap();
    assert_eq!((assets[0].words.len(), assets[1].words.clone()), (0, vec!["GM125".to_owned(), "OPEN".to_owned()]));
    assert!(s.set_text(&hash(9), Some(&text)).is_err());
}
