//! Issues through the web UI, in-process: file one by form, read its
//! pipeline, checks and approval box, approve it, edit its SQL, comment;
//! environment policies and project self-approval by form; a database's
//! changelog; who may see and do what. Targets are SQLite files in a
//! temporary directory. No runner runs here: tasks are never executed.

use axum::http::StatusCode;
use sluice_schema::{Catalog, Column, Dialect, PrimaryKey, Schema, Table};
use sluice_store::{ProjectRole, WorkspaceRole};
use std::time::Duration;

mod ui_common;

use ui_common::*;

struct Estate {
    ui: Ui,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    owner: String,
    dba: String,
    developer: String,
    outsider: String,
}

/// Environments test and prod (protected: approval by a DBA or Owner,
/// manual rollout), a SQLite instance in each holding database `shop`,
/// project `shop` with both databases; an Owner, a DBA, a Developer of
/// the project and a Developer outside it.
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
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    app.create_project(&caller, "shop", "Shop", "SHOP")
        .await
        .unwrap();
    for (instance, env, dir) in [
        ("lite-test", "test", dirs.0.path()),
        ("lite-prod", "prod", dirs.1.path()),
    ] {
        shop_database(&ui, &owner, &caller, instance, env, dir).await;
    }
    for (email, name, role) in [
        ("dba@example.com", "Dee Dba", WorkspaceRole::Dba),
        ("dev@example.com", "Dana Dev", WorkspaceRole::Developer),
        ("out@example.com", "Otto Out", WorkspaceRole::Developer),
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
    let outsider = ui.log_in("out@example.com", "a-long-password").await;
    Estate {
        ui,
        _dirs: dirs,
        owner,
        dba,
        developer,
        outsider,
    }
}

const SQL: &str = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\nCREATE INDEX items_name ON items (name);";

