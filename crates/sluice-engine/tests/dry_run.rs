//! Dry runs: the script runs in a transaction that is always rolled back,
//! on a real PostgreSQL at 127.0.0.1:5432 (a fresh database per test,
//! dropped even when the test fails) and on SQLite files in a temporary
//! directory; MariaDB refuses. Nothing may stay behind.

mod common;

use common::{Db, pg_config};
use sluice_engine::{
    ConnectionConfig, CreateDatabaseOptions, DryRunError, DryRunOutcome, DryRunReport, Engine,
    EngineKind, ErrorKind,
};
use sqlx::{Connection, SqliteConnection};
use std::time::{Duration, Instant};

/// Every wait in these tests is bounded: a hang is a failure, not a stuck CI.
const LIMIT: Duration = Duration::from_secs(20);

const TIMEOUT: Duration = Duration::from_secs(10);

/// A fresh database holding a table with rows, to see that changes to it
/// are undone.
async fn seeded(prefix: &str) -> Db {
    let db = Db::new(&format!("dry_{prefix}")).await;
    let mut conn = db.conn().await;
    sqlx::raw_sql("CREATE TABLE accounts (id int PRIMARY KEY, name text); INSERT INTO accounts SELECT g, 'n' || g FROM generate_series(1, 3) g")
        .execute(&mut conn)
        .await
        .unwrap();
    db
}

async fn accounts(db: &Db) -> i64 {
    let mut conn = db.conn().await;
    sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

async fn dry_run(
    engine: &Engine,
    database: &str,
    script: &str,
    timeout: Duration,
) -> Result<DryRunReport, DryRunError> {
    tokio::time::timeout(LIMIT, engine.dry_run(database, script, timeout))
        .await
        .expect("a dry run must not hang")
}

fn ran(report: &DryRunReport) -> Vec<(usize, usize, u64)> {
    report
        .statements
        .iter()
        .filter_map(|s| match s.outcome {
            DryRunOutcome::Ran { rows_affected, .. } => Some((s.number, s.line, rows_affected)),
            DryRunOutcome::Skipped { .. } => None,
        })
        .collect()
}

#[tokio::test]
async fn postgres_good_script_runs_and_nothing_stays() {
    let db = seeded("good").await;
    let engine = Engine::new(pg_config());
    let script = "CREATE TABLE t (id int);\n\
                  INSERT INTO t SELECT generate_series(1, 5);\n\
                  UPDATE accounts SET name = 'x';\n\
                  DELETE FROM accounts WHERE id > 1;\n";
    let report = dry_run(&engine, &db.name, script, TIMEOUT)
        .await
        .expect("the script runs");
    assert_eq!(ran(&report), [(1, 1, 0), (2, 2, 5), (3, 3, 3), (4, 4, 2)]);
    assert_eq!(report.statements[1].column, 1);
    assert!(report.statements[1].text.starts_with("INSERT INTO t"));

    assert!(!db.exists("public.t").await, "the new table must be gone");
    assert_eq!(accounts(&db).await, 3);
    let mut conn = db.conn().await;
    let renamed: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts WHERE name = 'x'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(renamed, 0);
    assert!(
        !db.exists("sluice.sluice_history").await,
        "a dry run records no history"
    );

    let json = serde_json::to_value(&report).unwrap();
    let second = &json["statements"][1];
    assert_eq!(second["outcome"], "ran");
    assert_eq!(second["rows_affected"], 5);
    assert_eq!(second["line"], 2);
    assert!(second["duration_ms"].is_number(), "{json}");
}

#[tokio::test]
async fn postgres_failing_statement_is_named_and_nothing_stays() {
    let db = seeded("fail").await;
    let engine = Engine::new(pg_config());
    let script = "CREATE TABLE a (id int);\n\
                  DELETE FROM accounts;\n\
                  -- the typo is on purpose\n\
                  INSERT INTO missing VALUES (1);\n\
                  CREATE TABLE b (id int);\n";
    let err = dry_run(&engine, &db.name, script, TIMEOUT)
        .await
        .unwrap_err();
    let message = err.to_string();
    let DryRunError::Failed {
        statement,
        error,
        report,
    } = err
    else {
        panic!("expected a failed statement, got {err:?}");
    };
    assert_eq!(
        (statement.number, statement.line, statement.column),
        (3, 4, 1)
    );
    assert!(statement.text.starts_with("INSERT INTO missing"));
    assert_eq!(error.kind, ErrorKind::Query);
    assert_eq!(error.code.as_deref(), Some("42P01"), "{error:?}");
    assert!(error.message.contains("missing"), "{}", error.message);
    assert_eq!(ran(&report), [(1, 1, 0), (2, 2, 3)]);
    assert!(
        message.starts_with("dry run failed at statement 3 at line 4, column 1: [42P01]"),
        "{message}"
    );
    assert!(message.contains("nothing was changed"), "{message}");

    assert!(!db.exists("public.a").await);
    assert!(!db.exists("public.b").await);
    assert_eq!(accounts(&db).await, 3);
}

#[tokio::test]
async fn postgres_skips_what_cannot_run_in_a_transaction() {
    let db = seeded("skip").await;
    let engine = Engine::new(pg_config());
    let script = "ALTER TABLE accounts ADD COLUMN email text;\n\
                  CREATE INDEX CONCURRENTLY accounts_name ON accounts (name);\n\
                  VACUUM accounts;\n\
                  UPDATE accounts SET email = name;\n";
    let report = dry_run(&engine, &db.name, script, TIMEOUT)
        .await
        .expect("the script runs");
    assert_eq!(ran(&report), [(1, 1, 0), (4, 4, 3)]);
    for (i, number) in [(1, 2), (2, 3)] {
        let s = &report.statements[i];
        assert_eq!(s.number, number);
        match &s.outcome {
            DryRunOutcome::Skipped { reason } => {
                assert!(reason.contains("inside a transaction"), "{reason}")
            }
            other => panic!("statement {number} must be skipped: {other:?}"),
        }
    }
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["statements"][1]["outcome"], "skipped");
    assert!(json["statements"][1]["reason"].is_string());

    assert!(!db.exists("public.accounts_name").await, "never built");
    let mut conn = db.conn().await;
    let email: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'email'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(email, 0);
}

