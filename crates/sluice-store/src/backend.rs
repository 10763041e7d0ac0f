//! The two backends behind one `Store`, and the macro that runs a query on
//! whichever one is in use.

use crate::error::StoreResult;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The metadata store. Cheap to clone (it holds a pool).
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) backend: Backend,
}

/// An open transaction on either backend.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Run `$body` with `$db` bound to the pool (`pool store`) or to the
/// transaction's connection (`tx tx`) of whichever backend is in use. The
/// body is written once and type-checked once per backend.
macro_rules! query {
    (pool $store:expr => |$db:ident| $body:expr) => {
        match &$store.backend {
            $crate::backend::Backend::Sqlite($db) => $body,
            $crate::backend::Backend::Postgres($db) => $body,
        }
    };
    (tx $tx:expr => |$db:ident| $body:expr) => {
        match $tx {
            $crate::backend::Tx::Sqlite(t) => {
                let $db = &mut **t;
                $body
            }
            $crate::backend::Tx::Postgres(t) => {
                let $db = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use query;

impl Store {
    /// Open (creating if needed) the SQLite store at `path` and migrate it.
    pub async fn open_sqlite(path: &Path) -> StoreResult<Store> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL syncs at checkpoints rather than at every
            // commit: a crash of Sluice loses nothing, a power cut may lose
            // the last commits. That is safe here: what a lost commit could
            // hide (a task that finished) is resolved again from the
            // target's own history, which is the record of what ran.
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        Store::migrated(Backend::Sqlite(pool)).await
    }

    /// A private in-memory SQLite store (tests). One connection, since each
    /// in-memory connection would otherwise see its own empty database.
    pub async fn open_sqlite_memory() -> StoreResult<Store> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Store::migrated(Backend::Sqlite(pool)).await
    }

    /// Connect to a PostgreSQL metadata store and migrate it.
    pub async fn open_postgres(url: &str) -> StoreResult<Store> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Store::migrated(Backend::Postgres(pool)).await
    }

    async fn migrated(backend: Backend) -> StoreResult<Store> {
        match &backend {
            Backend::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Backend::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(Store { backend })
    }

    /// Which backend this is, for logs and the health page.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Answer a trivial query: the store is reachable.
    pub async fn ping(&self) -> StoreResult<()> {
        query!(pool self => |db| sqlx::query("SELECT 1").execute(db).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    /// Begin a transaction. On SQLite it takes the write lock at once
    /// (BEGIN IMMEDIATE) so a read-then-write cannot fail half way with
    /// SQLITE_BUSY when another writer got there first.
    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        Ok(match &self.backend {
            Backend::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

impl Tx {
    /// Lock the workspace row until the transaction ends. Writers that read
    /// then write a workspace-wide fact (the first sign-up, the order of the
    /// environments) take it first, so on PostgreSQL, where transactions run
    /// side by side, they queue as they do on SQLite (BEGIN IMMEDIATE).
    pub(crate) async fn lock_workspace(&mut self) -> StoreResult<()> {
        const LOCK: &str = "UPDATE workspace SET updated_at = updated_at WHERE id = 1";
        query!(tx self => |db| sqlx::query(LOCK).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub(crate) async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}
