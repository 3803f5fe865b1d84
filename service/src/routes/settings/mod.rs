//! The settings routes, one per file.

pub mod get_thresholds;
pub mod preview_thresholds;
pub mod put_thresholds;

/// Header carrying the settings version on the settings answers.
pub const VERSION_HEADER: &str = "x-smart-tags-settings-version";
