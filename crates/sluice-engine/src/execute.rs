//! Running a change script on a target database, the part every engine shares.
//!
//! A script is split with the client rules of its dialect (`sluice-sql`), and
//! checked before anything reaches the server: an empty script, or one that
//! opens or ends transactions itself, is refused, because Sluice owns the
//! transaction — it is what lets the history row be written atomically with
//! the change on PostgreSQL and SQLite.
//!
//! Each engine module then runs the statements its own way (one transaction
//! plus the statements that cannot run in one, or statement by statement on
//! MySQL) and reports through the types here, so callers (the task runner,
//! the CLI) see one shape whatever the engine:
//!
//! - [`StatementEvent`]s through a callback as statements start and finish,
//!   so a task run can log live;
//! - an [`ExecutionReport`] when the script is through, or an
//!   [`ExecutionError`] that says whether anything was applied, and which
//!   statement failed where;
//! - a [`CancelHandle`] the caller keeps, so another task can stop the
//!   script ([`crate::Engine::cancel`]).

use crate::{EngineError, ErrorKind, HistoryEntry};
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};
use sluice_sql::{Dialect, StatementKind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The progress callback: called as each statement starts and finishes.
/// `Send` so that an execution can run on a spawned task.
pub type Progress<'a> = &'a mut (dyn FnMut(StatementEvent) + Send);

/// Longest version and author name: the MySQL history table keeps them in
/// VARCHAR(255) columns, and the other engines follow so that a version
/// valid on one engine is valid on all.
const MAX_NAME_CHARS: usize = 255;

/// What is being applied: the identity recorded in `sluice_history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeRecord {
    /// The change's version, unique per database: a version already applied
    /// is refused, which is what makes a change exactly-once.
    pub version: String,
    pub description: String,
    /// Who applies it (a principal's name), for the record on the target.
    pub who: String,
}

impl ChangeRecord {
    pub(crate) fn check(&self) -> Result<(), ExecutionError> {
        let refuse = |m: &str| Err(ExecutionError::NotStarted(invalid(m)));
        if self.version.trim().is_empty() {
            return refuse("version: must not be empty");
        }
        if self.version.chars().count() > MAX_NAME_CHARS {
            return refuse("version: must be at most 255 characters");
        }
        if self.who.chars().count() > MAX_NAME_CHARS {
            return refuse("who: must be at most 255 characters");
        }
        Ok(())
    }
}

/// A way to stop a running script from another task. Clone it, pass one
/// clone to [`crate::Engine::execute`] and keep the other for
/// [`crate::Engine::cancel`].
///
/// Cancelling sets a flag the execution checks before and after every
/// statement (so a script stops at the next boundary even if no statement
/// is running at that moment), and interrupts the running statement through
/// the server session recorded here. A cancelled PostgreSQL or SQLite
/// script rolls its transaction back.
#[derive(Debug, Clone, Default)]
pub struct CancelHandle(Arc<CancelState>);

#[derive(Debug, Default)]
struct CancelState {
    /// The server session running the script (PostgreSQL backend pid, MySQL
    /// connection id), only while it runs: cleared before the connection
    /// closes, so a cancel never reaches a reused id.
    session: Mutex<Option<i64>>,
    canceled: AtomicBool,
}

impl CancelHandle {
    pub fn new() -> CancelHandle {
        CancelHandle::default()
    }

    /// Whether a cancel was requested.
    pub fn is_canceled(&self) -> bool {
        self.0.canceled.load(Ordering::SeqCst)
    }

    /// The server session of the running script, if one is running.
    pub fn session(&self) -> Option<i64> {
        *self.0.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn set_session(&self, session: Option<i64>) {
        *self.0.session.lock().unwrap_or_else(|p| p.into_inner()) = session;
    }

    /// Marks the handle cancelled and returns the session to interrupt.
    pub(crate) fn request(&self) -> Option<i64> {
        self.0.canceled.store(true, Ordering::SeqCst);
        self.session()
    }
}

/// One statement's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementResult {
    /// The statement's position in the script, counted from 1 as people do.
    pub number: usize,
    pub text: String,
    /// Where the statement starts in the script (1-based; column in characters).
    pub line: usize,
    pub column: usize,
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
    /// Rows inserted, updated or deleted, as the server counted them.
    pub rows_affected: u64,
    /// Whether the statement is committed. Statements inside the PostgreSQL
    /// or SQLite transaction become applied only when it commits; a failure
    /// rolls them back and they stay `false`.
    pub applied: bool,
}

