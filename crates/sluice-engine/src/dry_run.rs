//! Dry running a change script: the statements run on the target inside a
//! transaction that is always rolled back, so a plan check learns whether
//! they would succeed (names resolve, constraints hold, locks are granted
//! in time) without changing anything.
//!
//! Only engines with transactional DDL can do this (PostgreSQL, SQLite).
//! Statements that cannot run in a transaction are not run at all and are
//! reported as skipped. Each statement is bounded by the caller's timeout,
//! and lock waits by less than that, so a dry run never queues for long
//! behind production locks. Nothing is written to `sluice_history`.
//!
//! A rolled-back transaction undoes the changes, not every effect: sequence
//! values taken by `nextval` stay taken, and functions with side effects
//! outside the database (`dblink`, `COPY … TO PROGRAM`) still run.

use crate::execute::{FailedStatement, Planned, millis};
use crate::{EngineError, ErrorKind, ExecutionError};
use serde::Serialize;
use sluice_sql::Dialect;
use std::time::{Duration, Instant};

/// What a dry run did, statement by statement in script order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DryRunReport {
    pub statements: Vec<DryRunStatement>,
}

/// One statement of a dry run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DryRunStatement {
    /// The statement's position in the script, counted from 1.
    pub number: usize,
    /// Where the statement starts in the script (1-based; column in characters).
    pub line: usize,
    pub column: usize,
    pub text: String,
    #[serde(flatten)]
    pub outcome: DryRunOutcome,
}

/// Whether a statement ran (and was rolled back) or was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DryRunOutcome {
    Ran {
        /// Rows inserted, updated or deleted, as the server counted them.
        rows_affected: u64,
        #[serde(rename = "duration_ms", serialize_with = "millis")]
        duration: Duration,
    },
    Skipped {
        reason: String,
    },
}

/// Why a dry run did not get through the script.
#[derive(Debug, Clone, thiserror::Error, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "snake_case")]
pub enum DryRunError {
    /// The engine cannot dry run (MySQL, MariaDB); the message says why.
    #[error("{0}")]
    Unsupported(String),
    /// Nothing ran: the script was refused (empty, unsplittable,
    /// transaction control, a zero timeout) or the connection failed.
    #[error("{0}")]
    NotStarted(EngineError),
    /// A statement failed; everything was rolled back. `report` holds the
    /// statements before it.
    #[error("{}", failed_message(statement, error))]
    Failed {
        statement: FailedStatement,
        error: EngineError,
        report: DryRunReport,
    },
}

fn failed_message(s: &FailedStatement, e: &EngineError) -> String {
    let at = format!(
        "statement {} at line {}, column {}",
        s.number, s.line, s.column
    );
    match e.kind {
        // The message already says the dry run stopped and why.
        ErrorKind::StatementTimeout | ErrorKind::LockTimeout => {
            format!("{} ({at}); nothing was changed", e.message)
        }
        _ => format!(
            "dry run failed at {at}: {}{}; nothing was changed",
            e.code
                .as_deref()
                .map(|c| format!("[{c}] "))
                .unwrap_or_default(),
            e.message
        ),
    }
}

/// Splits and checks the script as [`crate::Engine::execute`] does, and
/// refuses a zero timeout (PostgreSQL would read it as "no limit").
// The public error, as the engines return it; refusals are rare and cheap.
#[allow(clippy::result_large_err)]
pub(crate) fn plan(
    dialect: Dialect,
    script: &str,
    timeout: Duration,
) -> Result<Vec<Planned>, DryRunError> {
    if timeout.is_zero() {
        return Err(DryRunError::NotStarted(crate::execute::invalid(
            "timeout: a dry run needs a timeout greater than zero",
        )));
    }
    crate::execute::plan(dialect, script).map_err(|e| match e {
        ExecutionError::NotStarted(e) => DryRunError::NotStarted(e),
        // plan only refuses scripts; it never looks at history.
        other => DryRunError::NotStarted(EngineError::new(ErrorKind::Other, other.to_string())),
    })
}

/// "500ms", "10s", "1.5s": how long a dry run waited.
fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// The limits of a dry run and its report so far.
pub(crate) struct DryRun {
    /// Per statement.
    pub timeout: Duration,
    /// Per lock wait: the instance's lock timeout, and under half the
    /// statement timeout so that a wait ends as a lock timeout, which tells
    /// the user what held them up.
    pub lock: Duration,
    report: DryRunReport,
}

impl DryRun {
    pub fn new(timeout: Duration, instance_lock_timeout: Duration) -> DryRun {
        let half = (timeout / 2).max(Duration::from_millis(1));
        let lock = match instance_lock_timeout {
            l if l.is_zero() => half,
            l => l.min(half),
        };
        DryRun {
            timeout,
            lock,
            report: DryRunReport::default(),
        }
    }

    pub fn ran(&mut self, s: &Planned, started: Instant, rows_affected: u64) {
        self.push(
            s,
            DryRunOutcome::Ran {
                rows_affected,
                duration: started.elapsed(),
            },
        );
    }

    pub fn skipped(&mut self, s: &Planned, reason: &str) {
        self.push(
            s,
            DryRunOutcome::Skipped {
                reason: reason.to_string(),
            },
        );
    }

    fn push(&mut self, s: &Planned, outcome: DryRunOutcome) {
        self.report.statements.push(DryRunStatement {
            number: s.number,
            line: s.line,
            column: s.column,
            text: s.text.clone(),
            outcome,
        });
    }

    /// Stops at `s` with the server's error; timeouts say how long the dry
    /// run waited, which the server's own message does not.
    pub fn failed(self, s: &Planned, mut error: EngineError) -> DryRunError {
        match error.kind {
            ErrorKind::StatementTimeout => {
                error.message = format!(
                    "dry run stopped after {}: statement timeout",
                    human(self.timeout)
                );
            }
            ErrorKind::LockTimeout => {
                error.message = format!(
                    "dry run stopped after waiting {} for a lock another session holds: lock timeout",
                    human(self.lock)
                );
            }
            _ => {}
        }
        DryRunError::Failed {
            statement: FailedStatement {
                number: s.number,
                text: s.text.clone(),
                line: s.line,
                column: s.column,
            },
            error,
            report: self.report,
        }
    }

    pub fn done(self) -> DryRunReport {
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human(Duration::from_millis(500)), "500ms");
        assert_eq!(human(Duration::from_secs(10)), "10s");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
    }

    #[test]
    fn statements_serialize_flat_in_snake_case() {
        let s = DryRunStatement {
            number: 2,
            line: 3,
            column: 1,
            text: "VACUUM".into(),
            outcome: DryRunOutcome::Skipped {
                reason: "why".into(),
            },
        };
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            serde_json::json!({"number": 2, "line": 3, "column": 1, "text": "VACUUM",
                "outcome": "skipped", "reason": "why"})
        );
    }
}
