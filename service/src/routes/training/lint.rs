//! `GET /v1/training/models/{name}/lint`: the checks before training, with the offending assets:
//! too few tags or examples, an image with two tags of the model, a tag in two models, near
//! duplicates across tags, class imbalance, tags missing from the taxonomy. Errors block
//! training; warnings do not.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use smart_tags_core::training::lint::{blocks_training, lint as run_lint, Finding};

use super::blocking;
use crate::error::ServiceError;
use crate::routes::support::PathParams;
use crate::training::examples::{counts, gather};
use crate::AppState;

#[derive(Debug, Serialize)]
pub struct LintAnswer {
    pub findings: Vec<Finding>,
    /// Examples per tag of the model.
    pub examples: BTreeMap<String, usize>,
    pub can_train: bool,
}

pub async fn lint(
    State(state): State<Arc<AppState>>,
    PathParams(name): PathParams<String>,
) -> Result<Json<LintAnswer>, ServiceError> {
    let answer = blocking(&state, move |state| {
        let mapping = state.mapping.get(&state.store)?;
        let input = gather(&state.store, &mapping.taxonomy, mapping.version, state.engine.version(), &name)?;
        let known = |tag: &_| input.known_tags.contains(tag);
        let findings = run_lint(&input.spec, &input.other_specs, &known, &input.examples, &input.options);
        Ok(LintAnswer { can_train: !blocks_training(&findings), examples: counts(&input), findings })
    })
    .await?;
    Ok(Json(answer))
}
