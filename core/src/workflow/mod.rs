//! The auto-tagging workflow (docs/workflow.md): what runs for each uploaded asset, in which order,
//! with which options — AEM's "DAM Update Asset" with its "Smart Tag Asset" step, for any DAM.
//!
//! - [`definition`]: the ordered steps (thumbnails, smart tags, colour tags), each with enabled,
//!   Ignore Errors, Ignore Smart Tag Flag, a timeout and retries with backoff; the re-tag policy.
//! - [`folders`]: smart tagging, and face and person detection, switched on or off per folder,
//!   inherited down the tree.
//! - [`result`]: what one asset's run gives the host: each step's status and the outcome.
//! - [`retag`]: whether unchanged bytes are tagged again (AEM's "only after 24 hours").
//! - [`diff`]: the tags a re-tag would add and remove.
//!
//! Pure: the browser widget, the proxy's back-end API and the service all decide with this code.

pub mod definition;
pub mod diff;
pub mod folders;
pub mod result;
pub mod retag;

pub use definition::{RetagPolicy, SourceKind, Step, StepKind, Workflow, WorkflowError};
pub use diff::{diff, TagDiff};
pub use folders::{
    for_folder, resolve, resolve_switch, Effective, FolderChoice, FolderFlag, FolderPath, FolderSwitch, OwnSettings,
    Resolution,
};
pub use result::{outcome, Outcome, StepResult, StepStatus};
pub use retag::{decide, RetagDecision};
