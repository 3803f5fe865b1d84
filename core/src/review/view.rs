//! The plain shapes the page gets (camelCase, as docs/review-session.md lists them).

use serde::Serialize;

use super::tag::TagState;
use crate::tags::TagSource;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagView {
    pub id: String,
    pub title: String,
    pub path: Vec<String>,
    pub confidence: f32,
    pub source: TagSource,
    pub model_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// The effective threshold of the uncertainty score.
    pub threshold: f32,
    pub state: TagState,
    /// A suggestion the view threshold hides.
    pub hidden: bool,
    /// Part of the final tags.
    #[serde(rename = "final")]
    pub is_final: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hidden {
    pub count: usize,
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetView {
    pub key: String,
    pub name: String,
    pub tags: Vec<TagView>,
    /// The queue score; none when nothing is left to decide.
    pub uncertainty: Option<f32>,
    pub hidden: Hidden,
    /// Tags a person decided (accepted, rejected, manual).
    pub decided: usize,
    /// Suggestions nobody decided yet.
    pub undecided: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HiddenAsset {
    pub key: String,
    pub count: usize,
    pub ids: Vec<String>,
}

/// What the view threshold hides, in total and per asset (assets with nothing hidden left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HiddenReport {
    pub count: usize,
    pub assets: Vec<HiddenAsset>,
}
