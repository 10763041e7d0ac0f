//! Conformance of SQL review configs: their lifecycle, attaching them to
//! environments and projects, deleting only what nothing uses, and the
//! override of a task's checks. Every test runs on SQLite (a temporary
//! file and in memory) and on PostgreSQL, and must behave the same on each.

#[macro_use]
mod common;

use anyhow::Result;
use common::Ctx;
use common::pipelines::*;
use sluice_store::*;

on_every_backend!(
    review_configs_lifecycle,
    review_configs_attach_and_delete,
    task_checks_override_until_the_sql_changes,
);

const STRICT: &str = r#"{"template":"strict-production"}"#;

async fn review_configs_lifecycle(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    assert!(store.list_review_configs().await?.is_empty());
    let strict = store
        .create_review_config("strict", "Strict", STRICT)
        .await?;
    assert_eq!(strict.id, "strict");
    assert_eq!(strict.title, "Strict");
    assert_eq!(strict.policy, STRICT);
    assert_eq!(strict.created_at, strict.updated_at);
    store
        .create_review_config(
            "lenient",
            "Lenient",
            r#"{"template":"lenient-development"}"#,
        )
        .await?;
    assert_err!(
        store.create_review_config("strict", "Again", STRICT).await,
        AlreadyExists
    );
    let ids: Vec<String> = store
        .list_review_configs()
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, ["lenient", "strict"]);

    let renamed = store
        .update_review_config("strict", Some("Strict production"), None)
        .await?;
    assert_eq!(renamed.title, "Strict production");
    assert_eq!(renamed.policy, STRICT);
    let policy =
        r#"{"template":"strict-production","rules":{"statement.disallow-commit":"DISABLED"}}"#;
    let changed = store
        .update_review_config("strict", None, Some(policy))
        .await?;
    assert_eq!(changed.title, "Strict production");
    assert_eq!(changed.policy, policy);
    assert!(changed.updated_at >= strict.updated_at);
    assert_eq!(store.review_config("strict").await?, changed);
    assert_err!(
        store.update_review_config("nope", Some("x"), None).await,
        NotFound
    );
    assert_err!(store.review_config("nope").await, NotFound);
    // Unicode and quotes survive.
    let odd = store
        .create_review_config("odd", "Ünïcode 'quoted' \"title\"", "{}")
        .await?;
    assert_eq!(odd.title, "Ünïcode 'quoted' \"title\"");
    Ok(())
}

async fn review_configs_attach_and_delete(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let owner = store.sign_up("owner@example.com", "Owner", "h").await?;
    store.create_environment("test", "Test", false).await?;
    store.create_environment("prod", "Prod", true).await?;
    store
        .create_project("shop", "Shop", "SHOP", owner.id)
        .await?;
    store
        .create_review_config("strict", "Strict", STRICT)
        .await?;
    assert_eq!(store.environment("prod").await?.review_config_id, None);
    assert_eq!(store.project("shop").await?.review_config_id, None);
    assert!(store.review_config_use("strict").await?.is_empty());

    let prod = store
        .set_environment_review_config("prod", Some("strict"))
        .await?;
    assert_eq!(prod.review_config_id.as_deref(), Some("strict"));
    let test = store
        .set_environment_review_config("test", Some("strict"))
        .await?;
    assert_eq!(test.review_config_id.as_deref(), Some("strict"));
    let shop = store
        .set_project_review_config("shop", Some("strict"))
        .await?;
    assert_eq!(shop.review_config_id.as_deref(), Some("strict"));
    // Lists read the attachment too.
    let listed = store.list_environments(false).await?;
    assert!(
        listed
            .iter()
            .all(|e| e.review_config_id.as_deref() == Some("strict"))
    );
    let projects = store.list_projects(false, None).await?;
    assert_eq!(
        projects
            .iter()
            .find(|p| p.id == "shop")
            .and_then(|p| p.review_config_id.clone())
            .as_deref(),
        Some("strict")
    );
    let used = store.review_config_use("strict").await?;
    assert_eq!(used.environments, ["prod", "test"]);
    assert_eq!(used.projects, ["shop"]);
    assert_eq!(used.describe(), "environments prod, test and project shop");

    // Unknown configs and targets.
    assert_err!(
        store
            .set_environment_review_config("prod", Some("nope"))
            .await,
        NotFound
    );
    assert_err!(
        store.set_project_review_config("shop", Some("nope")).await,
        NotFound
    );
    assert_err!(
        store
            .set_environment_review_config("nope", Some("strict"))
            .await,
        NotFound
    );
    assert_err!(
        store.set_project_review_config("nope", None).await,
        NotFound
    );

    // Attached: refused, naming where.
    match store.delete_review_config("strict").await {
        Err(StoreError::FailedPrecondition(why)) => {
            assert!(
                why.contains("environments prod, test") && why.contains("project shop"),
                "{why}"
            );
        }
        other => panic!("expected FailedPrecondition, got {other:?}"),
    }
    store.set_environment_review_config("prod", None).await?;
    store.set_environment_review_config("test", None).await?;
    match store.delete_review_config("strict").await {
        Err(StoreError::FailedPrecondition(why)) => {
            assert!(
                why.contains("project shop") && !why.contains("environment"),
                "{why}"
            );
        }
        other => panic!("expected FailedPrecondition, got {other:?}"),
    }
    let shop = store.set_project_review_config("shop", None).await?;
    assert_eq!(shop.review_config_id, None);
    store.delete_review_config("strict").await?;
    assert_err!(store.review_config("strict").await, NotFound);
    assert_err!(store.delete_review_config("strict").await, NotFound);
    Ok(())
}

