//! Folder settings routes: smart tagging switched on or off per folder, inherited down the tree
//! (`smart_tags_core::workflow::folders`), one route per file.

pub mod list;
pub mod put;
pub mod resolve;

use serde::Serialize;
use smart_tags_core::workflow::{Effective, FolderPath};

/// Whether smart tagging is on for a folder and which folder's setting decided it.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    pub path: FolderPath,
    pub enabled: bool,
    /// The folder whose own setting applies; null: none above has one (on by default).
    pub set_on: Option<String>,
}

impl Resolved {
    pub fn new(path: FolderPath, effective: Effective) -> Resolved {
        Resolved { path, enabled: effective.enabled, set_on: effective.set_on }
    }
}
