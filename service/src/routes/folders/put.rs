//! `PUT /v1/folders` `{"path":"/a", "smart_tags"?: choice, "people"?: choice}`, each choice
//! `"enabled"`, `"disabled"` or `"inherit"` (at least one given): sets a folder's own switches;
//! `inherit` clears one, so the folder takes its parent's again, and a switch left out stays as it
//! is. `people` is face and person detection (the workflow's `people` step, a privacy switch). The
//! path is normalised (`a/b/` is `/a/b`); `..`, `.` and control characters are refused. Answers
//! `{"setting": <the row or null>, "resolved": {"path","enabled","set_on","people"}, "stale": n}`:
//! a change of `people` marks the stored predictions of that folder and the folders below stale
//! (`stale` of them), and the service makes them again from what is stored for their bytes in the
//! background, within seconds (`training::apply`), without the people tags — or, switched on
//! again, with what the detectors found in their bytes before.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use smart_tags_core::workflow::{FolderChoice, FolderPath};

use super::Resolved;
use crate::error::ServiceError;
use crate::routes::support::{on_store, Actor, JsonBody};
use crate::store::{FolderSetting, Store};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderChange {
    pub path: FolderPath,
    #[serde(default)]
    pub smart_tags: Option<FolderChoice>,
    #[serde(default)]
    pub people: Option<FolderChoice>,
}

#[derive(Debug, Serialize)]
pub struct FolderAnswer {
    pub setting: Option<FolderSetting>,
    pub resolved: Resolved,
    /// Stored predictions marked to be made again (the people switch changed).
    pub stale: u64,
}

pub async fn put(
    State(store): State<Arc<Store>>,
    actor: Actor,
    JsonBody(change): JsonBody<FolderChange>,
) -> Result<Json<FolderAnswer>, ServiceError> {
    if change.smart_tags.is_none() && change.people.is_none() {
        return Err(ServiceError::BadInput("give smart_tags or people (enabled, disabled or inherit)".to_owned()));
    }
    let path = change.path;
    let answer = on_store(&store, move |s| {
        let changed = s.set_folder_settings(&path, change.smart_tags, change.people, &actor.0)?;
        let resolution = s.resolve_folder(&path)?;
        Ok(FolderAnswer { setting: changed.setting, resolved: Resolved::new(path, resolution), stale: changed.stale })
    })
    .await?;
    Ok(Json(answer))
}
