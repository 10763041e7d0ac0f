//! SQL review in the web UI, in-process: the "SQL review" page listing the
//! configs and where they apply, creating one from a template, a config's
//! rules by category with their docs, levels and options (editable by
//! Owner and DBA, read-only for others, bad values shown at their field),
//! attaching on the environment page and in project settings, deleting
//! only what nothing uses; and on the issue page, overriding a blocking
//! check with a reason. No runner runs here.

use axum::http::StatusCode;
use sluice_app::ReviewSource;
use sluice_app::issues::IssueInput;
use sluice_store::{IssueType, ProjectRole, WorkspaceRole};
use std::time::Duration;

mod ui_common;

use ui_common::*;

struct Estate {
    ui: Ui,
    _dir: tempfile::TempDir,
    owner: String,
    dba: String,
    developer: String,
}

/// Environments test and prod, a SQLite instance in test holding database
/// `shop` of project `shop`; an Owner, a DBA and a Developer of the project.
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
    Estate {
        ui,
        _dir: dir,
        owner,
        dba,
        developer,
    }
}

/// A rule with an integer option, and that option's key.
fn integer_option() -> (&'static str, &'static str) {
    let rule = sluice_app::sluice_lint::RULES
        .iter()
        .find(|r| {
            r.options
                .iter()
                .any(|o| matches!(o.default, sluice_app::sluice_lint::DefaultValue::Int(_)))
        })
        .expect("a rule with an integer option");
    let key = rule
        .options
        .iter()
        .find(|o| matches!(o.default, sluice_app::sluice_lint::DefaultValue::Int(_)))
        .unwrap()
        .key;
    (rule.name, key)
}

