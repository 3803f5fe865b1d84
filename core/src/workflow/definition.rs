//! The workflow definition: an ordered list of steps with their options, and the re-tag policy.
//! The JSON (and TOML) shape is documented in docs/workflow.md; a missing field takes its default
//! and an unknown one is refused, so a typo in a config file is an error, not a silent default.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::tags::TagSource;

/// Longest step timeout, in milliseconds (10 minutes).
pub const MAX_TIMEOUT_MS: u32 = 600_000;
/// Shortest step timeout, in milliseconds.
pub const MIN_TIMEOUT_MS: u32 = 100;
/// Most retries of one step.
pub const MAX_RETRIES: u32 = 10;
/// Longest first backoff, in milliseconds.
pub const MAX_BACKOFF_MS: u32 = 60_000;
/// Longest wait between two tries, whatever the retry number.
pub const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// Longest re-tag age, in hours (a year).
pub const MAX_RETAG_HOURS: u32 = 24 * 366;

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Decode the file (orientation fixed) and make its thumbnail; the other steps need the decode.
    Thumbnails,
    /// Generic, taxonomy and trained tags from the tagging service.
    SmartTags,
    /// Colour tags (the dominant colours).
    ColorTags,
    /// People tags from the face and person detectors (people, portrait, group, crowd, a face
    /// count), computed by the tagging service with the smart tags from the thumbnail. Off: the
    /// thumbnail is not sent and no face is looked for (privacy).
    People,
    /// Text in the picture, read by the tagging service with the smart tags from the thumbnail
    /// (a "text" tag, the words in the answer). Off: the words are not read.
    Text,
    /// Scene tags from the built-in scene model (sky, sea, mountains, city, interior…), computed
    /// by the tagging service from the image embedding with the smart tags. Off: no scene tag.
    Scenes,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Thumbnails => "thumbnails",
            StepKind::SmartTags => "smart_tags",
            StepKind::ColorTags => "color_tags",
            StepKind::People => "people",
            StepKind::Text => "text",
            StepKind::Scenes => "scenes",
        }
    }
}

/// Which smart tags the smart-tags step keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// WordNet concepts above the image model's classes.
    Generic,
    /// The customer's taxonomy tags.
    Taxonomy,
    /// Tags of the customer's trained models ("Enhanced Smart Tags").
    Trained,
}

impl SourceKind {
    pub const ALL: [SourceKind; 3] = [SourceKind::Generic, SourceKind::Taxonomy, SourceKind::Trained];

    /// Whether a tag from `source` is kept (colour and manual tags are not smart-tag sources).
    pub fn matches(self, source: TagSource) -> bool {
        matches!(
            (self, source),
            (SourceKind::Generic, TagSource::Generic)
                | (SourceKind::Taxonomy, TagSource::Taxonomy)
                | (SourceKind::Trained, TagSource::Trained)
        )
    }
}

fn yes() -> bool {
    true
}
fn default_timeout_ms() -> u32 {
    30_000
}
fn default_retries() -> u32 {
    2
}
fn default_backoff_ms() -> u32 {
    500
}
fn default_sources() -> Vec<SourceKind> {
    SourceKind::ALL.to_vec()
}

/// One step and its options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub kind: StepKind,
    /// A disabled step is skipped (reason "disabled").
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The asset's outcome stays a success when this step fails (AEM's "Ignore Errors").
    #[serde(default)]
    pub ignore_errors: bool,
    /// Tag even in folders where smart tagging is switched off (AEM's "Ignore Smart Tag Flag").
    #[serde(default)]
    pub ignore_smart_tag_flag: bool,
    /// Longest wait for one try.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u32,
    /// Tries after the first one, for failures worth retrying (timeouts, a service down or busy).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Wait before the first retry; doubled for each further one, at most 30 s.
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u32,
    /// The smart-tags step keeps tags of these sources.
    #[serde(default = "default_sources")]
    pub sources: Vec<SourceKind>,
}

impl Step {
    /// A step of `kind` with the default options.
    pub fn new(kind: StepKind) -> Step {
        Step {
            kind,
            enabled: true,
            ignore_errors: false,
            ignore_smart_tag_flag: false,
            timeout_ms: default_timeout_ms(),
            retries: default_retries(),
            backoff_ms: default_backoff_ms(),
            sources: default_sources(),
        }
    }

    /// The wait before retry number `retry` (1 for the first): `backoff_ms · 2^(retry−1)`, at most
    /// [`BACKOFF_CAP`].
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2_u64.saturating_pow(retry.saturating_sub(1).min(32));
        Duration::from_millis(u64::from(self.backoff_ms).saturating_mul(factor)).min(BACKOFF_CAP)
    }

    /// The longest wait for one try.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.timeout_ms))
    }

    /// Tries in all: the first and the retries.
    pub fn tries(&self) -> u32 {
        self.retries.saturating_add(1)
    }
}

