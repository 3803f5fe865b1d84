//! The keyboard bindings of the review, as data: the page renders its help from [`key_map`] and
//! maps key presses with [`action_for`], so this list is the one truth.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyAction {
    NextAsset,
    PreviousAsset,
    NextTag,
    PreviousTag,
    Accept,
    Reject,
    AddTag,
    MoreSuggestions,
    Undo,
    Redo,
    ToggleSelect,
    SelectAll,
    ThresholdDown,
    ThresholdUp,
    Export,
    Help,
}

/// One binding. `key` is a `KeyboardEvent.key` value (letters in lower case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyBinding {
    pub key: &'static str,
    pub ctrl: bool,
    pub shift: bool,
    /// How help shows the keys: `Ctrl+Z`.
    pub label: &'static str,
    pub action: KeyAction,
    pub description: &'static str,
}

/// How far `[` and `]` move the view threshold.
pub const THRESHOLD_STEP: f32 = 0.05;

const fn bind(
    key: &'static str,
    ctrl: bool,
    shift: bool,
    label: &'static str,
    action: KeyAction,
    description: &'static str,
) -> KeyBinding {
    KeyBinding { key, ctrl, shift, label, action, description }
}

use KeyAction::*;

const BINDINGS: &[KeyBinding] = &[
    bind("j", false, false, "J", NextAsset, "next asset in the queue"),
    bind("ArrowDown", false, false, "↓", NextAsset, "next asset in the queue"),
    bind("k", false, false, "K", PreviousAsset, "previous asset in the queue"),
    bind("ArrowUp", false, false, "↑", PreviousAsset, "previous asset in the queue"),
    bind("ArrowRight", false, false, "→", NextTag, "next tag of the asset"),
    bind("l", false, false, "L", NextTag, "next tag of the asset"),
    bind("ArrowLeft", false, false, "←", PreviousTag, "previous tag of the asset"),
    bind("h", false, false, "H", PreviousTag, "previous tag of the asset"),
    bind("a", false, false, "A", Accept, "accept the focused tag on the selected assets (or the current one)"),
    bind("r", false, false, "R", Reject, "reject the focused tag on the selected assets (or the current one)"),
    bind("x", false, false, "X", Reject, "reject the focused tag on the selected assets (or the current one)"),
    bind(
        "Delete",
        false,
        false,
        "Delete",
        Reject,
        "reject the focused tag on the selected assets (or the current one)",
    ),
    bind("t", false, false, "T", AddTag, "add a tag to the selected assets (autocomplete from the taxonomy)"),
    bind(
        "m",
        false,
        false,
        "M",
        MoreSuggestions,
        "more suggestions: the best tags the threshold hides (Enter adds one, Escape closes)",
    ),
    bind("z", false, false, "Z", Undo, "undo the last decision"),
    bind("z", true, false, "Ctrl+Z", Undo, "undo the last decision"),
    bind("z", false, true, "Shift+Z", Redo, "redo what was undone"),
    bind("y", true, false, "Ctrl+Y", Redo, "redo what was undone"),
    bind("z", true, true, "Ctrl+Shift+Z", Redo, "redo what was undone"),
    bind(" ", false, false, "Space", ToggleSelect, "select or unselect the current asset"),
    bind("a", true, false, "Ctrl+A", SelectAll, "select every asset"),
    bind("[", false, false, "[", ThresholdDown, "lower the view threshold by 0.05"),
    bind("]", false, false, "]", ThresholdUp, "raise the view threshold by 0.05"),
    bind("e", false, false, "E", Export, "export the final tags"),
    bind("?", false, false, "?", Help, "show the keyboard help"),
];

/// Every binding, in the order help lists them.
pub fn key_map() -> &'static [KeyBinding] {
    BINDINGS
}

fn shift_matters(key: &str) -> bool {
    key.chars().count() == 1 && key.chars().all(char::is_alphabetic) || key.starts_with("Arrow")
}

/// The action of a key press: `key` as `KeyboardEvent.key` (letters in any case), `ctrl` for
/// Ctrl or ⌘. Shift must match for letters and arrows and is ignored for other keys; with Alt
/// nothing matches.
pub fn action_for(key: &str, ctrl: bool, shift: bool, alt: bool) -> Option<KeyAction> {
    if alt {
        return None;
    }
    let lower = if key.chars().count() == 1 { key.to_lowercase() } else { key.to_owned() };
    BINDINGS
        .iter()
        .find(|b| b.key == lower && b.ctrl == ctrl && (!shift_matters(b.key) || b.shift == shift))
        .map(|b| b.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_documented_keys() {
        assert_eq!(action_for("j", false, false, false), Some(NextAsset));
        assert_eq!(action_for("ArrowDown", false, false, false), Some(NextAsset));
        assert_eq!(action_for("a", false, false, false), Some(Accept));
        assert_eq!(action_for("A", false, true, false), None);
        assert_eq!(action_for("a", true, false, false), Some(SelectAll));
        assert_eq!(action_for("x", false, false, false), Some(Reject));
        assert_eq!(action_for("z", false, false, false), Some(Undo));
        assert_eq!(action_for("z", true, false, false), Some(Undo));
        assert_eq!(action_for("Z", false, true, false), Some(Redo));
        assert_eq!(action_for("Z", true, true, false), Some(Redo));
        assert_eq!(action_for("y", true, false, false), Some(Redo));
        assert_eq!(action_for("?", false, true, false), Some(Help));
        assert_eq!(action_for("]", false, false, false), Some(ThresholdUp));
        assert_eq!(action_for(" ", false, false, false), Some(ToggleSelect));
        assert_eq!(action_for("e", false, false, true), None);
        assert_eq!(action_for("q", false, false, false), None);
    }

    #[test]
    fn no_two_bindings_share_keys() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                assert!(!(a.key == b.key && a.ctrl == b.ctrl && a.shift == b.shift), "{a:?} and {b:?}");
            }
        }
    }
}
