//! The taxonomy and settings routes against a real SQLite file, without the model: each request
//! goes through the real router (`tower::ServiceExt::oneshot`).

// Test code: a failed unwrap is a failed test, helpers included.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use smart_tags_service::store::Store;
use smart_tags_service::{open_store, store_routes};
use tower::ServiceExt;

struct Api {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    router: Router,
}

fn api() -> Api {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(&dir.path().join("data")).unwrap());
    assert!(dir.path().join("data/smart-tags.sqlite3").is_file());
    Api { router: store_routes(Arc::clone(&store)), store, _dir: dir }
}

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

impl Api {
    async fn send(
        &self,
        method: Method,
        uri: &str,
        actor: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(actor) = actor {
            request = request.header("x-smart-tags-actor", actor);
        }
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = self.router.clone().oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
        };
        Answer { status, headers, body }
    }

    async fn get(&self, uri: &str) -> Answer {
        self.send(Method::GET, uri, None, None, Vec::new()).await
    }

    async fn json(&self, method: Method, uri: &str, actor: &str, body: &Value) -> Answer {
        self.send(method, uri, Some(actor), Some("application/json"), body.to_string().into_bytes()).await
    }

    async fn import(&self, uri: &str, actor: &str, text: &str) -> Answer {
        self.send(Method::PUT, uri, Some(actor), Some("application/json"), text.as_bytes().to_vec()).await
    }
}

fn taxonomy(tags: Value) -> String {
    json!({ "format": "smart-tags-taxonomy", "version": 1, "tags": tags }).to_string()
}

fn sample() -> String {
    taxonomy(json!([
        { "id": "products:", "titles": { "en": "Products" } },
        { "id": "products:apparel", "titles": { "en": "Apparel", "fr": "Vêtements" } },
        { "id": "products:apparel/shoes", "titles": { "en": "Shoes" }, "synonyms": { "en": ["footwear"] } },
        { "id": "products:apparel/shoes/boots", "titles": { "en": "Boots" }, "description": "Ankle and higher" },
        { "id": "catalog:", "titles": { "en": "Catalog" } },
    ]))
}

fn assert_error(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{}", answer.body);
    assert_eq!(answer.body["code"], code, "{}", answer.body);
    let message = answer.body["message"].as_str().unwrap();
    assert!(!message.is_empty() && !message.starts_with(char::is_uppercase), "{message}");
}

#[tokio::test]
async fn import_then_export_round_trips() {
    let api = api();
    let answer = api.import("/v1/taxonomy?format=json&mode=replace", "alice", &sample()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({ "version": 1, "mode": "replace", "added": 5, "updated": 0, "removed": 0, "unchanged": 0 })
    );

    let exported = api.get("/v1/taxonomy?format=json").await;
    assert_eq!(exported.status, StatusCode::OK);
    assert_eq!(exported.headers["x-smart-tags-taxonomy-version"], "1");
    assert_eq!(exported.headers["content-type"], "application/json");
    let original: Value = serde_json::from_str(&sample()).unwrap();
    let mut expected: Vec<Value> = original["tags"].as_array().unwrap().clone();
    expected.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    assert_eq!(exported.body["tags"], Value::Array(expected));

    // Importing the export changes nothing; a merge adds without removing.
    let again = api.import("/v1/taxonomy", "alice", &exported.body.to_string()).await;
    assert_eq!((again.body["version"].as_i64(), again.body["unchanged"].as_i64()), (Some(1), Some(5)));
    let merged = api
        .import("/v1/taxonomy?mode=merge", "bob", &taxonomy(json!([{ "id": "colors:", "titles": { "en": "Colors" } }])))
        .await;
    assert_eq!(
        (merged.body["version"].as_i64(), merged.body["added"].as_i64(), merged.body["removed"].as_i64()),
        (Some(2), Some(1), Some(0))
    );
    assert_eq!(api.store.taxonomy().unwrap().len(), 6);
}

