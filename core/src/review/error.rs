//! Errors of the review session.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReviewError {
    #[error("no asset {0} in this review")]
    UnknownAsset(String),
    #[error("the view threshold must be between 0 and 1, got {0}")]
    ViewThreshold(f32),
    #[error("min_confidence must be between 0 and 1, got {0}")]
    MinConfidence(f32),
    #[error("a tag id must not be empty")]
    EmptyTagId,
    #[error("a tag title must not be empty")]
    EmptyTitle,
    #[error("select at least one asset")]
    EmptySelection,
}
