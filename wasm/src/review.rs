//! The review session for the page (docs/review-session.md is the contract): `ReviewSession`,
//! `keyMap()` and `keyAction(event)`. Plain objects cross the boundary as JSON values
//! (`JSON.parse` of serde_json's text), so shapes are exactly those of `smart_tags_core::review`.

use js_sys::{Reflect, JSON};
use serde::de::DeserializeOwned;
use serde::Serialize;
use smart_tags_core::export::{ExportAsset, ExportFilter};
use smart_tags_core::review::{self, ReviewOptions};
use smart_tags_core::tags::AssetTags;
use wasm_bindgen::prelude::*;

/// A Rust value as a plain JS object.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&format!("cannot hand over the value: {e}")))?;
    JSON::parse(&text).map_err(|_| JsError::new("cannot hand over the value"))
}

/// A plain JS object as a Rust value; `what` names it in the error.
pub(crate) fn from_js<T: DeserializeOwned>(value: &JsValue, what: &str) -> Result<T, JsError> {
    let text: String = JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| JsError::new(&format!("{what} must be a plain object")))?;
    serde_json::from_str(&text).map_err(|e| JsError::new(&format!("{what} is not valid: {e}")))
}

#[wasm_bindgen(typescript_custom_section)]
const TS_SHAPES: &'static str = r#"
/** A tag as the service answers it (core/src/tags.rs). */
export type SmartTag = { id: string; title: string; path: string[]; confidence: number;
  source: "taxonomy" | "generic" | "color" | "manual" | "trained"; model_version: string;
  hex?: string; threshold?: number };
/** The `tags` of the service's asset answers. */
export type AssetTags = { smart: SmartTag[]; manual: SmartTag[]; removed: string[]; hidden: number };
/** One request body for POST /api/v1/assets/moderation (add `locale`). */
export type ModerationOp = { content_hash: string; tag_id: string;
  action: "promote" | "remove" | "add_manual" | "clear"; title?: string };
export type TagState = "suggested" | "accepted" | "rejected" | "manual";
export type TagView = { id: string; title: string; path: string[]; confidence: number;
  source: SmartTag["source"]; modelVersion: string; hex?: string; threshold: number;
  state: TagState; hidden: boolean; final: boolean };
export type AssetView = { key: string; name: string; tags: TagView[]; uncertainty: number | null;
  hidden: { count: number; ids: string[] }; decided: number; undecided: number };
export type FinalTag = { id: string; title: string; path: string[]; confidence: number;
  source: SmartTag["source"]; confirmed: boolean };
/** Which final tags an export keeps (both off: all). */
export type ExportFilter = { confirmedOnly?: boolean; taxonomyOnly?: boolean };
export type HiddenReport = { count: number; assets: { key: string; count: number; ids: string[] }[] };
export type ReviewAction = "nextAsset" | "previousAsset" | "nextTag" | "previousTag" | "accept" |
  "reject" | "addTag" | "undo" | "redo" | "toggleSelect" | "selectAll" | "thresholdDown" |
  "thresholdUp" | "export" | "help";
export type KeyBinding = { key: string; ctrl: boolean; shift: boolean; label: string;
  action: ReviewAction; description: string };
export type ReviewOptions = { minConfidence?: number };
export type KeyPress = { key: string; ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean; altKey?: boolean };
export type ExportAsset = { name: string; contentHash?: string;
  tags: (Omit<FinalTag, "confirmed"> & { confirmed?: boolean })[]; words?: string[] };
/** The `text` of the service's asset answers: the words read in the picture. */
export type TextFound = { version: string; confidence: number;
  words: { text: string; score: number; box: { x: number; y: number; width: number; height: number } }[] };
"#;

fn review_error(e: review::ReviewError) -> JsError {
    JsError::new(&e.to_string())
}

/// A review over many assets, keyed by content hash.
#[wasm_bindgen]
pub struct ReviewSession {
    inner: review::ReviewSession,
}

