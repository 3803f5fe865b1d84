//! Applies a change of the active tag models to the assets already stored: when a version is
//! activated, rolled back, deactivated or deleted (or a training job or an import activates one),
//! every stored prediction made with the earlier set of models (or marked stale by a change of
//! its folder's face-detection switch, `store::folders`) is made again from what is stored
//! for its bytes — the class probabilities, the embedding and the detectors' findings
//! ([`rescore`]) — so the image model never runs for it. Moderation is kept, as in a re-tag.
//!
//! One pass at a time runs on its own thread, page by page in asset-key order
//! ([`Store::predictions_behind`]); a change during a pass starts another once it ends. A
//! prediction is rescored under the lock of its bytes, read again there, so a tagging of the same
//! bytes and the pass never interleave. Left as they are, and counted: assets whose bytes have no
//! stored output under the current image model (`needs_image`: tag them from the image) and
//! assets in folders with smart tagging switched off (`smart_tags_off`). The service starts a pass
//! at start-up too, so a pass a stopped process left unfinished is taken up again.
//!
//! [`Store::predictions_behind`]: crate::store::Store::predictions_behind

use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use crate::error::ServiceError;
use crate::routes::assets::folder::{recheck, rules_for, FolderRules};
use crate::routes::assets::rescore;
use crate::store::AssetKey;
use crate::AppState;

/// Predictions read per page.
const PAGE: usize = 256;

/// Where the application of the active tag models to stored assets stands (this process's pass).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApplyProgress {
    /// `running` while a pass brings stored predictions to `trained_version`, else `idle`.
    pub state: ApplyState,
    /// The trained version (the set of active model versions) of the newest pass.
    pub trained_version: i64,
    /// Stored predictions made again by the newest pass.
    pub updated: u64,
    /// Predictions the newest pass has still to look at.
    pub left: u64,
    /// Assets left as they were: nothing is stored for their bytes under the current image model.
    pub needs_image: u64,
    /// Assets left as they were: their folder has smart tagging switched off.
    pub smart_tags_off: u64,
    /// Assets that could not be brought up to date (the store failed; logged); the next pass
    /// tries them again.
    pub failed: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyState {
    #[default]
    Idle,
    Running,
}

#[derive(Debug, Default)]
struct Status {
    progress: ApplyProgress,
    /// A change arrived while a pass ran: run another.
    again: bool,
}

/// The passes that apply tag-model changes to stored assets.
#[derive(Debug, Default)]
pub struct Applier {
    status: Mutex<Status>,
}

impl Applier {
    pub fn progress(&self) -> ApplyProgress {
        self.status.lock().unwrap_or_else(PoisonError::into_inner).progress.clone()
    }

    /// The progress as a caller should see it: `running` also while a change of the active
    /// versions (`trained_version`, the store's now) waits for its pass to start — a training job
    /// ends before it wakes the pass.
    pub fn progress_at(&self, trained_version: i64) -> ApplyProgress {
        let mut progress = self.progress();
        if progress.state == ApplyState::Idle && progress.trained_version != trained_version && trained_version > 0 {
            progress.state = ApplyState::Running;
        }
        progress
    }

    fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Starts a pass on its own thread, or asks the running one for another when it ends. Called
/// after every change of the active tag models, and at start-up.
pub fn wake(state: &Arc<AppState>) {
    {
        let mut status = state.applier.status();
        if status.progress.state == ApplyState::Running {
            status.again = true;
            return;
        }
        status.progress = ApplyProgress { state: ApplyState::Running, ..ApplyProgress::default() };
    }
    let worker = Arc::clone(state);
    let spawned = std::thread::Builder::new().name("apply-tag-models".to_owned()).spawn(move || loop {
        // A panic must not leave the state `running` with no pass to end it.
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pass(&worker))) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "applying the active tag models to stored assets stopped"),
            Err(_) => tracing::error!("applying the active tag models to stored assets stopped unexpectedly"),
        }
        let mut status = worker.applier.status();
        if !std::mem::take(&mut status.again) {
            status.progress.state = ApplyState::Idle;
            break;
        }
    });
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start applying the active tag models to stored assets");
        state.applier.status().progress.state = ApplyState::Idle;
    }
}

/// How often the watcher looks for predictions marked stale.
const WATCH: std::time::Duration = std::time::Duration::from_secs(1);

/// Starts the watcher: a thread that starts a pass whenever a write of this process has marked
/// predictions stale (a folder's face-detection switch changed: `store::folders`) since it last
/// looked — an atomic read every [`WATCH`], no query. It runs as long as the process.
pub fn watch(state: &Arc<AppState>) {
    let worker = Arc::clone(state);
    let spawned = std::thread::Builder::new().name("apply-watch".to_owned()).spawn(move || {
        let mut seen = worker.store.stale_marks();
        loop {
            std::thread::sleep(WATCH);
            let now = worker.store.stale_marks();
            if now != seen {
                seen = now;
                wake(&worker);
            }
        }
    });
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start watching for predictions to make again");
    }
}