/// File issue 1 by form as the holder of `cookie`, on both databases.
async fn file_by_form(ui: &Ui, cookie: &str) -> String {
    let r = ui
        .submit(
            "/projects/shop/issues",
            cookie,
            &[
                ("type", "SCHEMA_CHANGE"),
                ("title", "Add items"),
                ("description", "A table of items."),
                ("target", "lite-test/shop"),
                ("target", "lite-prod/shop"),
                ("statement", SQL),
                ("version", "20250101-items"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.notice().contains("Issue #"), "{}", r.notice());
    r.location().to_string()
}

/// Wait until no check of the issue runs (they run in the background).
async fn checks_done(ui: &Ui, cookie: &str, number: i64) {
    let caller = ui.owner_caller(cookie).await;
    for _ in 0..200 {
        let view = ui.app.issue_view(&caller, "shop", number).await.unwrap();
        let running = view
            .pipeline
            .stages
            .iter()
            .flat_map(|s| &s.tasks)
            .any(|t| t.checks_level == "RUNNING" || t.checks.is_empty());
        if !running {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the checks did not finish");
}

/// With SLUICE_UI_DUMP=dir, keep a page's HTML there for a reviewer.
fn dump(name: &str, html: &str) {
    if let Ok(dir) = std::env::var("SLUICE_UI_DUMP") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(name), html).unwrap();
    }
}

fn main_of(html: &str) -> &str {
    let start = html.find("<main").unwrap_or(0);
    let end = html.find("</main>").unwrap_or(html.len());
    &html[start..end]
}

#[tokio::test]
async fn the_form_files_an_issue_and_its_page_shows_the_pipeline() {
    let e = estate().await;
    let ui = &e.ui;

    // The Issues tab is empty and offers the form.
    let tab = ui.get_as("/projects/shop/issues", &e.developer).await;
    assert_eq!(tab.status, StatusCode::OK, "{}", tab.body);
    assert!(tab.body.contains("No issues yet"), "{}", tab.body);
    assert!(tab.body.contains("href=\"/projects/shop/issues/new\""));

    // The form lists the project's databases grouped by environment, in
    // order; the database page links to it with its database ticked.
    let form = ui.get_as("/projects/shop/issues/new", &e.developer).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let body = main_of(&form.body);
    let test_at = body.find("<h3>Test").expect("Test group");
    let prod_at = body.find("<h3>Production").expect("Production group");
    assert!(test_at < prod_at);
    assert!(body.contains("value=\"lite-test/shop\""));
    assert!(body.contains("value=\"lite-prod/shop\""));
    assert!(body.contains("class=\"mono sql\""));
    let db_page = ui
        .get_as("/instances/lite-prod/databases/shop", &e.developer)
        .await;
    let link = "/projects/shop/issues/new?target=lite-prod%2Fshop";
    assert!(db_page.body.contains(link), "{}", db_page.body);
    let preset = ui.get_as(link, &e.developer).await;
    assert!(
        preset.body.contains("value=\"lite-prod/shop\" checked"),
        "{}",
        preset.body
    );
    assert!(!preset.body.contains("value=\"lite-test/shop\" checked"));

    let location = file_by_form(ui, &e.developer).await;
    assert_eq!(location, "/projects/shop/issues/1");

    // While the checks run, the page follows them.
    let page = ui.get_as(&location, &e.developer).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("aria-live=\"polite\""));
    assert!(page.body.contains("/projects/shop/issues/1/live"));
    assert!(page.body.contains(">Refresh</a>"));

    checks_done(ui, &e.owner, 1).await;
    let page = ui.get_as(&location, &e.developer).await;
    dump("issue.html", &page.body);
    dump("issue_new.html", &form.body);
    let body = main_of(&page.body);
    assert!(body.contains("Add items"));
    assert!(body.contains("Schema change"));
    assert!(body.contains("Dana Dev"));
    // Stages left to right in environment order, each with its rollout.
    let test_at = body.find("<h3>Test</h3>").expect("stage Test");
    let prod_at = body.find("<h3>Production</h3>").expect("stage Production");
    assert!(test_at < prod_at);
    assert!(body.contains("Automatic rollout"));
    assert!(body.contains("Manual rollout · approval required"));
    // The first task is selected: its SQL with line numbers and checks.
    assert!(body.contains("<span class=\"ln\" id=\"sql-l1\">CREATE TABLE items"));
    for kind in ["SYNTAX", "STATEMENT_TYPE", "RISK", "DRY_RUN"] {
        assert!(
            body.contains(&format!("<th scope=\"row\">{kind}</th>")),
            "{kind}"
        );
    }
    assert!(body.contains("Not run yet."));
    // Prod waits for approval; the approval box says who may give it.
    assert!(body.contains("waiting for"), "{body}");
    assert!(body.contains("Required by"));
    assert!(
        body.contains("Required by</dt><dd>Production</dd>"),
        "{body}"
    );
    assert!(body.contains("DBA or Workspace Owner") || body.contains("Workspace Owner or DBA"));
    // Nothing runs any more: the script and its marker are gone.
    assert!(!body.contains("data-live"));
    assert!(!page.body.contains("<script>"));

    // Selecting the prod task by its id.
    let caller = ui.owner_caller(&e.owner).await;
    let view = ui.app.issue_view(&caller, "shop", 1).await.unwrap();
    let prod_task = view.pipeline.stages[1].tasks[0].id;
    let page = ui
        .get_as(&format!("{location}?task={prod_task}"), &e.developer)
        .await;
    assert!(
        page.body
            .contains("<h2 id=\"task-h\">Task <code>lite-prod/shop</code>")
    );

    // The live fragment is the pipeline alone.
    let live = ui
        .get_as(&format!("{location}/live?task={prod_task}"), &e.developer)
        .await;
    assert_eq!(live.status, StatusCode::OK);
    assert!(!live.body.contains("<html"));
    assert!(live.body.contains("class=\"pipeline\""));
    assert!(live.body.contains("lite-prod/shop"));

    // The lists show it, filtered.
    let tab = ui.get_as("/projects/shop/issues", &e.developer).await;
    assert!(tab.body.contains("href=\"/projects/shop/issues/1\""));
    let done = ui
        .get_as("/projects/shop/issues?status=DONE", &e.developer)
        .await;
    assert!(done.body.contains("No issue matches these filters."));
    let all = ui.get_as("/issues", &e.developer).await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("href=\"/projects/shop/issues/1\""));
    assert!(all.body.contains("aria-current=\"page\">Issues"));

    // Home: the DBA is asked to approve it.
    let home = ui.get_as("/", &e.dba).await;
    assert!(home.body.contains("Waiting for you"), "{}", home.body);
    assert!(home.body.contains("to approve"));
}

