//! `PUT /v1/folders` `{"path":"/a","smart_tags":"enabled"|"disabled"|"inherit"}`: sets a folder's
//! own setting; `inherit` deletes it, so the folder takes its parent's again. The path is
//! normalised (`a/b/` is `/a/b`); `..`, `.` and control characters are refused. Answers
//! `{"setting": <the row or null>, "resolved": {"path","enabled","set_on"}}`.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::workflow::{FolderFlag, FolderPath};

use super::Resolved;
use crate::error::ServiceError;
use crate::routes::support::{on_store, Actor, JsonBody};
use crate::store::{FolderSetting, Store};

/// What a folder's setting becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Enabled,
    Disabled,
    Inherit,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderChange {
    pub path: FolderPath,
    pub smart_tags: Choice,
}

#[derive(Debug, Serialize)]
pub struct FolderAnswer {
    pub setting: Option<FolderSetting>,
    pub resolved: Resolved,
}

pub async fn put(State(store): State<Arc<Store>>, actor: Actor, JsonBody(change): JsonBody<FolderChange>) -> Result<Json<FolderAnswer>, ServiceError> {
    let flag = match change.smart_tags {
        Choice::Enabled => Some(FolderFlag::Enabled),
        Choice::Disabled => Some(FolderFlag::Disabled),
        Choice::Inherit => None,
    };
    let path = change.path;
    let answer = on_store(&store, move |s| {
        let setting = s.set_folder_setting(&path, flag, &actor.0)?;
        let effective = s.resolve_folder(&path)?;
        Ok(FolderAnswer { setting, resolved: Resolved::new(path, effective) })
    })
    .await?;
    Ok(Json(answer))
}
