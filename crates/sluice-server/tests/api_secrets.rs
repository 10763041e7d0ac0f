//! An instance password never leaves the server: not in any answer, log
//! line, audit record, metric, or the store in clear.

mod common;

use common::Harness;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

const ADMIN_PASSWORD: &str = "Adm1n-Pa55word-xyzzy";
const RO_PASSWORD: &str = "R3ad0nly-Pa55word-plugh";
const NEW_PASSWORD: &str = "N3w-Pa55word-frobozz";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn leaks(text: &str) -> Vec<&'static str> {
    [ADMIN_PASSWORD, RO_PASSWORD, NEW_PASSWORD]
        .into_iter()
        .filter(|p| text.contains(p))
        .collect()
}

#[tokio::test]
async fn instance_passwords_never_leak() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .init();

    let h = Harness::new().await;
    let t = h.owner().await;
    h.call(
        "POST",
        "/v1/environments",
        Some(&t),
        Some(json!({"id": "prod", "title": "Prod"})),
    )
    .await;
    let mut answers = Vec::new();
    let create = json!({"id": "pg", "title": "PG", "engine": "POSTGRES", "environment": "prod", "host": "127.0.0.1",
        "username": "postgres", "password": ADMIN_PASSWORD, "read_only": {"username": "ro", "password": RO_PASSWORD}});
    answers.push(
        h.call("POST", "/v1/instances", Some(&t), Some(create.clone()))
            .await,
    );
    answers.push(
        h.call("POST", "/v1/instances", Some(&t), Some(create))
            .await,
    ); // 409 must not echo it
    answers.push(
        h.call(
            "POST",
            "/v1/instances",
            Some(&t),
            Some(json!({"id": "bad", "title": "x", "engine": "POSTGRES",
        "environment": "prod", "host": "127.0.0.1", "port": 99999, "password": ADMIN_PASSWORD})),
        )
        .await,
    );
    answers.push(
        h.call(
            "PATCH",
            "/v1/instances/pg",
            Some(&t),
            Some(json!({"password": NEW_PASSWORD})),
        )
        .await,
    );
    answers.push(
        h.call(
            "PATCH",
            "/v1/instances/pg",
            Some(&t),
            Some(json!({"password": NEW_PASSWORD, "port": "x"})),
        )
        .await,
    );
    for path in [
        "/v1/instances/pg",
        "/v1/instances",
        "/v1/audit-logs",
        "/metrics",
        "/v1/openapi.json",
        "/v1/instances/pg/databases",
    ] {
        answers.push(h.call("GET", path, Some(&t), None).await);
    }
    assert_eq!(answers[0].status, 201);
    assert_eq!(answers[3].status, 200);
    for answer in &answers {
        assert!(
            leaks(&answer.text).is_empty(),
            "an answer carries a password: {}",
            answer.text
        );
    }
    let audit = h
        .app
        .store
        .list_audit(&Default::default(), Default::default())
        .await
        .unwrap();
    assert!(audit.items.iter().any(|a| a.action == "instances.update"));
    for entry in &audit.items {
        assert!(
            leaks(&entry.detail).is_empty(),
            "audit record {} carries a password",
            entry.action
        );
    }
    // Sealed at rest, but the engines can still open it.
    let instance = h.app.store.instance("pg").await.unwrap();
    for ds in &instance.data_sources {
        assert!(leaks(&ds.password_sealed).is_empty(), "stored in clear");
        assert!(ds.password_sealed.starts_with("v1:"));
    }
    let admin = instance
        .data_source(sluice_store::DataSourceKind::Admin)
        .unwrap();
    assert_eq!(h.app.data_source_password(admin).unwrap(), NEW_PASSWORD);

    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(!logged.is_empty(), "no log was captured");
    assert!(leaks(&logged).is_empty(), "a log line carries a password");
}
