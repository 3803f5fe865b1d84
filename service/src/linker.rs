//! Keeps the automatic concept links in step with the taxonomy: after every change to the
//! taxonomy (import, create, rename, move, delete) the linker finds the links again and replaces
//! the `auto` ones; links the admin confirmed, added or rejected are never touched.
//!
//! It runs as a middleware after each successful write to `/v1/taxonomy…`, so when the write's
//! answer arrives the new tags are already linked (unless that takes longer than
//! [`RELINK_WAIT`], or the write is a large import ([`RelinkInBackground`], 202): the answer
//! then says the links are pending, with the ticket `GET /v1/taxonomy/relinking` reports on),
//! and once at start-up. One run at a time, bursts of writes coalesced ([`Relinker`]); each run
//! links anew only the tags whose inputs changed (`Tagger::find_links` keeps the memo), so a
//! write to a 20,000-tag taxonomy is relinked in under a second.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use crate::store::{NewLink, Store, StoreError};
use crate::tagger::{Tagger, TaggerError};
use tokio::sync::watch;

#[derive(Debug, thiserror::Error)]
pub enum LinkerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tagger(#[from] TaggerError),
}

/// Number of links the linker found, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LinkSummary {
    pub tags: usize,
    /// Tags linked anew by this run; the others' inputs had not changed since the last one.
    pub linked: usize,
    pub lemma_links: usize,
    pub similarity_links: usize,
    pub unlinked_tags: usize,
}

/// Finds the automatic links of the whole taxonomy and stores them.
pub fn relink(store: &Store, tagger: &Tagger) -> Result<LinkSummary, LinkerError> {
    let taxonomy = store.taxonomy()?;
    let fixed: Vec<smart_tags_core::mapping::ConceptLink> = store
        .links(None)?
        .into_iter()
        .filter(|l| l.state != smart_tags_core::mapping::LinkState::Auto)
        .map(|l| smart_tags_core::mapping::ConceptLink {
            tag: l.tag_id,
            concept: l.concept,
            score: l.score,
            method: l.method,
            state: l.state,
        })
        .collect();
    let (found, linked) = tagger.find_links(&taxonomy, &fixed)?;
    let mut summary = LinkSummary { tags: found.len(), linked, ..LinkSummary::default() };
    let mut all: Vec<(smart_tags_core::taxonomy::TagId, Vec<NewLink>)> = Vec::with_capacity(found.len());
    for (tag, links) in found {
        if links.is_empty() {
            summary.unlinked_tags += 1;
        }
        for link in &links {
            if link.method == smart_tags_core::mapping::LinkMethod::Similarity {
                summary.similarity_links += 1;
            } else {
                summary.lemma_links += 1;
            }
        }
        all.push((
            tag,
            links.into_iter().map(|l| NewLink { concept: l.concept, score: l.score, method: l.method }).collect(),
        ));
    }
    store.replace_all_auto_links(&all)?;
    Ok(summary)
}

/// How long a taxonomy write's answer waits for the relinking it started; a longer one (a large
/// import) goes on after the answer, which then says so (`{"pending": true}` in [`LINKS_HEADER`]).
pub const RELINK_WAIT: Duration = Duration::from_secs(20);

/// One relinking at a time, however many writes ask for it: a write asks for the links of the
/// taxonomy as it is after the write; while a run goes on, the writes that arrive meanwhile are
/// covered together by one more run (never a run per write, never two at once). So a burst of
/// writes costs at most two runs, and the CPU is back to idle when the last one ends.
pub struct Relinker {
    store: Arc<Store>,
    tagger: Arc<Tagger>,
    /// Requests so far, and whether a run is going on.
    asked: std::sync::Mutex<(u64, bool)>,
    /// The request the last finished run covered, with its summary (`None`: it failed).
    done: watch::Sender<(u64, Option<LinkSummary>)>,
    runs: AtomicU64,
}

impl Relinker {
    pub fn new(store: Arc<Store>, tagger: Arc<Tagger>) -> Arc<Relinker> {
        Arc::new(Relinker {
            store,
            tagger,
            asked: std::sync::Mutex::new((0, false)),
            done: watch::Sender::new((0, None)),
            runs: AtomicU64::new(0),
        })
    }

