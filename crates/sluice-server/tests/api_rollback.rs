//! Reverse migrations through the API, on a SQLite database with a real
//! runner: a schema change's changelog entry shows its reverse plan with
//! its hazards; `POST …/changelogs/{id}/rollback` files it as an issue
//! (201), refusing bad input (400), hazards not allowed (400, named), an
//! entry a later change was applied on top of (409, its version named), and
//! callers outside the project (403).

mod common;

use common::Harness;
use serde_json::{Value, json};
use sluice_runner::{Runner, RunnerConfig};
use sluice_store::{PrincipalKind, WorkspaceRole};
use std::time::{Duration, Instant};

const DB: &str = "/v1/instances/lite/databases/shop";

struct Estate {
    h: Harness,
    owner: String,
    _dir: tempfile::TempDir,
}

/// Environment test (automatic rollout), project alpha, and a SQLite
/// instance whose database `shop` (a table `customers`) is in alpha.
async fn estate() -> Estate {
    let h = Harness::new().await;
    let owner = h.owner().await;
    let dir = tempfile::tempdir().unwrap();
    {
        use sqlx::Connection;
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::raw_sql("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    for (path, body) in [
        ("/v1/environments", json!({"id": "test", "title": "Test"})),
        (
            "/v1/instances",
            json!({"id": "lite", "title": "Lite", "engine": "SQLITE", "environment": "test", "database": dir.path()}),
        ),
        (
            "/v1/projects",
            json!({"id": "alpha", "title": "Alpha", "key": "ALPHA"}),
        ),
    ] {
        let r = h.call("POST", path, Some(&owner), Some(body)).await;
        assert_eq!(r.status, 201, "{path}: {}", r.text);
    }
    let r = h
        .call("POST", "/v1/instances/lite/sync", Some(&owner), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = h
        .call("PATCH", DB, Some(&owner), Some(json!({"project": "alpha"})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = h
        .call("POST", &format!("{DB}/sync"), Some(&owner), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    Runner::new(
        h.app.clone(),
        RunnerConfig {
            tick: Duration::from_millis(200),
            lease: Duration::from_secs(3),
            ..Default::default()
        },
    )
    .spawn();
    Estate {
        h,
        owner,
        _dir: dir,
    }
}

impl Estate {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> common::Reply {
        self.h.call(method, path, Some(&self.owner), body).await
    }

    /// Wait until issue `n` of alpha is DONE.
    async fn done(&self, n: i64) -> Value {
        let start = Instant::now();
        loop {
            let issue = self
                .call("GET", &format!("/v1/projects/alpha/issues/{n}"), None)
                .await
                .json();
            if issue["status"] == "DONE" {
                return issue;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "issue {n} is not DONE: {issue:#}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The newest MIGRATE entry of the database, whole.
    async fn latest_migrate(&self) -> Value {
        let list = self
            .call("GET", &format!("{DB}/changelogs"), None)
            .await
            .json();
        let id = list["changelogs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == "MIGRATE")
            .expect("a MIGRATE entry")["id"]
            .as_i64()
            .unwrap();
        let r = self
            .call("GET", &format!("{DB}/changelogs/{id}"), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_rolled_back_through_the_api() {
    let e = estate().await;
    let r = e
        .call(
            "POST",
            "/v1/projects/alpha/issues",
            Some(json!({
                "title": "Orders and emails",
                "type": "SCHEMA_CHANGE",
                "statement": "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL);\nALTER TABLE customers ADD COLUMN email TEXT;",
                "targets": ["lite/shop"],
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    e.done(1).await;

    // The entry shows its reverse plan, its hazards marked.
    let entry = e.latest_migrate().await;
    let id = entry["id"].as_i64().unwrap();
    let reverse = &entry["reverse"];
    assert_eq!(reverse["note"], "", "{reverse:#}");
    assert!(
        reverse["hazards"]
            .as_array()
            .unwrap()
            .contains(&json!("DELETES_DATA")),
        "{reverse:#}"
    );
    let statement = reverse["statement"].as_str().unwrap();
    assert!(statement.contains("DROP TABLE"), "{statement}");
    assert!(
        reverse["plan"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["hazards"].to_string().contains("DELETES_DATA")),
        "{reverse:#}"
    );
    assert!(reverse["computed_at"].as_str().unwrap().ends_with('Z'));
    let rollback = format!("{DB}/changelogs/{id}/rollback");

    // Bad input names the field.
    for (body, field) in [
        (json!({"allow_hazard": ["all"]}), "allow_hazard"),
        (json!({"allow_hazards": ["DELETE_DATA"]}), "allow_hazards"),
        (json!({"allow_hazards": "all"}), "allow_hazards"),
        (
            json!({"allow_hazards": ["all"], "title": "x".repeat(201)}),
            "title",
        ),
    ] {
        let r = e.call("POST", &rollback, Some(body.clone())).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert!(r.text.contains(field), "{body}: {}", r.text);
    }
    // No allowance (no body at all): refused, naming the hazard.
    let r = e.call("POST", &rollback, None).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json()["code"], "invalid_argument");
    assert!(r.text.contains("DELETES_DATA"), "{}", r.text);
    // Outside the project: 403; an unknown entry: 404.
    let (_, outsider) =
        e.h.principal(
            PrincipalKind::EndUser,
            "out@example.com",
            WorkspaceRole::Developer,
            None,
        )
        .await;
    let r =
        e.h.call(
            "POST",
            &rollback,
            Some(&outsider),
            Some(json!({"allow_hazards": ["all"]})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = e
        .call(
            "POST",
            &format!("{DB}/changelogs/999999/rollback"),
            Some(json!({"allow_hazards": ["all"]})),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // Allowed: 201 with the new issue, which runs like any change.
    let r = e
        .call(
            "POST",
            &rollback,
            Some(json!({"allow_hazards": ["DELETES_DATA", "all"], "title": "Undo orders"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let issue = r.json();
    assert_eq!(issue["title"], "Undo orders");
    assert_eq!(issue["type"], "SCHEMA_CHANGE");
    assert_eq!(issue["project"], "alpha");
    assert!(
        issue["description"]
            .as_str()
            .unwrap()
            .contains("/projects/alpha/issues/1"),
        "{issue:#}"
    );
    let task = &issue["pipeline"]["stages"][0]["tasks"][0];
    assert_eq!(task["target"], "lite/shop");
    assert_eq!(task["statement"], statement);
    let n = issue["number"].as_i64().unwrap();
    e.done(n).await;
    let schema = e.call("GET", &format!("{DB}/schema.sql"), None).await;
    assert!(!schema.text.contains("orders"), "{}", schema.text);
    assert!(!schema.text.contains("email"), "{}", schema.text);

    // The rollback is now the last change: the original is refused,
    // naming the rollback's version; the rollback itself has a reverse.
    let latest = e.latest_migrate().await;
    let r = e
        .call("POST", &rollback, Some(json!({"allow_hazards": ["all"]})))
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.json()["code"], "failed_precondition");
    assert!(
        r.text.contains(latest["version"].as_str().unwrap()),
        "{}",
        r.text
    );
    assert!(
        latest["reverse"]["statement"]
            .as_str()
            .unwrap()
            .contains("orders"),
        "{latest:#}"
    );
}
