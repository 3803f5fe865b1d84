//! The text model: all-MiniLM-L6-v2 sentence embeddings (ONNX) run by ONNX Runtime, for matching
//! tag names ("motorbike", "pet") to concepts by text similarity.
//!
//! The graph (`scripts/model/convert_minilm.py`) takes `input_ids` and `attention_mask`
//! (int64, `[batch, seq]`) and returns `embedding` (float32, `[batch, 384]`): the mean of the last
//! hidden states over the mask, L2-normalised, so a dot product is a cosine similarity.
//! Tokenization is `smart_tags_core::text::Tokenizer` over the model's `vocab.txt`.

use std::path::PathBuf;
use std::sync::Mutex;

use ort::session::Session;
use ort::value::TensorRef;
use smart_tags_core::text::Tokenizer;

use crate::engine::{environment, EngineError};

pub const MODEL_NAME: &str = "all-minilm-l6-v2";
/// Length of an embedding.
pub const DIM: usize = 384;
/// Tokens per text, `[CLS]` and `[SEP]` included; longer texts are truncated.
pub const MAX_TOKENS: usize = 64;
/// Texts per model run; each run is padded to its longest text.
pub const BATCH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum TextEngineError {
    #[error(transparent)]
    Runtime(EngineError),
    #[error("cannot load the text model {path}: {message}")]
    Model { path: PathBuf, message: String },
    #[error("cannot load the vocabulary {path}: {message}")]
    Vocabulary { path: PathBuf, message: String },
    #[error("text inference failed: {0}")]
    Inference(String),
}

#[derive(Debug, Clone)]
pub struct TextEngineConfig {
    /// Folder holding `model.onnx` and `vocab.txt` (`$CACHE/models/minilm-l6-v2`).
    pub model_dir: PathBuf,
    /// Path of `libonnxruntime.so`; the first one loaded in the process is used by every engine.
    pub runtime_library: PathBuf,
    /// Threads used inside one inference.
    pub threads: usize,
}

pub struct TextEngine {
    session: Mutex<Session>,
    tokenizer: Tokenizer,
    version: String,
}

impl TextEngine {
    pub fn load(config: &TextEngineConfig) -> Result<TextEngine, TextEngineError> {
        let env = environment(&config.runtime_library).map_err(TextEngineError::Runtime)?;

        let vocab_path = config.model_dir.join("vocab.txt");
        let vocab_error = |message: String| TextEngineError::Vocabulary { path: vocab_path.clone(), message };
        let vocab =
            std::fs::read_to_string(&vocab_path).map_err(|e| vocab_error(format!("{e} (run scripts/setup.sh)")))?;
        let tokenizer = Tokenizer::from_vocab(&vocab).map_err(|e| vocab_error(e.to_string()))?;

        let path = config.model_dir.join("model.onnx");
        let model_error = |message: String| TextEngineError::Model { path: path.clone(), message };
        if !path.is_file() {
            return Err(model_error("no such file (run scripts/setup.sh)".to_owned()));
        }
        let session = crate::engine::session(env, &path, config.threads).map_err(|e| model_error(e.to_string()))?;
        let names = |list: Vec<String>| list.join(", ");
        let inputs = names(session.inputs().iter().map(|i| i.name().to_owned()).collect());
        let outputs = names(session.outputs().iter().map(|o| o.name().to_owned()).collect());
        if inputs != "input_ids, attention_mask" || outputs != "embedding" {
            return Err(model_error(format!(
                "expected inputs input_ids, attention_mask and output embedding, found inputs {inputs} and outputs {outputs}"
            )));
        }
        Ok(TextEngine { session: Mutex::new(session), tokenizer, version: format!("{MODEL_NAME}@1") })
    }

    /// Name and version of the loaded model: `all-minilm-l6-v2@1`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The tokenizer the engine uses (`vocab.txt` of the model).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Unit-length embeddings of `texts`, in order (an empty slice gives an empty answer).
    ///
    /// Texts are truncated to [`MAX_TOKENS`] tokens and run in chunks of up to [`BATCH`], each
    /// chunk padded to its longest text; padding does not change a text's embedding. Chunks are
    /// made of texts of similar token counts (sorted by length), which pads less.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, TextEngineError> {
        let encoded: Vec<Vec<u32>> = texts.iter().map(|t| self.tokenizer.encode(t, MAX_TOKENS)).collect();
        let mut order: Vec<usize> = (0..encoded.len()).collect();
        order.sort_by_key(|&i| encoded[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let rows: Vec<&[u32]> = chunk.iter().map(|&i| encoded[i].as_slice()).collect();
            for (&i, embedding) in chunk.iter().zip(self.run(&rows)?) {
                out[i] = embedding;
            }
        }
        Ok(out)
    }

    /// One model run over token id rows ([CLS] ... [SEP]), padded to the longest.
    fn run(&self, rows: &[&[u32]]) -> Result<Vec<Vec<f32>>, TextEngineError> {
        let batch = rows.len();
        let width = rows.iter().map(|r| r.len()).max().unwrap_or(0);
        if batch == 0 || width == 0 {
            return Ok(Vec::new());
        }
        let mut ids = vec![i64::from(self.tokenizer.pad_id()); batch * width];
        let mut mask = vec![0i64; batch * width];
        for (row, tokens) in rows.iter().enumerate() {
            for (col, &id) in tokens.iter().enumerate() {
                ids[row * width + col] = i64::from(id);
                mask[row * width + col] = 1;
            }
        }

        let fail = |e: ort::Error| TextEngineError::Inference(e.to_string());
        let ids = TensorRef::from_array_view(([batch, width], ids.as_slice())).map_err(fail)?;
        let mask = TensorRef::from_array_view(([batch, width], mask.as_slice())).map_err(fail)?;
        let mut session = self.session.lock().map_err(|_| {
            TextEngineError::Inference("the text model session was poisoned by an earlier panic".to_owned())
        })?;
        let outputs = session.run(ort::inputs!["input_ids" => ids, "attention_mask" => mask]).map_err(fail)?;
        let (_, embedding) = outputs["embedding"].try_extract_tensor::<f32>().map_err(fail)?;
        if embedding.len() != batch * DIM {
            return Err(TextEngineError::Inference(format!(
                "the model returned {} values, not {batch} embeddings of {DIM}",
                embedding.len()
            )));
        }
        Ok(embedding.chunks_exact(DIM).map(<[f32]>::to_vec).collect())
    }
}
