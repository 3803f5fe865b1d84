//! Per-folder (or collection) switches, inherited down the tree: smart tagging as a whole, and
//! face and person detection (the workflow's `people` step, a privacy switch). Each switch is
//! resolved on its own: a folder that does not set it takes its nearest ancestor's, and the
//! root's default is on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{StepKind, StepResult, Workflow, WorkflowError};

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

/// What a folder setting switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FolderSwitch {
    /// Smart tagging as a whole (AEM's per-folder smart tag flag).
    SmartTags,
    /// The face and person detectors (the workflow's `people` step).
    People,
}

impl FolderSwitch {
    pub const ALL: [FolderSwitch; 2] = [FolderSwitch::SmartTags, FolderSwitch::People];

    pub fn as_str(self) -> &'static str {
        match self {
            FolderSwitch::SmartTags => "smart_tags",
            FolderSwitch::People => "people",
        }
    }

    /// What it switches, in words.
    pub fn what(self) -> &'static str {
        match self {
            FolderSwitch::SmartTags => "smart tagging",
            FolderSwitch::People => "face and person detection",
        }
    }

    /// The machine-readable reason of what a switched-off folder skips.
    pub fn off_code(self) -> &'static str {
        match self {
            FolderSwitch::SmartTags => "smart_tags_off",
            FolderSwitch::People => "people_off",
        }
    }
}

/// A change to one switch of a folder: set it, or (`inherit`) take the parent's again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FolderChoice {
    Enabled,
    Disabled,
    Inherit,
}

impl FolderChoice {
    /// The folder's own flag after the change (`None`: inherited).
    pub fn flag(self) -> Option<FolderFlag> {
        match self {
            FolderChoice::Enabled => Some(FolderFlag::Enabled),
            FolderChoice::Disabled => Some(FolderFlag::Disabled),
            FolderChoice::Inherit => None,
        }
    }
}

/// One folder's own settings; a switch it does not set (`None`) is inherited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnSettings {
    pub smart_tags: Option<FolderFlag>,
    pub people: Option<FolderFlag>,
}

impl OwnSettings {
    pub fn get(&self, switch: FolderSwitch) -> Option<FolderFlag> {
        match switch {
            FolderSwitch::SmartTags => self.smart_tags,
            FolderSwitch::People => self.people,
        }
    }

    /// The settings after a change; a switch the change leaves out (`None`) stays as it is.
    pub fn changed(self, smart_tags: Option<FolderChoice>, people: Option<FolderChoice>) -> OwnSettings {
        OwnSettings {
            smart_tags: smart_tags.map_or(self.smart_tags, FolderChoice::flag),
            people: people.map_or(self.people, FolderChoice::flag),
        }
    }

    /// Sets no switch: the folder inherits everything (its row can go).
    pub fn is_empty(&self) -> bool {
        self.smart_tags.is_none() && self.people.is_none()
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
        other.0 == "/"
            || self.0 == other.0
            || self.0.strip_prefix(other.0.as_str()).is_some_and(|rest| rest.starts_with('/'))
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

/// Whether one switch is on for a folder, and which folder's setting decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effective {
    pub enabled: bool,
    /// The folder whose own setting applies; `None`: no folder above has one (on by default).
    pub set_on: Option<String>,
}

impl Effective {
    /// On, by default: no folder above sets the switch.
    pub fn by_default() -> Effective {
        Effective { enabled: true, set_on: None }
    }

    /// Why smart tagging was skipped, for the per-asset result.
    pub fn reason(&self, folder: &FolderPath) -> String {
        self.reason_for(FolderSwitch::SmartTags, folder)
    }

    /// Why what `switch` switches was skipped, naming the folder whose setting decided.
    pub fn reason_for(&self, switch: FolderSwitch, folder: &FolderPath) -> String {
        let what = switch.what();
        match &self.set_on {
            Some(on) if on != folder.as_str() => format!("{what} is switched off for {folder} (set on {on})"),
            _ => format!("{what} is switched off for {folder}"),
        }
    }
}

/// Every switch of a folder, each resolved on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    pub smart_tags: Effective,
    pub people: Effective,
}

