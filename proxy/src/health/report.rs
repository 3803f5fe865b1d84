//! The result of Check Health.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Failed,
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// One step: `step` is its stable id, `title` what it checks.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub step: &'static str,
    pub title: &'static str,
    pub status: Status,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// No step failed (warnings allowed).
    pub healthy: bool,
    pub summary: String,
    pub steps: Vec<Step>,
}

impl Report {
    pub fn new(steps: Vec<Step>) -> Report {
        let failed = steps.iter().find(|s| s.status == Status::Failed);
        let warnings = steps.iter().filter(|s| s.status == Status::Warning).count();
        let summary = match (failed, warnings) {
            (Some(step), _) => format!("{} failed: {}", step.title, step.reason),
            (None, 0) => "healthy configuration".to_owned(),
            (None, 1) => "healthy configuration, with 1 warning".to_owned(),
            (None, n) => format!("healthy configuration, with {n} warnings"),
        };
        Report { healthy: failed.is_none(), summary, steps }
    }

    /// The step with id `step`.
    pub fn step(&self, step: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.step == step)
    }

    /// The report as lines for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push_str(&format!("{:<8} {}: {}\n", step.status.as_str(), step.title, step.reason));
        }
        out.push_str(&self.summary);
        out.push('\n');
        out
    }
}
