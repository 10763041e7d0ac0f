//! Running change scripts on PostgreSQL.
//!
//! PostgreSQL has transactional DDL, so a script runs in one transaction
//! together with its `sluice.sluice_history` row: a failure, a cancel or a
//! crash leaves neither the change nor the row. Statements the server
//! refuses inside a transaction block (`CREATE INDEX CONCURRENTLY`,
//! `VACUUM`, …) run one by one after the commit; while they run the row is
//! PENDING, and it becomes DONE or FAILED after them.
//!
//! The session gets the instance's `lock_timeout` and `statement_timeout`
//! first, so a change never waits unbounded behind a lock (and never holds
//! up everyone queued behind it), and the backend pid goes into the
//! [`CancelHandle`] so [`Postgres::cancel`] can call `pg_cancel_backend`.

use super::Postgres;
use crate::dry_run::{self, DryRun};
use crate::execute::{Planned, Progress, Run, Tally, ms, partition, plan};
use crate::history::{HistoryRow, entry};
use crate::{
    CancelHandle, ChangeRecord, DryRunError, DryRunReport, EngineError, ExecutionError,
    ExecutionReport, HistoryEntry, HistoryStatus,
};
use sluice_sql::Dialect;
use sqlx::postgres::PgConnection;
use sqlx::{AssertSqlSafe, Connection};
use std::time::{Duration, Instant};

/// The session's own id, for `pg_cancel_backend` from another connection.
const BACKEND_PID: &str = "SELECT pg_backend_pid()";

/// Interrupts the running statement of a backend; false if none ran.
const CANCEL_BACKEND: &str = "SELECT pg_cancel_backend($1)";

/// Sluice's schema and history table, created on first use. The partial
/// unique index lets one version be PENDING or DONE only once: a second
/// concurrent run of it waits on the first and then fails to insert.
const CREATE_HISTORY: &str = "CREATE SCHEMA IF NOT EXISTS sluice;
CREATE TABLE IF NOT EXISTS sluice.sluice_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version text NOT NULL,
    description text NOT NULL DEFAULT '',
    checksum text NOT NULL,
    who text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    duration_ms bigint,
    status text NOT NULL CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    error text,
    statements_applied bigint NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS sluice_history_once
    ON sluice.sluice_history (version) WHERE status <> 'FAILED'";

/// Whether the history table exists, so reading history never creates it.
const HISTORY_EXISTS: &str = "SELECT to_regclass('sluice.sluice_history') IS NOT NULL";

/// The columns of [`HistoryRow`]; times as Unix milliseconds.
macro_rules! history_columns {
    () => {
        "id, version, description, checksum, who, \
         (extract(epoch FROM started_at) * 1000)::int8, \
         (extract(epoch FROM finished_at) * 1000)::int8, \
         duration_ms, status, error, statements_applied"
    };
}

/// The run of a version that blocks running it again (DONE, or PENDING).
const FIND_ACTIVE: &str = concat!(
    "SELECT ",
    history_columns!(),
    " FROM sluice.sluice_history WHERE version = $1 AND status <> 'FAILED' ORDER BY id DESC LIMIT 1"
);

/// Every run, oldest first.
const LIST_HISTORY: &str = concat!(
    "SELECT ",
    history_columns!(),
    " FROM sluice.sluice_history ORDER BY id"
);

/// The row of a run, written inside its transaction.
const INSERT_PENDING: &str = "INSERT INTO sluice.sluice_history (version, description, checksum, who, status) \
     VALUES ($1, $2, $3, $4, 'PENDING') RETURNING id";

/// Progress while statements that run alone are still to come.
const RECORD_APPLIED: &str =
    "UPDATE sluice.sluice_history SET statements_applied = $2 WHERE id = $1";

/// The end of a run.
const FINISH: &str = "UPDATE sluice.sluice_history SET status = $2, finished_at = clock_timestamp(), \
     duration_ms = $3, error = $4, statements_applied = $5 WHERE id = $1";

/// Why a dry run leaves a statement out.
const NOT_IN_TRANSACTION: &str =
    "PostgreSQL cannot run it inside a transaction, so a dry run cannot try it without applying it";

/// How long past its timeout a dry-run statement may go before Sluice
/// cancels it itself (the server's own timeout normally stops it first).
const BACKSTOP: Duration = Duration::from_secs(2);

/// SQLSTATE unique_violation: another run of the version got there first.
const UNIQUE_VIOLATION: &str = "23505";

/// Session settings in milliseconds; 0 turns a timeout off, as in PostgreSQL.
fn session_settings(lock: Duration, statement: Duration) -> String {
    format!(
        "SET lock_timeout = {}; SET statement_timeout = {}",
        ms(lock),
        ms(statement)
    )
}