#[tokio::test]
async fn postgres_statement_timeout_stops_quickly() {
    let db = seeded("slow").await;
    let engine = Engine::new(pg_config());
    let started = Instant::now();
    let err = dry_run(
        &engine,
        &db.name,
        "CREATE TABLE t (id int);\nSELECT pg_sleep(5);",
        Duration::from_millis(500),
    )
    .await
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let message = err.to_string();
    let DryRunError::Failed {
        statement, error, ..
    } = err
    else {
        panic!("expected a timeout, got {err:?}");
    };
    assert_eq!((statement.number, statement.line), (2, 2));
    assert_eq!(error.kind, ErrorKind::StatementTimeout);
    assert_eq!(error.code.as_deref(), Some("57014"));
    assert!(
        message
            .starts_with("dry run stopped after 500ms: statement timeout (statement 2 at line 2"),
        "{message}"
    );
    assert!(!db.exists("public.t").await);
}

#[tokio::test]
async fn postgres_script_cannot_lift_the_timeout() {
    let db = seeded("lift").await;
    let engine = Engine::new(pg_config());
    let started = Instant::now();
    let err = dry_run(
        &engine,
        &db.name,
        "SET statement_timeout = 0;\nSELECT pg_sleep(8);",
        Duration::from_millis(500),
    )
    .await
    .unwrap_err();
    // The server no longer stops it; Sluice cancels it shortly after.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    match &err {
        DryRunError::Failed {
            statement, error, ..
        } => {
            assert_eq!(statement.number, 2);
            assert_eq!(error.kind, ErrorKind::StatementTimeout);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("dry run stopped after 500ms: statement timeout"),
        "{err}"
    );
}

