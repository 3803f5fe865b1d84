//! The taxonomy's relinking under bursts of writes (real WordNet and MiniLM, a SQLite file): one
//! run at a time, the writes that arrive during a run covered together by the next one, and every
//! write's answer after the links that include it.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;
use smart_tags_core::taxonomy::{Tag, TagId};
use smart_tags_service::linker::Relinker;
use smart_tags_service::{app, open_store, AppState};
use smart_tags_tests::service_api::call;
use smart_tags_tests::{shared_engine, shared_tagger};

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
