//! Running change scripts on MySQL and MariaDB.
//!
//! DDL commits implicitly there, so a script cannot be one transaction: it
//! runs statement by statement in autocommit mode, and the report says
//! exactly which statements are applied. The history row in
//! `sluice`.`sluice_history` (one table for the whole server, keyed by
//! database name) is written PENDING before the first statement and
//! updated to DONE or FAILED after the last, so a run cut short by a crash
//! stays visible as PENDING and is never re-applied blindly.
//!
//! Timeouts: `lock_wait_timeout` (metadata locks, i.e. DDL waiting behind
//! open transactions) and `innodb_lock_wait_timeout` (row locks) from the
//! lock timeout; the statement timeout as MariaDB's `max_statement_time`
//! (seconds, every statement) or MySQL's `max_execution_time`
//! (milliseconds, read-only SELECTs only — MySQL has no limit for DDL).
//! The connection id goes into the [`CancelHandle`] for `KILL QUERY`.

use super::Mysql;
use crate::execute::{Planned, Progress, Run, Tally, ms, plan};
use crate::history::{HistoryRow, entry};
use crate::{
    CancelHandle, ChangeRecord, DryRunError, DryRunReport, EngineError, EngineKind, ErrorKind,
    ExecutionError, ExecutionReport, HistoryEntry, HistoryStatus,
};
use sluice_sql::Dialect;
use sqlx::mysql::MySqlConnection;
use sqlx::{AssertSqlSafe, Connection};

/// The session's id for `KILL QUERY`, and the version string that tells
/// MariaDB from MySQL (their statement timeouts differ).
const SESSION: &str = "SELECT CONNECTION_ID(), CAST(VERSION() AS CHAR)";

/// Sluice's database and history table, created on first use.
const CREATE_HISTORY_DATABASE: &str =
    "CREATE DATABASE IF NOT EXISTS `sluice` CHARACTER SET utf8mb4";

