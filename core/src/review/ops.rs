//! Moderation requests: exactly the body of `POST /api/v1/assets/moderation` without `locale`.

use serde::{Deserialize, Serialize};

use super::tag::{ReviewTag, TagState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpAction {
    /// A suggestion of the asset becomes a manual tag.
    Promote,
    /// The tag is never shown on this asset again.
    Remove,
    /// A manual tag (by id, with its title).
    AddManual,
    /// Forget the decision: the tag is a suggestion again.
    Clear,
}

/// One request to send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModerationOp {
    pub content_hash: String,
    pub tag_id: String,
    pub action: OpAction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// The request that brings the server to `target` for this tag: none or suggested → `clear`,
/// rejected → `remove`, accepted → `promote`, manual → `add_manual` with the title.
pub fn restore(content_hash: &str, tag_id: &str, target: Option<&ReviewTag>) -> ModerationOp {
    let (action, title) = match target.map(|t| (t.state, t)) {
        None | Some((TagState::Suggested, _)) => (OpAction::Clear, None),
        Some((TagState::Rejected, _)) => (OpAction::Remove, None),
        Some((TagState::Accepted, _)) => (OpAction::Promote, None),
        Some((TagState::Manual, tag)) => (OpAction::AddManual, Some(tag.tag.title.clone())),
    };
    ModerationOp { content_hash: content_hash.to_owned(), tag_id: tag_id.to_owned(), action, title }
}
