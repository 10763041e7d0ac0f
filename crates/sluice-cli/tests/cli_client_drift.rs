//! `sluice drift` end to end: a real `sluice serve` (whose runner executes
//! the tasks), a SQLite database, and the CLI binary. A change Sluice makes
//! is no drift; a column added behind its back is, and `drift show` exits 2
//! naming it; a developer may not accept it, a DBA may, and after the next
//! sync `drift show` exits 0 again.

mod common;

use common::*;
use std::path::PathBuf;

/// A server with an owner logged in, project `shop`, and database `shop`
/// on SQLite instance `lite` in environment `ci` (tasks run by
/// themselves); answers the database file.
fn world(name: &str) -> (Server, PathBuf) {
    let server = Server::start(name);
    owner(&server);
    let dir = sqlite_shop(&server, &["shop"], |_| {});
    (server, dir.join("shop.db"))
}

/// Inspects the schema of `lite/shop` now, as the background sync would.
fn sync_database(server: &Server) {
    post_ok(server, "/v1/instances/lite/databases/shop/sync");
}

/// Adds a user with a workspace role and logs a CLI of their own in;
/// answers its config directory.
fn user(server: &Server, email: &str, name: &str, role: &str) -> PathBuf {
    ok(server.sluice(
        &[
            "user",
            "create",
            "--email",
            email,
            "--name",
            name,
            "--role",
            role,
            "--password-stdin",
        ],
        "another long password\n",
    ));
    let config = server.dir.join(format!("{}-config", role.to_lowercase()));
    ok(sluice_with(
        &config,
        &[],
        &[
            "login",
            "--url",
            &server.url,
            "--email",
            email,
            "--password-stdin",
        ],
        "another long password\n",
    ));
    config
}

/// The value of a `Name: value` line of a detail view.
fn field(text: &str, name: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}:")))
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

fn run_to_done(server: &Server, sql: &str) {
    let v = json_of(server.sluice(
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
            sql,
            "--json",
        ],
        "",
    ));
    ok(server.sluice(
        &[
            "issue",
            "wait",
            "--project",
            "shop",
            &v["number"].to_string(),
            "--timeout",
            "60s",
        ],
        "",
    ));
}

