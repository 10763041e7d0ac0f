//! The API over a PostgreSQL metadata store (`--metadata-url`): the same
//! flows as on SQLite, on a fresh uniquely named database that is dropped
//! afterwards.

mod common;

use common::Harness;
use serde_json::json;
use sluice_store::Store;

const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

async fn admin(sql: String) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(ADMIN_URL)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL must run on 127.0.0.1:5432 for this test: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn estate_on_a_postgres_metadata_store() {
    let name = format!(
        "sluice_api_{}_{}",
        std::process::id(),
        sluice_store::now_ms()
    );
    admin(format!("CREATE DATABASE {name}")).await;
    let store = Store::open_postgres(&format!("postgres://postgres@127.0.0.1:5432/{name}"))
        .await
        .unwrap();
    let h = Harness::on(store.clone()).await;

    let t = h.owner().await;
    let r = h
        .call(
            "POST",
            "/v1/environments",
            Some(&t),
            Some(json!({"id": "prod", "title": "Prod", "protected": true})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = h
        .call(
            "POST",
            "/v1/instances",
            Some(&t),
            Some(json!({"id": "pg", "title": "PG", "engine": "POSTGRES",
        "environment": "prod", "host": "127.0.0.1", "password": "pw-12345"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        h.call(
            "POST",
            "/v1/environments",
            Some(&t),
            Some(json!({"id": "prod", "title": "x"}))
        )
        .await
        .status,
        409
    );
    let r = h
        .call(
            "POST",
            "/v1/projects",
            Some(&t),
            Some(json!({"id": "shop", "title": "Shop", "key": "SHOP"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = h.call("POST", "/v1/users", Some(&t), Some(json!({"email": "dev@example.com", "name": "Dev", "password": "devpass-123", "role": "DEVELOPER"}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = h
        .call(
            "PUT",
            "/v1/projects/shop/members",
            Some(&t),
            Some(json!({"email": "dev@example.com", "role": "DEVELOPER"})),
        )
        .await;
    assert_eq!(r.json()["members"].as_array().unwrap().len(), 2);
    store.upsert_database("pg", "orders").await.unwrap();
    let r = h
        .call(
            "PATCH",
            "/v1/instances/pg/databases/orders",
            Some(&t),
            Some(json!({"project": "shop", "labels": {"tier": "gold"}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    let r = h
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "dev@example.com", "password": "devpass-123"})),
        )
        .await;
    let dev = r.json()["token"].as_str().unwrap().to_string();
    let r = h.call("GET", "/v1/databases", Some(&dev), None).await;
    assert_eq!(r.json()["databases"][0]["name"], "orders");
    assert_eq!(
        h.call(
            "POST",
            "/v1/environments",
            Some(&dev),
            Some(json!({"id": "qa", "title": "QA"}))
        )
        .await
        .status,
        403
    );
    let r = h.call("GET", "/v1/audit-logs", Some(&t), None).await;
    assert!(r.json()["audit_logs"].as_array().unwrap().len() >= 6);

    store.close().await;
    admin(format!("DROP DATABASE {name} WITH (FORCE)")).await;
}
