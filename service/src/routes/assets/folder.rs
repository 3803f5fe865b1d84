//! What an asset's folder switches decide for it (`smart_tags_core::workflow::folders`): whether
//! it is tagged at all (smart tagging off answers `smart_tags_off`), and the workflow it is tagged
//! with — face and person detection switched off for its folder takes the `people` step out, so
//! the detectors do not run on it and nothing they found in its bytes (for another asset) is
//! shown or scored for it.

use smart_tags_core::workflow::{for_folder, FolderPath, Resolution, StepKind, StepResult, Workflow};

use crate::error::ServiceError;
use crate::store::{AssetKey, Store, StoreError};

/// The reason smart tagging is off for a stored asset's folder, unless the flag is ignored.
pub(crate) fn folder_off(store: &Store, folder: Option<&str>, ignore_flag: bool) -> Result<Option<String>, ServiceError> {
    let Some(folder) = folder.filter(|_| !ignore_flag) else { return Ok(None) };
    // Stored folders were normalised on the way in; one that no longer parses is not switched off.
    let Ok(path) = FolderPath::parse(folder) else { return Ok(None) };
    let effective = store.resolve_folder(&path)?.smart_tags;
    Ok((!effective.enabled).then(|| effective.reason(&path)))
}

/// The stored workflow as it runs for a stored asset's folder, with the steps its folder switched
/// off as skipped results. An asset without a folder (or with one that no longer parses) is in
/// the root `/` for the privacy switch: switching face detection off for `/` reaches every asset.
pub(crate) fn workflow_for(store: &Store, folder: Option<&str>) -> Result<(Workflow, Vec<StepResult>), StoreError> {
    let workflow = store.workflow()?.workflow;
    let path = folder.and_then(|f| FolderPath::parse(f).ok()).unwrap_or_else(FolderPath::root);
    let resolution: Resolution = store.resolve_folder(&path)?;
    Ok(for_folder(&workflow, &path, &resolution))
}

/// After a prediction made with `used` was saved: when the asset's folder now allows another
/// people step (its switch changed while the prediction was being made, after the change marked
/// it stale), marks it stale again, so the apply pass makes it under the new setting. A change
/// after this check marks the saved prediction itself.
pub(crate) fn recheck(store: &Store, key: AssetKey, folder: Option<&str>, used: &Workflow) -> Result<(), StoreError> {
    let (now, _) = workflow_for(store, folder)?;
    if now.runs(StepKind::People) != used.runs(StepKind::People) {
        store.mark_prediction_stale(key)?;
    }
    Ok(())
}
