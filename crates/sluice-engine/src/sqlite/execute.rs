//! Running change scripts on SQLite files.
//!
//! As on PostgreSQL, the script runs in one transaction with its history
//! row (a plain `sluice_history` table in the file), and `VACUUM`,
//! `ATTACH` and `DETACH`, which SQLite refuses inside a transaction, run
//! alone after it. The transaction starts with `BEGIN IMMEDIATE`, taking
//! the write lock up front: a deferred transaction that reads the history
//! and then writes could fail half way when another writer got in between.
//!
//! The lock timeout becomes `busy_timeout`. There is no statement timeout
//! and no interrupting a running statement: sqlx runs SQLite on a worker
//! thread and offers no `sqlite3_interrupt`, so [`Sqlite::cancel`] can only
//! stop the script between statements and says so.

use super::{Sqlite, error};
use crate::dry_run::{self, DryRun};
use crate::execute::{Planned, Progress, Run, Tally, ms, partition, plan};
use crate::history::{HistoryRow, entry};
use crate::{
    CancelHandle, ChangeRecord, DryRunError, DryRunReport, EngineError, ErrorKind, ExecutionError,
    ExecutionReport, HistoryEntry, HistoryStatus,
};
use sluice_sql::Dialect;
use sqlx::sqlite::SqliteConnection;
use sqlx::{AssertSqlSafe, Connection};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The history table and its once-per-version index, created on first use;
/// times as RFC 3339 UTC text, which SQLite's date functions read back.
const CREATE_HISTORY: &str = "CREATE TABLE IF NOT EXISTS sluice_history (
    id INTEGER PRIMARY KEY,
    version TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    checksum TEXT NOT NULL,
    who TEXT NOT NULL,
    started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    finished_at TEXT,
    duration_ms INTEGER,
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    error TEXT,
    statements_applied INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS sluice_history_once
    ON sluice_history (version) WHERE status <> 'FAILED'";

/// Whether the history table exists, so reading history never creates it.
const HISTORY_EXISTS: &str =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sluice_history'";

/// The columns of [`HistoryRow`]; times as Unix milliseconds.
macro_rules! history_columns {
    () => {
        "id, version, description, checksum, who, \
         CAST(round((julianday(started_at) - 2440587.5) * 86400000) AS INTEGER), \
         CAST(round((julianday(finished_at) - 2440587.5) * 86400000) AS INTEGER), \
         duration_ms, status, error, statements_applied"
    };
}

/// The run of a version that blocks running it again (DONE, or PENDING).
const FIND_ACTIVE: &str = concat!(
    "SELECT ",
    history_columns!(),
    " FROM sluice_history WHERE version = ? AND status <> 'FAILED' ORDER BY id DESC LIMIT 1"
);

/// Every run, oldest first.
const LIST_HISTORY: &str = concat!(
    "SELECT ",
    history_columns!(),
    " FROM sluice_history ORDER BY id"
);

/// Why a dry run leaves a statement out.
const NOT_IN_TRANSACTION: &str =
    "SQLite cannot run it inside a transaction, so a dry run cannot try it without applying it";

/// Takes the write lock now rather than at the first write.
const BEGIN_IMMEDIATE: &str = "BEGIN IMMEDIATE";

/// SQLITE_INTERRUPT: the progress handler stopped a statement at its deadline.
const INTERRUPTED: &str = "9";

/// Virtual machine steps between deadline checks: frequent enough to stop
/// within milliseconds, rare enough to cost nothing.
const PROGRESS_STEPS: i32 = 1000;

/// The row of a run, written inside its transaction.
const INSERT_PENDING: &str = "INSERT INTO sluice_history (version, description, checksum, who, status) \
     VALUES (?, ?, ?, ?, 'PENDING')";

/// Progress while statements that run alone are still to come.
const RECORD_APPLIED: &str = "UPDATE sluice_history SET statements_applied = ?2 WHERE id = ?1";

/// The end of a run.
const FINISH: &str = "UPDATE sluice_history SET status = ?2, \
     finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), duration_ms = ?3, error = ?4, \
     statements_applied = ?5 WHERE id = ?1";

impl Sqlite {
    /// Runs `script` on database `database` as change `change`; see the
    /// module docs.
    pub async fn execute(
        &self,
        database: &str,
        script: &str,
        change: &ChangeRecord,
        handle: &CancelHandle,
        progress: Progress<'_>,
    ) -> Result<ExecutionReport, ExecutionError> {
        change.check()?;
        let statements = plan(Dialect::Sqlite, script)?;
        let path = self.path_of(database).map_err(ExecutionError::NotStarted)?;
        let mut conn = self
            .connect_file(&path)
            .await
            .map_err(ExecutionError::NotStarted)?;
        let mut run = Run::new(change, script, handle, progress);
        let result = self
            .run_script(&mut conn, &path, &statements, change, &mut run)
            .await;
        let _ = conn.close().await;
        result.map(|()| run.done())
    }

