//! Sluice's contact with real databases.
//!
//! One [`Engine`] per kind of server (PostgreSQL, MySQL/MariaDB, SQLite),
//! wired explicitly in [`Engine::new`] — no global registry. Each module
//! connects with its own typed sqlx connection (never a pool: engine work is
//! short, and a pool would keep connections to customer databases open),
//! under a connect timeout, and sorts failures into the kinds a person can
//! act on ([`ErrorKind`]).

mod config;
mod dry_run;
mod error;
mod execute;
mod explain;
mod history;
mod mysql;
mod postgres;
mod sqlite;

pub use config::{ConnectionConfig, CreateDatabaseOptions, EngineKind, Tls};
pub use dry_run::{DryRunError, DryRunOutcome, DryRunReport, DryRunStatement};
pub use error::{EngineError, ErrorKind};
pub use execute::{
    CancelHandle, ChangeRecord, ExecutionError, ExecutionReport, FailedStatement, Progress,
    StatementEvent, StatementResult, Stopped, checksum,
};
pub use explain::{Explained, Explanation};
pub use history::{HistoryEntry, HistoryStatus};

use serde::Serialize;

/// What the server said about itself when we connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerInfo {
    /// POSTGRES, MYSQL, MARIADB or SQLITE: detected, not configured.
    pub flavor: EngineKind,
    /// The version as the server spells it, e.g. `16.4` or `10.11.6-MariaDB`.
    pub version: String,
}

/// A configured engine for one instance.
#[derive(Debug, Clone)]
pub enum Engine {
    Postgres(postgres::Postgres),
    Mysql(mysql::Mysql),
    Sqlite(sqlite::Sqlite),
}

impl Engine {
    /// The engine for a connection configuration.
    pub fn new(config: ConnectionConfig) -> Engine {
        match config.kind {
            EngineKind::Postgres => Engine::Postgres(postgres::Postgres::new(config)),
            EngineKind::Mysql | EngineKind::Mariadb => Engine::Mysql(mysql::Mysql::new(config)),
            EngineKind::Sqlite => Engine::Sqlite(sqlite::Sqlite::new(config)),
        }
    }

    /// Connect, ask for the version, and check that it is one Sluice supports.
    pub async fn test(&self) -> Result<ServerInfo, EngineError> {
        match self {
            Engine::Postgres(e) => e.test().await,
            Engine::Mysql(e) => e.test().await,
            Engine::Sqlite(e) => e.test().await,
        }
    }

    /// The user databases of the instance, sorted by name (system ones excluded).
    pub async fn list_databases(&self) -> Result<Vec<String>, EngineError> {
        match self {
            Engine::Postgres(e) => e.list_databases().await,
            Engine::Mysql(e) => e.list_databases().await,
            Engine::Sqlite(e) => e.list_databases().await,
        }
    }

    /// Inspect one database into the neutral model, normalized: one bulk
    /// catalog query per object kind, never one per table.
    pub async fn inspect(&self, database: &str) -> Result<sluice_schema::Catalog, EngineError> {
        match self {
            Engine::Postgres(e) => e.inspect(database).await,
            Engine::Mysql(e) => e.inspect(database).await,
            Engine::Sqlite(e) => e.inspect(database).await,
        }
    }

    /// Create a database with the engine's options.
    pub async fn create_database(
        &self,
        name: &str,
        options: &CreateDatabaseOptions,
    ) -> Result<(), EngineError> {
        match self {
            Engine::Postgres(e) => e.create_database(name, options).await,
            Engine::Mysql(e) => e.create_database(name, options).await,
            Engine::Sqlite(e) => e.create_database(name, options).await,
        }
    }

