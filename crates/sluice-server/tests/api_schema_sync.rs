//! Sync schema through the API: the preview answers both schemas and a
//! plan per target, filing answers 201 with an issue holding a task per
//! differing target, hazards must be allowed by name, a changelog entry
//! can be the source, and bad requests are refused naming what is wrong.
//! Databases are SQLite files; no runner runs, so nothing is executed.

mod common;

use common::{Harness, Reply};
use serde_json::{Value, json};
use sluice_store::{PrincipalKind, ProjectRole, WorkspaceRole};

const BASE: &str = "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);";
const EXTRA: &str = "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL);\n\
                     ALTER TABLE customers ADD COLUMN email TEXT;";

struct Estate {
    h: Harness,
    owner: String,
    /// A Developer of project shop.
    dev: String,
    /// A Developer of project side only.
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

fn ok(r: &Reply, status: u16) -> Value {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    r.json()
}

/// Environments test and prod; on lite-test the source `src` (with the
/// extra table and column), `shop` (without) and `twin` (like the source);
/// on lite-prod `shop` plus a table `legacy` the source lacks. All in
/// project shop but lite-test/misc, in project side.
async fn estate() -> Estate {
    let h = Harness::new().await;
    let owner = h.owner().await;
    let (dev_id, dev) = h
        .principal(
            PrincipalKind::EndUser,
            "dev@example.com",
            WorkspaceRole::Developer,
            None,
        )
        .await;
    let (other_id, other) = h
        .principal(
            PrincipalKind::EndUser,
            "other@example.com",
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
        ok(&r, 201);
    }
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (test, prod) = (dirs.0.path(), dirs.1.path());
    sqlite_file(test, "src", &format!("{BASE}\n{EXTRA}")).await;
    sqlite_file(test, "twin", &format!("{BASE}\n{EXTRA}")).await;
    sqlite_file(test, "shop", BASE).await;
    sqlite_file(test, "misc", BASE).await;
    sqlite_file(
        prod,
        "shop",
        &format!("{BASE}\nCREATE TABLE legacy (id INTEGER);"),
    )
    .await;
    for (id, env, dir) in [("lite-test", "test", test), ("lite-prod", "prod", prod)] {
        let r = h.call("POST", "/v1/instances", Some(&owner), Some(json!({"id": id, "title": id, "engine": "SQLITE", "environment": env, "database": dir}))).await;
        ok(&r, 201);
        let r = h
            .call(
                "POST",
                &format!("/v1/instances/{id}/sync"),
                Some(&owner),
                None,
            )
            .await;
        ok(&r, 200);
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
        ok(&r, 201);
    }
    for (db, project) in [
        ("lite-test/src", "shop"),
        ("lite-test/twin", "shop"),
        ("lite-test/shop", "shop"),
        ("lite-prod/shop", "shop"),
        ("lite-test/misc", "side"),
    ] {
        let r = h
            .call(
                "PATCH",
                &format!("/v1/instances/{}", db.replacen('/', "/databases/", 1)),
                Some(&owner),
                Some(json!({"project": project})),
            )
            .await;
        ok(&r, 200);
    }
    h.member("shop", dev_id, ProjectRole::Developer).await;
    h.member("side", other_id, ProjectRole::Owner).await;
    Estate {
        h,
        owner,
        dev,
        other,
        _dirs: dirs,
    }
}

const PREVIEW: &str = "/v1/projects/shop/schema-sync/preview";
const FILE: &str = "/v1/projects/shop/schema-sync";

#[tokio::test]
async fn preview_then_file() {
    let e = estate().await;
    let body = json!({"source": "lite-test/src", "targets": ["lite-test/shop", "lite-prod/shop", "lite-test/twin"]});
    let r =
        e.h.call("POST", PREVIEW, Some(&e.dev), Some(body.clone()))
            .await;
    let v = ok(&r, 200);
    assert_eq!(v["source"]["database"], "lite-test/src");
    assert_eq!(v["source"]["origin"], "SYNCED_NOW");
    assert!(
        v["source"]["ddl"].as_str().unwrap().contains("orders"),
        "{v}"
    );
    let targets = v["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 3);
    for t in &targets[..2] {
        assert_eq!(t["in_sync"], false, "{t}");
        assert!(!t["ddl"].as_str().unwrap().contains("orders"), "{t}");
        assert!(!t["plan"]["steps"].as_array().unwrap().is_empty(), "{t}");
        assert!(t["statement"].as_str().unwrap().contains("orders"), "{t}");
        assert!(t["read_at"].as_str().unwrap().ends_with('Z'), "{t}");
    }
    assert_eq!(targets[0]["hazards"], json!([]));
    assert_eq!(targets[1]["hazards"], json!(["DELETES_DATA"]));
    assert_eq!(targets[1]["environment"], "prod");
    assert_eq!(targets[2]["in_sync"], true);
    assert_eq!(targets[2]["statement"], "");

    // Without the hazard allowed, nothing is filed and the hazard is named.
    let r =
        e.h.call("POST", FILE, Some(&e.dev), Some(body.clone()))
            .await;
    let err = ok(&r, 400);
    let message = err["message"].as_str().unwrap();
    assert!(message.starts_with("allow_hazards:"), "{message}");
    assert!(
        message.contains("lite-prod/shop (DELETES_DATA)"),
        "{message}"
    );
    let r =
        e.h.call("GET", "/v1/projects/shop/issues", Some(&e.dev), None)
            .await;
    assert_eq!(ok(&r, 200)["issues"], json!([]));

    let mut allowed = body.clone();
    allowed["allow_hazards"] = json!(["DELETES_DATA"]);
    let r = e.h.call("POST", FILE, Some(&e.dev), Some(allowed)).await;
    let issue = ok(&r, 201);
    assert_eq!(issue["number"], 1);
    assert_eq!(issue["type"], "SCHEMA_CHANGE");
    assert_eq!(issue["title"], "Sync schema from lite-test/src");
    assert!(
        issue["description"]
            .as_str()
            .unwrap()
            .contains("left out: lite-test/twin"),
        "{issue}"
    );
    let tasks: Vec<&Value> = issue["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["tasks"].as_array().unwrap())
        .collect();
    let names: Vec<&str> = tasks
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lite-test/shop", "lite-prod/shop"]);
    assert!(tasks[1]["statement"].as_str().unwrap().contains("legacy"));
    assert!(!tasks[0]["statement"].as_str().unwrap().contains("legacy"));
    // One script cannot replace per-target plans.
    let r =
        e.h.call(
            "PATCH",
            "/v1/projects/shop/issues/1",
            Some(&e.dev),
            Some(json!({"statement": "CREATE TABLE x (id INTEGER)"})),
        )
        .await;
    assert!(
        ok(&r, 409)["message"]
            .as_str()
            .unwrap()
            .contains("different SQL"),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn a_changelog_entry_can_be_the_source() {
    let e = estate().await;
    let db = e.h.app.store.database("lite-test", "shop").await.unwrap();
    let empty = serde_json::to_string(&sluice_schema::Catalog::new(
        "shop",
        sluice_schema::Dialect::Sqlite,
    ))
    .unwrap();
    let entry =
        e.h.app
            .store
            .append_changelog(&sluice_store::NewChangelog {
                db_id: db.id,
                version: "0001".into(),
                changelog_type: sluice_store::ChangelogType::Baseline,
                statement: String::new(),
                checksum: "x".into(),
                schema_before: String::new(),
                schema_after: empty,
                issue_id: None,
                task_run_id: None,
                creator_id: 1,
                status: sluice_store::ChangelogStatus::Done,
                duration_ms: 0,
            })
            .await
            .unwrap();
    // Planning from the last sync needs one: lite-prod/shop never had it.
    let body = json!({"source": "lite-test/shop", "changelog": entry.id, "targets": ["lite-prod/shop"], "sync": false});
    let r = e.h.call("POST", PREVIEW, Some(&e.dev), Some(body)).await;
    let err = ok(&r, 400);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("never been synced"),
        "{err}"
    );
    // The entry recorded an empty schema: syncing to it drops every table.
    let body =
        json!({"source": "lite-test/shop", "changelog": entry.id, "targets": ["lite-prod/shop"]});
    let r = e.h.call("POST", PREVIEW, Some(&e.dev), Some(body)).await;
    let v = ok(&r, 200);
    assert_eq!(v["source"]["origin"], "CHANGELOG");
    assert_eq!(v["source"]["changelog"], entry.id);
    assert_eq!(v["source"]["version"], "0001");
    let plan = &v["targets"][0];
    assert!(
        plan["hazards"]
            .as_array()
            .unwrap()
            .contains(&json!("DELETES_DATA")),
        "{plan}"
    );

    let body =
        json!({"source": "lite-test/src", "changelog": entry.id, "targets": ["lite-prod/shop"]});
    let r = e.h.call("POST", PREVIEW, Some(&e.dev), Some(body)).await;
    let err = ok(&r, 400);
    assert_eq!(
        err["message"],
        format!(
            "changelog: database lite-test/src has no changelog entry {}",
            entry.id
        )
    );
}

#[tokio::test]
async fn bad_requests_name_what_is_wrong() {
    let e = estate().await;
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"targets": ["lite-test/shop"]}), 400, "source"),
        (
            json!({"source": "lite-test/src", "targets": []}),
            400,
            "targets: name at least one target",
        ),
        (
            json!({"source": "src", "targets": ["lite-test/shop"]}),
            400,
            "is not a database: write it as",
        ),
        (
            json!({"source": "lite-test/nope", "targets": ["lite-test/shop"]}),
            400,
            "source: there is no database nope on instance lite-test",
        ),
        (
            json!({"source": "lite-test/src", "targets": ["lite-test/misc"]}),
            400,
            "targets: database lite-test/misc belongs to project side, not shop",
        ),
        (
            json!({"source": "lite-test/src", "targets": ["lite-test/shop", "lite-test/shop"]}),
            400,
            "targets: lite-test/shop is named twice",
        ),
        (
            json!({"source": "lite-test/src", "targets": ["lite-test/shop"], "surprise": 1}),
            400,
            "surprise",
        ),
        (
            json!({"source": "lite-test/src", "targets": ["lite-test/twin"]}),
            409,
            "every target is already in sync with the source",
        ),
        (
            json!({"source": "lite-test/src", "targets": ["lite-prod/shop"], "allow_hazards": ["BOGUS"]}),
            400,
            "allow_hazards: unknown hazard",
        ),
        (
            json!({"source": "lite-test/src", "targets": ["lite-test/shop"], "title": "  "}),
            201,
            "",
        ),
    ];
    for (body, status, words) in cases {
        let r =
            e.h.call("POST", FILE, Some(&e.dev), Some(body.clone()))
                .await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.text);
        assert!(r.text.contains(words), "{body}: {}", r.text);
    }
    // Outside the project: refused before anything is read.
    let body = json!({"source": "lite-test/src", "targets": ["lite-test/shop"]});
    for path in [PREVIEW, FILE] {
        let r =
            e.h.call("POST", path, Some(&e.other), Some(body.clone()))
                .await;
        assert_eq!(r.status.as_u16(), 403, "{}", r.text);
    }
    let r = e.h.call("POST", PREVIEW, None, Some(body)).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);
    // The owner sees the audit trail of the filing.
    let r =
        e.h.call(
            "GET",
            "/v1/audit-logs?action=issues.create",
            Some(&e.owner),
            None,
        )
        .await;
    assert!(r.text.contains("issues.create"), "{}", r.text);
}
