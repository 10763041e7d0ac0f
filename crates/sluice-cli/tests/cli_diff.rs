//! `sluice diff` end to end, on the real PostgreSQL and MariaDB of this
//! machine and on SQLite files: the printed plan, fed to the server's own
//! client (`psql`, `mariadb`, `sqlite3`), makes FROM equal to TO, after
//! which a second diff finds nothing; SQL files load through a scratch
//! database that is gone afterwards; exit codes and errors are the ones
//! the help documents.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sluice");
const PG_DEV: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const MARIADB_DEV: &str = "mariadb://root@127.0.0.1:3306/";

/// What a run of `sluice` left behind.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// The process id, which names its scratch databases.
    pid: u32,
}

fn sluice(args: &[&str]) -> Run {
    let child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sluice");
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        pid,
    }
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}_{}_{}", std::process::id(), nanos % 1_000_000_000)
}

/// Runs a client with `script` on its standard input.
fn client(program: &str, args: &[&str], script: &str) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn psql(db: &str, script: &str) -> String {
    let args = [
        "-X",
        "-q",
        "-At",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        "127.0.0.1",
        "-U",
        "postgres",
        "-d",
        db,
    ];
    ok(client("psql", &args, script), &format!("psql on {db}"))
}

fn mariadb(db: &str, script: &str) -> String {
    let args = ["-h", "127.0.0.1", "-u", "root", "-N", "-B", db];
    ok(
        client("mariadb", &args, script),
        &format!("mariadb on {db}"),
    )
}

fn sqlite3(file: &Path, script: &str) -> String {
    let args = ["-bail", file.to_str().unwrap()];
    ok(client("sqlite3", &args, script), "sqlite3")
}

/// A PostgreSQL database of its own, dropped with the value.
struct PgDb(String);

impl PgDb {
    fn new(schema: &str) -> PgDb {
        let db = PgDb(unique("sluice_diff"));
        psql("postgres", &format!("CREATE DATABASE {}", db.0));
        if !schema.is_empty() {
            psql(&db.0, schema);
        }
        db
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:5432/{}", self.0)
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let _ = client(
            "psql",
            &[
                "-X",
                "-q",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "postgres",
            ],
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.0),
        );
    }
}

/// A MariaDB database of its own, dropped with the value.
struct MariaDb(String);

impl MariaDb {
    fn new(schema: &str) -> MariaDb {
        let db = MariaDb(unique("sluice_diff"));
        mariadb("", &format!("CREATE DATABASE {}", db.0));
        if !schema.is_empty() {
            mariadb(&db.0, schema);
        }
        db
    }

    fn url(&self) -> String {
        format!("mariadb://root@127.0.0.1:3306/{}", self.0)
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = client(
            "mariadb",
            &["-h", "127.0.0.1", "-u", "root"],
            &format!("DROP DATABASE IF EXISTS {}", self.0),
        );
    }
}

/// Scratch databases a run left on PostgreSQL (there should be none).
fn pg_scratch_left(run: &Run) -> String {
    psql(
        "postgres",
        &format!(
            "SELECT datname FROM pg_database WHERE datname LIKE 'sluice\\_dev\\_{}\\_%'",
            run.pid
        ),
    )
}

fn mariadb_scratch_left(run: &Run) -> String {
    mariadb(
        "",
        &format!("SHOW DATABASES LIKE 'sluice\\_dev\\_{}\\_%'", run.pid),
    )
}

/// A directory of `.sql` files, named so that name order is apply order.
fn sql_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

const PG_FROM: &str = "
CREATE TABLE customer (id bigint PRIMARY KEY, email text NOT NULL, legacy_code text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customer (id), total numeric(10,2));
";

const PG_TO: &str = "
CREATE TABLE customer (id bigint PRIMARY KEY, email text NOT NULL, name text);
CREATE UNIQUE INDEX customer_email_key ON customer (email);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customer (id), total numeric(10,2), placed_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE TABLE invoice (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id));
";

