//! `sluice inspect` against the real PostgreSQL and MariaDB on this machine
//! and a SQLite file: DDL by default, the model with --json, and clear
//! errors with a non-zero exit.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sluice");

fn inspect(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("inspect")
        .args(args)
        .output()
        .expect("run sluice");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}_{}_{}", std::process::id(), nanos % 1_000_000_000)
}

async fn exec_pg(database: &str, sql: String) {
    use sqlx::Connection;
    let url = format!("postgres://postgres@127.0.0.1:5432/{database}");
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .expect("PostgreSQL on 127.0.0.1:5432");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn postgres_ddl_and_json() {
    let db = unique("sluice_cli_inspect");
    exec_pg("postgres", format!("CREATE DATABASE {db}")).await;
    exec_pg(
        &db,
        "CREATE TABLE item (id bigint PRIMARY KEY, label text NOT NULL); \
                  CREATE INDEX item_label_idx ON item (label)"
            .into(),
    )
    .await;
    let url = format!("postgres://postgres@127.0.0.1:5432/{db}");
    let ddl = inspect(&[&url]);
    let json = inspect(&[&url, "--json"]);
    exec_pg("postgres", format!("DROP DATABASE {db} WITH (FORCE)")).await;

    assert_eq!(ddl.0, 0, "{}", ddl.2);
    assert!(
        ddl.1.contains("CREATE TABLE") && ddl.1.contains("item_label_idx"),
        "{}",
        ddl.1
    );
    assert_eq!(json.0, 0, "{}", json.2);
    let model: serde_json::Value = serde_json::from_str(&json.1).expect("the model is JSON");
    assert_eq!(model["dialect"], "postgres", "{model}");
}

#[tokio::test]
async fn mariadb_and_sqlite() {
    let db = unique("sluice_cli_inspect");
    {
        use sqlx::Connection;
        let mut conn = sqlx::MySqlConnection::connect("mysql://root@127.0.0.1:3306/")
            .await
            .expect("MariaDB on 127.0.0.1:3306");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {db}; CREATE TABLE {db}.t (id INT PRIMARY KEY)"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
        let out = inspect(&[&format!("mariadb://root@127.0.0.1:3306/{db}")]);
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE {db}")))
            .execute(&mut conn)
            .await
            .unwrap();
        assert_eq!(out.0, 0, "{}", out.2);
        assert!(out.1.contains("CREATE TABLE"), "{}", out.1);
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.db");
    {
        use sqlx::Connection;
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", file.display()))
                .await
                .unwrap();
        sqlx::raw_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let out = inspect(&[&format!("sqlite://{}", file.display())]);
    assert_eq!(out.0, 0, "{}", out.2);
    assert!(out.1.contains("CREATE TABLE note"), "{}", out.1);
}

#[test]
fn bad_input_fails_clearly() {
    let (code, _, err) = inspect(&["oracle://x/y"]);
    assert_ne!(code, 0);
    assert!(err.contains("unsupported scheme"), "{err}");
    let (code, _, err) = inspect(&["postgres://127.0.0.1:1/nothing", "--connect-timeout", "2"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("cannot reach") || err.contains("did not answer"),
        "{err}"
    );
    let (code, _, err) = inspect(&["/no/such/file.db"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("does not exist") || err.contains("no database"),
        "{err}"
    );
}
