//! Drift with the runner and the background sync on PostgreSQL: a change
//! the runner applies is expected, not drift; a column added behind
//! Sluice's back is found by the periodic sync (signed by the system bot)
//! and accepted by a DBA.

mod common;

use common::*;
use sluice_app::AppError;
use sluice_store::{DbEventKind, Engine, InstanceUpdate, IssueType, PageRequest, TaskStatus};

const CHANGE: &str = "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(100))";

#[tokio::test]
async fn background_sync_finds_drift_the_runner_did_not_make() {
    let w = World::new(Engine::Postgres).await;
    w.runner().spawn();
    let n = w.file(&w.dev, IssueType::SchemaChange, CHANGE).await;
    w.wait_for(n, "the test stage", |v| {
        task_status(v, 0) == TaskStatus::Done
    })
    .await;
    let (instance, name) = w.test_db.split_once('/').unwrap();
    let drift = w.app.drift(&w.dev, instance, name).await.unwrap();
    assert_eq!(drift.status, "IN_SYNC", "{drift:?}");

    // Behind Sluice's back, then the instance's periodic round comes due.
    pg(&w.names[0], "ALTER TABLE orders ADD COLUMN sku text").await;
    let due = InstanceUpdate {
        sync_interval_secs: Some(0),
        ..Default::default()
    };
    w.app.store.update_instance(instance, &due).await.unwrap();
    assert!(w.app.sync_due().await.unwrap() >= 1);
    let drift = w.app.drift(&w.dev, instance, name).await.unwrap();
    assert_eq!(drift.status, "DRIFTED", "{drift:?}");
    assert_eq!(drift.changes.len(), 1, "{drift:?}");
    assert_eq!(drift.changes[0]["change"], "add_column");
    assert_eq!(drift.changes[0]["column"]["name"], "sku");
    let events = w
        .app
        .database_events(&w.dev, instance, name, PageRequest::default())
        .await
        .unwrap()
        .items;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0.kind, DbEventKind::DriftDetected);
    assert_eq!(events[0].1.id, 1, "the background sync is the system bot's");

    // The project owner may not accept; a DBA may.
    let err = w
        .app
        .accept_drift(&w.project_owner, instance, name)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::PermissionDenied(_)), "{err}");
    let accepted = w.app.accept_drift(&w.dba, instance, name).await.unwrap();
    assert_eq!(accepted.status, "IN_SYNC");
    w.app.sync_database(&w.owner, instance, name).await.unwrap();
    let drift = w.app.drift(&w.dev, instance, name).await.unwrap();
    assert_eq!(drift.status, "IN_SYNC", "{drift:?}");
    assert_eq!(drift.expected_version, accepted.expected_version);
    w.drop_databases().await;
}
