//! Reverse migrations on each engine: a schema change that is DONE keeps
//! its reverse plan with its changelog entry, hazards flagged; "Roll back"
//! files that plan as a new issue, refused without the hazards allowed or
//! once a later change was applied; run to DONE, it brings the schema back
//! to what it was before the change.

mod common;

use common::*;
use sluice_app::AppError;
use sluice_app::issues::{IssueInput, RollbackInput};
use sluice_plan::Hazard;
use sluice_schema::{Catalog, DiffOptions};
use sluice_store::{Changelog, ChangelogType, Engine, IssueStatus, IssueType, PageRequest};

const SETUP: &str = "CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(100));";
const CHANGE: &str = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);\n\
                      ALTER TABLE customers ADD COLUMN email varchar(200);";

/// File a schema change on the test database alone and wait until DONE.
async fn apply(w: &World, title: &str, sql: &str) -> i64 {
    let input = IssueInput {
        title: title.into(),
        description: String::new(),
        issue_type: IssueType::SchemaChange,
        statement: sql.into(),
        targets: vec![w.test_db.clone()],
        version: None,
        database: None,
    };
    let n = w
        .app
        .create_issue(&w.dev, "shop", &input)
        .await
        .unwrap()
        .number;
    wait_done(w, n).await;
    n
}

async fn wait_done(w: &World, n: i64) {
    w.wait_for(n, "the issue to be DONE", |v| {
        v.summary.status == IssueStatus::Done
    })
    .await;
}

/// The newest MIGRATE entry of the test database.
async fn latest_migrate(w: &World) -> Changelog {
    let (instance, name) = w.test_db.split_once('/').unwrap();
    w.app
        .list_changelogs(&w.dev, instance, name, PageRequest::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|e| e.changelog_type == ChangelogType::Migrate)
        .expect("a MIGRATE entry")
}

fn catalog(json: &str) -> Catalog {
    serde_json::from_str(json).expect("a stored catalog")
}