    /// Runs `script` on database `database` in a transaction that is
    /// always rolled back; see [`crate::Engine::dry_run`]. SQLite has no
    /// statement timeout, so a progress handler interrupts a statement
    /// that passes its deadline.
    pub async fn dry_run(
        &self,
        database: &str,
        script: &str,
        timeout: Duration,
    ) -> Result<DryRunReport, DryRunError> {
        let statements = dry_run::plan(Dialect::Sqlite, script, timeout)?;
        let path = self.path_of(database).map_err(DryRunError::NotStarted)?;
        let mut conn = self
            .connect_file(&path)
            .await
            .map_err(DryRunError::NotStarted)?;
        let result = self
            .dry_run_in(&mut conn, &path, &statements, timeout)
            .await;
        // Closing also rolls back if the ROLLBACK did not.
        let _ = conn.close().await;
        result
    }

    async fn dry_run_in(
        &self,
        conn: &mut SqliteConnection,
        path: &Path,
        statements: &[Planned],
        timeout: Duration,
    ) -> Result<DryRunReport, DryRunError> {
        let not_started = |e| DryRunError::NotStarted(error(e, path));
        let mut run = DryRun::new(timeout, self.config.lock_timeout);
        // An integer in milliseconds: nothing to quote.
        let busy = format!("PRAGMA busy_timeout = {}", ms(run.lock));
        sqlx::raw_sql(AssertSqlSafe(busy))
            .execute(&mut *conn)
            .await
            .map_err(not_started)?;
        let deadline: Arc<Mutex<Option<Instant>>> = Arc::default();
        let watched = Arc::clone(&deadline);
        conn.lock_handle()
            .await
            .map_err(not_started)?
            .set_progress_handler(PROGRESS_STEPS, move || {
                let deadline = *watched.lock().unwrap_or_else(|p| p.into_inner());
                deadline.is_none_or(|d| Instant::now() < d)
            });
        let set_deadline = |d: Option<Instant>| {
            *deadline.lock().unwrap_or_else(|p| p.into_inner()) = d;
        };

        let mut tx = conn
            .begin_with(BEGIN_IMMEDIATE)
            .await
            .map_err(not_started)?;
        for s in statements {
            if !s.in_transaction {
                run.skipped(s, NOT_IN_TRANSACTION);
                continue;
            }
            let started = Instant::now();
            set_deadline(Some(started + timeout));
            let result = sqlx::raw_sql(AssertSqlSafe(s.text.as_str()))
                .execute(&mut *tx)
                .await;
            set_deadline(None);
            match result {
                Ok(done) => run.ran(s, started, done.rows_affected()),
                Err(e) => {
                    let mut err = error(e, path);
                    if err.code.as_deref() == Some(INTERRUPTED) {
                        err.kind = ErrorKind::StatementTimeout;
                    }
                    // SQLite may have rolled back already; either way
                    // nothing is committed.
                    let _ = tx.rollback().await;
                    return Err(run.failed(s, err));
                }
            }
        }
        // Always: this is what makes it a dry run.
        if let Err(e) = tx.rollback().await {
            tracing::warn!(error = %e, "dry run: rollback failed; closing the connection");
        }
        Ok(run.done())
    }

