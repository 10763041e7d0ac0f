//! Sync schema through the web UI, in-process: the page is reachable from
//! the project and from a database; Preview shows the source's and each
//! target's DDL with the plan, hazards marked; filing without confirming a
//! hazard keeps the form and says why; confirmed, it redirects to the new
//! issue. Databases are SQLite files; no runner runs.

use axum::http::StatusCode;
use sluice_store::{ProjectRole, WorkspaceRole};

mod ui_common;

use ui_common::*;

struct Estate {
    ui: Ui,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    owner: String,
    developer: String,
    outsider: String,
}

/// lite-test/shop and lite-prod/shop (table orders) in project shop; the
/// source lite-test/src adds a column and a table; lite-prod/shop also
/// holds a table the source does not have.
async fn estate() -> Estate {
    let ui = ui().await;
    let owner = ui.sign_up("owner@example.com", "Olive Owner").await;
    let caller = ui.owner_caller(&owner).await;
    let app = &ui.app;
    app.create_environment(&caller, "test", "Test", false)
        .await
        .unwrap();
    app.create_environment(&caller, "prod", "Production", true)
        .await
        .unwrap();
    app.create_project(&caller, "shop", "Shop", "SHOP")
        .await
        .unwrap();
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (instance, env, dir) in [
        ("lite-test", "test", dirs.0.path()),
        ("lite-prod", "prod", dirs.1.path()),
    ] {
        shop_database(&ui, &owner, &caller, instance, env, dir).await;
    }
    run_sql(
        &dirs.0.path().join("src.db"),
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER, note TEXT);\n\
         CREATE TABLE refunds (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL);",
    )
    .await;
    run_sql(
        &dirs.1.path().join("shop.db"),
        "CREATE TABLE scratch (id INTEGER);",
    )
    .await;
    app.store.upsert_database("lite-test", "src").await.unwrap();
    app.update_database(&caller, "lite-test", "src", Some("shop"), None)
        .await
        .unwrap();
    for (email, name) in [
        ("dev@example.com", "Dana Dev"),
        ("out@example.com", "Otto Out"),
    ] {
        app.create_user(
            &caller,
            email,
            name,
            "a-long-password",
            WorkspaceRole::Developer,
        )
        .await
        .unwrap();
    }
    app.set_project_member(&caller, "shop", "dev@example.com", ProjectRole::Developer)
        .await
        .unwrap();
    let developer = ui.log_in("dev@example.com", "a-long-password").await;
    let outsider = ui.log_in("out@example.com", "a-long-password").await;
    Estate {
        ui,
        _dirs: dirs,
        owner,
        developer,
        outsider,
    }
}

const PICK: &[(&str, &str)] = &[
    ("source", "lite-test/src"),
    ("changelog", ""),
    ("sync", "on"),
    ("target", "lite-test/shop"),
    ("target", "lite-prod/shop"),
];

#[tokio::test]
async fn preview_and_file_by_form() {
    let e = estate().await;
    let ui = &e.ui;

    // Reachable from the project's tabs and from the source's page.
    let project = ui.get_as("/projects/shop", &e.developer).await;
    assert!(
        project.body.contains("href=\"/projects/shop/schema-sync\""),
        "{}",
        project.body
    );
    let db = ui
        .get_as("/instances/lite-test/databases/src", &e.developer)
        .await;
    assert!(
        db.body
            .contains("href=\"/projects/shop/schema-sync?source=lite-test%2Fsrc\""),
        "{}",
        db.body
    );
    let page = ui
        .get_as(
            "/projects/shop/schema-sync?source=lite-test%2Fsrc",
            &e.developer,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("<option value=\"lite-test/src\" selected>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Inspect the source and the targets now"));
    assert!(
        page.body.contains("id=\"t-lite-prod/shop\""),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("id=\"t-lite-test/src\""),
        "the source is no target of itself: {}",
        page.body
    );
    assert!(
        !page.body.contains("Create issue"),
        "no plan, nothing to file yet"
    );

    // Preview: both schemas side by side and a plan per target.
    let preview = ui
        .submit("/projects/shop/schema-sync/preview", &e.developer, PICK)
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let body = &preview.body;
    assert!(body.contains("aria-label=\"Source schema\""), "{body}");
    assert!(
        body.contains("aria-label=\"Schema of lite-test/shop\""),
        "{body}"
    );
    assert!(
        body.contains("aria-label=\"Schema of lite-prod/shop\""),
        "{body}"
    );
    assert!(
        body.contains("aria-label=\"Plan for lite-test/shop\""),
        "{body}"
    );
    assert!(
        body.contains("aria-label=\"Plan for lite-prod/shop\""),
        "{body}"
    );
    assert!(body.contains("refunds"), "{body}");
    assert!(body.contains("inspected just now"), "{body}");
    assert!(body.contains("2 of 2 target(s) differ"), "{body}");
    assert!(body.contains("⚠ DELETES_DATA"), "{body}");
    assert!(
        body.contains("name=\"allow_hazards\" type=\"checkbox\" value=\"DELETES_DATA\""),
        "{body}"
    );
    assert!(body.contains("Create issue"), "{body}");

    // Filing without confirming the hazard keeps the form and says why.
    let refused = ui
        .submit("/projects/shop/schema-sync", &e.developer, PICK)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains("lite-prod/shop (DELETES_DATA)"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("aria-label=\"Plan for lite-prod/shop\"")
    );

    // Confirmed, it files one issue and shows it.
    let mut confirmed = PICK.to_vec();
    confirmed.push(("allow_hazards", "DELETES_DATA"));
    confirmed.push(("title", "Bring shop up to src"));
    let filed = ui
        .submit("/projects/shop/schema-sync", &e.developer, &confirmed)
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    assert_eq!(filed.location(), "/projects/shop/issues/1");
    assert!(
        filed.notice().contains("Issue #1 filed"),
        "{}",
        filed.notice()
    );
    let issue = ui.get_as("/projects/shop/issues/1", &e.developer).await;
    assert_eq!(issue.status, StatusCode::OK);
    assert!(
        issue.body.contains("Bring shop up to src"),
        "{}",
        issue.body
    );
    assert!(issue.body.contains("lite-test/shop") && issue.body.contains("lite-prod/shop"));
}