#[test]
fn postgres_plan_applied_with_psql_makes_the_databases_equal() {
    let from = PgDb::new(PG_FROM);
    let to = PgDb::new(PG_TO);

    let diff = sluice(&[
        "diff",
        &from.url(),
        &to.url(),
        "--exit-code",
        "--allow-hazards",
        "all",
    ]);
    assert_eq!(diff.code, 2, "differences exit 2: {}", diff.stderr);
    assert!(diff.stdout.contains("invoice"), "{}", diff.stdout);
    assert!(
        diff.stdout.contains("-- HAZARD DELETES_DATA"),
        "{}",
        diff.stdout
    );

    psql(&from.0, &diff.stdout);
    let again = sluice(&["diff", &from.url(), &to.url(), "--exit-code"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("No differences"), "{}", again.stdout);
}

#[test]
fn postgres_drop_column_needs_its_hazard_allowed() {
    let from = PgDb::new("CREATE TABLE t (id int PRIMARY KEY, gone text)");
    let to = PgDb::new("CREATE TABLE t (id int PRIMARY KEY)");

    let refused = sluice(&["diff", &from.url(), &to.url()]);
    assert_eq!(refused.code, 3, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stdout.contains("-- HAZARD DELETES_DATA") && refused.stdout.contains("gone"),
        "the plan is printed with its hazard marked: {}",
        refused.stdout
    );
    assert!(
        refused.stderr.contains("--allow-hazards") && refused.stderr.contains("DELETES_DATA"),
        "{}",
        refused.stderr
    );

    let allowed = sluice(&[
        "diff",
        &from.url(),
        &to.url(),
        "--allow-hazards",
        "DELETES_DATA",
    ]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert_eq!(allowed.stdout, refused.stdout);

    let json = sluice(&["diff", &from.url(), &to.url(), "--json"]);
    assert_eq!(json.code, 3, "--json keeps the exit code: {}", json.stderr);
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).expect("the plan is JSON");
    assert_eq!(plan["dialect"], "postgres", "{plan}");
    assert!(!plan["changes"].as_array().unwrap().is_empty(), "{plan}");
    assert!(!plan["steps"].as_array().unwrap().is_empty(), "{plan}");
    assert_eq!(
        plan["hazards"],
        serde_json::json!(["DELETES_DATA"]),
        "{plan}"
    );
    assert_eq!(
        plan["unallowed_hazards"],
        serde_json::json!(["DELETES_DATA"])
    );
}

#[test]
fn postgres_lock_options_shape_the_plan() {
    let from = PgDb::new("CREATE TABLE t (id int PRIMARY KEY, name text)");
    let to = PgDb::new(
        "CREATE TABLE t (id int PRIMARY KEY, name text); CREATE INDEX t_name_idx ON t (name)",
    );
    let args = ["--allow-hazards", "INDEX_BUILD,LONG_LOCK"];

    let safe = sluice(&[&["diff", &from.url(), &to.url()][..], &args].concat());
    assert_eq!(safe.code, 0, "{}", safe.stderr);
    assert!(
        safe.stdout.contains("SET lock_timeout = '5000ms'"),
        "{}",
        safe.stdout
    );
    assert!(safe.stdout.contains("CONCURRENTLY"), "{}", safe.stdout);

    let plain = sluice(
        &[
            &[
                "diff",
                &from.url(),
                &to.url(),
                "--no-lock-safe",
                "--lock-timeout",
                "0",
            ][..],
            &args,
        ]
        .concat(),
    );
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    assert!(!plain.stdout.contains("lock_timeout"), "{}", plain.stdout);
    assert!(!plain.stdout.contains("CONCURRENTLY"), "{}", plain.stdout);
    assert!(plain.stdout.contains("t_name_idx"), "{}", plain.stdout);

    let slow = sluice(
        &[
            &["diff", &from.url(), &to.url(), "--lock-timeout", "1500"][..],
            &args,
        ]
        .concat(),
    );
    assert!(
        slow.stdout.contains("SET lock_timeout = '1500ms'"),
        "{}",
        slow.stdout
    );
}

#[test]
fn postgres_sql_directory_through_a_scratch_database() {
    let target = PgDb::new(PG_TO);
    let dir = sql_dir(&[
        (
            "001_customer.sql",
            "CREATE TABLE customer (id bigint PRIMARY KEY, email text NOT NULL, legacy_code text);\n",
        ),
        (
            "002_orders.sql",
            "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customer (id), total numeric(10,2));\n",
        ),
        ("notes.txt", "not read"),
    ]);
    let files = dir.path().to_str().unwrap();

    // The files are the schema as it should be: the plan turns the live
    // database back into it.
    let diff = sluice(&[
        "diff",
        &target.url(),
        files,
        "--dev-url",
        PG_DEV,
        "--allow-hazards",
        "all",
        "--exit-code",
    ]);
    assert_eq!(diff.code, 2, "{}", diff.stderr);
    assert!(diff.stdout.contains("invoice"), "{}", diff.stdout);
    assert_eq!(
        pg_scratch_left(&diff),
        "",
        "the scratch database is dropped"
    );

    // Loaded from the same SQL, a database and the files are equal.
    let same = PgDb::new(PG_FROM);
    let clean = sluice(&[
        "diff",
        files,
        &same.url(),
        "--dev-url",
        PG_DEV,
        "--exit-code",
    ]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    assert_eq!(pg_scratch_left(&clean), "");

    // Both sides files: two scratch databases, both dropped.
    let both = sluice(&["diff", files, files, "--dev-url", PG_DEV, "--exit-code"]);
    assert_eq!(both.code, 0, "{}{}", both.stdout, both.stderr);
    assert_eq!(pg_scratch_left(&both), "");
}

#[test]
fn postgres_failing_sql_file_is_named_and_its_scratch_database_dropped() {
    let target = PgDb::new("");
    let dir = sql_dir(&[
        ("001_ok.sql", "CREATE TABLE a (id int PRIMARY KEY);\n"),
        (
            "002_bad.sql",
            "-- a comment\nCREATE TABLE b (id int PRIMARY KEY);\n\nCREATE TABLE c (a_id int REFERENCES missing (id));\n",
        ),
    ]);
    let run = sluice(&[
        "diff",
        dir.path().to_str().unwrap(),
        &target.url(),
        "--dev-url",
        PG_DEV,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("002_bad.sql:4:1"), "{}", run.stderr);
    assert!(
        run.stderr.contains("relation \"missing\" does not exist"),
        "the server's message: {}",
        run.stderr
    );
    assert_eq!(run.stdout, "", "no plan on an error");
    assert_eq!(pg_scratch_left(&run), "", "dropped even on error");
}

const MARIADB_FROM: &str = "
CREATE TABLE customer (id BIGINT PRIMARY KEY, email VARCHAR(200) NOT NULL, legacy_code VARCHAR(20)) ENGINE=InnoDB;
CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, total DECIMAL(10,2), CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id)) ENGINE=InnoDB;
";

const MARIADB_TO: &str = "
CREATE TABLE customer (id BIGINT PRIMARY KEY, email VARCHAR(200) NOT NULL, name VARCHAR(100), UNIQUE KEY customer_email_key (email)) ENGINE=InnoDB;
CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, total DECIMAL(10,2), placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id)) ENGINE=InnoDB;
CREATE TABLE invoice (id BIGINT PRIMARY KEY, order_id BIGINT NOT NULL, CONSTRAINT invoice_order_fk FOREIGN KEY (order_id) REFERENCES orders (id)) ENGINE=InnoDB;
";