/// What a pass did with one asset.
enum Outcome {
    Updated,
    NeedsImage,
    SmartTagsOff,
    Failed,
    /// Already current (a tagging got there first), or gone.
    Skipped,
}

/// One pass over the predictions behind the current trained version.
fn pass(state: &AppState) -> Result<(), ServiceError> {
    let store = &state.store;
    let Some(tagger) = state.tagger.clone() else {
        // Nothing is tagged without the engine: nothing to bring up to date.
        state.applier.status().progress =
            ApplyProgress { trained_version: store.versions()?.trained, ..ApplyProgress::default() };
        return Ok(());
    };
    let image_model = state.engine.version().to_owned();
    let trained = store.versions()?.trained;
    let left = store.count_predictions_behind(trained, &image_model)?;
    state.applier.status().progress =
        ApplyProgress { state: ApplyState::Running, trained_version: trained, left, ..ApplyProgress::default() };
    let mut after = AssetKey(0);
    loop {
        // A newer change: this pass's work would be done again; the next pass starts afresh.
        if store.versions()?.trained != trained {
            state.applier.status().again = true;
            return Ok(());
        }
        let page = store.predictions_behind(trained, &image_model, after, PAGE)?;
        let Some(&last) = page.last() else { break };
        after = last;
        let mapping = state.mapping.get(store)?;
        for key in page {
            // One asset's failure is logged and counted; the pass goes on.
            let outcome = apply_to(state, &tagger, &mapping, key, trained).unwrap_or_else(|error| {
                tracing::warn!(asset = key.0, %error, "cannot apply the active tag models to a stored asset");
                Outcome::Failed
            });
            let mut status = state.applier.status();
            let progress = &mut status.progress;
            progress.left = progress.left.saturating_sub(1);
            match outcome {
                Outcome::Updated => progress.updated += 1,
                Outcome::NeedsImage => progress.needs_image += 1,
                Outcome::SmartTagsOff => progress.smart_tags_off += 1,
                Outcome::Failed => progress.failed += 1,
                Outcome::Skipped => {}
            }
        }
    }
    // Assets a tagging brought up to date before the pass reached them were never visited.
    state.applier.status().progress.left = 0;
    let progress = state.applier.progress();
    tracing::info!(
        trained_version = trained,
        updated = progress.updated,
        needs_image = progress.needs_image,
        smart_tags_off = progress.smart_tags_off,
        failed = progress.failed,
        "active tag models applied to stored assets"
    );
    Ok(())
}

fn apply_to(
    state: &AppState,
    tagger: &crate::tagger::Tagger,
    mapping: &crate::mapping_cache::Mapping,
    key: AssetKey,
    trained: i64,
) -> Result<Outcome, ServiceError> {
    let store = &state.store;
    let view = match store.asset(key) {
        Ok(view) => view,
        Err(crate::store::StoreError::UnknownAsset) => return Ok(Outcome::Skipped),
        Err(error) => return Err(error.into()),
    };
    let Some(hash) = view.content_hash.clone() else { return Ok(Outcome::NeedsImage) };
    let _same_bytes = state.tagging_locks.lock(&hash);
    // Read again under the lock: a tagging may have made it current, changed its bytes, or the
    // asset may be gone.
    let view = match store.asset(key) {
        Ok(view) => view,
        Err(crate::store::StoreError::UnknownAsset) => return Ok(Outcome::Skipped),
        Err(error) => return Err(error.into()),
    };
    if view.content_hash.as_deref() != Some(hash.as_str())
        || view.prediction.as_ref().is_none_or(|p| p.trained_version == trained)
    {
        return Ok(Outcome::Skipped);
    }
    // A prediction marked stale by its folder's face-detection switch is made again even where
    // smart tagging is off: the switch is a privacy setting, and a re-score runs no model on the
    // image.
    let marked = view.prediction.as_ref().is_some_and(|p| p.marked_stale());
    // The workflow as it runs in the asset's folder (face detection may be off there).
    let FolderRules { workflow, smart_tags_off, .. } = rules_for(store, view.folder.as_deref())?;
    if !marked && smart_tags_off.is_some() {
        return Ok(Outcome::SmartTagsOff);
    }
    match rescore(state, tagger, mapping, &workflow, &view)? {
        // Saved only while the asset still holds these bytes: a tagging of new content (under
        // the other bytes' lock) wins.
        Some(prediction) => {
            if !store.save_prediction_for_bytes(key, &prediction)? {
                return Ok(Outcome::Skipped);
            }
            recheck(store, key, view.folder.as_deref(), &workflow)?;
            Ok(Outcome::Updated)
        }
        None => Ok(Outcome::NeedsImage),
    }
}
