//! Basic facts about a file, read in the same pass as its pixels: upright size, format, EXIF
//! orientation and, where the file has them, the camera's EXIF fields ([`exif`]).

pub mod exif;

use serde::{Deserialize, Serialize};

use crate::decode::Format;

/// Camera EXIF fields; each is `None` (and left out of JSON) when absent or unreadable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Camera {
    /// `DateTimeOriginal` as written (`2021:06:05 14:03:59`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time_original: Option<String>,
    /// The same as ISO 8601 (`2021-06-05T14:03:59`, with `OffsetTimeOriginal` when present), when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_time_original_iso: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub make: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lens_model: Option<String>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure_time: Option<f64>,
    /// As cameras print it: `1/120`, `2.5`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposure_time_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f_number: Option<f64>,
    /// `PhotographicSensitivity` (ISOSpeedRatings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iso: Option<u32>,
    /// Millimetres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focal_length: Option<f64>,
    /// Decimal degrees, negative south.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gps_latitude: Option<f64>,
    /// Decimal degrees, negative west.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gps_longitude: Option<f64>,
}

/// What a file says about itself. JSON keys are camelCase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// Upright width and height (after the EXIF orientation), of the full image.
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// The EXIF orientation value (1-8), when present and valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orientation: Option<u8>,
    #[serde(flatten)]
    pub camera: Camera,
}

impl Metadata {
    /// Compact JSON, camelCase keys, absent fields left out (what the browser binding hands over).
    pub fn to_json(&self) -> String {
        // Plain strings and finite numbers: serialisation cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}
