//! `sluice schema-sync` end to end: a real `sluice serve` whose runner
//! executes the tasks, SQLite databases in its data directory, and the CLI
//! binary: preview, file, wait, and the refusals.

mod common;

use common::*;
use serde_json::json;

/// Runs `sql` on a SQLite file, creating it.
fn sqlite_file(path: &std::path::Path, sql: &str) {
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

/// Project shop with `lite/shop` (empty) and the source `lite/src` (a
/// table), in environment ci whose tasks run by themselves.
fn world() -> Server {
    let server = Server::start("schema-sync");
    owner(&server);
    ok(server.sluice(
        &[
            "project", "create", "shop", "--title", "Shop", "--key", "SHOP",
        ],
        "",
    ));
    ok(server.sluice(&["env", "create", "ci", "--title", "CI"], ""));
    let dir = server.dir.join("lite");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::File::create(dir.join("shop.db")).unwrap();
    sqlite_file(
        &dir.join("src.db"),
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER);",
    );
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
    let (status, answer) = http(
        &server.url,
        "POST",
        "/v1/instances/lite/sync",
        Some(&server.token()),
        Some(&json!({})),
    )
    .unwrap();
    assert_eq!(status, 200, "sync: {answer}");
    for db in ["shop", "src"] {
        ok(server.sluice(&["database", "update", "lite", db, "--project", "shop"], ""));
    }
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