/// One row per run; `database_name` because the table serves every
/// database of the server. TIMESTAMP columns keep UTC whatever the session
/// time zone, and explicit defaults stop MariaDB's auto-update behaviour.
const CREATE_HISTORY: &str = "CREATE TABLE IF NOT EXISTS `sluice`.`sluice_history` (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    database_name VARCHAR(64) NOT NULL,
    version VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    checksum CHAR(64) NOT NULL,
    who VARCHAR(255) NOT NULL,
    started_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    finished_at TIMESTAMP(3) NULL DEFAULT NULL,
    duration_ms BIGINT NULL,
    status VARCHAR(16) NOT NULL,
    error TEXT NULL,
    statements_applied BIGINT NOT NULL DEFAULT 0,
    KEY sluice_history_version (database_name, version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4";

/// Whether the history table exists, so reading history never creates it.
const HISTORY_EXISTS: &str = "SELECT COUNT(*) FROM information_schema.TABLES \
     WHERE TABLE_SCHEMA = 'sluice' AND TABLE_NAME = 'sluice_history'";

/// The columns of [`HistoryRow`]; times as Unix milliseconds.
macro_rules! history_columns {
    () => {
        "id, CAST(version AS CHAR), CAST(description AS CHAR), CAST(checksum AS CHAR), \
         CAST(who AS CHAR), CAST(ROUND(UNIX_TIMESTAMP(started_at) * 1000) AS SIGNED), \
         CAST(ROUND(UNIX_TIMESTAMP(finished_at) * 1000) AS SIGNED), duration_ms, \
         CAST(status AS CHAR), CAST(error AS CHAR), statements_applied"
    };
}

/// The run of a version on a database that blocks running it again.
const FIND_ACTIVE: &str = concat!(
    "SELECT ",
    history_columns!(),
    " FROM `sluice`.`sluice_history` WHERE database_name = ? AND version = ? \
     AND status <> 'FAILED' ORDER BY id DESC LIMIT 1"
);

/// Every run on a database, oldest first.
const LIST_HISTORY: &str = concat!(
    "SELECT ",
    history_columns!(),
    " FROM `sluice`.`sluice_history` WHERE database_name = ? ORDER BY id"
);

/// The row of a run, committed before its first statement.
const INSERT_PENDING: &str = "INSERT INTO `sluice`.`sluice_history` \
     (database_name, version, description, checksum, who, status) \
     VALUES (?, ?, ?, ?, ?, 'PENDING')";

/// The end of a run.
const FINISH: &str = "UPDATE `sluice`.`sluice_history` SET status = ?, finished_at = CURRENT_TIMESTAMP(3), \
     duration_ms = ?, error = ?, statements_applied = ? WHERE id = ?";

/// ER_NO_SUCH_THREAD: the connection to kill is gone (the script ended).
const NO_SUCH_THREAD: &str = "1094";

/// Whole seconds for the lock timeouts, at least 1 (the servers' minimum).
fn seconds(d: std::time::Duration) -> u64 {
    d.as_millis().div_ceil(1000).max(1) as u64
}

/// The session's timeouts for the detected flavour.
pub(super) fn session_settings(
    mariadb: bool,
    lock: std::time::Duration,
    statement: std::time::Duration,
) -> String {
    let lock = seconds(lock);
    let statement_limit = if mariadb {
        format!("max_statement_time = {:.3}", statement.as_secs_f64())
    } else {
        format!("max_execution_time = {}", ms(statement))
    };
    format!(
        "SET SESSION lock_wait_timeout = {lock}, innodb_lock_wait_timeout = {lock}, {statement_limit}"
    )
}

impl Mysql {
    /// No dry run here: DDL commits the open transaction implicitly, so a
    /// rolled-back transaction would not undo it. Answered before
    /// connecting, so a plan check never touches the server.
    pub async fn dry_run(
        &self,
        _database: &str,
        _script: &str,
        _timeout: std::time::Duration,
    ) -> Result<DryRunReport, DryRunError> {
        let server = if self.config.kind == EngineKind::Mariadb {
            "MariaDB"
        } else {
            "MySQL"
        };
        Err(DryRunError::Unsupported(format!(
            "{server} cannot dry run a script: DDL statements commit on their own, so a change \
             tried inside a transaction would stay applied; review the script or try it on a \
             copy of the database"
        )))
    }

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
        let database = if database.is_empty() {
            self.config.database.as_str()
        } else {
            database
        };
        if database.is_empty() {
            return Err(ExecutionError::NotStarted(crate::execute::invalid(
                "database: name the database to change",
            )));
        }
        let statements = plan(Dialect::Mysql, script)?;
        let mut conn = self
            .connect(Some(database))
            .await
            .map_err(ExecutionError::NotStarted)?;
        let mut run = Run::new(change, script, handle, progress);
        let result = self
            .run_script(&mut conn, database, &statements, change, handle, &mut run)
            .await;
        handle.set_session(None);
        let _ = conn.close().await;
        result.map(|()| run.done())
    }

    async fn run_script(
        &self,
        conn: &mut MySqlConnection,
        database: &str,
        statements: &[Planned],
        change: &ChangeRecord,
        handle: &CancelHandle,
        run: &mut Run<'_>,
    ) -> Result<(), ExecutionError> {
        let not_started = |e| ExecutionError::NotStarted(self.error(e));
        let (id, version): (u64, String) = sqlx::query_as(SESSION)
            .fetch_one(&mut *conn)
            .await
            .map_err(not_started)?;
        handle.set_session(i64::try_from(id).ok());
        let mariadb = version.to_ascii_lowercase().contains("mariadb");
        let settings = session_settings(
            mariadb,
            self.config.lock_timeout,
            self.config.statement_timeout,
        );
        for sql in [settings.as_str(), CREATE_HISTORY_DATABASE, CREATE_HISTORY] {
            sqlx::raw_sql(AssertSqlSafe(sql))
                .execute(&mut *conn)
                .await
                .map_err(not_started)?;
        }
        if let Some(active) = self.find_active(conn, database, &change.version).await? {
            return Err(ExecutionError::AlreadyApplied(Box::new(active)));
        }
        if let Some(e) = run.canceled(statements.first()) {
            return Err(run.stop(None, e));
        }
        let history_id = sqlx::query(INSERT_PENDING)
            .bind(database)
            .bind(&change.version)
            .bind(&change.description)
            .bind(run.checksum())
            .bind(&change.who)
            .execute(&mut *conn)
            .await
            .map_err(not_started)?
            .last_insert_id() as i64;
        run.set_history_id(history_id);

        for s in statements {
            if let Some(e) = run.canceled(Some(s)) {
                self.finish(conn, history_id, run.tally(), Some(&e)).await;
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
                    self.finish(conn, history_id, run.tally(), Some(&err)).await;
                    return Err(run.stop(Some(s), err));
                }
            }
        }
        // KILL QUERY makes SLEEP() return early without an error; the
        // script was still cancelled.
        if let Some(e) = run.canceled(None) {
            self.finish(conn, history_id, run.tally(), Some(&e)).await;
            return Err(run.stop(None, e));
        }
        if !self.finish(conn, history_id, run.tally(), None).await {
            let err = EngineError::new(
                ErrorKind::Other,
                format!(
                    "the script was applied, but sluice_history row {history_id} could not be marked DONE"
                ),
            );
            return Err(run.stop(None, err));
        }
        Ok(())
    }

    /// Marks a run DONE (no error) or FAILED; false if the row could not be
    /// written (it then stays PENDING, which is the truth: someone must look).
    async fn finish(
        &self,
        conn: &mut MySqlConnection,
        id: i64,
        tally: Tally,
        error: Option<&EngineError>,
    ) -> bool {
        let status = HistoryStatus::finished(error);
        let written = sqlx::query(FINISH)
            .bind(status.as_str())
            .bind(tally.duration_ms)
            .bind(error.map(|e| e.message.clone()))
            .bind(tally.applied)
            .bind(id)
            .execute(conn)
            .await;
        if let Err(e) = &written {
            tracing::warn!(history_id = id, error = %e, "could not finish sluice_history row");
        }
        written.is_ok()
    }

    async fn find_active(
        &self,
        conn: &mut MySqlConnection,
        database: &str,
        version: &str,
    ) -> Result<Option<HistoryEntry>, ExecutionError> {
        let row: Option<HistoryRow> = sqlx::query_as(FIND_ACTIVE)
            .bind(database)
            .bind(version)
            .fetch_optional(conn)
            .await
            .map_err(|e| ExecutionError::NotStarted(self.error(e)))?;
        row.map(entry)
            .transpose()
            .map_err(ExecutionError::NotStarted)
    }

    /// Every run recorded for `database`, oldest first; empty if Sluice
    /// never ran a change on this server.
    pub async fn history(&self, database: &str) -> Result<Vec<HistoryEntry>, EngineError> {
        let database = if database.is_empty() {
            self.config.database.as_str()
        } else {
            database
        };
        let mut conn = self.connect(Some("")).await?;
        let exists: i64 = sqlx::query_scalar(HISTORY_EXISTS)
            .fetch_one(&mut conn)
            .await
            .map_err(|e| self.error(e))?;
        let rows: Vec<HistoryRow> = if exists > 0 {
            sqlx::query_as(LIST_HISTORY)
                .bind(database)
                .fetch_all(&mut conn)
                .await
                .map_err(|e| self.error(e))?
        } else {
            Vec::new()
        };
        let _ = conn.close().await;
        rows.into_iter().map(entry).collect()
    }

    /// Interrupts the statement running under `handle` with `KILL QUERY`
    /// from a second connection (the script's connection survives and the
    /// script stops at its next statement boundary). True if a statement
    /// was signalled.
    pub async fn cancel(&self, handle: &CancelHandle) -> Result<bool, EngineError> {
        let Some(id) = handle.request() else {
            return Ok(false);
        };
        // An integer from CONNECTION_ID(): nothing to quote.
        let kill = format!("KILL QUERY {id}");
        let mut conn = self.connect(Some("")).await?;
        let result = sqlx::raw_sql(AssertSqlSafe(kill)).execute(&mut conn).await;
        let _ = conn.close().await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => {
                let err = self.error(e);
                if err.code.as_deref() == Some(NO_SUCH_THREAD) {
                    Ok(false)
                } else {
                    Err(err)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn settings_per_flavour() {
        let (lock, statement) = (Duration::from_millis(1500), Duration::from_secs(300));
        assert_eq!(
            session_settings(true, lock, statement),
            "SET SESSION lock_wait_timeout = 2, innodb_lock_wait_timeout = 2, max_statement_time = 300.000"
        );
        assert_eq!(
            session_settings(false, Duration::ZERO, statement),
            "SET SESSION lock_wait_timeout = 1, innodb_lock_wait_timeout = 1, max_execution_time = 300000"
        );
    }
}