/// What the progress callback hears, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum StatementEvent {
    /// A statement was sent to the server.
    Started {
        number: usize,
        line: usize,
        text: String,
    },
    /// A statement finished without error.
    Finished(StatementResult),
    /// The transaction holding the first `statements` statements that ran
    /// committed (PostgreSQL and SQLite).
    Committed { statements: usize },
}

/// A script that ran to its end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExecutionReport {
    pub version: String,
    /// SHA-256 of the script text, lowercase hex, as recorded in the history.
    pub checksum: String,
    /// The `sluice_history` row of this run.
    pub history_id: Option<i64>,
    /// The statements that ran, in the order they ran. On PostgreSQL and
    /// SQLite that is the transactional statements in script order, then
    /// the ones that cannot run in a transaction.
    pub statements: Vec<StatementResult>,
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
}

impl ExecutionReport {
    /// The numbers of the statements that are committed on the target.
    pub fn applied(&self) -> Vec<usize> {
        self.statements
            .iter()
            .filter(|s| s.applied)
            .map(|s| s.number)
            .collect()
    }
}

/// The statement that failed, and where it is in the script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedStatement {
    /// Counted from 1.
    pub number: usize,
    pub text: String,
    pub line: usize,
    pub column: usize,
}

/// A script that stopped part way: a statement failed or was cancelled, or
/// the commit or the history write failed.
#[derive(Debug, Clone, Serialize)]
pub struct Stopped {
    /// The server's error, with its code (SQLSTATE or error number). For a
    /// cancelled script the kind is [`ErrorKind::Other`] and the message the
    /// server's or ours.
    pub error: EngineError,
    /// Stopped because [`crate::Engine::cancel`] was called.
    pub canceled: bool,
    /// The statement that failed; `None` when the script stopped between
    /// statements (a cancel, a failed commit or history write).
    pub statement: Option<FailedStatement>,
    /// What ran before the stop; `applied` on each says what is committed.
    pub report: ExecutionReport,
}

/// Why a script did not run to its end.
#[derive(Debug, Clone, thiserror::Error, Serialize)]
#[serde(tag = "outcome", content = "detail", rename_all = "snake_case")]
pub enum ExecutionError {
    /// Nothing of the script ran: it was refused (kind `InvalidInput`:
    /// empty, unsplittable, transaction control, bad change record), or the
    /// connection, the session settings or the history table failed.
    #[error("{0}")]
    NotStarted(EngineError),
    /// The version is already DONE on this database, or a run of it is
    /// PENDING (running, or interrupted and waiting for a person).
    #[error("{}", already_applied_message(.0))]
    AlreadyApplied(Box<HistoryEntry>),
    /// The script started and stopped part way.
    #[error("{}", stopped_message(.0))]
    Stopped(Box<Stopped>),
}

impl ExecutionError {
    /// The engine error underneath, if there is one.
    pub fn engine_error(&self) -> Option<&EngineError> {
        match self {
            ExecutionError::NotStarted(e) => Some(e),
            ExecutionError::AlreadyApplied(_) => None,
            ExecutionError::Stopped(s) => Some(&s.error),
        }
    }
}

fn already_applied_message(entry: &HistoryEntry) -> String {
    match entry.status {
        crate::HistoryStatus::Done => format!(
            "version {} was already applied on {} by {} (sluice_history row {})",
            entry.version,
            entry.when(),
            entry.who,
            entry.id
        ),
        crate::HistoryStatus::Pending | crate::HistoryStatus::Failed => format!(
            "version {} is running or was interrupted: sluice_history row {} is {} since {} (by {}); \
             resolve it before running the version again",
            entry.version,
            entry.id,
            entry.status.as_str(),
            entry.when(),
            entry.who
        ),
    }
}

