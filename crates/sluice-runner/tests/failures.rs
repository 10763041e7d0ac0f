//! Failures, retries, cancels and skips: a failed statement is reported
//! with its error and what was applied; the SQL can be fixed and the task
//! retried; a running statement is cancelled on the server.

mod common;

use common::*;
use sluice_app::PolicyPatch;
use sluice_app::issues::TaskAction;
use sluice_store::{Engine, IssueStatus, IssueType, Rollout, TaskRunStatus, TaskStatus};
use std::time::Duration;

/// A world whose test environment waits for a person to start it, so a
/// test can change the target between the checks and the run.
async fn manual_world(engine: Engine) -> World {
    let w = World::new(engine).await;
    let patch = PolicyPatch {
        rollout: Some(Rollout::Manual),
        ..Default::default()
    };
    w.app
        .update_environment_policy(&w.owner, "test", &patch)
        .await
        .unwrap();
    w.runner().spawn();
    w
}

fn test_task(view: &sluice_app::issues::IssueView) -> &sluice_app::issues::TaskView {
    &view.pipeline.stages[0].tasks[0]
}

async fn edit(w: &World, n: i64, sql: &str) {
    let patch = sluice_app::issues::IssuePatch {
        statement: Some(sql.into()),
        ..Default::default()
    };
    w.app.update_issue(&w.dev, "shop", n, &patch).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_failure_applies_nothing_then_retry_after_fix() {
    let w = manual_world(Engine::Postgres).await;
    let n = w.file(&w.dev, IssueType::SchemaChange, "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY);\nCREATE TABLE c (id bigint PRIMARY KEY);").await;
    let view = w.wait_for(n, "checks", checks_done).await;
    assert_eq!(
        test_task(&view).waiting_for.as_deref(),
        Some("waiting for someone to start it")
    );
    // Behind Sluice's back, after the dry run: statement 2 will fail.
    pg(&w.names[0], "CREATE TABLE b (id int)").await;
    w.app.run_stage(&w.dev, "shop", n, "test").await.unwrap();
    let view = w
        .wait_for(n, "the failure", |v| {
            test_task(v).status == TaskStatus::Failed
        })
        .await;
    let run = test_task(&view).latest_run.clone().unwrap();
    assert_eq!(run.status, TaskRunStatus::Failed);
    assert!(
        run.result.contains("statement 2 (line 2) failed"),
        "{}",
        run.result
    );
    assert!(run.result.contains("already exists"), "{}", run.result);
    assert!(run.result.contains("nothing was applied"), "{}", run.result);
    let failed: Vec<_> = run
        .log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "FAILED")
        .collect();
    assert_eq!(failed.len(), 1, "{}", run.log);
    assert_eq!(failed[0]["number"], 2);
    assert_eq!(
        pg_scalar(
            &w.names[0],
            "SELECT count(*) FROM pg_tables WHERE tablename = 'a'"
        )
        .await,
        0,
        "rolled back"
    );

    edit(&w, n, "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b2 (id bigint PRIMARY KEY);\nCREATE TABLE c (id bigint PRIMARY KEY);").await;
    let view = w.wait_for(n, "checks again", checks_done).await;
    let task = test_task(&view);
    assert_eq!(task.actions, vec!["retry", "skip"], "{:?}", task.actions);
    w.app
        .act_on_task(&w.dev, "shop", n, task.id, TaskAction::Retry, "")
        .await
        .unwrap();
    let view = w
        .wait_for(n, "the retry", |v| test_task(v).status == TaskStatus::Done)
        .await;
    assert_eq!(test_task(&view).latest_run.as_ref().unwrap().attempt, 2);
    assert_eq!(
        pg_scalar(
            &w.names[0],
            "SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b2', 'c')"
        )
        .await,
        3
    );
    w.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_failure_logs_what_was_applied() {
    let w = manual_world(Engine::Mariadb).await;
    let n = w.file(&w.dev, IssueType::SchemaChange, "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE c (id bigint PRIMARY KEY);").await;
    w.wait_for(n, "checks", checks_done).await;
    w.app.run_stage(&w.dev, "shop", n, "test").await.unwrap();
    let view = w
        .wait_for(n, "the failure", |v| {
            test_task(v).status == TaskStatus::Failed
        })
        .await;
    let run = test_task(&view).latest_run.clone().unwrap();
    assert!(
        run.result.contains("statement 2 (line 2) failed"),
        "{}",
        run.result
    );
    assert!(
        run.result.contains("statement(s) 1 were applied"),
        "{}",
        run.result
    );
    let log = run.log.as_array().unwrap();
    assert_eq!(log[0]["applied"], true, "{}", run.log);
    assert_eq!(log[1]["status"], "FAILED", "{}", run.log);

    edit(&w, n, "CREATE TABLE IF NOT EXISTS a (id bigint PRIMARY KEY);\nCREATE TABLE c (id bigint PRIMARY KEY);").await;
    let view = w.wait_for(n, "checks again", checks_done).await;
    w.app
        .act_on_task(
            &w.dev,
            "shop",
            n,
            test_task(&view).id,
            TaskAction::Retry,
            "",
        )
        .await
        .unwrap();
    w.wait_for(n, "the retry", |v| test_task(v).status == TaskStatus::Done)
        .await;
    let tables = my_scalar(&format!(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = '{}' AND table_name IN ('a', 'c')",
        w.names[0]
    ))
    .await;
    assert_eq!(tables, 2);
    w.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_running_task_stops_its_statement_on_the_server() {
    let w = manual_world(Engine::Postgres).await;
    pg(&w.names[0], "CREATE TABLE t (id int)").await;
    let n = w
        .file(
            &w.dev,
            IssueType::SchemaChange,
            "ALTER TABLE t ADD COLUMN note text;",
        )
        .await;
    let view = w.wait_for(n, "checks", checks_done).await;
    let task_id = test_task(&view).id;
    // Hold a lock the change must wait for.
    use sqlx::Connection;
    let url = pg_url(&w.names[0]);
    let mut holder = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .unwrap();
    w.app.run_stage(&w.dev, "shop", n, "test").await.unwrap();
    w.wait_for(n, "the task to run", |v| {
        test_task(v)
            .latest_run
            .as_ref()
            .is_some_and(|r| r.log.as_array().is_some_and(|l| !l.is_empty()))
    })
    .await;
    let started = std::time::Instant::now();
    w.app
        .act_on_task(&w.dev, "shop", n, task_id, TaskAction::Cancel, "")
        .await
        .unwrap();
    let view = w
        .wait_for(n, "the run to end", |v| {
            test_task(v)
                .latest_run
                .as_ref()
                .is_some_and(|r| r.status != TaskRunStatus::Running)
        })
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cancelled in {:?}",
        started.elapsed()
    );
    assert_eq!(test_task(&view).status, TaskStatus::Canceled);
    let run = test_task(&view).latest_run.clone().unwrap();
    assert_eq!(run.status, TaskRunStatus::Canceled, "{}", run.result);
    let waiting = pg_scalar("postgres", &format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND query LIKE 'ALTER TABLE t%'",
        w.names[0]
    ))
    .await;
    assert_eq!(waiting, 0, "the statement is gone from the server");
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .unwrap();

    // Retried once the lock is gone, it runs.
    w.app
        .act_on_task(&w.dev, "shop", n, task_id, TaskAction::Retry, "")
        .await
        .unwrap();
    w.wait_for(n, "the retry", |v| test_task(v).status == TaskStatus::Done)
        .await;
    drop(holder);
    w.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skipping_needs_a_reason_and_cancelling_an_issue_stops_it() {
    let w = manual_world(Engine::Sqlite).await;
    let n = w
        .file(
            &w.dev,
            IssueType::SchemaChange,
            "CREATE TABLE s (id integer PRIMARY KEY);",
        )
        .await;
    let view = w.wait_for(n, "checks", checks_done).await;
    let task_id = test_task(&view).id;
    let err = w
        .app
        .act_on_task(&w.dev, "shop", n, task_id, TaskAction::Skip, " ")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("reason"), "{err}");
    w.app
        .act_on_task(
            &w.dev,
            "shop",
            n,
            task_id,
            TaskAction::Skip,
            "already done by hand",
        )
        .await
        .unwrap();
    let view = w.view(n).await;
    assert_eq!(test_task(&view).status, TaskStatus::Skipped);
    assert_eq!(test_task(&view).skip_reason, "already done by hand");
    // Prod is next: it waits for approval. Cancel the issue instead.
    assert_eq!(
        view.pipeline.stages[1].tasks[0].waiting_for.as_deref(),
        Some("waiting for approval")
    );
    w.app.cancel_issue(&w.dev, "shop", n).await.unwrap();
    let view = w.view(n).await;
    assert_eq!(view.summary.status, IssueStatus::Canceled);
    assert!(view.pipeline.stages[1].tasks[0].actions.is_empty());
    let err = w.app.approve_issue(&w.dba, "shop", n).await.unwrap_err();
    assert!(err.to_string().contains("CANCELED"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_change_is_recorded_as_data_and_keeps_the_schema() {
    let w = World::new(Engine::Sqlite).await;
    w.runner().spawn();
    let n = w
        .file(
            &w.dev,
            IssueType::SchemaChange,
            "CREATE TABLE items (id integer PRIMARY KEY, qty integer NOT NULL);",
        )
        .await;
    w.wait_for(n, "test", |v| test_task(v).status == TaskStatus::Done)
        .await;
    let m = w.file(&w.dev, IssueType::DataChange, "INSERT INTO items (id, qty) VALUES (1, 5), (2, 7);\nUPDATE items SET qty = qty + 1 WHERE id = 2;").await;
    let view = w
        .wait_for(m, "the data change", |v| {
            test_task(v).status == TaskStatus::Done
        })
        .await;
    assert_eq!(view.summary.risk, sluice_store::RiskLevel::Moderate);
    let log = test_task(&view).latest_run.as_ref().unwrap().log.clone();
    assert_eq!(log[0]["rows_affected"], 2, "{log}");
    let (instance, name) = w.test_db.split_once('/').unwrap();
    let entries = w
        .app
        .list_changelogs(&w.dev, instance, name, Default::default())
        .await
        .unwrap()
        .items;
    assert_eq!(entries[0].changelog_type, sluice_store::ChangelogType::Data);
    assert_eq!(entries[0].schema_after, entries[0].schema_before);
}