#[wasm_bindgen]
impl ReviewSession {
    /// `new ReviewSession({minConfidence?})`: the service's global minimum confidence (0.5).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "ReviewOptions")] options: Option<JsValue>,
    ) -> Result<ReviewSession, JsError> {
        let options: ReviewOptions = match options {
            Some(v) if !v.is_undefined() && !v.is_null() => from_js(&v, "the options")?,
            _ => ReviewOptions::default(),
        };
        Ok(ReviewSession { inner: review::ReviewSession::new(options).map_err(review_error)? })
    }

    /// Adds the asset, or replaces its tags by a service answer's `tags`. Answers the AssetView.
    #[wasm_bindgen(js_name = upsertAsset, unchecked_return_type = "AssetView")]
    pub fn upsert_asset(
        &mut self,
        key: &str,
        name: &str,
        #[wasm_bindgen(unchecked_param_type = "AssetTags")] tags: JsValue,
    ) -> Result<JsValue, JsError> {
        let tags: AssetTags = from_js(&tags, "the asset's tags")?;
        to_js(&self.inner.upsert_asset(key, name, &tags))
    }

    /// Keeps the words a service answer's `text` read in the asset's picture, for the exports
    /// (`undefined` or `null`: unchanged).
    #[wasm_bindgen(js_name = setText)]
    pub fn set_text(
        &mut self,
        key: &str,
        #[wasm_bindgen(unchecked_param_type = "TextFound | null | undefined")] text: JsValue,
    ) -> Result<(), JsError> {
        let text: Option<serde_json::Value> =
            if text.is_undefined() || text.is_null() { None } else { Some(from_js(&text, "the answer's text")?) };
        self.inner.set_text(key, text.as_ref()).map_err(review_error)
    }

    #[wasm_bindgen(js_name = removeAsset)]
    pub fn remove_asset(&mut self, key: &str) -> bool {
        self.inner.remove_asset(key)
    }

    /// The AssetView, or undefined.
    #[wasm_bindgen(unchecked_return_type = "AssetView | undefined")]
    pub fn asset(&self, key: &str) -> Result<JsValue, JsError> {
        match self.inner.asset(key) {
            Some(view) => to_js(&view),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Every AssetView, in queue order.
    #[wasm_bindgen(unchecked_return_type = "AssetView[]")]
    pub fn assets(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.assets())
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    /// Accepts the tag on the selected assets; answers the moderation requests to send.
    #[wasm_bindgen(unchecked_return_type = "ModerationOp[]")]
    pub fn accept(&mut self, keys: Vec<String>, tag_id: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.accept(&keys, tag_id).map_err(review_error)?)
    }

    #[wasm_bindgen(unchecked_return_type = "ModerationOp[]")]
    pub fn reject(&mut self, keys: Vec<String>, tag_id: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.reject(&keys, tag_id).map_err(review_error)?)
    }

    #[wasm_bindgen(unchecked_return_type = "ModerationOp[]")]
    pub fn add(
        &mut self,
        keys: Vec<String>,
        tag_id: &str,
        title: &str,
        path: Option<Vec<String>>,
    ) -> Result<JsValue, JsError> {
        to_js(&self.inner.add(&keys, tag_id, title, path.unwrap_or_default()).map_err(review_error)?)
    }

    /// The requests that restore the previous decisions; [] when there is nothing to undo.
    #[wasm_bindgen(unchecked_return_type = "ModerationOp[]")]
    pub fn undo(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.inner.undo())
    }

    #[wasm_bindgen(unchecked_return_type = "ModerationOp[]")]
    pub fn redo(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.inner.redo())
    }

    #[wasm_bindgen(js_name = canUndo)]
    pub fn can_undo(&self) -> bool {
        self.inner.can_undo()
    }

    #[wasm_bindgen(js_name = canRedo)]
    pub fn can_redo(&self) -> bool {
        self.inner.can_redo()
    }

    #[wasm_bindgen(js_name = undoDescription)]
    pub fn undo_description(&self) -> Option<String> {
        self.inner.undo_description()
    }

    #[wasm_bindgen(js_name = redoDescription)]
    pub fn redo_description(&self) -> Option<String> {
        self.inner.redo_description()
    }

    /// Sets the view threshold in [0, 1]; answers the HiddenReport.
    #[wasm_bindgen(js_name = setViewThreshold, unchecked_return_type = "HiddenReport")]
    pub fn set_view_threshold(&mut self, x: f32) -> Result<JsValue, JsError> {
        to_js(&self.inner.set_view_threshold(x).map_err(review_error)?)
    }

    #[wasm_bindgen(js_name = viewThreshold)]
    pub fn view_threshold(&self) -> f32 {
        self.inner.view_threshold()
    }

    #[wasm_bindgen(unchecked_return_type = "HiddenReport")]
    pub fn hidden(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.hidden())
    }

    /// The keys, most uncertain first.
    pub fn queue(&self) -> Vec<String> {
        self.inner.queue().to_vec()
    }

    #[wasm_bindgen(js_name = sortQueue)]
    pub fn sort_queue(&mut self) -> Vec<String> {
        self.inner.sort_queue().to_vec()
    }

    #[wasm_bindgen(js_name = nextAsset)]
    pub fn next_asset(&self, key: Option<String>) -> Option<String> {
        self.inner.next_asset(key.as_deref())
    }

    #[wasm_bindgen(js_name = previousAsset)]
    pub fn previous_asset(&self, key: Option<String>) -> Option<String> {
        self.inner.previous_asset(key.as_deref())
    }

    #[wasm_bindgen(js_name = nextTag)]
    pub fn next_tag(&self, key: &str, tag_id: Option<String>) -> Result<Option<String>, JsError> {
        self.inner.next_tag(key, tag_id.as_deref()).map_err(review_error)
    }

    #[wasm_bindgen(js_name = previousTag)]
    pub fn previous_tag(&self, key: &str, tag_id: Option<String>) -> Result<Option<String>, JsError> {
        self.inner.previous_tag(key, tag_id.as_deref()).map_err(review_error)
    }

    /// What the host DAM receives for this asset.
    #[wasm_bindgen(js_name = finalTags, unchecked_return_type = "FinalTag[]")]
    pub fn final_tags(&self, key: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.final_tags(key).map_err(review_error)?)
    }

    /// The JSON export of these assets (none: all, in queue order), with the tags `filter` keeps.
    #[wasm_bindgen(js_name = exportJson)]
    pub fn export_json(
        &self,
        keys: Option<Vec<String>>,
        #[wasm_bindgen(unchecked_param_type = "ExportFilter | undefined")] filter: JsValue,
    ) -> Result<String, JsError> {
        Ok(smart_tags_core::export::json::to_json(&self.export_input(keys, &filter)?))
    }

    #[wasm_bindgen(js_name = exportCsv)]
    pub fn export_csv(
        &self,
        keys: Option<Vec<String>>,
        #[wasm_bindgen(unchecked_param_type = "ExportFilter | undefined")] filter: JsValue,
    ) -> Result<String, JsError> {
        Ok(smart_tags_core::export::csv::to_csv(&self.export_input(keys, &filter)?))
    }

    /// The XMP sidecars of these assets (none: all, in queue order) as one zip, each at its file's
    /// folder path (`smart_tags_core::export::xmp_zip`).
    #[wasm_bindgen(js_name = exportXmpZip)]
    pub fn export_xmp_zip(
        &self,
        keys: Option<Vec<String>>,
        #[wasm_bindgen(unchecked_param_type = "ExportFilter | undefined")] filter: JsValue,
    ) -> Result<Vec<u8>, JsError> {
        smart_tags_core::export::xmp_zip::to_xmp_zip(&self.export_input(keys, &filter)?)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// The XMP sidecar of one asset.
    #[wasm_bindgen(js_name = exportXmp)]
    pub fn export_xmp(
        &self,
        key: &str,
        #[wasm_bindgen(unchecked_param_type = "ExportFilter | undefined")] filter: JsValue,
    ) -> Result<String, JsError> {
        let assets = self.export_input(Some(vec![key.to_owned()]), &filter)?;
        Ok(assets.first().map(smart_tags_core::export::xmp::to_xmp).unwrap_or_default())
    }
}

