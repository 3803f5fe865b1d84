//! Folder settings routes: smart tagging, and face and person detection (the workflow's `people`
//! step, a privacy switch), each switched on or off per folder and inherited down the tree
//! (`smart_tags_core::workflow::folders`), one route per file.

pub mod list;
pub mod put;
pub mod resolve;

use serde::Serialize;
use smart_tags_core::workflow::{Effective, FolderPath, Resolution};

/// Every switch of a folder and which folder's setting decided each: smart tagging at the top
/// (`enabled`, `set_on`, as callers read it before the people switch), face and person detection
/// under `people`.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    pub path: FolderPath,
    pub enabled: bool,
    /// The folder whose own setting applies; null: none above has one (on by default).
    pub set_on: Option<String>,
    pub people: Effective,
}

impl Resolved {
    pub fn new(path: FolderPath, resolution: Resolution) -> Resolved {
        Resolved {
            path,
            enabled: resolution.smart_tags.enabled,
            set_on: resolution.smart_tags.set_on,
            people: resolution.people,
        }
    }
}