#[tokio::test]
async fn a_bad_import_is_422_with_every_problem_and_changes_nothing() {
    let api = api();
    api.import("/v1/taxonomy", "alice", &sample()).await;
    let malformed =
        api.import("/v1/taxonomy?format=json", "alice", "{\"format\": \"smart-tags-taxonomy\", \"tags\": [").await;
    assert_error(&malformed, StatusCode::UNPROCESSABLE_ENTITY, "invalid_taxonomy");
    assert_eq!(malformed.body["problems"][0]["kind"], "syntax");
    assert!(malformed.body["problems"][0]["message"].as_str().unwrap().starts_with("json:"));

    let invalid = taxonomy(json!([
        { "id": "animals:", "titles": { "en": "Animals" } },
        { "id": "animals:cats/kittens", "titles": { "en": "Kittens" } },
        { "id": "animals:dogs", "titles": { "fr": "Chiens" } },
        { "id": "animals:dogs", "titles": { "en": "Dogs" } },
    ]));
    let answer = api.import("/v1/taxonomy", "alice", &invalid).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_taxonomy");
    let kinds: Vec<&str> =
        answer.body["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["missing_title", "duplicate_id", "unknown_parent"], "{}", answer.body);
    assert_eq!(answer.body["problems"][2]["parent"], "animals:cats");

    let export = api.get("/v1/taxonomy").await;
    assert_eq!(export.headers["x-smart-tags-taxonomy-version"], "1");
    assert_eq!(export.body["tags"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn formats_modes_and_bodies_are_checked() {
    let api = api();
    // Malformed CSV and Turtle are reported, not half-imported.
    let answer = api.import("/v1/taxonomy?format=csv", "alice", "id,title,colour\nx:,X,red").await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_taxonomy");
    let turtle = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<urn:a> a skos:Concept ;";
    assert_error(
        &api.import("/v1/taxonomy?format=skos", "alice", turtle).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_taxonomy",
    );
    assert_error(
        &api.import("/v1/taxonomy?format=xml", "alice", &sample()).await,
        StatusCode::BAD_REQUEST,
        "bad_input",
    );
    assert_error(
        &api.import("/v1/taxonomy?mode=append", "alice", &sample()).await,
        StatusCode::BAD_REQUEST,
        "bad_input",
    );
    assert_error(&api.import("/v1/taxonomy", "", &sample()).await, StatusCode::BAD_REQUEST, "bad_input");
    let latin1 = api.send(Method::PUT, "/v1/taxonomy", None, None, vec![0xff, 0xfe]).await;
    assert_error(&latin1, StatusCode::BAD_REQUEST, "bad_input");

    // 10 MiB is the import's limit; other bodies stop at 1 MiB.
    let mut huge = sample().into_bytes();
    huge.resize(10 * 1024 * 1024 + 1, b' ');
    assert_error(
        &api.send(Method::PUT, "/v1/taxonomy", None, None, huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
    );
    let mut big = sample().into_bytes();
    big.resize(2 * 1024 * 1024, b' ');
    let answer = api.send(Method::PUT, "/v1/taxonomy", None, None, big.clone()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let answer = api.send(Method::POST, "/v1/taxonomy/tags", None, Some("application/json"), big).await;
    assert_error(&answer, StatusCode::PAYLOAD_TOO_LARGE, "too_large");
    let answer = api.send(Method::POST, "/v1/taxonomy/tags", None, None, b"{}".to_vec()).await;
    assert_error(&answer, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_format");
    let answer = api.send(Method::POST, "/v1/taxonomy/tags", None, Some("application/json"), b"{".to_vec()).await;
    assert_error(&answer, StatusCode::BAD_REQUEST, "bad_input");
}

#[tokio::test]
async fn create_rename_move_delete_with_the_change_log() {
    let api = api();
    api.import("/v1/taxonomy", "alice", &sample()).await;

    let tag = json!({ "id": "products:apparel/hats", "titles": { "en": "Hats" } });
    let created = api.json(Method::POST, "/v1/taxonomy/tags", "bob", &tag).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.headers["location"], "/v1/taxonomy/tags/products:apparel/hats");
    assert_eq!(created.body["version"], 2);
    assert_error(&api.json(Method::POST, "/v1/taxonomy/tags", "bob", &tag).await, StatusCode::CONFLICT, "tag_exists");
    let orphan = json!({ "id": "products:nothing/here", "titles": { "en": "Orphan" } });
    let answer = api.json(Method::POST, "/v1/taxonomy/tags", "bob", &orphan).await;
    assert_error(&answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_taxonomy");
    assert_eq!(answer.body["problems"][0]["kind"], "unknown_parent");
    let bad_id = json!({ "id": "Products:Hats", "titles": { "en": "Hats" } });
    assert_error(
        &api.json(Method::POST, "/v1/taxonomy/tags", "bob", &bad_id).await,
        StatusCode::BAD_REQUEST,
        "bad_input",
    );

    let rename = json!({ "titles": { "en": "Caps", "de": "Mützen" }, "description": "Head wear" });
    let renamed = api.json(Method::PATCH, "/v1/taxonomy/tags/products:apparel/hats", "carol", &rename).await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(
        (renamed.body["version"].as_i64(), renamed.body["tag"]["titles"]["de"].as_str()),
        (Some(3), Some("Mützen"))
    );
    let no_english = json!({ "titles": { "de": "Mützen" } });
    assert_error(
        &api.json(Method::PATCH, "/v1/taxonomy/tags/products:apparel/hats", "carol", &no_english).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_taxonomy",
    );
    assert_error(
        &api.json(Method::PATCH, "/v1/taxonomy/tags/products:apparel/hats", "carol", &json!({ "id": "x:y" })).await,
        StatusCode::BAD_REQUEST,
        "bad_input",
    );

    let moved = api
        .json(
            Method::POST,
            "/v1/taxonomy/move",
            "dave",
            &json!({ "id": "products:apparel/shoes", "parent": "catalog:" }),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body, json!({ "version": 4, "id": "catalog:shoes" }));
    let boots = api.get("/v1/taxonomy/tags/catalog:shoes/boots").await;
    assert_eq!(boots.status, StatusCode::OK, "{}", boots.body);
    assert_eq!(boots.body["tag"]["description"], "Ankle and higher");
    assert_eq!(boots.body["path"], json!(["catalog:", "catalog:shoes", "catalog:shoes/boots"]));
    assert_eq!(api.get("/v1/taxonomy/tags/catalog:").await.body["children"], json!(["catalog:shoes"]));
    let under_itself = api
        .json(
            Method::POST,
            "/v1/taxonomy/move",
            "dave",
            &json!({ "id": "catalog:shoes", "parent": "catalog:shoes/boots" }),
        )
        .await;
    assert_error(&under_itself, StatusCode::BAD_REQUEST, "bad_input");

    assert_error(
        &api.send(Method::DELETE, "/v1/taxonomy/tags/catalog:shoes", Some("erin"), None, Vec::new()).await,
        StatusCode::CONFLICT,
        "has_children",
    );
    let deleted = api
        .send(Method::DELETE, "/v1/taxonomy/tags/catalog:shoes?recursive=true", Some("erin"), None, Vec::new())
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert_eq!(deleted.body, json!({ "version": 5, "deleted": ["catalog:shoes", "catalog:shoes/boots"] }));

    let log = api.get("/v1/taxonomy/changes?since=1").await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    assert_eq!(log.body["version"], 5);
    let rows: Vec<(i64, &str, &str, &str)> = log.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["version"].as_i64().unwrap(),
                c["actor"].as_str().unwrap(),
                c["op"].as_str().unwrap(),
                c["tag_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (2, "bob", "create", "products:apparel/hats"),
            (3, "carol", "update", "products:apparel/hats"),
            (4, "dave", "move", "products:apparel/shoes"),
            (5, "erin", "delete", "catalog:shoes"),
        ]
    );
    let changes = &log.body["changes"];
    assert_eq!(changes[1]["detail"]["before"]["titles"]["en"], "Hats");
    assert_eq!(changes[1]["detail"]["after"]["titles"]["en"], "Caps");
    assert_eq!(changes[2]["detail"]["after"]["id"], "catalog:shoes");
    assert!(changes[0]["at"].as_str().unwrap().ends_with('Z'));
    let first = api.get("/v1/taxonomy/changes?limit=1").await;
    assert_eq!(first.body["changes"].as_array().unwrap().len(), 1);
    assert_eq!(first.body["changes"][0]["op"], "import");
    assert_eq!(first.body["changes"][0]["actor"], "alice");
    assert_error(&api.get("/v1/taxonomy/changes?since=abc").await, StatusCode::BAD_REQUEST, "bad_input");
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    let api = api();
    api.import("/v1/taxonomy", "alice", &sample()).await;
    assert_error(&api.get("/v1/taxonomy/tags/products:nope").await, StatusCode::NOT_FOUND, "unknown_tag");
    assert_error(
        &api.json(Method::PATCH, "/v1/taxonomy/tags/products:nope", "a", &json!({})).await,
        StatusCode::NOT_FOUND,
        "unknown_tag",
    );
    assert_error(
        &api.send(Method::DELETE, "/v1/taxonomy/tags/products:nope", None, None, Vec::new()).await,
        StatusCode::NOT_FOUND,
        "unknown_tag",
    );
    let answer =
        api.json(Method::POST, "/v1/taxonomy/move", "a", &json!({ "id": "products:nope", "parent": "catalog:" })).await;
    assert_error(&answer, StatusCode::NOT_FOUND, "unknown_tag");
    assert_error(&api.get("/v1/taxonomy/tags/Not%20An%20Id").await, StatusCode::BAD_REQUEST, "bad_input");
    // Percent-encoded ids work too.
    assert_eq!(api.get("/v1/taxonomy/tags/products%3Aapparel%2Fshoes").await.status, StatusCode::OK);
    assert_eq!(api.get("/v1/taxonomy/tags/products:").await.body["children"], json!(["products:apparel"]));
    assert_eq!(api.store.taxonomy_version().unwrap(), 1);
}

#[tokio::test]
async fn thresholds_round_trip_and_are_checked() {
    let api = api();
    let defaults = api.get("/v1/settings/thresholds").await;
    assert_eq!(defaults.body, json!({ "min_confidence": 0.5, "max_tags": 20, "per_tag": {} }));
    assert_eq!(defaults.headers["x-smart-tags-settings-version"], "0");
    let wanted = json!({ "min_confidence": 0.25, "max_tags": 10, "per_tag": { "color:red": 0.75 } });
    let put = api.json(Method::PUT, "/v1/settings/thresholds", "alice", &wanted).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!(put.headers["x-smart-tags-settings-version"], "1");
    let read = api.get("/v1/settings/thresholds").await;
    assert_eq!(read.body, wanted);
    for bad in [
        json!({ "min_confidence": 2 }),
        json!({ "max_tags": 0 }),
        json!({ "max_tags": 500 }),
        json!({ "per_tag": { "red": 0.5 } }),
        json!({ "other": 1 }),
    ] {
        assert_error(
            &api.json(Method::PUT, "/v1/settings/thresholds", "alice", &bad).await,
            StatusCode::BAD_REQUEST,
            "bad_input",
        );
    }
    assert_eq!(api.store.settings_version().unwrap(), 1);
}

#[tokio::test]
async fn the_workflow_is_read_replaced_and_validated() {
    let api = api();
    let first = api.get("/v1/workflow").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["version"], 0);
    let kinds: Vec<&str> =
        first.body["workflow"]["steps"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["thumbnails", "smart_tags", "scenes", "people", "text", "color_tags"]);
    assert_eq!(first.body["workflow"]["retag"]["unchanged_after_hours"], 24);

    // Missing options take their defaults; the answer is the whole stored definition.
    let wanted = json!({ "steps": [{ "kind": "thumbnails" }, { "kind": "smart_tags", "ignore_errors": true, "sources": ["taxonomy"] }], "retag": { "unchanged_after_hours": 2 } });
    let put = api.json(Method::PUT, "/v1/workflow", "alice", &wanted).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    assert_eq!((put.body["version"].as_i64(), put.body["actor"].as_str()), (Some(1), Some("alice")));
    let smart = &put.body["workflow"]["steps"][1];
    assert_eq!(
        (smart["ignore_errors"].as_bool(), smart["retries"].as_u64(), smart["timeout_ms"].as_u64()),
        (Some(true), Some(2), Some(30000))
    );
    assert_eq!(api.get("/v1/workflow").await.body, put.body);

    // Every problem at once, and nothing changes.
    let bad = json!({ "steps": [{ "kind": "smart_tags", "retries": 50, "sources": [] }, { "kind": "thumbnails", "timeout_ms": 1 }] });
    let refused = api.json(Method::PUT, "/v1/workflow", "alice", &bad).await;
    assert_error(&refused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_workflow");
    let problems: Vec<&str> =
        refused.body["problems"].as_array().unwrap().iter().map(|p| p["message"].as_str().unwrap()).collect();
    assert_eq!(problems.len(), 4, "{problems:?}");
    for expected in ["retries", "at least one source", "timeout_ms", "after thumbnails"] {
        assert!(problems.iter().any(|p| p.contains(expected)), "{expected:?} missing from {problems:?}");
    }
    // An unknown option or kind is a 400 naming it.
    let typo = api
        .json(
            Method::PUT,
            "/v1/workflow",
            "alice",
            &json!({ "steps": [{ "kind": "smart_tags", "ignore_error": true }] }),
        )
        .await;
    assert_error(&typo, StatusCode::BAD_REQUEST, "bad_input");
    assert!(typo.body["message"].as_str().unwrap().contains("ignore_error"), "{}", typo.body);
    assert_error(
        &api.json(Method::PUT, "/v1/workflow", "alice", &json!({ "steps": [{ "kind": "ocr" }] })).await,
        StatusCode::BAD_REQUEST,
        "bad_input",
    );
    assert_eq!(api.store.workflow().unwrap().version, 1);
}

#[tokio::test]
async fn folder_settings_are_set_resolved_and_inherited() {
    let api = api();
    let open = api.get("/v1/folders/resolve?path=/campaigns/2026").await;
    let people_on = json!({ "enabled": true, "set_on": null });
    assert_eq!(open.body, json!({ "path": "/campaigns/2026", "enabled": true, "set_on": null, "people": people_on }));

    let off =
        api.json(Method::PUT, "/v1/folders", "alice", &json!({ "path": "campaigns/", "smart_tags": "disabled" })).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(off.body["setting"]["path"], "/campaigns", "the path is normalised");
    assert_eq!(
        off.body["resolved"],
        json!({ "path": "/campaigns", "enabled": false, "set_on": "/campaigns", "people": people_on })
    );
    api.json(Method::PUT, "/v1/folders", "bob", &json!({ "path": "/campaigns/2026/press", "smart_tags": "enabled" }))
        .await;

    let below = api.get("/v1/folders/resolve?path=%2Fcampaigns%2F2026").await;
    assert_eq!(
        below.body,
        json!({ "path": "/campaigns/2026", "enabled": false, "set_on": "/campaigns", "people": people_on })
    );
    let reopened = api.get("/v1/folders/resolve?path=/campaigns/2026/press/q1").await;
    assert_eq!(
        reopened.body,
        json!({ "path": "/campaigns/2026/press/q1", "enabled": true, "set_on": "/campaigns/2026/press", "people": people_on })
    );
    assert_eq!(api.get("/v1/folders/resolve?path=/campaigns-old").await.body["enabled"], true);

    let listed = api.get("/v1/folders").await;
    let rows: Vec<(&str, &str, &str)> = listed.body["folders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["smart_tags"].as_str().unwrap(), f["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("/campaigns", "disabled", "alice"), ("/campaigns/2026/press", "enabled", "bob")]);

    // Inherit deletes the folder's own setting.
    let inherit =
        api.json(Method::PUT, "/v1/folders", "alice", &json!({ "path": "/campaigns", "smart_tags": "inherit" })).await;
    assert_eq!(
        inherit.body,
        json!({ "setting": null, "resolved": { "path": "/campaigns", "enabled": true, "set_on": null, "people": people_on }, "stale": 0 })
    );
    assert_eq!(api.get("/v1/folders").await.body["folders"].as_array().unwrap().len(), 1);

    // Face and person detection: a second switch, resolved on its own; a change of one leaves the
    // other.
    let faces_off =
        api.json(Method::PUT, "/v1/folders", "carol", &json!({ "path": "/hr", "people": "disabled" })).await;
    assert_eq!(faces_off.status, StatusCode::OK, "{}", faces_off.body);
    assert_eq!(faces_off.body["setting"]["smart_tags"], Value::Null, "smart tagging is inherited");
    assert_eq!(faces_off.body["setting"]["people"], "disabled");
    assert_eq!(faces_off.body["stale"], 0, "no stored asset in /hr");
    api.json(Method::PUT, "/v1/folders", "carol", &json!({ "path": "/hr/events", "smart_tags": "disabled" })).await;
    let events = api.get("/v1/folders/resolve?path=/hr/events/2026").await;
    assert_eq!(
        events.body,
        json!({ "path": "/hr/events/2026", "enabled": false, "set_on": "/hr/events", "people": { "enabled": false, "set_on": "/hr" } })
    );
    let both = api
        .json(
            Method::PUT,
            "/v1/folders",
            "carol",
            &json!({ "path": "/hr", "smart_tags": "enabled", "people": "inherit" }),
        )
        .await;
    assert_eq!(
        (both.body["setting"]["smart_tags"].as_str(), &both.body["setting"]["people"]),
        (Some("enabled"), &Value::Null)
    );
    api.json(Method::PUT, "/v1/folders", "carol", &json!({ "path": "/hr", "smart_tags": "inherit" })).await;
    api.json(Method::PUT, "/v1/folders", "carol", &json!({ "path": "/hr/events", "smart_tags": "inherit" })).await;
    assert_eq!(api.get("/v1/folders").await.body["folders"].as_array().unwrap().len(), 1);

    for bad in [
        json!({ "path": "/a/../b", "smart_tags": "disabled" }),
        json!({ "path": "/a", "smart_tags": "off" }),
        json!({ "path": "/a", "smart_tags": "disabled", "recursive": true }),
        json!({ "smart_tags": "disabled" }),
        json!({ "path": "/a" }),
        json!({ "path": "/a", "people": "off" }),
    ] {
        assert_error(&api.json(Method::PUT, "/v1/folders", "alice", &bad).await, StatusCode::BAD_REQUEST, "bad_input");
    }
    assert_error(&api.get("/v1/folders/resolve?path=/a/%00").await, StatusCode::BAD_REQUEST, "bad_input");
    assert_error(&api.get("/v1/folders/resolve").await, StatusCode::BAD_REQUEST, "bad_input");
    assert_eq!(api.get("/v1/folders").await.body["folders"].as_array().unwrap().len(), 1);
}