#[test]
fn drift_is_shown_refused_to_a_developer_and_accepted_by_a_dba() {
    let (server, file) = world("drift-dba");

    // No changelog entry yet: nothing to compare with.
    let o = server.sluice(&["drift", "show", "lite", "shop"], "");
    assert_eq!(o.status.code(), Some(5), "{}{}", out(&o), err(&o));
    assert!(field(&out(&o), "Status") == "UNKNOWN", "{}", out(&o));
    assert!(out(&o).contains("no changelog entry"), "{}", out(&o));

    // A change Sluice makes is expected, not drift.
    run_to_done(
        &server,
        "CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL);",
    );
    let shown = ok(server.sluice(&["drift", "show", "lite", "shop"], ""));
    assert!(field(&shown, "Status") == "IN_SYNC", "{shown}");
    let entries = json_of(server.sluice(&["changelog", "--db", "lite/shop", "--json"], ""));
    let migrate = entries["changelogs"][0]["version"].as_str().unwrap();
    assert!(field(&shown, "Expected version") == migrate, "{shown}");

    // A column added behind Sluice's back, found by the next schema sync.
    sqlite_file(&file, "ALTER TABLE customers ADD COLUMN note text;");
    sync_database(&server);
    let o = server.sluice(&["drift", "show", "lite", "shop"], "");
    assert_eq!(o.status.code(), Some(2), "{}{}", out(&o), err(&o));
    let shown = out(&o);
    assert!(field(&shown, "Status") == "DRIFTED", "{shown}");
    assert!(field(&shown, "Detected at").starts_with("20"), "{shown}");
    assert!(
        shown.contains("Changes (1):\n  add_column main.customers.note\n"),
        "{shown}"
    );
    let ddl = shown.split_once("\nDDL:\n").unwrap().1;
    assert!(
        ddl.contains("ALTER TABLE customers ADD COLUMN note TEXT;"),
        "{shown}"
    );
    let o = server.sluice(&["drift", "show", "lite", "shop", "--json"], "");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["status"], "DRIFTED");
    assert_eq!(v["expected_version"], migrate);
    assert_eq!(v["changes"][0]["change"], "add_column");

    // A developer of the project sees the drift but may not accept it.
    let dev = user(&server, "dev@example.com", "Dana Dev", "DEVELOPER");
    ok(server.sluice(
        &[
            "project",
            "add-member",
            "shop",
            "--email",
            "dev@example.com",
            "--role",
            "DEVELOPER",
        ],
        "",
    ));
    let o = sluice_with(&dev, &[], &["drift", "show", "lite", "shop"], "");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let refused = fails(
        sluice_with(&dev, &[], &["drift", "accept", "lite", "shop"], ""),
        1,
    );
    assert!(
        refused.contains("databases.drift.accept") && refused.contains("HTTP 403"),
        "{refused}"
    );
    assert!(refused.contains("Owner or DBA"), "{refused}");

    // A DBA accepts: the live schema becomes a BASELINE entry.
    let dba = user(&server, "dba@example.com", "Dora DBA", "DBA");
    let accepted = ok(sluice_with(
        &dba,
        &[],
        &["drift", "accept", "lite", "shop"],
        "",
    ));
    assert!(
        accepted.starts_with("Accepted the live schema of lite/shop as baseline "),
        "{accepted}"
    );
    assert!(field(&accepted, "Type") == "BASELINE", "{accepted}");
    assert!(field(&accepted, "Status") == "DONE", "{accepted}");
    let entries = json_of(server.sluice(&["changelog", "--db", "lite/shop", "--json"], ""));
    let baseline = &entries["changelogs"][0];
    assert_eq!(baseline["type"], "BASELINE");
    let version = baseline["version"].as_str().unwrap();
    assert!(
        accepted.contains(&format!("baseline {version}.")),
        "{accepted}"
    );

    // Nothing left to accept.
    let again = fails(
        sluice_with(&dba, &[], &["drift", "accept", "lite", "shop"], ""),
        1,
    );
    assert!(
        again.contains("no drift to accept") && again.contains("HTTP 409"),
        "{again}"
    );

    // The next sync finds the schema the baseline recorded: exit 0.
    let shown = ok(server.sluice(&["drift", "show", "lite", "shop", "--sync"], ""));
    assert!(field(&shown, "Status") == "IN_SYNC", "{shown}");
    assert!(field(&shown, "Expected version") == version, "{shown}");

    // The timeline tells what happened, newest first, and who did it.
    let timeline = ok(server.sluice(&["drift", "timeline", "lite", "shop"], ""));
    let lines: Vec<&str> = timeline.lines().collect();
    assert!(lines[0].starts_with("CREATED"), "{timeline}");
    assert!(
        lines[1].contains("DRIFT_ACCEPTED") && lines[1].contains("Dora DBA"),
        "{timeline}"
    );
    assert!(
        timeline.contains("DRIFT_DETECTED") && timeline.contains("add_column main.customers.note"),
        "{timeline}"
    );
    let v = json_of(server.sluice(&["drift", "timeline", "lite", "shop", "--json"], ""));
    assert_eq!(v["activity"][0]["kind"], "DRIFT_ACCEPTED");
    assert_eq!(v["activity"][0]["actor"]["email"], "dba@example.com");
}

#[test]
fn the_first_baseline_is_recorded_by_accepting_and_errors_are_clear() {
    let (server, file) = world("drift-first");

    // Not found: the server's message, exit 1.
    let missing = fails(server.sluice(&["drift", "show", "lite", "nope"], ""), 1);
    assert!(missing.contains("HTTP 404"), "{missing}");

    // A database Sluice never changed: its schema is the first baseline.
    sqlite_file(&file, "CREATE TABLE items (id integer PRIMARY KEY);");
    let o = server.sluice(&["drift", "show", "lite", "shop", "--sync"], "");
    assert_eq!(o.status.code(), Some(5), "{}{}", out(&o), err(&o));
    let accepted = ok(server.sluice(&["drift", "accept", "lite", "shop"], ""));
    assert!(field(&accepted, "Type") == "BASELINE", "{accepted}");
    let o = server.sluice(&["drift", "show", "lite", "shop", "--sync"], "");
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));

    // Dropped behind Sluice's back.
    sqlite_file(&file, "DROP TABLE items;");
    let o = server.sluice(&["drift", "show", "lite", "shop", "--sync"], "");
    assert_eq!(o.status.code(), Some(2), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("  drop_table main.items\n"), "{}", out(&o));
    assert!(out(&o).contains("DROP TABLE"), "{}", out(&o));
}
