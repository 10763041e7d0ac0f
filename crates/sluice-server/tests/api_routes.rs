//! Every API route: the happy path, bad input, duplicates and missing
//! resources. No bad input may ever answer 500.

mod common;

use common::Harness;
use serde_json::{Value, json};

async fn estate(h: &Harness) -> String {
    let t = h.owner().await;
    for (id, title) in [("test", "Test"), ("prod", "Production")] {
        let r = h
            .call(
                "POST",
                "/v1/environments",
                Some(&t),
                Some(json!({"id": id, "title": title, "protected": id == "prod"})),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    t
}

#[tokio::test]
async fn auth_signup_login_me_logout() {
    let h = Harness::new().await;
    let r = h
        .call(
            "POST",
            "/v1/auth/signup",
            None,
            Some(json!({"email": "Ann@Example.com", "password": "s3cret-pass", "name": "Ann"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let user = &r.json()["user"];
    assert_eq!(user["role"], "OWNER");
    assert_eq!(user["email"], "ann@example.com");
    assert!(user["id"].as_i64().unwrap() > 1, "id 1 is the system bot");

    // Sign-up is now closed.
    let r = h
        .call(
            "POST",
            "/v1/auth/signup",
            None,
            Some(json!({"email": "bob@example.com", "password": "s3cret-pass", "name": "Bob"})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("sign-up is closed")
    );

    let r = h
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "ann@example.com", "password": "wrong-password"})),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["code"], "unauthenticated");
    let r = h
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "ANN@example.com", "password": "s3cret-pass"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let token = r.json()["token"].as_str().unwrap().to_string();

    let r = h.call("GET", "/v1/users/me", Some(&token), None).await;
    assert_eq!(r.json()["email"], "ann@example.com");
    let r = h.call("POST", "/v1/auth/logout", Some(&token), None).await;
    assert_eq!(r.status, 200);
    let r = h.call("GET", "/v1/users/me", Some(&token), None).await;
    assert_eq!(r.status, 401, "a logged-out token stops working");
    let r = h.call("GET", "/v1/users/me", None, None).await;
    assert_eq!(r.status, 401);
    let r = h.call("GET", "/v1/users/me", Some("garbage"), None).await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn repeated_failed_logins_are_slowed_down() {
    let h = Harness::new().await;
    h.owner().await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let r = h
            .call(
                "POST",
                "/v1/auth/login",
                None,
                Some(json!({"email": "owner@example.com", "password": "not-the-password"})),
            )
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(&statuses[..5], &[401; 5]);
    assert_eq!(statuses[6], 429, "{statuses:?}");
    // Even the right password must wait now.
    let r = h
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "owner@example.com", "password": "owner-pass-1"})),
        )
        .await;
    assert_eq!(r.status, 429);
    assert!(r.json()["message"].as_str().unwrap().contains("try again"));
}