fn stopped_message(s: &Stopped) -> String {
    let applied = s.report.applied().len();
    match &s.statement {
        Some(st) => format!(
            "statement {} at line {}, column {} failed: {}{}; {applied} statement(s) applied",
            st.number,
            st.line,
            st.column,
            s.error
                .code
                .as_deref()
                .map(|c| format!("[{c}] "))
                .unwrap_or_default(),
            s.error.message
        ),
        None => format!("{}; {applied} statement(s) applied", s.error.message),
    }
}

pub(crate) fn millis<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

pub(crate) fn invalid(message: impl Into<String>) -> EngineError {
    EngineError::new(ErrorKind::InvalidInput, message)
}

/// SHA-256 of the script, lowercase hex: the history's checksum.
pub fn checksum(script: &str) -> String {
    Sha256::digest(script.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A statement ready to run.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    pub number: usize,
    pub text: String,
    pub line: usize,
    pub column: usize,
    /// False for statements the server refuses inside a transaction block.
    pub in_transaction: bool,
}

/// Splits and checks a script; nothing has touched the server yet.
pub(crate) fn plan(dialect: Dialect, script: &str) -> Result<Vec<Planned>, ExecutionError> {
    let statements = sluice_sql::split(dialect, script).map_err(|e| {
        ExecutionError::NotStarted(invalid(format!("the script cannot be split: {e}")))
    })?;
    if statements.is_empty() {
        return Err(ExecutionError::NotStarted(invalid(
            "the script has no statements",
        )));
    }
    let mut planned = Vec::with_capacity(statements.len());
    for (i, s) in statements.into_iter().enumerate() {
        if sluice_sql::classify(dialect, &s.text) == StatementKind::Transaction {
            let head: String = s
                .text
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            return Err(ExecutionError::NotStarted(invalid(format!(
                "statement {} at line {}, column {} is transaction control ({head} …): \
                 Sluice runs the script in its own transaction and records it there; \
                 remove BEGIN, COMMIT, ROLLBACK and the like from the script",
                i + 1,
                s.start_line,
                s.start_column
            ))));
        }
        planned.push(Planned {
            number: i + 1,
            in_transaction: sluice_sql::can_run_in_transaction(dialect, &s.text),
            text: s.text,
            line: s.start_line,
            column: s.start_column,
        });
    }
    Ok(planned)
}

/// The statements that run in the transaction, then those that run alone,
/// each in script order.
pub(crate) fn partition(statements: &[Planned]) -> (Vec<&Planned>, Vec<&Planned>) {
    statements.iter().partition(|s| s.in_transaction)
}

/// Whole milliseconds, for the history's duration column.
pub(crate) fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A run's duration and applied statements, for its history row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tally {
    pub duration_ms: i64,
    pub applied: i64,
}

/// Bookkeeping for one execution: the report so far, the progress
/// callback, and the cancel flag.
pub(crate) struct Run<'a> {
    progress: Progress<'a>,
    handle: &'a CancelHandle,
    report: ExecutionReport,
    started: Instant,
}

