//! The client end to end against a real `sluice serve` on a free port with
//! its own data directory.

mod common;

use common::*;
use serde_json::{Value, json};

fn env_ids(server: &Server) -> Vec<String> {
    let v = json_of(server.sluice(&["env", "list", "--json"], ""));
    v["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn login_whoami_and_environments() {
    let server = Server::start("env");
    owner(&server);

    let me = json_of(server.sluice(&["whoami", "--json"], ""));
    assert_eq!(me["email"], "owner@example.com");
    assert_eq!(me["role"], "OWNER");
    assert!(ok(server.sluice(&["whoami"], "")).contains("owner@example.com"));

    ok(server.sluice(&["env", "create", "qa", "--title", "QA"], ""));
    ok(server.sluice(
        &["env", "create", "live", "--title", "Live", "--protected"],
        "",
    ));
    let ids = env_ids(&server);
    assert_eq!(&ids[ids.len() - 2..], ["qa", "live"], "{ids:?}");

    let table = ok(server.sluice(&["env", "list"], ""));
    let header = table.lines().next().unwrap();
    assert!(
        header.starts_with("ID") && header.contains("TITLE") && header.contains("PROTECTED"),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("live") && l.contains("Live") && l.contains("yes")),
        "{table}"
    );

    let mut reversed = ids.clone();
    reversed.reverse();
    let args: Vec<&str> = ["env", "reorder"]
        .into_iter()
        .chain(reversed.iter().map(String::as_str))
        .collect();
    ok(server.sluice(&args, ""));
    assert_eq!(env_ids(&server), reversed);

    let updated =
        json_of(server.sluice(&["env", "update", "qa", "--title", "Quality", "--json"], ""));
    assert_eq!(updated["title"], "Quality");

    ok(server.sluice(&["env", "archive", "qa"], ""));
    assert!(!env_ids(&server).contains(&"qa".to_string()));
    assert!(ok(server.sluice(&["env", "list", "--archived"], "")).contains("qa"));
    ok(server.sluice(&["env", "restore", "qa"], ""));
    assert!(env_ids(&server).contains(&"qa".to_string()));

    let missing = server.sluice(&["env", "get", "nope"], "");
    assert_eq!(missing.status.code(), Some(1), "{}", err(&missing));
    assert!(
        err(&missing).starts_with("error: ") && err(&missing).contains("(not_found, HTTP 404)"),
        "{}",
        err(&missing)
    );

    let bad = server.sluice(&["env", "create", "Bad Id", "--title", "x"], "");
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        err(&bad).contains("(invalid_argument, HTTP 400)"),
        "{}",
        err(&bad)
    );
}

#[test]
fn instances_never_show_passwords() {
    let server = Server::start("instance");
    owner(&server);
    ok(server.sluice(&["env", "create", "dev", "--title", "Dev"], ""));

    let create = [
        "instance",
        "create",
        "pg-dev",
        "--title",
        "PG dev",
        "--engine",
        "POSTGRES",
        "--environment",
        "dev",
        "--host",
        "127.0.0.1",
        "--port",
        "5432",
        "--username",
        "postgres",
        "--password-stdin",
    ];
    ok(server.sluice(&create, "hunter2-secret\n"));

    let raw = ok(server.sluice(&["instance", "get", "pg-dev", "--json"], ""));
    assert!(!raw.contains("hunter2-secret"), "{raw}");
    let v: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(v["engine"], "POSTGRES");
    let admin = &v["data_sources"][0];
    assert!(admin.get("password").is_none(), "{raw}");
    assert_eq!(admin["has_password"], true);

    let table = ok(server.sluice(&["instance", "list"], ""));
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("pg-dev") && l.contains("127.0.0.1:5432")),
        "{table}"
    );
    let detail = ok(server.sluice(&["instance", "get", "pg-dev"], ""));
    assert!(
        detail.contains("ADMIN") && !detail.contains("hunter2"),
        "{detail}"
    );

    ok(server.sluice(&["database", "list", "--instance", "pg-dev"], ""));
    let missing = server.sluice(&["database", "get", "pg-dev", "no_such_db"], "");
    assert_eq!(missing.status.code(), Some(1), "{}", err(&missing));
    assert!(err(&missing).contains("HTTP 404"), "{}", err(&missing));

    ok(server.sluice(
        &["instance", "update", "pg-dev", "--title", "Postgres dev"],
        "",
    ));
    ok(server.sluice(&["instance", "archive", "pg-dev"], ""));
    ok(server.sluice(&["instance", "restore", "pg-dev"], ""));
}

