//! What an asset's folder switches decide for it (`smart_tags_core::workflow::folders`): whether
//! it is tagged at all (smart tagging off answers `smart_tags_off`), and the workflow it is tagged
//! with — face and person detection switched off for its folder takes the `people` step out, so
//! the detectors do not run on it and nothing they found in its bytes (for another asset) is
//! shown or scored for it.

use smart_tags_core::workflow::{for_folder, FolderPath, Resolution, StepResult, Workflow};

use crate::error::ServiceError;
use crate::store::{Store, StoreError};

/// The reason smart tagging is off for a stored asset's folder, unless the flag is ignored.
pub(crate) fn folder_off(store: &Store, folder: Option<&str>, ignore_flag: bool) -> Result<Option<String>, ServiceError> {
    let Some(folder) = folder.filter(|_| !ignore_flag) else { return Ok(None) };
    // Stored folders were normalised on the way in; one that no longer parses is not switched off.
    let Ok(path) = FolderPath::parse(folder) else { return Ok(None) };
    let effective = store.resolve_folder(&path)?.smart_tags;
    Ok((!effective.enabled).then(|| effective.reason(&path)))
}

/// The workflow for an asset in `folder` (none: the stored workflow as it is), with the steps its
/// folder switched off, as skipped results.
pub(crate) fn workflow_in(workflow: &Workflow, folder: Option<&FolderPath>, resolution: &Resolution) -> (Workflow, Vec<StepResult>) {
    match folder {
        Some(folder) => for_folder(workflow, folder, resolution),
        None => (workflow.clone(), Vec::new()),
    }
}

/// The stored workflow as it runs for a stored asset's folder ([`workflow_in`]).
pub(crate) fn workflow_for(store: &Store, folder: Option<&str>) -> Result<(Workflow, Vec<StepResult>), StoreError> {
    let workflow = store.workflow()?.workflow;
    let path = folder.and_then(|f| FolderPath::parse(f).ok());
    let resolution = match &path {
        Some(path) => store.resolve_folder(path)?,
        None => Resolution::by_default(),
    };
    Ok(workflow_in(&workflow, path.as_ref(), &resolution))
}
