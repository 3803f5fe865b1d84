//! Final tags out of the back-end API: an asset's tags (the service's `AssetTags`: smart tags after
//! thresholds and moderation, and manual tags) as core's export input, then JSON, CSV, an XMP
//! sidecar, or a copy of the JPEG with that XMP embedded (`smart_tags_core::export`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use smart_tags_core::export::{csv, json, words_of, xmp, xmp_jpeg, ExportAsset, ExportTag};
use smart_tags_core::tags::{AssetTags, SmartTag};

use super::error::BackendError;

/// The formats of the export routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xmp,
}

impl Format {
    pub fn parse(text: Option<&str>) -> Result<Format, BackendError> {
        match text.unwrap_or("json") {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "xmp" => Ok(Format::Xmp),
            other => Err(BackendError::BadRequest(format!("format must be json, csv or xmp, not {other:?}"))),
        }
    }
}

fn export_tag(tag: &SmartTag, confirmed: bool) -> ExportTag {
    ExportTag {
        id: tag.id.clone(),
        title: tag.title.clone(),
        path: tag.path.clone(),
        confidence: tag.confidence,
        source: tag.source,
        confirmed,
    }
}

/// One asset's export input from its `tags` value (manual tags first, confirmed; then smart tags)
/// and its `text` value (the words read in the picture).
pub fn asset(name: &str, content_hash: Option<&str>, tags: Option<&Value>, text: Option<&Value>) -> ExportAsset {
    let tags: AssetTags = tags.cloned().and_then(|t| serde_json::from_value(t).ok()).unwrap_or_default();
    let mut out: Vec<ExportTag> = tags.manual.iter().map(|t| export_tag(t, true)).collect();
    out.extend(tags.smart.iter().filter(|t| !tags.manual.iter().any(|m| m.id == t.id)).map(|t| export_tag(t, false)));
    ExportAsset {
        name: name.to_owned(),
        content_hash: content_hash.map(str::to_owned),
        tags: out,
        words: words_of(text),
    }
}

fn with_type(body: String, content_type: &'static str, file_name: Option<String>) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(name) = file_name {
        let safe: String = name.chars().filter(|c| c.is_ascii_graphic() && *c != '"' && *c != '\\').collect();
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
            response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}

/// The assets in `format`; XMP takes exactly one asset.
pub fn render(assets: &[ExportAsset], format: Format) -> Result<Response, BackendError> {
    Ok(match format {
        Format::Json => with_type(json::to_json(assets), "application/json", None),
        Format::Csv => with_type(csv::to_csv(assets), "text/csv; charset=utf-8", Some("smart-tags.csv".to_owned())),
        Format::Xmp => {
            let [one] = assets else {
                return Err(BackendError::BadRequest("format=xmp answers one asset: name it with asset_id".to_owned()));
            };
            with_type(xmp::to_xmp(one), "application/rdf+xml", Some(xmp::sidecar_name(&one.name)))
        }
    })
}

/// A copy of `jpeg` with the asset's XMP embedded.
pub fn jpeg_with_xmp(jpeg: &[u8], asset: &ExportAsset) -> Result<Response, BackendError> {
    let out = xmp_jpeg::embed(jpeg, &xmp::to_xmp(asset)).map_err(|e| BackendError::BadImage(e.to_string()))?;
    let mut response = (StatusCode::OK, out).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    Ok(response)
}