#[tokio::test]
async fn bad_input_shows_the_error_next_to_the_field_and_keeps_the_sql() {
    let e = estate().await;
    let ui = &e.ui;
    // DDL in a data change: the error is on the SQL, everything kept.
    let sql = "ALTER TABLE orders ADD COLUMN note TEXT; -- <keep me>";
    let r = ui
        .submit(
            "/projects/shop/issues",
            &e.developer,
            &[
                ("type", "DATA_CHANGE"),
                ("title", "Fix totals"),
                ("description", "why & how"),
                ("target", "lite-test/shop"),
                ("statement", sql),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("id=\"f-statement-error\""), "{}", r.body);
    assert!(
        r.body
            .contains("ALTER TABLE orders ADD COLUMN note TEXT; -- &#60;keep me&#62;")
    );
    assert!(r.body.contains("value=\"Fix totals\""));
    assert!(r.body.contains("why &#38; how"), "{}", r.body);
    assert!(r.body.contains("value=\"lite-test/shop\" checked"));
    assert!(r.body.contains("<option value=\"DATA_CHANGE\" selected>"));

    // No database ticked: the error names the targets.
    let r = ui
        .submit(
            "/projects/shop/issues",
            &e.developer,
            &[
                ("type", "SCHEMA_CHANGE"),
                ("title", "Nothing"),
                ("statement", "CREATE TABLE x (id INTEGER);"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("id=\"f-targets-error\""), "{}", r.body);
    assert!(r.body.contains("CREATE TABLE x (id INTEGER);"));

    // An empty title, and a bad version.
    let r = ui
        .submit(
            "/projects/shop/issues",
            &e.developer,
            &[
                ("type", "SCHEMA_CHANGE"),
                ("title", ""),
                ("target", "lite-test/shop"),
                ("statement", "CREATE TABLE x (id INTEGER);"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("id=\"f-title-error\""), "{}", r.body);
    let r = ui
        .submit(
            "/projects/shop/issues",
            &e.developer,
            &[
                ("type", "SCHEMA_CHANGE"),
                ("title", "x"),
                ("target", "lite-test/shop"),
                ("statement", "CREATE TABLE x (id INTEGER);"),
                ("version", "not a version!"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("id=\"f-version-error\""), "{}", r.body);
    assert!(r.body.contains("value=\"not a version!\""));

    // Create database: the name is the field at fault.
    let r = ui
        .submit(
            "/projects/shop/issues",
            &e.owner,
            &[
                ("type", "CREATE_DATABASE"),
                ("title", "New db"),
                ("instance", "lite-test"),
                ("database_name", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("id=\"f-database_name-error\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"lite-test\" checked"));

    // Nothing was filed.
    let tab = ui.get_as("/projects/shop/issues", &e.developer).await;
    assert!(tab.body.contains("No issues yet"));
}

#[tokio::test]
async fn only_permitted_buttons_show_and_approval_works_through_the_ui() {
    let e = estate().await;
    let ui = &e.ui;
    let location = file_by_form(ui, &e.developer).await;
    checks_done(ui, &e.owner, 1).await;

    // The developer who filed it may edit and cancel it, not approve it,
    // and may not start the protected stage.
    let page = ui.get_as(&location, &e.developer).await;
    assert!(!page.body.contains("/issues/1/approve"), "{}", page.body);
    assert!(page.body.contains("/issues/1/edit"));
    assert!(page.body.contains("/issues/1/cancel"));
    assert!(!page.body.contains("/stages/prod/run"));
    // A direct POST is refused with the reason.
    let r = ui
        .submit(&format!("{location}/approve"), &e.developer, &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("Not allowed"), "{}", r.body);

    // The DBA sees the Approve button and approves.
    let page = ui.get_as(&location, &e.dba).await;
    assert!(
        page.body
            .contains("action=\"/projects/shop/issues/1/approve\"")
    );
    let r = ui.submit(&format!("{location}/approve"), &e.dba, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), location);
    assert_eq!(r.notice(), "Issue #1 approved.");
    let page = ui.get_as(&location, &e.developer).await;
    let body = main_of(&page.body);
    assert!(
        body.contains("<span class=\"badge done\">APPROVED</span>"),
        "{body}"
    );
    assert!(body.contains("Approved by</dt><dd>Dee Dba"));
    assert!(body.contains("<strong>Dee Dba</strong> approved the issue"));
    // Approved, the DBA sees no Approve button any more; prod waits for
    // its earlier stage.
    let page = ui.get_as(&location, &e.dba).await;
    assert!(!page.body.contains("/issues/1/approve\""));

    // Editing the SQL withdraws the approval, and says so.
    assert!(page.body.contains("withdraws the approval"));
    let r = ui
        .submit(
            &format!("{location}/edit"),
            &e.developer,
            &[
                ("title", "Add items"),
                ("description", "A table of items."),
                ("statement", "CREATE TABLE items (id INTEGER PRIMARY KEY);"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        r.notice().contains("approval is withdrawn"),
        "{}",
        r.notice()
    );
    let page = ui.get_as(&location, &e.developer).await;
    let body = main_of(&page.body);
    assert!(
        body.contains("<span class=\"badge warn\">PENDING</span>"),
        "{body}"
    );
    assert!(body.contains("approval withdrawn: the SQL changed"));
    assert!(body.contains("changed the SQL"));
    checks_done(ui, &e.owner, 1).await;
    let page = ui.get_as(&location, &e.dba).await;
    assert!(page.body.contains("/issues/1/approve\""));

    // Bad SQL in the edit form: the error next to it, the text kept.
    let r = ui
        .submit(
            &format!("{location}/edit"),
            &e.developer,
            &[
                ("title", "Add items"),
                ("description", "A table of items."),
                ("statement", "DELETE FROM orders;"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("id=\"f-statement-error\""), "{}", r.body);
    assert!(r.body.contains(">DELETE FROM orders;</textarea>"));

    // A task action the viewer may not take is refused, not crashed.
    let caller = ui.owner_caller(&e.owner).await;
    let view = ui.app.issue_view(&caller, "shop", 1).await.unwrap();
    let prod_task = view.pipeline.stages[1].tasks[0].id;
    let r = ui
        .submit(
            &format!("{location}/tasks/{prod_task}/run"),
            &e.developer,
            &[],
        )
        .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);

    // Skipping asks for a reason, and the timeline keeps it.
    let test_task = view.pipeline.stages[0].tasks[0].id;
    let page = ui.get_as(&location, &e.owner).await;
    assert!(page.body.contains(&format!("/tasks/{test_task}/skip")));
    assert!(page.body.contains(&format!("id=\"skip-{test_task}\"")));
    let r = ui
        .submit(
            &format!("{location}/tasks/{test_task}/skip"),
            &e.owner,
            &[("reason", "applied by hand")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = ui.get_as(&location, &e.developer).await;
    assert!(
        page.body
            .contains("<span class=\"badge skipped\">SKIPPED</span>")
    );
    assert!(
        page.body
            .contains("skipped lite-test/shop: applied by hand")
    );

    // Cancel sits behind a confirmation; the Owner cancels the issue.
    assert!(page.body.contains("<summary>Cancel this issue…</summary>"));
    let r = ui
        .submit(&format!("{location}/cancel"), &e.owner, &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = ui.get_as(&location, &e.developer).await;
    assert!(
        page.body
            .contains("<span class=\"badge canceled\">CANCELED</span>")
    );
    assert!(!page.body.contains("/issues/1/edit"));
}

#[tokio::test]
async fn comments_appear_in_the_timeline() {
    let e = estate().await;
    let ui = &e.ui;
    let location = file_by_form(ui, &e.developer).await;
    let r = ui
        .submit(
            &format!("{location}/comments"),
            &e.dba,
            &[("body", "Looks fine <b>to me</b>.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("{location}#timeline"));
    let page = ui.get_as(&location, &e.developer).await;
    let body = main_of(&page.body);
    let filed = body.find("filed the issue").expect("created entry");
    let commented = body
        .find("<strong>Dee Dba</strong> commented")
        .expect("comment");
    assert!(filed < commented);
    assert!(body.contains("Looks fine &#60;b&#62;to me&#60;/b&#62;."));
    // An empty comment is refused next to the box.
    let r = ui
        .submit(&format!("{location}/comments"), &e.dba, &[("body", "  ")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("id=\"f-body-error\""), "{}", r.body);
}

#[tokio::test]
async fn the_environment_policy_form_round_trips() {
    let e = estate().await;
    let ui = &e.ui;
    let page = ui.get_as("/environments/prod", &e.owner).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("action=\"/environments/prod/policy\""));
    assert!(
        page.body
            .contains("(the default for a protected environment)")
    );
    assert!(page.body.contains("value=\"MANUAL\" checked"));
    let list = ui.get_as("/environments", &e.owner).await;
    assert!(
        list.body.contains("No approval · automatic rollout"),
        "{}",
        list.body
    );
    assert!(list.body.contains("manual rollout by"));

    let r = ui
        .submit(
            "/environments/prod/policy",
            &e.owner,
            &[
                ("approval_required", "on"),
                ("approver", "WORKSPACE_DBA"),
                ("rollout", "MANUAL"),
                ("rollout_role", "WORKSPACE_OWNER"),
                ("rollout_role", "PROJECT_OWNER"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.notice().starts_with("Policy saved"), "{}", r.notice());
    let env = ui.app.store.environment("prod").await.unwrap();
    assert!(env.has_custom_policy());
    let p = env.policy();
    assert!(p.approval_required);
    assert_eq!(
        p.approver_roles,
        vec![sluice_store::PolicyRole::WorkspaceDba]
    );
    assert_eq!(p.rollout, sluice_store::Rollout::Manual);
    assert_eq!(p.rollout_roles.len(), 2);
    let page = ui.get_as("/environments/prod", &e.owner).await;
    assert!(page.body.contains("Approval by DBA · manual rollout by"));
    assert!(page.body.contains("id=\"f-approver-WORKSPACE_DBA\" name=\"approver\" type=\"checkbox\" value=\"WORKSPACE_DBA\" checked"));
    assert!(
        !page
            .body
            .contains("value=\"WORKSPACE_OWNER\" checked><label for=\"f-approver-")
    );

    // Automatic rollout on test, no approval.
    let r = ui
        .submit(
            "/environments/test/policy",
            &e.owner,
            &[
                ("approver", "WORKSPACE_OWNER"),
                ("rollout", "AUTOMATIC"),
                ("rollout_role", "PROJECT_DEVELOPER"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = ui.app.store.environment("test").await.unwrap().policy();
    assert!(!p.approval_required);
    assert_eq!(p.rollout, sluice_store::Rollout::Automatic);

    // No approver: the error is next to the roles, the choices kept.
    let r = ui
        .submit(
            "/environments/prod/policy",
            &e.owner,
            &[
                ("approval_required", "on"),
                ("rollout", "AUTOMATIC"),
                ("rollout_role", "PROJECT_OWNER"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("id=\"f-approver_roles-error\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"AUTOMATIC\" checked"));
    assert!(
        ui.app
            .store
            .environment("prod")
            .await
            .unwrap()
            .policy()
            .rollout
            == sluice_store::Rollout::Manual
    );

    // A Developer sees the policy, not the form.
    let page = ui.get_as("/environments/prod", &e.developer).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Approval by DBA"));
    assert!(!page.body.contains("/environments/prod/policy"));
}

#[tokio::test]
async fn creators_approve_their_own_issues_only_when_the_project_allows() {
    let e = estate().await;
    let ui = &e.ui;
    let location = file_by_form(ui, &e.owner).await;
    checks_done(ui, &e.owner, 1).await;
    let page = ui.get_as(&location, &e.owner).await;
    assert!(!page.body.contains("/issues/1/approve\""));

    let settings = ui.get_as("/projects/shop/settings", &e.owner).await;
    assert!(
        settings
            .body
            .contains("Creators may approve their own issues")
    );
    assert!(
        !settings
            .body
            .contains("name=\"allow_self_approval\" type=\"checkbox\" checked")
    );
    let r = ui
        .submit(
            "/projects/shop/settings",
            &e.owner,
            &[
                ("title", "Shop"),
                ("key", "SHOP"),
                ("allow_self_approval", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        ui.app
            .store
            .project("shop")
            .await
            .unwrap()
            .allow_self_approval
    );
    let settings = ui.get_as("/projects/shop/settings", &e.owner).await;
    assert!(
        settings
            .body
            .contains("name=\"allow_self_approval\" type=\"checkbox\" checked")
    );
    let page = ui.get_as(&location, &e.owner).await;
    assert!(page.body.contains("/issues/1/approve\""), "{}", page.body);

    // Saving without the box turns it off again.
    let r = ui
        .submit(
            "/projects/shop/settings",
            &e.owner,
            &[("title", "Shop"), ("key", "SHOP")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(
        !ui.app
            .store
            .project("shop")
            .await
            .unwrap()
            .allow_self_approval
    );
}

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

#[tokio::test]
async fn the_changelog_tab_lists_entries_and_shows_the_schema_diff() {
    let e = estate().await;
    let ui = &e.ui;
    let base = "/instances/lite-test/databases/shop";
    let page = ui.get_as(&format!("{base}/changelog"), &e.developer).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Nothing recorded yet"));
    assert!(page.body.contains("aria-current=\"page\">Changelog"));

    let location = file_by_form(ui, &e.developer).await;
    let caller = ui.owner_caller(&e.owner).await;
    let issue = ui.app.store.issue_by_number("shop", 1).await.unwrap();
    let db = ui.app.store.database("lite-test", "shop").await.unwrap();
    let before = serde_json::to_string(&catalog(&["orders"])).unwrap();
    let after = serde_json::to_string(&catalog(&["items", "orders"])).unwrap();
    let entry = ui
        .app
        .store
        .append_changelog(&sluice_store::NewChangelog {
            db_id: db.id,
            version: "20250101-items".into(),
            changelog_type: sluice_store::ChangelogType::Migrate,
            statement: SQL.into(),
            checksum: "abc123".into(),
            schema_before: before,
            schema_after: after,
            issue_id: Some(issue.id),
            task_run_id: None,
            creator_id: caller.id(),
            status: sluice_store::ChangelogStatus::Done,
            duration_ms: 42,
        })
        .await
        .unwrap();

    let page = ui.get_as(&format!("{base}/changelog"), &e.developer).await;
    let body = main_of(&page.body);
    assert!(body.contains("<code>20250101-items</code>"), "{body}");
    assert!(body.contains("Migrate"));
    assert!(body.contains("<span class=\"badge done\">DONE</span>"));
    assert!(body.contains(&format!("href=\"{location}\">#1 Add items</a>")));
    assert!(body.contains("42 ms"));
    let href = format!("{base}/changelog/{}", entry.id);
    assert!(body.contains(&href));

    let page = ui.get_as(&href, &e.developer).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = main_of(&page.body);
    assert!(body.contains(
        "<span class=\"ln\">CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);</span>"
    ));
    assert!(body.contains("abc123"));
    // The new table shows as added lines; the old one is unchanged.
    let added: Vec<&str> = body
        .split("<tr class=\"d-add\">")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap())
        .collect();
    assert!(!added.is_empty(), "{body}");
    assert!(added.iter().any(|r| r.contains("items")), "{added:?}");
    assert!(!body.contains("<tr class=\"d-del\">"), "{body}");

    // Another database's entry is not found here; an outsider sees none.
    let other = ui
        .get_as(
            &format!("/instances/lite-prod/databases/shop/changelog/{}", entry.id),
            &e.developer,
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let r = ui.get_as(&format!("{base}/changelog"), &e.outsider).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn a_non_member_gets_403() {
    let e = estate().await;
    let ui = &e.ui;
    let location = file_by_form(ui, &e.developer).await;
    for path in [
        location.clone(),
        format!("{location}/live"),
        "/projects/shop/issues".to_string(),
        "/projects/shop/issues/new".to_string(),
    ] {
        let r = ui.get_as(&path, &e.outsider).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.body);
    }
    let r = ui
        .submit(
            &format!("{location}/comments"),
            &e.outsider,
            &[("body", "hi")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = ui
        .submit(
            "/projects/shop/issues",
            &e.outsider,
            &[
                ("type", "SCHEMA_CHANGE"),
                ("title", "x"),
                ("target", "lite-test/shop"),
                ("statement", "CREATE TABLE x (id INTEGER);"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // The outsider's issue list across projects does not show it.
    let all = ui.get_as("/issues", &e.outsider).await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(!all.body.contains("/projects/shop/issues/1"));
    // A page that is not an issue number is a 404, not a crash.
    let r = ui.get_as("/projects/shop/issues/abc", &e.developer).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = ui.get_as("/projects/shop/issues/99", &e.developer).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A task moved as the runner would move it (through the store): while it
/// is queued or running the page carries its refresh script, the log shows
/// statement by statement, and a failure offers Retry.
#[tokio::test]
async fn a_running_task_shows_its_log_and_the_page_follows_it() {
    let e = estate().await;
    let ui = &e.ui;
    let location = file_by_form(ui, &e.developer).await;
    checks_done(ui, &e.owner, 1).await;
    let caller = ui.owner_caller(&e.owner).await;
    let view = ui.app.issue_view(&caller, "shop", 1).await.unwrap();
    let task = view.pipeline.stages[0].tasks[0].id;

    let r = ui
        .submit(&format!("{location}/tasks/{task}/run"), &e.developer, &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("{location}?task={task}"));
    let page = ui.get_as(&location, &e.developer).await;
    assert!(
        page.body
            .contains("<span class=\"badge pending\">PENDING</span>")
    );
    assert!(page.body.contains("data-live=\"1\""));
    assert!(page.body.contains("<script>"));
    // A queued task may be cancelled, behind a confirmation.
    assert!(page.body.contains(&format!("/tasks/{task}/cancel")));

    let store = &ui.app.store;
    let claim = store
        .claim_task(task, "w1", Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(claim, sluice_store::Claim::Started);
    let run = store.start_task_run(task, 1).await.unwrap();
    let first = serde_json::json!({
        "number": 1, "line": 1, "column": 1, "duration_ms": 12, "rows_affected": 0, "applied": false,
        "text": "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);",
    });
    store
        .set_task_run_log(run.id, &serde_json::json!([first]))
        .await
        .unwrap();
    let live = ui
        .get_as(&format!("{location}/live?task={task}"), &e.developer)
        .await;
    assert!(live.body.contains("data-live=\"1\""));
    assert!(
        live.body
            .contains("<span class=\"badge running\">RUNNING</span>")
    );
    assert!(
        live.body
            .contains("<code class=\"stmt\">CREATE TABLE items")
    );
    assert!(live.body.contains("12 ms"));

    let failed = serde_json::json!({
        "number": 2, "line": 2, "text": "CREATE INDEX items_name ON items (name);",
        "error": "index items_name already exists",
    });
    let done = store
        .finish_task(&sluice_store::TaskOutcome {
            task_id: task,
            worker: "w1".into(),
            run_id: run.id,
            status: sluice_store::TaskStatus::Failed,
            result: "statement 2 failed: index items_name already exists".into(),
            log: serde_json::json!([first, failed]),
            changelog: None,
        })
        .await
        .unwrap();
    assert!(done);
    let page = ui.get_as(&location, &e.developer).await;
    let body = main_of(&page.body);
    dump("issue_failed.html", &page.body);
    assert!(!body.contains("data-live"));
    assert!(!page.body.contains("<script>"));
    assert!(body.contains("<span class=\"badge failed\">FAILED</span>"));
    assert!(body.contains("Attempt 1"));
    assert!(body.contains("<tr class=\"log-error\">"));
    assert!(body.contains("index items_name already exists"));
    assert!(body.contains(&format!("/tasks/{task}/retry")));
    // Home lists the failed task.
    let home = ui.get_as("/", &e.developer).await;
    assert!(home.body.contains("Failed tasks"));
    assert!(home.body.contains("lite-test/shop failed"), "{}", home.body);
}
