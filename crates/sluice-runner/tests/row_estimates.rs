//! The review rules that ask the database, end to end: with
//! `statement.affected-row-limit` at ERROR and a small limit, the plan
//! check asks PostgreSQL's planner (`EXPLAIN`) how many rows an UPDATE
//! touches, blocks the task when it is over the limit, and lets it run
//! once the SQL is narrowed down.

mod common;

use common::*;
use sluice_app::ReviewSource;
use sluice_app::issues::IssuePatch;
use sluice_store::{Engine, IssueType, PlanCheckKind, PlanCheckLevel, TaskStatus};
use std::time::Duration;

fn review(view: &sluice_app::issues::IssueView) -> (PlanCheckLevel, String) {
    let check = view.pipeline.stages[0].tasks[0]
        .checks
        .iter()
        .find(|c| c.kind == PlanCheckKind::SqlReview)
        .expect("a SQL_REVIEW check");
    (check.level, check.results.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn affected_row_limit_asks_the_planner() {
    let w = World::new(Engine::Postgres).await;
    for name in &w.names {
        pg(
            name,
            "CREATE TABLE t (id int PRIMARY KEY, x int);
             INSERT INTO t SELECT g, NULL FROM generate_series(1, 5000) g;
             ANALYZE t;",
        )
        .await;
    }
    let (instance, database) = w.test_db.split_once('/').unwrap();
    w.app
        .sync_database(&w.owner, instance, database)
        .await
        .unwrap();
    w.runner().spawn();
    // Only this rule: UPDATE without WHERE breaks others too.
    w.app
        .create_review_config(
            &w.owner,
            "rows",
            "Small batches",
            &ReviewSource::Policy(serde_json::json!({
                "rules": {"statement.affected-row-limit": {"level": "ERROR", "max": 100}}
            })),
        )
        .await
        .unwrap();
    w.app
        .set_environment_review_config(&w.dba, "test", Some("rows"))
        .await
        .unwrap();

    let n = w
        .file(&w.dev, IssueType::DataChange, "UPDATE t SET x = 1")
        .await;
    w.wait_for(n, "the checks", checks_done).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let view = w.view(n).await;
    let task = &view.pipeline.stages[0].tasks[0];
    assert_eq!(task.status, TaskStatus::NotStarted, "{task:?}");
    assert_eq!(
        task.waiting_for.as_deref(),
        Some("blocked by the SQL_REVIEW check"),
        "{task:?}"
    );
    let (level, results) = review(&view);
    assert_eq!(level, PlanCheckLevel::Error, "{results}");
    assert!(
        results.contains("statement.affected-row-limit"),
        "{results}"
    );
    assert!(
        results.contains("affects about 5000 rows (planner estimate), more than 100"),
        "{results}"
    );
    assert_eq!(
        pg_scalar(&w.names[0], "SELECT count(*) FROM t WHERE x = 1").await,
        0
    );

    w.app
        .update_issue(
            &w.dev,
            "shop",
            n,
            &IssuePatch {
                statement: Some("UPDATE t SET x = 1 WHERE id = 1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let view = w
        .wait_for(n, "the narrowed task to run", |v| {
            task_status(v, 0) == TaskStatus::Done
        })
        .await;
    let (level, results) = review(&view);
    assert_eq!(level, PlanCheckLevel::Success, "{results}");
    assert_eq!(
        pg_scalar(&w.names[0], "SELECT count(*) FROM t WHERE x = 1").await,
        1
    );
    w.drop_databases().await;
}
