//! Drift in the web UI, in-process, on a SQLite database: the banner and
//! badge on the Overview, the Drift tab with the Changes and the DDL, the
//! timeline, and the "Accept live schema as baseline" button, which only
//! an Owner or a DBA is shown and may use.

use axum::http::StatusCode;
use sluice_store::{ProjectRole, WorkspaceRole};

mod ui_common;

use ui_common::*;

const DB: &str = "/instances/lite-test/databases/shop";

struct Estate {
    ui: Ui,
    dir: tempfile::TempDir,
    owner: String,
    dba: String,
    developer: String,
}

/// Environment test with a SQLite instance holding `shop` (project shop),
/// synced once; an Owner, a DBA and a developer of the project.
async fn estate() -> Estate {
    let ui = ui().await;
    let owner = ui.sign_up("owner@example.com", "Olive Owner").await;
    let caller = ui.owner_caller(&owner).await;
    let app = &ui.app;
    app.create_environment(&caller, "test", "Test", false)
        .await
        .unwrap();
    app.create_project(&caller, "shop", "Shop", "SHOP")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    shop_database(&ui, &owner, &caller, "lite-test", "test", dir.path()).await;
    for (email, name, role) in [
        ("dba@example.com", "Dee Dba", WorkspaceRole::Dba),
        ("dev@example.com", "Dana Dev", WorkspaceRole::Developer),
    ] {
        app.create_user(&caller, email, name, "a-long-password", role)
            .await
            .unwrap();
    }
    app.set_project_member(&caller, "shop", "dev@example.com", ProjectRole::Developer)
        .await
        .unwrap();
    let dba = ui.log_in("dba@example.com", "a-long-password").await;
    let developer = ui.log_in("dev@example.com", "a-long-password").await;
    let e = Estate {
        ui,
        dir,
        owner,
        dba,
        developer,
    };
    e.sync(&e.owner.clone()).await;
    e
}

impl Estate {
    async fn sync(&self, cookie: &str) {
        let r = self.ui.submit(&format!("{DB}/sync"), cookie, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }

    async fn page(&self, path: &str, cookie: &str) -> String {
        let r = self.ui.get_as(path, cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        r.body
    }
}

#[tokio::test]
async fn drift_is_shown_and_a_dba_accepts_it() {
    let e = estate().await;
    // Not compared yet: no baseline. A DBA records the first one.
    let drift = e.page(&format!("{DB}/drift"), &e.dba).await;
    assert!(drift.contains("NOT COMPARED"), "{drift}");
    assert!(drift.contains("Accept live schema as baseline"), "{drift}");
    let r =
        e.ui.submit(&format!("{DB}/drift/accept"), &e.dba, &[])
            .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("{DB}/drift"));
    assert!(
        r.notice().starts_with("Live schema accepted as baseline"),
        "{}",
        r.notice()
    );

    // A column added behind Sluice's back, then a sync.
    run_sql(
        &e.dir.path().join("shop.db"),
        "ALTER TABLE orders ADD COLUMN note TEXT;",
    )
    .await;
    e.sync(&e.developer).await;

    // The Overview: banner, badge, timeline.
    let overview = e.page(DB, &e.developer).await;
    assert!(
        overview.contains("⚠ Schema drift: 1 change outside Sluice: add_column main.orders.note"),
        "{overview}"
    );
    assert!(
        overview.contains(&format!("href=\"{DB}/drift\"")),
        "{overview}"
    );
    assert!(overview.contains("⚠ DRIFTED"), "{overview}");
    assert!(overview.contains("Drift detected"), "{overview}");
    assert!(
        overview.contains("Dana Dev"),
        "the sync was hers: {overview}"
    );

    // The Drift tab: the Change and the DDL; no accept button for a developer.
    let drift = e.page(&format!("{DB}/drift"), &e.developer).await;
    assert!(drift.contains("aria-current=\"page\">Drift</a>"), "{drift}");
    assert!(drift.contains("<code>add_column</code>"), "{drift}");
    assert!(drift.contains("<code>main.orders.note</code>"), "{drift}");
    assert!(drift.to_lowercase().contains("note"), "{drift}");
    assert!(drift.contains("DDL run outside Sluice"), "{drift}");
    assert!(!drift.contains("/drift/accept"), "{drift}");
    let r =
        e.ui.submit(&format!("{DB}/drift/accept"), &e.developer, &[])
            .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // A DBA sees the button behind a confirmation, and accepts.
    let drift = e.page(&format!("{DB}/drift"), &e.dba).await;
    assert!(drift.contains("<details class=\"confirm\">"), "{drift}");
    assert!(
        drift.contains("Yes, accept the live schema of shop"),
        "{drift}"
    );
    let r =
        e.ui.submit(&format!("{DB}/drift/accept"), &e.dba, &[])
            .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let drift = e.page(&format!("{DB}/drift"), &e.dba).await;
    assert!(drift.contains("✓ IN SYNC"), "{drift}");
    assert!(drift.contains("Drift accepted"), "{drift}");
    assert!(drift.contains("Dee Dba"), "{drift}");
    let overview = e.page(DB, &e.dba).await;
    assert!(!overview.contains("Schema drift:"), "{overview}");
    let changelog = e.page(&format!("{DB}/changelog"), &e.dba).await;
    assert!(changelog.contains("Baseline"), "{changelog}");

    // Nothing left to accept: the page says why.
    let r =
        e.ui.submit(&format!("{DB}/drift/accept"), &e.dba, &[])
            .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("there is no drift to accept"), "{}", r.body);
}

#[tokio::test]
async fn drift_pages_of_unknown_databases_are_not_found() {
    let e = estate().await;
    let r =
        e.ui.get_as("/instances/lite-test/databases/nope/drift", &e.owner)
            .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r =
        e.ui.submit(
            "/instances/lite-test/databases/nope/drift/accept",
            &e.owner,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
