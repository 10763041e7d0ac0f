//! Conformance of what "Roll back" reads from the changelog: the entry a
//! run wrote, the latest schema change of a database, and the reverse plan
//! kept beside an entry. Every test runs on SQLite (a temporary file and in
//! memory) and on PostgreSQL, and must behave the same on each.

#[macro_use]
#[allow(unused_macros)]
mod common;

use anyhow::Result;
use common::Ctx;
use common::pipelines::*;
use sluice_store::*;

on_every_backend!(
    the_latest_schema_change_ignores_data_and_failures,
    a_reverse_is_kept_and_replaced,
);

fn entry(
    fx: &Fixture,
    version: &str,
    kind: ChangelogType,
    status: ChangelogStatus,
) -> NewChangelog {
    NewChangelog {
        db_id: fx.test_db.id,
        version: version.into(),
        changelog_type: kind,
        statement: format!("-- {version}"),
        checksum: format!("sha256:{version}"),
        schema_before: String::new(),
        schema_after: String::new(),
        issue_id: None,
        task_run_id: None,
        creator_id: 1,
        status,
        duration_ms: 1,
    }
}

async fn the_latest_schema_change_ignores_data_and_failures(cx: Ctx) -> Result<()> {
    use ChangelogStatus::*;
    use ChangelogType::*;
    let store = &cx.store;
    let fx = fixture(store).await?;
    assert!(
        store
            .latest_schema_changelog(fx.test_db.id)
            .await?
            .is_none()
    );

    let baseline = store
        .append_changelog(&entry(&fx, "b", Baseline, Done))
        .await?;
    let latest = store.latest_schema_changelog(fx.test_db.id).await?;
    assert_eq!(latest.map(|e| e.id), Some(baseline.id));

    let task = single_task(store, &fx, TaskStatus::Pending).await?;
    let run = store.start_task_run(task.id, 1).await?;
    assert!(store.changelog_of_run(run.id).await?.is_none());
    let mut v1 = entry(&fx, "v1", Migrate, Done);
    v1.task_run_id = Some(run.id);
    let v1 = store.append_changelog(&v1).await?;
    assert_eq!(
        store.changelog_of_run(run.id).await?.map(|e| e.id),
        Some(v1.id)
    );

    // Data changes leave the schema; failed and pending entries changed
    // nothing recorded; another database's entries are its own.
    store.append_changelog(&entry(&fx, "d", Data, Done)).await?;
    store
        .append_changelog(&entry(&fx, "v2", Migrate, Failed))
        .await?;
    store
        .append_changelog(&entry(&fx, "v3", Migrate, Pending))
        .await?;
    let mut elsewhere = entry(&fx, "p1", Migrate, Done);
    elsewhere.db_id = fx.prod_db.id;
    let elsewhere = store.append_changelog(&elsewhere).await?;
    let latest = store.latest_schema_changelog(fx.test_db.id).await?;
    assert_eq!(latest.map(|e| e.version), Some("v1".to_string()));
    let latest = store.latest_schema_changelog(fx.prod_db.id).await?;
    assert_eq!(latest.map(|e| e.id), Some(elsewhere.id));

    let accepted = store
        .append_changelog(&entry(&fx, "b2", Baseline, Done))
        .await?;
    let latest = store.latest_schema_changelog(fx.test_db.id).await?;
    assert_eq!(latest.map(|e| e.id), Some(accepted.id));
    Ok(())
}

async fn a_reverse_is_kept_and_replaced(cx: Ctx) -> Result<()> {
    let store = &cx.store;
    let fx = fixture(store).await?;
    let v1 = store
        .append_changelog(&entry(
            &fx,
            "v1",
            ChangelogType::Migrate,
            ChangelogStatus::Done,
        ))
        .await?;
    assert!(store.changelog_reverse(v1.id).await?.is_none());

    let before = now_ms();
    let mut reverse = ChangelogReverse {
        changelog_id: v1.id,
        statement: String::new(),
        hazards: "[]".into(),
        plan: String::new(),
        note: "no schema was kept before the change".into(),
        created_at: 0,
    };
    store.set_changelog_reverse(&reverse).await?;
    let kept = store.changelog_reverse(v1.id).await?.expect("kept");
    assert_eq!(kept.note, reverse.note);
    assert!(kept.created_at >= before, "the store sets the time");

    reverse.statement = "DROP TABLE t;\n".into();
    reverse.hazards = r#"["DELETES_DATA"]"#.into();
    reverse.plan = r#"{"steps":[]}"#.into();
    reverse.note = String::new();
    store.set_changelog_reverse(&reverse).await?;
    let kept = store.changelog_reverse(v1.id).await?.expect("kept");
    assert_eq!(
        (
            kept.statement.as_str(),
            kept.hazards.as_str(),
            kept.plan.as_str(),
            kept.note.as_str()
        ),
        (
            "DROP TABLE t;\n",
            r#"["DELETES_DATA"]"#,
            r#"{"steps":[]}"#,
            ""
        )
    );
    Ok(())
}
