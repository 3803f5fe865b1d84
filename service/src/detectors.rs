//! The detectors beside the image model: BlazeFace full range (faces), SSD-MobileNetV2 Open
//! Images (people seen from any side) and PP-OCRv4 (text), run by ONNX Runtime on the asset's
//! thumbnail. The
//! post-processing — letterbox, anchors, decoding, suppression, the people summary — is
//! `smart_tags_core::detect`; this module only loads the models and runs them.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use image::RgbImage;
use ort::session::Session;
use ort::value::TensorRef;
use serde::{Deserialize, Serialize};
use smart_tags_core::detect::anchors::{generate, Anchor};
use smart_tags_core::detect::classes::Detected;
use smart_tags_core::detect::decode::{decode, suppress};
use smart_tags_core::detect::letterbox::tensor_nchw;
use smart_tags_core::detect::models::{DetectorSpec, FACE_FULL_RANGE, OBJECTS_OIDV4, OIDV4_PERSON};
use smart_tags_core::detect::people::{summarize, People, PeopleOptions};
use smart_tags_core::detect::text::{
    box_in_image, ctc_decode, det_tensor, rec_tensor, text_boxes, text_confidence, TextOptions, Word, REC_HEIGHT,
};
use smart_tags_core::detect::Detection;

use crate::engine::{environment, file_digest, session, EngineError};

/// Where the detector models are: `$CACHE/models/<name>/model.onnx` (scripts/setup-detectors.sh).
#[derive(Debug, Clone)]
pub struct DetectorsConfig {
    /// The folder holding `blazeface-full-range/`, `ssd-mobilenetv2-oidv4/` and `ppocr-v4/`.
    pub models_dir: PathBuf,
    pub runtime_library: PathBuf,
    pub threads: usize,
}

/// What the detectors found in one picture, in the picture's normalised coordinates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeopleFound {
    /// Detector versions, e.g. `blazeface-full-range@1a2b3c4d5e6f+ssd-mobilenetv2-oidv4@…`.
    pub version: String,
    /// Faces at or above the counting threshold, best first.
    pub faces: Vec<Detection>,
    /// Person boxes at or above the counting threshold, best first.
    pub persons: Vec<Detection>,
    /// Counts and the people concepts' confidences.
    pub summary: People,
}

/// One ONNX detector with its anchors.
struct Detector {
    spec: &'static DetectorSpec,
    anchors: Vec<Anchor>,
    session: Mutex<Session>,
    input: String,
    boxes: String,
    scores: String,
    version: String,
}

impl Detector {
    fn load(
        env: &ort::environment::Environment,
        dir: &Path,
        spec: &'static DetectorSpec,
        threads: usize,
    ) -> Result<Detector, EngineError> {
        let path = dir.join(spec.name).join("model.onnx");
        let model_error = |message: String| EngineError::Model { path: path.clone(), message };
        if !path.is_file() {
            return Err(model_error("no such file (run scripts/setup.sh)".to_owned()));
        }
        let session = session(env, &path, threads).map_err(|e| model_error(e.to_string()))?;
        let (input, outputs) = {
            let inputs: Vec<String> = session.inputs().iter().map(|i| i.name().to_owned()).collect();
            let outputs: Vec<String> = session.outputs().iter().map(|o| o.name().to_owned()).collect();
            (inputs, outputs)
        };
        let [input] = input.as_slice() else {
            return Err(model_error(format!("expected one input, found {}", input.len())));
        };
        // The converted graphs keep the tflite names: the box regressions come first.
        let [boxes, scores] = outputs.as_slice() else {
            return Err(model_error(format!("expected two outputs (boxes, scores), found {}", outputs.len())));
        };
        let digest = file_digest(&path).map_err(|e| model_error(e.to_string()))?;
        Ok(Detector {
            spec,
            anchors: generate(&spec.anchors),
            session: Mutex::new(session),
            input: input.clone(),
            boxes: boxes.clone(),
            scores: scores.clone(),
            version: format!("{}@{digest}", spec.name),
        })
    }

    /// Every detection above the spec's decoding floor, suppressed, in image coordinates.
    fn run(&self, image: &RgbImage) -> Result<Vec<Detection>, EngineError> {
        let spec = self.spec;
        let (tensor, letterbox) =
            tensor_nchw(image, spec.input_width, spec.input_height, spec.keep_aspect_ratio, spec.range)
                .map_err(|e| EngineError::Inference(e.to_string()))?;
        let fail = |e: ort::Error| EngineError::Inference(e.to_string());
        let shape = [1usize, 3, spec.input_height as usize, spec.input_width as usize];
        let input = TensorRef::from_array_view((shape, tensor.as_slice())).map_err(fail)?;
        let mut session = self
            .session
            .lock()
            .map_err(|_| EngineError::Inference("a detector session was poisoned by an earlier panic".to_owned()))?;
        let outputs = session.run(ort::inputs![self.input.as_str() => input]).map_err(fail)?;
        let (_, boxes) = outputs[self.boxes.as_str()].try_extract_tensor::<f32>().map_err(fail)?;
        let (_, scores) = outputs[self.scores.as_str()].try_extract_tensor::<f32>().map_err(fail)?;
        let found = decode(boxes, scores, &self.anchors, &spec.decode)
            .map_err(|e| EngineError::Inference(format!("{}: {e}", spec.name)))?;
        let mut kept = suppress(found, spec.suppression, spec.max_detections);
        letterbox.detections_to_image(&mut kept);
        Ok(kept)
    }
}

