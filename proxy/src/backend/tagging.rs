//! Tags one image the way the workflow says: preprocess natively with core (the browser's code,
//! so the same model input, hash and colours), then the smart-tags step (the service's
//! `POST /v1/assets/tag`, with the step's timeout, retries and backoff; only 5xx, timeouts and
//! connection errors are retried), then the colour step; the per-asset result of every step.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{json, Value};
use smart_tags_core::preprocess::{peak_memory, preprocess_timed, Options, Preprocessed};
use smart_tags_core::workflow::{
    outcome, FolderPath, Outcome, SourceKind, Step, StepKind, StepResult, StepStatus, Workflow,
};
use smart_tags_core::PreprocessError;

use super::error::BackendError;
use super::memory::{MemoryBudget, Wait};
use super::service::{CallError, Service};
use super::upload::ImageUpload;
use super::Backend;

/// What the caller says about the asset.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct TagInput {
    pub asset_id: Option<String>,
    pub folder: Option<String>,
    #[serde(default)]
    pub force: bool,
    /// Put the thumbnail (core's JPEG, longest side 512) in the answer.
    #[serde(default)]
    pub thumbnail: bool,
}

/// The thumbnail in an answer, when asked for.
#[derive(Debug, Clone, Serialize)]
pub struct ThumbnailOut {
    pub width: u32,
    pub height: u32,
    pub content_type: &'static str,
    /// Standard base64 of the JPEG (a `data:image/jpeg;base64,` URL away from an `<img>`).
    pub base64: String,
}

/// Where the time of one asset went.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Decoding, thumbnail, colours, model input and hash, in core.
    pub preprocess_ms: f64,
    pub decode_ms: f64,
    /// The image model, as the service measured it (none when it reused a prediction).
    pub inference_ms: Option<f64>,
    /// The whole service call (inference, storage, transport).
    pub service_ms: f64,
}

/// The per-asset result (docs/backend-api.md, "Per-asset result").
#[derive(Debug, Clone, Serialize)]
pub struct AssetResult {
    pub asset_id: Option<String>,
    pub content_hash: Option<String>,
    pub folder: Option<String>,
    pub outcome: Outcome,
    pub steps: Vec<StepResult>,
    pub tags: Option<Value>,
    /// What the face and person detectors found (the service's `people`), when the step ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<Value>,
    /// The words read in the picture (the service's `text`), when the step ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Value>,
    /// Stored assets this image is a near duplicate of (the service's `duplicates`); empty when
    /// none, or when smart tags did not answer.
    pub duplicates: Vec<Value>,
    pub reused: bool,
    pub retryable: bool,
    pub timings: Timings,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<ThumbnailOut>,
    /// The service refused the request as the caller's mistake ([`CallError::is_callers_mistake`],
    /// `smart_tags_off` aside: a bad asset id, an asset bound to other bytes…): the single-image route
    /// answers it as the error it is, not as a failed result.
    #[serde(skip)]
    pub refused: Option<CallError>,
}

/// The limits of one image: core's.
pub fn max_image_bytes() -> usize {
    smart_tags_core::limits::Limits::default().max_bytes
}

/// core's error as the API's: too many bytes is 413, the rest 400, with core's message.
pub fn bad_image(error: &PreprocessError) -> BackendError {
    match error {
        PreprocessError::TooManyBytes { .. } => BackendError::TooLarge(error.to_string()),
        _ => BackendError::BadImage(error.to_string()),
    }
}

/// Checks a folder path (normalised form back).
pub fn check_folder(folder: Option<&str>) -> Result<Option<String>, BackendError> {
    folder
        .map(|f| {
            FolderPath::parse(f).map(|p| p.as_str().to_owned()).map_err(|e| BackendError::BadRequest(e.to_string()))
        })
        .transpose()
}

/// Preprocesses on the blocking pool, once the decode's memory (estimated from the header) is
/// charged to the budget. The upload and both charges go with the decode and are given back
/// when it ends (the bytes are not needed after it), even if the caller has gone.
/// Errors are about the image, or [`BackendError::Busy`].
pub async fn prepare(
    memory: &MemoryBudget,
    upload: ImageUpload,
    wait: Wait,
) -> Result<(Preprocessed, f64), BackendError> {
    let estimate = peak_memory(&upload.bytes, &Options::default()).map_err(|e| bad_image(&e))?;
    let charge = memory.decode(estimate, wait).await?;
    tokio::task::spawn_blocking(move || {
        let _charge = charge;
        let bytes = upload.bytes;
        let started = Instant::now();
        let clock = move || started.elapsed().as_secs_f64() * 1000.0;
        let prepared = preprocess_timed(&bytes, &Options::default(), &clock).map_err(|e| bad_image(&e))?;
        Ok((prepared, clock()))
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "preprocessing stopped");
        BackendError::Internal
    })?
}

fn result_of(
    step: StepKind,
    status: StepStatus,
    attempts: u32,
    error: Option<&CallError>,
    reason: Option<String>,
    ms: Option<f64>,
) -> StepResult {
    StepResult {
        step,
        status,
        attempts,
        code: error.map(|e| e.code.clone()),
        reason: error.map(|e| e.message.clone()).or(reason),
        ms,
    }
}

