//! What an asset's folder switches decide for it (`smart_tags_core::workflow::folders`): whether
//! it is tagged at all (smart tagging off answers `smart_tags_off`), and the workflow it is tagged
//! with — face and person detection switched off for its folder takes the `people` step out, so
//! the detectors do not run on it and nothing they found in its bytes (for another asset) is
//! shown or scored for it.

use smart_tags_core::workflow::{for_folder, FolderPath, StepKind, StepResult, Workflow};

use crate::store::{AssetKey, Store, StoreError};

/// What a stored asset's folder decides, from one read of its settings.
#[derive(Debug, Clone)]
pub(crate) struct FolderRules {
    /// The stored workflow as it runs in the folder.
    pub workflow: Workflow,
    /// The steps the folder switched off, as skipped results.
    pub skipped: Vec<StepResult>,
    /// Why smart tagging is off for the folder (the caller decides whether the flag ignores it);
    /// `None` when on, or for an asset without a folder.
    pub smart_tags_off: Option<String>,
}

/// The rules of a stored asset's folder. An asset without a folder (or with one that no longer
/// parses: stored folders were normalised on the way in) is in the root `/` for the privacy
/// switch — switching face detection off for `/` reaches every asset — but never switched off as
/// a whole.
pub(crate) fn rules_for(store: &Store, folder: Option<&str>) -> Result<FolderRules, StoreError> {
    let workflow = store.workflow()?.workflow;
    let named = folder.and_then(|f| FolderPath::parse(f).ok());
    let path = named.clone().unwrap_or_else(FolderPath::root);
    let resolution = store.resolve_folder(&path)?;
    let (workflow, skipped) = for_folder(&workflow, &path, &resolution);
    let smart_tags_off =
        named.filter(|_| !resolution.smart_tags.enabled).map(|path| resolution.smart_tags.reason(&path));
    Ok(FolderRules { workflow, skipped, smart_tags_off })
}

/// After a prediction made with `used` was saved: when the asset's folder now allows another
/// people step (its switch changed while the prediction was being made, after the change marked
/// it stale), marks it stale again, so the apply pass makes it under the new setting. A change
/// after this check marks the saved prediction itself.
pub(crate) fn recheck(store: &Store, key: AssetKey, folder: Option<&str>, used: &Workflow) -> Result<(), StoreError> {
    if rules_for(store, folder)?.workflow.runs(StepKind::People) != used.runs(StepKind::People) {
        store.mark_prediction_stale(key)?;
    }
    Ok(())
}
