//! The whole journey of a schema change on each engine: filed by a
//! developer, checked, rolled out to test by itself, approved by a DBA,
//! started by hand in prod, DONE; with the changelog, the target's
//! `sluice_history` and the schema snapshot updated, and the people who
//! may not act refused.

mod common;

use common::*;
use sluice_app::AppError;
use sluice_store::{
    ApprovalStatus, ChangelogType, Engine, IssueStatus, IssueType, PageRequest, TaskStatus,
};

const CHANGE: &str = "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(100));\n\
                      CREATE TABLE order_lines (id bigint PRIMARY KEY, order_id bigint NOT NULL);";

async fn journey(engine: Engine) {
    let w = World::new(engine).await;
    w.runner().spawn();
    let n = w.file(&w.dev, IssueType::SchemaChange, CHANGE).await;
    let view = w.view(n).await;
    assert_eq!(view.pipeline.stages.len(), 2);
    assert_eq!(view.pipeline.stages[0].environment, "test");
    assert_eq!(view.pipeline.stages[1].environment, "prod");
    assert_eq!(view.approval.status, ApprovalStatus::Pending);
    assert_eq!(view.approval.required_by, vec!["prod".to_string()]);

    // Test rolls out by itself once the checks pass, started by the bot.
    let view = w
        .wait_for(n, "the test stage", |v| {
            task_status(v, 0) == TaskStatus::Done
        })
        .await;
    let test_task = &view.pipeline.stages[0].tasks[0];
    assert!(
        test_task
            .checks
            .iter()
            .all(|c| c.level != sluice_store::PlanCheckLevel::Error),
        "{:?}",
        test_task.checks
    );
    let run = test_task.latest_run.as_ref().unwrap();
    assert_eq!(run.creator.id, 1, "automatic starts are the system bot's");
    assert_eq!(run.log.as_array().unwrap().len(), 2, "{}", run.log);
    assert!(run.log[1]["applied"].as_bool().unwrap(), "{}", run.log);
    let prod = &view.pipeline.stages[1].tasks[0];
    assert_eq!(prod.status, TaskStatus::NotStarted);
    assert_eq!(prod.waiting_for.as_deref(), Some("waiting for approval"));

    // Neither the developer nor the project owner may approve; a DBA may.
    for who in [&w.dev, &w.project_owner] {
        let err = w.app.approve_issue(who, "shop", n).await.unwrap_err();
        assert!(matches!(err, AppError::PermissionDenied(_)), "{err}");
    }
    let err = w
        .app
        .approve_issue(&w.outsider, "shop", n)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::PermissionDenied(_)), "{err}");
    w.app.approve_issue(&w.dba, "shop", n).await.unwrap();
    let view = w.view(n).await;
    assert_eq!(view.approval.status, ApprovalStatus::Approved);
    assert_eq!(view.approval.approved_by.as_ref().unwrap().id, w.dba.id());
    assert_eq!(
        view.pipeline.stages[1].tasks[0].waiting_for.as_deref(),
        Some("waiting for someone to start it"),
        "prod rolls out by hand"
    );

    // The developer may not start prod; the DBA does.
    let err = w
        .app
        .run_stage(&w.dev, "shop", n, "prod")
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::PermissionDenied(_)), "{err}");
    w.app.run_stage(&w.dba, "shop", n, "prod").await.unwrap();
    let view = w
        .wait_for(n, "the issue to be DONE", |v| {
            v.summary.status == IssueStatus::Done
        })
        .await;
    let prod = &view.pipeline.stages[1].tasks[0];
    assert_eq!(prod.status, TaskStatus::Done);
    assert_eq!(prod.latest_run.as_ref().unwrap().creator.id, w.dba.id());

    // The changelog: a BASELINE then the MIGRATE, with the schema after.
    let (instance, name) = w.prod_db.split_once('/').unwrap();
    let entries = w
        .app
        .list_changelogs(&w.dev, instance, name, PageRequest::default())
        .await
        .unwrap()
        .items;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[1].changelog_type, ChangelogType::Baseline);
    assert_eq!(entries[0].changelog_type, ChangelogType::Migrate);
    assert_eq!(entries[0].version, prod.version);
    assert!(!entries[0].schema_before.contains("order_lines"));
    assert!(
        entries[0].schema_after.contains("order_lines"),
        "{}",
        entries[0].schema_after
    );
    // The synced schema, and the target's own history.
    let schema = w.app.database_schema(&w.dev, instance, name).await.unwrap();
    assert!(schema.ddl.contains("order_lines"), "{}", schema.ddl);
    let inst = w.app.store.instance(instance).await.unwrap();
    let history = w
        .app
        .admin_engine(&inst)
        .await
        .unwrap()
        .history(name)
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].version, prod.version);
    assert_eq!(history[0].status, sluice_engine::HistoryStatus::Done);
    assert_eq!(history[0].who, "dba@example.com");

    // The timeline tells the story, each entry by someone.
    let kinds: Vec<String> = w
        .app
        .issue_activity(&w.owner, "shop", n)
        .await
        .unwrap()
        .iter()
        .map(|(a, who)| format!("{}:{}", a.kind, who.id))
        .collect();
    let (dev, dba) = (w.dev.id(), w.dba.id());
    for expected in [
        format!("CREATED:{dev}"),
        format!("APPROVAL_REQUESTED:{dev}"),
        "CHECKS_DONE:1".into(),
        "STAGE_STARTED:1".into(),
        "TASK_STARTED:1".into(),
        "TASK_DONE:1".into(),
        format!("APPROVED:{dba}"),
        format!("TASK_STARTED:{dba}"),
        "DONE:1".into(),
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected} missing from {kinds:?}"
        );
    }
    // A member of another project sees nothing of it.
    let err = w.app.issue_view(&w.outsider, "shop", n).await.unwrap_err();
    assert!(matches!(err, AppError::PermissionDenied(_)), "{err}");
    w.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_postgres() {
    journey(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_mariadb() {
    journey(Engine::Mariadb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_sqlite() {
    journey(Engine::Sqlite).await;
}
