//! The tagging service's side of the auto-tagging workflow, with every part real (image model,
//! WordNet, MiniLM, a SQLite file in a temporary data directory): folder settings refusing or
//! allowing uploads (`smart_tags_off`, Ignore Smart Tag Flag), the workflow's re-tag policy, the
//! inference count, and re-tagging from the stored model output with a dry run that never removes
//! a manual tag nor brings back a removed one. The `smart_tags_off` refusal also goes through the
//! real proxy on loopback ports, which passes it on to the browser with its code and message.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::{call, get, send, tag, tag_body};
use smart_tags_tests::{prepare, shared_engine, shared_tagger};

/// The answer has exactly the properties `service/openapi.json` documents for `schema` (the
/// document's own test cannot run the model routes).
fn assert_documented(schema: &str, answer: &Value) {
    let doc: Value = serde_json::from_str(smart_tags_service::routes::openapi::DOCUMENT).unwrap();
    let schema = &doc["components"]["schemas"][schema];
    let documented: std::collections::BTreeSet<&str> =
        schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    let required: std::collections::BTreeSet<&str> =
        schema["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    let answered: std::collections::BTreeSet<&str> = answer.as_object().unwrap().keys().map(String::as_str).collect();
    assert!(
        answered.is_subset(&documented) && required.is_subset(&answered),
        "{answered:?} vs documented {documented:?}, required {required:?}"
    );
}

fn smart_ids(tags: &Value) -> Vec<String> {
    tags["smart"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

fn service(dir: &tempfile::TempDir) -> Router {
    let store = Arc::new(open_store(dir.path()).unwrap());
    app(Arc::new(AppState::with_tagger(shared_engine(), store, shared_tagger())))
}

async fn import(router: &Router, tags: Value) {
    let text = json!({ "format": "smart-tags-taxonomy", "version": 1, "tags": tags }).to_string();
    let (status, body) = send(router, "PUT", "/v1/taxonomy?format=json", "application/json", text.into_bytes()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn folders_switch_tagging_off_and_the_policy_decides_reuse() {
    let dir = tempfile::tempdir().unwrap();
    let router = service(&dir);
    import(&router, json!([{ "id": "things:", "titles": { "en": "Things" } }, { "id": "things:boats", "titles": { "en": "Boats" } }])).await;
    let cat = prepare("skimage/chelsea.png");
    assert_eq!(
        call(&router, "PUT", "/v1/folders", &json!({ "path": "/archive", "smart_tags": "disabled" })).await.0,
        StatusCode::OK
    );

    // Switched off on /archive: refused for a folder below it, and nothing is stored.
    let (status, refused) = tag(&router, &cat, &json!({ "asset_id": "dam-1", "folder": "archive/2019/" }), false).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("smart_tags_off")), "{refused}");
    assert_eq!(refused["message"], "smart tagging is switched off for /archive/2019 (set on /archive)");
    let (status, _) = get(&router, &format!("/v1/assets?content_hash={}", cat.content_hash)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "nothing stored");
    let (_, listed) = get(&router, "/v1/assets/list").await;
    assert_eq!(listed, json!({ "assets": [], "next": null }));

    // Ignore Smart Tag Flag: tagged, the folder is stored on the asset.
    let (status, first) = tag(
        &router,
        &cat,
        &json!({ "asset_id": "dam-1", "folder": "/archive/2019", "ignore_smart_tag_flag": true }),
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!((first["reused"].as_bool(), first["inference_count"].as_i64()), (Some(false), Some(1)), "{first}");
    assert_eq!(first["asset"]["folder"], "/archive/2019");
    assert_documented("AssetAnswer", &first);
    assert_documented("AssetInfo", &first["asset"]);
    let tagged_at = first["tagged_at"].as_str().unwrap().to_owned();
    assert!(tagged_at.ends_with('Z'), "{tagged_at}");
    let (_, listed) = get(&router, "/v1/assets/list?folder=/archive&recursive=true").await;
    assert_eq!(listed["assets"][0]["asset_id"], "dam-1", "{listed}");
    assert_eq!(listed["assets"][0]["folder"], "/archive/2019");
    let (_, flat) = get(&router, "/v1/assets/list?folder=/archive").await;
    assert_eq!(flat["assets"], json!([]), "not recursive: /archive itself only");

    // The same bytes and versions: never tagged twice, whatever the policy.
    call(&router, "PUT", "/v1/workflow", &json!({ "retag": { "unchanged_after_hours": 0 } })).await;
    let (_, again) = tag(
        &router,
        &cat,
        &json!({ "asset_id": "dam-1", "folder": "/archive/2019", "ignore_smart_tag_flag": true }),
        false,
    )
    .await;
    assert_eq!(
        (again["reused"].as_bool(), again["inference_count"].as_i64(), again["tagged_at"].as_str()),
        (Some(true), Some(1), Some(tagged_at.as_str()))
    );
    // A taxonomy change makes the prediction stale: 0 hours re-tags at once, from the model
    // outputs stored for the bytes (the image model does not run)…
    let boats = json!({ "id": "things:ships", "titles": { "en": "Ships" } });
    assert_eq!(call(&router, "POST", "/v1/taxonomy/tags", &boats).await.0, StatusCode::CREATED);
    let (_, stale) = tag(
        &router,
        &cat,
        &json!({ "asset_id": "dam-1", "ignore_smart_tag_flag": true, "folder": "/archive/2019" }),
        false,
    )
    .await;
    assert_eq!((stale["reused"].as_bool(), stale["inference_count"].as_i64()), (Some(true), Some(1)), "{stale}");
    assert!(
        stale["taxonomy_version"].as_i64() > first["taxonomy_version"].as_i64(),
        "re-tagged with the new taxonomy: {stale}"
    );
    // …24 hours keeps a young stale prediction; force always runs the model.
    call(&router, "PUT", "/v1/workflow", &json!({ "retag": { "unchanged_after_hours": 24 } })).await;
    call(&router, "POST", "/v1/taxonomy/tags", &json!({ "id": "things:cars", "titles": { "en": "Cars" } })).await;
    let (_, young) = tag(
        &router,
        &cat,
        &json!({ "asset_id": "dam-1", "ignore_smart_tag_flag": true, "folder": "/archive/2019" }),
        false,
    )
    .await;
    assert_eq!(
        (young["reused"].as_bool(), young["inference_count"].as_i64(), young["taxonomy_version"].as_i64()),
        (Some(true), Some(1), stale["taxonomy_version"].as_i64()),
        "{young}"
    );
    let (_, forced) = tag(
        &router,
        &cat,
        &json!({ "asset_id": "dam-1", "force": true, "ignore_smart_tag_flag": true, "folder": "/archive/2019" }),
        false,
    )
    .await;
    assert_eq!((forced["reused"].as_bool(), forced["inference_count"].as_i64()), (Some(false), Some(2)));
    let (_, read) = get(&router, "/v1/assets?asset_id=dam-1").await;
    assert_eq!(read["inference_count"], 2, "{read}");

    // A re-tag from the stored output leaves the switched-off folder alone, unless told to ignore it.
    let (status, off) =
        call(&router, "POST", "/v1/assets/retag", &json!({ "asset_id": "dam-1", "dry_run": false })).await;
    assert_eq!((status, off["status"].as_str()), (StatusCode::OK, Some("smart_tags_off")), "{off}");
    assert_eq!(off["reason"], "smart tagging is switched off for /archive/2019 (set on /archive)");
    assert_eq!((off["added"].as_array().map(Vec::len), off["removed"].as_array().map(Vec::len)), (Some(0), Some(0)));
    assert_documented("RetagAnswer", &off);
    let (status, allowed) = call(
        &router,
        "POST",
        "/v1/assets/retag",
        &json!({ "asset_id": "dam-1", "dry_run": true, "ignore_smart_tag_flag": true }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{allowed}");
    assert!(matches!(allowed["status"].as_str(), Some("changed" | "unchanged")), "{allowed}");
    assert!(allowed.get("reason").is_none(), "{allowed}");

    // Switched back on (inherit): tagged without the flag; a bad folder is a 400.
    call(&router, "PUT", "/v1/folders", &json!({ "path": "/archive", "smart_tags": "inherit" })).await;
    assert_eq!(
        tag(&router, &cat, &json!({ "asset_id": "dam-1", "folder": "/archive/2019" }), false).await.0,
        StatusCode::OK
    );
    let (status, body) = tag(&router, &cat, &json!({ "asset_id": "dam-1", "folder": "/archive/../etc" }), false).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_input")), "{body}");
}

#[tokio::test]
async fn retag_dry_run_then_apply_without_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let router = service(&dir);
    import(&router, json!([{ "id": "things:", "titles": { "en": "Things" } }, { "id": "things:favourites", "titles": { "en": "Favourites" } }])).await;
    let cat = prepare("skimage/chelsea.png");
    let (status, first) = tag(&router, &cat, &json!({ "asset_id": "dam-cat" }), false).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(smart_ids(&first["tags"]).contains(&"wordnet:n02121808".to_owned()), "domestic cat: {first}");

    // A person adds a manual tag and removes a smart one.
    let moderate = |tag_id: &str, action: &str| json!({ "asset_id": "dam-cat", "tag_id": tag_id, "action": action });
    assert_eq!(
        call(&router, "POST", "/v1/assets/moderation", &moderate("things:favourites", "add_manual")).await.0,
        StatusCode::OK
    );
    let (status, moderated) =
        call(&router, "POST", "/v1/assets/moderation", &moderate("wordnet:n02121808", "remove")).await;
    assert_eq!(status, StatusCode::OK, "{moderated}");
    let before = smart_ids(&moderated["tags"]);

    // Nothing changed yet: a re-tag finds no difference.
    let (status, same) =
        call(&router, "POST", "/v1/assets/retag", &json!({ "asset_id": "dam-cat", "dry_run": true })).await;
    assert_eq!(status, StatusCode::OK, "{same}");
    assert_eq!(
        (same["status"].as_str(), same["added"].as_array().map(Vec::len), same["removed"].as_array().map(Vec::len)),
        (Some("unchanged"), Some(0), Some(0)),
        "{same}"
    );

    // The taxonomy gains a tag for the photo's concept.
    let cats = json!({ "id": "things:cats", "titles": { "en": "Cats" }, "synonyms": { "en": ["cat"] } });
    assert_eq!(call(&router, "POST", "/v1/taxonomy/tags", &cats).await.0, StatusCode::CREATED);

    let (status, dry) =
        call(&router, "POST", "/v1/assets/retag", &json!({ "asset_id": "dam-cat", "dry_run": true })).await;
    assert_eq!(status, StatusCode::OK, "{dry}");
    assert_eq!((dry["status"].as_str(), dry["dry_run"].as_bool()), (Some("changed"), Some(true)), "{dry}");
    assert_documented("RetagAnswer", &dry);
    assert_documented("AssetInfo", &dry["asset"]);
    let added = ids(&dry["added"]);
    assert!(added.contains(&"things:cats".to_owned()), "the new tag would be added: {dry}");
    assert!(!added.contains(&"wordnet:n02121808".to_owned()), "a removed tag never comes back: {dry}");
    assert!(!ids(&dry["removed"]).contains(&"things:favourites".to_owned()), "a manual tag is never removed: {dry}");
    assert_eq!(ids(&dry["tags"]["manual"]), ["things:favourites"]);
    assert_eq!(dry["tags"]["removed"], json!(["wordnet:n02121808"]));
    // A dry run saves nothing.
    let (_, unchanged) = get(&router, "/v1/assets?asset_id=dam-cat").await;
    assert_eq!(smart_ids(&unchanged["tags"]), before, "{unchanged}");
    assert_eq!(
        (unchanged["inference_count"].as_i64(), unchanged["tagged_at"].as_str()),
        (Some(1), first["tagged_at"].as_str())
    );

    // Apply: saved, from the stored model output (the model did not run).
    let (status, applied) =
        call(&router, "POST", "/v1/assets/retag", &json!({ "content_hash": cat.content_hash, "dry_run": false })).await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(
        (applied["status"].as_str(), ids(&applied["added"])),
        (Some("changed"), added.clone()),
        "apply does what the dry run said"
    );
    let (_, after) = get(&router, "/v1/assets?asset_id=dam-cat").await;
    let after_ids = smart_ids(&after["tags"]);
    assert!(
        after_ids.contains(&"things:cats".to_owned()) && !after_ids.contains(&"wordnet:n02121808".to_owned()),
        "{after}"
    );
    assert_eq!(ids(&after["tags"]["manual"]), ["things:favourites"]);
    assert_eq!(after["inference_count"], 1, "no model run: {after}");
    assert!(after["taxonomy_version"].as_i64() > first["taxonomy_version"].as_i64());
    assert_eq!(after["tags"]["smart"], applied["tags"]["smart"]);
    // Colour tags come along unchanged.
    let colours = |tags: &Value| {
        tags["smart"].as_array().unwrap().iter().filter(|t| t["source"] == "color").cloned().collect::<Vec<_>>()
    };
    assert_eq!(colours(&after["tags"]), colours(&first["tags"]));
    // Once applied there is nothing left to change.
    let (_, again) =
        call(&router, "POST", "/v1/assets/retag", &json!({ "asset_id": "dam-cat", "dry_run": true })).await;
    assert_eq!(again["status"], "unchanged", "{again}");

    // An asset known only by its DAM id has no stored output: it needs its image.
    let (status, _) = tag(
        &router,
        &prepare("skimage/coffee.png"),
        &json!({ "content_hash": null, "asset_id": "dam-no-hash" }),
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, needs) =
        call(&router, "POST", "/v1/assets/retag", &json!({ "asset_id": "dam-no-hash", "dry_run": false })).await;
    assert_eq!((status, needs["status"].as_str()), (StatusCode::OK, Some("needs_image")), "{needs}");
    // Mistakes are clear 4xx answers.
    let (status, body) =
        call(&router, "POST", "/v1/assets/retag", &json!({ "asset_id": "dam-none", "dry_run": true })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_asset")));
    let (status, body) = call(&router, "POST", "/v1/assets/retag", &json!({ "asset_id": "dam-cat" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "dry_run is required: {body}");
}

/// The real proxy on a loopback port in front of `service`; answers its base URL.
async fn start_proxy(service: std::net::SocketAddr) -> String {
    let proxy_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = smart_tags_proxy::config::Config {
        listen: proxy_listener.local_addr().unwrap(),
        service_url: format!("http://{service}"),
        www_dir: Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www")),
        service_timeout: std::time::Duration::from_secs(30),
        connections: Default::default(),
        admin_token: None,
        browser: Default::default(),
    };
    config.validate().unwrap();
    let proxy = format!("http://{}", config.listen);
    tokio::spawn(async move { smart_tags_proxy::run(proxy_listener, &config, std::future::pending()).await });
    proxy
}

/// The real service on a loopback port, stopped when `stop` fires.
async fn start_service(
    dir: &tempfile::TempDir,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::net::SocketAddr {
    let store = Arc::new(open_store(dir.path()).unwrap());
    let state = Arc::new(AppState::with_tagger(shared_engine(), store, shared_tagger()));
    let service_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let service = service_listener.local_addr().unwrap();
    tokio::spawn(smart_tags_service::run(service_listener, state, stop));
    service
}

#[tokio::test]
async fn the_proxy_passes_smart_tags_off_on_to_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let service = start_service(&dir, std::future::pending()).await;
    let proxy = start_proxy(service).await;
    let client = reqwest::Client::new();
    let folder = json!({ "path": "/archive", "smart_tags": "disabled" });
    let set = client.put(format!("http://{service}/v1/folders")).json(&folder).send().await.unwrap();
    assert_eq!(set.status().as_u16(), 200);
    let cat = prepare("skimage/chelsea.png");
    let post = |extra: Value| {
        let (content_type, body) = tag_body(&cat, &extra, false);
        client.post(format!("{proxy}/api/v1/assets/tag")).header("content-type", content_type).body(body).send()
    };
    let refused = post(json!({ "folder": "/archive/2019" })).await.unwrap();
    assert_eq!(refused.status().as_u16(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "smart_tags_off", "{body}");
    assert_eq!(body["message"], "smart tagging is switched off for /archive/2019 (set on /archive)");
    assert!(!body.to_string().contains(&service.port().to_string()), "never the service's address: {body}");
    let tagged = post(json!({ "folder": "/archive/2019", "ignore_smart_tag_flag": true })).await.unwrap();
    assert_eq!(tagged.status().as_u16(), 200);
    let body: Value = tagged.json().await.unwrap();
    assert_eq!(
        (body["asset"]["folder"].as_str(), body["inference_count"].as_i64()),
        (Some("/archive/2019"), Some(1)),
        "{body}"
    );
}

/// The same bytes sent several times at once (a proxy killed mid-request whose replacement sends
/// the file again, two uploads of one photo) run the model once: the others wait for that
/// prediction and reuse it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_for_the_same_bytes_run_the_model_once() {
    let dir = tempfile::tempdir().unwrap();
    let router = service(&dir);
    let coffee = Arc::new(prepare("skimage/coffee.png"));
    let requests: Vec<_> = (0..4)
        .map(|_| {
            let (router, coffee) = (router.clone(), coffee.clone());
            tokio::spawn(async move { tag(&router, &coffee, &json!({ "asset_id": "dam-coffee" }), false).await })
        })
        .collect();
    let mut reused = Vec::new();
    for request in requests {
        let (status, answer) = request.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{answer}");
        reused.push(answer["reused"].as_bool().unwrap());
    }
    assert_eq!(reused.iter().filter(|r| !**r).count(), 1, "exactly one request ran the model: {reused:?}");
    let (_, asset) = get(&router, "/v1/assets?asset_id=dam-coffee").await;
    assert_eq!(asset["inference_count"], json!(1), "{asset}");
}

/// While the service is down the browser still gets the workflow it last had (Ignore Errors and
/// all), marked stale, so a page opened then completes its uploads under the real rules; before
/// the service ever answered there is nothing to fall back on.
#[tokio::test]
async fn the_proxy_answers_the_last_known_workflow_while_the_service_is_down() {
    let dir = tempfile::tempdir().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let service = start_service(&dir, async move {
        let _ = stopped.await;
    })
    .await;
    let proxy = start_proxy(service).await;
    let client = reqwest::Client::new();
    let workflow = |folder: &str| client.get(format!("{proxy}/api/v1/workflow?folder={folder}")).send();
    let rules = json!({ "steps": [{ "kind": "thumbnails" }, { "kind": "smart_tags", "ignore_errors": true }, { "kind": "color_tags" }] });
    assert_eq!(
        client.put(format!("http://{service}/v1/workflow")).json(&rules).send().await.unwrap().status().as_u16(),
        200
    );
    let off = json!({ "path": "/archive", "smart_tags": "disabled" });
    assert_eq!(
        client.put(format!("http://{service}/v1/folders")).json(&off).send().await.unwrap().status().as_u16(),
        200
    );

    let fresh: Value = workflow("/archive/2019").await.unwrap().json().await.unwrap();
    assert_eq!((fresh["stale"].as_bool(), fresh["folder"]["enabled"].as_bool()), (Some(false), Some(false)), "{fresh}");
    assert_eq!(fresh["workflow"]["steps"][1]["ignore_errors"], true, "{fresh}");

    stop.send(()).unwrap();
    let mut down = None;
    for _ in 0..50 {
        let answer = workflow("/archive/2019").await.unwrap();
        let body: Value = answer.json().await.unwrap();
        if body["stale"] == true {
            down = Some(body);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let down = down.expect("the proxy answers the last known workflow once the service is down");
    assert_eq!(
        (&down["version"], &down["workflow"], &down["folder"]),
        (&fresh["version"], &fresh["workflow"], &fresh["folder"]),
        "{down}"
    );
    // A folder never resolved: taken as enabled (the smart tags step then fails and Ignore Errors decides).
    let unknown: Value = workflow("/new").await.unwrap().json().await.unwrap();
    let everything_on =
        json!({ "path": "/new", "enabled": true, "set_on": null, "people": { "enabled": true, "set_on": null } });
    assert_eq!((unknown["stale"].as_bool(), &unknown["folder"]), (Some(true), &everything_on), "{unknown}");
    assert_eq!(unknown["workflow"]["steps"][1]["ignore_errors"], true);

    // A proxy that never reached the service has nothing to fall back on: the error as before.
    let fresh_proxy = start_proxy(service).await;
    let never = client.get(format!("{fresh_proxy}/api/v1/workflow")).send().await.unwrap();
    let (status, body): (u16, Value) = (never.status().as_u16(), never.json().await.unwrap());
    assert_eq!((status, body["code"].as_str()), (502, Some("service_unavailable")), "{body}");
}
