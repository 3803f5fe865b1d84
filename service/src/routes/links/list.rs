//! `GET /v1/links?tag=…`: the concept links of one tag, or of every tag, with the concepts'
//! titles and WordNet paths.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::LinkView;
use crate::error::ServiceError;
use crate::routes::support::{tag_id, QueryParams};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub tag: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LinkList {
    pub links: Vec<LinkView>,
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    QueryParams(query): QueryParams<ListQuery>,
) -> Result<Json<LinkList>, ServiceError> {
    let tag = query.tag.as_deref().map(tag_id).transpose()?;
    let links = tokio::task::spawn_blocking(move || -> Result<LinkList, ServiceError> {
        if let Some(tag) = &tag {
            state.store.tag(tag)?;
        }
        let links = state.store.links(tag.as_ref())?;
        let graph = state.tagger.as_ref().map(|t| t.graph());
        let views = links
            .into_iter()
            .map(|l| {
                let idx = graph.and_then(|g| g.find(&l.concept));
                let (concept_title, concept_path) = match (graph, idx) {
                    (Some(g), Some(i)) => {
                        (g.title(i).to_owned(), g.primary_path(i).into_iter().map(|p| g.title(p).to_owned()).collect())
                    }
                    _ => (l.concept.clone(), Vec::new()),
                };
                LinkView {
                    tag_id: l.tag_id.to_string(),
                    concept: l.concept,
                    concept_title,
                    concept_path,
                    score: l.score,
                    method: l.method,
                    state: l.state,
                }
            })
            .collect();
        Ok(LinkList { links: views })
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    Ok(Json(links))
}
