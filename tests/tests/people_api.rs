//! People and text through the service API, every part real: the image model, the face, person
//! and text detectors, WordNet, the text model, the demo taxonomy and SQLite. A tag request with
//! the thumbnail part gets people tags (generic concepts and the taxonomy tags linked to them),
//! the words in the picture and a "text" tag; without the thumbnail, or with the workflow's steps
//! off, none; a re-tag from stored outputs keeps them.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::{multipart, send};
use smart_tags_tests::{
    demo_taxonomy, prepare, shared_detectors, shared_engine, shared_tagger, shared_text_reader, Prepared,
};

/// A forced tag request, with `thumbnail` as the thumbnail part when given.
async fn tag_with(router: &Router, photo: &Prepared, thumbnail: Option<&[u8]>) -> (StatusCode, Value) {
    let meta =
        json!({ "content_hash": photo.content_hash, "colors": photo.colors, "force": true }).to_string().into_bytes();
    let mut parts: Vec<(&str, &str, &[u8])> =
        vec![("meta", "application/json", &meta), ("model_input", "application/octet-stream", &photo.model_input)];
    if let Some(jpeg) = thumbnail {
        parts.push(("thumbnail", "image/jpeg", jpeg));
    }
    let (content_type, body) = multipart(&parts);
    send(router, "POST", "/v1/assets/tag", &content_type, body).await
}

