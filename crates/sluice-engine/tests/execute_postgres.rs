//! Executing change scripts on a real PostgreSQL at 127.0.0.1:5432: one
//! transaction with the history row, statements that must run alone after
//! it, timeouts, cancel, and exactly-once by version. Each test makes its
//! own database and drops it, even when it fails.

mod common;

use common::{Db, pg_config as config};
use sluice_engine::{
    CancelHandle, ChangeRecord, Engine, ErrorKind, ExecutionError, HistoryStatus, StatementEvent,
    Stopped, checksum,
};
use std::time::{Duration, Instant};

/// Every wait in these tests is bounded: a hang is a failure, not a stuck CI.
const LIMIT: Duration = Duration::from_secs(20);

fn change(version: &str) -> ChangeRecord {
    ChangeRecord {
        version: version.into(),
        description: format!("change {version}"),
        who: "ada".into(),
    }
}

/// Runs a script with a fresh handle, collecting the progress events.
async fn run(
    engine: &Engine,
    db: &Db,
    script: &str,
    version: &str,
) -> (
    Result<sluice_engine::ExecutionReport, ExecutionError>,
    Vec<StatementEvent>,
) {
    let mut events = Vec::new();
    let mut progress = |e| events.push(e);
    let handle = CancelHandle::new();
    let result = tokio::time::timeout(
        LIMIT,
        engine.execute(&db.name, script, &change(version), &handle, &mut progress),
    )
    .await
    .expect("execute must not hang");
    (result, events)
}

fn stopped(result: Result<sluice_engine::ExecutionReport, ExecutionError>) -> Stopped {
    match result {
        Err(ExecutionError::Stopped(s)) => *s,
        other => panic!("expected a stopped script, got {other:?}"),
    }
}

#[tokio::test]
async fn failing_third_statement_leaves_nothing_and_names_it() {
    let db = Db::new("fail3").await;
    let engine = Engine::new(config());
    let script = "CREATE TABLE a (id int PRIMARY KEY);\n\
                  INSERT INTO a VALUES (1), (2);\n\
                  -- the typo is on purpose\n\
                  UPDATE a\n   SET id = id + 10\n WHERE nope = 1;\n\
                  CREATE TABLE b (id int);\n\
                  INSERT INTO b VALUES (1);\n";
    let (result, events) = run(&engine, &db, script, "1").await;
    let s = stopped(result);
    let failed = s.statement.as_ref().expect("the failed statement");
    assert_eq!((failed.number, failed.line, failed.column), (3, 4, 1));
    assert!(failed.text.starts_with("UPDATE a"), "{}", failed.text);
    assert_eq!(s.error.kind, ErrorKind::Query);
    assert_eq!(s.error.code.as_deref(), Some("42703"), "{:?}", s.error);
    assert!(s.error.message.contains("nope"), "{}", s.error.message);
    assert!(!s.canceled);
    assert_eq!(s.report.statements.len(), 2);
    assert!(s.report.applied().is_empty(), "{:?}", s.report);
    let message = ExecutionError::Stopped(Box::new(s)).to_string();
    assert!(
        message.starts_with("statement 3 at line 4, column 1 failed: [42703]"),
        "{message}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, StatementEvent::Committed { .. }))
    );

    assert!(
        !db.exists("public.a").await,
        "statement 1 must be rolled back"
    );
    assert!(engine.history(&db.name).await.unwrap().is_empty());
}