#[tokio::test]
async fn postgres_does_not_queue_behind_a_held_lock() {
    let db = seeded("lock").await;
    let engine = Engine::new(pg_config());
    let mut holder = db.conn().await;
    sqlx::raw_sql("BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .unwrap();
    let started = Instant::now();
    let err = dry_run(
        &engine,
        &db.name,
        "ALTER TABLE accounts ADD COLUMN y int;",
        Duration::from_secs(1),
    )
    .await
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    match &err {
        DryRunError::Failed { error, .. } => {
            assert_eq!(error.kind, ErrorKind::LockTimeout);
            assert_eq!(error.code.as_deref(), Some("55P03"));
        }
        other => panic!("expected a lock timeout, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("dry run stopped after waiting 500ms for a lock another session holds"),
        "{err}"
    );
    let _ = holder.close().await;
}

#[tokio::test]
async fn postgres_refuses_transaction_control_and_bad_input() {
    let db = seeded("refuse").await;
    let engine = Engine::new(pg_config());
    let err = dry_run(
        &engine,
        &db.name,
        "CREATE TABLE a (id int);\nCOMMIT;\n",
        TIMEOUT,
    )
    .await
    .unwrap_err();
    match &err {
        DryRunError::NotStarted(e) => {
            assert_eq!(e.kind, ErrorKind::InvalidInput);
            assert!(
                e.message.starts_with("statement 2 at line 2"),
                "{}",
                e.message
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!db.exists("public.a").await);

    let zero = dry_run(&engine, &db.name, "SELECT 1", Duration::ZERO).await;
    assert!(
        matches!(&zero, Err(DryRunError::NotStarted(e)) if e.kind == ErrorKind::InvalidInput),
        "{zero:?}"
    );
    let missing = dry_run(&engine, "sluice_x_dry_no_such_db", "SELECT 1", TIMEOUT).await;
    assert!(
        matches!(&missing, Err(DryRunError::NotStarted(e)) if e.kind == ErrorKind::DatabaseMissing),
        "{missing:?}"
    );
}

/// An instance directory holding database `app` with a table of three rows.
async fn sqlite_instance() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let mut c = ConnectionConfig::new(EngineKind::Sqlite);
    c.database = dir.path().to_string_lossy().into_owned();
    let engine = Engine::new(c);
    engine
        .create_database("app", &CreateDatabaseOptions::default())
        .await
        .unwrap();
    let mut conn = sqlite_conn(&dir).await;
    sqlx::raw_sql(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT);
         INSERT INTO accounts VALUES (1, 'a'), (2, 'b'), (3, 'c');",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    (dir, engine)
}

async fn sqlite_conn(dir: &tempfile::TempDir) -> SqliteConnection {
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    SqliteConnection::connect(&url).await.unwrap()
}

/// The database file's bytes, and the directory's file names.
fn snapshot(dir: &tempfile::TempDir) -> (Vec<u8>, Vec<String>) {
    let bytes = std::fs::read(dir.path().join("app.db")).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    (bytes, names)
}

#[tokio::test]
async fn sqlite_good_script_runs_and_the_file_is_unchanged() {
    let (dir, engine) = sqlite_instance().await;
    let before = snapshot(&dir);
    let script = "CREATE TABLE t (id INTEGER);\n\
                  INSERT INTO t VALUES (1), (2);\n\
                  DELETE FROM accounts;\n\
                  DROP TABLE accounts;\n\
                  VACUUM;\n";
    let report = dry_run(&engine, "app", script, TIMEOUT)
        .await
        .expect("the script runs");
    // SQLite counts no rows for DDL and repeats the last count instead, so
    // only the DML counts are checked.
    let ran = ran(&report);
    assert_eq!(ran[..3], [(1, 1, 0), (2, 2, 2), (3, 3, 3)]);
    assert_eq!((ran[3].0, ran[3].1), (4, 4));
    match &report.statements[4].outcome {
        DryRunOutcome::Skipped { reason } => assert!(reason.contains("SQLite"), "{reason}"),
        other => panic!("VACUUM must be skipped: {other:?}"),
    }
    assert!(before == snapshot(&dir), "the file must not change");

    let mut conn = sqlite_conn(&dir).await;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(tables, ["accounts"]);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows, 3);
}

#[tokio::test]
async fn sqlite_failing_statement_is_named_and_the_file_is_unchanged() {
    let (dir, engine) = sqlite_instance().await;
    let before = snapshot(&dir);
    let script =
        "CREATE TABLE t (id INTEGER);\nDELETE FROM accounts;\nINSERT INTO nope VALUES (1);\n";
    let err = dry_run(&engine, "app", script, TIMEOUT).await.unwrap_err();
    let message = err.to_string();
    let DryRunError::Failed {
        statement,
        error,
        report,
    } = err
    else {
        panic!("expected a failed statement, got {err:?}");
    };
    assert_eq!((statement.number, statement.line), (3, 3));
    assert_eq!(error.kind, ErrorKind::Query);
    assert!(error.message.contains("nope"), "{}", error.message);
    assert_eq!(ran(&report), [(1, 1, 0), (2, 2, 3)]);
    assert!(
        message.starts_with("dry run failed at statement 3 at line 3, column 1"),
        "{message}"
    );
    assert!(before == snapshot(&dir), "the file must not change");
}

#[tokio::test]
async fn sqlite_statement_timeout_interrupts() {
    let (dir, engine) = sqlite_instance().await;
    let before = snapshot(&dir);
    let started = Instant::now();
    let err = dry_run(
        &engine,
        "app",
        "DELETE FROM accounts;\n\
         WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r;",
        Duration::from_millis(300),
    )
    .await
    .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    match &err {
        DryRunError::Failed {
            statement, error, ..
        } => {
            assert_eq!(statement.number, 2);
            assert_eq!(error.kind, ErrorKind::StatementTimeout);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("dry run stopped after 300ms: statement timeout (statement 2 at line 2"),
        "{err}"
    );
    assert!(before == snapshot(&dir), "the file must not change");
}

#[tokio::test]
async fn sqlite_refuses_transaction_control() {
    let (dir, engine) = sqlite_instance().await;
    let before = snapshot(&dir);
    let err = dry_run(
        &engine,
        "app",
        "BEGIN;\nDELETE FROM accounts;\nCOMMIT;",
        TIMEOUT,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, DryRunError::NotStarted(e) if e.kind == ErrorKind::InvalidInput),
        "{err:?}"
    );
    assert!(err.to_string().contains("transaction control"), "{err}");
    assert!(before == snapshot(&dir));
}

#[tokio::test]
async fn mariadb_is_unsupported() {
    let mut c = ConnectionConfig::new(EngineKind::Mariadb);
    c.host = "127.0.0.1".into();
    c.port = 3306;
    c.username = "root".into();
    let engine = Engine::new(c);
    let err = dry_run(&engine, "app", "CREATE TABLE t (id int)", TIMEOUT)
        .await
        .unwrap_err();
    match &err {
        DryRunError::Unsupported(message) => {
            assert!(message.starts_with("MariaDB cannot dry run"), "{message}");
            assert!(message.contains("commit"), "{message}");
        }
        other => panic!("expected unsupported, got {other:?}"),
    }
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(json["outcome"], "unsupported");
}
