//! `GET /api/v1/backend/jobs/{id}/results?format=json|csv|xmp&after=&limit=`: the per-asset
//! results of the items that have ended, in upload order. `json`: `{"results": [...], "next"}`
//! (`next` is the `after` of the next page, null at the end); `csv`: the final tags of every
//! result (core's export); `xmp`: the sidecar of one asset, named by `asset_id`. Re-tag items carry
//! `added` and `removed`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::backend::error::BackendError;
use crate::backend::export::{asset, render, Format};
use crate::backend::extract::{BackendPath, BackendQuery};
use crate::backend::Backend;

/// The default and largest page.
pub const MAX_LIMIT: i64 = 1000;

#[derive(Debug, Deserialize)]
pub struct ResultsQuery {
    format: Option<String>,
    after: Option<i64>,
    limit: Option<i64>,
    asset_id: Option<String>,
}

fn name_of(result: &Value, seq: i64) -> String {
    result.get("asset_id").and_then(Value::as_str).map_or_else(|| format!("item-{seq}"), str::to_owned)
}

pub async fn results(
    State(backend): State<Arc<Backend>>,
    BackendPath(id): BackendPath<String>,
    BackendQuery(query): BackendQuery<ResultsQuery>,
) -> Result<Response, BackendError> {
    let format = Format::parse(query.format.as_deref())?;
    backend
        .jobs
        .call({
            let id = id.clone();
            move |store| store.known_job(&id)
        })
        .await?;
    if format == Format::Xmp {
        let asset_id = query.asset_id.ok_or_else(|| {
            BackendError::BadRequest("format=xmp answers one asset: name it with asset_id".to_owned())
        })?;
        let (_, result) = backend
            .jobs
            .call({
                let asset_id = asset_id.clone();
                move |store| store.item_by_asset(&id, &asset_id)
            })
            .await?
            .ok_or_else(|| BackendError::UnknownAsset(asset_id.clone()))?;
        let result = result.ok_or_else(|| BackendError::Conflict(format!("asset {asset_id} has no result yet")))?;
        let one = asset(
            &asset_id,
            result.get("content_hash").and_then(Value::as_str),
            result.get("tags"),
            result.get("text"),
        );
        return render(&[one], format);
    }
    let limit = query.limit.unwrap_or(MAX_LIMIT).clamp(1, MAX_LIMIT);
    let after = query.after.unwrap_or(-1);
    let page = backend.jobs.call(move |store| store.results(&id, after, limit)).await?;
    if format == Format::Csv {
        let assets: Vec<_> = page
            .iter()
            .map(|(seq, r)| {
                asset(&name_of(r, *seq), r.get("content_hash").and_then(Value::as_str), r.get("tags"), r.get("text"))
            })
            .collect();
        return render(&assets, format);
    }
    let next = if page.len() as i64 == limit { page.last().map(|(seq, _)| *seq) } else { None };
    let results: Vec<Value> = page.into_iter().map(|(_, r)| r).collect();
    Ok(Json(json!({"results": results, "next": next})).into_response())
}