#[tokio::test]
async fn review_configs_by_form() {
    let e = estate().await;
    let ui = &e.ui;

    // Everyone signed in finds the page; only Owner and DBA may create.
    for cookie in [&e.owner, &e.developer] {
        let home = ui.get_as("/", cookie).await;
        assert!(
            home.body.contains("href=\"/review-configs\""),
            "navigation entry"
        );
        assert!(home.body.contains("SQL review"));
    }
    let page = ui.get_as("/review-configs", &e.developer).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("No review configs yet"), "{}", page.body);
    assert!(!page.body.contains("New review config"));
    let r = ui
        .submit(
            "/review-configs",
            &e.developer,
            &[
                ("id", "mine"),
                ("title", "Mine"),
                ("template", "strict-production"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // Create from a template; a bad id is shown at its field.
    let page = ui.get_as("/review-configs", &e.owner).await;
    assert!(page.body.contains("New review config"));
    assert!(page.body.contains("lenient-development"));
    let r = ui
        .submit(
            "/review-configs",
            &e.owner,
            &[
                ("id", "Bad Id"),
                ("title", "Keys"),
                ("template", "strict-production"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("value=\"Bad Id\""),
        "what was typed is kept"
    );
    assert!(r.body.contains("class=\"error\""), "{}", r.body);
    let r = ui
        .submit(
            "/review-configs",
            &e.owner,
            &[
                ("id", "keys"),
                ("title", "Keys"),
                ("template", "strict-production"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/review-configs/keys");
    assert!(r.notice().contains("Keys"), "{}", r.notice());

    // The config page: rules by category with docs, levels and options.
    let page = ui.get_as("/review-configs/keys", &e.owner).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    for category in [
        "id=\"cat-naming\"",
        "id=\"cat-table\"",
        "id=\"cat-statement\"",
    ] {
        assert!(body.contains(category), "{category}");
    }
    assert!(body.contains("<code>table.require-pk</code>"));
    assert!(body.contains("Full doc"));
    assert!(body.contains("name=\"rules.table.require-pk.level\""));
    assert!(body.contains("Save config"));
    assert!(body.contains("strict-production"), "made from");
    let (opt_rule, opt_key) = integer_option();
    let opt_field = format!("rules.{opt_rule}.config.{opt_key}");
    assert!(
        body.contains(&format!("name=\"{opt_field}\"")),
        "{opt_field}"
    );

    // Read-only for a developer: levels as badges, no form.
    let page = ui.get_as("/review-configs/keys", &e.developer).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Read only"));
    assert!(!page.body.contains("name=\"rules.table.require-pk.level\""));
    assert!(!page.body.contains("Save config"));
    assert!(page.body.contains("<code>table.require-pk</code>"));
    let r = ui
        .submit(
            "/review-configs/keys",
            &e.developer,
            &[("rules.table.require-pk.level", "DISABLED")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // A bad option value is shown at its field and nothing is saved.
    let r = ui
        .submit(
            "/review-configs/keys",
            &e.dba,
            &[
                ("rules.table.require-pk.level", "WARNING"),
                (opt_field.as_str(), "many"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("value=\"many\""), "what was typed is kept");
    assert!(
        r.body.contains("expected a integer") || r.body.contains("integer"),
        "{}",
        r.body
    );
    let caller = ui.owner_caller(&e.owner).await;
    let detail = ui.app.review_config(&caller, "keys").await.unwrap();
    let pk = detail
        .rules
        .iter()
        .find(|s| s.rule.name == "table.require-pk")
        .unwrap();
    assert_eq!(pk.level.as_str(), "ERROR", "unchanged");

    // A valid save by a DBA.
    let r = ui
        .submit(
            "/review-configs/keys",
            &e.dba,
            &[
                ("title", "Keys everywhere"),
                ("rules.table.require-pk.level", "WARNING"),
                (opt_field.as_str(), "7"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.notice().contains("2 rule(s) changed"), "{}", r.notice());
    let detail = ui.app.review_config(&caller, "keys").await.unwrap();
    assert_eq!(detail.config.title, "Keys everywhere");
    let level = |name: &str| {
        detail
            .rules
            .iter()
            .find(|s| s.rule.name == name)
            .unwrap()
            .level
            .as_str()
    };
    assert_eq!(level("table.require-pk"), "WARNING");
    assert_eq!(level("statement.disallow-truncate"), "ERROR", "untouched");
    let opt = detail
        .rules
        .iter()
        .find(|s| s.rule.name == opt_rule)
        .unwrap();
    assert_eq!(
        opt.config.iter().find(|(k, _)| *k == opt_key).unwrap().1,
        serde_json::json!(7)
    );

    // Attach on the environment page and in the project's settings.
    let env = ui.get_as("/environments/test", &e.owner).await;
    assert!(env.body.contains("SQL review"));
    assert!(
        env.body
            .contains("action=\"/environments/test/review-config\"")
    );
    assert!(
        env.body.contains("lenient-development"),
        "the default applies"
    );
    let env_dev = ui.get_as("/environments/test", &e.developer).await;
    assert!(
        !env_dev
            .body
            .contains("action=\"/environments/test/review-config\"")
    );
    let r = ui
        .submit(
            "/environments/test/review-config",
            &e.owner,
            &[("review_config", "keys")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/environments/test");
    let env = ui.get_as("/environments/test", &e.owner).await;
    assert!(
        env.body
            .contains("reviewed with <a href=\"/review-configs/keys\">keys</a>")
    );
    let settings = ui.get_as("/projects/shop/settings", &e.owner).await;
    assert!(
        settings
            .body
            .contains("action=\"/projects/shop/review-config\"")
    );
    let r = ui
        .submit(
            "/projects/shop/review-config",
            &e.owner,
            &[("review_config", "keys")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/projects/shop/settings");
    let r = ui
        .submit(
            "/environments/test/review-config",
            &e.developer,
            &[("review_config", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // The list says where each config applies.
    let page = ui.get_as("/review-configs", &e.developer).await;
    assert!(
        page.body.contains("environment test and project shop"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Keys everywhere (keys)"),
        "{}",
        page.body
    );

    // Delete only what nothing uses.
    let r = ui
        .submit("/review-configs/keys/delete", &e.owner, &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("environment test and project shop"),
        "{}",
        r.body
    );
    for path in [
        "/environments/test/review-config",
        "/projects/shop/review-config",
    ] {
        let r = ui.submit(path, &e.owner, &[("review_config", "")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = ui
        .submit("/review-configs/keys/delete", &e.owner, &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/review-configs");
    let gone = ui.get_as("/review-configs/keys", &e.owner).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_blocking_check_is_overridden_on_the_issue_page() {
    let e = estate().await;
    let ui = &e.ui;
    let owner = ui.owner_caller(&e.owner).await;
    let dev = ui.owner_caller(&e.developer).await;
    ui.app
        .create_review_config(
            &owner,
            "keys",
            "Keys",
            &ReviewSource::Policy(serde_json::json!({"rules": {"table.require-pk": "ERROR"}})),
        )
        .await
        .unwrap();
    ui.app
        .set_environment_review_config(&owner, "test", Some("keys"))
        .await
        .unwrap();
    let issue = ui
        .app
        .create_issue(
            &dev,
            "shop",
            &IssueInput {
                title: "Add a log".into(),
                description: String::new(),
                issue_type: IssueType::SchemaChange,
                statement: "CREATE TABLE log (line TEXT)".into(),
                targets: vec!["lite-test/shop".into()],
                version: None,
                database: None,
            },
        )
        .await
        .unwrap();
    let n = issue.number;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let task = loop {
        let view = ui.app.issue_view(&owner, "shop", n).await.unwrap();
        let task = view.pipeline.stages[0].tasks[0].clone();
        if !task.checks.is_empty() && task.checks_level != "RUNNING" {
            break task;
        }
        assert!(std::time::Instant::now() < deadline, "checks still running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        task.waiting_for.as_deref(),
        Some("blocked by the SQL_REVIEW check")
    );
    let path = format!("/projects/shop/issues/{n}");
    let form_action = format!("{path}/tasks/{}/override-checks", task.id);

    // Offered to Owner and DBA, not to the developer, who is refused.
    let page = ui.get_as(&path, &e.owner).await;
    assert!(page.body.contains("Override checks…"), "{}", page.body);
    assert!(page.body.contains(&form_action));
    assert!(page.body.contains("SQL_REVIEW"));
    let page = ui.get_as(&path, &e.developer).await;
    assert!(!page.body.contains("Override checks…"));
    let r = ui
        .submit(&form_action, &e.developer, &[("reason", "please")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);

    // A reason is needed.
    let r = ui.submit(&form_action, &e.dba, &[("reason", " ")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("reason"), "{}", r.body);

    let r = ui
        .submit(
            &form_action,
            &e.dba,
            &[("reason", "log table, keyed later")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.notice().contains("overridden"), "{}", r.notice());
    let page = ui
        .get_as(&format!("{path}?task={}", task.id), &e.developer)
        .await;
    assert!(
        page.body
            .contains("Checks overridden by Dee Dba: log table, keyed later"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("overrode the blocking checks of lite-test/shop"),
        "timeline"
    );
    assert!(!page.body.contains("blocked by the SQL_REVIEW check"));
}
