//! `GET /api/v1/backend/jobs?status=&kind=&limit=50&after=`: the jobs, newest first, one keyset
//! page at a time: `{"jobs": [job...], "next": "<cursor>" | null}` (each job as
//! `GET /api/v1/backend/jobs/{id}` answers it, without its deliveries). `status` is one status or
//! several separated by commas, `kind` is `tag` or `retag`, `limit` 1 to [`MAX_LIMIT`]
//! ([`DEFAULT_LIMIT`]), `after` the `next` of the previous page (opaque). An empty value is no
//! filter; an unknown parameter or a bad value is 400 `invalid_request`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use crate::backend::error::BackendError;
use crate::backend::extract::BackendQuery;
use crate::backend::jobs::store::{JobFilter, ListCursor, KINDS, STATUSES};
use crate::backend::Backend;

/// The default page.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page.
pub const MAX_LIMIT: usize = 200;
/// Longest job id a cursor may carry.
const MAX_CURSOR_ID: usize = 128;

fn bad(message: impl Into<String>) -> BackendError {
    BackendError::BadRequest(message.into())
}

/// The cursor of the page after `last`: `<created_at>:<job id>`, base64url.
fn encode(last: &ListCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", last.created_at, last.id))
}

fn decode(cursor: &str) -> Result<ListCursor, BackendError> {
    let refused = || bad("after must be the next value of an earlier page of this listing");
    let text =
        URL_SAFE_NO_PAD.decode(cursor).ok().and_then(|bytes| String::from_utf8(bytes).ok()).ok_or_else(refused)?;
    let (created_at, id) = text.split_once(':').ok_or_else(refused)?;
    let created_at: i64 = created_at.parse().map_err(|_| refused())?;
    if id.is_empty() || id.len() > MAX_CURSOR_ID || id.chars().any(char::is_control) {
        return Err(refused());
    }
    Ok(ListCursor { created_at, id: id.to_owned() })
}

/// The filter, cursor and limit of a query, every value checked.
fn parse(query: &HashMap<String, String>) -> Result<(JobFilter, Option<ListCursor>, usize), BackendError> {
    if let Some(unknown) = query.keys().find(|k| !matches!(k.as_str(), "status" | "kind" | "limit" | "after")) {
        return Err(bad(format!(
            "unknown query parameter {unknown:?}: the listing takes status, kind, limit and after"
        )));
    }
    let value = |name: &str| query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut filter = JobFilter::default();
    for status in value("status").into_iter().flat_map(|v| v.split(',')).map(str::trim) {
        if !STATUSES.contains(&status) {
            return Err(bad(format!("status {status:?} is not one of {}", STATUSES.join(", "))));
        }
        if !filter.statuses.iter().any(|s| s == status) {
            filter.statuses.push(status.to_owned());
        }
    }
    if let Some(kind) = value("kind") {
        if !KINDS.contains(&kind) {
            return Err(bad(format!("kind {kind:?} is not one of {}", KINDS.join(", "))));
        }
        filter.kind = Some(kind.to_owned());
    }
    let limit = match value("limit") {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => return Err(bad(format!("limit must be a whole number from 1 to {MAX_LIMIT}"))),
        },
    };
    let after = value("after").map(decode).transpose()?;
    Ok((filter, after, limit))
}

pub async fn list(
    State(backend): State<Arc<Backend>>,
    BackendQuery(query): BackendQuery<HashMap<String, String>>,
) -> Result<Json<Value>, BackendError> {
    let (filter, after, limit) = parse(&query)?;
    let (jobs, next) = backend.jobs.call(move |store| store.list(&filter, after.as_ref(), limit)).await?;
    Ok(Json(json!({"jobs": jobs, "next": next.as_ref().map(encode)})))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn refusal(pairs: &[(&str, &str)]) -> String {
        match parse(&query(pairs)) {
            Err(BackendError::BadRequest(message)) => message,
            other => panic!("{pairs:?} should be refused: {other:?}"),
        }
    }

    #[test]
    fn values_are_checked_and_cursors_round_trip() {
        let (filter, after, limit) = parse(&query(&[("status", ""), ("kind", ""), ("after", "")])).unwrap();
        assert!((filter.statuses.is_empty(), filter.kind, after, limit) == (true, None, None, DEFAULT_LIMIT));
        let (filter, _, limit) =
            parse(&query(&[("status", "running, queued,running"), ("kind", "retag"), ("limit", "200")])).unwrap();
        assert_eq!(
            (filter.statuses, filter.kind.as_deref(), limit),
            (vec!["running".to_owned(), "queued".to_owned()], Some("retag"), 200)
        );
        for limit in ["0", "201", "-1", "ten", "1.5"] {
            assert!(refusal(&[("limit", limit)]).contains("from 1 to 200"), "{limit}");
        }
        assert!(refusal(&[("status", "done")]).contains("queued, running, cancelled, completed, failed"));
        assert!(refusal(&[("kind", "batch")]).contains("tag, retag"));
        assert!(refusal(&[("state", "running")]).contains("unknown query parameter \"state\""));
        for cursor in ["%%%", "bm90IGEgY3Vyc29y", &URL_SAFE_NO_PAD.encode("x:job_1"), &URL_SAFE_NO_PAD.encode("12:")] {
            assert!(refusal(&[("after", cursor)]).contains("earlier page"), "{cursor}");
        }
        let last = ListCursor { created_at: 1_764_000_000_123, id: "job_0123456789abcdef".to_owned() };
        let (_, after, _) = parse(&query(&[("after", &encode(&last))])).unwrap();
        assert_eq!(after, Some(last));
    }
}
