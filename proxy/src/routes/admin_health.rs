//! `GET /api/v1/admin/health` (admin token): Check Health of the running proxy's credentials, the
//! same JSON as `smart-tags-proxy health --json`. It never contains a secret or key material.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;

use super::admin::authorize;
use crate::error::ErrorResponse;
use crate::health::{check, Report};
use crate::{request_id, AppState};

pub async fn admin_health(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Report>, ErrorResponse> {
    authorize(&state, &headers).map_err(|e| e.with_request_id(request_id()))?;
    Ok(Json(check(&state.health).await))
}