async fn rollback(engine: Engine) {
    let w = World::new(engine).await;
    w.runner().spawn();
    let (instance, name) = w.test_db.split_once('/').unwrap();
    apply(&w, "Customers", SETUP).await;
    let original = apply(&w, "Orders and emails", CHANGE).await;

    // The entry keeps its reverse, which would lose data.
    let entry = latest_migrate(&w).await;
    let (_, reverse) = w
        .app
        .changelog_entry(&w.dev, instance, name, entry.id)
        .await
        .unwrap();
    let reverse = reverse.expect("a reverse plan is kept with a DONE schema change");
    assert!(reverse.note.is_empty(), "{}", reverse.note);
    assert!(
        reverse.hazards.contains(&Hazard::DeletesData),
        "{:?}\n{}",
        reverse.hazards,
        reverse.statement
    );
    let sql = reverse.statement.to_ascii_lowercase();
    assert!(
        sql.contains("drop table") && sql.contains("orders"),
        "{sql}"
    );
    assert!(sql.contains("email"), "{sql}");
    // Filed as it is, the session's lock timeout included.
    if engine != Engine::Sqlite {
        assert!(sql.starts_with("set ") || sql.contains("\nset "), "{sql}");
    }
    assert!(reverse.plan.as_ref().is_some_and(|p| !p.steps.is_empty()));

    // Someone outside the project may not roll back.
    let allow = RollbackInput {
        title: None,
        allow_hazards: reverse.hazards.iter().map(|h| h.to_string()).collect(),
    };
    let err = w
        .app
        .roll_back_changelog(&w.outsider, instance, name, entry.id, &allow)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::PermissionDenied(_)), "{err}");

    // Without the hazards allowed it is refused, naming them.
    let err = w
        .app
        .roll_back_changelog(&w.dev, instance, name, entry.id, &RollbackInput::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AppError::InvalidArgument { field, .. } if field == "allow_hazards"),
        "{err}"
    );
    assert!(err.to_string().contains("DELETES_DATA"), "{err}");

    // Allowed, it files a new issue on the database with the reverse SQL.
    let issue = w
        .app
        .roll_back_changelog(&w.dev, instance, name, entry.id, &allow)
        .await
        .unwrap();
    assert_eq!(issue.title, format!("Roll back {}", entry.version));
    assert_eq!(issue.issue_type, IssueType::SchemaChange);
    assert!(
        issue
            .description
            .contains(&format!("/projects/shop/issues/{original}")),
        "{}",
        issue.description
    );
    let view = w.view(issue.number).await;
    let task = &view.pipeline.stages[0].tasks[0];
    assert_eq!(task.target, w.test_db);
    assert_eq!(task.statement, reverse.statement);
    assert_eq!(task.version, format!("{}-rollback", entry.version));

    // It goes through the checks and rollout like any change, and brings
    // the schema back to what it was before the original change.
    wait_done(&w, issue.number).await;
    let live = w.app.sync_database(&w.owner, instance, name).await.unwrap();
    let changes = sluice_schema::diff(
        &live.catalog,
        &catalog(&entry.schema_before),
        &DiffOptions::default(),
    );
    assert!(changes.is_empty(), "the schema differs: {changes:?}");

    // The original change is no longer the last one: refused, naming the
    // rollback's version.
    let rolled = latest_migrate(&w).await;
    assert_ne!(rolled.id, entry.id);
    let err = w
        .app
        .roll_back_changelog(&w.dev, instance, name, entry.id, &allow)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::FailedPrecondition(_)), "{err}");
    assert!(err.to_string().contains(&rolled.version), "{err}");

    // A baseline has no reverse.
    let (_, baseline) = w
        .app
        .list_changelogs(&w.dev, instance, name, PageRequest::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| (e.changelog_type, e))
        .find(|(t, _)| *t == ChangelogType::Baseline)
        .unwrap();
    let err = w
        .app
        .roll_back_changelog(&w.dev, instance, name, baseline.id, &allow)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("only a DONE schema change"),
        "{err}"
    );
    w.drop_databases().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_postgres() {
    rollback(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_mariadb() {
    rollback(Engine::Mariadb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_sqlite() {
    rollback(Engine::Sqlite).await;
}

/// On MySQL and MariaDB a trigger body holds semicolons: the reverse of
/// dropping one recreates it inside a DELIMITER block, which filing and
/// the engine take as they are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_recreates_a_trigger_on_mariadb() {
    let w = World::new(Engine::Mariadb).await;
    w.runner().spawn();
    let (instance, name) = w.test_db.split_once('/').unwrap();
    apply(
        &w,
        "Items",
        "CREATE TABLE items (id bigint PRIMARY KEY, qty int NOT NULL);\n\
         DELIMITER //\n\
         CREATE TRIGGER items_qty BEFORE INSERT ON items FOR EACH ROW\n\
         BEGIN\n  IF NEW.qty < 0 THEN SET NEW.qty = 0; END IF;\nEND//\n\
         DELIMITER ;\n",
    )
    .await;
    apply(&w, "No trigger", "DROP TRIGGER items_qty;").await;
    let entry = latest_migrate(&w).await;
    let (_, reverse) = w
        .app
        .changelog_entry(&w.dev, instance, name, entry.id)
        .await
        .unwrap();
    let reverse = reverse.unwrap();
    assert!(
        reverse.statement.contains("DELIMITER"),
        "{}",
        reverse.statement
    );
    assert!(
        reverse.statement.contains("SET SESSION lock_wait_timeout"),
        "{}",
        reverse.statement
    );
    let allow = RollbackInput {
        title: None,
        allow_hazards: vec!["all".into()],
    };
    let issue = w
        .app
        .roll_back_changelog(&w.dev, instance, name, entry.id, &allow)
        .await
        .unwrap();
    wait_done(&w, issue.number).await;
    let live = w.app.sync_database(&w.owner, instance, name).await.unwrap();
    let changes = sluice_schema::diff(
        &live.catalog,
        &catalog(&entry.schema_before),
        &DiffOptions::default(),
    );
    assert!(changes.is_empty(), "the schema differs: {changes:?}");
    assert!(live.ddl.contains("items_qty"), "{}", live.ddl);
    w.drop_databases().await;
}

/// Approve and start the prod stage of issue `n` as the DBA, overriding
/// the checks if production's review rules block a DROP, and wait for it.
async fn roll_out_in_prod(w: &World, n: i64) {
    let view = w.wait_for(n, "the checks", checks_done).await;
    let task = &view.pipeline.stages[0].tasks[0];
    if task.checks_level == "ERROR" {
        w.app
            .override_checks(&w.dba, "shop", n, task.id, "a reviewed rollback")
            .await
            .unwrap();
    }
    w.app.approve_issue(&w.dba, "shop", n).await.unwrap();
    w.app.run_stage(&w.dba, "shop", n, "prod").await.unwrap();
    wait_done(w, n).await;
}

/// A rollback carries a version of its own, derived from the change's: a
/// second one filed before the first ran finds it applied and runs nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_filed_twice_runs_once() {
    let w = World::new(Engine::Sqlite).await;
    w.runner().spawn();
    let (instance, name) = w.prod_db.split_once('/').unwrap();
    let input = IssueInput {
        title: "Orders".into(),
        description: String::new(),
        issue_type: IssueType::SchemaChange,
        statement: "CREATE TABLE orders (id bigint PRIMARY KEY);".into(),
        targets: vec![w.prod_db.clone()],
        version: Some("v1".into()),
        database: None,
    };
    let n = w
        .app
        .create_issue(&w.dev, "shop", &input)
        .await
        .unwrap()
        .number;
    roll_out_in_prod(&w, n).await;
    let entries = w
        .app
        .list_changelogs(&w.dev, instance, name, PageRequest::default())
        .await
        .unwrap()
        .items;
    let entry = entries[0].clone();
    assert_eq!(entry.version, "v1");

    // Both filed while the production stage waits for approval.
    let allow = RollbackInput {
        title: None,
        allow_hazards: vec!["all".into()],
    };
    let mut numbers = Vec::new();
    for _ in 0..2 {
        let issue = w
            .app
            .roll_back_changelog(&w.dev, instance, name, entry.id, &allow)
            .await
            .unwrap();
        numbers.push(issue.number);
    }
    for n in &numbers {
        roll_out_in_prod(&w, *n).await;
    }
    let second = w.view(numbers[1]).await;
    let run = second.pipeline.stages[0].tasks[0]
        .latest_run
        .clone()
        .unwrap();
    assert!(
        run.result.contains("v1-rollback is already applied"),
        "{}",
        run.result
    );
    let versions: Vec<String> = w
        .app
        .list_changelogs(&w.dev, instance, name, PageRequest::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.version)
        .filter(|v| v == "v1-rollback")
        .collect();
    assert_eq!(versions.len(), 1, "{versions:?}");
    w.drop_databases().await;
}
