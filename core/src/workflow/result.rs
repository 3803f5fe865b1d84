//! What one asset's run of the workflow gives the host DAM: each step's status, how many tries it
//! took and why it failed or was skipped, and the outcome.

use serde::{Deserialize, Serialize};

use super::{StepKind, Workflow};

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Succeeded,
    Failed,
    /// Not run: disabled, smart tagging off for the folder, or a step it needs failed.
    Skipped,
}

/// One step of one asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    pub step: StepKind,
    pub status: StepStatus,
    /// Tries made (0 when skipped).
    #[serde(default)]
    pub attempts: u32,
    /// A machine-readable reason (`service_unavailable`, `timeout`, `smart_tags_off`, `disabled`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Why it failed or was skipped, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Time the step took, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<f64>,
}

impl StepResult {
    pub fn succeeded(step: StepKind, attempts: u32, ms: Option<f64>) -> StepResult {
        StepResult { step, status: StepStatus::Succeeded, attempts, code: None, reason: None, ms }
    }

    pub fn failed(step: StepKind, attempts: u32, code: impl Into<String>, reason: impl Into<String>) -> StepResult {
        StepResult {
            step,
            status: StepStatus::Failed,
            attempts,
            code: Some(code.into()),
            reason: Some(reason.into()),
            ms: None,
        }
    }

    pub fn skipped(step: StepKind, code: impl Into<String>, reason: impl Into<String>) -> StepResult {
        StepResult {
            step,
            status: StepStatus::Skipped,
            attempts: 0,
            code: Some(code.into()),
            reason: Some(reason.into()),
            ms: None,
        }
    }
}

/// How the asset's run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every step that ran succeeded.
    Completed,
    /// A step failed, but each failed step has Ignore Errors: the upload is done, the asset can
    /// be re-tagged later.
    CompletedWithErrors,
    /// A step without Ignore Errors failed: the host is told and can retry.
    Failed,
}

/// The outcome of `results` under `workflow`: failed as soon as a failed step does not ignore
/// errors (a step missing from the workflow never ignores them).
pub fn outcome(workflow: &Workflow, results: &[StepResult]) -> Outcome {
    let mut ignored = false;
    for result in results.iter().filter(|r| r.status == StepStatus::Failed) {
        match workflow.step(result.step) {
            Some(step) if step.ignore_errors => ignored = true,
            _ => return Outcome::Failed,
        }
    }
    if ignored {
        Outcome::CompletedWithErrors
    } else {
        Outcome::Completed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Step;

    fn workflow(ignore_smart: bool) -> Workflow {
        Workflow {
            steps: vec![
                Step::new(StepKind::Thumbnails),
                Step { ignore_errors: ignore_smart, ..Step::new(StepKind::SmartTags) },
                Step::new(StepKind::ColorTags),
            ],
            ..Workflow::default()
        }
    }

    #[test]
    fn outcomes() {
        let ok =
            [StepResult::succeeded(StepKind::Thumbnails, 1, None), StepResult::succeeded(StepKind::SmartTags, 1, None)];
        assert_eq!(outcome(&workflow(false), &ok), Outcome::Completed);
        let smart_failed = [
            StepResult::succeeded(StepKind::Thumbnails, 1, None),
            StepResult::failed(StepKind::SmartTags, 3, "service_unavailable", "the tagging service is not answering"),
            StepResult::succeeded(StepKind::ColorTags, 1, None),
        ];
        assert_eq!(outcome(&workflow(true), &smart_failed), Outcome::CompletedWithErrors);
        assert_eq!(outcome(&workflow(false), &smart_failed), Outcome::Failed);
        let thumbs_failed = [StepResult::failed(StepKind::Thumbnails, 1, "bad_image", "not an image")];
        assert_eq!(outcome(&workflow(true), &thumbs_failed), Outcome::Failed);
        let skipped = [StepResult::skipped(StepKind::SmartTags, "smart_tags_off", "off")];
        assert_eq!(outcome(&workflow(false), &skipped), Outcome::Completed);
    }

    #[test]
    fn wire_form() {
        let result = StepResult::failed(StepKind::SmartTags, 3, "timeout", "no answer in 30 s");
        let json = serde_json::to_string(&result).unwrap();
        assert_eq!(
            json,
            r#"{"step":"smart_tags","status":"failed","attempts":3,"code":"timeout","reason":"no answer in 30 s"}"#
        );
        assert_eq!(serde_json::to_string(&Outcome::CompletedWithErrors).unwrap(), "\"completed_with_errors\"");
    }
}
