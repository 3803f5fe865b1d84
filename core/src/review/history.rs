//! Undo/redo: a step is one action over a selection; it remembers every tag it changed, before
//! and after, so undo and redo can restore either side locally and on the server.

use super::tag::ReviewTag;

/// What an action was, for the description read to screen readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Accept,
    Reject,
    Add,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Accept => "accept",
            Verb::Reject => "reject",
            Verb::Add => "add",
        }
    }
}

/// One tag of one asset, before and after the step (none: not on the asset).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub key: String,
    pub tag_id: String,
    pub before: Option<ReviewTag>,
    pub after: Option<ReviewTag>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub verb: Verb,
    pub tag_title: String,
    /// The asset's name when the step changed one asset, else "N assets".
    pub target: String,
    pub changes: Vec<Change>,
}

impl Step {
    /// `accept Cats on 3 assets`.
    pub fn describe(&self) -> String {
        format!("{} {} on {}", self.verb.as_str(), self.tag_title, self.target)
    }
}

/// Steps done (`done`) and undone (`undone`, the most recently undone last).
#[derive(Debug, Clone, Default)]
pub struct History {
    done: Vec<Step>,
    undone: Vec<Step>,
}

/// Most steps kept; the oldest are forgotten first.
pub const MAX_STEPS: usize = 500;

impl History {
    /// Records a new step; the redo steps are dropped.
    pub fn push(&mut self, step: Step) {
        self.undone.clear();
        self.done.push(step);
        if self.done.len() > MAX_STEPS {
            self.done.remove(0);
        }
    }

    pub fn undo(&mut self) -> Option<&Step> {
        let step = self.done.pop()?;
        self.undone.push(step);
        self.undone.last()
    }

    pub fn redo(&mut self) -> Option<&Step> {
        let step = self.undone.pop()?;
        self.done.push(step);
        self.done.last()
    }

    pub fn can_undo(&self) -> bool {
        !self.done.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }

    pub fn next_undo(&self) -> Option<&Step> {
        self.done.last()
    }

    pub fn next_redo(&self) -> Option<&Step> {
        self.undone.last()
    }
}