impl Postgres {
    /// Runs `script` on `database` as change `change`; see the module docs.
    pub async fn execute(
        &self,
        database: &str,
        script: &str,
        change: &ChangeRecord,
        handle: &CancelHandle,
        progress: Progress<'_>,
    ) -> Result<ExecutionReport, ExecutionError> {
        change.check()?;
        let statements = plan(Dialect::Postgres, script)?;
        let mut conn = self
            .connect(Some(database))
            .await
            .map_err(ExecutionError::NotStarted)?;
        let mut run = Run::new(change, script, handle, progress);
        let result = self
            .run_script(&mut conn, &statements, change, handle, &mut run)
            .await;
        handle.set_session(None);
        let _ = conn.close().await;
        result.map(|()| run.done())
    }

    /// Runs `script` on `database` in a transaction that is always rolled
    /// back; see [`crate::Engine::dry_run`].
    pub async fn dry_run(
        &self,
        database: &str,
        script: &str,
        timeout: Duration,
    ) -> Result<DryRunReport, DryRunError> {
        let statements = dry_run::plan(Dialect::Postgres, script, timeout)?;
        let mut conn = self
            .connect(Some(database))
            .await
            .map_err(DryRunError::NotStarted)?;
        let result = self.dry_run_in(&mut conn, &statements, timeout).await;
        // Closing also ends the transaction if the rollback did not.
        let _ = conn.close().await;
        result
    }

    async fn dry_run_in(
        &self,
        conn: &mut PgConnection,
        statements: &[Planned],
        timeout: Duration,
    ) -> Result<DryRunReport, DryRunError> {
        let not_started = |e| DryRunError::NotStarted(self.error(e));
        let pid: i32 = sqlx::query_scalar(BACKEND_PID)
            .fetch_one(&mut *conn)
            .await
            .map_err(not_started)?;
        let mut run = DryRun::new(timeout, self.config.lock_timeout);
        let mut tx = conn.begin().await.map_err(not_started)?;
        // SET LOCAL ends with the transaction. The short lock timeout makes
        // a dry run give way to production instead of queueing behind it.
        let settings = format!(
            "SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = {}",
            ms(timeout).max(1),
            ms(run.lock).max(1)
        );
        sqlx::raw_sql(AssertSqlSafe(settings))
            .execute(&mut *tx)
            .await
            .map_err(not_started)?;
        for s in statements {
            if !s.in_transaction {
                run.skipped(s, NOT_IN_TRANSACTION);
                continue;
            }
            let started = Instant::now();
            let statement = sqlx::raw_sql(AssertSqlSafe(s.text.as_str())).execute(&mut *tx);
            match tokio::time::timeout(timeout + BACKSTOP, statement).await {
                Ok(Ok(done)) => run.ran(s, started, done.rows_affected()),
                Ok(Err(e)) => {
                    let _ = tx.rollback().await;
                    return Err(run.failed(s, self.error(e)));
                }
                // The script lifted the server's limits (`SET statement_timeout
                // = 0`, `RESET ALL`): interrupt it ourselves. The transaction
                // ends when the caller closes the connection.
                Err(_) => {
                    let handle = CancelHandle::new();
                    handle.set_session(Some(i64::from(pid)));
                    let _ = self.cancel(&handle).await;
                    let err = EngineError::new(crate::ErrorKind::StatementTimeout, "");
                    return Err(run.failed(s, err));
                }
            }
        }
        // Always: this is what makes it a dry run. Should it fail, the
        // server rolls back when the connection closes.
        if let Err(e) = tx.rollback().await {
            tracing::warn!(error = %e, "dry run: rollback failed; closing the connection");
        }
        Ok(run.done())
    }

