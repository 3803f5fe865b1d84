//! `POST /v1/training/models/{name}/train`: lints, then starts a training job in the background
//! and answers it at once (202). Body (optional) `{"activate": true}`: whether the new version
//! becomes the active one when training succeeds (default true) — unless a tag rests on fewer
//! than ten distinct pictures: the job then ends `trained` with `held_back` saying why, and the
//! version waits to be activated by hand (`core::training::activation`). 409 `job_running` while another
//! job of the model runs; 422 `lint_failed` with the findings when the linter finds errors.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use smart_tags_core::training::lint::{blocks_training, lint, Severity};

use super::blocking;
use crate::error::ServiceError;
use crate::routes::support::PathParams;
use crate::training::examples::gather;
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainBody {
    #[serde(default = "yes")]
    pub activate: bool,
}

fn yes() -> bool {
    true
}

pub async fn train(
    State(state): State<Arc<AppState>>,
    PathParams(name): PathParams<String>,
    body: Bytes,
) -> Result<Response, ServiceError> {
    let body: TrainBody = if body.is_empty() {
        TrainBody { activate: true }
    } else {
        serde_json::from_slice(&body).map_err(|e| ServiceError::BadInput(format!("the body is not valid: {e}")))?
    };
    let applier = Arc::clone(&state);
    blocking(&state, move |state| {
        let mapping = state.mapping.get(&state.store)?;
        let input = gather(&state.store, &mapping.taxonomy, mapping.version, state.engine.version(), &name)?;
        let known = |tag: &_| input.known_tags.contains(tag);
        let findings = lint(&input.spec, &input.other_specs, &known, &input.examples, &input.options);
        if blocks_training(&findings) {
            let errors: Vec<_> = findings.into_iter().filter(|f| f.severity == Severity::Error).collect();
            let message = format!("the linter found {} error(s); fix them before training", errors.len());
            let body = serde_json::json!({ "code": "lint_failed", "message": message, "findings": errors });
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response());
        }
        let job = state.store.create_job(&name, body.activate)?;
        // A version the job activates applies to stored assets once it is saved.
        let activates = job.activate;
        state.trainer.spawn(Arc::clone(&state.store), &job, input, move || {
            if activates {
                crate::training::apply::wake(&applier);
            }
        })?;
        Ok((StatusCode::ACCEPTED, Json(job)).into_response())
    })
    .await
}
