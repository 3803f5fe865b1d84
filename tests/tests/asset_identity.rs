//! Asset identity with every part real (image model, WordNet, MiniLM, a SQLite file): an asset is
//! the DAM's asset id, any number of ids may hold the same bytes, each is stored with its own
//! folder and moderation, and the image model runs once per distinct bytes.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::{call, get, send_as, tag, tag_body};
use smart_tags_tests::{prepare, shared_engine, shared_tagger, Prepared};

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
    assert_eq!(
        (second["reused"].as_bool(), second["inference_count"].as_i64()),
        (Some(true), Some(0)),
        "tagged from the stored output: {second}"
    );
    assert!(second["inference_ms"].is_null(), "{second}");
    assert_eq!(smart_ids(&second), smart_ids(&first), "the same bytes give the same tags");
    assert!(!smart_ids(&first).is_empty());

    // Moderated apart: removing a tag from one leaves the other as it was.
    let removed = smart_ids(&first)[0].clone();
    let (status, after) = call(
        &router,
        "POST",
        "/v1/assets/moderation",
        &json!({ "asset_id": "dam-1", "tag_id": removed, "action": "remove" }),
    )
    .await;
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
            tokio::spawn(async move {
                tag(&router, &coffee, &json!({ "asset_id": format!("dam-coffee-{i}") }), false).await
            })
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

/// What a browser sends for `bytes_of`'s file but with `pixels_of`'s model input: a content hash
/// claimed for pixels that are not that file's.
fn forged(bytes_of: &Prepared, pixels_of: &Prepared) -> Prepared {
    Prepared {
        model_input: pixels_of.model_input.clone(),
        colors: pixels_of.colors.clone(),
        content_hash: bytes_of.content_hash.clone(),
        thumbnail: pixels_of.thumbnail.clone(),
    }
}

#[tokio::test]
async fn a_claimed_content_hash_can_neither_overwrite_nor_poison_what_is_stored_for_those_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let router = service(&dir);
    let cat = prepare("skimage/chelsea.png");
    let coffee = prepare("skimage/coffee.png");

    // Overwrite: the cat's bytes are tagged; then a client claims the cat's hash with the coffee's
    // pixels and `force`. It gets tags for what it sent, on its own asset, and nothing else moves.
    let (_, genuine) = tag(&router, &cat, &json!({ "asset_id": "dam-cat" }), true).await;
    let (status, mallory) =
        tag(&router, &forged(&cat, &coffee), &json!({ "asset_id": "mallory", "force": true }), true).await;
    assert_eq!(status, StatusCode::OK, "{mallory}");
    assert_eq!((mallory["reused"].as_bool(), mallory["inference_count"].as_i64()), (Some(false), Some(1)), "{mallory}");
    assert_ne!(smart_ids(&mallory), smart_ids(&genuine), "the coffee's pixels give other tags");
    let (_, again) = tag(&router, &cat, &json!({ "asset_id": "dam-cat-2" }), true).await;
    assert_eq!(
        (again["reused"].as_bool(), smart_ids(&again)),
        (Some(true), smart_ids(&genuine)),
        "the cat's stored outputs are the cat's: {again}"
    );
    let (status, retagged) =
        call(&router, "POST", "/v1/assets/retag", &json!({ "asset_id": "dam-cat", "dry_run": true })).await;
    assert_eq!((status, retagged["status"].as_str()), (StatusCode::OK, Some("unchanged")), "{retagged}");
    // The asset known by the cat's bytes alone (the upload page's) is everyone's: a claim with
    // other pixels is refused there, an honest upload is answered from the cat's outputs.
    let (status, unnamed) = tag(&router, &forged(&cat, &coffee), &json!({}), true).await;
    assert_eq!((status, unnamed["code"].as_str()), (StatusCode::CONFLICT, Some("other_pixels")), "{unnamed}");
    let (status, page) = tag(&router, &cat, &json!({}), true).await;
    assert_eq!(
        (status, page["reused"].as_bool(), smart_ids(&page)),
        (StatusCode::OK, Some(true), smart_ids(&genuine)),
        "{page}"
    );
    // The forged asset is never re-made from the cat's outputs: it needs its image.
    let (status, theirs) =
        call(&router, "POST", "/v1/assets/retag", &json!({ "asset_id": "mallory", "dry_run": true })).await;
    assert_eq!((status, theirs["status"].as_str()), (StatusCode::OK, Some("needs_image")), "{theirs}");

    // Poison: a client claims the coffee's hash first, with the cat's pixels. The coffee's own
    // upload does not reuse that: the model runs on its pixels and gives the coffee's tags.
    let (_, first) = tag(&router, &forged(&coffee, &cat), &json!({ "asset_id": "mallory-2" }), true).await;
    assert_eq!(smart_ids(&first), smart_ids(&genuine), "{first}");
    let (_, honest) = tag(&router, &coffee, &json!({ "asset_id": "dam-coffee" }), true).await;
    assert_eq!((honest["reused"].as_bool(), smart_ids(&honest)), (Some(false), smart_ids(&mallory)), "{honest}");
    // Nor does a second honest upload: the claim still holds the stored outputs...
    let (_, second) = tag(&router, &coffee, &json!({ "asset_id": "dam-coffee-2" }), true).await;
    assert_eq!(second["reused"].as_bool(), Some(false), "{second}");
    // ...until the proxy's back-end API, which hashes the bytes itself, tags them: its outputs
    // replace the claim's, and honest uploads reuse them from then on.
    let (content_type, body) = tag_body(&coffee, &json!({ "asset_id": "dam-coffee-3" }), true);
    let (status, verified) = send_as(&router, "backend", "POST", "/v1/assets/tag", &content_type, body).await;
    assert_eq!((status, verified["reused"].as_bool()), (StatusCode::OK, Some(false)), "{verified}");
    let (_, later) = tag(&router, &coffee, &json!({ "asset_id": "dam-coffee-4" }), true).await;
    assert_eq!((later["reused"].as_bool(), smart_ids(&later)), (Some(true), smart_ids(&honest)), "{later}");
    let (_, claim) =
        tag(&router, &forged(&coffee, &cat), &json!({ "asset_id": "mallory-3", "force": true }), true).await;
    assert_eq!(smart_ids(&claim), smart_ids(&genuine));
    let (_, still) = tag(&router, &coffee, &json!({ "asset_id": "dam-coffee-5" }), true).await;
    assert_eq!((still["reused"].as_bool(), smart_ids(&still)), (Some(true), smart_ids(&honest)), "{still}");
}