    async fn run_script(
        &self,
        conn: &mut PgConnection,
        statements: &[Planned],
        change: &ChangeRecord,
        handle: &CancelHandle,
        run: &mut Run<'_>,
    ) -> Result<(), ExecutionError> {
        let not_started = |e| ExecutionError::NotStarted(self.error(e));
        let pid: i32 = sqlx::query_scalar(BACKEND_PID)
            .fetch_one(&mut *conn)
            .await
            .map_err(not_started)?;
        handle.set_session(Some(i64::from(pid)));
        let settings = session_settings(self.config.lock_timeout, self.config.statement_timeout);
        sqlx::raw_sql(AssertSqlSafe(settings))
            .execute(&mut *conn)
            .await
            .map_err(not_started)?;
        sqlx::raw_sql(CREATE_HISTORY)
            .execute(&mut *conn)
            .await
            .map_err(not_started)?;
        if let Some(active) = self.find_active(conn, &change.version).await? {
            return Err(ExecutionError::AlreadyApplied(Box::new(active)));
        }
        if let Some(e) = run.canceled(statements.first()) {
            return Err(run.stop(None, e));
        }
        let (in_tx, alone) = partition(statements);

        let mut tx = conn.begin().await.map_err(not_started)?;
        let inserted = sqlx::query_scalar(INSERT_PENDING)
            .bind(&change.version)
            .bind(&change.description)
            .bind(run.checksum())
            .bind(&change.who)
            .fetch_one(&mut *tx)
            .await;
        let id: i64 = match inserted {
            Ok(id) => id,
            Err(e) => {
                let err = self.error(e);
                let _ = tx.rollback().await;
                if err.code.as_deref() == Some(UNIQUE_VIOLATION)
                    && let Some(active) = self.find_active(conn, &change.version).await?
                {
                    return Err(ExecutionError::AlreadyApplied(Box::new(active)));
                }
                return Err(ExecutionError::NotStarted(err));
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
                    let err = self.error(e);
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
            let err = self.error(e);
            let _ = tx.rollback().await;
            return Err(run.stop(None, err));
        }
        if let Err(e) = tx.commit().await {
            return Err(run.stop(None, self.error(e)));
        }
        run.committed();

        for s in &alone {
            if let Some(e) = run.canceled(Some(s)) {
                self.finish(conn, id, run.tally(), Some(&e)).await;
                return Err(run.stop(None, e));
            }
            let started = run.start(s);
            match sqlx::raw_sql(AssertSqlSafe(s.text.as_str()))
                .execute(&mut *conn)
                .await
            {
                Ok(done) => run.finish(s, started, done.rows_affected(), true),
                Err(e) => {
                    let err = self.error(e);
                    self.finish(conn, id, run.tally(), Some(&err)).await;
                    return Err(run.stop(Some(s), err));
                }
            }
        }
        if !alone.is_empty() && !self.finish(conn, id, run.tally(), None).await {
            let err = EngineError::new(
                crate::ErrorKind::Other,
                format!(
                    "the script was applied, but sluice_history row {id} could not be marked DONE"
                ),
            );
            return Err(run.stop(None, err));
        }
        Ok(())
    }

    /// Marks a run DONE (no error) or FAILED after the transaction; false if
    /// the row could not be written (it then stays PENDING, which is the
    /// truth: someone must look).
    async fn finish(
        &self,
        conn: &mut PgConnection,
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
        &self,
        conn: &mut PgConnection,
        version: &str,
    ) -> Result<Option<HistoryEntry>, ExecutionError> {
        let row: Option<HistoryRow> = sqlx::query_as(FIND_ACTIVE)
            .bind(version)
            .fetch_optional(conn)
            .await
            .map_err(|e| ExecutionError::NotStarted(self.error(e)))?;
        row.map(entry)
            .transpose()
            .map_err(ExecutionError::NotStarted)
    }

    /// Every run recorded on `database`, oldest first; empty if Sluice never
    /// ran a change there.
    pub async fn history(&self, database: &str) -> Result<Vec<HistoryEntry>, EngineError> {
        let mut conn = self.connect(Some(database)).await?;
        let exists: bool = sqlx::query_scalar(HISTORY_EXISTS)
            .fetch_one(&mut conn)
            .await
            .map_err(|e| self.error(e))?;
        let rows: Vec<HistoryRow> = if exists {
            sqlx::query_as(LIST_HISTORY)
                .fetch_all(&mut conn)
                .await
                .map_err(|e| self.error(e))?
        } else {
            Vec::new()
        };
        let _ = conn.close().await;
        rows.into_iter().map(entry).collect()
    }

    /// Interrupts the statement running under `handle` with
    /// `pg_cancel_backend`, from a second connection. True if a statement
    /// was signalled; the script also stops at its next statement boundary.
    pub async fn cancel(&self, handle: &CancelHandle) -> Result<bool, EngineError> {
        let Some(pid) = handle.request() else {
            return Ok(false);
        };
        let pid = i32::try_from(pid).map_err(|_| {
            EngineError::new(
                crate::ErrorKind::Other,
                format!("{pid} is not a backend pid"),
            )
        })?;
        let mut conn = self.connect(None).await?;
        let signalled: bool = sqlx::query_scalar(CANCEL_BACKEND)
            .bind(pid)
            .fetch_one(&mut conn)
            .await
            .map_err(|e| self.error(e))?;
        let _ = conn.close().await;
        Ok(signalled)
    }
}
