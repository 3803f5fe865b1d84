//! Asset identity with every part real (image model, WordNet, MiniLM, a SQLite file): an asset is
//! the DAM's asset id, any number of ids may hold the same bytes, each is stored with its own
//! folder and moderation, and the image model runs once per distinct bytes.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::{call, get, tag};
use smart_tags_tests::{prepare, shared_engine, shared_tagger};

fn service(dir: &tempfile::TempDir) -> Router {
    let store = Arc::new(open_store(dir.path()).unwrap());
    app(Arc::new(AppState::with_tagger(shared_engine(), store, shared_tagger())))
}

fn smart_ids(answer: &Value) -> Vec<String> {
    answer["tags"]["smart"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn one_file_under_two_asset_ids_is_stored_twice_tagged_once_and_moderated_apart() {
    let dir = tempfile::tempdir().unwrap();
    let router = service(&dir);
    let cat = prepare("skimage/chelsea.png");

    let (status, first) = tag(&router, &cat, &json!({ "asset_id": "dam-1", "folder": "/cats" }), false).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!((first["reused"].as_bool(), first["inference_count"].as_i64()), (Some(false), Some(1)), "{first}");
    let (status, second) = tag(&router, &cat, &json!({ "asset_id": "dam-2", "folder": "/pets/2026" }), false).await;
    assert_eq!(status, StatusCode::OK, "the same bytes under a second asset id are stored: {second}");
    assert_eq!(second["asset"]["asset_id"], "dam-2");
    assert_ne!(second["asset"]["key"], first["asset"]["key"]);
    assert_eq!((second["reused"].as_bool(), second["inference_count"].as_i64()), (Some(true), Some(0)), "tagged from the stored output: {second}");
    assert!(second["inference_ms"].is_null(), "{second}");
    assert_eq!(smart_ids(&second), smart_ids(&first), "the same bytes give the same tags");
    assert!(!smart_ids(&first).is_empty());

    // Moderated apart: removing a tag from one leaves the other as it was.
    let removed = smart_ids(&first)[0].clone();
    let (status, after) = call(&router, "POST", "/v1/assets/moderation", &json!({ "asset_id": "dam-1", "tag_id": removed, "action": "remove" })).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert!(!smart_ids(&after).contains(&removed));
    let (_, other) = get(&router, "/v1/assets?asset_id=dam-2").await;
    assert!(smart_ids(&other).contains(&removed), "{other}");
    assert_eq!(other["asset"]["folder"], "/pets/2026");
    let (_, one) = get(&router, "/v1/assets?asset_id=dam-1").await;
    assert_eq!((one["asset"]["folder"].as_str(), one["inference_count"].as_i64()), (Some("/cats"), Some(1)));

    // The bytes alone name no single asset now: a clear 400, never a 409 or a 5xx.
    let (status, ambiguous) = get(&router, &format!("/v1/assets?content_hash={}", cat.content_hash)).await;
    assert_eq!((status, ambiguous["code"].as_str()), (StatusCode::BAD_REQUEST, Some("ambiguous_asset")), "{ambiguous}");
    assert!(ambiguous["message"].as_str().unwrap().contains("2 assets"), "{ambiguous}");

    // The upload page names assets by their bytes: its asset is a third one, tagged without the model.
    let (status, page) = tag(&router, &cat, &json!({}), false).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page["asset"]["asset_id"].is_null(), "{page}");
    assert_eq!((page["reused"].as_bool(), page["inference_count"].as_i64()), (Some(true), Some(0)), "{page}");
    assert!(smart_ids(&page).contains(&removed), "the page's asset has its own moderation");
    let (status, by_hash) = get(&router, &format!("/v1/assets?content_hash={}", cat.content_hash)).await;
    assert_eq!((status, &by_hash["asset"]["key"]), (StatusCode::OK, &page["asset"]["key"]), "{by_hash}");

    // A forced re-tag of one asset runs the model for that asset only.
    let (_, forced) = tag(&router, &cat, &json!({ "asset_id": "dam-2", "force": true }), false).await;
    assert_eq!((forced["reused"].as_bool(), forced["inference_count"].as_i64()), (Some(false), Some(1)), "{forced}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn new_asset_ids_for_the_same_bytes_at_once_run_the_model_once() {
    let dir = tempfile::tempdir().unwrap();
    let router = service(&dir);
    let coffee = Arc::new(prepare("skimage/coffee.png"));
    let requests: Vec<_> = (0..4)
        .map(|i| {
            let (router, coffee) = (router.clone(), coffee.clone());
            tokio::spawn(async move { tag(&router, &coffee, &json!({ "asset_id": format!("dam-coffee-{i}") }), false).await })
        })
        .collect();
    let mut runs = 0;
    for request in requests {
        let (status, answer) = request.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{answer}");
        runs += answer["inference_count"].as_i64().unwrap();
    }
    assert_eq!(runs, 1, "four asset ids, one model run");
    for i in 0..4 {
        let (status, asset) = get(&router, &format!("/v1/assets?asset_id=dam-coffee-{i}")).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
    }
}
