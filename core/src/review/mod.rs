//! The tag review of many assets, as the upload page and the widget drive it
//! (docs/review-session.md is the contract; this module is pure: it returns the moderation
//! requests to send and never sends them).
//!
//! - [`tag`]: a tag's state (suggested, accepted, rejected, manual) and how a service answer
//!   ([`crate::tags::AssetTags`]) becomes the asset's tags;
//! - [`session`]: [`ReviewSession`]: assets by content hash, actions on a selection, the view
//!   threshold, final tags;
//! - [`ops`]: the moderation requests an action or an undo gives;
//! - [`history`]: undo/redo steps;
//! - [`queue`]: the uncertainty score, the queue order and keyboard navigation;
//! - [`keymap`]: the keyboard bindings as data;
//! - [`view`]: the plain shapes handed to the page.

pub mod error;
pub mod history;
pub mod keymap;
pub mod ops;
pub mod queue;
pub mod session;
pub mod tag;
pub mod view;

pub use error::ReviewError;
pub use keymap::{action_for, key_map, KeyAction, KeyBinding};
pub use ops::{ModerationOp, OpAction};
pub use session::{ReviewOptions, ReviewSession};
pub use tag::{ReviewTag, TagState};
pub use view::{AssetView, HiddenReport, TagView};

#[cfg(test)]
mod tests;
