//! The smart-tag engine through the service API, with every part real: the image model, WordNet,
//! the MiniLM text model and a SQLite file in a temporary data directory. Imports the demo
//! taxonomy as SKOS and as CSV, tags fixture photos, moderates, re-tags and checks the moderation
//! is kept, and clears decisions.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::{self, multipart, send};
use smart_tags_tests::{demo_taxonomy, prepare, shared_engine, shared_tagger, Prepared};

/// A tag request of a model input as it is (possibly truncated) with this `meta`.
async fn tag_raw(router: &Router, meta: &Value, model_input: &[u8]) -> (StatusCode, Value) {
    let meta = meta.to_string().into_bytes();
    let (content_type, body) =
        multipart(&[("meta", "application/json", &meta), ("model_input", "application/octet-stream", model_input)]);
    send(router, "POST", "/v1/assets/tag", &content_type, body).await
}

async fn tag(router: &Router, photo: &Prepared, force: bool) -> Value {
    let (status, body) = service_api::tag(router, photo, &json!({ "force": force }), false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn moderate(router: &Router, photo: &Prepared, tag_id: &str, action: &str) -> (StatusCode, Value) {
    let body = json!({ "content_hash": photo.content_hash, "tag_id": tag_id, "action": action });
    send(router, "POST", "/v1/assets/moderation", "application/json", body.to_string().into_bytes()).await
}

fn smart<'a>(answer: &'a Value, source: &str) -> Vec<&'a Value> {
    answer["tags"]["smart"].as_array().unwrap().iter().filter(|t| t["source"] == source).collect()
}

