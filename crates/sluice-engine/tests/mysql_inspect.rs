//! MariaDB/MySQL inspection against the real server at 127.0.0.1:3306
//! (root, no password). Every test makes its own uniquely named databases
//! and drops them when it ends, also when it fails.
//!
//! The fixture `fixtures/mysql/everything.sql` uses every object kind the
//! inspector reads. Its catalog is compared with a reviewed snapshot, is
//! the same when inspected twice and when the script runs in another
//! order, and survives a round trip through the DDL renderer, checked
//! against `mysqldump`'s own output for both databases.

use sluice_engine::{ConnectionConfig, Engine, EngineKind};
use sluice_schema::{Catalog, IndexMethod, PartitionStrategy, RoutineKind};
use sqlx::{AssertSqlSafe, Connection, MySqlConnection};
use std::time::Instant;

const FIXTURE: &str = include_str!("fixtures/mysql/everything.sql");

fn config() -> ConnectionConfig {
    let mut c = ConnectionConfig::new(EngineKind::Mariadb);
    c.host = "127.0.0.1".into();
    c.port = 3306;
    c.username = "root".into();
    c
}

/// A database that is dropped when the guard goes, panic or not.
struct TempDb {
    name: String,
}

impl TempDb {
    async fn create(prefix: &str) -> TempDb {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("{prefix}_{}_{nanos}", std::process::id());
        let mut conn = connect("").await;
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
        TempDb { name }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime: use a thread of our own.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    let mut conn = connect("").await;
                    let _ =
                        sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS `{name}`")))
                            .execute(&mut conn)
                            .await;
                })
        })
        .join();
    }
}

async fn connect(database: &str) -> MySqlConnection {
    MySqlConnection::connect(&format!("mysql://root@127.0.0.1:3306/{database}"))
        .await
        .expect("MariaDB must run on 127.0.0.1:3306")
}

/// The fixture's statements: `;` ends one, except between `DELIMITER ;;`
/// and `DELIMITER ;` where `;;` does, as in the mysql client.
fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut delimiter = ";".to_string();
    let mut current = String::new();
    for line in script.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with("--")) {
            continue;
        }
        if let Some(d) = trimmed.strip_prefix("DELIMITER ") {
            delimiter = d.trim().to_string();
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if trimmed.ends_with(delimiter.as_str()) {
            let stmt = current.trim_end().trim_end_matches(delimiter.as_str());
            out.push(stmt.trim().to_string());
            current.clear();
        }
    }
    assert!(current.trim().is_empty(), "unterminated: {current}");
    out
}