#[tokio::test]
async fn success_records_done_once_and_refuses_the_same_version() {
    let db = Db::new("done").await;
    let engine = Engine::new(config());
    assert!(engine.history(&db.name).await.unwrap().is_empty());
    let script = "CREATE TABLE t (id int);\nINSERT INTO t SELECT generate_series(1, 3);\n";
    let (result, events) = run(&engine, &db, script, "2024.1").await;
    let report = result.expect("the script runs");
    assert_eq!(report.checksum, checksum(script));
    assert_eq!(report.applied(), [1, 2]);
    assert_eq!(report.statements[1].rows_affected, 3);
    assert_eq!(report.statements[1].line, 2);
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            StatementEvent::Started { .. } => "started",
            StatementEvent::Finished(_) => "finished",
            StatementEvent::Committed { .. } => "committed",
        })
        .collect();
    assert_eq!(
        kinds,
        ["started", "finished", "started", "finished", "committed"]
    );

    let history = engine.history(&db.name).await.unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    let row = &history[0];
    assert_eq!(row.status, HistoryStatus::Done);
    assert_eq!(row.version, "2024.1");
    assert_eq!(row.checksum, checksum(script));
    assert_eq!((row.who.as_str(), row.statements_applied), ("ada", 2));
    assert_eq!(Some(row.id), report.history_id);
    assert!(row.finished_at_ms.unwrap() >= row.started_at_ms);
    assert!(row.error.is_none());

    let (again, events) = run(&engine, &db, script, "2024.1").await;
    match again {
        Err(ExecutionError::AlreadyApplied(entry)) => {
            assert_eq!(entry.id, row.id);
            let message = ExecutionError::AlreadyApplied(entry).to_string();
            assert!(
                message.starts_with("version 2024.1 was already applied on 20"),
                "{message}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(events.is_empty());
    assert_eq!(engine.history(&db.name).await.unwrap().len(), 1);
}

#[tokio::test]
async fn transaction_control_in_the_script_is_refused_before_connecting() {
    let mut c = config();
    c.port = 1; // nothing listens: a refusal must come before any connection
    let engine = Engine::new(c);
    let handle = CancelHandle::new();
    let result = engine
        .execute(
            "x",
            "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;",
            &change("1"),
            &handle,
            &mut |_| {},
        )
        .await;
    match result {
        Err(ExecutionError::NotStarted(e)) => {
            assert_eq!(e.kind, ErrorKind::InvalidInput);
            assert!(e.message.contains("statement 1 at line 1"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn create_index_concurrently_runs_after_the_transaction() {
    let db = Db::new("conc").await;
    let engine = Engine::new(config());
    let script = "CREATE TABLE t (id int);\n\
                  CREATE INDEX CONCURRENTLY t_id ON t (id);\n\
                  INSERT INTO t VALUES (1);\n";
    let (result, events) = run(&engine, &db, script, "1").await;
    let report = result.expect("the script runs");
    let order: Vec<usize> = report.statements.iter().map(|s| s.number).collect();
    assert_eq!(order, [1, 3, 2]);
    assert_eq!(report.applied(), [1, 3, 2]);
    // The commit comes before the concurrent index starts.
    let committed = events
        .iter()
        .position(|e| matches!(e, StatementEvent::Committed { statements: 2 }))
        .expect("a commit event");
    let index_started = events
        .iter()
        .position(|e| matches!(e, StatementEvent::Started { number: 2, .. }))
        .unwrap();
    assert!(committed < index_started);

    let mut conn = db.conn().await;
    let valid: bool =
        sqlx::query_scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_id'::regclass")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(valid);
    let history = engine.history(&db.name).await.unwrap();
    assert_eq!(
        (history[0].status, history[0].statements_applied),
        (HistoryStatus::Done, 3)
    );
}

#[tokio::test]
async fn failing_statement_after_the_transaction_marks_the_run_failed() {
    let db = Db::new("concfail").await;
    let engine = Engine::new(config());
    let script = "CREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_id ON missing (id);\n";
    let (result, _) = run(&engine, &db, script, "1").await;
    let s = stopped(result);
    assert_eq!(s.statement.as_ref().unwrap().number, 2);
    assert_eq!(s.error.code.as_deref(), Some("42P01"));
    assert_eq!(s.report.applied(), [1]);
    assert!(db.exists("public.t").await);
    let history = engine.history(&db.name).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].status, history[0].statements_applied),
        (HistoryStatus::Failed, 1)
    );
    assert!(history[0].error.as_deref().unwrap().contains("missing"));
}

#[tokio::test]
async fn dollar_quoted_function_body_runs_as_one_statement() {
    let db = Db::new("dollar").await;
    let engine = Engine::new(config());
    let script = "CREATE FUNCTION answer() RETURNS int LANGUAGE plpgsql AS $body$\n\
                  DECLARE x int;\n\
                  BEGIN\n  x := 40; x := x + 2;\n  RETURN x;\nEND;\n$body$;\n\
                  CREATE TABLE r AS SELECT answer() AS a;\n";
    let (result, _) = run(&engine, &db, script, "1").await;
    let report = result.expect("the script runs");
    assert_eq!(report.statements.len(), 2);
    assert_eq!(report.statements[1].line, 8);
    let mut conn = db.conn().await;
    let a: i32 = sqlx::query_scalar("SELECT a FROM r")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(a, 42);
}

#[tokio::test]
async fn lock_timeout_fires_behind_an_access_exclusive_lock() {
    let db = Db::new("lock").await;
    let mut holder = db.conn().await;
    // Separate calls: several statements in one simple query share one
    // implicit transaction, which would hide the table from the script.
    for sql in [
        "CREATE TABLE t (id int)",
        "BEGIN",
        "LOCK TABLE t IN ACCESS EXCLUSIVE MODE",
    ] {
        sqlx::raw_sql(sql).execute(&mut holder).await.unwrap();
    }
    let mut c = config();
    c.lock_timeout = Duration::from_secs(1);
    let engine = Engine::new(c);
    let started = Instant::now();
    let (result, _) = run(&engine, &db, "ALTER TABLE t ADD COLUMN x int;", "1").await;
    let s = stopped(result);
    assert_eq!(s.error.kind, ErrorKind::LockTimeout, "{:?}", s.error);
    assert_eq!(s.error.code.as_deref(), Some("55P03"));
    assert_eq!(s.statement.unwrap().number, 1);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(holder);
    assert!(engine.history(&db.name).await.unwrap().is_empty());
}

#[tokio::test]
async fn statement_timeout_fires() {
    let db = Db::new("stmt").await;
    let mut c = config();
    c.statement_timeout = Duration::from_secs(1);
    let engine = Engine::new(c);
    let started = Instant::now();
    let (result, _) = run(&engine, &db, "SELECT pg_sleep(10);", "1").await;
    let s = stopped(result);
    assert_eq!(s.error.kind, ErrorKind::StatementTimeout, "{:?}", s.error);
    assert_eq!(s.error.code.as_deref(), Some("57014"));
    assert!(!s.canceled);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn cancel_stops_a_long_statement_and_rolls_back() {
    let db = Db::new("cancel").await;
    let engine = Engine::new(config());
    let handle = CancelHandle::new();
    let task = {
        let (engine, handle, name) = (engine.clone(), handle.clone(), db.name.clone());
        tokio::spawn(async move {
            let script = "CREATE TABLE t (id int);\nSELECT pg_sleep(30);\n";
            engine
                .execute(&name, script, &change("1"), &handle, &mut |_| {})
                .await
        })
    };
    // Wait until the script's session is known and the sleep has started.
    let deadline = Instant::now() + LIMIT;
    while handle.session().is_none() {
        assert!(Instant::now() < deadline, "the script never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let canceled_at = Instant::now();
    assert!(
        engine.cancel(&handle).await.unwrap(),
        "a statement was running"
    );
    let result = tokio::time::timeout(LIMIT, task)
        .await
        .expect("cancel must stop the script")
        .unwrap();
    assert!(
        canceled_at.elapsed() < Duration::from_secs(3),
        "{:?}",
        canceled_at.elapsed()
    );
    let s = stopped(result);
    assert!(s.canceled);
    assert_eq!(s.error.kind, ErrorKind::Other);
    assert_eq!(s.statement.unwrap().number, 2);
    assert!(s.report.applied().is_empty());
    assert!(
        handle.session().is_none(),
        "the session is forgotten after the run"
    );
    assert!(!db.exists("public.t").await);
    assert!(engine.history(&db.name).await.unwrap().is_empty());
    // Nothing runs any more: a second cancel has nothing to signal.
    assert!(!engine.cancel(&handle).await.unwrap());
}
