//! Concept links of taxonomy tags: list them, add one by hand, confirm one, reject one, and find
//! concepts to link to. Confirmed and manual links weigh 1.0; rejected links are never scored
//! and never made again by the linker.

pub mod change;
pub mod concepts;
pub mod list;
pub mod preview;

use serde::{Deserialize, Serialize};

/// A link as the API shows it: the store's link plus the concept's title and path.
#[derive(Debug, Serialize, Deserialize)]
pub struct LinkView {
    pub tag_id: String,
    pub concept: String,
    pub concept_title: String,
    pub concept_path: Vec<String>,
    pub score: f32,
    pub method: smart_tags_core::mapping::LinkMethod,
    pub state: smart_tags_core::mapping::LinkState,
}
