//! `GET /v1/concepts?q=…&limit=…`: concepts of the hierarchy named `q` (WordNet lemmas, plurals
//! allowed), or whose title contains it, with their paths and how many model classes lie beneath:
//! what an admin picks from when adding a link by hand.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::error::ServiceError;
use crate::routes::support::QueryParams;
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct ConceptQuery {
    pub q: String,
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ConceptView {
    pub concept: String,
    pub title: String,
    pub lemmas: Vec<String>,
    pub gloss: String,
    pub path: Vec<String>,
    pub classes: usize,
    pub taggable: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ConceptList {
    pub concepts: Vec<ConceptView>,
}

pub async fn concepts(
    State(state): State<Arc<AppState>>,
    QueryParams(query): QueryParams<ConceptQuery>,
) -> Result<Json<ConceptList>, ServiceError> {
    let tagger = state.tagger.as_ref().ok_or(ServiceError::NotReady)?;
    let graph = tagger.graph();
    let needle = query.q.trim().to_lowercase();
    if needle.is_empty() || needle.chars().count() > 100 {
        return Err(ServiceError::BadInput("q must be 1 to 100 characters".to_owned()));
    }
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let mut found = graph.lookup(&needle);
    for (i, concept) in graph.concepts().iter().enumerate() {
        if found.len() >= limit {
            break;
        }
        if concept.lemmas.iter().any(|l| l.to_lowercase().contains(&needle)) {
            if let Some(idx) = graph.find(&concept.wnid).filter(|idx| idx.index() == i && !found.contains(idx)) {
                found.push(idx);
            }
        }
    }
    let concepts = found
        .into_iter()
        .take(limit)
        .map(|idx| {
            let c = graph.concept(idx);
            ConceptView {
                concept: c.wnid.clone(),
                title: graph.title(idx).to_owned(),
                lemmas: c.lemmas.clone(),
                gloss: c.gloss.clone(),
                path: graph.primary_path(idx).into_iter().map(|p| graph.title(p).to_owned()).collect(),
                classes: c.classes.len(),
                taggable: c.taggable,
            }
        })
        .collect();
    Ok(Json(ConceptList { concepts }))
}