async fn apply(database: &str, statements: &[String]) {
    let mut conn = connect(database).await;
    for s in statements {
        sqlx::raw_sql(AssertSqlSafe(s.clone()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{s}"));
    }
}

async fn inspect(database: &str) -> Catalog {
    Engine::new(config()).inspect(database).await.unwrap()
}

/// The catalog as if the database were named `db`, so catalogs of
/// differently named databases compare and snapshot alike.
fn renamed(mut c: Catalog) -> Catalog {
    let old = c.name.clone();
    c.name = "db".into();
    for s in &mut c.schemas {
        s.name = "db".into();
        for t in &mut s.tables {
            for fk in &mut t.foreign_keys {
                if fk.referenced_schema == old {
                    fk.referenced_schema = "db".into();
                }
            }
        }
    }
    if let Some(server) = &mut c.server {
        server.version = "<version>".into();
    }
    c
}

/// Equal catalogs, or a panic showing the first lines where their JSON
/// differs.
fn assert_same(a: &Catalog, b: &Catalog) {
    if a == b {
        return;
    }
    let (ja, jb) = (a.to_json_pretty(), b.to_json_pretty());
    let (la, lb): (Vec<&str>, Vec<&str>) = (ja.lines().collect(), jb.lines().collect());
    let first = la
        .iter()
        .zip(&lb)
        .position(|(x, y)| x != y)
        .unwrap_or(la.len().min(lb.len()));
    let from = first.saturating_sub(8);
    panic!(
        "catalogs differ at JSON line {first}:\n--- A\n{}\n--- B\n{}",
        la[from..(first + 8).min(la.len())].join("\n"),
        lb[from..(first + 8).min(lb.len())].join("\n")
    );
}

#[tokio::test]
async fn mysql_inspect_everything() {
    let db = TempDb::create("sluice_insp").await;
    apply(&db.name, &statements(FIXTURE)).await;
    let catalog = inspect(&db.name).await;
    assert_eq!(catalog.name, db.name);
    let server = catalog.server.clone().expect("server info");
    assert!(server.version.contains("MariaDB"), "{}", server.version);

    let schema = &catalog.schemas[0];
    assert_eq!(schema.name, db.name);
    let customers = schema.table("customers").unwrap();
    let mysql = customers.options.mysql().unwrap();
    assert_eq!(mysql.engine.as_deref(), Some("InnoDB"));
    assert_eq!(mysql.auto_increment, Some(1000));
    assert_eq!(
        customers.column("null_text").unwrap().default.as_deref(),
        Some("'NULL'")
    );
    assert_eq!(customers.column("bio").unwrap().default, None);
    assert_eq!(
        customers.index("ft_customers_bio").unwrap().method,
        IndexMethod::Fulltext
    );
    assert_eq!(
        customers.index("ix_customers_name_prefix").unwrap().parts[0].prefix_length,
        Some(10)
    );
    let fk = &customers.foreign_keys[0];
    assert_eq!(
        (fk.referenced_schema.as_str(), fk.referenced_table.as_str()),
        (db.name.as_str(), "customers")
    );
    let measurements = schema.table("measurements").unwrap();
    let p = measurements.partitioning.as_ref().unwrap();
    assert_eq!(p.strategy, PartitionStrategy::Range);
    assert_eq!(p.partitions.len(), 3);
    assert_eq!(schema.views.len(), 3);
    assert!(!schema.views[0].definition.contains(&db.name));
    assert_eq!(
        schema
            .functions
            .iter()
            .map(|f| (f.kind, f.name.as_str()))
            .collect::<Vec<_>>(),
        [
            (RoutineKind::Procedure, "close_customer"),
            (RoutineKind::Function, "price_with_vat")
        ]
    );
    assert_eq!(schema.triggers.len(), 2);

    let again = inspect(&db.name).await;
    assert_eq!(catalog, again, "inspecting twice must give equal catalogs");
    insta::assert_snapshot!("mysql_everything", renamed(catalog).to_json_pretty());
}

/// Tables first, in reverse order (foreign keys to tables not yet there
/// are allowed with FOREIGN_KEY_CHECKS off), then the rest as written.
fn reordered(statements: &[String]) -> Vec<String> {
    let (mut tables, rest): (Vec<String>, Vec<String>) = statements
        .iter()
        .cloned()
        .partition(|s| s.to_ascii_uppercase().starts_with("CREATE TABLE"));
    tables.reverse();
    let mut out = vec!["SET FOREIGN_KEY_CHECKS = 0".to_string()];
    out.extend(tables);
    out.push("SET FOREIGN_KEY_CHECKS = 1".to_string());
    out.extend(rest);
    out
}

#[tokio::test]
async fn mysql_inspect_statement_order_makes_no_difference() {
    let a = TempDb::create("sluice_ord_a").await;
    let b = TempDb::create("sluice_ord_b").await;
    let script = statements(FIXTURE);
    apply(&a.name, &script).await;
    apply(&b.name, &reordered(&script)).await;
    let (ca, cb) = (
        renamed(inspect(&a.name).await),
        renamed(inspect(&b.name).await),
    );
    assert_same(&ca, &cb);
}

/// `mysqldump --no-data` with the database name and `AUTO_INCREMENT=`
/// counters taken out.
fn dump(database: &str) -> String {
    let out = std::process::Command::new("mysqldump")
        .args([
            "-h127.0.0.1",
            "-P3306",
            "-uroot",
            "--no-data",
            "--skip-comments",
            "--routines",
            "--triggers",
            database,
        ])
        .output()
        .expect("mysqldump must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<String> = text
        .replace(database, "db")
        .lines()
        .filter(|l| !l.starts_with("/*M!999999"))
        .map(|l| {
            let mut l = l.to_string();
            while let Some(at) = l.find(" AUTO_INCREMENT=") {
                let rest = &l[at + " AUTO_INCREMENT=".len()..];
                let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
                l.replace_range(at..at + " AUTO_INCREMENT=".len() + digits, "");
            }
            l
        })
        .collect();
    sort_key_lines(lines).join("\n")
}

/// `SHOW CREATE TABLE` lists secondary indexes in creation order, which a
/// rendering (sorted by name) does not keep: sort each table's run of
/// index lines, with their trailing commas taken off.
fn sort_key_lines(lines: Vec<String>) -> Vec<String> {
    let is_key = |l: &str| {
        [
            "  KEY ",
            "  UNIQUE KEY ",
            "  FULLTEXT KEY ",
            "  SPATIAL KEY ",
        ]
        .iter()
        .any(|p| l.starts_with(p))
    };
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for l in lines {
        if is_key(&l) {
            run.push(l.trim_end_matches(',').to_string());
            continue;
        }
        run.sort();
        out.append(&mut run);
        out.push(l);
    }
    run.sort();
    out.append(&mut run);
    out
}

/// Whitespace runs as one space: trigger texts are rebuilt from their
/// parts, so their line breaks are the renderer's.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn mysql_inspect_round_trip_through_rendered_ddl() {
    let a = TempDb::create("sluice_rt_a").await;
    let b = TempDb::create("sluice_rt_b").await;
    apply(&a.name, &statements(FIXTURE)).await;
    let ca = inspect(&a.name).await;
    let ddl = sluice_schema::render::statements(&ca);
    apply(&b.name, &ddl).await;
    let cb = inspect(&b.name).await;
    if renamed(ca.clone()) != renamed(cb.clone()) {
        eprintln!("rendered DDL:\n{}", sluice_schema::render::ddl(&ca));
    }
    assert_same(&renamed(ca), &renamed(cb));
    let (da, db) = (dump(&a.name), dump(&b.name));
    if squeeze(&da) != squeeze(&db) {
        for (la, lb) in da.lines().zip(db.lines()) {
            if la != lb {
                eprintln!("A: {la}\nB: {lb}");
            }
        }
        panic!("mysqldump of A and B differ");
    }
}

/// 2,000 tables of 8 columns, a primary key, 2 indexes and a foreign key
/// each: the counts come out right. The time is printed, not asserted;
/// `mysqldump --no-data` of the same database is timed beside it.
#[tokio::test]
async fn mysql_inspect_2000_tables() {
    const TABLES: usize = 2000;
    let db = TempDb::create("sluice_big").await;
    let mut conn = connect(&db.name).await;
    sqlx::raw_sql("SET FOREIGN_KEY_CHECKS = 0")
        .execute(&mut conn)
        .await
        .unwrap();
    let started = Instant::now();
    for chunk in (0..TABLES).collect::<Vec<_>>().chunks(100) {
        let mut sql = String::new();
        for &i in chunk {
            let parent = if i == 0 { 0 } else { i - 1 };
            sql.push_str(&format!(
                "CREATE TABLE t{i:04} (id bigint NOT NULL AUTO_INCREMENT, parent_id bigint, \
                 name varchar(100) NOT NULL, email varchar(200), amount decimal(12,2) DEFAULT 0, \
                 created_at datetime NOT NULL DEFAULT current_timestamp(), flag tinyint(1) NOT NULL DEFAULT 0, \
                 note text, PRIMARY KEY (id), KEY ix_t{i:04}_name (name), KEY ix_t{i:04}_created (created_at, flag), \
                 CONSTRAINT fk_t{i:04}_parent FOREIGN KEY (parent_id) REFERENCES t{parent:04} (id)) ENGINE=InnoDB;\n"
            ));
        }
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    eprintln!("created {TABLES} tables in {:?}", started.elapsed());

    let started = Instant::now();
    let catalog = inspect(&db.name).await;
    let inspect_time = started.elapsed();
    let schema = &catalog.schemas[0];
    assert_eq!(schema.tables.len(), TABLES);
    let count = |f: fn(&sluice_schema::Table) -> usize| schema.tables.iter().map(f).sum::<usize>();
    assert_eq!(count(|t| t.columns.len()), TABLES * 8);
    assert_eq!(count(|t| t.primary_key.is_some() as usize), TABLES);
    // Two declared indexes each, and the index InnoDB made for the key.
    assert_eq!(count(|t| t.indexes.len()), TABLES * 3);
    assert_eq!(count(|t| t.foreign_keys.len()), TABLES);

    let started = Instant::now();
    let dumped = dump(&db.name);
    let dump_time = started.elapsed();
    assert!(dumped.contains("CREATE TABLE `t1999`"));
    eprintln!(
        "inspect of {TABLES} tables: {inspect_time:?}; mysqldump --no-data: {dump_time:?} \
         (ratio {:.3})",
        inspect_time.as_secs_f64() / dump_time.as_secs_f64()
    );
}
