//! The harness the CLI's end-to-end tests share: a real `sluice serve` on a
//! free port with its own data directory, the CLI binary run against it,
//! and a bare HTTP client for the few calls made before the CLI logs in.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_sluice");

/// A running server, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub dir: PathBuf,
}

impl Server {
    pub fn start(name: &str) -> Server {
        let dir =
            std::env::temp_dir().join(format!("sluice-cli-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let child = Command::new(BIN)
            .args(["serve", "--data-dir"])
            .arg(dir.join("data"))
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .env_remove("SLUICE_METADATA_URL")
            .env_remove("SLUICE_SECRET_KEY")
            .env_remove("SLUICE_URL")
            .env_remove("SLUICE_TOKEN")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        };
        server.wait_healthy();
        server
    }

    pub fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("sluice serve exited with {status}: {}", self.log());
            }
            if http(&self.url, "GET", "/healthz", None, None).is_ok_and(|(status, _)| status == 200)
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("sluice serve did not become healthy: {}", self.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// Runs the CLI against this server as the owner.
    pub fn sluice(&self, args: &[&str], stdin: &str) -> Output {
        sluice_with(&self.dir.join("config"), &[], args, stdin)
    }

    /// The owner's saved token, for the few calls the CLI has no command for.
    pub fn token(&self) -> String {
        let path = self.dir.join("config").join("credentials.json");
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        saved["token"].as_str().unwrap().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn sluice_with(config: &Path, env: &[(&str, &str)], args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("SLUICE_URL")
        .env_remove("SLUICE_TOKEN")
        .env("SLUICE_CONFIG_DIR", config)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A bare HTTP/1.1 exchange: sign-up and instance sync, which the CLI has
/// no command for.
pub fn http(
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> std::io::Result<(u16, Value)> {
    let addr = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let auth = token
        .map(|t| format!("authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\n{auth}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw)?;
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let text = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    Ok((
        status,
        serde_json::from_str(text).unwrap_or(Value::String(text.to_string())),
    ))
}

pub fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        out(&o),
        err(&o)
    );
    out(&o)
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json_of(o: Output) -> Value {
    let text = ok(o);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts the exit code and answers stderr.
pub fn fails(o: Output, code: i32) -> String {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        out(&o),
        err(&o)
    );
    err(&o)
}

/// Signs up the first user (the workspace owner) and logs the CLI in as them.
pub fn owner(server: &Server) {
    let body = json!({"email": "owner@example.com", "password": "correct horse battery", "name": "Olga Owner"});
    let (status, answer) = http(&server.url, "POST", "/v1/auth/signup", None, Some(&body)).unwrap();
    assert!(status == 200 || status == 201, "signup: {status} {answer}");
    let login = [
        "login",
        "--url",
        &server.url,
        "--email",
        "owner@example.com",
        "--password-stdin",
    ];
    let text = ok(server.sluice(&login, "correct horse battery\n"));
    assert!(text.contains("Logged in"), "{text}");
}

/// Runs `sql` on a SQLite file over a connection of its own (as someone
/// working behind Sluice's back would), creating the file if need be.
pub fn sqlite_file(path: &Path, sql: &str) {
    use sqlx::Connection;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options)
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
}

/// POSTs `{}` to `path` as the logged-in owner and expects 200.
pub fn post_ok(server: &Server, path: &str) {
    let (status, answer) = http(
        &server.url,
        "POST",
        path,
        Some(&server.token()),
        Some(&json!({})),
    )
    .unwrap();
    assert_eq!(status, 200, "POST {path}: {answer}");
}

/// Project `shop` and environment `ci` (whose tasks run by themselves),
/// and SQLite instance `lite`, a directory with one file per database of
/// `databases`, each in project `shop`; `fill` writes into the directory
/// before the instance is synced. Answers the directory.
pub fn sqlite_shop(server: &Server, databases: &[&str], fill: impl FnOnce(&Path)) -> PathBuf {
    ok(server.sluice(
        &[
            "project", "create", "shop", "--title", "Shop", "--key", "SHOP",
        ],
        "",
    ));
    ok(server.sluice(&["env", "create", "ci", "--title", "CI"], ""));
    let dir = server.dir.join("lite");
    std::fs::create_dir_all(&dir).unwrap();
    for db in databases {
        std::fs::File::create(dir.join(format!("{db}.db"))).unwrap();
    }
    fill(&dir);
    ok(server.sluice(
        &[
            "instance",
            "create",
            "lite",
            "--title",
            "Lite",
            "--engine",
            "SQLITE",
            "--environment",
            "ci",
            "--database",
            dir.to_str().unwrap(),
        ],
        "",
    ));
    post_ok(server, "/v1/instances/lite/sync");
    for db in databases {
        ok(server.sluice(&["database", "update", "lite", db, "--project", "shop"], ""));
    }
    dir
}
