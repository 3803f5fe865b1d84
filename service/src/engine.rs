//! The image model: EfficientNet-Lite0 (ONNX) run by ONNX Runtime, loaded once per process.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::TensorRef;
use sha2::{Digest, Sha256};
use smart_tags_core::model_input::SIDE;
use smart_tags_core::prediction::{softmax, top_k};
use smart_tags_core::{ClassScore, ModelInput, Prediction};

use crate::labels::Labels;

pub const MODEL_NAME: &str = "efficientnet-lite0";
pub const CLASSES: usize = 1000;
pub const EMBEDDING: usize = 1280;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot load the onnx runtime library {path}: {message}")]
    Runtime { path: PathBuf, message: String },
    #[error("cannot load the model {path}: {message}")]
    Model { path: PathBuf, message: String },
    #[error("bad label files: {0}")]
    Labels(String),
    #[error("inference failed: {0}")]
    Inference(String),
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Folder holding `model.onnx`, `imagenet_synsets.txt` and `imagenet_labels.txt`.
    pub model_dir: PathBuf,
    /// Path of `libonnxruntime.so`.
    pub runtime_library: PathBuf,
    /// Threads used inside one inference.
    pub threads: usize,
}

/// Logits and embedding of one image.
#[derive(Debug, Clone)]
pub struct ImageOutput {
    pub logits: Vec<f32>,
    pub embedding: Vec<f32>,
}

pub struct Engine {
    session: Mutex<Session>,
    labels: Labels,
    version: String,
}

/// ONNX Runtime's environment is process-wide: the first library path loaded wins (the text
/// engine shares it).
static ENVIRONMENT: OnceLock<ort::environment::Environment> = OnceLock::new();

pub(crate) fn environment(library: &Path) -> Result<&'static ort::environment::Environment, EngineError> {
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env);
    }
    let runtime_error = |message: String| EngineError::Runtime { path: library.to_owned(), message };
    if !library.is_file() {
        return Err(runtime_error("no such file (run scripts/setup.sh)".to_owned()));
    }
    let env = ort::init_from(library)
        .map_err(|e| runtime_error(e.to_string()))?
        .with_name("smart-tags")
        .build()
        .map_err(|e| runtime_error(e.to_string()))?;
    Ok(ENVIRONMENT.get_or_init(|| env))
}

/// The one way every model of the service opens: full graph optimisation, `threads` threads
/// inside an operator that sleep rather than spin when idle, operators one after another.
pub(crate) fn session(env: &ort::environment::Environment, path: &Path, threads: usize) -> Result<Session, ort::Error> {
    Session::builder(env)
        .and_then(|b| Ok(b.with_optimization_level(GraphOptimizationLevel::Level3)?))
        .and_then(|b| Ok(b.with_intra_threads(threads.max(1))?))
        .and_then(|b| Ok(b.with_inter_threads(1)?))
        .and_then(|b| Ok(b.with_parallel_execution(false)?))
        // No spin-waiting between operators: the service runs several models one after another
        // (image model, detectors, text model), and a pool spinning after its run takes a core
        // from the next model's pool — with spinning, on 2 cores, the person detector took 32 ms
        // instead of 10 and the image model 17.5 instead of 6 (BENCHMARKS.md, people detectors).
        .and_then(|b| Ok(b.with_intra_op_spinning(false)?))
        .and_then(|mut b| b.commit_from_file(path))
}

/// The first 12 hex digits of the SHA-256 of a model file: its version.
pub(crate) fn file_digest(path: &Path) -> Result<String, std::io::Error> {
    let bytes = std::fs::read(path)?;
    Ok(Sha256::digest(&bytes).iter().take(6).map(|b| format!("{b:02x}")).collect())
}

impl Engine {
    pub fn load(config: &EngineConfig) -> Result<Engine, EngineError> {
        let env = environment(&config.runtime_library)?;
        let path = config.model_dir.join("model.onnx");
        let model_error = |message: String| EngineError::Model { path: path.clone(), message };
        if !path.is_file() {
            return Err(model_error("no such file (run scripts/setup.sh)".to_owned()));
        }
        let session = session(env, &path, config.threads).map_err(|e| model_error(e.to_string()))?;
        let labels = Labels::load(&config.model_dir, CLASSES)?;
        let digest = file_digest(&path).map_err(|e| model_error(e.to_string()))?;
        Ok(Engine { session: Mutex::new(session), labels, version: format!("{MODEL_NAME}@{digest}") })
    }