    /// Run a change script on `database`, recorded in `sluice_history` as
    /// `change`: split for the dialect, refused if empty, if it holds
    /// transaction control, or if the version is already applied there;
    /// then one transaction plus the statements that must run alone
    /// (PostgreSQL, SQLite) or statement by statement (MySQL). `progress`
    /// hears each statement as it starts and finishes; `handle` lets another
    /// task [`Engine::cancel`] the script.
    pub async fn execute(
        &self,
        database: &str,
        script: &str,
        change: &ChangeRecord,
        handle: &CancelHandle,
        progress: Progress<'_>,
    ) -> Result<ExecutionReport, ExecutionError> {
        match self {
            Engine::Postgres(e) => e.execute(database, script, change, handle, progress).await,
            Engine::Mysql(e) => e.execute(database, script, change, handle, progress).await,
            Engine::Sqlite(e) => e.execute(database, script, change, handle, progress).await,
        }
    }

    /// Try `script` on `database` without changing it: each statement runs
    /// in one transaction that is always rolled back, each bounded by
    /// `timeout` and its lock waits by less. Statements that cannot run in a
    /// transaction are skipped; transaction control is refused as by
    /// [`Engine::execute`]. MySQL and MariaDB answer
    /// [`DryRunError::Unsupported`]: their DDL commits implicitly.
    pub async fn dry_run(
        &self,
        database: &str,
        script: &str,
        timeout: std::time::Duration,
    ) -> Result<DryRunReport, DryRunError> {
        match self {
            Engine::Postgres(e) => e.dry_run(database, script, timeout).await,
            Engine::Mysql(e) => e.dry_run(database, script, timeout).await,
            Engine::Sqlite(e) => e.dry_run(database, script, timeout).await,
        }
    }

    /// Plan `statement` on `database` without running it (`EXPLAIN`, in a
    /// transaction that is rolled back): the planner's row estimate, or
    /// `Err` with the server's message when it refuses the statement. See
    /// [`Engine::explain_all`] for many statements.
    pub async fn explain(&self, database: &str, statement: &str) -> Explanation {
        let deadline = std::time::Instant::now() + 2 * explain::PER_STATEMENT;
        self.explain_all(database, &[statement], deadline)
            .await?
            .pop()
            .unwrap_or_else(|| {
                Err(EngineError::new(
                    ErrorKind::StatementTimeout,
                    "the planner did not answer in time",
                ))
            })
    }

    /// Plan each of `statements` on `database` over one connection, each
    /// on its own (a statement does not see what an earlier one would
    /// create). The answers come in order, one per statement, and stop
    /// early when `deadline` passes or the connection breaks (the last
    /// answer says how). `Err` when it cannot connect. PostgreSQL estimates
    /// the rows a statement touches (`EXPLAIN (FORMAT JSON)`), MySQL and
    /// MariaDB give their largest `rows` (`EXPLAIN`), SQLite none
    /// (`EXPLAIN QUERY PLAN`).
    pub async fn explain_all(
        &self,
        database: &str,
        statements: &[&str],
        deadline: std::time::Instant,
    ) -> Result<Vec<Explanation>, EngineError> {
        match self {
            Engine::Postgres(e) => e.explain_all(database, statements, deadline).await,
            Engine::Mysql(e) => e.explain_all(database, statements, deadline).await,
            Engine::Sqlite(e) => e.explain_all(database, statements, deadline).await,
        }
    }

    /// Stop the script running under `handle`: it stops at its next
    /// statement boundary, and the running statement is interrupted where
    /// the engine can (PostgreSQL `pg_cancel_backend`, MySQL `KILL QUERY`).
    /// `Ok(true)` if a running statement was signalled. SQLite cannot
    /// interrupt a statement and answers with an error saying so.
    pub async fn cancel(&self, handle: &CancelHandle) -> Result<bool, EngineError> {
        match self {
            Engine::Postgres(e) => e.cancel(handle).await,
            Engine::Mysql(e) => e.cancel(handle).await,
            Engine::Sqlite(e) => e.cancel(handle).await,
        }
    }

    /// The runs recorded in `sluice_history` for `database`, oldest first
    /// (empty when Sluice never changed it).
    pub async fn history(&self, database: &str) -> Result<Vec<HistoryEntry>, EngineError> {
        match self {
            Engine::Postgres(e) => e.history(database).await,
            Engine::Mysql(e) => e.history(database).await,
            Engine::Sqlite(e) => e.history(database).await,
        }
    }
}
