//! `sluice issue` and `sluice changelog` end to end: a real `sluice serve`
//! (whose runner executes the tasks) on a free port with its own data
//! directory, SQLite databases in a temporary directory, and the CLI binary.

mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

/// A server with an owner logged in, project `shop`, and a SQLite database
/// `shop` on instance `lite` in environment `ci`, which is not protected:
/// its tasks run by themselves.
fn world(name: &str) -> Server {
    let server = Server::start(name);
    owner(&server);
    ok(server.sluice(
        &[
            "project", "create", "shop", "--title", "Shop", "--key", "SHOP",
        ],
        "",
    ));
    sqlite_database(&server, "ci", false, "lite");
    server
}

/// Environment `env`, an instance on a directory holding `shop.db`, and
/// the database moved to project `shop`.
fn sqlite_database(server: &Server, env: &str, protected: bool, instance: &str) {
    let mut args = vec!["env", "create", env, "--title", env];
    if protected {
        args.push("--protected");
    }
    ok(server.sluice(&args, ""));
    let dir = server.dir.join(instance);
    std::fs::create_dir_all(&dir).unwrap();
    // An empty file is an empty SQLite database.
    std::fs::File::create(dir.join("shop.db")).unwrap();
    ok(server.sluice(
        &[
            "instance",
            "create",
            instance,
            "--title",
            instance,
            "--engine",
            "SQLITE",
            "--environment",
            env,
            "--database",
            dir.to_str().unwrap(),
        ],
        "",
    ));
    let path = format!("/v1/instances/{instance}/sync");
    let (status, answer) = http(
        &server.url,
        "POST",
        &path,
        Some(&server.token()),
        Some(&json!({})),
    )
    .unwrap();
    assert_eq!(status, 200, "sync: {answer}");
    ok(server.sluice(
        &["database", "update", instance, "shop", "--project", "shop"],
        "",
    ));
}

fn write(server: &Server, name: &str, sql: &str) -> String {
    let path = server.dir.join(name);
    std::fs::write(&path, sql).unwrap();
    path.to_str().unwrap().to_string()
}

/// Files an issue and answers its number.
fn file(server: &Server, args: &[&str], stdin: &str) -> String {
    let base = ["issue", "create", "--project", "shop", "--json"];
    let all: Vec<&str> = base.iter().chain(args).copied().collect();
    let v = json_of(server.sluice(&all, stdin));
    v["number"].as_i64().unwrap().to_string()
}

