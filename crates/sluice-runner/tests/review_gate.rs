//! The SQL review gate end to end, with a real runner: a review config that
//! makes a rule an ERROR, attached to the test environment, keeps a task
//! whose SQL breaks it from running until the SQL is fixed, or until a
//! workspace DBA overrides the check with a reason (recorded in the
//! timeline); a developer cannot override.

mod common;

use common::*;
use sluice_app::issues::IssuePatch;
use sluice_app::{AppError, ReviewSource};
use sluice_store::{ActivityKind, Engine, IssueType, PlanCheckKind, PlanCheckLevel, TaskStatus};
use std::time::Duration;

const NO_PK: &str = "CREATE TABLE audit_note (note varchar(100))";
const WITH_PK: &str = "CREATE TABLE audit_note (id bigint PRIMARY KEY, note varchar(100))";

fn review_level(view: &sluice_app::issues::IssueView) -> PlanCheckLevel {
    view.pipeline.stages[0].tasks[0]
        .checks
        .iter()
        .find(|c| c.kind == PlanCheckKind::SqlReview)
        .expect("a SQL_REVIEW check")
        .level
}

/// The checks are done and several runner rounds went by: the task is
/// still NOT_STARTED, blocked by the review.
async fn assert_blocked(w: &World, n: i64) {
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
    assert_eq!(review_level(&view), PlanCheckLevel::Error);
    assert!(task.latest_run.is_none(), "it never ran: {task:?}");
}

async fn gate(engine: Engine) {
    let w = World::new(engine).await;
    w.runner().spawn();
    w.app
        .create_review_config(
            &w.owner,
            "keys",
            "Every table has a key",
            &ReviewSource::Policy(serde_json::json!({
                "template": "lenient-development",
                "rules": {"table.require-pk": "ERROR"}
            })),
        )
        .await
        .unwrap();
    // A developer can neither attach nor manage configs.
    let err = w
        .app
        .set_environment_review_config(&w.dev, "test", Some("keys"))
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::PermissionDenied(_)), "{err}");
    w.app
        .set_environment_review_config(&w.dba, "test", Some("keys"))
        .await
        .unwrap();

    // SQL that breaks the rule does not run.
    let n = w.file(&w.dev, IssueType::SchemaChange, NO_PK).await;
    assert_blocked(&w, n).await;
    let view = w.view(n).await;
    let finding = &view.pipeline.stages[0].tasks[0]
        .checks
        .iter()
        .find(|c| c.kind == PlanCheckKind::SqlReview)
        .unwrap()
        .results;
    assert!(
        finding.to_string().contains("table.require-pk"),
        "{finding}"
    );

    // Fixed SQL runs by itself (test rolls out automatically).
    w.app
        .update_issue(
            &w.dev,
            "shop",
            n,
            &IssuePatch {
                statement: Some(WITH_PK.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let view = w
        .wait_for(n, "the fixed task to run", |v| {
            task_status(v, 0) == TaskStatus::Done
        })
        .await;
    assert_ne!(review_level(&view), PlanCheckLevel::Error);
    assert!(view.pipeline.stages[0].tasks[0].checks_overridden.is_none());

    // A second issue that breaks it: a developer and a project Owner may
    // not override; a DBA does, with a reason, and it runs.
    let n2 = w
        .file(
            &w.dev,
            IssueType::SchemaChange,
            "CREATE TABLE scratch (note varchar(100))",
        )
        .await;
    assert_blocked(&w, n2).await;
    let dev_view = w.app.issue_view(&w.dev, "shop", n2).await.unwrap();
    let task = dev_view.pipeline.stages[0].tasks[0].clone();
    assert!(
        !task.actions.contains(&"override-checks"),
        "a developer is not offered it"
    );
    let owner_view = w.view(n2).await;
    assert!(
        owner_view.pipeline.stages[0].tasks[0]
            .actions
            .contains(&"override-checks"),
        "the owner's view offers it"
    );
    for who in [&w.dev, &w.project_owner] {
        let err = w
            .app
            .override_checks(who, "shop", n2, task.id, "I am sure")
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::PermissionDenied(_)), "{err}");
    }
    let err = w
        .app
        .override_checks(&w.dba, "shop", n2, task.id, "")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::InvalidArgument { field, .. } if field == "reason"),
        "{err}"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(task_status(&w.view(n2).await, 0), TaskStatus::NotStarted);
    w.app
        .override_checks(
            &w.dba,
            "shop",
            n2,
            task.id,
            "scratch table, dropped next week",
        )
        .await
        .unwrap();
    let view = w
        .wait_for(n2, "the overridden task to run", |v| {
            task_status(v, 0) == TaskStatus::Done
        })
        .await;
    let task = &view.pipeline.stages[0].tasks[0];
    let o = task.checks_overridden.as_ref().expect("the override shows");
    assert_eq!(o.by.id, w.dba.id());
    assert_eq!(o.reason, "scratch table, dropped next week");
    assert_eq!(
        review_level(&view),
        PlanCheckLevel::Error,
        "the finding stays"
    );
    let timeline = w.app.issue_activity(&w.owner, "shop", n2).await.unwrap();
    let (entry, actor) = timeline
        .iter()
        .find(|(a, _)| a.kind == ActivityKind::ChecksOverridden)
        .expect("CHECKS_OVERRIDDEN in the timeline");
    assert_eq!(actor.id, w.dba.id());
    assert!(entry.payload.contains("scratch table, dropped next week"));
    let override_at = timeline
        .iter()
        .position(|(a, _)| a.kind == ActivityKind::ChecksOverridden)
        .unwrap();
    let done_at = timeline
        .iter()
        .position(|(a, _)| a.kind == ActivityKind::TaskDone)
        .expect("TASK_DONE");
    assert!(override_at < done_at, "overridden, then done");

    if engine == Engine::Postgres {
        let name = &w.names[0];
        let tables = pg_scalar(
            name,
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_name IN ('audit_note', 'scratch')",
        )
        .await;
        assert_eq!(tables, 2, "both changes reached the test database");
    }
    w.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_gate_postgres() {
    gate(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_gate_sqlite() {
    gate(Engine::Sqlite).await;
}
