//! The taxonomy's relinking under bursts of writes (real WordNet and MiniLM, a SQLite file): one
//! run at a time, the writes that arrive during a run covered together by the next one, and every
//! write's answer after the links that include it; a large import answered 202 at once, its links
//! following in the background; a later write linking anew only the tags it touched.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use serde_json::json;
use smart_tags_core::taxonomy::{Tag, TagId};
use smart_tags_service::linker::Relinker;
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::call;
use smart_tags_tests::{shared_engine, shared_tagger};
use tower::ServiceExt;

/// Holds the database's write lock from a second connection: a run that gets to storing its links
/// waits (up to the store's busy timeout) until this is dropped, so it is still going on while a
/// burst of requests arrives however fast the linking itself is.
struct WriteLock(rusqlite::Connection);

impl WriteLock {
    fn take(dir: &std::path::Path) -> WriteLock {
        let conn = rusqlite::Connection::open(dir.join(smart_tags_service::DATABASE_FILE)).unwrap();
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        WriteLock(conn)
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        let _ = self.0.execute_batch("ROLLBACK");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_requests_is_covered_by_at_most_two_runs() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(dir.path()).unwrap());
    let relinker = Relinker::new(Arc::clone(&store), shared_tagger());
    // Six requests at once: the first starts a run, which may have begun before the others asked;
    // one more run covers them all.
    let lock = WriteLock::take(dir.path());
    let tickets: Vec<u64> = (0..6).map(|_| relinker.request()).collect();
    drop(lock);
    for ticket in &tickets {
        relinker.wait_for(*ticket, Duration::from_secs(120)).await.expect("linked in time").expect("a summary");
    }
    let burst = relinker.runs();
    assert!((1..=2).contains(&burst), "{burst} runs for 6 requests");
    // A write, then five more while its run goes on (held at its store until all have asked):
    // two more runs (one if the first began late), not six.
    store.create_tag(Tag::new(TagId::parse("demo:").unwrap(), "Demo"), "it-test").unwrap();
    store.create_tag(Tag::new(TagId::parse("demo:cats").unwrap(), "Cats"), "it-test").unwrap();
    let lock = WriteLock::take(dir.path());
    let first = relinker.request();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let later: Vec<u64> = (0..5).map(|_| relinker.request()).collect();
    tokio::time::sleep(Duration::from_millis(20)).await;
    drop(lock);
    let summary = relinker
        .wait_for(*later.last().unwrap(), Duration::from_secs(120))
        .await
        .expect("linked in time")
        .expect("a summary");
    assert_eq!(
        (summary.tags, summary.lemma_links),
        (1, 1),
        "the last run saw the new tag (roots are not linked): {summary:?}"
    );
    relinker.wait_for(first, Duration::from_secs(1)).await.expect("covered");
    assert!((1..=2).contains(&(relinker.runs() - burst)), "{} runs for 6 writes", relinker.runs() - burst);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_taxonomy_writes_each_answer_with_links_that_include_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(dir.path()).unwrap());
    let router = app(Arc::new(AppState::with_tagger(shared_engine(), store, shared_tagger())));
    let (status, root) =
        call(&router, "POST", "/v1/taxonomy/tags", &json!({ "id": "demo:", "titles": { "en": "Demo" } })).await;
    assert_eq!(status, StatusCode::CREATED, "{root}");
    let titles = ["Cats", "Dogs", "Horses", "Boats", "Bicycles", "Trucks"];
    let writes: Vec<_> = titles
        .iter()
        .map(|title| {
            let router = router.clone();
            let body = json!({ "id": format!("demo:{}", title.to_lowercase()), "titles": { "en": title } });
            tokio::spawn(async move { call(&router, "POST", "/v1/taxonomy/tags", &body).await })
        })
        .collect();
    for write in writes {
        let (status, body) = write.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, links) = call(&router, "GET", "/v1/links", &json!({})).await;
    for title in titles {
        let id = format!("demo:{}", title.to_lowercase());
        assert!(
            links["links"].as_array().unwrap().iter().any(|l| l["tag_id"] == id.as_str()),
            "{id} is linked: {links}"
        );
    }
}

