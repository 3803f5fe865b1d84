//! The auto-tagging workflow definition (`smart_tags_core::workflow::Workflow`), one row, stored
//! as JSON with a version bumped by every change. No row: the default workflow at version 0.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use smart_tags_core::workflow::{Workflow, WorkflowError};

use super::{check_actor, from_json, now, to_json, Store, StoreError};

/// The stored workflow and who last changed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredWorkflow {
    /// 0: never set (the default workflow).
    pub version: i64,
    pub workflow: Workflow,
    /// RFC 3339, UTC; none for the default.
    pub updated_at: Option<String>,
    pub actor: Option<String>,
}

fn invalid(error: &WorkflowError) -> StoreError {
    StoreError::BadValue(error.to_string())
}

fn read(conn: &rusqlite::Connection) -> Result<StoredWorkflow, StoreError> {
    let row: Option<(String, i64, String, String)> = conn
        .query_row("SELECT definition, version, updated_at, actor FROM workflow WHERE id = 1", [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    Ok(match row {
        None => StoredWorkflow { version: 0, workflow: Workflow::default(), updated_at: None, actor: None },
        Some((definition, version, updated_at, actor)) => StoredWorkflow {
            version,
            workflow: from_json(&definition, "workflow")?,
            updated_at: Some(updated_at),
            actor: Some(actor),
        },
    })
}

impl Store {
    /// The workflow in force.
    pub fn workflow(&self) -> Result<StoredWorkflow, StoreError> {
        self.read(read)
    }

    /// Replaces the workflow (validated first) and bumps its version; a definition equal to the
    /// stored one changes nothing (so restarting with the same `--workflow` file keeps the version).
    pub fn set_workflow(&self, workflow: &Workflow, actor: &str) -> Result<StoredWorkflow, StoreError> {
        check_actor(actor)?;
        workflow.validate().map_err(|e| invalid(&e))?;
        self.write(|tx| {
            let stored = read(tx)?;
            if stored.version > 0 && stored.workflow == *workflow {
                return Ok(stored);
            }
            let at = now(tx)?;
            let version = stored.version + 1;
            tx.execute(
                "INSERT INTO workflow (id, definition, version, updated_at, actor) VALUES (1, ?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, version = excluded.version,
                     updated_at = excluded.updated_at, actor = excluded.actor",
                params![to_json(workflow)?, version, at, actor],
            )?;
            Ok(StoredWorkflow {
                version,
                workflow: workflow.clone(),
                updated_at: Some(at),
                actor: Some(actor.to_owned()),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::temp_store;
    use smart_tags_core::workflow::StepKind;

    #[test]
    fn default_then_set_bumps_and_survives_a_reopen() {
        let (dir, store) = temp_store();
        let first = store.workflow().unwrap();
        assert_eq!((first.version, first.workflow.clone(), first.actor), (0, Workflow::default(), None));
        let mut changed = Workflow::default();
        changed.retag.unchanged_after_hours = 1;
        changed.steps.retain(|s| s.kind != StepKind::ColorTags);
        let saved = store.set_workflow(&changed, "alice").unwrap();
        assert_eq!((saved.version, saved.actor.as_deref()), (1, Some("alice")));
        // The same definition again: nothing changes.
        assert_eq!(store.set_workflow(&changed, "config").unwrap().version, 1);
        assert_eq!(store.set_workflow(&Workflow::default(), "bob").unwrap().version, 2);
        drop(store);
        let store = Store::open(&dir.path().join("data/smart-tags.sqlite3")).unwrap();
        let again = store.workflow().unwrap();
        assert_eq!((again.version, again.workflow, again.actor.as_deref()), (2, Workflow::default(), Some("bob")));
    }

    #[test]
    fn refuses_an_invalid_workflow_and_keeps_the_old_one() {
        let (_dir, store) = temp_store();
        let mut bad = Workflow::default();
        bad.steps[1].retries = 99;
        let err = store.set_workflow(&bad, "alice").unwrap_err();
        assert!(matches!(err, StoreError::BadValue(ref m) if m.contains("retries")), "{err}");
        assert!(matches!(store.set_workflow(&Workflow::default(), ""), Err(StoreError::BadValue(_))));
        assert_eq!(store.workflow().unwrap().version, 0);
    }
}
