//! `POST /v1/links` with `{tag, concept, action}`: `add` (a manual link, weight 1.0), `confirm`
//! (an automatic link becomes permanent, weight 1.0) or `reject` (the link stops counting and the
//! linker never makes it again). The concept must be one of the hierarchy's (see
//! `GET /v1/concepts`). Answers the tag's links.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::list::LinkList;
use crate::error::ServiceError;
use crate::routes::support::{tag_id, Actor, JsonBody, QueryParams};
use crate::AppState;

#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkAction {
    Add,
    Confirm,
    Reject,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkChange {
    pub tag: String,
    pub concept: String,
    pub action: LinkAction,
}

pub async fn change(
    State(state): State<Arc<AppState>>,
    actor: Actor,
    JsonBody(change): JsonBody<LinkChange>,
) -> Result<Json<LinkList>, ServiceError> {
    let tag = tag_id(&change.tag)?;
    if let Some(tagger) = &state.tagger {
        if tagger.graph().find(&change.concept).is_none() {
            return Err(ServiceError::BadInput(format!(
                "{} is not a concept of the hierarchy (see GET /v1/concepts?q=...)",
                change.concept
            )));
        }
    }
    let store = Arc::clone(&state.store);
    let for_tag = tag.clone();
    tokio::task::spawn_blocking(move || match change.action {
        LinkAction::Add => store.add_manual_link(&for_tag, &change.concept, &actor.0),
        LinkAction::Confirm => store.confirm_link(&for_tag, &change.concept, &actor.0),
        LinkAction::Reject => store.reject_link(&for_tag, &change.concept, &actor.0),
    })
    .await
    .map_err(|_| ServiceError::Internal)??;
    super::list::list(State(state), QueryParams(super::list::ListQuery { tag: Some(tag.to_string()) })).await
}
