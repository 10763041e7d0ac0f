//! The permission matrix: every API route × every kind of caller. The
//! routes and the permission each needs come from `/v1/openapi.json`
//! (`x-permission`, `x-scope`), the expectations from the role tables in
//! sluice-app, so a new route or a changed role cannot slip through.

mod common;

use common::Harness;
use serde_json::{Value, json};
use sluice_app::permissions::{PROJECT_ROLES, WORKSPACE_ROLES};
use sluice_store::{PrincipalKind, ProjectRole, WorkspaceRole, now_ms};
use std::collections::BTreeSet;

/// Who calls.
#[derive(Debug, Clone, Copy)]
enum Who {
    Owner,
    Dba,
    Developer,
    /// A workspace Developer who owns project `alpha`.
    ProjectOwner,
    /// A workspace Developer who is a Developer in project `alpha`.
    ProjectDeveloper,
    /// A workspace Developer who belongs only to project `beta`.
    OtherProject,
    /// A service account with the Developer role, in no project.
    ServiceAccount,
    Anonymous,
    Expired,
}

const EVERYONE: [Who; 9] = [
    Who::Owner,
    Who::Dba,
    Who::Developer,
    Who::ProjectOwner,
    Who::ProjectDeveloper,
    Who::OtherProject,
    Who::ServiceAccount,
    Who::Anonymous,
    Who::Expired,
];

struct Fixture {
    h: Harness,
    tokens: Vec<(String, Option<String>)>,
    ids: Ids,
    /// Holds the SQLite instance's files while the fixture lives.
    _dir: tempfile::TempDir,
}

