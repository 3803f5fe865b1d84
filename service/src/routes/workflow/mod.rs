//! The auto-tagging workflow routes (`smart_tags_core::workflow`, docs/workflow.md), one per file.

pub mod get;
pub mod put;

use smart_tags_core::workflow::WorkflowError;

use crate::error::ServiceError;

/// A definition's problems as the error answer (422 `invalid_workflow` listing each one).
pub(crate) fn refused(error: WorkflowError) -> ServiceError {
    match error {
        WorkflowError::Invalid(problems) => ServiceError::InvalidWorkflow(problems),
        other => ServiceError::BadInput(other.to_string()),
    }
}