#[test]
fn projects_users_members_and_service_accounts() {
    let server = Server::start("project");
    owner(&server);

    ok(server.sluice(
        &[
            "project", "create", "billing", "--title", "Billing", "--key", "BILL",
        ],
        "",
    ));
    assert!(
        ok(server.sluice(&["project", "list"], ""))
            .lines()
            .any(|l| l.starts_with("billing"))
    );

    let user = [
        "user",
        "create",
        "--email",
        "dev@example.com",
        "--name",
        "Dana Dev",
        "--role",
        "DEVELOPER",
    ];
    let args: Vec<&str> = user
        .iter()
        .copied()
        .chain(["--password-stdin", "--json"])
        .collect();
    let created = json_of(server.sluice(&args, "another long password\n"));
    assert_eq!(created["role"], "DEVELOPER");
    assert!(ok(server.sluice(&["user", "list"], "")).contains("dev@example.com"));

    let add = [
        "project",
        "add-member",
        "billing",
        "--email",
        "dev@example.com",
        "--role",
        "DEVELOPER",
    ];
    assert!(ok(server.sluice(&add, "")).contains("dev@example.com"));
    let members = json_of(server.sluice(&["project", "members", "billing", "--json"], ""));
    let emails: Vec<_> = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].clone())
        .collect();
    assert!(
        emails.contains(&json!("dev@example.com")) && emails.contains(&json!("owner@example.com"))
    );
    let removed = ok(server.sluice(
        &[
            "project",
            "remove-member",
            "billing",
            "--email",
            "dev@example.com",
        ],
        "",
    ));
    assert!(!removed.contains("dev@example.com"), "{removed}");

    // A service account's token, printed alone on stdout, works for later calls.
    let sa = [
        "service-account",
        "create",
        "--email",
        "ci@example.com",
        "--name",
        "CI",
        "--role",
        "DBA",
    ];
    let token = ok(server.sluice(&sa, "")).trim().to_string();
    let config = server.dir.join("ci-config");
    let me = sluice_with(
        &config,
        &[("SLUICE_URL", &server.url), ("SLUICE_TOKEN", &token)],
        &["whoami", "--json"],
        "",
    );
    assert_eq!(json_of(me)["email"], "ci@example.com");

    let id = created["id"].to_string();
    ok(server.sluice(&["user", "archive", &id], ""));
    assert_eq!(
        json_of(server.sluice(&["user", "get", &id, "--json"], ""))["active"],
        false
    );
}

#[test]
fn exit_codes_for_unreachable_servers_and_ended_sessions() {
    let server = Server::start("exit");
    owner(&server);
    let config = server.dir.join("config");

    let closed = format!("http://127.0.0.1:{}", free_port());
    let o = sluice_with(
        &config,
        &[("SLUICE_URL", &closed), ("SLUICE_TOKEN", "x")],
        &["env", "list"],
        "",
    );
    assert_eq!(o.status.code(), Some(3));
    assert!(err(&o).contains(&closed), "{}", err(&o));

    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(config.join("credentials.json")).unwrap())
            .unwrap();
    let token = saved["token"].as_str().unwrap().to_string();
    ok(server.sluice(&["logout"], ""));
    assert!(!config.join("credentials.json").exists());
    let o = sluice_with(
        &config,
        &[("SLUICE_URL", &server.url), ("SLUICE_TOKEN", &token)],
        &["whoami"],
        "",
    );
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    let o = server.sluice(&["env", "list"], "");
    assert_eq!(o.status.code(), Some(3));
}