/// A fresh estate: environments, an instance with a database in project
/// `alpha`, project `beta`, and one principal of each kind.
async fn fixture() -> Fixture {
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
    let (_, dev) = h
        .principal(
            PrincipalKind::EndUser,
            "dev@example.com",
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
    let (pdev_id, pdev) = h
        .principal(
            PrincipalKind::EndUser,
            "pdev@example.com",
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
    let (_, sa) = h
        .principal(
            PrincipalKind::ServiceAccount,
            "ci@example.com",
            WorkspaceRole::Developer,
            None,
        )
        .await;
    let (_, expired) = h
        .principal(
            PrincipalKind::EndUser,
            "old@example.com",
            WorkspaceRole::Owner,
            Some(now_ms() - 1000),
        )
        .await;
    let (victim, _) = h
        .principal(
            PrincipalKind::EndUser,
            "victim@example.com",
            WorkspaceRole::Developer,
            None,
        )
        .await;

    for (id, title) in [("test", "Test"), ("prod", "Prod"), ("spare", "Spare")] {
        let r = h
            .call(
                "POST",
                "/v1/environments",
                Some(&owner),
                Some(json!({"id": id, "title": title})),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let r = h.call("POST", "/v1/instances", Some(&owner), Some(json!({"id": "pg", "title": "PG", "engine": "POSTGRES", "environment": "test", "host": "127.0.0.1", "username": "postgres"}))).await;
    assert_eq!(r.status, 201);
    for (id, key) in [("alpha", "ALPHA"), ("beta", "BETA")] {
        let r = h
            .call(
                "POST",
                "/v1/projects",
                Some(&owner),
                Some(json!({"id": id, "title": id, "key": key})),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    h.member("alpha", pown_id, ProjectRole::Owner).await;
    h.member("alpha", pdev_id, ProjectRole::Developer).await;
    h.member("alpha", victim, ProjectRole::Developer).await;
    h.member("beta", other_id, ProjectRole::Owner).await;
    h.app.store.upsert_database("pg", "orders").await.unwrap();
    h.app
        .store
        .update_database("pg", "orders", Some("alpha"), None)
        .await
        .unwrap();
    h.app.store.upsert_database("pg", "ledger").await.unwrap();
    // A review config attached nowhere.
    h.app
        .store
        .create_review_config(
            "house",
            "House rules",
            r#"{"template":"strict-production"}"#,
        )
        .await
        .unwrap();

    // A SQLite instance whose database `orders` (in alpha) has a synced schema.
    let dir = tempfile::tempdir().unwrap();
    {
        use sqlx::Connection;
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("orders.db").display()
        );
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::raw_sql("CREATE TABLE line (id INTEGER PRIMARY KEY)")
            .execute(&mut conn)
            .await
            .unwrap();
        // An empty database beside it, that schema sync makes match orders.
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("spare.db").display()
        );
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::raw_sql("PRAGMA user_version = 1")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let r = h.call("POST", "/v1/instances", Some(&owner), Some(json!({"id": "lite", "title": "Lite", "engine": "SQLITE", "environment": "test", "database": dir.path()}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let lite = h.app.store.upsert_database("lite", "orders").await.unwrap();
    h.app.store.upsert_database("lite", "spare").await.unwrap();
    h.app
        .store
        .update_database("lite", "spare", Some("alpha"), None)
        .await
        .unwrap();
    h.app
        .store
        .update_database("lite", "orders", Some("alpha"), None)
        .await
        .unwrap();
    let catalog = serde_json::to_string(&sluice_schema::Catalog::new(
        "orders",
        sluice_schema::Dialect::Sqlite,
    ))
    .unwrap();
    h.app
        .store
        .record_schema_sync(lite.id, Ok((&catalog, "")))
        .await
        .unwrap();
    h.app
        .store
        .update_database("pg", "ledger", Some("beta"), None)
        .await
        .unwrap();
    // Issue 1 of alpha, with one task on lite/orders, and a changelog entry.
    let r = h
        .call(
            "POST",
            "/v1/projects/alpha/issues",
            Some(&owner),
            Some(json!({"title": "Add extra", "type": "SCHEMA_CHANGE", "statement": "CREATE TABLE extra (id INTEGER)", "targets": ["lite/orders"]})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let task = r.json()["pipeline"]["stages"][0]["tasks"][0]["id"]
        .as_i64()
        .unwrap();
    let changelog = h
        .app
        .store
        .append_changelog(&sluice_store::NewChangelog {
            db_id: lite.id,
            version: "0001".into(),
            changelog_type: sluice_store::ChangelogType::Migrate,
            statement: "CREATE TABLE line (id INTEGER PRIMARY KEY)".into(),
            checksum: "x".into(),
            schema_before: String::new(),
            schema_after: String::new(),
            issue_id: None,
            task_run_id: None,
            creator_id: 1,
            status: sluice_store::ChangelogStatus::Done,
            duration_ms: 3,
        })
        .await
        .unwrap();
    // Its reverse, as the runner keeps it for a DONE schema change.
    h.app
        .store
        .set_changelog_reverse(&sluice_store::ChangelogReverse {
            changelog_id: changelog.id,
            statement: "DROP TABLE line".into(),
            hazards: r#"["DELETES_DATA"]"#.into(),
            plan: String::new(),
            note: String::new(),
            created_at: 0,
        })
        .await
        .unwrap();

    let tokens = vec![
        ("owner".to_string(), Some(owner)),
        ("dba".into(), Some(dba)),
        ("dev".into(), Some(dev)),
        ("pown".into(), Some(pown)),
        ("pdev".into(), Some(pdev)),
        ("other".into(), Some(other)),
        ("sa".into(), Some(sa)),
        ("anon".into(), None),
        ("expired".into(), Some(expired)),
    ];
    Fixture {
        h,
        tokens,
        ids: Ids {
            victim,
            task,
            changelog: changelog.id,
        },
        _dir: dir,
    }
}

/// Ids the sample requests name.
#[derive(Debug, Default, Clone, Copy)]
struct Ids {
    /// A user in project `alpha` that user routes act on.
    victim: i64,
    /// The task of issue 1 in `alpha` (on lite/orders, environment test).
    task: i64,
    /// A changelog entry of lite/orders.
    changelog: i64,
}

impl Fixture {
    fn token(&self, who: Who) -> Option<&str> {
        self.tokens[who as usize].1.as_deref()
    }
}

/// A concrete request for each route of the OpenAPI document. A route
/// missing here fails the test: add it with a valid request.
fn sample(method: &str, path: &str, ids: Ids) -> Option<(String, Option<Value>)> {
    let v = ids.victim;
    let t = ids.task;
    let issue = "/v1/projects/alpha/issues/1";
    let r = |p: &str, b: Option<Value>| Some((p.to_string(), b));
    match (method, path) {
        ("post", "/v1/auth/signup") | ("post", "/v1/auth/login") => None, // public, covered in api_routes
        ("post", "/v1/auth/logout") => r("/v1/auth/logout", None),
        ("get", "/v1/users/me") => r("/v1/users/me", None),
        ("get", "/v1/workspace") => r("/v1/workspace", None),
        ("patch", "/v1/workspace") => r("/v1/workspace", Some(json!({"name": "Acme"}))),
        ("get", "/v1/users") => r("/v1/users", None),
        ("post", "/v1/users") => r(
            "/v1/users",
            Some(
                json!({"email": "new@example.com", "name": "New", "password": "newpass-123", "role": "DEVELOPER"}),
            ),
        ),
        ("get", "/v1/users/{id}") => r(&format!("/v1/users/{v}"), None),
        ("patch", "/v1/users/{id}") => {
            r(&format!("/v1/users/{v}"), Some(json!({"name": "Renamed"})))
        }
        ("delete", "/v1/users/{id}") => r(&format!("/v1/users/{v}"), None),
        ("post", "/v1/users/{id}/restore") => r(&format!("/v1/users/{v}/restore"), None),
        ("get", "/v1/service-accounts") => r("/v1/service-accounts", None),
        ("post", "/v1/service-accounts") => r(
            "/v1/service-accounts",
            Some(json!({"email": "bot@example.com", "name": "Bot", "role": "DEVELOPER"})),
        ),
        ("get", "/v1/environments") => r("/v1/environments", None),
        ("post", "/v1/environments") => {
            r("/v1/environments", Some(json!({"id": "qa", "title": "QA"})))
        }
        ("get", "/v1/environments/{id}") => r("/v1/environments/test", None),
        ("patch", "/v1/environments/{id}") => r(
            "/v1/environments/test",
            Some(json!({"title": "Testing", "rollout": "MANUAL"})),
        ),
        ("delete", "/v1/environments/{id}") => r("/v1/environments/spare", None),
        ("post", "/v1/environments/{id}/restore") => r("/v1/environments/spare/restore", None),
        ("put", "/v1/environments-order") => r(
            "/v1/environments-order",
            Some(json!({"ids": ["prod", "test", "spare"]})),
        ),
        ("get", "/v1/instances") => r("/v1/instances", None),
        ("post", "/v1/instances") => r(
            "/v1/instances",
            Some(
                json!({"id": "my", "title": "My", "engine": "MARIADB", "environment": "prod", "host": "127.0.0.1"}),
            ),
        ),
        ("get", "/v1/instances/{id}") => r("/v1/instances/pg", None),
        ("patch", "/v1/instances/{id}") => {
            r("/v1/instances/pg", Some(json!({"title": "Postgres"})))
        }
        ("delete", "/v1/instances/{id}") => r("/v1/instances/pg", None),
        ("post", "/v1/instances/{id}/restore") => r("/v1/instances/pg/restore", None),
        ("post", "/v1/instances/{id}/test") => r("/v1/instances/pg/test", None),
        ("post", "/v1/instances/{id}/sync") => r("/v1/instances/pg/sync", None),
        ("post", "/v1/connection-tests") => r(
            "/v1/connection-tests",
            Some(
                json!({"id": "probe", "title": "Probe", "engine": "POSTGRES", "environment": "test", "host": "127.0.0.1", "username": "postgres"}),
            ),
        ),
        ("get", "/v1/projects") => r("/v1/projects", None),
        ("post", "/v1/projects") => r(
            "/v1/projects",
            Some(json!({"id": "gamma", "title": "Gamma", "key": "GAMMA"})),
        ),
        ("get", "/v1/projects/{id}") => r("/v1/projects/alpha", None),
        ("patch", "/v1/projects/{id}") => r(
            "/v1/projects/alpha",
            Some(json!({"title": "Alpha!", "allow_self_approval": true})),
        ),
        ("delete", "/v1/projects/{id}") => r("/v1/projects/alpha", None),
        ("post", "/v1/projects/{id}/restore") => r("/v1/projects/alpha/restore", None),
        ("get", "/v1/projects/{id}/members") => r("/v1/projects/alpha/members", None),
        ("put", "/v1/projects/{id}/members") => r(
            "/v1/projects/alpha/members",
            Some(json!({"email": "victim@example.com", "role": "OWNER"})),
        ),
        ("delete", "/v1/projects/{id}/members") => {
            r("/v1/projects/alpha/members?email=victim@example.com", None)
        }
        ("get", "/v1/databases") => r("/v1/databases", None),
        ("get", "/v1/instances/{id}/databases") => r("/v1/instances/pg/databases", None),
        ("get", "/v1/instances/{id}/databases/{name}") => {
            r("/v1/instances/pg/databases/orders", None)
        }
        ("patch", "/v1/instances/{id}/databases/{name}") => r(
            "/v1/instances/pg/databases/orders",
            Some(json!({"labels": {"tier": "gold"}})),
        ),
        ("get", "/v1/audit-logs") => r("/v1/audit-logs", None),
        ("post", "/v1/instances/{id}/databases") => r(
            "/v1/instances/lite/databases",
            Some(json!({"name": "fresh"})),
        ),
        ("post", "/v1/instances/{id}/databases/{name}/sync") => {
            r("/v1/instances/lite/databases/orders/sync", None)
        }
        ("get", "/v1/instances/{id}/databases/{name}/schema") => {
            r("/v1/instances/lite/databases/orders/schema", None)
        }
        ("get", "/v1/instances/{id}/databases/{name}/schema.sql") => {
            r("/v1/instances/lite/databases/orders/schema.sql", None)
        }
        ("get", "/v1/instances/{id}/databases/{name}/changelogs") => {
            r("/v1/instances/lite/databases/orders/changelogs", None)
        }
        ("get", "/v1/instances/{id}/databases/{name}/changelogs/{changelog}") => r(
            &format!(
                "/v1/instances/lite/databases/orders/changelogs/{}",
                ids.changelog
            ),
            None,
        ),
        ("get", "/v1/instances/{id}/databases/{name}/drift") => {
            r("/v1/instances/lite/databases/orders/drift", None)
        }
        ("post", "/v1/instances/{id}/databases/{name}/drift/accept") => {
            r("/v1/instances/lite/databases/orders/drift/accept", None)
        }
        ("get", "/v1/instances/{id}/databases/{name}/activity") => {
            r("/v1/instances/lite/databases/orders/activity", None)
        }
        ("post", "/v1/instances/{id}/databases/{name}/changelogs/{changelog}/rollback") => r(
            &format!(
                "/v1/instances/lite/databases/orders/changelogs/{}/rollback",
                ids.changelog
            ),
            Some(json!({"allow_hazards": ["DELETES_DATA"]})),
        ),
        ("get", "/v1/projects/{id}/issues") => r("/v1/projects/alpha/issues?status=OPEN", None),
        ("post", "/v1/projects/{id}/issues") => r(
            "/v1/projects/alpha/issues",
            Some(
                json!({"title": "More", "type": "SCHEMA_CHANGE", "statement": "CREATE TABLE more (id INTEGER)", "targets": ["lite/orders"]}),
            ),
        ),
        ("get", "/v1/projects/{id}/issues/{number}") => r(issue, None),
        ("patch", "/v1/projects/{id}/issues/{number}") => {
            r(issue, Some(json!({"title": "Renamed"})))
        }
        ("post", "/v1/projects/{id}/issues/{number}/approve") => {
            r(&format!("{issue}/approve"), None)
        }
        ("post", "/v1/projects/{id}/issues/{number}/cancel") => {
            r(&format!("{issue}/cancel"), Some(json!({})))
        }
        ("post", "/v1/projects/{id}/issues/{number}/stages/{environment}/run") => {
            r(&format!("{issue}/stages/test/run"), None)
        }
        ("post", "/v1/projects/{id}/issues/{number}/tasks/{task}/run") => {
            r(&format!("{issue}/tasks/{t}/run"), None)
        }
        ("post", "/v1/projects/{id}/issues/{number}/tasks/{task}/retry") => {
            r(&format!("{issue}/tasks/{t}/retry"), None)
        }
        ("post", "/v1/projects/{id}/issues/{number}/tasks/{task}/skip") => r(
            &format!("{issue}/tasks/{t}/skip"),
            Some(json!({"reason": "not needed"})),
        ),
        ("post", "/v1/projects/{id}/issues/{number}/tasks/{task}/cancel") => {
            r(&format!("{issue}/tasks/{t}/cancel"), None)
        }
        ("get", "/v1/projects/{id}/issues/{number}/tasks/{task}/runs") => {
            r(&format!("{issue}/tasks/{t}/runs"), None)
        }
        ("get", "/v1/projects/{id}/issues/{number}/comments") => {
            r(&format!("{issue}/comments"), None)
        }
        ("post", "/v1/projects/{id}/issues/{number}/comments") => r(
            &format!("{issue}/comments"),
            Some(json!({"body": "Looks good"})),
        ),
        ("get", "/v1/projects/{id}/issues/{number}/activity") => {
            r(&format!("{issue}/activity"), None)
        }
        ("post", "/v1/projects/{id}/issues/{number}/tasks/{task}/override-checks") => r(
            &format!("{issue}/tasks/{t}/override-checks"),
            Some(json!({"reason": "reviewed by hand"})),
        ),
        ("post", "/v1/projects/{id}/schema-sync/preview") => r(
            "/v1/projects/alpha/schema-sync/preview",
            Some(json!({"source": "lite/orders", "targets": ["lite/spare"]})),
        ),
        ("post", "/v1/projects/{id}/schema-sync") => r(
            "/v1/projects/alpha/schema-sync",
            Some(json!({"source": "lite/orders", "targets": ["lite/spare"]})),
        ),
        ("get", "/v1/review-configs") => r("/v1/review-configs", None),
        ("post", "/v1/review-configs") => r(
            "/v1/review-configs",
            Some(json!({"id": "fresh", "title": "Fresh", "template": "lenient-development"})),
        ),
        ("get", "/v1/review-configs/{id}") => r("/v1/review-configs/house", None),
        ("patch", "/v1/review-configs/{id}") => r(
            "/v1/review-configs/house",
            Some(json!({"rules": {"table.require-pk": {"level": "WARNING"}}})),
        ),
        ("delete", "/v1/review-configs/{id}") => r("/v1/review-configs/house", None),
        _ => {
            panic!("route {method} {path} has no sample request in the permission matrix: add one")
        }
    }
}

fn workspace_role(who: Who) -> Option<WorkspaceRole> {
    match who {
        Who::Owner => Some(WorkspaceRole::Owner),
        Who::Dba => Some(WorkspaceRole::Dba),
        Who::Developer
        | Who::ProjectOwner
        | Who::ProjectDeveloper
        | Who::OtherProject
        | Who::ServiceAccount => Some(WorkspaceRole::Developer),
        Who::Anonymous | Who::Expired => None,
    }
}

/// The caller's role in project `alpha`, the project every scoped sample targets.
fn alpha_role(who: Who) -> Option<ProjectRole> {
    match who {
        Who::ProjectOwner => Some(ProjectRole::Owner),
        Who::ProjectDeveloper => Some(ProjectRole::Developer),
        _ => None,
    }
}

/// Whether the role tables say yes.
fn expected_allowed(who: Who, permission: &str, project_scoped: bool) -> bool {
    let Some(role) = workspace_role(who) else {
        return false;
    };
    if permission == "authenticated" {
        return true;
    }
    let by_workspace = WORKSPACE_ROLES
        .iter()
        .any(|(r, perms)| *r == role && perms.iter().any(|p| p.name() == permission));
    let by_project = project_scoped
        && alpha_role(who).is_some_and(|pr| {
            PROJECT_ROLES
                .iter()
                .any(|(r, perms)| *r == pr && perms.iter().any(|p| p.name() == permission))
        });
    by_workspace || by_project
}

#[tokio::test]
async fn every_route_times_every_caller() {
    let probe = Harness::new().await;
    let doc = probe
        .call("GET", "/v1/openapi.json", None, None)
        .await
        .json();
    let mut checked = 0;
    let mut failures = Vec::new();
    let known: BTreeSet<&str> = sluice_app::Permission::ALL
        .iter()
        .map(|p| p.name())
        .collect();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let permission = op["x-permission"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} declares no x-permission"));
            assert!(
                ["public", "authenticated"].contains(&permission) || known.contains(permission),
                "{method} {path}: unknown permission {permission}"
            );
            let scoped = op["x-scope"] == "project";
            // Approving and task actions: beyond `x-permission`, the
            // environment's policy decides (tested in api_issues), so here
            // only callers without the permission must be refused.
            let by_policy = match &op["x-policy"] {
                Value::Null => false,
                Value::String(p) if p == "environment" => true,
                other => panic!("{method} {path}: unknown x-policy {other}"),
            };
            // Every route is sampled, even the public ones (None = skip).
            let fx_probe = sample(method, path, Ids::default());
            if fx_probe.is_none() {
                assert_eq!(permission, "public", "{method} {path}");
                continue;
            }
            for who in EVERYONE {
                // A fresh estate per call, so one caller's change cannot
                // decide the next caller's answer.
                let fx = fixture().await;
                let (concrete, body) = sample(method, path, fx.ids).unwrap();
                let r =
                    fx.h.call(&method.to_uppercase(), &concrete, fx.token(who), body)
                        .await;
                let status = r.status.as_u16();
                let allowed = expected_allowed(who, permission, scoped);
                let ok = match who {
                    Who::Anonymous | Who::Expired => status == 401,
                    _ if allowed && by_policy => status != 401,
                    _ if allowed => (200..300).contains(&status),
                    _ => status == 403,
                };
                if !ok {
                    failures.push(format!(
                        "{who:?} {method} {concrete} ({permission}): expected {}, got {status} {}",
                        if allowed { "2xx" } else { "deny" },
                        r.text
                    ));
                }
                assert_ne!(status, 500, "{who:?} {method} {concrete}: {}", r.text);
                checked += 1;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 300, "only {checked} checks ran");
}

/// Nobody sees another project's data through any list or get.
#[tokio::test]
async fn projects_are_private_to_their_members() {
    let fx = fixture().await;
    let other = fx.token(Who::OtherProject);
    let projects = fx.h.call("GET", "/v1/projects", other, None).await.json();
    let ids: Vec<&str> = projects["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["beta"]);
    for path in [
        "/v1/databases",
        "/v1/instances/pg/databases",
        "/v1/databases?project=alpha",
    ] {
        let r = fx.h.call("GET", path, other, None).await;
        assert_eq!(r.status, 200);
        assert!(
            !r.text.contains("orders") && !r.text.contains("alpha"),
            "{path}: {}",
            r.text
        );
    }
    for path in [
        "/v1/projects/alpha",
        "/v1/projects/alpha/members",
        "/v1/instances/pg/databases/orders",
        "/v1/projects/alpha/issues",
        "/v1/projects/alpha/issues/1",
        "/v1/projects/alpha/issues/1/activity",
        "/v1/projects/alpha/issues/1/comments",
        "/v1/instances/lite/databases/orders/changelogs",
        "/v1/instances/lite/databases/orders/drift",
        "/v1/instances/lite/databases/orders/activity",
    ] {
        assert_eq!(
            fx.h.call("GET", path, other, None).await.status,
            403,
            "{path}"
        );
    }
    // Moving a database into a project one does not manage is refused.
    let r =
        fx.h.call(
            "PATCH",
            "/v1/instances/pg/databases/orders",
            fx.token(Who::ProjectOwner),
            Some(json!({"project": "beta"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    // A project Owner sees their project's database, a DBA sees all.
    let r =
        fx.h.call(
            "GET",
            "/v1/databases",
            fx.token(Who::ProjectDeveloper),
            None,
        )
        .await;
    assert_eq!(
        r.json()["databases"].as_array().unwrap().len(),
        3,
        "pg/orders, lite/orders and lite/spare"
    );
    let r =
        fx.h.call("GET", "/v1/databases", fx.token(Who::Dba), None)
            .await;
    assert_eq!(r.json()["databases"].as_array().unwrap().len(), 4);
    // Denials are audited.
    let r =
        fx.h.call(
            "GET",
            "/v1/audit-logs?action=projects.get",
            fx.token(Who::Owner),
            None,
        )
        .await;
    assert_eq!(r.json()["audit_logs"][0]["outcome"], "DENIED");
}