    /// Name and version of the loaded model: its name and the first 12 hex digits of the SHA-256
    /// of its weights file, e.g. `efficientnet-lite0@3f2a9c01b7de`. Predictions, cached
    /// embeddings and trained models record it; a trained model file made with another version
    /// is refused.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// Runs a batch given as an NCHW float tensor of `batch` images.
    pub fn infer_tensor(&self, tensor: &[f32], batch: usize) -> Result<Vec<ImageOutput>, EngineError> {
        self.infer_tensor_timed(tensor, batch).map(|(outputs, _)| outputs)
    }

    /// [`Engine::infer_tensor`], with the time the model ran: from when the session was free (one
    /// request at a time holds it) to its outputs, so waiting for another request is not counted.
    pub fn infer_tensor_timed(
        &self,
        tensor: &[f32],
        batch: usize,
    ) -> Result<(Vec<ImageOutput>, std::time::Duration), EngineError> {
        let side = SIDE as usize;
        if batch == 0 || tensor.len() != batch * 3 * side * side {
            return Err(EngineError::Inference(format!(
                "the tensor holds {} values, not {batch} images of 3x{side}x{side}",
                tensor.len()
            )));
        }
        let fail = |e: ort::Error| EngineError::Inference(e.to_string());
        let input = TensorRef::from_array_view(([batch, 3, side, side], tensor)).map_err(fail)?;
        let mut session = self
            .session
            .lock()
            .map_err(|_| EngineError::Inference("the model session was poisoned by an earlier panic".to_owned()))?;
        let started = std::time::Instant::now();
        let outputs = session.run(ort::inputs!["input" => input]).map_err(fail)?;
        let (_, logits) = outputs["logits"].try_extract_tensor::<f32>().map_err(fail)?;
        let (_, embedding) = outputs["embedding"].try_extract_tensor::<f32>().map_err(fail)?;
        if logits.len() != batch * CLASSES || embedding.len() != batch * EMBEDDING {
            return Err(EngineError::Inference("the model returned outputs of unexpected shapes".to_owned()));
        }
        let images = logits
            .chunks_exact(CLASSES)
            .zip(embedding.chunks_exact(EMBEDDING))
            .map(|(l, e)| ImageOutput { logits: l.to_vec(), embedding: e.to_vec() })
            .collect();
        let ran = started.elapsed();
        metrics::histogram!("smart_tags_inference_seconds").record(ran.as_secs_f64());
        metrics::counter!("smart_tags_images_inferred_total").increment(batch as u64);
        Ok((images, ran))
    }

    /// Runs a batch of prepared model inputs.
    pub fn infer(&self, inputs: &[ModelInput]) -> Result<Vec<ImageOutput>, EngineError> {
        self.infer_timed(inputs).map(|(outputs, _)| outputs)
    }

    /// [`Engine::infer`], with the time the model itself ran (see [`Engine::infer_tensor_timed`]).
    pub fn infer_timed(&self, inputs: &[ModelInput]) -> Result<(Vec<ImageOutput>, std::time::Duration), EngineError> {
        let mut tensor = Vec::with_capacity(inputs.len() * smart_tags_core::model_input::BYTES);
        for input in inputs {
            input.write_tensor(&mut tensor);
        }
        self.infer_tensor_timed(&tensor, inputs.len())
    }

    /// The `top` most probable classes of one image.
    pub fn predict(&self, input: &ModelInput, top: usize) -> Result<Prediction, EngineError> {
        let output = self
            .infer(std::slice::from_ref(input))?
            .pop()
            .ok_or_else(|| EngineError::Inference("the model returned no output".to_owned()))?;
        Ok(self.prediction_from_logits(&output.logits, top))
    }

    pub fn prediction_from_logits(&self, logits: &[f32], top: usize) -> Prediction {
        let tags = top_k(&softmax(logits), top)
            .into_iter()
            .map(|(index, confidence)| ClassScore {
                index,
                wnid: self.labels.wnid(index).to_owned(),
                label: self.labels.name(index).to_owned(),
                confidence,
            })
            .collect();
        Prediction { model: self.version.clone(), tags }
    }
}