impl Resolution {
    /// Everything on: no folder, or no folder above sets anything.
    pub fn by_default() -> Resolution {
        Resolution { smart_tags: Effective::by_default(), people: Effective::by_default() }
    }

    pub fn get(&self, switch: FolderSwitch) -> &Effective {
        match switch {
            FolderSwitch::SmartTags => &self.smart_tags,
            FolderSwitch::People => &self.people,
        }
    }
}

/// The workflow as it runs for an asset in `folder`: a step its folder switches off (the `people`
/// step where face and person detection is off) does not run. Answers it with those steps'
/// results (`skipped`, code `people_off`, the reason naming the folder that decided), for the
/// answer and the per-asset result. A step the workflow itself leaves out or disables is not
/// listed: it is not the folder's doing.
pub fn for_folder(workflow: &Workflow, folder: &FolderPath, resolution: &Resolution) -> (Workflow, Vec<StepResult>) {
    let mut effective = workflow.clone();
    let mut skipped = Vec::new();
    let switch = FolderSwitch::People;
    let setting = resolution.get(switch);
    if !setting.enabled {
        if let Some(step) = effective.steps.iter_mut().find(|s| s.kind == StepKind::People && s.enabled) {
            step.enabled = false;
            skipped.push(StepResult::skipped(StepKind::People, switch.off_code(), setting.reason_for(switch, folder)));
        }
    }
    (effective, skipped)
}

/// The setting of one switch that applies to `path`: its own, else the nearest ancestor's that
/// sets it, else on. `settings` maps normalised paths ([`FolderPath::as_str`]) to their own
/// settings.
pub fn resolve_switch(settings: &BTreeMap<String, OwnSettings>, switch: FolderSwitch, path: &FolderPath) -> Effective {
    for folder in path.ancestors() {
        if let Some(flag) = settings.get(folder).and_then(|own| own.get(switch)) {
            return Effective { enabled: flag == FolderFlag::Enabled, set_on: Some(folder.to_owned()) };
        }
    }
    Effective::by_default()
}