#[tokio::test]
async fn users_and_service_accounts() {
    let h = Harness::new().await;
    let t = h.owner().await;
    let r = h.call("POST", "/v1/users", Some(&t), Some(json!({"email": "dba@example.com", "name": "Dee", "password": "dba-pass-12", "role": "DBA"}))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["id"].as_i64().unwrap();
    let r = h.call("POST", "/v1/users", Some(&t), Some(json!({"email": "dba@example.com", "name": "Dee", "password": "dba-pass-12", "role": "DBA"}))).await;
    assert_eq!(r.status, 409);
    let r = h.call("POST", "/v1/users", Some(&t), Some(json!({"email": "x@example.com", "name": "X", "password": "dba-pass-12", "role": "ADMIN"}))).await;
    assert_eq!(r.status, 400);
    assert!(
        r.json()["message"].as_str().unwrap().starts_with("role:"),
        "{}",
        r.text
    );

    let r = h.call("GET", "/v1/users", Some(&t), None).await;
    assert_eq!(r.json()["users"].as_array().unwrap().len(), 2);
    let r = h
        .call("GET", &format!("/v1/users/{id}"), Some(&t), None)
        .await;
    assert_eq!(r.json()["role"], "DBA");
    let r = h
        .call(
            "PATCH",
            &format!("/v1/users/{id}"),
            Some(&t),
            Some(json!({"role": "DEVELOPER"})),
        )
        .await;
    assert_eq!(r.json()["role"], "DEVELOPER", "{}", r.text);

    // The new user can log in, until deactivated.
    let r = h
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "dba@example.com", "password": "dba-pass-12"})),
        )
        .await;
    let their_token = r.json()["token"].as_str().unwrap().to_string();
    let r = h
        .call("DELETE", &format!("/v1/users/{id}"), Some(&t), None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["active"], false);
    assert_eq!(
        h.call("GET", "/v1/users/me", Some(&their_token), None)
            .await
            .status,
        401
    );
    let r = h
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "dba@example.com", "password": "dba-pass-12"})),
        )
        .await;
    assert_eq!(r.status, 401);
    let r = h.call("GET", "/v1/users", Some(&t), None).await;
    assert_eq!(
        r.json()["users"].as_array().unwrap().len(),
        1,
        "deactivated users leave the list"
    );
    let r = h
        .call("GET", "/v1/users?show_archived=true", Some(&t), None)
        .await;
    assert_eq!(r.json()["users"].as_array().unwrap().len(), 2);
    let r = h
        .call("POST", &format!("/v1/users/{id}/restore"), Some(&t), None)
        .await;
    assert_eq!(r.json()["active"], true);

    // The last Owner cannot demote or deactivate themselves.
    let me = h.call("GET", "/v1/users/me", Some(&t), None).await.json()["id"]
        .as_i64()
        .unwrap();
    let r = h
        .call(
            "PATCH",
            &format!("/v1/users/{me}"),
            Some(&t),
            Some(json!({"role": "DBA"})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    // The system bot cannot be changed.
    let r = h.call("DELETE", "/v1/users/1", Some(&t), None).await;
    assert_eq!(r.status, 409);
    let r = h.call("GET", "/v1/users/999", Some(&t), None).await;
    assert_eq!(r.status, 404);
    let r = h.call("GET", "/v1/users/abc", Some(&t), None).await;
    assert_eq!(r.status, 400);

    let r = h
        .call(
            "POST",
            "/v1/service-accounts",
            Some(&t),
            Some(json!({"email": "ci@example.com", "name": "CI", "role": "DEVELOPER"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let ci_token = r.json()["token"].as_str().unwrap().to_string();
    assert_eq!(r.json()["user"]["kind"], "SERVICE_ACCOUNT");
    let r = h.call("GET", "/v1/users/me", Some(&ci_token), None).await;
    assert_eq!(r.json()["email"], "ci@example.com");
    let r = h.call("GET", "/v1/service-accounts", Some(&t), None).await;
    let listed = r.json();
    assert_eq!(listed["service_accounts"].as_array().unwrap().len(), 1);
    assert!(!r.text.contains(&ci_token), "the token is shown only once");
    // A service account cannot log in with a password.
    let r = h
        .call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"email": "ci@example.com", "password": ""})),
        )
        .await;
    assert_eq!(r.status, 400);

    // Opening sign-up lets a second person in as Developer.
    let r = h
        .call(
            "PATCH",
            "/v1/workspace",
            Some(&t),
            Some(json!({"signup_open": true, "name": "Acme"})),
        )
        .await;
    assert_eq!(r.json(), json!({"name": "Acme", "signup_open": true}));
    let r = h
        .call(
            "POST",
            "/v1/auth/signup",
            None,
            Some(json!({"email": "dev@example.com", "password": "devpass-123", "name": "Dev"})),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["user"]["role"], "DEVELOPER");
}

#[tokio::test]
async fn environments_crud_order_archive() {
    let h = Harness::new().await;
    let t = estate(&h).await;
    let r = h
        .call(
            "POST",
            "/v1/environments",
            Some(&t),
            Some(json!({"id": "staging", "title": "Staging"})),
        )
        .await;
    assert_eq!(r.json()["order"], 3);
    let r = h
        .call(
            "POST",
            "/v1/environments",
            Some(&t),
            Some(json!({"id": "staging", "title": "Again"})),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["code"], "already_exists");

    let r = h
        .call(
            "PUT",
            "/v1/environments-order",
            Some(&t),
            Some(json!({"ids": ["test", "staging", "prod"]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ids: Vec<Value> = r.json()["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!("test"), json!("staging"), json!("prod")]);
    let r = h
        .call(
            "PUT",
            "/v1/environments-order",
            Some(&t),
            Some(json!({"ids": ["test", "prod"]})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().starts_with("ids:"));

    let r = h
        .call(
            "PATCH",
            "/v1/environments/staging",
            Some(&t),
            Some(json!({"title": "Pre-prod", "protected": true})),
        )
        .await;
    assert_eq!(r.json()["title"], "Pre-prod");
    assert_eq!(r.json()["protected"], true);
    let r = h
        .call("GET", "/v1/environments/staging", Some(&t), None)
        .await;
    assert_eq!(r.json()["title"], "Pre-prod");

    let r = h
        .call("DELETE", "/v1/environments/staging", Some(&t), None)
        .await;
    assert_eq!(r.json()["archived"], true);
    let r = h.call("GET", "/v1/environments", Some(&t), None).await;
    assert_eq!(r.json()["environments"].as_array().unwrap().len(), 2);
    let r = h
        .call("GET", "/v1/environments?show_archived=true", Some(&t), None)
        .await;
    assert_eq!(r.json()["environments"].as_array().unwrap().len(), 3);
    let r = h
        .call("POST", "/v1/environments/staging/restore", Some(&t), None)
        .await;
    assert_eq!(r.json()["archived"], false);

    // Pagination.
    let r = h
        .call("GET", "/v1/environments?page_size=2", Some(&t), None)
        .await;
    let page = r.json();
    assert_eq!(page["environments"].as_array().unwrap().len(), 2);
    let next = page["next_page_token"].as_str().unwrap();
    assert!(!next.is_empty());
    let r = h
        .call(
            "GET",
            &format!("/v1/environments?page_size=2&page_token={next}"),
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.json()["environments"].as_array().unwrap().len(), 1);
    assert_eq!(r.json()["next_page_token"], "");
    for bad in [
        "page_size=0",
        "page_size=5000",
        "page_token=zz",
        "page_size=abc",
        "bogus=1",
    ] {
        let r = h
            .call("GET", &format!("/v1/environments?{bad}"), Some(&t), None)
            .await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }

    assert_eq!(
        h.call("GET", "/v1/environments/nope", Some(&t), None)
            .await
            .status,
        404
    );
    assert_eq!(
        h.call(
            "PATCH",
            "/v1/environments/nope",
            Some(&t),
            Some(json!({"title": "x"}))
        )
        .await
        .status,
        404
    );
    assert_eq!(
        h.call("DELETE", "/v1/environments/nope", Some(&t), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn instances_crud_without_passwords() {
    let h = Harness::new().await;
    let t = estate(&h).await;
    let body = json!({"id": "prod-pg", "title": "Prod PG", "engine": "POSTGRES", "environment": "prod",
        "host": "127.0.0.1", "username": "postgres", "password": "pg-Secret-42", "database": "postgres",
        "read_only": {"username": "reader", "password": "ro-Secret-43"}});
    let r = h
        .call("POST", "/v1/instances", Some(&t), Some(body.clone()))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let inst = r.json();
    assert_eq!(inst["data_sources"][0]["kind"], "ADMIN");
    assert_eq!(
        inst["data_sources"][0]["port"], 5432,
        "the engine's default port"
    );
    assert_eq!(inst["data_sources"][0]["has_password"], true);
    assert_eq!(inst["data_sources"][1]["kind"], "READ_ONLY");
    assert_eq!(
        inst["data_sources"][1]["host"], "127.0.0.1",
        "read-only inherits the admin host"
    );
    assert!(!r.text.contains("Secret"));
    assert_eq!(
        h.call("POST", "/v1/instances", Some(&t), Some(body))
            .await
            .status,
        409
    );

    let r = h.call("POST", "/v1/instances", Some(&t), Some(json!({"id": "lite", "title": "Lite", "engine": "SQLITE", "environment": "test", "database": "/tmp/x.db"}))).await;
    assert_eq!(r.status, 201, "{}", r.text);

    let r = h
        .call(
            "PATCH",
            "/v1/instances/prod-pg",
            Some(&t),
            Some(json!({"title": "Prod", "port": 6432, "read_only": null})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let inst = r.json();
    assert_eq!(inst["title"], "Prod");
    assert_eq!(inst["data_sources"].as_array().unwrap().len(), 1);
    assert_eq!(inst["data_sources"][0]["port"], 6432);
    assert_eq!(
        inst["data_sources"][0]["has_password"], true,
        "an omitted password is kept"
    );
    let r = h
        .call(
            "PATCH",
            "/v1/instances/prod-pg",
            Some(&t),
            Some(json!({"password": ""})),
        )
        .await;
    assert_eq!(r.json()["data_sources"][0]["has_password"], false);
    let r = h
        .call(
            "PATCH",
            "/v1/instances/prod-pg",
            Some(&t),
            Some(json!({"environment": "nowhere"})),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);

    let r = h.call("GET", "/v1/instances", Some(&t), None).await;
    let ids: Vec<&str> = r.json()["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .map(|s| if s == "lite" { "lite" } else { "prod-pg" })
        .collect();
    assert_eq!(ids, vec!["lite", "prod-pg"], "ordered by environment order");

    // An environment with instances cannot be archived.
    assert_eq!(
        h.call("DELETE", "/v1/environments/test", Some(&t), None)
            .await
            .status,
        409
    );
    let r = h.call("DELETE", "/v1/instances/lite", Some(&t), None).await;
    assert_eq!(r.json()["archived"], true);
    assert_eq!(
        h.call("DELETE", "/v1/environments/test", Some(&t), None)
            .await
            .status,
        200
    );
    // Restoring an instance whose environment is archived is refused.
    assert_eq!(
        h.call("POST", "/v1/instances/lite/restore", Some(&t), None)
            .await
            .status,
        409
    );
    assert_eq!(
        h.call("GET", "/v1/instances/nope", Some(&t), None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn instance_validation_names_the_field() {
    let h = Harness::new().await;
    let t = estate(&h).await;
    let base = json!({"id": "db1", "title": "DB", "engine": "POSTGRES", "environment": "test", "host": "db.internal"});
    let cases: Vec<(Value, &str)> = vec![
        (json!({"engine": "ORACLE"}), "engine"),
        (json!({"id": "Bad Id"}), "id"),
        (json!({"id": "1abc"}), "id"),
        (json!({"title": ""}), "title"),
        (json!({"port": 70000}), "port"),
        (json!({"port": "5432"}), "port"),
        (json!({"host": ""}), "host"),
        (json!({"host": "a b"}), "host"),
        (json!({"tls_mode": "MAYBE"}), "tls_mode"),
        (json!({"environment": "Nope!"}), "environment"),
        (json!({"engine": "SQLITE", "database": "/x.db"}), "host"),
        (json!({"read_only": {"port": 0}}), "read_only.port"),
        (json!({"surprise": true}), "surprise"),
    ];
    for (patch, field) in cases {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = h
            .call("POST", "/v1/instances", Some(&t), Some(body.clone()))
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert!(
            r.json()["message"].as_str().unwrap().contains(field),
            "{field} not named in {}",
            r.text
        );
    }
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("title");
    let r = h
        .call("POST", "/v1/instances", Some(&t), Some(missing))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("title"), "{}", r.text);
    // A missing environment is a conflict with the estate, not a syntax error.
    let mut body = base.clone();
    body["environment"] = json!("nowhere");
    let r = h.call("POST", "/v1/instances", Some(&t), Some(body)).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("nowhere"));
}

#[tokio::test]
async fn projects_members_databases() {
    let h = Harness::new().await;
    let t = estate(&h).await;
    let r = h
        .call(
            "POST",
            "/v1/projects",
            Some(&t),
            Some(json!({"id": "shop", "title": "Shop", "key": "SHOP"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        h.call(
            "POST",
            "/v1/projects",
            Some(&t),
            Some(json!({"id": "shop", "title": "Shop", "key": "SHOP2"}))
        )
        .await
        .status,
        409
    );
    assert_eq!(
        h.call(
            "POST",
            "/v1/projects",
            Some(&t),
            Some(json!({"id": "shop2", "title": "Shop", "key": "SHOP"}))
        )
        .await
        .status,
        409
    );
    assert_eq!(
        h.call(
            "POST",
            "/v1/projects",
            Some(&t),
            Some(json!({"id": "shop3", "title": "Shop", "key": "shop"}))
        )
        .await
        .status,
        400
    );

    let r = h.call("GET", "/v1/projects", Some(&t), None).await;
    let ids: Vec<String> = r.json()["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, vec!["default", "shop"]);
    let r = h
        .call(
            "PATCH",
            "/v1/projects/shop",
            Some(&t),
            Some(json!({"title": "Web shop"})),
        )
        .await;
    assert_eq!(r.json()["title"], "Web shop");
    assert_eq!(
        h.call("DELETE", "/v1/projects/default", Some(&t), None)
            .await
            .status,
        409
    );

    // Members: the creator is Owner; add a user; the last Owner stays.
    let r = h
        .call("GET", "/v1/projects/shop/members", Some(&t), None)
        .await;
    assert_eq!(r.json()["members"][0]["role"], "OWNER");
    h.call("POST", "/v1/users", Some(&t), Some(json!({"email": "dev@example.com", "name": "Dev", "password": "devpass-123", "role": "DEVELOPER"}))).await;
    let r = h
        .call(
            "PUT",
            "/v1/projects/shop/members",
            Some(&t),
            Some(json!({"email": "dev@example.com", "role": "DEVELOPER"})),
        )
        .await;
    assert_eq!(
        r.json()["members"].as_array().unwrap().len(),
        2,
        "{}",
        r.text
    );
    let r = h
        .call(
            "PUT",
            "/v1/projects/shop/members",
            Some(&t),
            Some(json!({"email": "ghost@example.com", "role": "DEVELOPER"})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = h
        .call(
            "PUT",
            "/v1/projects/shop/members",
            Some(&t),
            Some(json!({"email": "owner@example.com", "role": "DEVELOPER"})),
        )
        .await;
    assert_eq!(
        r.status, 409,
        "the last project Owner cannot step down: {}",
        r.text
    );
    let r = h
        .call(
            "DELETE",
            "/v1/projects/shop/members?email=dev@example.com",
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.json()["members"].as_array().unwrap().len(), 1);
    assert_eq!(
        h.call(
            "DELETE",
            "/v1/projects/shop/members?email=dev@example.com",
            Some(&t),
            None
        )
        .await
        .status,
        404
    );
    assert_eq!(
        h.call("DELETE", "/v1/projects/shop/members", Some(&t), None)
            .await
            .status,
        400
    );

    // Databases: discovered by sync (engine work); here seeded in the store.
    h.call("POST", "/v1/instances", Some(&t), Some(json!({"id": "pg", "title": "PG", "engine": "POSTGRES", "environment": "test", "host": "127.0.0.1"}))).await;
    h.app.store.upsert_database("pg", "orders").await.unwrap();
    let r = h
        .call("GET", "/v1/instances/pg/databases", Some(&t), None)
        .await;
    assert_eq!(r.json()["databases"][0]["project"], "default");
    let r = h
        .call(
            "PATCH",
            "/v1/instances/pg/databases/orders",
            Some(&t),
            Some(json!({"project": "shop", "labels": {"tier": "gold"}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["project"], "shop");
    assert_eq!(r.json()["labels"], json!({"tier": "gold"}));
    let r = h
        .call("GET", "/v1/instances/pg/databases/orders", Some(&t), None)
        .await;
    assert_eq!(r.json()["environment"], "test");
    let r = h
        .call("GET", "/v1/databases?project=shop", Some(&t), None)
        .await;
    assert_eq!(r.json()["databases"].as_array().unwrap().len(), 1);
    let r = h
        .call("GET", "/v1/databases?project=default", Some(&t), None)
        .await;
    assert_eq!(r.json()["databases"].as_array().unwrap().len(), 0);
    let r = h
        .call(
            "PATCH",
            "/v1/instances/pg/databases/orders",
            Some(&t),
            Some(json!({"project": "nope"})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = h
        .call(
            "PATCH",
            "/v1/instances/pg/databases/orders",
            Some(&t),
            Some(json!({"labels": {"Bad Key": "x"}})),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        h.call("GET", "/v1/instances/pg/databases/nope", Some(&t), None)
            .await
            .status,
        404
    );

    let r = h.call("DELETE", "/v1/projects/shop", Some(&t), None).await;
    assert_eq!(r.json()["archived"], true);
    let r = h.call("GET", "/v1/projects", Some(&t), None).await;
    assert_eq!(r.json()["projects"].as_array().unwrap().len(), 1);
    let r = h
        .call("POST", "/v1/projects/shop/restore", Some(&t), None)
        .await;
    assert_eq!(r.json()["archived"], false);
}

#[tokio::test]
async fn audit_log_records_mutations() {
    let h = Harness::new().await;
    let t = estate(&h).await;
    h.call(
        "POST",
        "/v1/environments",
        Some(&t),
        Some(json!({"id": "test", "title": "dup"})),
    )
    .await;
    let r = h.call("GET", "/v1/audit-logs", Some(&t), None).await;
    assert_eq!(r.status, 200);
    let logs = r.json()["audit_logs"].as_array().unwrap().clone();
    assert_eq!(logs[0]["action"], "environments.create");
    assert_eq!(logs[0]["outcome"], "FAILED", "failures are audited too");
    assert_eq!(logs[1]["outcome"], "SUCCESS");
    assert_eq!(logs[1]["resource"], "environments/prod");
    assert_eq!(logs[1]["actor_email"], "owner@example.com");
    let r = h
        .call("GET", "/v1/audit-logs?action=auth.signup", Some(&t), None)
        .await;
    assert_eq!(r.json()["audit_logs"].as_array().unwrap().len(), 1);
    let r = h
        .call(
            "GET",
            "/v1/audit-logs?resource=environments/test",
            Some(&t),
            None,
        )
        .await;
    assert_eq!(r.json()["audit_logs"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn ops_endpoints() {
    let h = Harness::new().await;
    let r = h.call("GET", "/healthz", None, None).await;
    assert_eq!((r.status.as_u16(), r.text.trim()), (200, "ok"));
    h.call("GET", "/healthz", None, None).await;
    let r = h.call("GET", "/metrics", None, None).await;
    assert_eq!(r.status, 200);
    assert!(r.text.contains("sluice_http_requests_total"), "{}", r.text);
    let r = h.call("GET", "/v1/openapi.json", None, None).await;
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/v1/instances/{id}"]["patch"].is_object());
    let r = h.call("GET", "/v1/no-such-route", None, None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["code"], "not_found");
}

/// Hostile bodies: every one gets a 4xx with the error shape, never a 500.
#[tokio::test]
async fn bad_bodies_never_give_500() {
    let h = Harness::new().await;
    let t = estate(&h).await;
    let big = vec![b'a'; 2 * 1024 * 1024];
    let mut big_json = b"{\"id\":\"x\",\"title\":\"".to_vec();
    big_json.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
    big_json.extend(b"\"}");
    let bodies: Vec<(&str, Option<&str>, Vec<u8>, u16)> = vec![
        ("empty", Some("application/json"), Vec::new(), 400),
        (
            "no content type",
            None,
            b"{\"id\":\"x\",\"title\":\"X\"}".to_vec(),
            415,
        ),
        ("not json", Some("application/json"), b"id=x".to_vec(), 400),
        (
            "invalid utf-8",
            Some("application/json"),
            b"{\"id\":\"\xff\xfe\",\"title\":\"X\"}".to_vec(),
            400,
        ),
        ("array", Some("application/json"), b"[1,2]".to_vec(), 400),
        (
            "wrong types",
            Some("application/json"),
            b"{\"id\":1,\"title\":[]}".to_vec(),
            400,
        ),
        ("null", Some("application/json"), b"null".to_vec(), 400),
        ("2 MB", Some("application/json"), big, 413),
        ("2 MB json", Some("application/json"), big_json, 413),
        (
            "truncated",
            Some("application/json"),
            b"{\"id\":\"x\"".to_vec(),
            400,
        ),
    ];
    for path in [
        "/v1/environments",
        "/v1/instances",
        "/v1/projects",
        "/v1/users",
    ] {
        for (what, ct, body, status) in &bodies {
            let r = h.raw("POST", path, Some(&t), *ct, body.clone()).await;
            assert_eq!(r.status.as_u16(), *status, "{path} {what}: {}", r.text);
            let err = r.json();
            assert!(
                err["code"].is_string() && err["message"].is_string(),
                "{path} {what}: {}",
                r.text
            );
        }
    }
}

/// SQL and HTML in names are data: stored and returned exactly, never run.
#[tokio::test]
async fn sql_and_html_in_names_round_trip() {
    let h = Harness::new().await;
    let t = estate(&h).await;
    let title = "Robert'); DROP TABLE environment;-- <script>alert(1)</script>";
    let r = h
        .call(
            "POST",
            "/v1/environments",
            Some(&t),
            Some(json!({"id": "evil", "title": title})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        h.call("GET", "/v1/environments/evil", Some(&t), None)
            .await
            .json()["title"],
        title
    );
    assert_eq!(
        h.call("GET", "/v1/environments", Some(&t), None)
            .await
            .json()["environments"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let r = h
        .call(
            "POST",
            "/v1/environments",
            Some(&t),
            Some(json!({"id": "x'; DROP TABLE environment;--", "title": "x"})),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = h
        .call("GET", "/v1/environments/x'%3B%20DROP", Some(&t), None)
        .await;
    assert_eq!(r.status, 404);
    let r = h
        .call(
            "POST",
            "/v1/environments",
            Some(&t),
            Some(json!({"id": "ctl", "title": "a\u{0}b"})),
        )
        .await;
    assert_eq!(r.status, 400, "control characters are refused");
}