/// The face and person detectors, loaded once per process.
pub struct Detectors {
    faces: Detector,
    objects: Detector,
    options: PeopleOptions,
}

impl Detectors {
    pub fn load(config: &DetectorsConfig) -> Result<Detectors, EngineError> {
        let env = environment(&config.runtime_library)?;
        Ok(Detectors {
            faces: Detector::load(env, &config.models_dir, &FACE_FULL_RANGE, config.threads)?,
            objects: Detector::load(env, &config.models_dir, &OBJECTS_OIDV4, config.threads)?,
            options: PeopleOptions::default(),
        })
    }

    /// Both detectors' versions.
    pub fn version(&self) -> String {
        format!("{}+{}", self.faces.version, self.objects.version)
    }

    /// The faces in `image`, every one above the decoding floor (see `FACE_FULL_RANGE`).
    pub fn faces(&self, image: &RgbImage) -> Result<Vec<Detection>, EngineError> {
        self.faces.run(image)
    }

    /// The person boxes in `image`, every one above the decoding floor (see `OBJECTS_OIDV4`).
    pub fn persons(&self, image: &RgbImage) -> Result<Vec<Detection>, EngineError> {
        Ok(self.objects.run(image)?.into_iter().filter(|d| d.class == OIDV4_PERSON).collect())
    }

    /// The people in `image` (the upright thumbnail).
    pub fn people(&self, image: &RgbImage) -> Result<PeopleFound, EngineError> {
        let faces = self.faces(image)?;
        let persons = self.persons(image)?;
        let summary = summarize(&faces, &persons, &self.options);
        let faces = faces.into_iter().filter(|d| d.score >= self.options.face_min).collect();
        let persons = persons.into_iter().filter(|d| d.score >= self.options.person_min).collect();
        Ok(PeopleFound { version: self.version(), faces, persons, summary })
    }
}

/// The words read in one picture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextFound {
    /// Detection and recognition model versions.
    pub version: String,
    /// Words (or lines) of two letters or digits or more read with a score of at least 0.5,
    /// most probable boxes first.
    pub words: Vec<Word>,
    /// Confidence that the picture contains text (the best word of two or more letters).
    pub confidence: f32,
}

/// What one detector found: `None` when it did not run.
pub type Finding<T> = Option<Result<T, EngineError>>;

/// Runs the people detectors and the text reader on one image at once, on two threads (each
/// model keeps its own intra-op threads; spinning is off, so neither waits on the other's idle
/// threads); `None` for a detector not given. Measured by `tests/examples/bench_detectors.rs`.
pub fn find_all(
    people: Option<&Detectors>,
    text: Option<&TextReader>,
    image: &RgbImage,
) -> (Finding<PeopleFound>, Finding<TextFound>) {
    let started = std::time::Instant::now();
    let found = match (people, text) {
        (Some(people), Some(text)) => std::thread::scope(|scope| {
            let found = scope.spawn(|| people.people(image));
            let read = text.read(image);
            let found = found.join().unwrap_or_else(|_| {
                Err(EngineError::Inference("the people detectors stopped unexpectedly".to_owned()))
            });
            (Some(found), Some(read))
        }),
        (people, text) => (people.map(|d| d.people(image)), text.map(|r| r.read(image))),
    };
    if found.0.is_some() || found.1.is_some() {
        metrics::histogram!("smart_tags_detectors_seconds").record(started.elapsed().as_secs_f64());
    }
    found
}

/// Everything the detectors found in one file, as stored per content hash and answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Findings {
    #[serde(default)]
    pub people: Option<PeopleFound>,
    #[serde(default)]
    pub text: Option<TextFound>,
}

