//! `GET /v1/auth/check`: who the request's access token speaks for (the token check itself is
//! the middleware's, see [`crate::auth::middleware`]).

use axum::{Extension, Json};
use serde_json::{json, Value};

use crate::auth::TokenIdentity;

pub async fn check(Extension(identity): Extension<TokenIdentity>) -> Json<Value> {
    Json(json!({
        "client_id": identity.client_id,
        "org_id": identity.org_id,
        "technical_account_id": identity.technical_account_id,
        "scopes": identity.scopes,
        "expires_at": identity.expires_at,
    }))
}
