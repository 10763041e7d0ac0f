//! `sluice schema-sync` end to end: a real `sluice serve` whose runner
//! executes the tasks, SQLite databases in its data directory, and the CLI
//! binary: preview, file, wait, and the refusals.

mod common;

use common::*;

/// Project shop with `lite/shop` (empty) and the source `lite/src` (a
/// table), in environment ci whose tasks run by themselves.
fn world() -> Server {
    let server = Server::start("schema-sync");
    owner(&server);
    sqlite_shop(&server, &["shop", "src"], |dir| {
        sqlite_file(
            &dir.join("src.db"),
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER);",
        )
    });
    server
}

#[test]
fn preview_file_and_wait() {
    let server = world();
    let preview = ok(server.sluice(
        &[
            "schema-sync",
            "--project",
            "shop",
            "--source",
            "lite/src",
            "--target",
            "lite/shop",
            "--preview",
        ],
        "",
    ));
    assert!(
        preview.contains("Source lite/src (inspected just now)"),
        "{preview}"
    );
    assert!(
        preview.contains("lite/shop (ci): 1 statement(s)"),
        "{preview}"
    );
    assert!(preview.contains("CREATE TABLE orders"), "{preview}");

    let filed = ok(server.sluice(
        &[
            "schema-sync",
            "--project",
            "shop",
            "--source",
            "lite/src",
            "--target",
            "lite/shop",
        ],
        "",
    ));
    let number = filed
        .strip_prefix("Created issue #")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("{filed}"))
        .to_string();
    assert!(filed.contains("lite/shop"), "{filed}");
    ok(server.sluice(
        &[
            "issue",
            "wait",
            "--project",
            "shop",
            &number,
            "--timeout",
            "60s",
        ],
        "",
    ));

    let after = ok(server.sluice(
        &[
            "schema-sync",
            "--project",
            "shop",
            "--source",
            "lite/src",
            "--target",
            "lite/shop",
            "--preview",
            "--json",
        ],
        "",
    ));
    let v: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(v["targets"][0]["in_sync"], true, "{after}");
    let again = fails(
        server.sluice(
            &[
                "schema-sync",
                "--project",
                "shop",
                "--source",
                "lite/src",
                "--target",
                "lite/shop",
            ],
            "",
        ),
        1,
    );
    assert!(again.contains("already in sync"), "{again}");
    let usage = fails(
        server.sluice(
            &[
                "schema-sync",
                "--project",
                "shop",
                "--source",
                "lite/src@x",
                "--target",
                "lite/shop",
            ],
            "",
        ),
        2,
    );
    assert!(usage.contains("is not a changelog entry id"), "{usage}");
}