fn ids(tags: &[&Value]) -> Vec<String> {
    tags.iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

fn service(dir: &tempfile::TempDir) -> Router {
    let store = Arc::new(open_store(dir.path()).unwrap());
    app(Arc::new(AppState::with_tagger(shared_engine(), store, shared_tagger())))
}

#[tokio::test]
async fn skos_taxonomy_tags_photos_with_hierarchy_colours_and_kept_moderation() {
    let dir = tempfile::tempdir().unwrap();
    let router = service(&dir);

    let (status, summary) =
        send(&router, "PUT", "/v1/taxonomy?format=skos", "text/turtle", demo_taxonomy("demo.ttl")).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert!(summary["added"].as_u64().unwrap() >= 45, "{summary}");

    // Lemma links where WordNet knows the word, similarity links where it does not.
    let (_, cats) = send(&router, "GET", "/v1/links?tag=demo:animals/pets/cats", "", Vec::new()).await;
    let cat_links = cats["links"].as_array().unwrap();
    assert!(cat_links.iter().any(|l| l["method"] == "lemma" && l["concept_title"] == "cat"), "{cats}");
    // A tag WordNet has no word for gets links by text similarity as soon as it is created.
    let furry = json!({ "id": "demo:animals/pets/furry-friends", "titles": { "en": "Furry friends" } });
    let (status, body) =
        send(&router, "POST", "/v1/taxonomy/tags", "application/json", furry.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, links) = send(&router, "GET", "/v1/links?tag=demo:animals/pets/furry-friends", "", Vec::new()).await;
    let links = links["links"].as_array().unwrap().clone();
    assert!(!links.is_empty() && links.iter().all(|l| l["method"] == "similarity"), "{links:?}");

    let cat = prepare("skimage/chelsea.png");
    let answer = tag(&router, &cat, false).await;
    assert_eq!(answer["reused"], false);
    let taxonomy = smart(&answer, "taxonomy");
    let cats_tag = taxonomy
        .iter()
        .find(|t| t["id"] == "demo:animals/pets/cats")
        .unwrap_or_else(|| panic!("no cats tag: {answer}"));
    assert_eq!(cats_tag["path"], json!(["Animals", "Pets", "Cats"]));
    assert!(cats_tag["confidence"].as_f64().unwrap() > 0.8, "{cats_tag}");
    assert!(ids(&taxonomy).contains(&"demo:animals".to_owned()), "a child implies its parent: {answer}");
    // Taxonomy tags carry the threshold that follows from the precision target; generic ones
    // follow the global minimum.
    let threshold = f64::from(smart_tags_core::calibration::TAXONOMY_THRESHOLD);
    assert!(
        taxonomy.iter().all(|t| (t["threshold"].as_f64().unwrap() - threshold).abs() < 1e-6
            && t["confidence"].as_f64().unwrap() >= threshold),
        "{answer}"
    );
    assert!(smart(&answer, "generic").iter().all(|t| t.get("threshold").is_none()), "{answer}");
    assert!(!ids(&taxonomy).iter().any(|id| id.starts_with("demo:vehicles")), "{answer}");
    let generic = ids(&smart(&answer, "generic"));
    assert!(generic.contains(&"wordnet:n02121808".to_owned()), "domestic cat: {generic:?}");
    assert!(
        !generic.contains(&"wordnet:n00015388".to_owned()),
        "animal is folded into Animals, linked to it: {generic:?}"
    );
    assert!(!generic.contains(&"wordnet:n02121620".to_owned()), "cat is folded into Cats, linked to it: {generic:?}");
    assert!(generic.contains(&"wordnet:n02120997".to_owned()), "feline (no tag is linked to it) stays: {generic:?}");
    assert!(!ids(&taxonomy).contains(&"demo:animals/wildlife".to_owned()), "a pet is not wildlife: {answer}");
    assert_eq!(
        taxonomy.iter().filter(|t| t["path"] == json!(["Animals", "Pets", "Cats"])).count(),
        1,
        "Animals › Pets › Cats once: {answer}"
    );

    // More suggestions: the best hidden candidates, on demand, read-only.
    let path = format!("/v1/assets?content_hash={}&suggestions=5", cat.content_hash);
    let (status, more) = send(&router, "GET", &path, "", Vec::new()).await;
    assert_eq!(status, StatusCode::OK, "{more}");
    let suggestions = more["tags"]["more"].as_array().unwrap_or_else(|| panic!("no suggestions: {more}"));
    assert!(!suggestions.is_empty() && suggestions.len() <= 5, "{more}");
    let confidences: Vec<f64> = suggestions.iter().map(|t| t["confidence"].as_f64().unwrap()).collect();
    assert!(confidences.windows(2).all(|w| w[0] >= w[1]), "best first: {confidences:?}");
    let own_threshold = |t: &Value| t["threshold"].as_f64().unwrap_or(0.5);
    assert!(
        suggestions.iter().all(|t| t["confidence"].as_f64().unwrap() < own_threshold(t)),
        "all below their threshold: {more}"
    );
    assert!(suggestions.iter().all(|t| t["source"] != "color"), "{more}");
    assert_eq!(more["tags"]["smart"], answer["tags"]["smart"], "asking for suggestions changes nothing");
    // A suggestion is added like any tag, even a generic one (by its id: it is one of the asset's candidates).
    let first = suggestions[0]["id"].as_str().unwrap().to_owned();
    let (status, added) = moderate(&router, &cat, &first, "add_manual").await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert!(added["tags"]["manual"].as_array().unwrap().iter().any(|t| t["id"] == first.as_str()), "{added}");
    let (status, _) = moderate(&router, &cat, &first, "clear").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = moderate(&router, &cat, "wordnet:n99999999", "add_manual").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "neither a tag nor a candidate: {body}");
    let (_, plain) =
        send(&router, "GET", &format!("/v1/assets?content_hash={}", cat.content_hash), "", Vec::new()).await;
    assert!(plain["tags"].get("more").is_none(), "only on demand: {plain}");
    let (status, body) =
        send(&router, "GET", &format!("/v1/assets?content_hash={}&suggestions=21", cat.content_hash), "", Vec::new())
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(!smart(&answer, "color").is_empty(), "colour tags: {answer}");
    assert!(answer["model_version"].as_str().unwrap().starts_with("efficientnet-lite0@"), "{answer}");

    // Same bytes, same model, same taxonomy: the stored prediction is reused.
    assert_eq!(tag(&router, &cat, false).await["reused"], true);

    // Promote the cats tag, remove the generic "domestic cat" tag.
    let (status, promoted) = moderate(&router, &cat, "demo:animals/pets/cats", "promote").await;
    assert_eq!(status, StatusCode::OK, "{promoted}");
    let manual = promoted["tags"]["manual"].as_array().unwrap();
    assert_eq!(manual.len(), 1);
    assert_eq!(manual[0]["confidence"], 1.0);
    assert_eq!(manual[0]["source"], "manual");
    assert_eq!(manual[0]["path"], json!(["Animals", "Pets", "Cats"]));
    assert!(
        !ids(&smart(&promoted, "taxonomy")).contains(&"demo:animals/pets/cats".to_owned()),
        "kept apart from smart tags"
    );
    let (status, removed) = moderate(&router, &cat, "wordnet:n02121808", "remove").await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert!(!ids(&smart(&removed, "generic")).contains(&"wordnet:n02121808".to_owned()));

    // Re-tag with force: the model runs again, and the moderation is kept.
    let again = tag(&router, &cat, true).await;
    assert_eq!(again["reused"], false);
    assert!(
        !ids(&smart(&again, "generic")).contains(&"wordnet:n02121808".to_owned()),
        "a removed tag never comes back"
    );
    assert_eq!(again["tags"]["removed"], json!(["wordnet:n02121808"]));
    assert_eq!(again["tags"]["manual"][0]["id"], "demo:animals/pets/cats", "a manual tag is never dropped");

    // Clear (the review's undo): the decisions are forgotten and both tags are suggestions again.
    let (status, cleared) = moderate(&router, &cat, "demo:animals/pets/cats", "clear").await;
    assert_eq!(status, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["tags"]["manual"], json!([]), "{cleared}");
    assert!(
        ids(&smart(&cleared, "taxonomy")).contains(&"demo:animals/pets/cats".to_owned()),
        "a suggestion again: {cleared}"
    );
    let (status, cleared) = moderate(&router, &cat, "wordnet:n02121808", "clear").await;
    assert_eq!(status, StatusCode::OK, "{cleared}");
    assert_eq!(cleared["tags"]["removed"], json!([]));
    assert!(
        ids(&smart(&cleared, "generic")).contains(&"wordnet:n02121808".to_owned()),
        "a removed tag can come back only by clear: {cleared}"
    );
    let (status, twice) = moderate(&router, &cat, "wordnet:n02121808", "clear").await;
    assert_eq!((status, &twice["tags"]), (StatusCode::OK, &cleared["tags"]), "clearing twice changes nothing");
    let (status, body) = moderate(&router, &cat, "not a tag", "clear").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Back to the decisions for the rest of the test.
    assert_eq!(moderate(&router, &cat, "demo:animals/pets/cats", "promote").await.0, StatusCode::OK);
    assert_eq!(moderate(&router, &cat, "wordnet:n02121808", "remove").await.0, StatusCode::OK);

    // Another photo, another branch of the taxonomy.
    let bike = tag(&router, &prepare("skimage/motorcycle_left.png"), false).await;
    let bike_ids = ids(&smart(&bike, "taxonomy"));
    assert!(
        bike_ids.contains(&"demo:vehicles/motorbikes".to_owned()) && bike_ids.contains(&"demo:vehicles".to_owned()),
        "{bike}"
    );

    // Mistakes get clear 4xx errors.
    let (status, body) = moderate(&router, &cat, "demo:no/such-tag", "add_manual").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = moderate(&router, &cat, "demo:vehicles", "promote").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "not_predicted");
    let bad = json!({ "content_hash": "not-a-hash" });
    let (status, body) = tag_raw(&router, &bad, &cat.model_input).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = send(&router, "POST", "/v1/assets/tag", &multipart(&[]).0, b"--nonsense".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let meta = json!({ "content_hash": cat.content_hash });
    let (status, body) = tag_raw(&router, &meta, &cat.model_input[..1000]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn csv_import_changes_the_taxonomy_version_so_tags_are_computed_again() {
    let dir = tempfile::tempdir().unwrap();
    let router = service(&dir);
    let (status, summary) =
        send(&router, "PUT", "/v1/taxonomy?format=csv", "text/csv", demo_taxonomy("demo.csv")).await;
    assert_eq!(status, StatusCode::OK, "{summary}");

    let coffee = prepare("skimage/coffee.png");
    let first = tag(&router, &coffee, false).await;
    let coffee_tag = smart(&first, "taxonomy").into_iter().find(|t| t["id"] == "demo:food-drink/coffee").cloned();
    let coffee_tag = coffee_tag.unwrap_or_else(|| panic!("no coffee tag: {first}"));
    assert!(coffee_tag["confidence"].as_f64().unwrap() > 0.8, "{coffee_tag}");
    let (status, _) = moderate(&router, &coffee, "demo:food-drink/breakfast", "add_manual").await;
    assert_eq!(status, StatusCode::OK);

    // Rename a tag: the taxonomy version moves, the same bytes are tagged again, titles follow,
    // and the manual tag stays.
    let patch = json!({ "titles": { "en": "Coffee & espresso", "de": "Kaffee" } });
    let (status, body) = send(
        &router,
        "PATCH",
        "/v1/taxonomy/tags/demo:food-drink/coffee",
        "application/json",
        patch.to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The default re-tag policy (AEM's): the same bytes are tagged again only after 24 h…
    assert_eq!(tag(&router, &coffee, false).await["reused"], true, "younger than 24 h");
    // …and with 0 hours, as soon as anything changed.
    let policy = json!({ "retag": { "unchanged_after_hours": 0 } });
    let (status, body) =
        send(&router, "PUT", "/v1/workflow", "application/json", policy.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = tag(&router, &coffee, false).await;
    // Made again from the model outputs stored for these bytes: the image model does not run.
    assert_eq!(
        (second["reused"].as_bool(), second["inference_count"].as_i64()),
        (Some(true), first["inference_count"].as_i64()),
        "{second}"
    );
    assert!(second["taxonomy_version"].as_i64() > first["taxonomy_version"].as_i64(), "the taxonomy changed");
    let renamed =
        smart(&second, "taxonomy").into_iter().find(|t| t["id"] == "demo:food-drink/coffee").cloned().unwrap();
    assert_eq!(renamed["title"], "Coffee & espresso");
    assert_eq!(second["tags"]["manual"][0]["id"], "demo:food-drink/breakfast");

    // The answer in German, from the stored prediction.
    let (status, german) =
        send(&router, "GET", &format!("/v1/assets?content_hash={}&locale=de", coffee.content_hash), "", Vec::new())
            .await;
    assert_eq!(status, StatusCode::OK, "{german}");
    let kaffee = smart(&german, "taxonomy").into_iter().find(|t| t["id"] == "demo:food-drink/coffee").cloned().unwrap();
    assert_eq!(kaffee["title"], "Kaffee");

    // Suggestions for adding a tag by hand.
    let (status, found) = send(&router, "GET", "/v1/taxonomy/suggest?q=mot&locale=en", "", Vec::new()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(found["tags"].as_array().unwrap().iter().any(|t| t["id"] == "demo:vehicles/motorbikes"), "{found}");

    // Thresholds apply without the model: a high global minimum hides the weaker generic tags
    // (taxonomy tags carry their own threshold), at most 3 tags in all.
    let strict = json!({ "min_confidence": 0.95, "max_tags": 3 });
    let (status, _) =
        send(&router, "PUT", "/v1/settings/thresholds", "application/json", strict.to_string().into_bytes()).await;
    assert_eq!(status, StatusCode::OK);
    let (_, filtered) =
        send(&router, "GET", &format!("/v1/assets?content_hash={}", coffee.content_hash), "", Vec::new()).await;
    let non_color: Vec<&Value> =
        filtered["tags"]["smart"].as_array().unwrap().iter().filter(|t| t["source"] != "color").collect();
    assert!(non_color.len() <= 3, "{filtered}");
    assert!(
        non_color.iter().all(|t| t["source"] != "generic" || t["confidence"].as_f64().unwrap() >= 0.95),
        "{filtered}"
    );
    assert!(filtered["tags"]["hidden"].as_u64().unwrap() > 0);
}