#[test]
fn a_schema_change_runs_to_done_with_its_log_and_changelog() {
    let server = world("journey");
    let change = write(
        &server,
        "add_items.sql",
        "-- add items\nCREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);\nCREATE INDEX items_name ON items (name);\n",
    );
    let created = ok(server.sluice(
        &[
            "issue",
            "create",
            "--project",
            "shop",
            "--type",
            "schema-change",
            "--db",
            "lite/shop",
            "--file",
            &change,
            "--version",
            "v1",
        ],
        "",
    ));
    assert!(
        created.starts_with("Created issue #1 in project shop."),
        "{created}"
    );
    assert!(created.contains("Issue #1: add_items.sql"), "{created}");
    assert!(
        created.contains("Stage ci (ci)") && created.contains("lite/shop"),
        "{created}"
    );

    let waited = ok(server.sluice(
        &[
            "issue",
            "wait",
            "--project",
            "shop",
            "1",
            "--timeout",
            "60s",
        ],
        "",
    ));
    assert!(waited.contains("ci lite/shop: "), "{waited}");
    assert!(waited.trim_end().ends_with("Issue #1 is DONE."), "{waited}");

    let shown = ok(server.sluice(&["issue", "show", "--project", "shop", "1"], ""));
    assert!(shown.contains("Status:   DONE"), "{shown}");
    let row = shown
        .lines()
        .find(|l| l.contains("lite/shop"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(
        row.contains("DONE") && row.contains("#1 DONE") && row.contains("applied 2"),
        "{shown}"
    );

    let v = json_of(server.sluice(&["issue", "show", "--project", "shop", "#1", "--json"], ""));
    assert_eq!(v["status"], "DONE");
    assert_eq!(v["approval"]["status"], "NOT_REQUIRED");
    let task = &v["pipeline"]["stages"][0]["tasks"][0];
    assert_eq!(task["target"], "lite/shop");
    assert_eq!(task["version"], "v1");
    let task_id = task["id"].to_string();

    let log = ok(server.sluice(
        &["issue", "log", "--project", "shop", "1", "--task", &task_id],
        "",
    ));
    assert!(
        log.contains("attempt 1: DONE") && log.contains("by Sluice"),
        "{log}"
    );
    let header = log
        .lines()
        .find(|l| l.contains("LINE"))
        .unwrap_or_else(|| panic!("{log}"));
    for col in [
        "#",
        "LINE",
        "DURATION",
        "ROWS",
        "APPLIED",
        "STATEMENT",
        "ERROR",
    ] {
        assert!(header.contains(col), "{header}");
    }
    assert!(
        log.lines()
            .any(|l| l.contains("CREATE INDEX items_name") && l.contains("yes")),
        "{log}"
    );
    // Without --task: every task that ran.
    assert_eq!(
        ok(server.sluice(&["issue", "log", "--project", "shop", "1"], "")),
        log
    );
    let runs = json_of(server.sluice(
        &[
            "issue",
            "log",
            "--project",
            "shop",
            "1",
            "--task",
            &task_id,
            "--json",
        ],
        "",
    ));
    assert_eq!(runs["runs"][0]["log"][1]["applied"], true, "{runs}");

    // A data change from stdin, titled by its first line.
    let n = file(
        &server,
        &["--type", "data-change", "--db", "lite/shop", "-"],
        "INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b');\n",
    );
    assert_eq!(n, "2");
    ok(server.sluice(&["issue", "wait", "--project", "shop", "2"], ""));
    let listed = ok(server.sluice(&["issue", "list", "--project", "shop"], ""));
    let lines: Vec<&str> = listed.lines().collect();
    assert!(
        lines[0].starts_with("NUMBER") && lines[0].contains("STATUS"),
        "{listed}"
    );
    assert!(
        lines[1].starts_with("2 ") && lines[1].contains("INSERT INTO items"),
        "{listed}"
    );
    assert!(
        lines[2].starts_with("1 ") && lines[2].contains("add_items.sql"),
        "{listed}"
    );
    let data = json_of(server.sluice(
        &[
            "issue",
            "list",
            "--project",
            "shop",
            "--type",
            "data-change",
            "--json",
        ],
        "",
    ));
    assert_eq!(data["issues"].as_array().unwrap().len(), 1);
    assert!(
        ok(server.sluice(
            &["issue", "list", "--project", "shop", "--status", "canceled"],
            ""
        ))
        .starts_with("No issues found")
    );
    let on_db = json_of(server.sluice(
        &[
            "issue",
            "list",
            "--project",
            "shop",
            "--status",
            "DONE",
            "--db",
            "lite/shop",
            "--json",
        ],
        "",
    ));
    assert_eq!(on_db["issues"].as_array().unwrap().len(), 2);

    let changelog = ok(server.sluice(&["changelog", "--instance", "lite", "--db", "shop"], ""));
    let lines: Vec<&str> = changelog.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("VERSION"),
        "{changelog}"
    );
    assert!(
        changelog.contains("BASELINE") && changelog.contains("DATA"),
        "{changelog}"
    );
    let migrate = lines
        .iter()
        .find(|l| l.contains(" v1 "))
        .unwrap_or_else(|| panic!("{changelog}"));
    assert!(
        migrate.contains("MIGRATE") && migrate.contains("DONE"),
        "{changelog}"
    );
    let entries = json_of(server.sluice(&["changelog", "--db", "lite/shop", "--json"], ""));
    let id = entries["changelogs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["version"] == "v1")
        .unwrap()["id"]
        .to_string();
    let one = ok(server.sluice(&["changelog", "--db", "lite/shop", "--id", &id], ""));
    assert!(one.contains("Statement:\n-- add items"), "{one}");
    assert!(
        one.contains("Schema after:") && one.contains("items_name"),
        "{one}"
    );

    // The version is taken now.
    let again = server.sluice(
        &[
            "issue",
            "create",
            "--project",
            "shop",
            "--type",
            "schema-change",
            "--db",
            "lite/shop",
            "--sql",
            "CREATE TABLE other (id integer PRIMARY KEY);",
            "--version",
            "v1",
        ],
        "",
    );
    let e = fails(again, 1);
    assert!(
        e.contains("already applied") && e.contains("HTTP 400"),
        "{e}"
    );

    // A new database, titled for what it creates.
    let n = file(
        &server,
        &[
            "--type",
            "create-database",
            "--instance",
            "lite",
            "--name",
            "extra",
        ],
        "",
    );
    let v = json_of(server.sluice(&["issue", "show", "--project", "shop", &n, "--json"], ""));
    assert_eq!(v["title"], "Create database extra");
    ok(server.sluice(
        &["issue", "wait", "--project", "shop", &n, "--timeout", "60s"],
        "",
    ));
    assert!(server.dir.join("lite").join("extra.db").exists());

    let commented = ok(server.sluice(
        &[
            "issue",
            "comment",
            "--project",
            "shop",
            "1",
            "shipped to ci",
        ],
        "",
    ));
    assert!(commented.contains("Commented on issue #1"), "{commented}");
}

#[test]
fn a_failing_script_makes_wait_exit_1_with_the_error() {
    let server = world("failure");
    // VACUUM cannot be dry-run in a transaction, so the checks pass and the
    // run fails on the second statement.
    let bad = write(
        &server,
        "bad.sql",
        "CREATE TABLE t2 (id integer PRIMARY KEY);\nVACUUM nosuch;\n",
    );
    let n = file(
        &server,
        &[
            "--type",
            "schema-change",
            "--db",
            "lite/shop",
            "--file",
            &bad,
        ],
        "",
    );
    let o = server.sluice(
        &["issue", "wait", "--project", "shop", &n, "--timeout", "60s"],
        "",
    );
    let e = fails(o.clone(), 1);
    assert!(
        e.contains("FAILED") && e.contains("unknown database nosuch"),
        "{e}"
    );
    assert!(
        out(&o).contains("statement 2 (line 2) failed: unknown database nosuch"),
        "{}",
        out(&o)
    );

    let v = json_of(server.sluice(&["issue", "show", "--project", "shop", &n, "--json"], ""));
    let task = v["pipeline"]["stages"][0]["tasks"][0].clone();
    assert_eq!(task["status"], "FAILED");
    let task_id = task["id"].to_string();
    let log = ok(server.sluice(
        &["issue", "log", "--project", "shop", &n, "--task", &task_id],
        "",
    ));
    assert!(
        log.lines()
            .any(|l| l.contains("VACUUM nosuch") && l.contains("unknown database nosuch")),
        "{log}"
    );

    // Skip it (a reason is required by clap), and the issue is done.
    let missing_reason = server.sluice(
        &["issue", "skip", "--project", "shop", &n, "--task", &task_id],
        "",
    );
    assert!(fails(missing_reason, 2).contains("--reason"));
    ok(server.sluice(
        &[
            "issue",
            "skip",
            "--project",
            "shop",
            &n,
            "--task",
            &task_id,
            "--reason",
            "applied by hand",
        ],
        "",
    ));
    ok(server.sluice(
        &["issue", "wait", "--project", "shop", &n, "--timeout", "30s"],
        "",
    ));
    let shown = ok(server.sluice(&["issue", "show", "--project", "shop", &n], ""));
    assert!(shown.contains("skipped: applied by hand"), "{shown}");

    // A script whose dry run fails is blocked by its checks: wait says which.
    let n = file(
        &server,
        &[
            "--type",
            "data-change",
            "--db",
            "lite/shop",
            "--sql",
            "INSERT INTO nosuch VALUES (1);",
        ],
        "",
    );
    let o = server.sluice(
        &["issue", "wait", "--project", "shop", &n, "--timeout", "60s"],
        "",
    );
    let e = fails(o.clone(), 1);
    assert!(e.contains("blocked by the DRY_RUN check"), "{e}");
    assert!(out(&o).contains("no such table: nosuch"), "{}", out(&o));

    // Canceling the issue ends a wait with 1 too.
    ok(server.sluice(&["issue", "cancel", "--project", "shop", &n], ""));
    let e = fails(
        server.sluice(&["issue", "wait", "--project", "shop", &n], ""),
        1,
    );
    assert!(e.contains("canceled"), "{e}");
}

#[test]
fn a_protected_stage_waits_for_approval_and_a_manual_start() {
    let server = world("approval");
    sqlite_database(&server, "live", true, "lite-live");
    let n = file(
        &server,
        &[
            "--type",
            "schema-change",
            "--db",
            "lite/shop",
            "--db",
            "lite-live/shop",
            "--sql",
            "CREATE TABLE t4 (id integer PRIMARY KEY);",
            "--title",
            "t4",
        ],
        "",
    );

    // The ci stage runs by itself; live waits for people: said once, then
    // the timeout (exit 4).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = json_of(server.sluice(&["issue", "show", "--project", "shop", &n, "--json"], ""));
        if v["pipeline"]["stages"][0]["tasks"][0]["status"] == "DONE" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the ci stage did not finish: {v}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let o = server.sluice(
        &["issue", "wait", "--project", "shop", &n, "--timeout", "3s"],
        "",
    );
    let e = fails(o.clone(), 4);
    assert!(e.contains("gave up after 3s"), "{e}");
    let said = out(&o);
    assert_eq!(
        said.matches("live: waiting for approval").count(),
        1,
        "{said}"
    );
    assert!(said.contains("ci lite/shop: DONE"), "{said}");

    // The owner filed it and may not approve it: the server's message, exit 1.
    let e = fails(
        server.sluice(&["issue", "approve", "--project", "shop", &n], ""),
        1,
    );
    assert!(e.starts_with("error: ") && e.contains("HTTP 403"), "{e}");

    // Starting before approval is refused by the server.
    let e = fails(
        server.sluice(
            &["issue", "run", "--project", "shop", &n, "--stage", "live"],
            "",
        ),
        1,
    );
    assert!(
        e.contains("waiting for approval") && e.contains("HTTP 409"),
        "{e}"
    );

    // A DBA approves and starts it.
    let user = [
        "user",
        "create",
        "--email",
        "dba@example.com",
        "--name",
        "Dana DBA",
        "--role",
        "DBA",
        "--password-stdin",
    ];
    ok(server.sluice(&user, "another long password\n"));
    let dba = server.dir.join("dba-config");
    ok(sluice_with(
        &dba,
        &[],
        &[
            "login",
            "--url",
            &server.url,
            "--email",
            "dba@example.com",
            "--password-stdin",
        ],
        "another long password\n",
    ));
    let approved = ok(sluice_with(
        &dba,
        &[],
        &["issue", "approve", "--project", "shop", &n],
        "",
    ));
    assert!(approved.contains("Approved issue"), "{approved}");
    let shown = ok(server.sluice(&["issue", "show", "--project", "shop", &n], ""));
    assert!(shown.contains("Approval: APPROVED by Dana DBA"), "{shown}");
    assert!(shown.contains("waiting for someone to start it"), "{shown}");

    ok(sluice_with(
        &dba,
        &[],
        &["issue", "run", "--project", "shop", &n, "--stage", "live"],
        "",
    ));
    let v = json_of(server.sluice(
        &[
            "issue",
            "wait",
            "--project",
            "shop",
            &n,
            "--timeout",
            "60s",
            "--json",
        ],
        "",
    ));
    assert_eq!(v["status"], "DONE");
    assert_eq!(v["pipeline"]["stages"][1]["tasks"][0]["status"], "DONE");
}

#[test]
fn bad_input_exits_2_and_api_errors_exit_1() {
    let server = world("usage");
    let sql = write(&server, "c.sql", "CREATE TABLE c (id integer PRIMARY KEY);");
    let create = |extra: &[&str]| {
        let base = ["issue", "create", "--project", "shop"];
        let all: Vec<&str> = base.iter().chain(extra).copied().collect();
        server.sluice(&all, "")
    };

    let e = fails(
        create(&["--type", "migration", "--db", "lite/shop", "--file", &sql]),
        2,
    );
    assert!(
        e.contains("migration") && e.contains("schema-change, data-change or create-database"),
        "{e}"
    );

    let e = fails(create(&["--type", "schema-change", "--file", &sql]), 2);
    assert!(e.contains("--db INSTANCE/DB"), "{e}");

    let e = fails(
        create(&["--type", "schema-change", "--db", "shop", "--file", &sql]),
        2,
    );
    assert!(e.contains("INSTANCE/DATABASE"), "{e}");

    let e = fails(
        create(&[
            "--type",
            "schema-change",
            "--db",
            "lite/shop",
            "--file",
            "/no/such/change.sql",
        ]),
        2,
    );
    assert!(e.contains("cannot read /no/such/change.sql"), "{e}");

    let e = fails(create(&["--type", "schema-change", "--db", "lite/shop"]), 2);
    assert!(e.contains("--file PATH, --sql TEXT, or -"), "{e}");

    let e = fails(
        create(&["--type", "create-database", "--instance", "lite"]),
        2,
    );
    assert!(e.contains("--name"), "{e}");

    let e = fails(
        server.sluice(&["issue", "run", "--project", "shop", "1"], ""),
        2,
    );
    assert!(e.contains("--stage"), "{e}");
    let e = fails(
        server.sluice(
            &[
                "issue",
                "wait",
                "--project",
                "shop",
                "1",
                "--timeout",
                "soon",
            ],
            "",
        ),
        2,
    );
    assert!(e.contains("not a duration"), "{e}");

    // The server refuses: its message, exit 1.
    let e = fails(
        create(&["--type", "data-change", "--db", "lite/shop", "--file", &sql]),
        1,
    );
    assert!(
        e.starts_with("error: ") && e.contains("(invalid_argument, HTTP 400)"),
        "{e}"
    );
    let e = fails(
        create(&[
            "--type",
            "schema-change",
            "--db",
            "lite/nope",
            "--file",
            &sql,
        ]),
        1,
    );
    assert!(e.contains("nope") && e.contains("HTTP"), "{e}");
    let e = fails(
        server.sluice(&["issue", "show", "--project", "shop", "42"], ""),
        1,
    );
    assert!(e.contains("(not_found, HTTP 404)"), "{e}");
    let e = fails(
        server.sluice(&["changelog", "--instance", "lite", "--db", "nope"], ""),
        1,
    );
    assert!(e.contains("HTTP 404"), "{e}");

    // Not logged in: 3.
    let o = sluice_with(
        &server.dir.join("nobody"),
        &[],
        &["issue", "list", "--project", "shop"],
        "",
    );
    fails(o, 3);
}