/// A request's status, its links header and its JSON body.
async fn write(
    router: &axum::Router,
    method: &str,
    uri: &str,
    body: Vec<u8>,
) -> (StatusCode, String, serde_json::Value) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .header("x-smart-tags-actor", "it-test")
        .body(Body::from(body))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let links = response
        .headers()
        .get(smart_tags_service::linker::LINKS_HEADER)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, links, serde_json::from_slice(&bytes).unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_import_answers_at_once_and_later_writes_relink_only_what_they_touch() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(open_store(dir.path()).unwrap());
    let router = app(Arc::new(AppState::with_tagger(shared_engine(), store, shared_tagger())));
    // 1,041 tags: 40 groups of 25 kinds (WordNet lemmas, linked without embeddings).
    let kinds = [
        "Cats", "Dogs", "Horses", "Boats", "Bicycles", "Trucks", "Trains", "Bridges", "Castles", "Churches", "Flowers",
        "Trees", "Birds", "Fish", "Cows", "Sheep", "Goats", "Pigs", "Tents", "Bottles", "Cups", "Chairs", "Tables",
        "Lamps", "Clocks",
    ];
    let mut tags = vec![json!({ "id": "big:", "titles": { "en": "Catalogue" } })];
    for group in 0..40 {
        tags.push(json!({ "id": format!("big:g{group}"), "titles": { "en": format!("Shelf {group}") } }));
        for kind in kinds {
            let id = format!("big:g{group}/{}", kind.to_lowercase());
            tags.push(json!({ "id": id, "titles": { "en": kind } }));
        }
    }
    assert!(tags.len() > smart_tags_service::linker::BACKGROUND_RELINK_TAGS);
    let body = json!({ "format": "smart-tags-taxonomy", "version": 1, "tags": tags }).to_string().into_bytes();
    let (status, links, summary) = write(&router, "PUT", "/v1/taxonomy?format=json", body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{summary}");
    assert_eq!(summary["added"], 1_041);
    let pending: serde_json::Value = serde_json::from_str(&links).unwrap();
    assert_eq!(pending["pending"], true, "{links}");
    let ticket = pending["ticket"].as_u64().unwrap();

    // The status route says when the run covering the import has ended.
    let started = std::time::Instant::now();
    let last = loop {
        let (status, relinking) = smart_tags_tests::service_api::get(&router, "/v1/taxonomy/relinking").await;
        assert_eq!(status, StatusCode::OK, "{relinking}");
        if relinking["covered"].as_u64().unwrap() >= ticket {
            break relinking["last"].clone();
        }
        assert!(started.elapsed() < Duration::from_secs(300), "relinking did not end: {relinking}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!((&last["tags"], &last["linked"]), (&json!(1_040), &json!(1_040)), "every tag but the root: {last}");

    // One more tag: answered with its links (not pending), and only the tags it touched — the
    // new one, its parent and its 25 siblings — were linked anew, not 1,041.
    let (status, links, created) = write(
        &router,
        "POST",
        "/v1/taxonomy/tags",
        json!({ "id": "big:g7/kites", "titles": { "en": "Kites" } }).to_string().into_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let summary: serde_json::Value = serde_json::from_str(&links).unwrap_or_default();
    assert_eq!(summary["tags"], 1_041, "linked before the answer: {links}");
    let linked = summary["linked"].as_u64().unwrap();
    assert!((1..=30).contains(&linked), "{linked} tags linked anew for one new tag: {links}");
    let (_, kite_links) = smart_tags_tests::service_api::get(&router, "/v1/links?tag=big:g7/kites").await;
    assert!(kite_links["links"].as_array().is_some_and(|l| !l.is_empty()), "{kite_links}");
}
