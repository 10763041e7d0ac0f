//! The web UI driven in-process through the router: sessions and CSRF,
//! every page for an Owner, what a Developer may not see, inline form
//! errors, escaping.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sluice_store::WorkspaceRole;

mod ui_common;

use ui_common::*;

/// An Owner, a Developer, and an estate: environments test and prod, a
/// PostgreSQL instance in test with one database, a project.
async fn estate(ui: &Ui) -> (String, String) {
    let owner = ui.sign_up("owner@example.com", "Olive Owner").await;
    let caller = ui.owner_caller(&owner).await;
    let app = &ui.app;
    app.create_environment(&caller, "test", "Test", false)
        .await
        .unwrap();
    app.create_environment(&caller, "prod", "Production", true)
        .await
        .unwrap();
    let input = sluice_app::InstanceInput {
        id: "pg-test".into(),
        title: "Orders PG".into(),
        engine: sluice_store::Engine::Postgres,
        environment: "test".into(),
        admin: sluice_app::DataSourceInput {
            host: Some("127.0.0.1".into()),
            port: Some(5432),
            username: Some("postgres".into()),
            password: Some("instance-secret-pw".into()),
            ..Default::default()
        },
        read_only: None,
    };
    app.create_instance(&caller, input).await.unwrap();
    app.create_project(&caller, "shop", "Shop", "SHOP")
        .await
        .unwrap();
    app.store
        .upsert_database("pg-test", "orders")
        .await
        .unwrap();
    app.update_database(&caller, "pg-test", "orders", Some("shop"), None)
        .await
        .unwrap();
    app.create_user(
        &caller,
        "dev@example.com",
        "Dana Dev",
        "dev-password",
        WorkspaceRole::Developer,
    )
    .await
    .unwrap();
    app.set_project_member(
        &caller,
        "shop",
        "dev@example.com",
        sluice_store::ProjectRole::Developer,
    )
    .await
    .unwrap();
    let developer = ui.log_in("dev@example.com", "dev-password").await;
    (owner, developer)
}