#[tokio::test]
async fn mistakes_and_strangers() {
    let e = estate().await;
    let ui = &e.ui;
    // Nothing picked: errors next to the fields.
    let r = ui
        .submit(
            "/projects/shop/schema-sync/preview",
            &e.owner,
            &[("source", ""), ("sync", "on")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("Choose the database to sync from"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("Choose at least one database to sync"),
        "{}",
        r.body
    );
    // A target already in sync: the preview says so and offers no filing.
    let r = ui
        .submit(
            "/projects/shop/schema-sync/preview",
            &e.owner,
            &[
                ("source", "lite-test/shop"),
                ("sync", "on"),
                ("target", "lite-test/shop"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("✓ In sync"), "{}", r.body);
    assert!(
        r.body.contains("Every target is already in sync"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("Create issue"), "{}", r.body);
    // Someone outside the project sees neither the page nor the tab.
    let r = ui.get_as("/projects/shop/schema-sync", &e.outsider).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = ui
        .submit("/projects/shop/schema-sync/preview", &e.outsider, PICK)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn a_changelog_entry_is_a_source() {
    let e = estate().await;
    let ui = &e.ui;
    let db = ui.app.store.database("lite-test", "src").await.unwrap();
    let catalog = sluice_schema::Catalog::new("src", sluice_schema::Dialect::Sqlite);
    let entry = ui
        .app
        .store
        .append_changelog(&sluice_store::NewChangelog {
            db_id: db.id,
            version: "0007".into(),
            changelog_type: sluice_store::ChangelogType::Baseline,
            statement: String::new(),
            checksum: "x".into(),
            schema_before: String::new(),
            schema_after: serde_json::to_string(&catalog).unwrap(),
            issue_id: None,
            task_run_id: None,
            creator_id: 1,
            status: sluice_store::ChangelogStatus::Done,
            duration_ms: 0,
        })
        .await
        .unwrap();
    let page = ui
        .get_as(
            &format!("/instances/lite-test/databases/src/changelog/{}", entry.id),
            &e.developer,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let href = format!(
        "/projects/shop/schema-sync?source=lite-test%2Fsrc&changelog={}",
        entry.id
    );
    // Askama writes the `&` of the link as `&#38;`.
    assert!(
        page.body.contains(&href.replace('&', "&#38;")),
        "{}",
        page.body
    );
    let form = ui.get_as(&href, &e.developer).await;
    assert!(
        form.body.contains(&format!(
            "<option value=\"{}\" selected>Entry {} · BASELINE · version 0007",
            entry.id, entry.id
        )),
        "{}",
        form.body
    );
    // Its recorded schema is empty: syncing lite-test/shop to it drops orders.
    let id = entry.id.to_string();
    let preview = ui
        .submit(
            "/projects/shop/schema-sync/preview",
            &e.developer,
            &[
                ("source", "lite-test/src"),
                ("changelog", &id),
                ("sync", "on"),
                ("target", "lite-test/shop"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("as of changelog entry"),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("as left by the changelog entry"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("⚠ DELETES_DATA"), "{}", preview.body);
}
