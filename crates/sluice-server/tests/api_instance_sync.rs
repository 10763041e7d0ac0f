//! Testing connections and syncing databases through the API, against the
//! real PostgreSQL, MariaDB and SQLite on this machine.

mod common;

use common::Harness;
use serde_json::{Value, json};

async fn pg_exec(sql: String) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect("postgres://postgres@127.0.0.1:5432/postgres")
        .await
        .expect("PostgreSQL on 127.0.0.1:5432");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
}

async fn my_exec(sql: String) {
    use sqlx::Connection;
    let mut conn = sqlx::MySqlConnection::connect("mysql://root@127.0.0.1:3306/")
        .await
        .expect("MariaDB on 127.0.0.1:3306");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
}

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}_{}", std::process::id(), sluice_store::now_ms())
}

fn names(v: &Value) -> Vec<String> {
    v["databases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

async fn setup(h: &Harness) -> String {
    let t = h.owner().await;
    h.call(
        "POST",
        "/v1/environments",
        Some(&t),
        Some(json!({"id": "test", "title": "Test"})),
    )
    .await;
    t
}

#[tokio::test]
async fn postgres_test_and_sync() {
    let h = Harness::new().await;
    let t = setup(&h).await;
    let body = json!({"id": "pg", "title": "PG", "engine": "POSTGRES", "environment": "test", "host": "127.0.0.1", "username": "postgres"});
    let r = h
        .call("POST", "/v1/connection-tests", Some(&t), Some(body.clone()))
        .await;
    assert_eq!(r.json()["ok"], true, "{}", r.text);
    assert_eq!(
        h.call("GET", "/v1/instances/pg", Some(&t), None)
            .await
            .status,
        404,
        "a connection test stores nothing"
    );
    assert_eq!(
        h.call("POST", "/v1/instances", Some(&t), Some(body))
            .await
            .status,
        201
    );

    let r = h
        .call("POST", "/v1/instances/pg/test", Some(&t), None)
        .await;
    let verdict = r.json();
    assert_eq!(verdict["ok"], true, "{}", r.text);
    assert_eq!(verdict["flavor"], "POSTGRES");
    let version = verdict["version"].as_str().unwrap().to_string();
    assert_eq!(
        h.call("GET", "/v1/instances/pg", Some(&t), None)
            .await
            .json()["engine_version"],
        version.as_str()
    );

    let name = unique("sluice_sync");
    pg_exec(format!("CREATE DATABASE {name}")).await;
    let r = h
        .call("POST", "/v1/instances/pg/sync", Some(&t), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let report = r.json();
    assert!(
        report["added"].as_array().unwrap().contains(&json!(name)),
        "{report}"
    );
    let r = h
        .call(
            "GET",
            &format!("/v1/instances/pg/databases/{name}"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(
        r.json()["project"],
        "default",
        "new databases land in the default project"
    );
    assert_eq!(r.json()["sync_state"], "OK");
    h.call(
        "PATCH",
        &format!("/v1/instances/pg/databases/{name}"),
        Some(&t),
        Some(json!({"labels": {"team": "a"}})),
    )
    .await;

    pg_exec(format!("DROP DATABASE {name}")).await;
    let r = h
        .call("POST", "/v1/instances/pg/sync", Some(&t), None)
        .await;
    assert!(
        r.json()["missing"]
            .as_array()
            .unwrap()
            .contains(&json!(name)),
        "{}",
        r.text
    );
    let r = h
        .call(
            "GET",
            &format!("/v1/instances/pg/databases/{name}"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.json()["sync_state"], "NOT_FOUND");
    assert_eq!(
        r.json()["labels"],
        json!({"team": "a"}),
        "a vanished database keeps its record"
    );

    let audit = h
        .call(
            "GET",
            "/v1/audit-logs?action=instances.sync",
            Some(&t),
            None,
        )
        .await
        .json();
    assert_eq!(audit["audit_logs"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn failures_give_a_verdict_not_an_error() {
    let h = Harness::new().await;
    let t = setup(&h).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cases = [
        (
            json!({"engine": "POSTGRES", "host": "127.0.0.1", "port": closed, "username": "postgres"}),
            "UNREACHABLE",
        ),
        (
            json!({"engine": "POSTGRES", "host": "127.0.0.1", "username": "no_such_role_x"}),
            "AUTHENTICATION_FAILED",
        ),
        (
            json!({"engine": "POSTGRES", "host": "127.0.0.1", "username": "postgres", "database": "no_such_db_x"}),
            "DATABASE_MISSING",
        ),
        (
            json!({"engine": "MARIADB", "host": "127.0.0.1", "username": "root", "password": "wrong"}),
            "AUTHENTICATION_FAILED",
        ),
        (
            json!({"engine": "SQLITE", "database": "/no/such/dir"}),
            "DATABASE_MISSING",
        ),
    ];
    for (fields, kind) in cases {
        let mut body = json!({"id": "x", "title": "X", "environment": "test"});
        for (k, v) in fields.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = h
            .call("POST", "/v1/connection-tests", Some(&t), Some(body.clone()))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["ok"], false, "{body}");
        assert_eq!(r.json()["kind"], kind, "{body}: {}", r.text);
    }
    // Sync of an unreachable instance: 502 naming the cause, recorded on the instance.
    let body = json!({"id": "gone", "title": "Gone", "engine": "POSTGRES", "environment": "test", "host": "127.0.0.1", "port": closed});
    h.call("POST", "/v1/instances", Some(&t), Some(body)).await;
    let r = h
        .call("POST", "/v1/instances/gone/sync", Some(&t), None)
        .await;
    assert_eq!(r.status, 502, "{}", r.text);
    assert_eq!(r.json()["code"], "upstream_failed");
    let inst = h
        .call("GET", "/v1/instances/gone", Some(&t), None)
        .await
        .json();
    assert!(
        inst["sync_error"]
            .as_str()
            .unwrap()
            .contains("cannot reach"),
        "{inst}"
    );
    assert_eq!(
        h.call("POST", "/v1/instances/nope/sync", Some(&t), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn mariadb_and_sqlite_sync() {
    let h = Harness::new().await;
    let t = setup(&h).await;
    let name = unique("sluice_sync");
    my_exec(format!("CREATE DATABASE {name}")).await;
    let r = h.call("POST", "/v1/instances", Some(&t), Some(json!({"id": "maria", "title": "Maria", "engine": "MARIADB", "environment": "test", "host": "127.0.0.1", "username": "root"}))).await;
    assert_eq!(r.status, 201);
    let r = h
        .call("POST", "/v1/instances/maria/sync", Some(&t), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let listed = names(
        &h.call(
            "GET",
            "/v1/instances/maria/databases?page_size=1000",
            Some(&t),
            None,
        )
        .await
        .json(),
    );
    assert!(listed.contains(&name));
    assert!(
        !listed
            .iter()
            .any(|d| d == "mysql" || d == "information_schema"),
        "{listed:?}"
    );
    my_exec(format!("DROP DATABASE {name}")).await;

    let dir = tempfile::tempdir().unwrap();
    for db in ["shop", "audit"] {
        std::fs::File::create(dir.path().join(format!("{db}.db"))).unwrap();
    }
    let r = h.call("POST", "/v1/instances", Some(&t), Some(json!({"id": "lite", "title": "Lite", "engine": "SQLITE", "environment": "test", "database": dir.path()}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = h
        .call("POST", "/v1/instances/lite/sync", Some(&t), None)
        .await;
    assert_eq!(
        r.json()["databases"],
        json!(["audit", "shop"]),
        "{}",
        r.text
    );
}
