//! A small world for the issue and pipeline tests: people, environments,
//! instances and databases, and issues to file on them.

use anyhow::Result;
use sluice_store::*;
use std::time::Duration;

/// An owner, a developer, environments test and prod with an instance and a
/// database each, in project "shop".
pub struct Fixture {
    pub owner: i64,
    pub dev: i64,
    pub test_db: Database,
    pub prod_db: Database,
}

pub async fn fixture(store: &Store) -> Result<Fixture> {
    let owner = store.sign_up("owner@example.com", "Owner", "h").await?;
    store.update_workspace(None, Some(true)).await?;
    let dev = store.sign_up("dev@example.com", "Dev", "h").await?;
    store.create_environment("test", "Test", false).await?;
    store.create_environment("prod", "Prod", true).await?;
    store
        .create_project("shop", "Shop", "SHOP", owner.id)
        .await?;
    let mut dbs = Vec::new();
    for env in ["test", "prod"] {
        let instance = format!("{env}-pg");
        store
            .create_instance(&NewInstance {
                id: instance.clone(),
                title: instance.clone(),
                engine: Engine::Postgres,
                environment_id: env.into(),
                data_sources: Vec::new(),
            })
            .await?;
        store.upsert_database(&instance, "shop").await?;
        dbs.push(
            store
                .update_database(&instance, "shop", Some("shop"), None)
                .await?,
        );
    }
    let prod_db = dbs.pop().expect("prod database");
    let test_db = dbs.pop().expect("test database");
    Ok(Fixture {
        owner: owner.id,
        dev: dev.id,
        test_db,
        prod_db,
    })
}

pub fn task_on(db: &Database, status: TaskStatus) -> NewTask {
    NewTask {
        db_id: Some(db.id),
        instance_id: db.instance_id.clone(),
        task_type: TaskType::SchemaChange,
        statement: "CREATE TABLE t (id INT)".into(),
        version: "20260101000000".into(),
        payload: serde_json::json!({}),
        status,
    }
}

pub fn schema_change(fx: &Fixture, title: &str) -> NewIssue {
    NewIssue {
        project_id: "shop".into(),
        title: title.into(),
        description: String::new(),
        issue_type: IssueType::SchemaChange,
        risk: RiskLevel::Low,
        creator_id: fx.dev,
        assignee_id: None,
        approval_status: ApprovalStatus::NotRequired,
        subscribers: Vec::new(),
        stages: vec![
            NewStage {
                environment_id: "test".into(),
                tasks: vec![task_on(&fx.test_db, TaskStatus::Pending)],
            },
            NewStage {
                environment_id: "prod".into(),
                tasks: vec![task_on(&fx.prod_db, TaskStatus::NotStarted)],
            },
        ],
    }
}

/// The one task of a fresh single-task issue.
pub async fn single_task(store: &Store, fx: &Fixture, status: TaskStatus) -> Result<Task> {
    let mut new = schema_change(fx, "one task");
    new.stages.truncate(1);
    new.stages[0].tasks = vec![task_on(&fx.test_db, status)];
    let issue = store.create_issue(&new).await?;
    let pipeline = store.pipeline_of_issue(issue.id).await?;
    Ok(pipeline.stages[0].tasks[0].clone())
}

pub fn statuses(pipeline: &Pipeline) -> Vec<Vec<TaskStatus>> {
    pipeline
        .stages
        .iter()
        .map(|s| s.tasks.iter().map(|t| t.status).collect())
        .collect()
}

pub const LEASE: Duration = Duration::from_secs(60);
