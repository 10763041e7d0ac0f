//! What the PostgreSQL planner's tests share: scratch databases on the
//! server at 127.0.0.1:5432 that are dropped however a test ends, loading
//! SQL and applying plans through `psql`, normalized `pg_dump` output, and
//! the oracle itself.

#![allow(dead_code)]

mod dump;
pub mod random;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use sluice_engine::{CancelHandle, ChangeRecord, ConnectionConfig, Engine, EngineKind};
use sluice_plan::{Plan, PlanOptions, plan};
use sluice_schema::{Catalog, DiffOptions, Rename, diff};
use sqlx::{Connection, PgConnection};

pub use dump::{columns_unordered, normalize};

const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Databases made for one test, all dropped when it is dropped (also when
/// the test panics).
pub struct Scratch {
    prefix: String,
    made: Mutex<Vec<String>>,
    counter: AtomicUsize,
}

impl Scratch {
    pub fn new(prefix: &str) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Scratch {
            prefix: format!("sluice_plan_{prefix}_{}_{nanos}", std::process::id()),
            made: Mutex::new(Vec::new()),
            counter: AtomicUsize::new(0),
        }
    }

    /// A new empty database.
    pub async fn database(&self, label: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}_{n}_{label}", self.prefix);
        let mut admin = PgConnection::connect(ADMIN_URL)
            .await
            .expect("PostgreSQL must run on 127.0.0.1:5432");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE \"{name}\" TEMPLATE template0"
        )))
        .execute(&mut admin)
        .await
        .expect("create a scratch database");
        self.made.lock().unwrap().push(name.clone());
        name
    }

    /// A new database holding `sql`.
    pub async fn loaded(&self, label: &str, sql: &str) -> Result<String, String> {
        let db = self.database(label).await;
        psql_in(&db, sql, Transaction::One).map_err(|e| format!("loading {label}: {e}"))?;
        Ok(db)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let names = std::mem::take(&mut *self.made.lock().unwrap_or_else(|e| e.into_inner()));
        if names.is_empty() {
            return;
        }
        // Drop cannot await, and may run inside a runtime: a thread with
        // its own runtime can.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut c) = PgConnection::connect(ADMIN_URL).await {
                    for name in names {
                        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                            .execute(&mut c)
                            .await;
                    }
                }
            })
        })
        .join();
    }
}

/// How a script runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Transaction {
    /// `psql`, each statement on its own, as a person running the script
    /// would.
    Each,
    /// `psql --single-transaction`: faster for long scripts that can run
    /// that way.
    One,
    /// Sluice's engine: the transactional statements in one transaction,
    /// then the others one by one.
    Engine,
}

/// Runs `sql` on `db` with `psql -v ON_ERROR_STOP=1`, as a person would.
pub fn psql(db: &str, sql: &str) -> Result<(), String> {
    psql_in(db, sql, Transaction::Each)
}

