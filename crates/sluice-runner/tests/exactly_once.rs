//! Exactly once: a task whose worker died is resolved from the target's
//! `sluice_history`, never run twice; one database runs one task at a
//! time; two runners sharing a PostgreSQL metadata store never run one
//! task twice.

mod common;

use common::*;
use sluice_app::PolicyPatch;
use sluice_app::issues::TaskAction;
use sluice_engine::{CancelHandle, ChangeRecord};
use sluice_store::{Claim, Engine, IssueType, Rollout, Store, TaskStatus};
use std::time::Duration;

/// File a change on the test stage (started by hand), queue it, and claim
/// it for a worker that will die: the runner is not running yet.
async fn orphaned_task(w: &World, sql: &str) -> (i64, sluice_store::Task) {
    let patch = PolicyPatch {
        rollout: Some(Rollout::Manual),
        ..Default::default()
    };
    w.app
        .update_environment_policy(&w.owner, "test", &patch)
        .await
        .unwrap();
    let n = w.file(&w.dev, IssueType::SchemaChange, sql).await;
    w.wait_for(n, "checks", checks_done).await;
    let task = w
        .app
        .run_stage(&w.dev, "shop", n, "test")
        .await
        .unwrap()
        .remove(0);
    let claim = w
        .app
        .store
        .claim_task(task.id, "dead-worker", Duration::from_millis(500))
        .await
        .unwrap();
    assert_eq!(claim, Claim::Started);
    w.app
        .store
        .start_task_run(task.id, w.dev.id())
        .await
        .unwrap();
    (n, w.app.store.task(task.id).await.unwrap())
}

fn test_task(view: &sluice_app::issues::IssueView) -> &sluice_app::issues::TaskView {
    &view.pipeline.stages[0].tasks[0]
}

async fn history_len(w: &World, task: &sluice_store::Task) -> usize {
    let inst = w.app.store.instance(&task.instance_id).await.unwrap();
    let engine = w.app.admin_engine(&inst).await.unwrap();
    engine
        .history(task.database_name.as_deref().unwrap())
        .await
        .unwrap()
        .iter()
        .filter(|h| h.version == task.version)
        .count()
}

async fn resolved_as_applied(engine: Engine) {
    let w = World::new(engine).await;
    let (n, task) = orphaned_task(&w, "CREATE TABLE crashed (id bigint PRIMARY KEY);").await;
    // The dead worker got as far as committing the change on the target.
    let inst = w.app.store.instance(&task.instance_id).await.unwrap();
    let engine = w.app.admin_engine(&inst).await.unwrap();
    let change = ChangeRecord {
        version: task.version.clone(),
        description: "crash".into(),
        who: "dev@example.com".into(),
    };
    engine
        .execute(
            task.database_name.as_deref().unwrap(),
            &task.statement,
            &change,
            &CancelHandle::new(),
            &mut |_| {},
        )
        .await
        .unwrap();
    w.runner().spawn();
    let view = w
        .wait_for(n, "the takeover", |v| {
            test_task(v).status != TaskStatus::Running
        })
        .await;
    let t = test_task(&view);
    assert_eq!(t.status, TaskStatus::Done, "{:?}", t.latest_run);
    let run = t.latest_run.as_ref().unwrap();
    assert!(run.result.contains("was not run again"), "{}", run.result);
    assert!(
        run.log.to_string().contains("sluice_history row"),
        "{}",
        run.log
    );
    assert_eq!(history_len(&w, &task).await, 1, "applied once");
    let (instance, name) = w.test_db.split_once('/').unwrap();
    let entries = w
        .app
        .list_changelogs(&w.dev, instance, name, Default::default())
        .await
        .unwrap()
        .items;
    assert!(
        entries.iter().any(|e| e.version == task.version),
        "{entries:?}"
    );
    w.drop_databases().await;
}