#[test]
fn mariadb_plan_applied_with_the_client_makes_the_databases_equal() {
    let from = MariaDb::new(MARIADB_FROM);
    let to = MariaDb::new(MARIADB_TO);

    let diff = sluice(&["diff", &from.url(), &to.url(), "--exit-code"]);
    assert_eq!(
        diff.code, 3,
        "dropping legacy_code is a hazard: {}",
        diff.stderr
    );
    assert!(diff.stderr.contains("DELETES_DATA"), "{}", diff.stderr);
    let diff = sluice(&[
        "diff",
        &from.url(),
        &to.url(),
        "--exit-code",
        "--allow-hazards",
        "all",
    ]);
    assert_eq!(diff.code, 2, "{}", diff.stderr);
    assert!(diff.stdout.contains("invoice"), "{}", diff.stdout);

    mariadb(&from.0, &diff.stdout);
    let again = sluice(&["diff", &from.url(), &to.url(), "--exit-code"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);

    let json = sluice(&["diff", &to.url(), &from.url(), "--json"]);
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).expect("the plan is JSON");
    assert_eq!(plan["dialect"], "mysql", "{plan}");
    assert_eq!(plan["changes"], serde_json::json!([]), "{plan}");
}

#[test]
fn mariadb_sql_directory_through_a_scratch_database() {
    let live = MariaDb::new(MARIADB_FROM);
    let dir = sql_dir(&[
        ("1_schema.sql", MARIADB_TO),
        (
            "2_routine.sql",
            "DELIMITER //\nCREATE PROCEDURE touch_orders() BEGIN SELECT 1; SELECT 2; END//\nDELIMITER ;\n",
        ),
    ]);
    let files = dir.path().to_str().unwrap();

    let diff = sluice(&[
        "diff",
        &live.url(),
        files,
        "--dev-url",
        MARIADB_DEV,
        "--allow-hazards",
        "all",
    ]);
    assert_eq!(diff.code, 0, "{}", diff.stderr);
    assert_eq!(
        mariadb_scratch_left(&diff),
        "",
        "the scratch database is dropped"
    );

    mariadb(&live.0, &diff.stdout);
    let again = sluice(&[
        "diff",
        &live.url(),
        files,
        "--dev-url",
        MARIADB_DEV,
        "--exit-code",
    ]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);
    assert_eq!(mariadb_scratch_left(&again), "");

    let bad = sql_dir(&[(
        "1.sql",
        "CREATE TABLE t (id INT PRIMARY KEY);\nCREATE TABLE t (id INT);\n",
    )]);
    let run = sluice(&[
        "diff",
        &live.url(),
        bad.path().to_str().unwrap(),
        "--dev-url",
        MARIADB_DEV,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("1.sql:2:1") && run.stderr.contains("already exists"),
        "{}",
        run.stderr
    );
    assert_eq!(mariadb_scratch_left(&run), "", "dropped even on error");
}

const SQLITE_FROM: &str = "
CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL, legacy_code TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customer (id), total NUMERIC);
";