/// When unchanged bytes are tagged again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetagPolicy {
    /// The same bytes whose prediction was made with another model, taxonomy or settings version
    /// are re-tagged only once that prediction is this many hours old (AEM: 24). 0 re-tags as soon
    /// as anything changed. Bytes whose prediction is current are never tagged twice.
    #[serde(default = "default_retag_hours")]
    pub unchanged_after_hours: u32,
}

fn default_retag_hours() -> u32 {
    24
}

impl Default for RetagPolicy {
    fn default() -> RetagPolicy {
        RetagPolicy { unchanged_after_hours: default_retag_hours() }
    }
}

fn default_steps() -> Vec<Step> {
    vec![
        Step::new(StepKind::Thumbnails),
        Step::new(StepKind::SmartTags),
        Step::new(StepKind::Scenes),
        Step::new(StepKind::People),
        Step::new(StepKind::Text),
        Step::new(StepKind::ColorTags),
    ]
}

/// The whole definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    /// In the order they run.
    #[serde(default = "default_steps")]
    pub steps: Vec<Step>,
    #[serde(default)]
    pub retag: RetagPolicy,
}

impl Default for Workflow {
    /// Thumbnails, smart tags, scenes, people, text, colour tags, all enabled, nothing ignored.
    fn default() -> Workflow {
        Workflow { steps: default_steps(), retag: RetagPolicy::default() }
    }
}

/// Every problem of a definition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("the workflow is not valid: {}", .0.join("; "))]
    Invalid(Vec<String>),
    #[error("the workflow cannot be read: {0}")]
    Syntax(String),
    #[error("{0}")]
    BadFolder(String),
}

impl Workflow {
    /// Parses and validates JSON.
    pub fn from_json(text: &str) -> Result<Workflow, WorkflowError> {
        let workflow: Workflow = serde_json::from_str(text).map_err(|e| WorkflowError::Syntax(e.to_string()))?;
        workflow.validate()?;
        Ok(workflow)
    }

