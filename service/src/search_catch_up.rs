//! Keeps the search index in step with the thresholds: every prediction, moderation and
//! detections write indexes its asset at once, but a thresholds change (or this build's first
//! start on an older store) leaves stored assets behind. One thread checks every
//! [`POLL`] — an indexed `EXISTS`, microseconds — and catches them up a page per transaction,
//! so taggings interleave with it.

use std::sync::Arc;
use std::time::Duration;

use crate::store::Store;

/// How often the thread looks for assets behind.
pub const POLL: Duration = Duration::from_secs(1);
/// Assets (and files) brought up to date per transaction (about 150 ms of work on 2 cores).
const PAGE: usize = 500;
/// The pause between pages.
const BREATHER: Duration = Duration::from_millis(20);

/// Starts the thread; it runs as long as the process.
pub fn spawn(store: Arc<Store>) {
    let spawned = std::thread::Builder::new().name("search-catch-up".to_owned()).spawn(move || loop {
        match catch_up(&store) {
            Ok(0) => {}
            Ok(done) => tracing::info!(done, "search index caught up with the thresholds"),
            Err(error) => tracing::warn!(%error, "cannot bring the search index up to date"),
        }
        std::thread::sleep(POLL);
    });
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start keeping the search index up to date");
    }
}

/// Brings every asset and file behind up to date; answers how many there were.
pub fn catch_up(store: &Store) -> Result<usize, crate::store::StoreError> {
    let mut done = 0;
    while store.search_behind()? {
        match store.catch_up_search(PAGE)? {
            0 => break,
            n => done += n,
        }
        // Taggings and queries get the store between pages.
        std::thread::sleep(BREATHER);
    }
    Ok(done)
}
