//! Keeps the automatic concept links in step with the taxonomy: after every change to the
//! taxonomy (import, create, rename, move, delete) the linker finds the links again and replaces
//! the `auto` ones; links the admin confirmed, added or rejected are never touched.
//!
//! It runs as a middleware after each successful write to `/v1/taxonomy…`, so when the write's
//! answer arrives the new tags are already linked, and once at start-up.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use crate::store::{NewLink, Store, StoreError};
use crate::tagger::{Tagger, TaggerError};

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
        .map(|l| smart_tags_core::mapping::ConceptLink { tag: l.tag_id, concept: l.concept, score: l.score, method: l.method, state: l.state })
        .collect();
    let found = tagger.find_links(&taxonomy, &fixed)?;
    let mut summary = LinkSummary { tags: found.len(), ..LinkSummary::default() };
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
        all.push((tag, links.into_iter().map(|l| NewLink { concept: l.concept, score: l.score, method: l.method }).collect()));
    }
    store.replace_all_auto_links(&all)?;
    Ok(summary)
}

/// The state the relinking middleware needs.
#[derive(Clone)]
pub struct LinkerState {
    pub store: Arc<Store>,
    pub tagger: Arc<Tagger>,
}

/// Header of a taxonomy write's answer: how many links the linker found, as JSON.
pub const LINKS_HEADER: &str = "x-smart-tags-links";

/// Middleware: after a successful write to the taxonomy, relinks before answering.
pub async fn relink_after_change(State(state): State<LinkerState>, request: Request, next: Next) -> Response {
    let writes = request.method() != Method::GET && request.method() != Method::HEAD && request.uri().path().starts_with("/v1/taxonomy");
    let mut response = next.run(request).await;
    if !writes || !response.status().is_success() {
        return response;
    }
    let LinkerState { store, tagger } = state;
    match tokio::task::spawn_blocking(move || relink(&store, &tagger)).await {
        Ok(Ok(summary)) => {
            if let Ok(Ok(value)) = serde_json::to_string(&summary).map(HeaderValue::try_from) {
                response.headers_mut().insert(LINKS_HEADER, value);
            }
        }
        Ok(Err(e)) => tracing::error!(error = %e, "relinking the taxonomy failed; the previous links stay"),
        Err(e) => tracing::error!(error = %e, "the relinking task failed"),
    }
    response
}
