//! "Roll back" in the web UI: a changelog entry shows its reverse plan
//! with the hazards marked, and its form files the rollback issue only
//! once the confirmation checkbox naming the hazards is ticked.

use axum::http::StatusCode;
use sluice_schema::{Catalog, Column, Dialect, PrimaryKey, Schema, Table};
use sluice_store::{ChangelogStatus, ChangelogType, NewChangelog, ProjectRole, WorkspaceRole};

mod ui_common;

use ui_common::*;

fn catalog(tables: &[&str]) -> Catalog {
    let mut schema = Schema::new("main");
    for t in tables {
        schema = schema.with_table(
            Table::new(*t)
                .with_column(Column::new("id", "integer").not_null())
                .with_primary_key(PrimaryKey::new(None, ["id"])),
        );
    }
    Catalog::new("shop", Dialect::Sqlite).with_schema(schema)
}

/// With SLUICE_UI_DUMP=dir, keep a page's HTML there for a reviewer.
fn dump(name: &str, html: &str) {
    if let Ok(dir) = std::env::var("SLUICE_UI_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), html).unwrap();
    }
}

/// A DONE schema change of database `db_id`, to fill in.
fn new_entry(db_id: i64, creator_id: i64) -> NewChangelog {
    NewChangelog {
        db_id,
        version: String::new(),
        changelog_type: ChangelogType::Migrate,
        statement: "-- by hand".into(),
        checksum: "abc".into(),
        schema_before: String::new(),
        schema_after: String::new(),
        issue_id: None,
        task_run_id: None,
        creator_id,
        status: ChangelogStatus::Done,
        duration_ms: 5,
    }
}

#[tokio::test]
async fn the_entry_shows_its_reverse_and_rolls_back_once_hazards_are_confirmed() {
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
    shop_database(&ui, &owner, &caller, "lite", "test", dir.path()).await;
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

    // A schema change that added table `items`, DONE, with its reverse.
    let db = app.store.database("lite", "shop").await.unwrap();
    let entry = app
        .store
        .append_changelog(&NewChangelog {
            version: "20250101-items".into(),
            schema_before: serde_json::to_string(&catalog(&["orders"])).unwrap(),
            schema_after: serde_json::to_string(&catalog(&["items", "orders"])).unwrap(),
            ..new_entry(db.id, caller.id())
        })
        .await
        .unwrap();
    let reverse = app.keep_reverse(&entry).await.unwrap();
    assert!(reverse.note.is_empty(), "{}", reverse.note);

    let href = format!("/instances/lite/databases/shop/changelog/{}", entry.id);
    let page = ui.get_as(&href, &developer).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    dump("changelog_entry_reverse.html", &page.body);
    let body = &page.body;
    assert!(body.contains("Reverse plan"), "{body}");
    assert!(
        body.contains("<span class=\"badge failed\">DELETES_DATA</span>"),
        "{body}"
    );
    assert!(body.contains("DROP TABLE"), "{body}");
    assert!(
        body.contains("name=\"allow_hazards\" type=\"checkbox\" value=\"DELETES_DATA\" required"),
        "{body}"
    );
    assert!(body.contains("I accept the hazards of rolling back: DELETES_DATA"));
    assert!(
        body.contains(&format!("action=\"{href}/rollback\"")),
        "{body}"
    );
    assert!(body.contains(">Roll back</button>"));

    // Sent without the checkbox: the page again, naming the hazard.
    let r = ui
        .submit(&format!("{href}/rollback"), &developer, &[("title", "")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    dump("changelog_entry_refused.html", &r.body);
    assert!(r.body.contains("role=\"alert\""), "{}", r.body);
    assert!(r.body.contains("not allowed: DELETES_DATA"), "{}", r.body);
    assert!(app.store.issue_by_number("shop", 1).await.is_err());

    // Someone outside the project may not.
    let r = ui
        .submit(
            &format!("{href}/rollback"),
            &outsider,
            &[("allow_hazards", "DELETES_DATA")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Confirmed: a new issue, and the browser goes to it.
    let r = ui
        .submit(
            &format!("{href}/rollback"),
            &developer,
            &[("title", ""), ("allow_hazards", "DELETES_DATA")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/projects/shop/issues/1");
    assert!(r.notice().contains("Filed issue #1"), "{}", r.notice());
    let page = ui.get_as("/projects/shop/issues/1", &developer).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Roll back 20250101-items"),
        "{}",
        page.body
    );
    assert!(page.body.contains("DROP TABLE"), "{}", page.body);

    // Once a later schema change is recorded, the entry says so and offers
    // no form.
    let later = app
        .store
        .append_changelog(&NewChangelog {
            version: "20250102-more".into(),
            schema_before: serde_json::to_string(&catalog(&["orders"])).unwrap(),
            schema_after: serde_json::to_string(&catalog(&["more", "orders"])).unwrap(),
            ..new_entry(db.id, caller.id())
        })
        .await
        .unwrap();
    let page = ui.get_as(&href, &developer).await;
    assert!(
        page.body.contains(&format!(
            "A later schema change, version 20250102-more (changelog entry {}), was applied",
            later.id
        )),
        "{}",
        page.body
    );
    assert!(!page.body.contains(">Roll back</button>"), "{}", page.body);
}