#[tokio::test]
async fn sign_up_by_form_sets_the_session_cookie() {
    let ui = ui().await;
    // Signed out: pages lead to login, and with nobody here yet, on to sign-up.
    let home = ui.get("/", None).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location(), "/login");
    let login = ui.get("/login", None).await;
    assert_eq!(login.location(), "/signup");
    let page = ui.get("/signup", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("workspace Owner"), "{}", page.body);

    let answer = ui
        .post(
            "/signup",
            None,
            &[
                ("name", "Olive"),
                ("email", "olive@example.com"),
                ("password", "correct-horse"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location(), "/");
    let set_cookie = answer
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sluice_session="))
        .expect("session cookie")
        .to_string();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    assert!(
        !set_cookie.contains("Secure"),
        "not over plain HTTP: {set_cookie}"
    );
    let cookie = answer.session_cookie().unwrap();

    let home = ui.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Olive"));
    assert!(home.body.contains("Sign out"));
    assert!(
        home.body.contains("No environments yet"),
        "empty state: {}",
        home.body
    );

    // Sign-up is now closed, and the page says so.
    let closed = ui.get("/signup", None).await;
    assert!(closed.body.contains("Sign-up is closed"), "{}", closed.body);
    let refused = ui
        .post(
            "/signup",
            None,
            &[
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("password", "correct-horse"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.session_cookie().is_none());

    // A wrong password keeps the email, not the password.
    let wrong = ui
        .post(
            "/login",
            None,
            &[
                ("email", "olive@example.com"),
                ("password", "not-the-password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Wrong email or password"));
    assert!(wrong.body.contains("value=\"olive@example.com\""));
    assert!(!wrong.body.contains("not-the-password"));

    // Signing out ends the session.
    let out = ui.submit("/logout", &cookie, &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let cleared = out
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("Max-Age=0"));
    assert!(cleared);
    assert_eq!(
        ui.get("/", Some(&cookie)).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn every_page_renders_for_an_owner() {
    let ui = ui().await;
    let (owner, _) = estate(&ui).await;
    let pages = [
        "/",
        "/environments",
        "/environments?show_archived=true",
        "/environments/new",
        "/environments/test",
        "/instances",
        "/instances?show_archived=true",
        "/instances/new",
        "/instances/pg-test",
        "/instances/pg-test/edit",
        "/instances/pg-test/databases/orders",
        "/databases",
        "/databases?environment=test&project=shop&instance=pg-test",
        "/projects",
        "/projects/new",
        "/projects/shop",
        "/projects/shop/members",
        "/projects/shop/settings",
        "/settings/users",
        "/settings/service-accounts",
        "/settings/workspace",
        "/audit-logs",
        "/audit-logs?actor=owner%40example.com&action=instances.create&resource=instances",
    ];
    for path in pages {
        let started = std::time::Instant::now();
        let page = ui.get(path, Some(&owner)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.body.contains("<main id=\"main\">"), "{path}");
        assert!(
            page.body.contains("Settings"),
            "{path}: an Owner sees Settings"
        );
        assert!(
            !page.body.contains("instance-secret-pw"),
            "{path} leaks the instance password"
        );
        // Generous for a debug build on a busy machine; release is far below.
        assert!(
            started.elapsed().as_millis() < 500,
            "{path} took {:?}",
            started.elapsed()
        );
    }
    let home = ui.get("/", Some(&owner)).await;
    for text in [
        "Test",
        "Production",
        "Orders PG",
        "127.0.0.1:5432",
        "Shop",
        "Add instance",
    ] {
        assert!(home.body.contains(text), "home shows {text}");
    }
    assert!(
        home.body.find("Test").unwrap() < home.body.find("Production").unwrap(),
        "environments in order"
    );
    let db = ui
        .get("/instances/pg-test/databases/orders", Some(&owner))
        .await;
    assert!(
        db.body.contains("Shop") && db.body.contains("Orders PG") || db.body.contains("pg-test")
    );
    let instance = ui.get("/instances/pg-test", Some(&owner)).await;
    assert!(instance.body.contains("Stored (hidden)"));
    assert!(instance.body.contains("orders"));
    // Unknown things answer 404 in the frame.
    let missing = ui.get("/environments/nope", Some(&owner)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let nowhere = ui.get("/no/such/page", Some(&owner)).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    let css = ui.get("/static/sluice.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers
            .get(header::CONTENT_TYPE)
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

#[tokio::test]
async fn a_developer_sees_only_what_they_may_do() {
    let ui = ui().await;
    let (_, developer) = estate(&ui).await;
    for path in [
        "/settings/users",
        "/settings/service-accounts",
        "/settings/workspace",
        "/audit-logs",
        "/instances/new",
        "/environments/new",
    ] {
        let page = ui.get(path, Some(&developer)).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.body.contains("Not allowed"), "{path}: {}", page.body);
        assert!(page.body.contains("Owner"), "{path} explains whom to ask");
    }
    let instances = ui.get("/instances", Some(&developer)).await;
    assert_eq!(instances.status, StatusCode::OK);
    assert!(instances.body.contains("Orders PG"));
    assert!(
        !instances.body.contains("Add instance"),
        "{}",
        instances.body
    );
    let home = ui.get("/", Some(&developer)).await;
    assert!(!home.body.contains("Add instance"));
    assert!(
        !home.body.contains("/settings/users"),
        "no Settings in the navigation"
    );
    assert!(
        !home.body.contains("/audit-logs"),
        "no Audit log in the navigation"
    );
    assert!(home.body.contains("Shop"), "their project");
    let envs = ui.get("/environments", Some(&developer)).await;
    assert!(!envs.body.contains("New environment") && !envs.body.contains("Up</button>"));
    let instance = ui.get("/instances/pg-test", Some(&developer)).await;
    assert!(
        !instance.body.contains("Archive this instance")
            && !instance.body.contains("/instances/pg-test/edit")
    );
    // A Developer member sees the project but not its settings.
    let project = ui.get("/projects/shop/members", Some(&developer)).await;
    assert_eq!(project.status, StatusCode::OK);
    assert!(!project.body.contains("Add a member"));
    assert_eq!(
        ui.get("/projects/shop/settings", Some(&developer))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // And the app refuses anyway when a form is forged.
    let forged = ui
        .submit(
            "/environments",
            &developer,
            &[("id", "staging"), ("title", "Staging")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let forged = ui
        .submit("/settings/users/2/role", &developer, &[("role", "OWNER")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn form_errors_show_next_to_the_field_and_keep_what_was_typed() {
    let ui = ui().await;
    let (owner, _) = estate(&ui).await;
    let answer = ui
        .submit(
            "/instances",
            &owner,
            &[
                ("title", "Billing <db>"),
                ("id", "billing"),
                ("engine", "POSTGRES"),
                ("environment", "prod"),
                ("host", "db.internal"),
                ("port", "not-a-port"),
                ("username", "admin"),
                ("password", "typed-secret-123"),
                ("tls_mode", "REQUIRE"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    let error_at = answer
        .body
        .find("id=\"f-port-error\"")
        .expect("an error for the port field");
    let field_at = answer.body.find("id=\"f-port\"").unwrap();
    assert!(
        error_at > field_at && error_at - field_at < 600,
        "the error sits next to its field"
    );
    assert!(answer.body.contains("value=\"not-a-port\""));
    assert!(
        answer.body.contains("value=\"Billing &#60;db&#62;\""),
        "typed title kept, escaped"
    );
    assert!(answer.body.contains("value=\"db.internal\""));
    assert!(answer.body.contains("<option value=\"REQUIRE\" selected>"));
    assert!(answer.body.contains("<option value=\"prod\" selected>"));
    assert!(
        !answer.body.contains("typed-secret-123"),
        "a password is never echoed"
    );

    // An error found by the app lands on its field too.
    let answer = ui
        .submit(
            "/instances",
            &owner,
            &[
                ("title", "Billing"),
                ("id", "Bad Id"),
                ("engine", "POSTGRES"),
                ("environment", "prod"),
                ("host", "db"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body.contains("id=\"f-id-error\""), "{}", answer.body);
    assert!(answer.body.contains("value=\"Bad Id\""));

    // A duplicate id is an error on the id.
    let answer = ui
        .submit(
            "/environments",
            &owner,
            &[("id", "test"), ("title", "Test again")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert!(answer.body.contains("id=\"f-id-error\""), "{}", answer.body);
    assert!(answer.body.contains("value=\"Test again\""));

    // Missing fields and odd values never make a 500.
    let answer = ui
        .submit(
            "/instances",
            &owner,
            &[("engine", "ORACLE"), ("read_only", "on"), ("ro_port", "x")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.body.contains("id=\"f-engine-error\"")
            && answer.body.contains("id=\"f-ro_port-error\"")
    );
    let answer = ui
        .submit(
            "/settings/users",
            &owner,
            &[
                ("email", "x"),
                ("name", ""),
                ("password", "short"),
                ("role", "KING"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(!answer.body.contains("value=\"short\""));
    let answer = ui
        .submit(
            "/settings/users",
            &owner,
            &[
                ("email", "new@example.com"),
                ("name", "New"),
                ("password", "short"),
                ("role", "DBA"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.body.contains("id=\"f-password-error\""));
    assert!(answer.body.contains("value=\"new@example.com\""));

    // A valid form redirects to the thing made, with a notice.
    let made = ui
        .submit(
            "/instances",
            &owner,
            &[
                ("title", "Billing"),
                ("id", "billing"),
                ("engine", "POSTGRES"),
                ("environment", "prod"),
                ("host", "db"),
                ("password", "pw"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.location(), "/instances/billing");
    let notice = made
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("sluice_notice="))
        .unwrap();
    let notice = notice.split(';').next().unwrap();
    let page = ui
        .get("/instances/billing", Some(&format!("{owner}; {notice}")))
        .await;
    assert!(
        page.body.contains("Instance Billing added."),
        "{}",
        page.body
    );
    // The edit form never carries the stored password.
    let edit = ui.get("/instances/billing/edit", Some(&owner)).await;
    assert!(edit.body.contains("A password is stored"));
    assert!(!edit.body.contains("value=\"pw\""));
    for input in edit
        .body
        .split("<input")
        .filter(|i| i.contains("type=\"password\""))
    {
        assert!(
            !input.contains("value="),
            "password input with a value: {input}"
        );
    }
}

#[tokio::test]
async fn posts_without_the_csrf_token_are_refused() {
    let ui = ui().await;
    let (owner, _) = estate(&ui).await;
    let missing = ui
        .post(
            "/environments",
            Some(&owner),
            &[("id", "staging"), ("title", "Staging")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let wrong = ui
        .post(
            "/environments",
            Some(&owner),
            &[("csrf", "forged"), ("id", "staging"), ("title", "Staging")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let out = ui.post("/logout", Some(&owner), &[]).await;
    assert_eq!(out.status, StatusCode::FORBIDDEN);
    let list = ui.get("/environments", Some(&owner)).await;
    assert!(!list.body.contains("Staging"), "nothing was made");
    // Sign-in forms from another origin are refused.
    let request = Request::post("/login")
        .header(header::HOST, "sluice.test")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_body(&[
            ("email", "owner@example.com"),
            ("password", "correct-horse"),
        ])))
        .unwrap();
    let answer = ui.send(request).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.session_cookie().is_none());
    let request = Request::post("/login")
        .header(header::HOST, "sluice.test")
        .header(header::ORIGIN, "http://sluice.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form_body(&[
            ("email", "owner@example.com"),
            ("password", "correct-horse"),
        ])))
        .unwrap();
    assert_eq!(ui.send(request).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn html_in_names_is_escaped() {
    let ui = ui().await;
    let (owner, _) = estate(&ui).await;
    let evil = "<script>alert(1)</script>";
    let made = ui
        .submit("/environments", &owner, &[("id", "evil"), ("title", evil)])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let made = ui
        .submit(
            "/projects",
            &owner,
            &[("id", "evil"), ("title", evil), ("key", "EVIL")],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    for path in [
        "/",
        "/environments",
        "/environments/evil",
        "/projects",
        "/projects/evil",
        "/audit-logs",
    ] {
        let page = ui.get(path, Some(&owner)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(!page.body.contains(evil), "{path} carries raw HTML");
        assert!(
            page.body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{path} shows it escaped"
        );
    }
}

#[tokio::test]
async fn environments_reorder_archive_and_restore() {
    let ui = ui().await;
    let (owner, _) = estate(&ui).await;
    let moved = ui
        .submit("/environments/prod/move", &owner, &[("direction", "up")])
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let list = ui.get("/environments", Some(&owner)).await;
    assert!(
        list.body.find("Production").unwrap() < list.body.find(">Test<").unwrap(),
        "prod now first"
    );
    // Archiving an environment that holds an instance is refused with the reason.
    let refused = ui.submit("/environments/test/archive", &owner, &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("instance"));
    let archived = ui.submit("/environments/prod/archive", &owner, &[]).await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    let list = ui.get("/environments", Some(&owner)).await;
    assert!(!list.body.contains("Production"));
    let all = ui
        .get("/environments?show_archived=true", Some(&owner))
        .await;
    assert!(
        all.body.contains("Production")
            && all.body.contains("Archived")
            && all.body.contains("Restore")
    );
    let restored = ui.submit("/environments/prod/restore", &owner, &[]).await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert!(
        ui.get("/environments", Some(&owner))
            .await
            .body
            .contains("Production")
    );
}

#[tokio::test]
async fn projects_members_databases_and_service_accounts() {
    let ui = ui().await;
    let (owner, developer) = estate(&ui).await;
    // Members: add, change role, remove.
    let added = ui
        .submit(
            "/projects/shop/members",
            &owner,
            &[("email", "nobody@example.com"), ("role", "DEVELOPER")],
        )
        .await;
    assert_eq!(added.status, StatusCode::BAD_REQUEST);
    assert!(added.body.contains("id=\"f-email-error\""));
    let changed = ui
        .submit(
            "/projects/shop/members",
            &owner,
            &[("email", "dev@example.com"), ("role", "OWNER")],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let members = ui.get("/projects/shop/members", Some(&developer)).await;
    assert!(
        members.body.contains("Add a member"),
        "a project Owner manages members"
    );
    let removed = ui
        .submit(
            "/projects/shop/members/remove",
            &owner,
            &[("email", "owner@example.com")],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    // Database labels as key=value lines.
    let bad = ui
        .submit(
            "/instances/pg-test/databases/orders",
            &owner,
            &[("project", "shop"), ("labels", "tier=gold\nno equals sign")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Line 2"));
    assert!(bad.body.contains("no equals sign"), "typed text kept");
    let good = ui
        .submit(
            "/instances/pg-test/databases/orders",
            &owner,
            &[
                ("project", "default"),
                ("labels", "tier=gold\nteam = payments"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.body);
    let db = ui
        .get("/instances/pg-test/databases/orders", Some(&owner))
        .await;
    assert!(db.body.contains("tier=gold") && db.body.contains("team=payments"));
    // A service account's token is shown once, on the result page.
    let made = ui
        .submit(
            "/settings/service-accounts",
            &owner,
            &[("email", "ci@example.com"), ("name", "CI"), ("role", "DBA")],
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert!(
        made.body.contains("value=\"slt_"),
        "the token is on the page"
    );
    let again = ui.get("/settings/service-accounts", Some(&owner)).await;
    assert!(again.body.contains("ci@example.com") && !again.body.contains("slt_"));
    // Workspace settings: open sign-up, and the sign-up page opens.
    let saved = ui
        .submit(
            "/settings/workspace",
            &owner,
            &[("name", "Acme"), ("signup_open", "on")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(ui.get("/", Some(&owner)).await.body.contains("Acme"));
    assert!(
        ui.get("/signup", None)
            .await
            .body
            .contains("Create account")
    );
    // Deactivating a user ends their session.
    let dev = ui
        .app
        .store
        .principal_by_email("dev@example.com")
        .await
        .unwrap()
        .unwrap();
    let off = ui
        .submit(
            &format!("/settings/users/{}/deactivate", dev.id),
            &owner,
            &[],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    assert_eq!(
        ui.get("/", Some(&developer)).await.status,
        StatusCode::SEE_OTHER
    );
}

/// "Test connection" before adding, then "Test connection" and "Sync now"
/// on the instance page, against the real PostgreSQL on this machine.
#[tokio::test]
async fn instance_test_connection_and_sync_now() {
    let ui = ui().await;
    let owner = ui.sign_up("owner@example.com", "Olive").await;
    let r = ui
        .submit(
            "/environments",
            &owner,
            &[("id", "test"), ("title", "Test")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let fields = [
        ("id", "pg"),
        ("title", "Local PG"),
        ("engine", "POSTGRES"),
        ("environment", "test"),
        ("host", "127.0.0.1"),
        ("port", "5432"),
        ("username", "postgres"),
        ("password", "pg-secret-typed"),
    ];
    let mut testing = fields.to_vec();
    testing.push(("intent", "test"));
    let r = ui.submit("/instances", &owner, &testing).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("connected: PostgreSQL"), "{}", r.body);
    assert!(r.body.contains("Local PG"), "typed values are kept");
    assert!(
        !r.body.contains("pg-secret-typed"),
        "the password is never echoed"
    );
    assert_eq!(
        ui.get("/instances/pg", Some(&owner)).await.status,
        StatusCode::NOT_FOUND
    );

    let mut wrong = testing.clone();
    wrong[6] = ("username", "no_such_role_ui");
    let r = ui.submit("/instances", &owner, &wrong).await;
    assert!(r.body.contains("Authentication failed"), "{}", r.body);

    let r = ui.submit("/instances", &owner, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = ui.get("/instances/pg", Some(&owner)).await;
    assert!(page.body.contains("Test connection") && page.body.contains("Sync now"));
    assert!(page.body.contains("Never"), "not synced yet");

    let r = ui.submit("/instances/pg/test", &owner, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("connected: PostgreSQL"), "{}", r.body);
    // A test is not a sync: the background sync must still come when due.
    assert!(
        r.body.contains("Never"),
        "a connection test counted as a sync"
    );

    let r = ui.submit("/instances/pg/sync", &owner, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/instances/pg");
    let page = ui.get(r.location(), Some(&owner)).await;
    assert!(
        page.body.contains("/instances/pg/databases/postgres"),
        "the databases are listed"
    );
    assert!(page.body.contains("badge done"), "last sync shown as OK");

    // A Developer sees neither button.
    let caller = ui.owner_caller(&owner).await;
    ui.app
        .create_user(
            &caller,
            "dev@example.com",
            "Dev",
            "correct-horse",
            WorkspaceRole::Developer,
        )
        .await
        .unwrap();
    let dev = ui.log_in("dev@example.com", "correct-horse").await;
    let page = ui.get("/instances/pg", Some(&dev)).await;
    assert!(!page.body.contains("Sync now"));
    let r = ui.submit("/instances/pg/sync", &dev, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
