//! Exports without a session: `exportJson(assets)`, `exportCsv(assets)`, `exportXmp(asset)` and
//! `xmpSidecarName(name)`, on `{name, contentHash?, tags: [{id, title, path, confidence, source,
//! confirmed?}], words?}` (smart_tags_core::export; `words`: read in the picture).

use smart_tags_core::export::{self, ExportAsset};
use wasm_bindgen::prelude::*;

use crate::review::from_js;

#[wasm_bindgen(js_name = exportJson)]
pub fn export_json(#[wasm_bindgen(unchecked_param_type = "ExportAsset[]")] assets: JsValue) -> Result<String, JsError> {
    let assets: Vec<ExportAsset> = from_js(&assets, "the assets")?;
    Ok(export::json::to_json(&assets))
}

#[wasm_bindgen(js_name = exportCsv)]
pub fn export_csv(#[wasm_bindgen(unchecked_param_type = "ExportAsset[]")] assets: JsValue) -> Result<String, JsError> {
    let assets: Vec<ExportAsset> = from_js(&assets, "the assets")?;
    Ok(export::csv::to_csv(&assets))
}

#[wasm_bindgen(js_name = exportXmp)]
pub fn export_xmp(#[wasm_bindgen(unchecked_param_type = "ExportAsset")] asset: JsValue) -> Result<String, JsError> {
    let asset: ExportAsset = from_js(&asset, "the asset")?;
    Ok(export::xmp::to_xmp(&asset))
}

/// `IMG_0001.JPG` → `IMG_0001.xmp`.
#[wasm_bindgen(js_name = xmpSidecarName)]
pub fn xmp_sidecar_name(name: &str) -> String {
    export::xmp::sidecar_name(name)
}