async fn tag(router: &Router, photo: &Prepared) -> Value {
    let (status, answer) = tag_with(router, photo, Some(&photo.thumbnail)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

fn shown(answer: &Value) -> Vec<String> {
    answer["tags"]["smart"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

async fn service() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(dir.path()).unwrap());
    let state = AppState::with_tagger(shared_engine(), store, shared_tagger())
        .with_detectors(shared_detectors())
        .with_text_reader(shared_text_reader());
    let router = app(Arc::new(state));
    let (status, summary) =
        send(&router, "PUT", "/v1/taxonomy?format=csv", "text/csv", demo_taxonomy("demo.csv")).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    (dir, router)
}

const PEOPLE: &str = "demo:people";
const PORTRAITS: &str = "demo:people/portraits";

#[tokio::test]
async fn group_photos_portraits_and_a_man_from_behind_are_people_and_the_rest_are_not() {
    let (_dir, router) = service().await;

    // "People" and "People › Portraits" link to the detector concepts with no training.
    let (_, links) = send(&router, "GET", "/v1/links?tag=demo:people/portraits", "", Vec::new()).await;
    assert!(
        links["links"].as_array().unwrap().iter().any(|l| l["concept"] == "n03987079" && l["method"] == "lemma"),
        "portrait: {links}"
    );

    let group = tag(&router, &prepare("people/sample5.jpg")).await;
    let ids = shown(&group);
    assert!(ids.contains(&PEOPLE.to_owned()) && !ids.contains(&PORTRAITS.to_owned()), "{group}");
    assert!(ids.contains(&"wordnet:n07975026".to_owned()), "the generic tag group: {ids:?}");
    let group_tag = group["tags"]["smart"].as_array().unwrap().iter().find(|t| t["id"] == "wordnet:n07975026").unwrap();
    assert_eq!(group_tag["title"], "group");
    assert_eq!(group["people"]["summary"]["faces"], 5, "{}", group["people"]);
    assert_eq!(group["people"]["faces"].as_array().unwrap().len(), 5);
    let face = &group["people"]["faces"][0];
    assert!(face["score"].as_f64().unwrap() >= 0.6 && face["box"]["width"].as_f64().unwrap() > 0.0, "{face}");

    let astronaut = tag(&router, &prepare("skimage/astronaut.png")).await;
    let ids = shown(&astronaut);
    assert!(ids.contains(&PORTRAITS.to_owned()) && ids.contains(&PEOPLE.to_owned()), "{ids:?}");
    assert_eq!(astronaut["people"]["summary"]["faces"], 1);

    let behind = tag(&router, &prepare("people/person.jpg")).await;
    let ids = shown(&behind);
    assert!(ids.contains(&PEOPLE.to_owned()) && !ids.contains(&PORTRAITS.to_owned()), "{ids:?}");
    assert_eq!(behind["people"]["summary"]["faces"], 0);
    assert_eq!(behind["people"]["summary"]["persons"], 1);

    for photo in ["skimage/chelsea.png", "skimage/coffee.png", "wallpapers/Path-2560x1600.jpg"] {
        let answer = tag(&router, &prepare(photo)).await;
        let ids = shown(&answer);
        assert!(!ids.iter().any(|id| id.starts_with(PEOPLE)), "{photo}: {ids:?}");
        for concept in ["n07942152", "n03987079", "n07975026", "n08182379"] {
            assert!(!ids.contains(&format!("wordnet:{concept}")), "{photo}: {ids:?}");
        }
        assert_eq!(answer["people"]["summary"]["count"], 0, "{photo}: {}", answer["people"]);
    }
}

#[tokio::test]
async fn no_thumbnail_or_the_step_off_means_no_people_and_a_retag_keeps_what_was_found() {
    let (_dir, router) = service().await;
    let group = prepare("people/sample1.jpg");
    let (status, answer) = tag_with(&router, &group, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["people"].is_null() && !shown(&answer).contains(&PEOPLE.to_owned()), "{answer}");

    // A thumbnail that is not a picture is the caller's mistake, and so is one too large.
    let (status, body) = tag_with(&router, &group, Some(b"not a jpeg")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("thumbnail"), "{body}");
    let (status, body) = tag_with(&router, &group, Some(&vec![0u8; 300 * 1024])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let answer = tag(&router, &group).await;
    assert!(shown(&answer).contains(&PEOPLE.to_owned()), "{answer}");
    assert_eq!(answer["people"]["summary"]["faces"], 3);

    // A re-tag from the stored outputs (no image) keeps the people.
    let (status, retagged) = send(
        &router,
        "POST",
        "/v1/assets/retag",
        "application/json",
        json!({ "content_hash": group.content_hash, "dry_run": false }).to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{retagged}");
    let after: Vec<&str> =
        retagged["tags"]["smart"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert!(after.contains(&PEOPLE), "{retagged}");
    // So does tagging the same bytes again without a thumbnail.
    let (status, again) = tag_with(&router, &group, None).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert!(shown(&again).contains(&PEOPLE.to_owned()) && again["people"]["summary"]["faces"] == 3, "{again}");

    // The workflow's people step off: the detectors do not run, the thumbnail is ignored.
    let off = json!({ "steps": [{ "kind": "thumbnails" }, { "kind": "smart_tags" }, { "kind": "people", "enabled": false }, { "kind": "color_tags" }] });
    let (status, body) = send(&router, "PUT", "/v1/workflow", "application/json", off.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let other = prepare("people/sample4.jpg");
    let answer = tag(&router, &other).await;
    assert!(answer["people"].is_null() && !shown(&answer).contains(&PEOPLE.to_owned()), "{answer}");
    // And what was found before in the group photo no longer makes tags.
    let (status, private) = tag_with(&router, &group, None).await;
    assert_eq!(status, StatusCode::OK, "{private}");
    assert!(!shown(&private).contains(&PEOPLE.to_owned()), "{private}");
}

/// Tags one DAM asset in a folder (`""`: the request names none), with the thumbnail, as the
/// upload page does (not forced).
async fn tag_in(router: &Router, photo: &Prepared, asset_id: &str, folder: &str) -> Value {
    let mut meta = json!({ "content_hash": photo.content_hash, "asset_id": asset_id, "colors": photo.colors });
    if !folder.is_empty() {
        meta["folder"] = json!(folder);
    }
    let meta = meta.to_string().into_bytes();
    let parts: Vec<(&str, &str, &[u8])> = vec![
        ("meta", "application/json", &meta),
        ("model_input", "application/octet-stream", &photo.model_input),
        ("thumbnail", "image/jpeg", &photo.thumbnail),
    ];
    let (content_type, body) = multipart(&parts);
    let (status, answer) = send(router, "POST", "/v1/assets/tag", &content_type, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn get_json(router: &Router, path: &str) -> Value {
    let (status, body) = send(router, "GET", path, "", Vec::new()).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

async fn set_people(router: &Router, folder: &str, choice: &str) -> Value {
    let change = json!({ "path": folder, "people": choice }).to_string().into_bytes();
    let (status, body) = send(router, "PUT", "/v1/folders", "application/json", change).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The asset's answer once `done` holds for it; the apply pass works in the background.
async fn once(router: &Router, asset_id: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let answer = get_json(router, &format!("/v1/assets?asset_id={asset_id}")).await;
        if done(&answer) {
            return answer;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{asset_id} never got there: {}", get_json(router, &format!("/v1/assets?asset_id={asset_id}")).await);
}

fn people_tagged(answer: &Value) -> bool {
    shown(answer).iter().any(|id| id.starts_with(PEOPLE) || id == "wordnet:n07975026")
}

#[tokio::test]
async fn face_detection_switched_off_for_a_folder_finds_no_one_there_and_untags_what_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(dir.path()).unwrap());
    let state = Arc::new(
        AppState::with_tagger(shared_engine(), store, shared_tagger())
            .with_detectors(shared_detectors())
            .with_text_reader(shared_text_reader()),
    );
    // As the service binary does: the pass that makes stale predictions again, and its watcher.
    smart_tags_service::training::apply::watch(&state);
    let router = app(Arc::clone(&state));
    let (status, summary) =
        send(&router, "PUT", "/v1/taxonomy?format=csv", "text/csv", demo_taxonomy("demo.csv")).await;
    assert_eq!(status, StatusCode::OK, "{summary}");

    // HR's badge photos: face and person detection off for /hr and below.
    assert_eq!(
        set_people(&router, "/hr", "disabled").await["resolved"]["people"],
        json!({ "enabled": false, "set_on": "/hr" })
    );
    let group = prepare("people/sample5.jpg");
    let badge = tag_in(&router, &group, "hr-1", "/hr/badges").await;
    assert!(badge["people"].is_null() && !people_tagged(&badge), "{badge}");
    assert_eq!(
        badge["skipped"],
        json!([{ "step": "people", "status": "skipped", "attempts": 0, "code": "people_off", "reason": "face and person detection is switched off for /hr/badges (set on /hr)" }])
    );

    // The same bytes in another folder: the detectors run there, and what they find stays there.
    let campaign = tag_in(&router, &group, "mkt-1", "/marketing").await;
    assert!(people_tagged(&campaign) && campaign["people"]["summary"]["faces"] == 5, "{campaign}");
    assert!(campaign.get("skipped").is_none(), "{campaign}");
    let badge = get_json(&router, "/v1/assets?asset_id=hr-1").await;
    assert!(
        badge["people"].is_null() && !people_tagged(&badge),
        "what was found for /marketing is not shown in /hr: {badge}"
    );
    let (status, retagged) = send(
        &router,
        "POST",
        "/v1/assets/retag",
        "application/json",
        json!({ "asset_id": "hr-1", "dry_run": false }).to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{retagged}");
    assert!(
        !retagged["tags"]["smart"].as_array().unwrap().iter().any(|t| t["id"] == PEOPLE),
        "nor scored by a re-tag: {retagged}"
    );

    // Switched off where an asset is stored: its tags are made again in the background, and the
    // search index follows.
    assert_eq!(set_people(&router, "/marketing", "disabled").await["stale"], 1);
    let untagged = once(&router, "mkt-1", |a| !people_tagged(a)).await;
    assert!(untagged["people"].is_null(), "{untagged}");
    assert_eq!(
        untagged["inference_count"], campaign["inference_count"],
        "made again from the stored outputs, the image model did not run"
    );
    let found = get_json(&router, &format!("/v1/assets/search?tags={PEOPLE}")).await;
    assert_eq!(found["hits"], json!([]), "{found}");

    // On again: the people come back from what was found in those bytes, with no image.
    assert_eq!(set_people(&router, "/marketing", "inherit").await["stale"], 1);
    let back = once(&router, "mkt-1", people_tagged).await;
    assert_eq!(back["people"]["summary"]["faces"], 5, "{back}");
    let found = get_json(&router, &format!("/v1/assets/search?tags={PEOPLE}")).await;
    assert_eq!(found["hits"].as_array().unwrap().len(), 1, "{found}");

    // An asset moved out of /hr is tagged for its new folder at once.
    let moved = tag_in(&router, &group, "hr-1", "/marketing/2026").await;
    assert!(people_tagged(&moved) && moved["people"]["summary"]["faces"] == 5, "{moved}");
    let moved_back = tag_in(&router, &group, "hr-1", "/hr").await;
    assert!(!people_tagged(&moved_back) && moved_back["people"].is_null(), "{moved_back}");
    // A request that names no folder is tagged as the stored folder allows.
    let forced =
        json!({ "content_hash": group.content_hash, "asset_id": "hr-1", "colors": group.colors, "force": true })
            .to_string()
            .into_bytes();
    let parts: Vec<(&str, &str, &[u8])> = vec![
        ("meta", "application/json", &forced),
        ("model_input", "application/octet-stream", &group.model_input),
        ("thumbnail", "image/jpeg", &group.thumbnail),
    ];
    let (content_type, body) = multipart(&parts);
    let (status, unnamed) = send(&router, "POST", "/v1/assets/tag", &content_type, body).await;
    assert_eq!(status, StatusCode::OK, "{unnamed}");
    assert!(
        !people_tagged(&unnamed) && unnamed["people"].is_null() && unnamed["skipped"][0]["code"] == "people_off",
        "{unnamed}"
    );

    // Smart tagging off too: the privacy switch still takes the people tags off stored assets.
    let off = json!({ "path": "/marketing", "smart_tags": "disabled", "people": "disabled" }).to_string().into_bytes();
    let (status, body) = send(&router, "PUT", "/v1/folders", "application/json", off).await;
    assert_eq!((status, body["stale"].as_u64()), (StatusCode::OK, Some(1)), "mkt-1: {body}");
    once(&router, "mkt-1", |a| !people_tagged(a)).await;

    // An asset without a folder is in the root: face detection off for / reaches it.
    let loose = tag_in(&router, &group, "loose-1", "").await;
    assert!(people_tagged(&loose), "{loose}");
    assert!(set_people(&router, "/", "disabled").await["stale"].as_u64().unwrap() >= 1);
    let untagged = once(&router, "loose-1", |a| !people_tagged(a)).await;
    assert_eq!(untagged["skipped"][0]["reason"], "face and person detection is switched off for /", "{untagged}");
}

const TEXT: &str = "wordnet:n06387980";

#[tokio::test]
async fn a_sign_is_read_and_tagged_text_and_pictures_without_text_are_not() {
    let (_dir, router) = service().await;
    let sign = tag(&router, &prepare("opencv/scenetext06.jpg")).await;
    let words: Vec<String> =
        sign["text"]["words"].as_array().unwrap().iter().map(|w| w["text"].as_str().unwrap().to_lowercase()).collect();
    let read = words.join(" ");
    // The sign says "priory galleries"; from the 512-px thumbnail the reader gets "galleries" and
    // "prlory" (an i read as l).
    assert!(read.contains("galleries"), "{words:?}");
    assert!(shown(&sign).contains(&TEXT.to_owned()), "{}", sign["tags"]);
    let text_tag = sign["tags"]["smart"].as_array().unwrap().iter().find(|t| t["id"] == TEXT).unwrap();
    assert_eq!(text_tag["title"], "text");
    let word = &sign["text"]["words"][0];
    assert!(word["score"].as_f64().unwrap() >= 0.5 && word["box"]["width"].as_f64().unwrap() > 0.0, "{word}");

    // The words support the taxonomy tags they name, through the text model: a tag "Galleries"
    // (which no image class reaches) gets the sign.
    let galleries = json!({ "id": "demo:galleries", "titles": { "en": "Art galleries" }, "synonyms": { "en": ["gallery", "galleries"] } });
    let (status, body) =
        send(&router, "POST", "/v1/taxonomy/tags", "application/json", galleries.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let again = tag(&router, &prepare("opencv/scenetext06.jpg")).await;
    let supported = again["tags"]["smart"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "demo:galleries")
        .unwrap_or_else(|| panic!("{}", again["tags"]));
    assert!(supported["confidence"].as_f64().unwrap() >= 0.5, "{supported}");

    for photo in ["skimage/chelsea.png", "skimage/coffee.png", "wallpapers/Path-2560x1600.jpg", "people/sample1.jpg"] {
        let answer = tag(&router, &prepare(photo)).await;
        assert!(!shown(&answer).contains(&TEXT.to_owned()), "{photo}: {}", answer["text"]);
        assert!(answer["text"]["confidence"].as_f64().unwrap() < 0.5, "{photo}: {}", answer["text"]);
        assert!(!shown(&answer).contains(&"demo:galleries".to_owned()), "{photo}");
    }
}