pub fn psql_in(db: &str, sql: &str, transaction: Transaction) -> Result<(), String> {
    let single = match transaction {
        Transaction::Each | Transaction::Engine => "--echo-errors",
        Transaction::One => "--single-transaction",
    };
    let mut child = Command::new("psql")
        .args([
            single,
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            db,
            "-f",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("psql: {e}"))?;
    // psql stops reading at the first error: its own message says more
    // than the broken pipe, so a failed write is not the error reported.
    let written = child
        .stdin
        .take()
        .map(|mut stdin| stdin.write_all(sql.as_bytes()));
    let out = child.wait_with_output().map_err(|e| format!("psql: {e}"))?;
    if let Some(Err(e)) = written
        && out.status.success()
    {
        return Err(format!("psql stdin: {e}"));
    }
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// `pg_dump --schema-only` of `db`, normalized (see [`normalize`]).
pub fn dump(db: &str) -> Vec<String> {
    let out = Command::new("/usr/bin/pg_dump")
        .args([
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            db,
        ])
        .output()
        .expect("pg_dump runs");
    assert!(
        out.status.success(),
        "pg_dump {db}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    normalize(&String::from_utf8_lossy(&out.stdout))
}

pub fn engine() -> Engine {
    let mut c = ConnectionConfig::new(EngineKind::Postgres);
    c.host = "127.0.0.1".into();
    c.port = 5432;
    c.username = "postgres".into();
    Engine::new(c)
}

pub async fn inspect(db: &str) -> Catalog {
    engine()
        .inspect(db)
        .await
        .unwrap_or_else(|e| panic!("inspect {db}: {e}"))
}

/// Runs `script` through Sluice's engine, recorded as `version`.
pub async fn execute(db: &str, script: &str, version: &str) -> Result<(), String> {
    let change = ChangeRecord {
        version: version.into(),
        description: "plan".into(),
        who: "test".into(),
    };
    engine()
        .execute(db, script, &change, &CancelHandle::new(), &mut |_| {})
        .await
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

/// The statements one dump has and the other has not, for a failure
/// message.
pub fn dump_difference(got: &[String], want: &[String]) -> String {
    let mut out = String::new();
    for s in got.iter().filter(|s| !want.contains(s)) {
        out.push_str(&format!("  + {s}\n"));
    }
    for s in want.iter().filter(|s| !got.contains(s)) {
        out.push_str(&format!("  - {s}\n"));
    }
    out
}

/// What one run of the oracle learnt: the forward plan, for assertions on
/// its statements.
pub struct Outcome {
    pub forward: Plan,
}

/// The oracle for one pair of schemas: `a` made from `a_sql`, `b` from
/// `b_sql`; plan(a → b) applied to `a` through `psql` must make `a` dump
/// like `b` and diff to nothing against it; then plan(a → A) applied must
/// give A's dump back. `Err` says which step failed, with the script.
pub async fn oracle(
    scratch: &Scratch,
    label: &str,
    a_sql: &str,
    b_sql: &str,
    options: &PlanOptions,
) -> Result<Outcome, String> {
    let each = [Transaction::Each; 2];
    oracle_with(scratch, label, a_sql, b_sql, options, each).await
}

/// [`oracle`], applying the forward and the reverse plan as `apply` says.
pub async fn oracle_with(
    scratch: &Scratch,
    label: &str,
    a_sql: &str,
    b_sql: &str,
    options: &PlanOptions,
    apply: [Transaction; 2],
) -> Result<Outcome, String> {
    let a = scratch.loaded(&format!("{label}_a"), a_sql).await?;
    let b = scratch.loaded(&format!("{label}_b"), b_sql).await?;
    let original = inspect(&a).await;
    let original_dump = dump(&a);
    let target = inspect(&b).await;
    let target_dump = dump(&b);

    let forward = plan(&original, &target, options);
    apply_and_compare(&a, &forward, &target, &target_dump, "forward", apply[0]).await?;

    let now = inspect(&a).await;
    let back = plan(&now, &original, &undoing(options));
    apply_and_compare(&a, &back, &original, &original_dump, "reverse", apply[1]).await?;
    Ok(Outcome { forward })
}

/// The options for the plan back: declared renames the other way round
/// (a renamed column keeps the name its table has in A).
fn undoing(options: &PlanOptions) -> PlanOptions {
    let mut back = options.clone();
    for rename in &mut back.diff.renames {
        match rename {
            Rename::Table { from, to, .. } | Rename::Column { from, to, .. } => {
                std::mem::swap(from, to);
            }
        }
    }
    back
}

async fn apply_and_compare(
    db: &str,
    plan: &Plan,
    want: &Catalog,
    want_dump: &[String],
    direction: &str,
    apply: Transaction,
) -> Result<(), String> {
    let script = plan.to_sql();
    let applied = match apply {
        Transaction::Engine => execute(db, &script, direction).await,
        Transaction::Each | Transaction::One => psql_in(db, &script, apply),
    };
    applied.map_err(|e| format!("{direction} plan failed: {e}\n{script}"))?;
    let mut got_dump = dump(db);
    let mut want_dump = want_dump.to_vec();
    if direction == "reverse" {
        got_dump = columns_unordered(&got_dump);
        want_dump = columns_unordered(&want_dump);
    }
    if got_dump != want_dump {
        return Err(format!(
            "{direction}: dump differs (+ got, - wanted):\n{}\n{script}",
            dump_difference(&got_dump, &want_dump)
        ));
    }
    let left = diff(&inspect(db).await, want, &DiffOptions::default());
    if !left.is_empty() {
        return Err(format!(
            "{direction}: diff not empty after the plan: {left:#?}\n{script}"
        ));
    }
    Ok(())
}