impl<'a> Run<'a> {
    pub fn new(
        change: &ChangeRecord,
        script: &str,
        handle: &'a CancelHandle,
        progress: Progress<'a>,
    ) -> Run<'a> {
        Run {
            progress,
            handle,
            report: ExecutionReport {
                version: change.version.clone(),
                checksum: checksum(script),
                ..Default::default()
            },
            started: Instant::now(),
        }
    }

    pub fn checksum(&self) -> &str {
        &self.report.checksum
    }

    pub fn set_history_id(&mut self, id: i64) {
        self.report.history_id = Some(id);
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn applied_count(&self) -> i64 {
        self.report.statements.iter().filter(|s| s.applied).count() as i64
    }

    /// The numbers a history row records, taken before an await (the run
    /// holds the callback, which need not be `Sync`).
    pub fn tally(&self) -> Tally {
        Tally {
            duration_ms: ms(self.elapsed()),
            applied: self.applied_count(),
        }
    }

    /// The error to stop with if a cancel was requested.
    pub fn canceled(&self, before: Option<&Planned>) -> Option<EngineError> {
        if !self.handle.is_canceled() {
            return None;
        }
        let message = match before {
            Some(s) => format!("canceled before statement {}", s.number),
            None => "canceled".to_string(),
        };
        Some(EngineError::new(ErrorKind::Other, message))
    }

    pub fn start(&mut self, s: &Planned) -> Instant {
        (self.progress)(StatementEvent::Started {
            number: s.number,
            line: s.line,
            text: s.text.clone(),
        });
        Instant::now()
    }

    pub fn finish(&mut self, s: &Planned, started: Instant, rows_affected: u64, applied: bool) {
        let result = StatementResult {
            number: s.number,
            text: s.text.clone(),
            line: s.line,
            column: s.column,
            duration: started.elapsed(),
            rows_affected,
            applied,
        };
        self.report.statements.push(result.clone());
        (self.progress)(StatementEvent::Finished(result));
    }

    /// The transaction committed: everything that ran so far is applied.
    pub fn committed(&mut self) {
        for s in &mut self.report.statements {
            s.applied = true;
        }
        let statements = self.report.statements.len();
        (self.progress)(StatementEvent::Committed { statements });
    }

    /// Stops the run with `error`, at `statement` if one failed.
    pub fn stop(&mut self, statement: Option<&Planned>, mut error: EngineError) -> ExecutionError {
        let canceled = self.handle.is_canceled();
        if canceled {
            // A cancelled statement comes back from PostgreSQL with the
            // statement-timeout SQLSTATE; it was neither a timeout nor a bug.
            error.kind = ErrorKind::Other;
        }
        let mut report = std::mem::take(&mut self.report);
        report.duration = self.started.elapsed();
        ExecutionError::Stopped(Box::new(Stopped {
            error,
            canceled,
            statement: statement.map(|s| FailedStatement {
                number: s.number,
                text: s.text.clone(),
                line: s.line,
                column: s.column,
            }),
            report,
        }))
    }

    pub fn done(mut self) -> ExecutionReport {
        self.report.duration = self.started.elapsed();
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_is_sha256_hex() {
        assert_eq!(
            checksum(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn plan_refuses_empty_and_transaction_control() {
        let refused = |d, s| match plan(d, s) {
            Err(ExecutionError::NotStarted(e)) => {
                assert_eq!(e.kind, ErrorKind::InvalidInput);
                e.message
            }
            other => panic!("{other:?}"),
        };
        assert!(refused(Dialect::Postgres, "  -- nothing\n").contains("no statements"));
        let m = refused(Dialect::Postgres, "CREATE TABLE a (x int);\nCOMMIT;");
        assert!(m.starts_with("statement 2 at line 2, column 1"), "{m}");
        assert!(refused(Dialect::Mysql, "START TRANSACTION; SELECT 1").contains("statement 1"));
        assert!(refused(Dialect::Sqlite, "SELECT 1; ROLLBACK").contains("ROLLBACK"));
        assert!(refused(Dialect::Postgres, "SELECT 'a").contains("cannot be split"));
    }

    #[test]
    fn plan_marks_statements_that_run_alone() {
        let p = plan(
            Dialect::Postgres,
            "CREATE TABLE a (x int);\nCREATE INDEX CONCURRENTLY i ON a (x);\nINSERT INTO a VALUES (1);",
        )
        .unwrap();
        let (tx, alone) = partition(&p);
        assert_eq!(tx.iter().map(|s| s.number).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(
            alone.iter().map(|s| (s.number, s.line)).collect::<Vec<_>>(),
            [(2, 2)]
        );
        // A MariaDB compound block is not transaction control.
        assert!(plan(Dialect::Mysql, "BEGIN NOT ATOMIC SELECT 1; END").is_ok());
    }
}
