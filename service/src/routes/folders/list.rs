//! `GET /v1/folders`: every folder with its own settings,
//! `{"folders":[{"path","smart_tags","people","actor","at"}]}` by path, each switch `"enabled"`,
//! `"disabled"` or null (inherited).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use crate::error::ServiceError;
use crate::routes::support::on_store;
use crate::store::Store;

pub async fn list(State(store): State<Arc<Store>>) -> Result<Json<Value>, ServiceError> {
    let folders = on_store(&store, Store::folder_settings).await?;
    Ok(Json(json!({ "folders": folders })))
}
