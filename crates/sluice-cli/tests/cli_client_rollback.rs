//! `sluice changelog rollback` end to end: a real `sluice serve` (whose
//! runner executes the tasks), a SQLite database, and the CLI binary. A
//! change's entry prints its reverse plan with its hazards; rolling back
//! without them allowed fails naming them; allowed, it files the issue,
//! which runs to DONE.

mod common;

use common::*;

/// A server with an owner logged in, project `shop`, and an empty database
/// `shop` on SQLite instance `lite` in environment `ci`,
/// whose tasks run by themselves.
fn world() -> Server {
    let server = Server::start("rollback");
    owner(&server);
    sqlite_shop(&server, &["shop"], |_| {});
    server
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
    wait(server, &v["number"].to_string());
}

fn wait(server: &Server, number: &str) {
    ok(server.sluice(
        &[
            "issue",
            "wait",
            "--project",
            "shop",
            number,
            "--timeout",
            "60s",
        ],
        "",
    ));
}

#[test]
fn a_change_is_rolled_back_from_the_command_line() {
    let server = world();
    run_to_done(&server, "CREATE TABLE customers (id integer PRIMARY KEY);");
    run_to_done(
        &server,
        "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL);",
    );
    let entries = json_of(server.sluice(&["changelog", "--db", "lite/shop", "--json"], ""));
    let id = entries["changelogs"][0]["id"].as_i64().unwrap().to_string();

    let shown = ok(server.sluice(&["changelog", "--db", "lite/shop", "--id", &id], ""));
    assert!(
        shown.contains("Reverse plan (hazards: DELETES_DATA):"),
        "{shown}"
    );
    assert!(shown.contains("DROP TABLE"), "{shown}");

    let refused = fails(
        server.sluice(
            &["changelog", "rollback", "--db", "lite/shop", "--id", &id],
            "",
        ),
        1,
    );
    assert!(refused.contains("DELETES_DATA"), "{refused}");
    assert!(refused.contains("allow_hazards"), "{refused}");

    let filed = ok(server.sluice(
        &[
            "changelog",
            "rollback",
            "--instance",
            "lite",
            "--db",
            "shop",
            "--id",
            &id,
            "--allow-hazards",
            "DELETES_DATA",
        ],
        "",
    ));
    assert!(
        filed.starts_with("Created issue #3 in project shop: Roll back "),
        "{filed}"
    );
    assert!(
        filed.contains("sluice issue wait --project shop 3"),
        "{filed}"
    );
    wait(&server, "3");
    let (status, schema) = http(
        &server.url,
        "GET",
        "/v1/instances/lite/databases/shop/schema.sql",
        Some(&server.token()),
        None,
    )
    .unwrap();
    assert_eq!(status, 200, "{schema}");
    let schema = schema.as_str().unwrap_or_default().to_string();
    assert!(!schema.contains("orders"), "{schema}");
    assert!(schema.contains("customers"), "{schema}");
}