impl ReviewSession {
    /// The export input of these assets, filtered (`undefined`/`null`: every final tag).
    fn export_input(&self, keys: Option<Vec<String>>, filter: &JsValue) -> Result<Vec<ExportAsset>, JsError> {
        let filter: ExportFilter = if filter.is_undefined() || filter.is_null() {
            ExportFilter::default()
        } else {
            from_js(filter, "the export filter")?
        };
        Ok(filter.apply(self.inner.export_assets(keys.as_deref()).map_err(review_error)?))
    }
}

/// The keyboard bindings, in the order help lists them.
#[wasm_bindgen(js_name = keyMap, unchecked_return_type = "KeyBinding[]")]
pub fn key_map() -> Result<JsValue, JsError> {
    to_js(review::key_map())
}

fn flag(event: &JsValue, name: &str) -> bool {
    Reflect::get(event, &JsValue::from_str(name)).map(|v| v.is_truthy()).unwrap_or(false)
}

/// The action of a key press (a KeyboardEvent or `{key, ctrlKey, metaKey, shiftKey, altKey}`),
/// or undefined.
#[wasm_bindgen(js_name = keyAction, unchecked_return_type = "ReviewAction | undefined")]
pub fn key_action(
    #[wasm_bindgen(unchecked_param_type = "KeyPress | KeyboardEvent")] event: JsValue,
) -> Result<JsValue, JsError> {
    let key = Reflect::get(&event, &JsValue::from_str("key")).ok().and_then(|k| k.as_string());
    let Some(key) = key else {
        return Ok(JsValue::UNDEFINED);
    };
    let ctrl = flag(&event, "ctrlKey") || flag(&event, "metaKey");
    match review::action_for(&key, ctrl, flag(&event, "shiftKey"), flag(&event, "altKey")) {
        Some(action) => to_js(&action),
        None => Ok(JsValue::UNDEFINED),
    }
}
