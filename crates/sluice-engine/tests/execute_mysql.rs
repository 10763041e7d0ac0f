//! Executing change scripts on a real MariaDB at 127.0.0.1:3306: statement
//! by statement with a PENDING-then-DONE/FAILED history row, DELIMITER
//! scripts, and KILL QUERY. Each test makes its own database and drops it
//! (with its history rows), even when it fails.

use sluice_engine::{
    CancelHandle, ChangeRecord, ConnectionConfig, Engine, EngineKind, ErrorKind, ExecutionError,
    ExecutionReport, HistoryStatus, StatementEvent, Stopped, checksum,
};
use sqlx::{Connection, MySqlConnection};
use std::time::{Duration, Instant};

/// Every wait in these tests is bounded: a hang is a failure, not a stuck CI.
const LIMIT: Duration = Duration::from_secs(20);

const SERVER: &str = "mysql://root@127.0.0.1:3306";

fn config() -> ConnectionConfig {
    let mut c = ConnectionConfig::new(EngineKind::Mariadb);
    c.host = "127.0.0.1".into();
    c.port = 3306;
    c.username = "root".into();
    c
}

/// A fresh database, dropped with its history rows when the test ends.
struct Db {
    name: String,
}

impl Db {
    async fn new(prefix: &str) -> Db {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("sluice_x_{prefix}_{}_{nanos}", std::process::id());
        let mut admin = MySqlConnection::connect(SERVER)
            .await
            .expect("MariaDB must run on 127.0.0.1:3306");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE `{name}`")))
            .execute(&mut admin)
            .await
            .unwrap();
        Db { name }
    }

    async fn tables(&self) -> Vec<String> {
        let mut conn = MySqlConnection::connect(SERVER).await.unwrap();
        sqlx::query_scalar(
            "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
        )
        .bind(&self.name)
        .fetch_all(&mut conn)
        .await
        .unwrap()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop cannot await; a thread with its own runtime can.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    let Ok(mut c) = MySqlConnection::connect(SERVER).await else {
                        return;
                    };
                    let drop = format!("DROP DATABASE IF EXISTS `{name}`");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
                        .execute(&mut c)
                        .await;
                    let _ =
                        sqlx::query("DELETE FROM sluice.sluice_history WHERE database_name = ?")
                            .bind(&name)
                            .execute(&mut c)
                            .await;
                })
        })
        .join();
    }
}

fn change(version: &str) -> ChangeRecord {
    ChangeRecord {
        version: version.into(),
        description: format!("change {version}"),
        who: "grace".into(),
    }
}

async fn run(
    engine: &Engine,
    db: &Db,
    script: &str,
    version: &str,
) -> (Result<ExecutionReport, ExecutionError>, Vec<StatementEvent>) {
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

fn stopped(result: Result<ExecutionReport, ExecutionError>) -> Stopped {
    match result {
        Err(ExecutionError::Stopped(s)) => *s,
        other => panic!("expected a stopped script, got {other:?}"),
    }
}

#[tokio::test]
async fn failing_third_statement_reports_what_was_applied() {
    let db = Db::new("fail3").await;
    let engine = Engine::new(config());
    let script = "CREATE TABLE a (id INT PRIMARY KEY);\n\
                  INSERT INTO a VALUES (1), (2);\n\
                  INSERT INTO missing VALUES (1);\n\
                  CREATE TABLE b (id INT);\n";
    let (result, events) = run(&engine, &db, script, "1").await;
    let s = stopped(result);
    let failed = s.statement.as_ref().expect("the failed statement");
    assert_eq!((failed.number, failed.line), (3, 3));
    assert_eq!(s.error.kind, ErrorKind::Query);
    assert_eq!(s.error.code.as_deref(), Some("1146"), "{:?}", s.error);
    assert!(s.error.message.contains("missing"), "{}", s.error.message);
    assert_eq!(s.report.applied(), [1, 2]);
    assert_eq!(s.report.statements[1].rows_affected, 2);
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, StatementEvent::Finished(r) if r.applied))
            .count(),
        2
    );
    assert_eq!(db.tables().await, ["a"]);

    let history = engine.history(&db.name).await.unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    let row = &history[0];
    assert_eq!(row.status, HistoryStatus::Failed);
    assert_eq!(row.statements_applied, 2);
    assert_eq!(row.checksum, checksum(script));
    assert!(row.error.as_deref().unwrap().contains("missing"));
    assert!(row.finished_at_ms.is_some());

    // A failed run does not block a corrected one.
    let fixed = "CREATE TABLE b (id INT);";
    run(&engine, &db, fixed, "1")
        .await
        .0
        .expect("the retry runs");
    let history = engine.history(&db.name).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].status, HistoryStatus::Done);
}

#[tokio::test]
async fn delimiter_procedure_script_runs_and_is_recorded_once() {
    let db = Db::new("proc").await;
    let engine = Engine::new(config());
    let script = "CREATE TABLE log (n INT);\n\
                  DELIMITER //\n\
                  CREATE PROCEDURE fill(IN k INT)\n\
                  BEGIN\n  DECLARE i INT DEFAULT 0;\n  WHILE i < k DO\n    INSERT INTO log VALUES (i);\n    SET i = i + 1;\n  END WHILE;\nEND //\n\
                  DELIMITER ;\n\
                  CALL fill(3);\n";
    let (result, _) = run(&engine, &db, script, "7").await;
    let report = result.expect("the script runs");
    assert_eq!(report.applied(), [1, 2, 3]);
    assert_eq!(report.statements[1].line, 3);
    let mut conn = MySqlConnection::connect(&format!("{SERVER}/{}", db.name))
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM log")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 3);

    let history = engine.history(&db.name).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].status, history[0].statements_applied),
        (HistoryStatus::Done, 3)
    );
    assert_eq!(history[0].who, "grace");
    match run(&engine, &db, script, "7").await.0 {
        Err(ExecutionError::AlreadyApplied(entry)) => assert_eq!(entry.id, history[0].id),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn kill_query_cancels_a_long_statement() {
    let db = Db::new("cancel").await;
    let engine = Engine::new(config());
    let handle = CancelHandle::new();
    let task = {
        let (engine, handle, name) = (engine.clone(), handle.clone(), db.name.clone());
        tokio::spawn(async move {
            let script = "CREATE TABLE t (id INT);\nSELECT SLEEP(30);\nCREATE TABLE u (id INT);";
            engine
                .execute(&name, script, &change("1"), &handle, &mut |_| {})
                .await
        })
    };
    let deadline = Instant::now() + LIMIT;
    while handle.session().is_none() {
        assert!(Instant::now() < deadline, "the script never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let canceled_at = Instant::now();
    assert!(engine.cancel(&handle).await.unwrap());
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
    assert!(s.canceled, "{s:?}");
    // DDL commits at once on MariaDB: the first table stays, the third
    // statement never ran.
    assert!(s.report.applied().starts_with(&[1]));
    assert_eq!(db.tables().await, ["t"]);
    let history = engine.history(&db.name).await.unwrap();
    assert_eq!(history[0].status, HistoryStatus::Failed);
}

#[tokio::test]
async fn statement_timeout_uses_max_statement_time() {
    let db = Db::new("stmt").await;
    let mut c = config();
    c.statement_timeout = Duration::from_secs(1);
    let engine = Engine::new(c);
    let started = Instant::now();
    let (result, _) = run(&engine, &db, "SELECT SLEEP(5);", "1").await;
    let s = stopped(result);
    assert_eq!(s.error.kind, ErrorKind::StatementTimeout, "{:?}", s.error);
    assert_eq!(s.error.code.as_deref(), Some("1969"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
