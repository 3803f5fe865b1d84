//! Training runs in the background: one thread per job, progress written to the store, cancel
//! through a flag. The service keeps answering meanwhile (training runs outside the async runtime
//! and the blocking pool). The version a job makes is written in the transaction that marks the
//! job trained, so a crash or kill leaves the previous version active and the job pending or
//! training, which the next start-up marks failed ([`Store::fail_interrupted_jobs`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use smart_tags_core::training::{self, activation, artifact, model::TrainedModel, TrainError};

use super::examples::TrainingInput;
use crate::store::{Job, JobStatus, NewVersion, Store, StoreError, VersionOrigin};

/// Progress is written at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The cancel flags of the running jobs.
#[derive(Debug, Default)]
pub struct Trainer {
    running: Mutex<HashMap<i64, Arc<AtomicBool>>>,
}

impl Trainer {
    /// Starts a job already created in the store on its own thread; `ended` runs once its end is
    /// recorded (the service applies a newly activated version to stored assets there).
    pub fn spawn(
        self: &Arc<Trainer>,
        store: Arc<Store>,
        job: &Job,
        input: TrainingInput,
        ended: impl FnOnce() + Send + 'static,
    ) -> Result<(), StoreError> {
        let cancel = Arc::new(AtomicBool::new(false));
        if let Ok(mut running) = self.running.lock() {
            running.insert(job.id, Arc::clone(&cancel));
        }
        let trainer = Arc::clone(self);
        let (id, activate) = (job.id, job.activate);
        let thread_store = Arc::clone(&store);
        let spawned = std::thread::Builder::new().name(format!("training-{id}")).spawn(move || {
            let store = thread_store;
            let outcome =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&store, id, activate, &input, &cancel)));
            let result = match outcome {
                Ok(result) => result,
                Err(_) => store
                    .finish_job(id, JobStatus::Failed, Some("internal error: training stopped unexpectedly"))
                    .map(|_| ()),
            };
            if let Err(error) = result {
                tracing::error!(job = id, %error, "cannot record the end of a training job");
            }
            if let Ok(mut running) = trainer.running.lock() {
                running.remove(&id);
            }
            ended();
        });
        if let Err(error) = spawned {
            tracing::error!(job = id, %error, "cannot start a training thread");
            store.finish_job(id, JobStatus::Failed, Some("cannot start a training thread"))?;
        }
        Ok(())
    }

    /// Asks a running job to stop; false when it is not running here.
    /// How many jobs run now.
    pub fn running(&self) -> usize {
        self.running.lock().map_or(0, |running| running.len())
    }

    pub fn cancel(&self, id: i64) -> bool {
        let flag = self.running.lock().ok().and_then(|running| running.get(&id).cloned());
        flag.map(|f| f.store(true, Ordering::Relaxed)).is_some()
    }
}

fn run(store: &Store, id: i64, activate: bool, input: &TrainingInput, cancel: &AtomicBool) -> Result<(), StoreError> {
    store.job_progress(id, 0.0)?;
    let last = Mutex::new(Instant::now());
    let progress = |fraction: f32| {
        if let Ok(mut last) = last.lock() {
            if last.elapsed() >= PROGRESS_EVERY {
                *last = Instant::now();
                if let Err(error) = store.job_progress(id, f64::from(fraction).min(0.99)) {
                    tracing::warn!(job = id, %error, "cannot record training progress");
                }
            }
        }
        !cancel.load(Ordering::Relaxed)
    };
    let known = |tag: &_| input.known_tags.contains(tag);
    match training::train(&input.spec, &input.other_specs, &known, &input.examples, &input.options, &progress) {
        Ok(model) => {
            let summary = summary(&model);
            // Asked to activate, a version whose tags rest on too few pictures waits for an
            // administrator instead, and the job says why.
            let held_back = activate.then(|| activation::held_back(&model)).flatten().map(|held| held.to_string());
            let make = |version: i64, created_at: &str| {
                let meta = artifact::ArtifactMeta {
                    image_model: input.image_model.clone(),
                    taxonomy_version: input.taxonomy_version,
                    version,
                    created_at: created_at.to_owned(),
                };
                artifact::export(&model, &meta)
            };
            let new = NewVersion {
                origin: VersionOrigin::Trained,
                image_model: &input.image_model,
                taxonomy_version: input.taxonomy_version,
                summary: &summary,
                artifact: &make,
                activate: activate && held_back.is_none(),
            };
            let job = store.complete_job(id, &new, held_back.as_deref())?;
            tracing::info!(job = id, model = %job.model, version = ?job.version, ms = model.metrics.train_ms, "trained a tag model");
        }
        Err(TrainError::Cancelled) => {
            store.finish_job(id, JobStatus::Cancelled, None)?;
        }
        Err(error) => {
            store.finish_job(id, JobStatus::Failed, Some(&error.to_string()))?;
        }
    }
    Ok(())
}

/// What a version's listing shows without loading its file: metrics, per-tag thresholds and
/// metrics, and the size of the training set.
pub fn summary(model: &TrainedModel) -> serde_json::Value {
    serde_json::json!({
        "metrics": model.metrics,
        "tags": model.tags,
        "options": model.options,
        "training_set": model.training_set.len(),
    })
}