    /// How many runs have started (tests, logs).
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Asks for the links of the taxonomy as it is now; answers the request's number. Starts the
    /// runner when none is going on.
    pub fn request(self: &Arc<Self>) -> u64 {
        let mut asked = self.asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        asked.0 += 1;
        let ticket = asked.0;
        if !asked.1 {
            asked.1 = true;
            tokio::spawn(Arc::clone(self).run());
        }
        ticket
    }

    /// The summary once a run covering `ticket` has ended (`Ok(None)`: it failed), or `Err(())`
    /// when that takes longer than `wait`.
    pub async fn wait_for(&self, ticket: u64, wait: Duration) -> Result<Option<LinkSummary>, ()> {
        let mut done = self.done.subscribe();
        let covered = tokio::time::timeout(wait, done.wait_for(|(covers, _)| *covers >= ticket)).await;
        match covered {
            Ok(Ok(state)) => Ok(state.1),
            _ => Err(()),
        }
    }

    async fn run(self: Arc<Self>) {
        loop {
            let target = {
                let mut asked = self.asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if self.done.borrow().0 >= asked.0 {
                    asked.1 = false;
                    return;
                }
                asked.0
            };
            self.runs.fetch_add(1, Ordering::Relaxed);
            let (store, tagger) = (Arc::clone(&self.store), Arc::clone(&self.tagger));
            let summary = match tokio::task::spawn_blocking(move || relink(&store, &tagger)).await {
                Ok(Ok(summary)) => Some(summary),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "relinking the taxonomy failed; the previous links stay");
                    None
                }
                Err(e) => {
                    tracing::error!(error = %e, "the relinking task failed");
                    None
                }
            };
            self.done.send_replace((target, summary));
        }
    }
}

/// Header of a taxonomy write's answer: how many links the linker found, as JSON.
pub const LINKS_HEADER: &str = "x-smart-tags-links";

/// A write that changed more tags than this (a large import) answers 202 at once instead of
/// waiting for its relinking, which goes on in the background ([`RelinkInBackground`]).
pub const BACKGROUND_RELINK_TAGS: usize = 1_000;

/// Put in a write's answer by its handler: do not wait for the relinking (its answer is 202 and
/// says which relinking ticket covers it; `GET /v1/taxonomy/relinking` says when it is done).
#[derive(Debug, Clone, Copy)]
pub struct RelinkInBackground;

/// `GET /v1/taxonomy/relinking`: where the relinking stands.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RelinkStatus {
    /// The last ticket a write was given.
    pub requested: u64,
    /// The last ticket a finished run covers: a write's links are in place once this reaches
    /// its ticket.
    pub covered: u64,
    /// Whether a run is going on.
    pub running: bool,
    /// What the last finished run found (`None`: none yet, or it failed).
    pub last: Option<LinkSummary>,
}

impl Relinker {
    /// Where the relinking stands.
    pub fn status(&self) -> RelinkStatus {
        let (requested, running) = *self.asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (covered, last) = *self.done.borrow();
        RelinkStatus { requested, covered, running, last }
    }
}

pub async fn relinking(State(relinker): State<Arc<Relinker>>) -> axum::Json<RelinkStatus> {
    axum::Json(relinker.status())
}

/// Middleware: after a successful write to the taxonomy, asks for a relinking and waits for it
/// (at most [`RELINK_WAIT`]) before answering.
pub async fn relink_after_change(State(relinker): State<Arc<Relinker>>, request: Request, next: Next) -> Response {
    let writes = request.method() != Method::GET
        && request.method() != Method::HEAD
        && request.uri().path().starts_with("/v1/taxonomy");
    let mut response = next.run(request).await;
    if !writes || !response.status().is_success() {
        return response;
    }
    let ticket = relinker.request();
    let pending = || Some(format!(r#"{{"pending":true,"ticket":{ticket}}}"#));
    let header = if response.extensions().get::<RelinkInBackground>().is_some() {
        pending()
    } else {
        match relinker.wait_for(ticket, RELINK_WAIT).await {
            Ok(Some(summary)) => serde_json::to_string(&summary).ok(),
            Ok(None) => None,
            Err(()) => pending(),
        }
    };
    if let Some(value) = header.and_then(|h| HeaderValue::try_from(h).ok()) {
        response.headers_mut().insert(LINKS_HEADER, value);
    }
    response
}