const SQLITE_TO: &str = "
CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
CREATE UNIQUE INDEX customer_email_key ON customer (email);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customer (id), total NUMERIC, placed_at TEXT);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE TABLE invoice (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (id));
";

#[test]
fn sqlite_plan_applied_with_sqlite3_makes_the_files_equal() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (dir.path().join("from.db"), dir.path().join("to.db"));
    sqlite3(&from, SQLITE_FROM);
    sqlite3(&to, SQLITE_TO);
    let from_url = format!("sqlite://{}", from.display());
    let to_url = format!("sqlite://{}", to.display());

    let diff = sluice(&[
        "diff",
        &from_url,
        &to_url,
        "--exit-code",
        "--allow-hazards",
        "all",
    ]);
    assert_eq!(diff.code, 2, "{}", diff.stderr);
    sqlite3(&from, &diff.stdout);
    let again = sluice(&["diff", &from_url, &to_url, "--exit-code"]);
    assert_eq!(again.code, 0, "{}{}", again.stdout, again.stderr);

    // SQL files against a file, loaded into a temporary SQLite database.
    let files = sql_dir(&[("schema.sql", SQLITE_TO)]);
    let files = files.path().to_str().unwrap();
    let clean = sluice(&[
        "diff",
        files,
        &from_url,
        "--dev-url",
        "sqlite://",
        "--exit-code",
    ]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    let old = dir.path().join("old.db");
    sqlite3(&old, SQLITE_FROM);
    let old_url = format!("sqlite://{}", old.display());
    let differs = sluice(&[
        "diff",
        &old_url,
        files,
        "--dev-url",
        "sqlite://",
        "--allow-hazards",
        "all",
        "--exit-code",
    ]);
    assert_eq!(differs.code, 2, "{}", differs.stderr);
    assert!(differs.stdout.contains("invoice"), "{}", differs.stdout);
}

#[test]
fn bad_input_is_named() {
    let dir = sql_dir(&[("schema.sql", "CREATE TABLE t (id int);\n")]);
    let file = dir.path().join("schema.sql");
    let file = file.to_str().unwrap();
    let sqlite = dir.path().join("app.db");
    sqlite3(&sqlite, "CREATE TABLE t (id INTEGER);");
    let sqlite = format!("sqlite://{}", sqlite.display());
    let pg = "postgres://postgres@127.0.0.1:5432/postgres";

    let cases: [(&[&str], &str); 8] = [
        (
            &["diff", "postgres://postgres@127.0.0.1:1/x", pg],
            "cannot reach PostgreSQL at 127.0.0.1:1",
        ),
        (
            &["diff", "oracle://db/x", pg],
            "unsupported scheme \"oracle\"",
        ),
        (
            &["diff", pg, &sqlite],
            "FROM is a PostgreSQL database and TO a SQLite database",
        ),
        (&["diff", file, pg], "is SQL files: give --dev-url"),
        (
            &["diff", file, pg, "--dev-url", MARIADB_DEV],
            "--dev-url is MariaDB but TO is a PostgreSQL database",
        ),
        (
            &[
                "diff",
                file,
                pg,
                "--dev-url",
                "postgres://postgres@127.0.0.1:1/",
            ],
            "cannot use the dev database server postgres://postgres@127.0.0.1:1/",
        ),
        (
            &["diff", pg, pg, "--allow-hazards", "DROP_EVERYTHING"],
            "unknown hazard \"DROP_EVERYTHING\"",
        ),
        (
            &["diff", "postgres://app:s3cret@127.0.0.1:1/x", pg],
            "postgres://app:***@127.0.0.1:1/x",
        ),
    ];
    for (args, expected) in cases {
        let run = sluice(args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(expected),
            "{args:?}: expected {expected:?} in {}",
            run.stderr
        );
        assert!(!run.stderr.contains("s3cret"), "{}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }

    let help = sluice(&["diff", "--help"]);
    assert!(help.stdout.contains("Exit codes:"), "{}", help.stdout);
}