fn skipped(step: StepKind, reason: &str) -> StepResult {
    StepResult::skipped(step, "disabled", reason)
}

/// Calls `call` up to `1 + step.retries` times, waiting `step.backoff(n)` before retry `n`;
/// only retryable errors are tried again.
pub async fn with_retries<T, F, Fut>(step: &Step, mut call: F) -> (u32, Result<T, CallError>)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, CallError>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match call().await {
            Err(e) if e.retryable && attempt <= step.retries => tokio::time::sleep(step.backoff(attempt)).await,
            other => return (attempt, other),
        }
    }
}

fn source_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Generic => "generic",
        SourceKind::Taxonomy => "taxonomy",
        SourceKind::Trained => "trained",
    }
}

/// Keeps the smart tags of the step's sources (and colours when the colour step is on).
fn filter_tags(tags: &mut Value, sources: &[SourceKind], colors: bool) {
    if let Some(smart) = tags.get_mut("smart").and_then(Value::as_array_mut) {
        smart.retain(|tag| match tag.get("source").and_then(Value::as_str) {
            Some("color") => colors,
            Some(source) => sources.iter().any(|s| source_name(*s) == source),
            None => false,
        });
    }
}

/// Runs the workflow on one image's bytes. `Err` only for bad input (nothing was stored), or
/// [`BackendError::Busy`] when the decode found no room in the memory budget within the wait.
pub async fn tag_image(
    backend: &Backend,
    upload: ImageUpload,
    input: &TagInput,
    wait: Wait,
) -> Result<AssetResult, BackendError> {
    let folder = check_folder(input.folder.as_deref())?;
    let (prepared, preprocess_ms) = prepare(&backend.memory, upload, wait).await?;
    let service = &backend.service;
    let (workflow, workflow_error) = match service.workflow().await {
        Ok((_, workflow)) => (workflow, None),
        Err(e) => (Workflow::default(), Some(e)),
    };
    Ok(run_steps(service, &workflow, workflow_error, prepared, preprocess_ms, folder, input).await)
}

