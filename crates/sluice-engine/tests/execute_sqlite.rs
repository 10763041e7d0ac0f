//! Executing change scripts on SQLite files in a temporary directory: one
//! transaction with the history row, VACUUM after it, exactly-once by
//! version, and a cancel that can only stop between statements.

use sluice_engine::{
    CancelHandle, ChangeRecord, ConnectionConfig, CreateDatabaseOptions, Engine, EngineKind,
    ErrorKind, ExecutionError, ExecutionReport, HistoryStatus, checksum,
};
use sqlx::{Connection, SqliteConnection};
use std::time::Duration;

/// Every wait in these tests is bounded: a hang is a failure, not a stuck CI.
const LIMIT: Duration = Duration::from_secs(20);

/// An instance directory holding one fresh database `app`.
async fn instance() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let mut c = ConnectionConfig::new(EngineKind::Sqlite);
    c.database = dir.path().to_string_lossy().into_owned();
    let engine = Engine::new(c);
    engine
        .create_database("app", &CreateDatabaseOptions::default())
        .await
        .unwrap();
    (dir, engine)
}

async fn tables(dir: &tempfile::TempDir) -> Vec<String> {
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .fetch_all(&mut conn)
        .await
        .unwrap()
}

fn change(version: &str) -> ChangeRecord {
    ChangeRecord {
        version: version.into(),
        description: format!("change {version}"),
        who: "linus".into(),
    }
}

async fn run(
    engine: &Engine,
    script: &str,
    version: &str,
    handle: &CancelHandle,
) -> Result<ExecutionReport, ExecutionError> {
    tokio::time::timeout(
        LIMIT,
        engine.execute("app", script, &change(version), handle, &mut |_| {}),
    )
    .await
    .expect("execute must not hang")
}

#[tokio::test]
async fn failure_rolls_back_the_whole_transaction() {
    let (dir, engine) = instance().await;
    let script = "CREATE TABLE a (id INTEGER PRIMARY KEY);\n\
                  INSERT INTO a VALUES (1);\n\
                  INSERT INTO a VALUES (1);\n\
                  CREATE TABLE b (id INTEGER);\n";
    let s = match run(&engine, script, "1", &CancelHandle::new()).await {
        Err(ExecutionError::Stopped(s)) => s,
        other => panic!("{other:?}"),
    };
    let failed = s.statement.as_ref().unwrap();
    assert_eq!((failed.number, failed.line), (3, 3));
    assert_eq!(s.error.kind, ErrorKind::Query);
    // SQLITE_CONSTRAINT_PRIMARYKEY
    assert_eq!(s.error.code.as_deref(), Some("1555"), "{:?}", s.error);
    assert!(s.report.applied().is_empty());
    assert_eq!(tables(&dir).await, ["sluice_history"]);
    assert!(engine.history("app").await.unwrap().is_empty());
}

#[tokio::test]
async fn success_is_recorded_once_and_vacuum_runs_after_the_transaction() {
    let (dir, engine) = instance().await;
    assert!(engine.history("app").await.unwrap().is_empty());
    assert!(
        tables(&dir).await.is_empty(),
        "reading history creates nothing"
    );
    let script = "CREATE TABLE a (id INTEGER);\nVACUUM;\nINSERT INTO a VALUES (1), (2);\n";
    let report = run(&engine, script, "v1", &CancelHandle::new())
        .await
        .expect("the script runs");
    let order: Vec<usize> = report.statements.iter().map(|s| s.number).collect();
    assert_eq!(order, [1, 3, 2]);
    assert_eq!(report.statements[1].rows_affected, 2);

    let history = engine.history("app").await.unwrap();
    assert_eq!(history.len(), 1);
    let row = &history[0];
    assert_eq!(
        (row.status, row.statements_applied),
        (HistoryStatus::Done, 3)
    );
    assert_eq!(row.checksum, checksum(script));
    assert_eq!(row.description, "change v1");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((now - row.started_at_ms).abs() < 60_000, "{row:?}");
    assert!(row.when().ends_with('Z'));

    match run(&engine, script, "v1", &CancelHandle::new()).await {
        Err(ExecutionError::AlreadyApplied(entry)) => {
            assert_eq!(entry.status, HistoryStatus::Done)
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn cancel_says_it_cannot_interrupt_and_stops_before_the_next_statement() {
    let (dir, engine) = instance().await;
    let handle = CancelHandle::new();
    let err = engine.cancel(&handle).await.unwrap_err();
    assert!(err.message.contains("cannot interrupt"), "{}", err.message);
    match run(&engine, "CREATE TABLE a (id INTEGER);", "1", &handle).await {
        Err(ExecutionError::Stopped(s)) => {
            assert!(s.canceled);
            assert!(s.statement.is_none());
            assert!(s.report.statements.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(tables(&dir).await, ["sluice_history"]);
}

#[tokio::test]
async fn missing_database_is_not_started() {
    let (_dir, engine) = instance().await;
    let result = engine
        .execute(
            "nope",
            "SELECT 1",
            &change("1"),
            &CancelHandle::new(),
            &mut |_| {},
        )
        .await;
    match result {
        Err(ExecutionError::NotStarted(e)) => assert_eq!(e.kind, ErrorKind::DatabaseMissing),
        other => panic!("{other:?}"),
    }
}
