//! The last workflow definition and folder resolutions the tagging service answered, kept in
//! memory, so `GET /api/v1/workflow` can still answer while the service is down — with
//! `"stale": true` — and a page opened then runs the uploads with the real rules (Ignore Errors
//! completes them) instead of the default workflow. A folder never resolved is taken as enabled:
//! the smart tags step then fails (the service is down) and the workflow decides the outcome.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use serde_json::Value;

/// Folder resolutions kept at most; past that the map starts again (any folder can be asked).
const MAX_FOLDERS: usize = 4096;

#[derive(Debug, Default)]
pub struct WorkflowCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// `(version, workflow)` of the last `GET /v1/workflow`.
    definition: Option<(Value, Value)>,
    /// Folder path → the last `GET /v1/folders/resolve` answer.
    folders: HashMap<String, Value>,
}

impl WorkflowCache {
    pub fn remember(&self, version: &Value, workflow: &Value, folder: &str, resolved: &Value) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.definition = Some((version.clone(), workflow.clone()));
        if inner.folders.len() >= MAX_FOLDERS && !inner.folders.contains_key(folder) {
            inner.folders.clear();
        }
        inner.folders.insert(folder.to_owned(), resolved.clone());
    }

    /// The last known answer for `folder`: `{version, workflow, folder, stale: true}`, or `None`
    /// when the service has never answered a workflow since the proxy started.
    pub fn last_known(&self, folder: &str) -> Option<Value> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let (version, workflow) = inner.definition.clone()?;
        let resolved = inner
            .folders
            .get(folder)
            .cloned()
            .unwrap_or_else(|| serde_json::json!({ "path": folder, "enabled": true, "set_on": null, "people": { "enabled": true, "set_on": null } }));
        Some(serde_json::json!({ "version": version, "workflow": workflow, "folder": resolved, "stale": true }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nothing_is_known_before_the_first_answer_then_the_last_one_is() {
        let cache = WorkflowCache::default();
        assert_eq!(cache.last_known("/"), None);
        let off = json!({ "path": "/a/b", "enabled": false, "set_on": "/a" });
        cache.remember(&json!(3), &json!({ "steps": [] }), "/a/b", &off);
        cache.remember(
            &json!(4),
            &json!({ "steps": [{ "kind": "thumbnails" }] }),
            "/",
            &json!({ "path": "/", "enabled": true, "set_on": null }),
        );
        let known = cache.last_known("/a/b").unwrap();
        assert_eq!(
            known,
            json!({ "version": 4, "workflow": { "steps": [{ "kind": "thumbnails" }] }, "folder": off, "stale": true })
        );
        // A folder never resolved is taken as enabled.
        assert_eq!(
            cache.last_known("/new").unwrap()["folder"],
            json!({ "path": "/new", "enabled": true, "set_on": null, "people": { "enabled": true, "set_on": null } })
        );
    }

    #[test]
    fn the_folder_map_is_bounded() {
        let cache = WorkflowCache::default();
        for i in 0..=MAX_FOLDERS {
            cache.remember(&json!(1), &json!({}), &format!("/f{i}"), &json!({ "enabled": false }));
        }
        let inner = cache.inner.lock().unwrap();
        assert!(inner.folders.len() <= MAX_FOLDERS && inner.folders.contains_key(&format!("/f{MAX_FOLDERS}")));
    }
}
