//! Runs one test body against each store backend: SQLite on a temporary
//! file, in-memory SQLite, and PostgreSQL on a database made for the test and
//! dropped after it, whether the test passed or not.
//!
//! Shared by several test binaries, each of which uses a part of it.
//! Its macros are visible to a test file that declares `#[macro_use] mod common;`.

#![allow(dead_code)]

/// Generate one `#[tokio::test]` per backend for each named test body.
macro_rules! backend_tests {
    ($module:ident, $backend:ident: $($name:ident),* $(,)?) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    crate::common::run(crate::common::Backend::$backend, crate::$name).await
                }
            )*
        }
    };
}

macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        backend_tests!(sqlite_file, SqliteFile: $($name),*);
        backend_tests!(sqlite_memory, SqliteMemory: $($name),*);
        backend_tests!(postgres, Postgres: $($name),*);
    };
}

/// Assert that a store call failed with the given `StoreError` variant.
macro_rules! assert_err {
    ($result:expr, $variant:ident) => {
        match $result {
            Err(sluice_store::StoreError::$variant(_)) => {}
            other => panic!(
                "{}: expected StoreError::{}, got {:?}",
                stringify!($result),
                stringify!($variant),
                other
            ),
        }
    };
}

pub mod pipelines;

use sluice_store::Store;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// The PostgreSQL server the suite uses; `SLUICE_TEST_PG_URL` overrides it.
/// It must end in `/` so a database name can be appended.
pub fn pg_server_url() -> String {
    std::env::var("SLUICE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/".into())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    SqliteFile,
    SqliteMemory,
    Postgres,
}

/// What a test body gets: the open store, and how to open it again.
#[derive(Clone)]
pub struct Ctx {
    pub store: Store,
    pub backend: Backend,
    location: Location,
}

#[derive(Clone)]
enum Location {
    File(PathBuf),
    Memory,
    Url(String),
}

impl Ctx {
    /// Open a second store on the same data (runs the migrations again).
    /// An in-memory store cannot be reopened: its data lives in its one
    /// connection.
    pub async fn reopen(&self) -> Store {
        match &self.location {
            Location::File(path) => Store::open_sqlite(path).await.expect("reopen SQLite store"),
            Location::Url(url) => Store::open_postgres(url)
                .await
                .expect("reopen PostgreSQL store"),
            Location::Memory => panic!("an in-memory store cannot be reopened"),
        }
    }
}

/// Run `test` on `backend`, clean up, then fail if the test failed.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    match backend {
        Backend::SqliteFile => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let path = dir.path().join("sluice.db");
            let store = Store::open_sqlite(&path)
                .await
                .expect("open SQLite store on a temporary file");
            let ctx = Ctx {
                store: store.clone(),
                backend,
                location: Location::File(path),
            };
            let outcome = drive(ctx, test).await;
            store.close().await;
            drop(dir);
            report(backend, outcome);
        }
        Backend::SqliteMemory => {
            let store = Store::open_sqlite_memory()
                .await
                .expect("open in-memory SQLite store");
            let ctx = Ctx {
                store: store.clone(),
                backend,
                location: Location::Memory,
            };
            let outcome = drive(ctx, test).await;
            store.close().await;
            report(backend, outcome);
        }
        Backend::Postgres => {
            let db = PgTestDatabase::create().await;
            let store = Store::open_postgres(&db.url)
                .await
                .unwrap_or_else(|e| panic!("open PostgreSQL store on {}: {e}", db.url));
            let ctx = Ctx {
                store: store.clone(),
                backend,
                location: Location::Url(db.url.clone()),
            };
            let outcome = drive(ctx, test).await;
            store.close().await;
            db.drop_now().await;
            report(backend, outcome);
        }
    }
}

enum Outcome {
    Passed,
    Failed(anyhow::Error),
    Panicked(Box<dyn std::any::Any + Send>),
}

/// Run the body on its own task so a panic comes back as a value and the
/// clean-up still runs.
async fn drive<F, Fut>(ctx: Ctx, test: F) -> Outcome
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    match tokio::spawn(test(ctx)).await {
        Ok(Ok(())) => Outcome::Passed,
        Ok(Err(err)) => Outcome::Failed(err),
        Err(join) if join.is_panic() => Outcome::Panicked(join.into_panic()),
        Err(join) => Outcome::Failed(anyhow::anyhow!("test task did not finish: {join}")),
    }
}

fn report(backend: Backend, outcome: Outcome) {
    match outcome {
        Outcome::Passed => {}
        Outcome::Failed(err) => panic!("[{backend:?}] {err:?}"),
        Outcome::Panicked(payload) => {
            eprintln!("[{backend:?}] test panicked");
            std::panic::resume_unwind(payload)
        }
    }
}

/// A PostgreSQL database made for one test. `drop_now` removes it; if that
/// is never reached (a panic while opening the store), `Drop` removes it.
struct PgTestDatabase {
    name: String,
    url: String,
    dropped: bool,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl PgTestDatabase {
    async fn create() -> PgTestDatabase {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let random = RandomState::new().hash_one(n) & 0xffff_ffff;
        let name = format!("sluice_conf_{}_{n}_{random:08x}", std::process::id());
        let mut admin = admin_connection().await;
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        admin.close().await.ok();
        PgTestDatabase {
            url: format!("{}{name}", pg_server_url()),
            name,
            dropped: false,
        }
    }

    async fn drop_now(mut self) {
        drop_database(&self.name).await;
        self.dropped = true;
    }
}

impl Drop for PgTestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // Drop runs in synchronous code, maybe inside the test's runtime:
        // use a thread with a runtime of its own.
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime for dropping the test database")
                .block_on(drop_database(&name))
        })
        .join();
    }
}

async fn admin_connection() -> PgConnection {
    let url = format!("{}postgres", pg_server_url());
    PgConnection::connect(&url).await.unwrap_or_else(|e| {
        panic!(
            "the store conformance suite needs PostgreSQL at {url} (trust auth; \
             set SLUICE_TEST_PG_URL to use another server), but connecting failed: {e}"
        )
    })
}

async fn drop_database(name: &str) {
    let mut admin = admin_connection().await;
    sqlx::query(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap_or_else(|e| panic!("DROP DATABASE {name}: {e}"));
    admin.close().await.ok();
}
