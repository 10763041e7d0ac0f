//! A crash for real: `sluice serve` is killed with SIGKILL while a task's
//! statement waits on the target (behind a lock held by the test), then
//! started again on the same data directory. The task is resolved from the
//! target's `sluice_history` once its lease expires, never applied twice,
//! and a retry applies it exactly once.

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sluice");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data: &Path, port: u16) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data.with_extension("log"))
        .unwrap();
    Command::new(BIN)
        .args([
            "serve",
            "--task-lease-secs",
            "3",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(data)
        .env_remove("SLUICE_METADATA_URL")
        .env_remove("SLUICE_SECRET_KEY")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap()
}

struct Api {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method, path, body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {v}"
        );
        v
    }

    async fn wait_healthy(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(r) = self
                .client
                .get(format!("{}/healthz", self.base))
                .send()
                .await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("sluice serve did not become healthy");
    }

    async fn task(&self, n: i64) -> Value {
        self.ok("GET", &format!("/v1/projects/shop/issues/{n}"), None)
            .await["pipeline"]["stages"][0]["tasks"][0]
            .clone()
    }

    async fn wait_task(&self, n: i64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let task = self.task(n).await;
            if done(&task) {
                return task;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {task:#}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

async fn pg(database: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(&format!("postgres://postgres@127.0.0.1:5432/{database}"))
        .await
        .expect("PostgreSQL on 127.0.0.1:5432")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_a_statement_runs_is_resolved_from_history() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let name = format!(
        "crash_{}_{}",
        std::process::id(),
        sluice_store::now_ms() % 1_000_000
    );
    let mut admin = pg("postgres").await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    let mut target = pg(&name).await;
    sqlx::raw_sql("CREATE TABLE t (id int)")
        .execute(&mut target)
        .await
        .unwrap();

    let port = free_port();
    let mut server = start(&data, port);
    let mut api = Api {
        client: reqwest::Client::new(),
        base: format!("http://127.0.0.1:{port}"),
        token: None,
    };
    api.wait_healthy().await;
    let signup = api
        .ok(
            "POST",
            "/v1/auth/signup",
            Some(
                json!({"email": "o@example.com", "password": "correct horse battery", "name": "O"}),
            ),
        )
        .await;
    api.token = Some(signup["token"].as_str().unwrap().to_string());
    api.ok(
        "POST",
        "/v1/environments",
        Some(json!({"id": "test", "title": "Test"})),
    )
    .await;
    api.ok("POST", "/v1/instances", Some(json!({"id": "pg", "title": "PG", "engine": "POSTGRES", "environment": "test", "host": "127.0.0.1", "username": "postgres"}))).await;
    api.ok("POST", "/v1/instances/pg/sync", None).await;
    api.ok(
        "POST",
        "/v1/projects",
        Some(json!({"id": "shop", "title": "Shop", "key": "SHOP"})),
    )
    .await;
    api.ok(
        "PATCH",
        &format!("/v1/instances/pg/databases/{name}"),
        Some(json!({"project": "shop"})),
    )
    .await;
    api.ok(
        "POST",
        &format!("/v1/instances/pg/databases/{name}/sync"),
        None,
    )
    .await;
    // Started by hand, so the lock is taken after the dry run.
    api.ok(
        "PATCH",
        "/v1/environments/test",
        Some(json!({"rollout": "MANUAL"})),
    )
    .await;
    let issue = api
        .ok("POST", "/v1/projects/shop/issues", Some(json!({
            "title": "Add a column", "type": "SCHEMA_CHANGE",
            "statement": "ALTER TABLE t ADD COLUMN note text;", "targets": [format!("pg/{name}")],
        })))
        .await;
    let n = issue["number"].as_i64().unwrap();
    api.wait_task(n, "checks", |t| t["checks_level"] != "RUNNING")
        .await;

    sqlx::raw_sql("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .execute(&mut target)
        .await
        .unwrap();
    api.ok(
        "POST",
        &format!("/v1/projects/shop/issues/{n}/stages/test/run"),
        None,
    )
    .await;
    api.wait_task(n, "the statement to start", |t| {
        t["latest_run"]["log"]
            .as_array()
            .is_some_and(|l| !l.is_empty())
    })
    .await;

    // Kill the server mid-statement, then let the statement through.
    server.kill().unwrap(); // SIGKILL on Unix: no shutdown code runs
    server.wait().unwrap();
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut target)
        .await
        .unwrap();

    let mut server = start(&data, port);
    api.wait_healthy().await;
    let task = api
        .wait_task(n, "the takeover", |t| t["status"] != "RUNNING")
        .await;
    assert_eq!(task["status"], "FAILED", "{task:#}");
    let result = task["latest_run"]["result"].as_str().unwrap();
    assert!(result.starts_with("interrupted"), "{result}");
    let columns: i64 = sqlx::query_scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'")
        .fetch_one(&mut target)
        .await
        .unwrap();
    assert_eq!(columns, 0, "the killed run committed nothing");

    let id = task["id"].as_i64().unwrap();
    api.ok(
        "POST",
        &format!("/v1/projects/shop/issues/{n}/tasks/{id}/retry"),
        None,
    )
    .await;
    let task = api
        .wait_task(n, "the retry", |t| {
            t["status"] == "DONE" || t["status"] == "FAILED"
        })
        .await;
    assert_eq!(task["status"], "DONE", "{task:#}");
    let applied: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sluice.sluice_history WHERE status = 'DONE'")
            .fetch_one(&mut target)
            .await
            .unwrap();
    assert_eq!(applied, 1, "applied exactly once");
    let runs = api
        .ok(
            "GET",
            &format!("/v1/projects/shop/issues/{n}/tasks/{id}/runs"),
            None,
        )
        .await;
    assert_eq!(runs["runs"].as_array().unwrap().len(), 2, "{runs:#}");

    server.kill().unwrap();
    server.wait().unwrap();
    drop(target);
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
}