async fn resolved_as_interrupted(engine: Engine) {
    let w = World::new(engine).await;
    let (n, task) = orphaned_task(&w, "CREATE TABLE crashed (id bigint PRIMARY KEY);").await;
    w.runner().spawn();
    let view = w
        .wait_for(n, "the takeover", |v| {
            test_task(v).status != TaskStatus::Running
        })
        .await;
    let t = test_task(&view);
    assert_eq!(t.status, TaskStatus::Failed);
    assert!(
        t.latest_run
            .as_ref()
            .unwrap()
            .result
            .starts_with("interrupted"),
        "{:?}",
        t.latest_run
    );
    assert_eq!(t.actions, vec!["retry", "skip"]);
    w.app
        .act_on_task(&w.dev, "shop", n, task.id, TaskAction::Retry, "")
        .await
        .unwrap();
    w.wait_for(n, "the retry", |v| test_task(v).status == TaskStatus::Done)
        .await;
    assert_eq!(history_len(&w, &task).await, 1);
    w.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_takeover_finds_the_change_applied() {
    resolved_as_applied(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_takeover_finds_the_change_applied() {
    resolved_as_applied(Engine::Mariadb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_takeover_finds_the_change_applied() {
    resolved_as_applied(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_takeover_finds_nothing_and_the_retry_applies_once() {
    resolved_as_interrupted(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_takeover_finds_nothing_and_the_retry_applies_once() {
    resolved_as_interrupted(Engine::Sqlite).await;
}

/// The intervals of the runs of every task on `db`, sorted.
async fn run_intervals(w: &World, numbers: &[i64]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for n in numbers {
        let view = w.view(*n).await;
        for t in view
            .pipeline
            .stages
            .iter()
            .flat_map(|s| &s.tasks)
            .filter(|t| t.target == w.test_db)
        {
            let run = t.latest_run.as_ref().unwrap();
            out.push((run.started_at.unwrap(), run.ended_at.unwrap()));
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_issues_never_run_on_one_database_at_once() {
    let w = World::new(Engine::Postgres).await;
    w.runner().spawn();
    w.runner().spawn();
    let mut numbers = Vec::new();
    for i in 0..3 {
        let sql = format!("CREATE TABLE slow_{i} AS SELECT 1 AS n FROM pg_sleep(0.4);");
        numbers.push(w.file(&w.dev, IssueType::SchemaChange, &sql).await);
    }
    for n in &numbers {
        w.wait_for(*n, "test", |v| test_task(v).status == TaskStatus::Done)
            .await;
    }
    let runs = run_intervals(&w, &numbers).await;
    assert_eq!(runs.len(), 3);
    for pair in runs.windows(2) {
        assert!(
            pair[0].1 <= pair[1].0,
            "runs overlap on one database: {runs:?}"
        );
    }
    w.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_on_one_postgres_store_run_each_task_once() {
    let meta = unique("sluice_meta");
    pg("postgres", &format!("CREATE DATABASE {meta}")).await;
    let store = Store::open_postgres(&pg_url(&meta)).await.unwrap();
    let w = World::with_store(Engine::Sqlite, store).await;
    let other = World::runner(&w);
    w.runner().spawn();
    other.spawn();
    let mut numbers = Vec::new();
    for i in 0..6 {
        let sql = format!("CREATE TABLE t{i} (id integer PRIMARY KEY);");
        numbers.push(w.file(&w.dev, IssueType::SchemaChange, &sql).await);
    }
    for n in &numbers {
        let view = w
            .wait_for(*n, "test", |v| test_task(v).status == TaskStatus::Done)
            .await;
        let task = test_task(&view);
        let runs = w.app.task_runs(&w.dev, "shop", *n, task.id).await.unwrap();
        assert_eq!(runs.len(), 1, "task {} ran {} times", task.id, runs.len());
        let stored = w.app.store.task(task.id).await.unwrap();
        assert_eq!(history_len(&w, &stored).await, 1);
    }
    w.app.store.close().await;
    pg("postgres", &format!("DROP DATABASE {meta} WITH (FORCE)")).await;
}