async fn task_checks_override_until_the_sql_changes(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let task = single_task(store, &fx, TaskStatus::NotStarted).await?;
    assert_eq!(task.checks_overridden_by, None);
    assert_eq!(task.checks_overridden_at, None);
    assert_eq!(task.checks_override_reason, "");

    // Only from the status the caller saw.
    assert!(
        !store
            .override_task_checks(task.id, TaskStatus::Failed, fx.owner, "why")
            .await?
    );
    assert!(
        store
            .override_task_checks(
                task.id,
                TaskStatus::NotStarted,
                fx.owner,
                "hotfix, reviewed by hand"
            )
            .await?
    );
    let overridden = store.task(task.id).await?;
    assert_eq!(overridden.checks_overridden_by, Some(fx.owner));
    assert_eq!(
        overridden.checks_override_reason,
        "hotfix, reviewed by hand"
    );
    assert!(overridden.checks_overridden_at.is_some());
    // The pipeline reads it too.
    let pipeline = store.pipeline_of_issue(task.issue_id).await?;
    assert_eq!(
        pipeline.stages[0].tasks[0].checks_overridden_by,
        Some(fx.owner)
    );
    // A task that runs or ran cannot be overridden.
    assert_err!(
        store
            .override_task_checks(task.id, TaskStatus::Done, fx.owner, "why")
            .await,
        FailedPrecondition
    );

    // The timeline takes the new kind (the SQLite table was rebuilt).
    let entry = store
        .append_issue_activity(
            task.issue_id,
            fx.owner,
            ActivityKind::ChecksOverridden,
            &serde_json::json!({"task_id": task.id, "reason": "hotfix"}),
        )
        .await?;
    assert_eq!(entry.kind, ActivityKind::ChecksOverridden);
    let timeline = store
        .list_issue_activity(task.issue_id, PageRequest::ALL)
        .await?
        .items;
    let kinds: Vec<ActivityKind> = timeline.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        [ActivityKind::Created, ActivityKind::ChecksOverridden]
    );

    // New SQL clears the override.
    assert!(
        store
            .update_task_statement(
                task.id,
                TaskStatus::NotStarted,
                "CREATE TABLE u (id INT)",
                "2"
            )
            .await?
    );
    let fresh = store.task(task.id).await?;
    assert_eq!(fresh.checks_overridden_by, None);
    assert_eq!(fresh.checks_overridden_at, None);
    assert_eq!(fresh.checks_override_reason, "");
    Ok(())
}
