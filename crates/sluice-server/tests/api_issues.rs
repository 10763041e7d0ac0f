//! Issues through the API: filing, the derived pipeline, plan checks,
//! approvals and task actions under environment policies, comments, the
//! timeline, changelogs, and bodies that must never give a 500. Targets are
//! SQLite files in temporary directories, so no database server is needed;
//! no runner runs here, so no task is ever executed.

mod common;

use common::{Harness, Reply};
use serde_json::{Value, json};
use sluice_store::{PrincipalKind, ProjectRole, WorkspaceRole};
use std::time::{Duration, Instant};

struct Estate {
    h: Harness,
    owner: String,
    owner_id: i64,
    dba: String,
    /// A workspace Developer who is a Developer in project `shop`.
    pdev: String,
    /// A workspace Developer who owns project `shop`.
    pown: String,
    /// A workspace Developer who owns only project `side`.
    other: String,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn sqlite_file(dir: &std::path::Path, name: &str, sql: &str) {
    use sqlx::Connection;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.join(format!("{name}.db")).display()
    );
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
}

/// Environments test and prod (prod protected), a SQLite instance in
/// each with a database `shop` moved into project `shop`; `lite-test/misc`
/// stays in the default project.
async fn estate() -> Estate {
    let h = Harness::new().await;
    let owner = h.owner().await;
    let owner_id = h
        .call("GET", "/v1/users/me", Some(&owner), None)
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let person = |email: &'static str, role| {
        let h = &h;
        async move { h.principal(PrincipalKind::EndUser, email, role, None).await }
    };
    let (_, dba) = person("dba@example.com", WorkspaceRole::Dba).await;
    let (pdev_id, pdev) = person("pdev@example.com", WorkspaceRole::Developer).await;
    let (pown_id, pown) = person("pown@example.com", WorkspaceRole::Developer).await;
    let (other_id, other) = person("other@example.com", WorkspaceRole::Developer).await;

    for (id, protected) in [("test", false), ("prod", true)] {
        let r = h
            .call(
                "POST",
                "/v1/environments",
                Some(&owner),
                Some(json!({"id": id, "title": id, "protected": protected})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let test_dir = tempfile::tempdir().unwrap();
    let prod_dir = tempfile::tempdir().unwrap();
    let schema = "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT)";
    sqlite_file(test_dir.path(), "shop", schema).await;
    sqlite_file(test_dir.path(), "misc", schema).await;
    sqlite_file(prod_dir.path(), "shop", schema).await;
    for (id, env, dir) in [
        ("lite-test", "test", test_dir.path()),
        ("lite-prod", "prod", prod_dir.path()),
    ] {
        let r = h.call("POST", "/v1/instances", Some(&owner), Some(json!({"id": id, "title": id, "engine": "SQLITE", "environment": env, "database": dir}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let r = h
            .call(
                "POST",
                &format!("/v1/instances/{id}/sync"),
                Some(&owner),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    for (id, key) in [("shop", "SHOP"), ("side", "SIDE")] {
        let r = h
            .call(
                "POST",
                "/v1/projects",
                Some(&owner),
                Some(json!({"id": id, "title": id, "key": key})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    for instance in ["lite-test", "lite-prod"] {
        let r = h
            .call(
                "PATCH",
                &format!("/v1/instances/{instance}/databases/shop"),
                Some(&owner),
                Some(json!({"project": "shop"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    h.member("shop", pdev_id, ProjectRole::Developer).await;
    h.member("shop", pown_id, ProjectRole::Owner).await;
    h.member("side", other_id, ProjectRole::Owner).await;
    Estate {
        h,
        owner,
        owner_id,
        dba,
        pdev,
        pown,
        other,
        _dirs: (test_dir, prod_dir),
    }
}

const ISSUES: &str = "/v1/projects/shop/issues";

fn schema_change(title: &str, sql: &str, targets: &[&str]) -> Value {
    json!({"title": title, "type": "SCHEMA_CHANGE", "statement": sql, "targets": targets})
}

impl Estate {
    async fn file(&self, token: &str, body: Value) -> Reply {
        self.h.call("POST", ISSUES, Some(token), Some(body)).await
    }

    /// File an issue that must be accepted; its number.
    async fn filed(&self, token: &str, body: Value) -> i64 {
        let r = self.file(token, body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()["number"].as_i64().unwrap()
    }

    async fn issue(&self, number: i64) -> Value {
        let r = self
            .h
            .call(
                "GET",
                &format!("{ISSUES}/{number}"),
                Some(&self.owner),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
    }

    async fn post(&self, token: &str, path: &str, body: Option<Value>) -> Reply {
        self.h
            .call("POST", &format!("{ISSUES}/{path}"), Some(token), body)
            .await
    }

    /// Poll the issue until none of its checks is RUNNING (at most 20 s).
    async fn settled(&self, number: i64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let issue = self.issue(number).await;
            let running = tasks(&issue).iter().any(|t| {
                let checks = t["checks"].as_array().unwrap();
                checks.is_empty() || checks.iter().any(|c| c["status"] == "RUNNING")
            });
            if !running {
                return issue;
            }
            assert!(
                Instant::now() < deadline,
                "checks still running after 20 s: {issue}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn activity_kinds(&self, number: i64) -> Vec<String> {
        let r = self
            .h
            .call(
                "GET",
                &format!("{ISSUES}/{number}/activity"),
                Some(&self.owner),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["activity"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["kind"].as_str().unwrap().to_string())
            .collect()
    }
}

fn tasks(issue: &Value) -> Vec<Value> {
    issue["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["tasks"].as_array().unwrap().clone())
        .collect()
}

fn task_of(issue: &Value, environment: &str) -> i64 {
    issue["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["environment"] == environment)
        .unwrap_or_else(|| panic!("no stage {environment}: {issue}"))["tasks"][0]["id"]
        .as_i64()
        .unwrap()
}

fn message(r: &Reply) -> String {
    r.json()["message"].as_str().unwrap_or_default().to_string()
}

fn numbers(list: &Reply) -> Vec<i64> {
    assert_eq!(list.status, 200, "{}", list.text);
    list.json()["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn filing_derives_the_pipeline_and_runs_the_checks() {
    let e = estate().await;
    // Targets named prod first still roll out test first.
    let r = e
        .file(
            &e.owner,
            schema_change(
                "Add audit",
                "CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT)",
                &["lite-prod/shop", "lite-test/shop"],
            ),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.text.matches("\"approval\":").count(),
        1,
        "one approval key: {}",
        r.text
    );
    let issue = r.json();
    assert_eq!(issue["number"], 1);
    assert_eq!(issue["project"], "shop");
    assert_eq!(issue["type"], "SCHEMA_CHANGE");
    assert_eq!(issue["status"], "OPEN");
    assert_eq!(issue["risk"], "LOW");
    assert_eq!(issue["creator"]["email"], "owner@example.com");
    let envs: Vec<&str> = issue["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["environment"].as_str().unwrap())
        .collect();
    assert_eq!(envs, ["test", "prod"]);
    let test_task = &issue["pipeline"]["stages"][0]["tasks"][0];
    assert_eq!(test_task["target"], "lite-test/shop");
    assert_eq!(test_task["status"], "NOT_STARTED");
    assert_eq!(issue["pipeline"]["stages"][1]["rollout"], "MANUAL");
    assert_eq!(issue["approval"]["status"], "PENDING");
    assert_eq!(issue["approval"]["required_by"], json!(["prod"]));

    let second = json!({"title": "Seed", "type": "DATA_CHANGE", "statement": "UPDATE item SET name = 'x' WHERE id = 1", "targets": ["lite-test/shop"]});
    let r = e.file(&e.pdev, second).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["number"], 2);
    assert_eq!(r.json()["risk"], "MODERATE");
    assert_eq!(
        r.json()["approval"]["status"],
        "NOT_REQUIRED",
        "test asks for no approval"
    );

    // The plan checks finish in the background.
    let issue = e.settled(1).await;
    for task in tasks(&issue) {
        let kinds: Vec<&str> = task["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                assert_eq!(c["status"], "DONE", "{c}");
                c["kind"].as_str().unwrap()
            })
            .collect();
        for kind in ["SYNTAX", "STATEMENT_TYPE", "RISK", "DRY_RUN", "SQL_REVIEW"] {
            assert!(kinds.contains(&kind), "{kind} missing: {task}");
        }
        assert_ne!(task["checks_level"], "ERROR", "{task}");
    }
    let activity =
        e.h.call("GET", &format!("{ISSUES}/1/activity"), Some(&e.owner), None)
            .await
            .json();
    let checks_done = activity["activity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "CHECKS_DONE")
        .unwrap_or_else(|| panic!("{activity}"));
    assert_eq!(checks_done["actor"]["id"], 1, "the system bot");
    assert!(checks_done["payload"].is_object());
    assert!(checks_done["created_at"].as_str().unwrap().ends_with('Z'));

    // No runner here: no task has run.
    let task = task_of(&issue, "test");
    let r =
        e.h.call(
            "GET",
            &format!("{ISSUES}/1/tasks/{task}/runs"),
            Some(&e.pdev),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["runs"], json!([]));
    let r =
        e.h.call(
            "GET",
            &format!("{ISSUES}/2/tasks/{task}/runs"),
            Some(&e.owner),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "a task of another issue: {}", r.text);

    // Lists and their filters.
    let list = |q: &'static str| {
        let e = &e;
        async move {
            e.h.call("GET", &format!("{ISSUES}{q}"), Some(&e.pdev), None)
                .await
        }
    };
    assert_eq!(numbers(&list("").await), [2, 1]);
    assert_eq!(numbers(&list("?type=DATA_CHANGE").await), [2]);
    assert_eq!(numbers(&list("?status=OPEN").await), [2, 1]);
    assert_eq!(numbers(&list("?status=DONE").await), Vec::<i64>::new());
    assert_eq!(numbers(&list("?creator=pdev@example.com").await), [2]);
    assert_eq!(
        numbers(
            &e.h.call(
                "GET",
                &format!("{ISSUES}?creator={}", e.owner_id),
                Some(&e.pdev),
                None
            )
            .await
        ),
        [1]
    );
    assert_eq!(
        numbers(&list("?creator=nobody@example.com").await),
        Vec::<i64>::new()
    );
    assert_eq!(numbers(&list("?database=lite-prod/shop").await), [1]);
    assert_eq!(numbers(&list("?database=lite-test/shop").await), [2, 1]);
    assert_eq!(
        numbers(&list("?database=lite-test/nope").await),
        Vec::<i64>::new()
    );
    let page = list("?page_size=1").await;
    assert_eq!(numbers(&page), [2]);
    let token = page.json()["next_page_token"].as_str().unwrap().to_string();
    assert!(!token.is_empty());
    let r =
        e.h.call(
            "GET",
            &format!("{ISSUES}?page_size=1&page_token={token}"),
            Some(&e.pdev),
            None,
        )
        .await;
    assert_eq!(numbers(&r), [1]);
    assert_eq!(r.json()["next_page_token"], "");
    for (query, field) in [
        ("?status=SHIPPED", "status:"),
        ("?type=DROP", "type:"),
        ("?database=shop", "database:"),
        ("?creator=bob", "creator:"),
        ("?page_size=0", "page_size:"),
        ("?bogus=1", "query string:"),
    ] {
        let r = list(query).await;
        assert_eq!(r.status, 400, "{query}: {}", r.text);
        assert!(message(&r).starts_with(field), "{query}: {}", r.text);
    }
    assert_eq!(
        e.h.call("GET", "/v1/projects/nope/issues", Some(&e.owner), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn bad_sql_and_targets_are_refused_naming_the_field() {
    let e = estate().await;
    let cases = [
        (
            json!({"title": "t", "type": "DATA_CHANGE", "statement": "CREATE TABLE t (id INTEGER)", "targets": ["lite-test/shop"]}),
            "statement: statement 1 (line 1) is CREATE TABLE",
        ),
        (
            schema_change("t", "DELETE FROM item", &["lite-test/shop"]),
            "statement: statement 1 (line 1) is DELETE",
        ),
        (
            schema_change(
                "t",
                "BEGIN;\nCREATE TABLE t (id INTEGER);\nCOMMIT;",
                &["lite-test/shop"],
            ),
            "statement: statement 1 (line 1) is BEGIN",
        ),
        (schema_change("t", "   ", &["lite-test/shop"]), "statement:"),
        (
            schema_change("t", "CREATE TABLE t (id INTEGER)", &[]),
            "targets:",
        ),
        (
            schema_change("t", "CREATE TABLE t (id INTEGER)", &["lite-test/nope"]),
            "targets: instance lite-test has no database nope",
        ),
        (
            schema_change("t", "CREATE TABLE t (id INTEGER)", &["nope/shop"]),
            "targets: there is no instance nope",
        ),
        (
            schema_change("t", "CREATE TABLE t (id INTEGER)", &["lite-test/misc"]),
            "targets: database lite-test/misc belongs to project default",
        ),
        (
            schema_change("t", "CREATE TABLE t (id INTEGER)", &["lite-test"]),
            "targets:",
        ),
        (
            json!({"title": "t", "type": "ALTER", "statement": "CREATE TABLE t (id INTEGER)", "targets": ["lite-test/shop"]}),
            "type:",
        ),
        (
            json!({"title": "t", "type": "SCHEMA_CHANGE", "statement": "CREATE TABLE t (id INTEGER)", "targets": ["lite-test/shop"], "version": "a b"}),
            "version:",
        ),
        (
            json!({"title": "", "type": "SCHEMA_CHANGE", "statement": "CREATE TABLE t (id INTEGER)", "targets": ["lite-test/shop"]}),
            "title:",
        ),
    ];
    for (body, expected) in cases {
        let r = e.file(&e.owner, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.json()["code"], "invalid_argument");
        assert!(
            message(&r).starts_with(expected),
            "{body}: expected {expected:?}, got {}",
            r.text
        );
    }

    // A version already applied to a target names the changelog entry.
    let db = e.h.app.store.database("lite-test", "shop").await.unwrap();
    let entry =
        e.h.app
            .store
            .append_changelog(&sluice_store::NewChangelog {
                db_id: db.id,
                version: "20250101".into(),
                changelog_type: sluice_store::ChangelogType::Migrate,
                statement: "CREATE TABLE before (id INTEGER)".into(),
                checksum: "c0ffee".into(),
                schema_before: "{\"before\": true}".into(),
                schema_after: "{\"after\": true}".into(),
                issue_id: None,
                task_run_id: None,
                creator_id: e.owner_id,
                status: sluice_store::ChangelogStatus::Done,
                duration_ms: 12,
            })
            .await
            .unwrap();
    let mut body = schema_change(
        "again",
        "CREATE TABLE t (id INTEGER)",
        &["lite-test/shop", "lite-prod/shop"],
    );
    body["version"] = json!("20250101");
    let r = e.file(&e.owner, body.clone()).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let text = message(&r);
    assert!(text.starts_with("version:"), "{text}");
    assert!(
        text.contains(&format!("changelog entry {}", entry.id)) && text.contains("lite-test/shop"),
        "{text}"
    );
    body["version"] = json!("20250102");
    assert_eq!(e.file(&e.owner, body).await.status, 201);

    // The changelog through the API.
    let path = "/v1/instances/lite-test/databases/shop/changelogs";
    let r = e.h.call("GET", path, Some(&e.pdev), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let list = r.json();
    assert_eq!(list["changelogs"][0]["version"], "20250101");
    assert_eq!(list["changelogs"][0]["type"], "MIGRATE");
    assert_eq!(list["changelogs"][0]["status"], "DONE");
    assert!(
        list["changelogs"][0].get("statement").is_none(),
        "a list leaves the SQL out"
    );
    let r =
        e.h.call("GET", &format!("{path}/{}", entry.id), Some(&e.pdev), None)
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let full = r.json();
    assert_eq!(full["statement"], "CREATE TABLE before (id INTEGER)");
    assert_eq!(full["schema_before"], "{\"before\": true}");
    assert_eq!(full["schema_after"], "{\"after\": true}");
    assert_eq!(full["duration_ms"], 12);
    for (other, status) in [
        (
            format!(
                "/v1/instances/lite-prod/databases/shop/changelogs/{}",
                entry.id
            ),
            404,
        ),
        (format!("{path}/999"), 404),
        (format!("{path}/abc"), 400),
    ] {
        let r = e.h.call("GET", &other, Some(&e.owner), None).await;
        assert_eq!(r.status, status, "{other}: {}", r.text);
    }
    let r = e.h.call("GET", path, Some(&e.other), None).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r =
        e.h.call(
            "GET",
            "/v1/instances/lite-test/databases/nope/changelogs",
            Some(&e.owner),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // A member of another project cannot file here.
    let r = e
        .file(
            &e.other,
            schema_change("t", "CREATE TABLE t (id INTEGER)", &["lite-test/shop"]),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
}

#[tokio::test]
async fn approvals_follow_the_policy_and_edits_withdraw_them() {
    let e = estate().await;
    let both = ["lite-test/shop", "lite-prod/shop"];
    let n = e
        .filed(
            &e.pdev,
            schema_change("by dev", "CREATE TABLE a (id INTEGER)", &both),
        )
        .await;
    let issue = e.issue(n).await;
    assert_eq!(issue["approval"]["status"], "PENDING");
    assert_eq!(
        issue["approval"]["approver_roles"],
        json!(["WORKSPACE_OWNER", "WORKSPACE_DBA"])
    );
    // Neither a project Developer nor a project Owner approves prod by default.
    for who in [&e.pdev, &e.pown] {
        let r = e.post(who, &format!("{n}/approve"), None).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert!(message(&r).contains("prod"), "{}", r.text);
    }
    // Another project's member does not even see the issue.
    for (method, path) in [
        ("GET", format!("{ISSUES}/{n}")),
        ("GET", ISSUES.to_string()),
        ("POST", format!("{ISSUES}/{n}/approve")),
        ("GET", format!("{ISSUES}/{n}/comments")),
    ] {
        let r = e.h.call(method, &path, Some(&e.other), None).await;
        assert_eq!(r.status, 403, "{method} {path}: {}", r.text);
    }
    let viewed =
        e.h.call("GET", &format!("{ISSUES}/{n}"), Some(&e.dba), None)
            .await
            .json();
    assert_eq!(viewed["can_approve"], true);
    let r = e
        .post(&e.dba, &format!("{n}/approve"), Some(json!({})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["approval"]["status"], "APPROVED");
    assert_eq!(
        r.json()["approval"]["approved_by"]["email"],
        "dba@example.com"
    );
    let r = e.post(&e.dba, &format!("{n}/approve"), None).await;
    assert_eq!(r.status, 409, "{}", r.text);

    // Creators cannot approve their own issue unless the project allows it.
    let mine = e
        .filed(
            &e.owner,
            schema_change("by owner", "CREATE TABLE b (id INTEGER)", &both),
        )
        .await;
    let r = e.post(&e.owner, &format!("{mine}/approve"), None).await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(message(&r).contains("filed"), "{}", r.text);
    let r =
        e.h.call(
            "PATCH",
            "/v1/projects/shop",
            Some(&e.pdev),
            Some(json!({"allow_self_approval": true})),
        )
        .await;
    assert_eq!(r.status, 403, "a project Developer cannot change it");
    let r =
        e.h.call(
            "PATCH",
            "/v1/projects/shop",
            Some(&e.pown),
            Some(json!({"allow_self_approval": true})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["allow_self_approval"], true);
    assert_eq!(
        e.h.call("GET", "/v1/projects/shop", Some(&e.pdev), None)
            .await
            .json()["allow_self_approval"],
        true
    );
    let r = e.post(&e.owner, &format!("{mine}/approve"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["approval"]["status"], "APPROVED");

    // New SQL withdraws the approval and runs the checks again.
    e.settled(mine).await;
    let r =
        e.h.call(
            "PATCH",
            &format!("{ISSUES}/{mine}"),
            Some(&e.pdev),
            Some(json!({"statement": "DROP TABLE item", "title": "Drop it"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let issue = r.json();
    assert_eq!(issue["title"], "Drop it");
    assert_eq!(issue["risk"], "HIGH");
    assert_eq!(issue["approval"]["status"], "PENDING");
    assert!(issue["approval"]["approved_by"].is_null());
    for task in tasks(&issue) {
        assert_eq!(task["statement"], "DROP TABLE item");
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let kinds = e.activity_kinds(mine).await;
        if kinds.iter().filter(|k| *k == "CHECKS_DONE").count() == 2 {
            assert!(
                kinds.contains(&"APPROVAL_WITHDRAWN".to_string()),
                "{kinds:?}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "checks not re-run: {kinds:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let issue = e.settled(mine).await;
    assert!(
        tasks(&issue).iter().all(|t| t["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "DONE")),
        "{issue}"
    );
    let r =
        e.h.call(
            "PATCH",
            &format!("{ISSUES}/{mine}"),
            Some(&e.pdev),
            Some(json!({"statement": "INSERT INTO item (name) VALUES ('x')"})),
        )
        .await;
    assert_eq!(r.status, 400, "DML in a SCHEMA_CHANGE: {}", r.text);
    assert!(message(&r).starts_with("statement:"), "{}", r.text);

    // An issue that only touches test needs no approval.
    let easy = e
        .filed(
            &e.pdev,
            schema_change(
                "test only",
                "CREATE TABLE c (id INTEGER)",
                &["lite-test/shop"],
            ),
        )
        .await;
    let r = e.post(&e.dba, &format!("{easy}/approve"), None).await;
    assert_eq!(r.status, 409, "{}", r.text);

    // Comments and the timeline.
    let r = e
        .post(
            &e.pdev,
            &format!("{n}/comments"),
            Some(json!({"body": "Ready <b>now</b>"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["author"]["email"], "pdev@example.com");
    assert_eq!(r.json()["body"], "Ready <b>now</b>");
    for body in [json!({"body": "  "}), json!({"body": 5}), json!({})] {
        let r = e
            .post(&e.pdev, &format!("{n}/comments"), Some(body.clone()))
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert!(message(&r).contains("body"), "{body}: {}", r.text);
    }
    let r = e
        .post(
            &e.other,
            &format!("{n}/comments"),
            Some(json!({"body": "hi"})),
        )
        .await;
    assert_eq!(r.status, 403);
    let r =
        e.h.call(
            "GET",
            &format!("{ISSUES}/{n}/comments"),
            Some(&e.pown),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["comments"].as_array().unwrap().len(), 1);
    assert_eq!(
        r.json()["comments"][0]["author"]["name"],
        "pdev@example.com"
    );
    let kinds = e.activity_kinds(n).await;
    for kind in ["APPROVAL_REQUESTED", "APPROVED", "COMMENTED"] {
        assert!(kinds.contains(&kind.to_string()), "{kind}: {kinds:?}");
    }
}

#[tokio::test]
async fn task_actions_follow_the_rollout_policy() {
    let e = estate().await;
    let n = e
        .filed(
            &e.owner,
            schema_change(
                "two stages",
                "CREATE TABLE d (id INTEGER PRIMARY KEY)",
                &["lite-test/shop", "lite-prod/shop"],
            ),
        )
        .await;
    let issue = e.settled(n).await;
    let test = task_of(&issue, "test");
    let prod = task_of(&issue, "prod");

    // Skipping needs a reason.
    for body in [None, Some(json!({})), Some(json!({"reason": " "}))] {
        let r = e
            .post(&e.pdev, &format!("{n}/tasks/{test}/skip"), body.clone())
            .await;
        assert_eq!(r.status, 400, "{body:?}: {}", r.text);
        assert!(message(&r).starts_with("reason:"), "{}", r.text);
    }
    let r = e
        .post(
            &e.pdev,
            &format!("{n}/tasks/{test}/skip"),
            Some(json!({"why": "x"})),
        )
        .await;
    assert_eq!(r.status, 400, "unknown field: {}", r.text);
    // Retry and cancel do not apply to a task that has not started.
    for action in ["retry", "cancel"] {
        let r = e
            .post(&e.dba, &format!("{n}/tasks/{test}/{action}"), None)
            .await;
        assert_eq!(r.status, 409, "{action}: {}", r.text);
    }
    let r = e
        .post(
            &e.pdev,
            &format!("{n}/tasks/{test}/skip"),
            Some(json!({"reason": "already there"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let skipped = tasks(&r.json())
        .into_iter()
        .find(|t| t["id"] == test)
        .unwrap();
    assert_eq!(skipped["status"], "SKIPPED");
    assert_eq!(skipped["skip_reason"], "already there");

    // prod: manual rollout by a DBA, Owner or project Owner, after approval.
    let r = e
        .post(&e.pdev, &format!("{n}/tasks/{prod}/run"), None)
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = e.post(&e.pdev, &format!("{n}/stages/prod/run"), None).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = e.post(&e.dba, &format!("{n}/tasks/{prod}/run"), None).await;
    assert_eq!(r.status, 409, "not approved yet: {}", r.text);
    assert!(message(&r).contains("approval"), "{}", r.text);
    let r = e.post(&e.dba, &format!("{n}/approve"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let viewed =
        e.h.call("GET", &format!("{ISSUES}/{n}"), Some(&e.pown), None)
            .await
            .json();
    assert_eq!(viewed["pipeline"]["stages"][1]["can_run"], true);
    let r = e
        .post(&e.pown, &format!("{n}/stages/prod/run"), Some(json!({})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["pipeline"]["stages"][1]["tasks"][0]["status"],
        "PENDING",
        "queued for a runner (none runs here)"
    );
    let r = e.post(&e.pown, &format!("{n}/stages/prod/run"), None).await;
    assert_eq!(r.status, 409, "nothing left to start: {}", r.text);
    // SQL cannot change under a queued task.
    let r =
        e.h.call(
            "PATCH",
            &format!("{ISSUES}/{n}"),
            Some(&e.owner),
            Some(json!({"statement": "CREATE TABLE e (id INTEGER)"})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = e
        .post(&e.dba, &format!("{n}/tasks/{prod}/cancel"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(tasks(&r.json())[1]["status"], "CANCELED");
    let r = e
        .post(&e.dba, &format!("{n}/tasks/{prod}/retry"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(tasks(&r.json())[1]["status"], "PENDING");
    let r = e
        .post(&e.dba, &format!("{n}/tasks/{prod}/cancel"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = e
        .post(
            &e.dba,
            &format!("{n}/tasks/{prod}/skip"),
            Some(json!({"reason": "done by hand"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "DONE", "every task skipped: {}", r.text);
    let kinds = e.activity_kinds(n).await;
    for kind in ["TASK_SKIPPED", "TASK_CANCELED", "DONE"] {
        assert!(kinds.contains(&kind.to_string()), "{kind}: {kinds:?}");
    }

    // Unknown stages and tasks, and cancelling an issue.
    let other = e
        .filed(
            &e.pdev,
            schema_change(
                "cancel me",
                "CREATE TABLE f (id INTEGER)",
                &["lite-test/shop"],
            ),
        )
        .await;
    for (path, status) in [
        (format!("{other}/stages/prod/run"), 404),
        (format!("{other}/stages/nope/run"), 404),
        (format!("{other}/tasks/{prod}/run"), 404),
        (format!("{other}/tasks/999999/skip"), 404),
        (format!("{other}/tasks/abc/run"), 400),
        ("999/approve".to_string(), 404),
    ] {
        let r = e.post(&e.owner, &path, None).await;
        assert_eq!(r.status, status, "{path}: {}", r.text);
    }
    let r = e.post(&e.other, &format!("{other}/cancel"), None).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = e.post(&e.pdev, &format!("{other}/cancel"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["status"], "CANCELED");
    assert_eq!(r.json()["can_cancel"], false);
    let r = e.post(&e.pdev, &format!("{other}/cancel"), None).await;
    assert_eq!(r.status, 409, "{}", r.text);
    let task = task_of(&e.issue(other).await, "test");
    let r = e
        .post(&e.owner, &format!("{other}/tasks/{task}/run"), None)
        .await;
    assert_eq!(r.status, 409, "a cancelled issue: {}", r.text);
}

#[tokio::test]
async fn environment_policies_round_trip() {
    let e = estate().await;
    let path = "/v1/environments/test";
    let env = e.h.call("GET", path, Some(&e.owner), None).await.json();
    assert_eq!(env["policy_is_default"], true);
    assert_eq!(
        env["policy"],
        json!({"approval_required": false, "approver_roles": ["WORKSPACE_OWNER", "WORKSPACE_DBA", "PROJECT_OWNER"], "rollout": "AUTOMATIC", "rollout_roles": ["WORKSPACE_OWNER", "WORKSPACE_DBA", "PROJECT_OWNER", "PROJECT_DEVELOPER"]})
    );
    let prod =
        e.h.call("GET", "/v1/environments/prod", Some(&e.owner), None)
            .await
            .json();
    assert_eq!(prod["policy"]["approval_required"], true);
    assert_eq!(prod["policy"]["rollout"], "MANUAL");

    let policy = json!({"approval_required": true, "approver_roles": ["PROJECT_OWNER"], "rollout": "MANUAL", "rollout_roles": ["WORKSPACE_DBA", "PROJECT_OWNER"]});
    let r =
        e.h.call("PATCH", path, Some(&e.pdev), Some(policy.clone()))
            .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = e.h.call("PATCH", path, Some(&e.dba), Some(policy)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let expected = json!({"approval_required": true, "approver_roles": ["PROJECT_OWNER"], "rollout": "MANUAL", "rollout_roles": ["PROJECT_OWNER", "WORKSPACE_DBA"]});
    assert_eq!(r.json()["policy"], expected);
    assert_eq!(r.json()["policy_is_default"], false);
    // Title and protection still change alone, and leave the policy be.
    let r =
        e.h.call(
            "PATCH",
            path,
            Some(&e.dba),
            Some(json!({"title": "Testing", "protected": true})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["title"], "Testing");
    assert_eq!(r.json()["policy"], expected);
    let r =
        e.h.call(
            "PATCH",
            path,
            Some(&e.dba),
            Some(json!({"title": "Test", "rollout": "AUTOMATIC"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["title"], "Test");
    assert_eq!(r.json()["policy"]["rollout"], "AUTOMATIC");
    assert_eq!(
        r.json()["policy"]["approver_roles"],
        json!(["PROJECT_OWNER"])
    );
    let env = e.h.call("GET", path, Some(&e.pdev), None).await.json();
    assert_eq!(env["policy"]["rollout"], "AUTOMATIC");
    assert_eq!(env["policy"]["approval_required"], true);

    for (body, field) in [
        (json!({"approver_roles": []}), "approver_roles:"),
        (json!({"rollout_roles": []}), "rollout_roles:"),
        (json!({"approver_roles": ["KING"]}), "approver_roles:"),
        (
            json!({"rollout_roles": ["WORKSPACE_DBA", "owner"]}),
            "rollout_roles:",
        ),
        (json!({"rollout": "SOMETIMES"}), "rollout:"),
        (json!({"rollout": "manual"}), "rollout:"),
        (json!({"approver_roles": "WORKSPACE_DBA"}), "approver_roles"),
        (json!({"approval_required": "yes"}), "approval_required"),
        (json!({"title": "X", "rollout_roles": []}), "rollout_roles:"),
        (json!({"policy": {}}), "unknown field"),
    ] {
        let r =
            e.h.call("PATCH", path, Some(&e.dba), Some(body.clone()))
                .await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert!(message(&r).contains(field), "{body}: {}", r.text);
    }
    let env = e.h.call("GET", path, Some(&e.pdev), None).await.json();
    assert_eq!(env["title"], "Test", "a refused PATCH changes nothing");

    // The policy now asks a project Owner to approve changes to test.
    let n = e
        .filed(
            &e.pdev,
            schema_change(
                "needs pown",
                "CREATE TABLE g (id INTEGER)",
                &["lite-test/shop"],
            ),
        )
        .await;
    let issue = e.issue(n).await;
    assert_eq!(issue["approval"]["required_by"], json!(["test"]));
    let r = e.post(&e.dba, &format!("{n}/approve"), None).await;
    assert_eq!(r.status, 403, "a DBA is not named: {}", r.text);
    let r = e.post(&e.pown, &format!("{n}/approve"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["approval"]["status"], "APPROVED");
}

#[tokio::test]
async fn hostile_bodies_never_give_500() {
    let e = estate().await;
    let n = e
        .filed(
            &e.owner,
            schema_change("target", "CREATE TABLE h (id INTEGER)", &["lite-test/shop"]),
        )
        .await;
    let task = task_of(&e.issue(n).await, "test");
    let mut big_json = b"{\"title\":\"".to_vec();
    big_json.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
    big_json.extend(b"\"}");
    let bodies: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
        ("2 MB", Some("application/json"), big_json),
        ("not json", Some("application/json"), b"title=x".to_vec()),
        ("array", Some("application/json"), b"[1,2]".to_vec()),
        ("null", Some("application/json"), b"null".to_vec()),
        (
            "wrong types",
            Some("application/json"),
            b"{\"title\":1,\"targets\":\"x\",\"statement\":[],\"reason\":7,\"body\":{}}".to_vec(),
        ),
        (
            "unknown field",
            Some("application/json"),
            b"{\"sneaky\":true}".to_vec(),
        ),
        ("no content type", None, b"{\"title\":\"x\"}".to_vec()),
        (
            "invalid utf-8",
            Some("application/json"),
            b"{\"title\":\"\xff\xfe\"}".to_vec(),
        ),
        (
            "truncated",
            Some("application/json"),
            b"{\"title\":".to_vec(),
        ),
    ];
    let routes = [
        ("POST", ISSUES.to_string()),
        ("PATCH", format!("{ISSUES}/{n}")),
        ("POST", format!("{ISSUES}/{n}/comments")),
        ("POST", format!("{ISSUES}/{n}/approve")),
        ("POST", format!("{ISSUES}/{n}/cancel")),
        ("POST", format!("{ISSUES}/{n}/stages/test/run")),
        ("POST", format!("{ISSUES}/{n}/tasks/{task}/run")),
        ("POST", format!("{ISSUES}/{n}/tasks/{task}/skip")),
        ("PATCH", "/v1/environments/test".to_string()),
        ("PATCH", "/v1/projects/shop".to_string()),
    ];
    for (method, path) in &routes {
        for (what, ct, body) in &bodies {
            let r =
                e.h.raw(method, path, Some(&e.owner), *ct, body.clone())
                    .await;
            let status = r.status.as_u16();
            assert!(
                [400, 413, 415].contains(&status),
                "{method} {path} {what}: {status} {}",
                r.text
            );
            let err = r.json();
            assert!(
                err["code"].is_string() && err["message"].is_string(),
                "{method} {path} {what}: {}",
                r.text
            );
        }
    }
    // SQL too long for an issue but within the body limit; odd paths.
    let long = format!("CREATE TABLE t (id INTEGER);{}", " ".repeat(600 * 1024));
    let r = e
        .file(&e.owner, schema_change("long", &long, &["lite-test/shop"]))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(message(&r).starts_with("statement:"), "{}", r.text);
    let many: Vec<String> = (0..20_000).map(|i| format!("lite-test/db{i}")).collect();
    let r = e
        .file(
            &e.owner,
            json!({"title": "many", "type": "SCHEMA_CHANGE", "statement": "CREATE TABLE t (id INTEGER)", "targets": many}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(message(&r).starts_with("targets:"), "{}", r.text);
    for (path, status) in [
        (format!("{ISSUES}/abc"), 400),
        (format!("{ISSUES}/99999999999999999999999"), 400),
        (format!("{ISSUES}/-1"), 404),
        (format!("{ISSUES}/0"), 404),
        (format!("{ISSUES}/{n}/tasks/{task}/runs?page_size=0"), 400),
        ("/v1/projects/%27%3B%20DROP/issues/1".to_string(), 404),
    ] {
        let r = e.h.call("GET", &path, Some(&e.owner), None).await;
        assert_eq!(r.status.as_u16(), status, "{path}: {}", r.text);
    }
    // The issue is intact after all that.
    let issue = e.issue(n).await;
    assert_eq!(issue["title"], "target");
    assert_eq!(issue["status"], "OPEN");
}