    async fn run_script(
        &self,
        conn: &mut SqliteConnection,
        path: &Path,
        statements: &[Planned],
        change: &ChangeRecord,
        run: &mut Run<'_>,
    ) -> Result<(), ExecutionError> {
        let not_started = |e| ExecutionError::NotStarted(error(e, path));
        // An integer in milliseconds: nothing to quote.
        let busy = format!("PRAGMA busy_timeout = {}", ms(self.config.lock_timeout));
        sqlx::raw_sql(AssertSqlSafe(busy))
            .execute(&mut *conn)
            .await
            .map_err(not_started)?;
        sqlx::raw_sql(CREATE_HISTORY)
            .execute(&mut *conn)
            .await
            .map_err(not_started)?;
        if let Some(active) = find_active(conn, path, &change.version).await? {
            return Err(ExecutionError::AlreadyApplied(Box::new(active)));
        }
        if let Some(e) = run.canceled(statements.first()) {
            return Err(run.stop(None, e));
        }
        let (in_tx, alone) = partition(statements);

        let mut tx = conn
            .begin_with(BEGIN_IMMEDIATE)
            .await
            .map_err(not_started)?;
        // Read again under the write lock: another writer may have finished
        // the version since the check above.
        let active = match find_active(&mut tx, path, &change.version).await {
            Ok(active) => active,
            Err(e) => {
                let _ = tx.rollback().await;
                return Err(e);
            }
        };
        if let Some(active) = active {
            let _ = tx.rollback().await;
            return Err(ExecutionError::AlreadyApplied(Box::new(active)));
        }
        let inserted = sqlx::query(INSERT_PENDING)
            .bind(&change.version)
            .bind(&change.description)
            .bind(run.checksum())
            .bind(&change.who)
            .execute(&mut *tx)
            .await;
        let id = match inserted {
            Ok(done) => done.last_insert_rowid(),
            Err(e) => {
                let _ = tx.rollback().await;
                return Err(not_started(e));
            }
        };
        run.set_history_id(id);
        for s in &in_tx {
            if let Some(e) = run.canceled(Some(s)) {
                let _ = tx.rollback().await;
                return Err(run.stop(None, e));
            }
            let started = run.start(s);
            match sqlx::raw_sql(AssertSqlSafe(s.text.as_str()))
                .execute(&mut *tx)
                .await
            {
                Ok(done) => run.finish(s, started, done.rows_affected(), false),
                Err(e) => {
                    let err = error(e, path);
                    let _ = tx.rollback().await;
                    return Err(run.stop(Some(s), err));
                }
            }
        }
        if let Some(e) = run.canceled(None) {
            let _ = tx.rollback().await;
            return Err(run.stop(None, e));
        }
        let record = if alone.is_empty() {
            sqlx::query(FINISH)
                .bind(id)
                .bind(HistoryStatus::Done.as_str())
                .bind(ms(run.elapsed()))
                .bind(None::<String>)
                .bind(in_tx.len() as i64)
        } else {
            sqlx::query(RECORD_APPLIED)
                .bind(id)
                .bind(in_tx.len() as i64)
        };
        if let Err(e) = record.execute(&mut *tx).await {
            let err = error(e, path);
            let _ = tx.rollback().await;
            return Err(run.stop(None, err));
        }
        if let Err(e) = tx.commit().await {
            return Err(run.stop(None, error(e, path)));
        }
        run.committed();

        for s in &alone {
            if let Some(e) = run.canceled(Some(s)) {
                finish(conn, id, run.tally(), Some(&e)).await;
                return Err(run.stop(None, e));
            }
            let started = run.start(s);
            match sqlx::raw_sql(AssertSqlSafe(s.text.as_str()))
                .execute(&mut *conn)
                .await
            {
                Ok(done) => run.finish(s, started, done.rows_affected(), true),
                Err(e) => {
                    let err = error(e, path);
                    finish(conn, id, run.tally(), Some(&err)).await;
                    return Err(run.stop(Some(s), err));
                }
            }
        }
        if !alone.is_empty() && !finish(conn, id, run.tally(), None).await {
            let err = EngineError::new(
                ErrorKind::Other,
                format!(
                    "the script was applied, but sluice_history row {id} could not be marked DONE"
                ),
            );
            return Err(run.stop(None, err));
        }
        Ok(())
    }

    /// Every run recorded in database `database`, oldest first; empty if
    /// Sluice never ran a change there.
    pub async fn history(&self, database: &str) -> Result<Vec<HistoryEntry>, EngineError> {
        let path = self.path_of(database)?;
        let mut conn = self.connect_file(&path).await?;
        let exists: i64 = sqlx::query_scalar(HISTORY_EXISTS)
            .fetch_one(&mut conn)
            .await
            .map_err(|e| error(e, &path))?;
        let rows: Vec<HistoryRow> = if exists > 0 {
            sqlx::query_as(LIST_HISTORY)
                .fetch_all(&mut conn)
                .await
                .map_err(|e| error(e, &path))?
        } else {
            Vec::new()
        };
        let _ = conn.close().await;
        rows.into_iter().map(entry).collect()
    }

    /// SQLite cannot interrupt a running statement through sqlx (no
    /// `sqlite3_interrupt` from outside its worker thread): the handle is
    /// marked, so the script stops before its next statement and rolls
    /// back, and the answer is an error that says the running statement
    /// goes on.
    pub async fn cancel(&self, handle: &CancelHandle) -> Result<bool, EngineError> {
        handle.request();
        Err(EngineError::new(
            ErrorKind::Other,
            "SQLite cannot interrupt a running statement: the script stops (and rolls back) \
             before its next statement",
        ))
    }
}

/// Marks a run DONE (no error) or FAILED after the transaction; false if
/// the row could not be written (it then stays PENDING).
async fn finish(
    conn: &mut SqliteConnection,
    id: i64,
    tally: Tally,
    error: Option<&EngineError>,
) -> bool {
    let status = HistoryStatus::finished(error);
    let written = sqlx::query(FINISH)
        .bind(id)
        .bind(status.as_str())
        .bind(tally.duration_ms)
        .bind(error.map(|e| e.message.clone()))
        .bind(tally.applied)
        .execute(conn)
        .await;
    if let Err(e) = &written {
        tracing::warn!(history_id = id, error = %e, "could not finish sluice_history row");
    }
    written.is_ok()
}

async fn find_active(
    conn: &mut SqliteConnection,
    path: &Path,
    version: &str,
) -> Result<Option<HistoryEntry>, ExecutionError> {
    let row: Option<HistoryRow> = sqlx::query_as(FIND_ACTIVE)
        .bind(version)
        .fetch_optional(conn)
        .await
        .map_err(|e| ExecutionError::NotStarted(error(e, path)))?;
    row.map(entry)
        .transpose()
        .map_err(ExecutionError::NotStarted)
}
