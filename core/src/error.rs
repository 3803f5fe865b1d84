//! The one error type of preprocessing. Messages are lowercase and safe to show to a person.

use thiserror::Error;

use crate::color::ColorError;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PreprocessError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes, more than the limit of {limit} bytes")]
    TooManyBytes { size: usize, limit: usize },
    #[error("the image is {width}x{height} pixels, more than the limit of {limit} pixels")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    #[error("the image is {width}x{height}; each side must be at most {limit} pixels")]
    SideTooLong { width: u32, height: u32, limit: u32 },
    #[error("the image has a zero width or height")]
    ZeroSize,
    #[error("unsupported image format: only jpeg, png, webp, gif and bmp are accepted")]
    UnsupportedFormat,
    #[error("the image could not be decoded: {0}")]
    Corrupt(String),
    #[error("decoding would need more memory than the limit allows")]
    MemoryLimit,
    #[error("the thumbnail could not be encoded: {0}")]
    Encode(String),
    /// The colour options are out of range (checked before decoding).
    #[error(transparent)]
    Colors(#[from] ColorError),
}

impl PreprocessError {
    /// A short machine-readable kind for callers that branch on it (the browser worker):
    /// `too_large`, `unsupported`, `corrupt`, `invalid_options` or `failed`.
    pub fn code(&self) -> &'static str {
        match self {
            PreprocessError::TooManyBytes { .. }
            | PreprocessError::TooManyPixels { .. }
            | PreprocessError::SideTooLong { .. }
            | PreprocessError::MemoryLimit => "too_large",
            PreprocessError::UnsupportedFormat => "unsupported",
            PreprocessError::Empty | PreprocessError::ZeroSize | PreprocessError::Corrupt(_) => "corrupt",
            PreprocessError::Colors(_) => "invalid_options",
            PreprocessError::Encode(_) => "failed",
        }
    }
}