/// Every switch that applies to `path` ([`resolve_switch`] for each).
pub fn resolve(settings: &BTreeMap<String, OwnSettings>, path: &FolderPath) -> Resolution {
    Resolution {
        smart_tags: resolve_switch(settings, FolderSwitch::SmartTags, path),
        people: resolve_switch(settings, FolderSwitch::People, path),
    }
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

    fn smart_tags(flag: FolderFlag) -> OwnSettings {
        OwnSettings { smart_tags: Some(flag), people: None }
    }

    fn people(flag: FolderFlag) -> OwnSettings {
        OwnSettings { smart_tags: None, people: Some(flag) }
    }

    #[test]
    fn settings_are_inherited_down_the_tree() {
        let settings: BTreeMap<String, OwnSettings> = [
            ("/archive".to_owned(), smart_tags(FolderFlag::Disabled)),
            ("/archive/2026".to_owned(), smart_tags(FolderFlag::Enabled)),
        ]
        .into();
        let switch = |p: &str| resolve(&settings, &path(p)).smart_tags;
        assert_eq!(switch("/campaigns"), Effective { enabled: true, set_on: None });
        assert_eq!(switch("/archive/2019/q1"), Effective { enabled: false, set_on: Some("/archive".into()) });
        assert_eq!(switch("/archive/2026/q1"), Effective { enabled: true, set_on: Some("/archive/2026".into()) });
        assert_eq!(switch("/archive"), Effective { enabled: false, set_on: Some("/archive".into()) });
        // A sibling whose name starts the same is not beneath it.
        assert!(switch("/archived").enabled);
        let off_at_root: BTreeMap<String, OwnSettings> = [("/".to_owned(), smart_tags(FolderFlag::Disabled))].into();
        assert!(!resolve(&off_at_root, &path("/x/y")).smart_tags.enabled);
        assert!(resolve(&off_at_root, &path("/x/y")).people.enabled, "the other switch stays on");
    }

    #[test]
    fn each_switch_comes_from_the_nearest_folder_that_sets_it() {
        // /hr switches face detection off; /hr/events sets only smart tagging, so its people switch
        // still comes from /hr; /hr/events/public switches faces on again.
        let settings: BTreeMap<String, OwnSettings> = [
            ("/hr".to_owned(), people(FolderFlag::Disabled)),
            ("/hr/events".to_owned(), smart_tags(FolderFlag::Enabled)),
            ("/hr/events/public".to_owned(), people(FolderFlag::Enabled)),
        ]
        .into();
        let events = resolve(&settings, &path("/hr/events/2026"));
        assert_eq!(events.people, Effective { enabled: false, set_on: Some("/hr".into()) });
        assert_eq!(events.smart_tags, Effective { enabled: true, set_on: Some("/hr/events".into()) });
        assert_eq!(
            resolve(&settings, &path("/hr/events/public/a")).people,
            Effective { enabled: true, set_on: Some("/hr/events/public".into()) }
        );
        assert_eq!(resolve(&settings, &path("/marketing")), Resolution::by_default());
    }

    #[test]
    fn a_change_sets_clears_or_leaves_each_switch() {
        let own = OwnSettings { smart_tags: Some(FolderFlag::Disabled), people: None };
        assert_eq!(
            own.changed(None, Some(FolderChoice::Disabled)),
            OwnSettings { smart_tags: Some(FolderFlag::Disabled), people: Some(FolderFlag::Disabled) }
        );
        assert_eq!(own.changed(Some(FolderChoice::Inherit), None), OwnSettings::default());
        assert!(own.changed(Some(FolderChoice::Inherit), Some(FolderChoice::Inherit)).is_empty());
        assert_eq!(own.changed(None, None), own);
    }

    #[test]
    fn a_folder_with_face_detection_off_runs_the_workflow_without_the_people_step() {
        let workflow = Workflow::default();
        let settings: BTreeMap<String, OwnSettings> = [("/hr".to_owned(), people(FolderFlag::Disabled))].into();
        let folder = path("/hr/badges");
        let (effective, skipped) = for_folder(&workflow, &folder, &resolve(&settings, &folder));
        assert!(
            !effective.runs(StepKind::People) && effective.runs(StepKind::Text) && effective.runs(StepKind::SmartTags)
        );
        assert_eq!(
            skipped,
            [StepResult::skipped(
                StepKind::People,
                "people_off",
                "face and person detection is switched off for /hr/badges (set on /hr)"
            )]
        );
        // Elsewhere, or with the step already off in the workflow, nothing is the folder's doing.
        let elsewhere = path("/marketing");
        assert_eq!(for_folder(&workflow, &elsewhere, &resolve(&settings, &elsewhere)), (workflow.clone(), Vec::new()));
        let no_people =
            Workflow::from_json(r#"{"steps":[{"kind":"smart_tags"},{"kind":"people","enabled":false}]}"#).unwrap();
        assert_eq!(for_folder(&no_people, &folder, &resolve(&settings, &folder)).1, []);
    }

    #[test]
    fn the_reason_names_the_folder_that_decided() {
        let folder = path("/archive/2019");
        let effective = Effective { enabled: false, set_on: Some("/archive".into()) };
        assert_eq!(effective.reason(&folder), "smart tagging is switched off for /archive/2019 (set on /archive)");
        assert_eq!(
            effective.reason_for(FolderSwitch::People, &folder),
            "face and person detection is switched off for /archive/2019 (set on /archive)"
        );
        let own = Effective { enabled: false, set_on: Some("/archive/2019".into()) };
        assert_eq!(
            own.reason_for(FolderSwitch::People, &folder),
            "face and person detection is switched off for /archive/2019"
        );
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