async fn run_steps(
    service: &Service,
    workflow: &Workflow,
    workflow_error: Option<CallError>,
    prepared: Preprocessed,
    preprocess_ms: f64,
    folder: Option<String>,
    input: &TagInput,
) -> AssetResult {
    let colors_on = workflow.step(StepKind::ColorTags).is_some_and(|s| s.enabled);
    let people_on = workflow.runs(StepKind::People);
    let text_on = workflow.runs(StepKind::Text);
    let mut people: Option<Value> = None;
    let mut text: Option<Value> = None;
    let mut duplicates: Vec<Value> = Vec::new();
    let mut scenes_ran = false;
    // Steps the asset's folder switched off, as the service answered them (`people_off`).
    let mut folder_skipped: Vec<StepResult> = Vec::new();
    let mut timings = Timings {
        preprocess_ms,
        decode_ms: prepared.timings.as_ref().map_or(0.0, |t| t.decode_ms),
        ..Timings::default()
    };
    let mut steps = Vec::new();
    let mut tags: Option<Value> = None;
    let mut reused = false;
    let mut stored = false;
    let mut thumbnail = None;
    let mut refused = None;
    for step in &workflow.steps {
        match step.kind {
            StepKind::Thumbnails if !step.enabled => steps.push(skipped(step.kind, "the step is disabled")),
            StepKind::Thumbnails => {
                if input.thumbnail {
                    use base64::Engine as _;
                    let t = &prepared.thumbnail;
                    thumbnail = Some(ThumbnailOut {
                        width: t.width,
                        height: t.height,
                        content_type: "image/jpeg",
                        base64: base64::engine::general_purpose::STANDARD.encode(&t.jpeg),
                    });
                }
                steps.push(result_of(step.kind, StepStatus::Succeeded, 1, None, None, Some(preprocess_ms)));
            }
            StepKind::SmartTags if !step.enabled => steps.push(skipped(step.kind, "the step is disabled")),
            StepKind::SmartTags => {
                if let Some(error) = &workflow_error {
                    if !error.retryable {
                        steps.push(result_of(step.kind, StepStatus::Failed, 1, Some(error), None, None));
                        continue;
                    }
                }
                let mut meta = json!({
                    "content_hash": prepared.content_hash,
                    "colors": if colors_on { json!(prepared.colors) } else { json!([]) },
                    "force": input.force,
                });
                if let Some(id) = &input.asset_id {
                    meta["asset_id"] = json!(id);
                }
                if let Some(folder) = &folder {
                    meta["folder"] = json!(folder);
                }
                if step.ignore_smart_tag_flag {
                    meta["ignore_smart_tag_flag"] = json!(true);
                }
                let model_input = prepared.model_input.as_bytes();
                let timeout = Duration::from_millis(u64::from(step.timeout_ms.max(1)));
                let started = Instant::now();
                let thumbnail_jpeg = (people_on || text_on).then_some(prepared.thumbnail.jpeg.as_slice());
                let (attempts, answer) =
                    with_retries(step, || service.tag(&meta, model_input, thumbnail_jpeg, timeout)).await;
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                timings.service_ms = ms;
                match answer {
                    Ok(mut answer) => {
                        reused = answer.get("reused").and_then(Value::as_bool).unwrap_or(false);
                        timings.inference_ms = answer.get("inference_ms").and_then(Value::as_f64);
                        if let Some(mut t) = answer.get_mut("tags").map(Value::take) {
                            filter_tags(&mut t, &step.sources, colors_on);
                            tags = Some(t);
                        }
                        people = answer.get_mut("people").map(Value::take).filter(|p| !p.is_null());
                        text = answer.get_mut("text").map(Value::take).filter(|t| !t.is_null());
                        duplicates = match answer.get_mut("duplicates").map(Value::take) {
                            Some(Value::Array(found)) => found,
                            _ => Vec::new(),
                        };
                        scenes_ran = answer.get("scenes").is_some_and(Value::is_string);
                        folder_skipped = answer
                            .get_mut("skipped")
                            .map(Value::take)
                            .and_then(|s| serde_json::from_value(s).ok())
                            .unwrap_or_default();
                        stored = true;
                        steps.push(result_of(step.kind, StepStatus::Succeeded, attempts, None, None, Some(ms)));
                    }
                    Err(e) if e.code == "smart_tags_off" => {
                        steps.push(StepResult {
                            attempts,
                            ms: Some(ms),
                            ..StepResult::skipped(step.kind, e.code.clone(), e.message.clone())
                        });
                    }
                    Err(e) => {
                        steps.push(result_of(step.kind, StepStatus::Failed, attempts, Some(&e), None, Some(ms)));
                        if e.is_callers_mistake() {
                            refused = Some(e);
                        }
                    }
                }
            }
            StepKind::ColorTags if !step.enabled => steps.push(skipped(step.kind, "the step is disabled")),
            StepKind::ColorTags if stored => {
                steps.push(result_of(
                    step.kind,
                    StepStatus::Succeeded,
                    1,
                    None,
                    None,
                    prepared.timings.as_ref().map(|t| t.colors_ms),
                ));
            }
            StepKind::ColorTags => steps.push(StepResult::skipped(
                step.kind,
                "not_stored",
                "colour tags are stored with the smart tags, which did not run",
            )),
            StepKind::People if !step.enabled => steps.push(skipped(step.kind, "the step is disabled")),
            StepKind::People if folder_skipped.iter().any(|s| s.step == StepKind::People) => {
                steps.extend(folder_skipped.iter().filter(|s| s.step == StepKind::People).take(1).cloned());
            }
            StepKind::People if people.is_some() => {
                steps.push(result_of(step.kind, StepStatus::Succeeded, 1, None, None, None))
            }
            StepKind::People if stored => steps.push(StepResult::skipped(
                step.kind,
                "no_detectors",
                "the tagging service has no face and person detectors installed",
            )),
            StepKind::People => steps.push(StepResult::skipped(
                step.kind,
                "not_stored",
                "people are found with the smart tags, which did not run",
            )),
            StepKind::Text if !step.enabled => steps.push(skipped(step.kind, "the step is disabled")),
            StepKind::Text if text.is_some() => {
                steps.push(result_of(step.kind, StepStatus::Succeeded, 1, None, None, None))
            }
            StepKind::Text if stored => steps.push(StepResult::skipped(
                step.kind,
                "no_detectors",
                "the tagging service has no text detector installed",
            )),
            StepKind::Text => steps.push(StepResult::skipped(
                step.kind,
                "not_stored",
                "text is read with the smart tags, which did not run",
            )),
            StepKind::Scenes if !step.enabled => steps.push(skipped(step.kind, "the step is disabled")),
            StepKind::Scenes if scenes_ran => {
                steps.push(result_of(step.kind, StepStatus::Succeeded, 1, None, None, None))
            }
            StepKind::Scenes if stored => steps.push(StepResult::skipped(
                step.kind,
                "no_scene_model",
                "the tagging service has no scene model installed",
            )),
            StepKind::Scenes => steps.push(StepResult::skipped(
                step.kind,
                "not_stored",
                "scene tags come with the smart tags, which did not run",
            )),
        }
    }
    let outcome = outcome(workflow, &steps);
    let retryable =
        steps.iter().any(|s| s.status == StepStatus::Failed && s.code.as_deref().is_some_and(retryable_code));
    AssetResult {
        asset_id: input.asset_id.clone(),
        content_hash: Some(prepared.content_hash.clone()),
        folder,
        outcome,
        steps,
        tags,
        people,
        text,
        duplicates,
        reused,
        retryable,
        timings,
        thumbnail,
        refused,
    }
}

/// The codes worth trying again later.
pub fn retryable_code(code: &str) -> bool {
    matches!(code, "service_unavailable" | "service_timeout" | "service_busy" | "service_failed")
}
