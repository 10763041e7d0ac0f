//! Creating databases, syncing their schema, and reading it back as the
//! model and as DDL, against the real servers on this machine.

mod common;

use common::Harness;
use serde_json::{Value, json};

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}_{}", std::process::id(), sluice_store::now_ms())
}

async fn pg(sql: String, database: &str) {
    use sqlx::Connection;
    let mut conn =
        sqlx::PgConnection::connect(&format!("postgres://postgres@127.0.0.1:5432/{database}"))
            .await
            .expect("PostgreSQL on 127.0.0.1:5432");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
}

async fn maria(sql: String) {
    use sqlx::Connection;
    let mut conn = sqlx::MySqlConnection::connect("mysql://root@127.0.0.1:3306/")
        .await
        .expect("MariaDB on 127.0.0.1:3306");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
}

fn table_names(catalog: &Value) -> Vec<String> {
    catalog["schemas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["tables"].as_array().cloned().unwrap_or_default())
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

async fn estate(h: &Harness) -> String {
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
async fn postgres_create_sync_and_read_schema() {
    let h = Harness::new().await;
    let t = estate(&h).await;
    let r = h.call("POST", "/v1/instances", Some(&t), Some(json!({"id": "pg", "title": "PG", "engine": "POSTGRES", "environment": "test", "host": "127.0.0.1", "username": "postgres"}))).await;
    assert_eq!(r.status, 201);

    let name = unique("sluice_schema");
    let r = h
        .call(
            "POST",
            "/v1/instances/pg/databases",
            Some(&t),
            Some(json!({"name": name, "options": {"encoding": "UTF8", "template": "template0"}})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["project"], "default");
    let r = h
        .call(
            "POST",
            "/v1/instances/pg/databases",
            Some(&t),
            Some(json!({"name": name})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = h
        .call(
            "POST",
            "/v1/instances/pg/databases",
            Some(&t),
            Some(json!({"name": "x", "options": {"charset": "utf8mb4"}})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("options:")
    );
    let r = h
        .call(
            "POST",
            "/v1/instances/pg/databases",
            Some(&t),
            Some(json!({"name": "x", "options": {"colour": "red"}})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);

    let r = h
        .call(
            "GET",
            &format!("/v1/instances/pg/databases/{name}/schema"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.status, 404, "never synced yet: {}", r.text);

    pg(
        "CREATE TABLE account (id bigint PRIMARY KEY, email text NOT NULL UNIQUE); \
        CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint REFERENCES account (id))"
            .into(),
        &name,
    )
    .await;
    let r = h
        .call(
            "POST",
            &format!("/v1/instances/pg/databases/{name}/sync"),
            Some(&t),
            None,
        )
        .await;
    let outcome = r.text.clone();
    let r2 = h
        .call(
            "GET",
            &format!("/v1/instances/pg/databases/{name}/schema"),
            Some(&t),
            None,
        )
        .await;
    let sql = h
        .call(
            "GET",
            &format!("/v1/instances/pg/databases/{name}/schema.sql"),
            Some(&t),
            None,
        )
        .await;
    pg(format!("DROP DATABASE {name} WITH (FORCE)"), "postgres").await;

    assert_eq!(r.status, 200, "{outcome}");
    assert_eq!(table_names(&r.json()["catalog"]), vec!["account", "orders"]);
    assert_eq!(r2.status, 200);
    assert_eq!(r2.json()["catalog"], r.json()["catalog"]);
    assert!(
        sql.text.contains("CREATE TABLE") && sql.text.contains("orders"),
        "{}",
        sql.text
    );
}

#[tokio::test]
async fn mariadb_and_sqlite_create_and_sync() {
    let h = Harness::new().await;
    let t = estate(&h).await;
    h.call("POST", "/v1/instances", Some(&t), Some(json!({"id": "maria", "title": "Maria", "engine": "MARIADB", "environment": "test", "host": "127.0.0.1", "username": "root"}))).await;
    let name = unique("sluice_schema");
    let r = h.call("POST", "/v1/instances/maria/databases", Some(&t), Some(json!({"name": name, "options": {"charset": "utf8mb4", "collation": "utf8mb4_bin"}}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    maria(format!(
        "CREATE TABLE `{name}`.item (id INT PRIMARY KEY AUTO_INCREMENT, label VARCHAR(40) NOT NULL)"
    ))
    .await;
    let r = h
        .call(
            "POST",
            &format!("/v1/instances/maria/databases/{name}/sync"),
            Some(&t),
            None,
        )
        .await;
    maria(format!("DROP DATABASE `{name}`")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(table_names(&r.json()["catalog"]), vec!["item"]);

    let dir = tempfile::tempdir().unwrap();
    h.call("POST", "/v1/instances", Some(&t), Some(json!({"id": "lite", "title": "Lite", "engine": "SQLITE", "environment": "test", "database": dir.path()}))).await;
    let r = h
        .call(
            "POST",
            "/v1/instances/lite/databases",
            Some(&t),
            Some(json!({"name": "shop"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!(
            "sqlite://{}",
            dir.path().join("shop.db").display()
        ))
        .await
        .unwrap();
        sqlx::raw_sql("CREATE TABLE cart (id INTEGER PRIMARY KEY, total REAL NOT NULL)")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let r = h
        .call(
            "POST",
            "/v1/instances/lite/databases/shop/sync",
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(table_names(&r.json()["catalog"]), vec!["cart"]);
    let sql = h
        .call(
            "GET",
            "/v1/instances/lite/databases/shop/schema.sql",
            Some(&t),
            None,
        )
        .await;
    assert!(sql.text.contains("CREATE TABLE cart"), "{}", sql.text);
}

#[tokio::test]
async fn a_failed_schema_sync_is_recorded() {
    let h = Harness::new().await;
    let t = estate(&h).await;
    let dir = tempfile::tempdir().unwrap();
    h.call("POST", "/v1/instances", Some(&t), Some(json!({"id": "lite", "title": "Lite", "engine": "SQLITE", "environment": "test", "database": dir.path()}))).await;
    h.call(
        "POST",
        "/v1/instances/lite/databases",
        Some(&t),
        Some(json!({"name": "gone"})),
    )
    .await;
    std::fs::remove_file(dir.path().join("gone.db")).unwrap();
    let r = h
        .call(
            "POST",
            "/v1/instances/lite/databases/gone/sync",
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.status, 502, "{}", r.text);
    let db = h
        .call("GET", "/v1/instances/lite/databases/gone", Some(&t), None)
        .await
        .json();
    assert!(!db["sync_error"].as_str().unwrap().is_empty(), "{db}");
}
