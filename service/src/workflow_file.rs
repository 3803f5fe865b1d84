//! The `--workflow FILE` of the binary: a workflow definition in JSON or TOML (same shape as
//! `PUT /v1/workflow`, documented in `workflow.example.toml`), read and validated at start-up.
//! A `.toml` file is read as TOML, anything else as JSON.

use std::path::{Path, PathBuf};

use smart_tags_core::workflow::{Workflow, WorkflowError};

/// Largest workflow file read.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum WorkflowFileError {
    #[error("cannot read the workflow file {path}: {error}")]
    Read { path: PathBuf, error: std::io::Error },
    #[error("the workflow file {path} is larger than {MAX_FILE_BYTES} bytes")]
    TooLarge { path: PathBuf },
    #[error("the workflow file {path} is not valid {format}: {message}")]
    Syntax { path: PathBuf, format: &'static str, message: String },
    #[error("the workflow file {path}: {error}")]
    Invalid { path: PathBuf, error: WorkflowError },
}

/// Reads and validates a workflow file.
pub fn read(path: &Path) -> Result<Workflow, WorkflowFileError> {
    let read_error = |error| WorkflowFileError::Read { path: path.to_owned(), error };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    if size > MAX_FILE_BYTES {
        return Err(WorkflowFileError::TooLarge { path: path.to_owned() });
    }
    let text = std::fs::read_to_string(path).map_err(read_error)?;
    let is_toml = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let syntax = |format, message: String| WorkflowFileError::Syntax { path: path.to_owned(), format, message };
    let workflow: Workflow = if is_toml {
        toml::from_str(&text).map_err(|e| syntax("toml", e.message().to_owned()))?
    } else {
        serde_json::from_str(&text).map_err(|e| syntax("json", e.to_string()))?
    };
    workflow.validate().map_err(|error| WorkflowFileError::Invalid { path: path.to_owned(), error })?;
    Ok(workflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use smart_tags_core::workflow::{SourceKind, StepKind};

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_example_file_is_a_valid_workflow() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflow.example.toml");
        let workflow = read(&example).unwrap();
        let smart = workflow.step(StepKind::SmartTags).unwrap();
        assert!(smart.ignore_errors, "the example shows Ignore Errors on");
        assert_eq!(smart.sources, SourceKind::ALL);
        assert_eq!(workflow.retag.unchanged_after_hours, 24);
    }

    #[test]
    fn toml_and_json_give_the_same_workflow() {
        let dir = tempfile::tempdir().unwrap();
        let toml = write(&dir, "w.toml", "[retag]\nunchanged_after_hours = 2\n\n[[steps]]\nkind = \"thumbnails\"\n\n[[steps]]\nkind = \"smart_tags\"\nretries = 4\nsources = [\"taxonomy\"]\n");
        let json = write(
            &dir,
            "w.json",
            r#"{"retag":{"unchanged_after_hours":2},"steps":[{"kind":"thumbnails"},{"kind":"smart_tags","retries":4,"sources":["taxonomy"]}]}"#,
        );
        let from_toml = read(&toml).unwrap();
        assert_eq!(from_toml, read(&json).unwrap());
        assert_eq!(from_toml.step(StepKind::SmartTags).unwrap().retries, 4);
        assert!(from_toml.step(StepKind::ColorTags).is_none());
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let typo = write(&dir, "typo.toml", "[[steps]]\nkind = \"smart_tags\"\nignore_error = true\n");
        assert!(
            matches!(read(&typo), Err(WorkflowFileError::Syntax { format: "toml", ref message, .. }) if message.contains("ignore_error"))
        );
        let invalid = write(&dir, "invalid.json", r#"{"steps":[{"kind":"smart_tags","retries":50,"timeout_ms":1}]}"#);
        let err = read(&invalid).unwrap_err();
        assert!(matches!(err, WorkflowFileError::Invalid { .. }), "{err}");
        assert!(err.to_string().contains("retries") && err.to_string().contains("timeout_ms"), "every problem: {err}");
        assert!(matches!(read(&dir.path().join("missing.toml")), Err(WorkflowFileError::Read { .. })));
        let big = write(&dir, "big.json", &" ".repeat(MAX_FILE_BYTES as usize + 1));
        assert!(matches!(read(&big), Err(WorkflowFileError::TooLarge { .. })));
    }
}