    /// Checks the whole definition and reports every problem at once.
    pub fn validate(&self) -> Result<(), WorkflowError> {
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, step) in self.steps.iter().enumerate() {
            let name = step.kind.as_str();
            let at = format!("step {} ({name})", i + 1);
            if !seen.insert(step.kind) {
                problems.push(format!("{at}: {name} is listed twice"));
            }
            if !(MIN_TIMEOUT_MS..=MAX_TIMEOUT_MS).contains(&step.timeout_ms) {
                problems.push(format!("{at}: timeout_ms must be from {MIN_TIMEOUT_MS} to {MAX_TIMEOUT_MS}"));
            }
            if step.retries > MAX_RETRIES {
                problems.push(format!("{at}: retries must be at most {MAX_RETRIES}"));
            }
            if step.backoff_ms > MAX_BACKOFF_MS {
                problems.push(format!("{at}: backoff_ms must be at most {MAX_BACKOFF_MS}"));
            }
            let distinct: BTreeSet<_> = step.sources.iter().collect();
            if distinct.len() != step.sources.len() {
                problems.push(format!("{at}: a source is listed twice"));
            }
            if step.kind == StepKind::SmartTags && step.sources.is_empty() {
                problems
                    .push(format!("{at}: list at least one source (generic, taxonomy, trained) or disable the step"));
            }
            if step.kind != StepKind::SmartTags && step.ignore_smart_tag_flag {
                problems.push(format!("{at}: ignore_smart_tag_flag applies to the smart_tags step only"));
            }
        }
        let position = |kind| self.steps.iter().position(|s| s.kind == kind);
        if let Some(thumbnails) = position(StepKind::Thumbnails) {
            for kind in [StepKind::SmartTags, StepKind::ColorTags, StepKind::People, StepKind::Text, StepKind::Scenes] {
                if position(kind).is_some_and(|p| p < thumbnails) {
                    problems.push(format!("{} must come after thumbnails: it needs the decoded image", kind.as_str()));
                }
            }
        }
        for kind in [StepKind::People, StepKind::Text, StepKind::Scenes] {
            if let (Some(at), Some(smart)) = (position(kind), position(StepKind::SmartTags)) {
                if at < smart {
                    problems.push(format!(
                        "{} must come after smart_tags: the tagging service runs it with the smart tags",
                        kind.as_str()
                    ));
                }
            }
        }
        if self.retag.unchanged_after_hours > MAX_RETAG_HOURS {
            problems.push(format!("retag.unchanged_after_hours must be at most {MAX_RETAG_HOURS}"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(WorkflowError::Invalid(problems))
        }
    }

    /// The step of this kind, if listed.
    pub fn step(&self, kind: StepKind) -> Option<&Step> {
        self.steps.iter().find(|s| s.kind == kind)
    }

    /// Whether the step is listed and enabled.
    pub fn runs(&self, kind: StepKind) -> bool {
        self.step(kind).is_some_and(|s| s.enabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_come_after_smart_tags() {
        let wrong = Workflow::from_json(r#"{"steps":[{"kind":"thumbnails"},{"kind":"people"},{"kind":"smart_tags"}]}"#)
            .unwrap_err();
        assert!(wrong.to_string().contains("people must come after smart_tags"), "{wrong}");
        let wrong = Workflow::from_json(r#"{"steps":[{"kind":"text"},{"kind":"smart_tags"}]}"#).unwrap_err();
        assert!(wrong.to_string().contains("text must come after smart_tags"), "{wrong}");
        let off = Workflow::from_json(
            r#"{"steps":[{"kind":"thumbnails"},{"kind":"smart_tags"},{"kind":"people","enabled":false}]}"#,
        )
        .unwrap();
        assert!(!off.runs(StepKind::People) && off.runs(StepKind::SmartTags));
        assert!(
            !Workflow::from_json(r#"{"steps":[{"kind":"smart_tags"}]}"#).unwrap().runs(StepKind::People),
            "a step left out does not run"
        );
    }

    #[test]
    fn an_empty_object_is_the_default_workflow() {
        let workflow = Workflow::from_json("{}").unwrap();
        assert_eq!(workflow, Workflow::default());
        assert_eq!(
            workflow.steps.iter().map(|s| s.kind).collect::<Vec<_>>(),
            [
                StepKind::Thumbnails,
                StepKind::SmartTags,
                StepKind::Scenes,
                StepKind::People,
                StepKind::Text,
                StepKind::ColorTags
            ]
        );
        assert_eq!(workflow.retag.unchanged_after_hours, 24);
    }

    #[test]
    fn missing_options_take_their_defaults() {
        let workflow = Workflow::from_json(
            r#"{"steps":[{"kind":"thumbnails"},{"kind":"smart_tags","ignore_errors":true,"sources":["taxonomy"]}]}"#,
        )
        .unwrap();
        let smart = workflow.step(StepKind::SmartTags).unwrap();
        assert!(smart.enabled && smart.ignore_errors && !smart.ignore_smart_tag_flag);
        assert_eq!((smart.timeout_ms, smart.retries, smart.backoff_ms), (30_000, 2, 500));
        assert_eq!(smart.sources, [SourceKind::Taxonomy]);
        assert!(!workflow.runs(StepKind::ColorTags));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = Workflow::from_json(r#"{"steps":[{"kind":"smart_tags","ignore_error":true}]}"#).unwrap_err();
        assert!(matches!(err, WorkflowError::Syntax(ref m) if m.contains("ignore_error")), "{err}");
        assert!(Workflow::from_json(r#"{"steps":[{"kind":"ocr"}]}"#).is_err());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = r#"{"steps":[
            {"kind":"smart_tags","timeout_ms":5,"retries":11,"sources":[]},
            {"kind":"thumbnails","ignore_smart_tag_flag":true,"backoff_ms":70000},
            {"kind":"smart_tags"}],
            "retag":{"unchanged_after_hours":999999}}"#;
        let WorkflowError::Invalid(problems) = Workflow::from_json(text).unwrap_err() else {
            panic!("not a validation error")
        };
        let all = problems.join("\n");
        for expected in [
            "timeout_ms",
            "retries must be at most 10",
            "at least one source",
            "ignore_smart_tag_flag applies",
            "backoff_ms",
            "listed twice",
            "must come after thumbnails",
            "unchanged_after_hours",
        ] {
            assert!(all.contains(expected), "{expected:?} missing from:\n{all}");
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let step = Step { backoff_ms: 500, ..Step::new(StepKind::SmartTags) };
        assert_eq!(step.backoff(1), Duration::from_millis(500));
        assert_eq!(step.backoff(2), Duration::from_millis(1000));
        assert_eq!(step.backoff(3), Duration::from_millis(2000));
        assert_eq!(step.backoff(10), BACKOFF_CAP);
        assert_eq!(step.backoff(u32::MAX), BACKOFF_CAP);
        assert_eq!(step.tries(), 3);
    }

    #[test]
    fn sources_match_tag_sources() {
        assert!(SourceKind::Generic.matches(TagSource::Generic));
        assert!(!SourceKind::Generic.matches(TagSource::Taxonomy));
        assert!(!SourceKind::Trained.matches(TagSource::Color));
        assert!(!SourceKind::Taxonomy.matches(TagSource::Manual));
    }

    #[test]
    fn the_default_round_trips_through_json() {
        let text = serde_json::to_string(&Workflow::default()).unwrap();
        assert_eq!(Workflow::from_json(&text).unwrap(), Workflow::default());
    }
}
