//! The client against a scripted HTTP server: pagination, error mapping,
//! exit codes and the credentials file, without a real Sluice server.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
struct Request {
    method: String,
    target: String,
    auth: Option<String>,
    body: Value,
}

type Handler = dyn Fn(&Request) -> (u16, Value) + Send + Sync;

/// Serves each connection with `handler` and records every request.
struct FakeServer {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl FakeServer {
    fn start(handler: impl Fn(&Request) -> (u16, Value) + Send + Sync + 'static) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let handler: Arc<Handler> = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, handler) = (seen.clone(), handler.clone());
                std::thread::spawn(move || serve(stream, &*handler, &seen));
            }
        });
        FakeServer { url, requests }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap().to_string(),
        parts.next().unwrap().to_string(),
    );
    let (mut length, mut auth) = (0, None);
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap(),
            "authorization" => auth = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let req = Request {
        method,
        target,
        auth,
        body,
    };
    let (status, answer) = handler(&req);
    seen.lock().unwrap().push(req);
    let text = answer.to_string();
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
}

/// A fresh, empty config directory for one test, removed afterwards.
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn config_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("sluice-cli-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    TempDir(dir)
}

/// Runs `sluice` with a clean environment: only what the test passes.
fn sluice(config: &PathBuf, env: &[(&str, &str)], args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluice"));
    cmd.args(args)
        .env_remove("SLUICE_URL")
        .env_remove("SLUICE_TOKEN")
        .env("SLUICE_CONFIG_DIR", config)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn env_item(id: &str, order: u32) -> Value {
    json!({"id": id, "title": id.to_uppercase(), "order": order, "protected": false, "archived": false})
}

#[test]
fn list_follows_every_page_and_sends_the_token() {
    let server = FakeServer::start(|req| {
        if req.target.contains("page_token=p2") {
            (
                200,
                json!({"environments": [env_item("prod", 2)], "next_page_token": ""}),
            )
        } else {
            (
                200,
                json!({"environments": [env_item("test", 1)], "next_page_token": "p2"}),
            )
        }
    });
    let dir = config_dir("pages");
    let env = [
        ("SLUICE_URL", server.url.as_str()),
        ("SLUICE_TOKEN", "tok-1"),
    ];

    let out = sluice(&dir, &env, &["env", "list"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<_> = stdout(&out).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("ID") && lines[0].contains("TITLE"));
    assert!(lines[1].starts_with("test ") && lines[2].starts_with("prod "));

    let out = sluice(&dir, &env, &["env", "list", "--json"], "");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["environments"].as_array().unwrap().len(), 2);
    assert_eq!(v["next_page_token"], "");

    let reqs = server.requests();
    assert!(
        reqs.iter()
            .all(|r| r.auth.as_deref() == Some("Bearer tok-1"))
    );
    assert_eq!(reqs.len(), 4);
}

#[test]
fn empty_list_prints_a_friendly_line() {
    let server = FakeServer::start(|_| (200, json!({"projects": [], "next_page_token": ""})));
    let dir = config_dir("empty");
    let out = sluice(
        &dir,
        &[("SLUICE_URL", &server.url), ("SLUICE_TOKEN", "t")],
        &["project", "list"],
        "",
    );
    assert!(out.status.success());
    assert!(
        stdout(&out).starts_with("No projects yet"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn api_errors_print_the_server_message_and_exit_1_or_3() {
    let server = FakeServer::start(|req| match req.target.as_str() {
        "/v1/users/me" => (
            401,
            json!({"code": "unauthenticated", "message": "token expired"}),
        ),
        _ => (
            404,
            json!({"code": "not_found", "message": "environment \"nope\" not found"}),
        ),
    });
    let dir = config_dir("errors");
    let env = [("SLUICE_URL", server.url.as_str()), ("SLUICE_TOKEN", "t")];

    let out = sluice(&dir, &env, &["env", "get", "nope"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim(),
        "error: environment \"nope\" not found (not_found, HTTP 404)"
    );
    assert!(stdout(&out).is_empty());

    let out = sluice(&dir, &env, &["whoami"], "");
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("token expired (unauthenticated, HTTP 401)"));
}

#[test]
fn unreachable_server_and_missing_login_exit_3_naming_the_url() {
    // Bind then drop to get a port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let dir = config_dir("unreachable");

    let out = sluice(
        &dir,
        &[("SLUICE_URL", &url), ("SLUICE_TOKEN", "t")],
        &["env", "list"],
        "",
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains(&format!("cannot reach the Sluice server at {url}")),
        "{}",
        stderr(&out)
    );

    let out = sluice(&dir, &[("SLUICE_URL", &url)], &["env", "list"], "");
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains(&format!("not logged in to {url}")),
        "{}",
        stderr(&out)
    );

    let out = sluice(&dir, &[], &["env", "list"], "");
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("not logged in"));
}

#[test]
fn usage_errors_exit_2() {
    let dir = config_dir("usage");
    let env = [("SLUICE_URL", "http://127.0.0.1:9"), ("SLUICE_TOKEN", "t")];
    for args in [
        &["env", "update", "prod"][..],
        &[
            "instance",
            "create",
            "x",
            "--title",
            "X",
            "--engine",
            "ORACLE",
            "--environment",
            "e",
        ],
        &["database", "update", "pg", "app", "--label", "novalue"],
        &["user", "get", "not-a-number"],
    ] {
        let out = sluice(&dir, &env, args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn login_saves_a_private_file_used_by_later_commands_and_logout_removes_it() {
    let server = FakeServer::start(|req| match (req.method.as_str(), req.target.as_str()) {
        ("POST", "/v1/auth/login") if req.body["password"] == "s3cret" => (
            200,
            json!({"token": "tok-9", "user": {"id": 2, "email": "ada@example.com", "role": "OWNER"}}),
        ),
        ("POST", "/v1/auth/login") => (
            401,
            json!({"code": "unauthenticated", "message": "bad credentials"}),
        ),
        ("GET", "/v1/users/me") => (
            200,
            json!({"id": 2, "email": "ada@example.com", "name": "Ada"}),
        ),
        ("POST", "/v1/auth/logout") => (200, json!({})),
        _ => (404, json!({"code": "not_found", "message": "no route"})),
    });
    let dir = config_dir("login");
    let url = server.url.as_str();

    let out = sluice(
        &dir,
        &[],
        &[
            "login",
            "--url",
            url,
            "--email",
            "ada@example.com",
            "--password-stdin",
        ],
        "wrong\n",
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!dir.join("credentials.json").exists());

    let out = sluice(
        &dir,
        &[],
        &[
            "login",
            "--url",
            url,
            "--email",
            "ada@example.com",
            "--password-stdin",
        ],
        "s3cret\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Logged in"));
    let file = dir.join("credentials.json");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        saved,
        json!({"url": url, "token": "tok-9", "email": "ada@example.com"})
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&*dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }

    let out = sluice(&dir, &[], &["whoami", "--json"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let me: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(me["email"], "ada@example.com");

    let out = sluice(&dir, &[], &["logout"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!file.exists());
    let reqs = server.requests();
    let logout = reqs.iter().find(|r| r.target == "/v1/auth/logout").unwrap();
    assert_eq!(logout.auth.as_deref(), Some("Bearer tok-9"));
}

#[test]
fn saved_token_is_not_sent_to_another_server() {
    let saved = FakeServer::start(|_| (200, json!({})));
    let other = FakeServer::start(|_| (200, json!({"environments": []})));
    let dir = config_dir("other-server");
    std::fs::create_dir_all(&*dir).unwrap();
    let creds = json!({"url": saved.url, "token": "secret-token", "email": "a@b.c"});
    std::fs::write(dir.join("credentials.json"), creds.to_string()).unwrap();

    let out = sluice(&dir, &[("SLUICE_URL", &other.url)], &["env", "list"], "");
    assert_eq!(out.status.code(), Some(3));
    assert!(other.requests().is_empty());
}

#[test]
fn request_bodies_carry_only_the_given_fields() {
    let server = FakeServer::start(|req| (200, req.body.clone()));
    let dir = config_dir("bodies");
    let env = [("SLUICE_URL", server.url.as_str()), ("SLUICE_TOKEN", "t")];

    let args = [
        "instance",
        "create",
        "pg",
        "--title",
        "PG",
        "--engine",
        "postgres",
        "--environment",
        "test",
        "--host",
        "db",
        "--port",
        "5432",
        "--username",
        "admin",
        "--password-stdin",
    ];
    let out = sluice(&dir, &env, &args, "pw with spaces\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let out = sluice(
        &dir,
        &env,
        &["env", "update", "prod", "--protected", "true"],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = sluice(
        &dir,
        &env,
        &[
            "database",
            "update",
            "pg",
            "my db",
            "--label",
            "team=core",
            "--label",
            "tier=1",
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = sluice(
        &dir,
        &env,
        &[
            "project",
            "remove-member",
            "app",
            "--email",
            "a+b@example.com",
        ],
        "",
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let reqs = server.requests();
    assert_eq!(
        reqs[0].body,
        json!({"id": "pg", "title": "PG", "engine": "POSTGRES", "environment": "test", "host": "db",
               "port": 5432, "username": "admin", "password": "pw with spaces"})
    );
    assert_eq!(
        (reqs[1].method.as_str(), reqs[1].body.clone()),
        ("PATCH", json!({"protected": true}))
    );
    assert_eq!(reqs[2].target, "/v1/instances/pg/databases/my%20db");
    assert_eq!(
        reqs[2].body,
        json!({"labels": {"team": "core", "tier": "1"}})
    );
    assert_eq!(reqs[3].method, "DELETE");
    assert_eq!(
        reqs[3].target,
        "/v1/projects/app/members?email=a%2Bb%40example.com"
    );
}
