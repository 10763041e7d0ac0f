//! SQL review configs through the API: create from a template or a policy
//! document, edit rule by rule with every bad field named, attach to
//! environments and projects, delete only what nothing uses; which config
//! reviews a task (environment over project over the default); and the
//! override of a blocking check by a workspace Owner or DBA. Targets are
//! SQLite files; no runner runs here.

mod common;

use common::{Harness, Reply};
use serde_json::{Value, json};
use sluice_store::{PrincipalKind, ProjectRole, WorkspaceRole};
use std::time::{Duration, Instant};

struct Estate {
    h: Harness,
    owner: String,
    dba: String,
    /// A workspace Developer who is a Developer in project `shop`.
    pdev: String,
    /// A workspace Developer who owns project `shop`.
    pown: String,
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

/// Environments test and prod (prod protected), a SQLite instance in each
/// with a database `shop` in project `shop`.
async fn estate() -> Estate {
    let h = Harness::new().await;
    let owner = h.owner().await;
    let (_, dba) = h
        .principal(
            PrincipalKind::EndUser,
            "dba@example.com",
            WorkspaceRole::Dba,
            None,
        )
        .await;
    let (pdev_id, pdev) = h
        .principal(
            PrincipalKind::EndUser,
            "pdev@example.com",
            WorkspaceRole::Developer,
            None,
        )
        .await;
    let (pown_id, pown) = h
        .principal(
            PrincipalKind::EndUser,
            "pown@example.com",
            WorkspaceRole::Developer,
            None,
        )
        .await;
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
    let r = h
        .call(
            "POST",
            "/v1/projects",
            Some(&owner),
            Some(json!({"id": "shop", "title": "Shop", "key": "SHOP"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
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
    Estate {
        h,
        owner,
        dba,
        pdev,
        pown,
        _dirs: (test_dir, prod_dir),
    }
}

const CONFIGS: &str = "/v1/review-configs";
const ISSUES: &str = "/v1/projects/shop/issues";

fn rule<'a>(config: &'a Value, name: &str) -> &'a Value {
    config["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no rule {name}"))
}

/// The message of a 400 answer, which starts with the bad field.
fn bad_field(r: &Reply) -> String {
    assert_eq!(r.status, 400, "{}", r.text);
    r.json()["message"].as_str().unwrap().to_string()
}

impl Estate {
    async fn call(&self, method: &str, path: &str, token: &str, body: Option<Value>) -> Reply {
        self.h.call(method, path, Some(token), body).await
    }

    async fn create(&self, body: Value) -> Value {
        let r = self.call("POST", CONFIGS, &self.owner, Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.json()
    }

    async fn attach(&self, what: &str, config: Value) {
        let r = self
            .call(
                "PATCH",
                what,
                &self.owner,
                Some(json!({"review_config": config})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["review_config"], config, "{}", r.text);
    }

    /// File an issue on `target`; wait until its checks are done and
    /// return its one task.
    async fn file_and_check(&self, sql: &str, target: &str) -> (i64, Value) {
        let r = self
            .call(
                "POST",
                ISSUES,
                &self.owner,
                Some(json!({"title": "Change", "type": "SCHEMA_CHANGE", "statement": sql, "targets": [target]})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let number = r.json()["number"].as_i64().unwrap();
        (number, self.settled(number).await)
    }

    async fn task(&self, number: i64) -> Value {
        let r = self
            .call("GET", &format!("{ISSUES}/{number}"), &self.owner, None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["pipeline"]["stages"][0]["tasks"][0].clone()
    }

    async fn settled(&self, number: i64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let task = self.task(number).await;
            let checks = task["checks"].as_array().unwrap();
            if !checks.is_empty() && checks.iter().all(|c| c["status"] != "RUNNING") {
                return task;
            }
            assert!(Instant::now() < deadline, "checks still running: {task}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn review(task: &Value) -> &Value {
    task["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "SQL_REVIEW")
        .unwrap_or_else(|| panic!("no SQL_REVIEW check: {task}"))
}

#[tokio::test]
async fn review_configs_crud_and_validation() {
    let e = estate().await;
    // Everyone signed in reads; only Owner and DBA manage.
    let r = e.call("GET", CONFIGS, &e.pdev, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["review_configs"], json!([]));
    let r = e
        .call(
            "POST",
            CONFIGS,
            &e.pdev,
            Some(json!({"id": "mine", "title": "Mine", "template": "lenient-development"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);

    // From a template: every rule, the template's levels.
    let strict = e
        .create(json!({"id": "strict", "title": "Strict", "template": "strict-production"}))
        .await;
    assert_eq!(strict["title"], "Strict");
    assert_eq!(strict["policy"]["template"], "strict-production");
    let rules = strict["rules"].as_array().unwrap();
    assert!(rules.len() > 50, "{} rules", rules.len());
    let pk = rule(&strict, "table.require-pk");
    assert_eq!(pk["level"], "ERROR");
    assert_eq!(pk["category"], "table");
    assert!(!pk["doc"]["problem"].as_str().unwrap().is_empty());
    assert!(!pk["title"].as_str().unwrap().is_empty());
    assert_eq!(rules[0]["category"], "syntax");

    // From a policy document.
    let doc = e
        .create(json!({"id": "truncate", "title": "No truncate", "policy": {"rules": {"statement.disallow-truncate": "ERROR"}}}))
        .await;
    assert_eq!(rule(&doc, "statement.disallow-truncate")["level"], "ERROR");
    assert_eq!(rule(&doc, "table.require-pk")["level"], "DISABLED");

    // Bad creations name the field.
    for (body, field) in [
        (
            json!({"id": "x", "title": "X", "template": "loose"}),
            "template: ",
        ),
        (json!({"id": "x", "title": "X"}), "template: "),
        (
            json!({"id": "x", "title": "X", "template": "strict-production", "policy": {}}),
            "template: ",
        ),
        (
            json!({"id": "x", "title": "X", "policy": {"rules": {"no.such-rule": "ERROR"}}}),
            "policy.rules.no.such-rule: ",
        ),
        (
            json!({"id": "x", "title": "X", "policy": {"rules": {"table.require-pk": "LOUD"}}}),
            "policy.rules.table.require-pk.level: ",
        ),
        (
            json!({"id": "Bad Id", "title": "X", "template": "strict-production"}),
            "id: ",
        ),
    ] {
        let r = e.call("POST", CONFIGS, &e.owner, Some(body.clone())).await;
        let message = bad_field(&r);
        assert!(message.starts_with(field), "{body}: {message}");
    }
    let r = e
        .call(
            "POST",
            CONFIGS,
            &e.owner,
            Some(json!({"id": "strict", "title": "Again", "template": "strict-production"})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);

    // Rule by rule, by a DBA.
    let option_rule = strict["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["options"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["type"] == "integer")
        })
        .expect("a rule with an integer option");
    let name = option_rule["name"].as_str().unwrap();
    let key = option_rule["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["type"] == "integer")
        .unwrap()["key"]
        .as_str()
        .unwrap();
    let level_before = option_rule["level"].clone();
    let r = e
        .call(
            "PATCH",
            &format!("{CONFIGS}/strict"),
            &e.dba,
            Some(json!({"title": "Strict production", "rules": {
                "table.require-pk": {"level": "WARNING"},
                "statement.disallow-commit": {"level": "DISABLED"},
                name: {"config": {key: 42}},
            }})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let edited = r.json();
    assert_eq!(edited["title"], "Strict production");
    assert_eq!(rule(&edited, "table.require-pk")["level"], "WARNING");
    assert_eq!(
        rule(&edited, "statement.disallow-commit")["level"],
        "DISABLED"
    );
    assert_eq!(rule(&edited, name)["config"][key], 42);
    assert_eq!(
        rule(&edited, name)["level"],
        level_before,
        "config alone keeps the level"
    );
    assert_eq!(
        rule(&edited, "statement.disallow-truncate")["level"],
        "ERROR",
        "the template still decides the rest"
    );

    // Bad edits name the field and change nothing.
    for (rules, field) in [
        (
            json!({"no.such-rule": {"level": "ERROR"}}),
            "rules.no.such-rule: ".to_string(),
        ),
        (
            json!({"table.require-pk": {"level": "FATAL"}}),
            "rules.table.require-pk.level: ".to_string(),
        ),
        (
            json!({ name: {"config": {key: "forty-two"}} }),
            format!("rules.{name}.config.{key}: "),
        ),
        (
            json!({"table.require-pk": {"config": {"bogus": 1}}}),
            "rules.table.require-pk.config.bogus: ".to_string(),
        ),
    ] {
        let r = e
            .call(
                "PATCH",
                &format!("{CONFIGS}/strict"),
                &e.owner,
                Some(json!({ "rules": rules.clone() })),
            )
            .await;
        let message = bad_field(&r);
        assert!(message.starts_with(&field), "{rules}: {message}");
    }
    let r = e
        .call(
            "PATCH",
            &format!("{CONFIGS}/strict"),
            &e.pdev,
            Some(json!({"title": "Mine"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let now = e
        .call("GET", &format!("{CONFIGS}/strict"), &e.pdev, None)
        .await
        .json();
    assert_eq!(now["policy"], edited["policy"]);
    assert_eq!(now["title"], "Strict production");

    // Attach, and delete only what nothing uses.
    e.attach("/v1/environments/prod", json!("strict")).await;
    e.attach("/v1/projects/shop", json!("strict")).await;
    let r = e
        .call(
            "PATCH",
            "/v1/projects/shop",
            &e.pown,
            Some(json!({"review_config": null})),
        )
        .await;
    assert_eq!(
        r.status, 403,
        "a project Owner does not manage review configs: {}",
        r.text
    );
    let r = e
        .call(
            "PATCH",
            "/v1/environments/test",
            &e.owner,
            Some(json!({"review_config": "nope"})),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let listed = e.call("GET", CONFIGS, &e.pdev, None).await.json();
    let strict_listed = listed["review_configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "strict")
        .unwrap()
        .clone();
    assert_eq!(
        strict_listed["used_by"],
        json!({"environments": ["prod"], "projects": ["shop"]})
    );
    let r = e
        .call("DELETE", &format!("{CONFIGS}/strict"), &e.owner, None)
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let message = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("environment prod") && message.contains("project shop"),
        "{message}"
    );
    e.attach("/v1/environments/prod", Value::Null).await;
    e.attach("/v1/projects/shop", Value::Null).await;
    // Other fields still work beside it.
    let r = e
        .call(
            "PATCH",
            "/v1/environments/prod",
            &e.owner,
            Some(json!({"title": "Production"})),
        )
        .await;
    assert_eq!(r.json()["review_config"], Value::Null);
    assert_eq!(r.json()["title"], "Production");
    let r = e
        .call("DELETE", &format!("{CONFIGS}/strict"), &e.dba, None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = e
        .call("GET", &format!("{CONFIGS}/strict"), &e.owner, None)
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // Audited.
    let audit = e
        .call(
            "GET",
            "/v1/audit-logs?action=review-configs.delete",
            &e.owner,
            None,
        )
        .await
        .json();
    let outcomes: Vec<&str> = audit["audit_logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["SUCCESS", "FAILED"], "{audit}");
}

#[tokio::test]
async fn the_environment_config_wins_over_the_project_over_the_default() {
    let e = estate().await;
    let no_pk = "CREATE TABLE plain (name TEXT)";
    // Default: the test environment is unprotected, lenient-development
    // warns about a missing primary key.
    let (_, task) = e.file_and_check(no_pk, "lite-test/shop").await;
    assert_eq!(review(&task)["level"], "WARNING", "{task}");
    let (_, task) = e
        .file_and_check(
            "CREATE TABLE keyed (id INTEGER PRIMARY KEY)",
            "lite-test/shop",
        )
        .await;
    let content = review(&task)["results"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(content.contains("default lenient-development"), "{content}");

    // The project's config: a missing primary key is an ERROR.
    e.create(
        json!({"id": "pk", "title": "Keys", "policy": {"rules": {"table.require-pk": "ERROR"}}}),
    )
    .await;
    e.attach("/v1/projects/shop", json!("pk")).await;
    let (_, task) = e.file_and_check(no_pk, "lite-test/shop").await;
    assert_eq!(review(&task)["level"], "ERROR", "{task}");
    assert_eq!(
        task["waiting_for"], "blocked by the SQL_REVIEW check",
        "{task}"
    );
    let (_, task) = e
        .file_and_check(
            "CREATE TABLE keyed2 (id INTEGER PRIMARY KEY)",
            "lite-test/shop",
        )
        .await;
    let content = review(&task)["results"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        content.contains("review config \"Keys\" (pk), attached to project shop"),
        "{content}"
    );

    // The environment's config wins over the project's.
    e.create(json!({"id": "quiet", "title": "Quiet", "policy": {"rules": {}}}))
        .await;
    e.attach("/v1/environments/test", json!("quiet")).await;
    let (_, task) = e.file_and_check(no_pk, "lite-test/shop").await;
    assert_eq!(review(&task)["level"], "SUCCESS", "{task}");
    let content = review(&task)["results"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        content.contains("review config \"Quiet\" (quiet), attached to environment test"),
        "{content}"
    );
    // prod has none of its own: the project's applies there.
    let (_, task) = e.file_and_check(no_pk, "lite-prod/shop").await;
    assert_eq!(review(&task)["level"], "ERROR", "{task}");
    // Detached everywhere: back to the defaults (prod is strict).
    e.attach("/v1/environments/test", Value::Null).await;
    e.attach("/v1/projects/shop", Value::Null).await;
    let (_, task) = e.file_and_check(no_pk, "lite-prod/shop").await;
    let review = review(&task);
    assert_eq!(review["level"], "ERROR", "strict-production: {task}");
}

#[tokio::test]
async fn an_owner_or_dba_overrides_a_blocking_check_with_a_reason() {
    let e = estate().await;
    e.create(
        json!({"id": "pk", "title": "Keys", "policy": {"rules": {"table.require-pk": "ERROR"}}}),
    )
    .await;
    e.attach("/v1/environments/test", json!("pk")).await;
    let (number, task) = e
        .file_and_check("CREATE TABLE plain (name TEXT)", "lite-test/shop")
        .await;
    assert_eq!(
        task["waiting_for"], "blocked by the SQL_REVIEW check",
        "{task}"
    );
    assert_eq!(task["checks_overridden"], Value::Null);
    assert!(
        task["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("override-checks")),
        "{task}"
    );
    let id = task["id"].as_i64().unwrap();
    let path = format!("{ISSUES}/{number}/tasks/{id}/override-checks");
    // A developer of the project may not; nor may its Owner.
    let as_pdev = e
        .call("GET", &format!("{ISSUES}/{number}"), &e.pdev, None)
        .await
        .json();
    let pdev_task = &as_pdev["pipeline"]["stages"][0]["tasks"][0];
    assert!(
        !pdev_task["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("override-checks"))
    );
    for token in [&e.pdev, &e.pown] {
        let r = e
            .call("POST", &path, token, Some(json!({"reason": "trust me"})))
            .await;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    // A reason is required.
    let r = e
        .call("POST", &path, &e.dba, Some(json!({"reason": "  "})))
        .await;
    assert!(bad_field(&r).starts_with("reason: "));
    let r = e
        .call(
            "POST",
            &path,
            &e.dba,
            Some(json!({"reason": "a log table, keyed downstream"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let task = e.task(number).await;
    let o = &task["checks_overridden"];
    assert_eq!(o["by"]["email"], "dba@example.com", "{task}");
    assert_eq!(o["reason"], "a log table, keyed downstream");
    assert!(o["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        task["waiting_for"],
        Value::Null,
        "nothing holds it now: {task}"
    );
    assert!(
        !task["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("override-checks"))
    );
    assert_eq!(review(&task)["level"], "ERROR", "the finding stays visible");

    let activity = e
        .call(
            "GET",
            &format!("{ISSUES}/{number}/activity"),
            &e.owner,
            None,
        )
        .await
        .json();
    let entry = activity["activity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "CHECKS_OVERRIDDEN")
        .unwrap_or_else(|| panic!("{activity}"))
        .clone();
    assert_eq!(entry["actor"]["email"], "dba@example.com");
    assert_eq!(entry["payload"]["reason"], "a log table, keyed downstream");
    assert_eq!(entry["payload"]["checks"], json!(["SQL_REVIEW"]));
    let audit = e
        .call(
            "GET",
            "/v1/audit-logs?action=issues.override-checks",
            &e.owner,
            None,
        )
        .await
        .json();
    let outcomes: Vec<&str> = audit["audit_logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["SUCCESS", "FAILED", "DENIED", "DENIED"],
        "{audit}"
    );

    // New SQL clears the override: the new checks decide again.
    let r = e
        .call(
            "PATCH",
            &format!("{ISSUES}/{number}"),
            &e.owner,
            Some(json!({"statement": "CREATE TABLE plain (name TEXT, other TEXT)"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let task = e.settled(number).await;
    assert_eq!(task["checks_overridden"], Value::Null, "{task}");
    assert_eq!(
        task["waiting_for"], "blocked by the SQL_REVIEW check",
        "{task}"
    );
}
