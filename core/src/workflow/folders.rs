//! Smart tagging switched on or off per folder (or collection), inherited down the tree: a folder
//! without a setting takes its nearest ancestor's, and the root's default is on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::WorkflowError;

/// Longest folder path, in bytes.
pub const MAX_PATH_BYTES: usize = 1024;
/// Most levels of a folder path.
pub const MAX_DEPTH: usize = 64;

/// A folder's own setting; a folder without one inherits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FolderFlag {
    Enabled,
    Disabled,
}

impl FolderFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            FolderFlag::Enabled => "enabled",
            FolderFlag::Disabled => "disabled",
        }
    }

    pub fn parse(text: &str) -> Option<FolderFlag> {
        match text {
            "enabled" => Some(FolderFlag::Enabled),
            "disabled" => Some(FolderFlag::Disabled),
            _ => None,
        }
    }
}

/// A normalised folder path: `/` is the root, `/a/b` a folder two levels down; no empty, `.` or
/// `..` segment, no control character, no trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct FolderPath(String);

impl FolderPath {
    /// The root folder.
    pub fn root() -> FolderPath {
        FolderPath("/".to_owned())
    }

    /// Reads a path: `a/b`, `/a/b/` and `/a//b` all give `/a/b`; `..`, `.`, control characters, a
    /// backslash, more than [`MAX_DEPTH`] levels or [`MAX_PATH_BYTES`] bytes are refused.
    pub fn parse(text: &str) -> Result<FolderPath, WorkflowError> {
        let shown: String = text.chars().take(80).collect();
        let bad = |why: &str| WorkflowError::BadFolder(format!("folder {shown:?} {why}"));
        if text.len() > MAX_PATH_BYTES {
            return Err(bad(&format!("is longer than {MAX_PATH_BYTES} bytes")));
        }
        if text.chars().any(|c| c.is_control() || c == '\\') {
            return Err(bad("has a control character or a backslash"));
        }
        let segments: Vec<&str> = text.split('/').filter(|s| !s.is_empty()).collect();
        if segments.iter().any(|s| *s == "." || *s == "..") {
            return Err(bad("has a . or .. segment"));
        }
        if segments.iter().any(|s| s.trim().is_empty() || s.trim() != *s) {
            return Err(bad("has a segment that starts or ends with a space"));
        }
        if segments.len() > MAX_DEPTH {
            return Err(bad(&format!("is more than {MAX_DEPTH} levels deep")));
        }
        Ok(FolderPath(format!("/{}", segments.join("/"))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// This folder, its parent, … up to `/` (last).
    pub fn ancestors(&self) -> impl Iterator<Item = &str> {
        let path = self.0.as_str();
        let mut next = Some(path);
        std::iter::from_fn(move || {
            let current = next?;
            next = match current {
                "/" => None,
                _ => match current.rfind('/') {
                    Some(0) | None => Some("/"),
                    Some(i) => Some(&current[..i]),
                },
            };
            Some(current)
        })
    }

    /// Whether `self` is `other` or lies beneath it.
    pub fn is_within(&self, other: &FolderPath) -> bool {
        other.0 == "/" || self.0 == other.0 || self.0.strip_prefix(other.0.as_str()).is_some_and(|rest| rest.starts_with('/'))
    }
}

impl<'de> Deserialize<'de> for FolderPath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<FolderPath, D::Error> {
        let text = String::deserialize(deserializer)?;
        FolderPath::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Display for FolderPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether smart tagging is on for a folder, and which folder's setting decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effective {
    pub enabled: bool,
    /// The folder whose own setting applies; `None`: no folder above has one (on by default).
    pub set_on: Option<String>,
}

impl Effective {
    /// Why a step was skipped, for the per-asset result.
    pub fn reason(&self, folder: &FolderPath) -> String {
        match &self.set_on {
            Some(on) if on == folder.as_str() => format!("smart tagging is switched off for {folder}"),
            Some(on) => format!("smart tagging is switched off for {folder} (set on {on})"),
            None => format!("smart tagging is switched off for {folder}"),
        }
    }
}

/// The setting that applies to `path`: its own, else the nearest ancestor's, else on.
/// `settings` maps normalised paths ([`FolderPath::as_str`]) to their own flag.
pub fn resolve(settings: &BTreeMap<String, FolderFlag>, path: &FolderPath) -> Effective {
    for folder in path.ancestors() {
        if let Some(flag) = settings.get(folder) {
            return Effective { enabled: *flag == FolderFlag::Enabled, set_on: Some(folder.to_owned()) };
        }
    }
    Effective { enabled: true, set_on: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> FolderPath {
        FolderPath::parse(text).unwrap()
    }

    #[test]
    fn paths_are_normalised() {
        assert_eq!(path("a/b").as_str(), "/a/b");
        assert_eq!(path("/a//b/").as_str(), "/a/b");
        assert_eq!(path("").as_str(), "/");
        assert_eq!(path("/").as_str(), "/");
        assert_eq!(path("/Campagnes été/2026").as_str(), "/Campagnes été/2026");
    }

    #[test]
    fn bad_paths_are_refused() {
        for text in ["/a/../b", "/./a", "/a\u{0}b", "/a\\b", "/a/ b", "/a/b "] {
            let err = FolderPath::parse(text).unwrap_err();
            assert!(err.to_string().starts_with("folder "), "{text:?}: {err}");
        }
        assert!(FolderPath::parse(&"/a".repeat(65)).is_err());
        assert!(FolderPath::parse(&format!("/{}", "x".repeat(1024))).is_err());
    }

    #[test]
    fn ancestors_run_up_to_the_root() {
        assert_eq!(path("/a/b/c").ancestors().collect::<Vec<_>>(), ["/a/b/c", "/a/b", "/a", "/"]);
        assert_eq!(FolderPath::root().ancestors().collect::<Vec<_>>(), ["/"]);
    }

    #[test]
    fn settings_are_inherited_down_the_tree() {
        let settings: BTreeMap<String, FolderFlag> = [
            ("/archive".to_owned(), FolderFlag::Disabled),
            ("/archive/2026".to_owned(), FolderFlag::Enabled),
        ]
        .into();
        assert_eq!(resolve(&settings, &path("/campaigns")), Effective { enabled: true, set_on: None });
        assert_eq!(resolve(&settings, &path("/archive/2019/q1")), Effective { enabled: false, set_on: Some("/archive".into()) });
        assert_eq!(resolve(&settings, &path("/archive/2026/q1")), Effective { enabled: true, set_on: Some("/archive/2026".into()) });
        assert_eq!(resolve(&settings, &path("/archive")), Effective { enabled: false, set_on: Some("/archive".into()) });
        // A sibling whose name starts the same is not beneath it.
        assert!(resolve(&settings, &path("/archived")).enabled);
        let off_at_root: BTreeMap<String, FolderFlag> = [("/".to_owned(), FolderFlag::Disabled)].into();
        assert!(!resolve(&off_at_root, &path("/x/y")).enabled);
    }

    #[test]
    fn the_reason_names_the_folder_that_decided() {
        let folder = path("/archive/2019");
        let effective = Effective { enabled: false, set_on: Some("/archive".into()) };
        assert_eq!(effective.reason(&folder), "smart tagging is switched off for /archive/2019 (set on /archive)");
    }

    #[test]
    fn within() {
        assert!(path("/a/b").is_within(&path("/a")));
        assert!(path("/a").is_within(&path("/a")));
        assert!(path("/a").is_within(&FolderPath::root()));
        assert!(!path("/ab").is_within(&path("/a")));
    }

    #[test]
    fn deserializing_normalises_and_refuses() {
        let p: FolderPath = serde_json::from_str("\"a/b/\"").unwrap();
        assert_eq!(p.as_str(), "/a/b");
        assert!(serde_json::from_str::<FolderPath>("\"/a/..\"").is_err());
    }
}