impl Findings {
    /// What the concept graph needs of them.
    pub fn detected(&self) -> Detected<'_> {
        Detected {
            people: self.people.as_ref().map(|p| &p.summary),
            text: self.text.as_ref().map(|t| t.confidence),
            words: self.text.as_ref().map_or(&[], |t| t.words.as_slice()),
            scenes: None,
        }
    }

    /// Only what the workflow's steps still ask for: a step switched off (privacy) drops what it
    /// found before from the tags.
    pub fn allowed_by(self, workflow: &smart_tags_core::workflow::Workflow) -> Findings {
        use smart_tags_core::workflow::StepKind;
        Findings {
            people: self.people.filter(|_| workflow.runs(StepKind::People)),
            text: self.text.filter(|_| workflow.runs(StepKind::Text)),
        }
    }

    /// These findings, with each part they lack taken from `other`.
    pub fn or_else(self, other: Findings) -> Findings {
        Findings { people: self.people.or(other.people), text: self.text.or(other.text) }
    }

    /// The detectors' versions, e.g. `blazeface…+ssd…` and/or `ppocr-v4-det@…+…`.
    pub fn version(&self) -> String {
        [self.people.as_ref().map(|p| p.version.as_str()), self.text.as_ref().map(|t| t.version.as_str())]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("+")
    }
}

/// PP-OCRv4 detection and recognition (`ppocr-v4/det.onnx`, `rec.onnx`, `dict.txt`).
pub struct TextReader {
    det: Mutex<Session>,
    rec: Mutex<Session>,
    dict: Vec<String>,
    options: TextOptions,
    version: String,
}

impl TextReader {
    pub fn load(config: &DetectorsConfig) -> Result<TextReader, EngineError> {
        let env = environment(&config.runtime_library)?;
        let dir = config.models_dir.join("ppocr-v4");
        let open = |name: &str| -> Result<(Session, String), EngineError> {
            let path = dir.join(name);
            let model_error = |message: String| EngineError::Model { path: path.clone(), message };
            if !path.is_file() {
                return Err(model_error("no such file (run scripts/setup.sh)".to_owned()));
            }
            let session = session(env, &path, config.threads).map_err(|e| model_error(e.to_string()))?;
            let digest = file_digest(&path).map_err(|e| model_error(e.to_string()))?;
            Ok((session, digest))
        };
        let (det, det_digest) = open("det.onnx")?;
        let (rec, rec_digest) = open("rec.onnx")?;
        let dict_path = dir.join("dict.txt");
        let dict: Vec<String> = std::fs::read_to_string(&dict_path)
            .map_err(|e| EngineError::Model {
                path: dict_path.clone(),
                message: format!("{e} (run scripts/setup.sh)"),
            })?
            .lines()
            .map(str::to_owned)
            .collect();
        if dict.len() < 100 {
            return Err(EngineError::Model {
                path: dict_path,
                message: format!("{} characters: not the recogniser's dictionary", dict.len()),
            });
        }
        Ok(TextReader {
            det: Mutex::new(det),
            rec: Mutex::new(rec),
            dict,
            options: TextOptions::default(),
            version: format!("ppocr-v4-det@{det_digest}+ppocr-v4-rec@{rec_digest}"),
        })
    }

    /// The words in `image` (the upright thumbnail); recognition runs only on the boxes that
    /// detection found.
    pub fn read(&self, image: &RgbImage) -> Result<TextFound, EngineError> {
        let fail = |e: ort::Error| EngineError::Inference(e.to_string());
        let poisoned = || EngineError::Inference("a text model session was poisoned by an earlier panic".to_owned());
        let (tensor, w, h) = det_tensor(image).map_err(|e| EngineError::Inference(e.to_string()))?;
        let prob: Vec<f32> = {
            let input =
                TensorRef::from_array_view(([1usize, 3, h as usize, w as usize], tensor.as_slice())).map_err(fail)?;
            let mut det = self.det.lock().map_err(|_| poisoned())?;
            let outputs = det.run(ort::inputs![input]).map_err(fail)?;
            let (_, prob) = outputs[0].try_extract_tensor::<f32>().map_err(fail)?;
            prob.to_vec()
        };
        let mut words = Vec::new();
        for text_box in text_boxes(&prob, w, h, &self.options) {
            let (crop, bbox) = box_in_image(&text_box, w, h, image);
            let (tensor, width) = rec_tensor(image, crop).map_err(|e| EngineError::Inference(e.to_string()))?;
            let input =
                TensorRef::from_array_view(([1usize, 3, REC_HEIGHT as usize, width as usize], tensor.as_slice()))
                    .map_err(fail)?;
            let mut rec = self.rec.lock().map_err(|_| poisoned())?;
            let outputs = rec.run(ort::inputs![input]).map_err(fail)?;
            let (shape, probs) = outputs[0].try_extract_tensor::<f32>().map_err(fail)?;
            let classes = shape.last().copied().unwrap_or(0).max(0) as usize;
            if let Some((text, score)) = ctc_decode(probs, classes, &self.dict) {
                // A lone letter or digit is more often a shape than a word (a cup read as "O").
                if score >= self.options.min_word_score && text.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
                    words.push(Word { text, score, bbox });
                }
            }
        }
        let confidence = text_confidence(&words);
        Ok(TextFound { version: self.version.clone(), words, confidence })
    }
}
