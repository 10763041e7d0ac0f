//! Asking the planner about a statement without running it (`EXPLAIN`):
//! whether the server accepts it, and how many rows it would touch. Plan
//! checks use it for the SQL review rules that need the database
//! (`statement.affected-row-limit`, `statement.dml-dry-run`).
//!
//! Each statement is planned on its own, on the database as it is now: a
//! statement that uses what an earlier statement of the same script
//! creates is refused, and callers decide what that means. The statement
//! is sent as a prepared statement (one command only) inside a
//! transaction that is rolled back, under a short statement and lock
//! timeout: EXPLAIN without ANALYZE runs nothing, but planning still takes
//! locks and may evaluate functions.

use crate::EngineError;
use serde::Serialize;
use std::time::{Duration, Instant};

/// What the planner said about one statement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Explained {
    /// The planner's estimate of the rows the statement inserts, updates
    /// or deletes (of the rows it returns for a query), `None` when the
    /// engine does not estimate (SQLite).
    pub rows: Option<u64>,
}

/// One statement's answer: `Err` carries the server's message when it
/// refuses the statement (kind [`crate::ErrorKind::Query`] or
/// [`crate::ErrorKind::PermissionDenied`]), or why it could not be asked.
pub type Explanation = Result<Explained, EngineError>;

/// The longest one statement may be planned for, lock waits included.
pub(crate) const PER_STATEMENT: Duration = Duration::from_secs(2);

/// How long the next statement may take: the per-statement limit or what
/// is left before `deadline`, `None` when nothing is.
pub(crate) fn budget(deadline: Instant) -> Option<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    (!left.is_zero()).then(|| left.min(PER_STATEMENT))
}

/// The rows a PostgreSQL `EXPLAIN (FORMAT JSON)` plan touches: for
/// INSERT, UPDATE, DELETE and MERGE (a `ModifyTable` node, whose own
/// estimate counts only the rows it returns) the rows of the plan under it
/// (the rows matched, selected, or listed in VALUES); for anything else
/// the top node's rows.
pub(crate) fn postgres_rows(plan: &serde_json::Value) -> Option<u64> {
    let top = plan.get(0)?.get("Plan")?;
    let node = if top.get("Node Type")?.as_str()? == "ModifyTable" {
        top.get("Plans")?.get(0)?
    } else {
        top
    };
    let rows = node.get("Plan Rows")?;
    rows.as_u64()
        .or_else(|| rows.as_f64().map(|r| r.max(0.0).round() as u64))
}

/// The server answered about the statement itself, and the connection is
/// still good for the next one.
pub(crate) fn refused(e: &EngineError) -> bool {
    use crate::ErrorKind::*;
    matches!(
        e.kind,
        Query | PermissionDenied | StatementTimeout | LockTimeout
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn modify_table_counts_the_rows_under_it() {
        let update = json!([{"Plan": {"Node Type": "ModifyTable", "Operation": "Update",
            "Plan Rows": 0, "Plans": [{"Node Type": "Seq Scan", "Plan Rows": 5000}]}}]);
        assert_eq!(postgres_rows(&update), Some(5000));
        let select = json!([{"Plan": {"Node Type": "Seq Scan", "Plan Rows": 12}}]);
        assert_eq!(postgres_rows(&select), Some(12));
        assert_eq!(postgres_rows(&json!([])), None);
    }

    #[test]
    fn no_budget_after_the_deadline() {
        assert_eq!(budget(Instant::now()), None);
        let far = Instant::now() + Duration::from_secs(60);
        assert_eq!(budget(far), Some(PER_STATEMENT));
    }
}
