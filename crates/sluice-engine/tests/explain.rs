//! Planning statements without running them (`EXPLAIN`), on a real
//! PostgreSQL at 127.0.0.1:5432 and MariaDB at 127.0.0.1:3306 (a fresh
//! database per test, dropped even when the test fails) and on SQLite
//! files in a temporary directory. Nothing may change.

use sluice_engine::{ConnectionConfig, CreateDatabaseOptions, Engine, EngineKind, ErrorKind};
use sqlx::{Connection, MySqlConnection, PgConnection, SqliteConnection};
use std::time::{Duration, Instant};

/// Every wait in these tests is bounded: a hang is a failure, not a stuck CI.
const LIMIT: Duration = Duration::from_secs(20);

const PG: &str = "postgres://postgres@127.0.0.1:5432";
const MYSQL: &str = "mysql://root@127.0.0.1:3306";

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("sluice_x_explain_{prefix}_{}_{nanos}", std::process::id())
}

/// A fresh database on a server, dropped when the test ends (also on panic).
struct Db {
    name: String,
    kind: EngineKind,
}

impl Db {
    /// A database holding `setup`.
    async fn new(kind: EngineKind, prefix: &str, setup: &str) -> Db {
        let db = Db {
            name: unique(prefix),
            kind,
        };
        match kind {
            EngineKind::Postgres => {
                let mut admin = PgConnection::connect(&format!("{PG}/postgres"))
                    .await
                    .expect("PostgreSQL must run on 127.0.0.1:5432");
                let create = format!("CREATE DATABASE \"{}\"", db.name);
                sqlx::raw_sql(sqlx::AssertSqlSafe(create))
                    .execute(&mut admin)
                    .await
                    .unwrap();
            }
            _ => {
                let mut admin = MySqlConnection::connect(MYSQL)
                    .await
                    .expect("MariaDB must run on 127.0.0.1:3306");
                let create = format!("CREATE DATABASE `{}`", db.name);
                sqlx::raw_sql(sqlx::AssertSqlSafe(create))
                    .execute(&mut admin)
                    .await
                    .unwrap();
            }
        }
        db.sql(setup).await;
        db
    }

    async fn sql(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self.kind {
            EngineKind::Postgres => {
                let mut c = PgConnection::connect(&format!("{PG}/{}", self.name))
                    .await
                    .unwrap();
                sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
            }
            _ => {
                let mut c = MySqlConnection::connect(&format!("{MYSQL}/{}", self.name))
                    .await
                    .unwrap();
                sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
            }
        }
    }

    async fn count(&self, query: &str) -> i64 {
        let query = sqlx::AssertSqlSafe(query.to_string());
        match self.kind {
            EngineKind::Postgres => {
                let mut c = PgConnection::connect(&format!("{PG}/{}", self.name))
                    .await
                    .unwrap();
                sqlx::query_scalar(query).fetch_one(&mut c).await.unwrap()
            }
            _ => {
                let mut c = MySqlConnection::connect(&format!("{MYSQL}/{}", self.name))
                    .await
                    .unwrap();
                sqlx::query_scalar(query).fetch_one(&mut c).await.unwrap()
            }
        }
    }

    fn engine(&self) -> Engine {
        let mut c = ConnectionConfig::new(self.kind);
        c.host = "127.0.0.1".into();
        c.port = if self.kind == EngineKind::Postgres {
            5432
        } else {
            3306
        };
        c.username = if self.kind == EngineKind::Postgres {
            "postgres"
        } else {
            "root"
        }
        .into();
        Engine::new(c)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let (name, kind) = (self.name.clone(), self.kind);
        // Drop cannot await; a thread with its own runtime can.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    if kind == EngineKind::Postgres {
                        if let Ok(mut c) = PgConnection::connect(&format!("{PG}/postgres")).await {
                            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                                .execute(&mut c)
                                .await;
                        }
                    } else if let Ok(mut c) = MySqlConnection::connect(MYSQL).await {
                        let sql = format!("DROP DATABASE IF EXISTS `{name}`");
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                            .execute(&mut c)
                            .await;
                    }
                })
        })
        .join();
    }
}

async fn rows(engine: &Engine, db: &str, statement: &str) -> Option<u64> {
    tokio::time::timeout(LIMIT, engine.explain(db, statement))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{statement}: {e}"))
        .rows
}

#[tokio::test]
async fn postgres_estimates_the_rows_a_statement_touches() {
    let db = Db::new(
        EngineKind::Postgres,
        "pg_rows",
        "CREATE TABLE t (id int PRIMARY KEY, x int);
         INSERT INTO t SELECT g, NULL FROM generate_series(1, 5000) g;
         CREATE TABLE u (id int, x int);
         ANALYZE t;",
    )
    .await;
    let engine = db.engine();
    let name = db.name.as_str();
    assert_eq!(rows(&engine, name, "UPDATE t SET x = 1").await, Some(5000));
    assert_eq!(rows(&engine, name, "DELETE FROM t").await, Some(5000));
    assert_eq!(
        rows(&engine, name, "UPDATE t SET x = 1 WHERE id = 1").await,
        Some(1)
    );
    let some = rows(&engine, name, "DELETE FROM t WHERE id <= 100").await;
    assert!(some.is_some_and(|r| (50..=200).contains(&r)), "{some:?}");
    assert_eq!(
        rows(&engine, name, "INSERT INTO u SELECT * FROM t").await,
        Some(5000)
    );
    assert_eq!(
        rows(&engine, name, "INSERT INTO u VALUES (1, 1), (2, 2), (3, 3)").await,
        Some(3)
    );
    assert_eq!(
        rows(&engine, name, "INSERT INTO u VALUES (1, 1)").await,
        Some(1)
    );
    // Nothing ran.
    assert_eq!(
        db.count("SELECT count(*) FROM t WHERE x IS NULL").await,
        5000
    );
    assert_eq!(db.count("SELECT count(*) FROM u").await, 0);
}

#[tokio::test]
async fn postgres_refusals_carry_the_server_message_and_the_rest_go_on() {
    let db = Db::new(
        EngineKind::Postgres,
        "pg_refused",
        "CREATE TABLE t (id int PRIMARY KEY)",
    )
    .await;
    let engine = db.engine();
    let err = engine
        .explain(&db.name, "UPDATE ghosts SET a = 1")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Query);
    assert_eq!(err.code.as_deref(), Some("42P01"));
    assert!(err.message.contains("\"ghosts\" does not exist"), "{err}");
    let err = engine
        .explain(&db.name, "UPDATE t SET nope = 1")
        .await
        .unwrap_err();
    assert!(err.message.contains("nope"), "{err}");
    let err = engine.explain(&db.name, "UPDATE t SETT").await.unwrap_err();
    assert!(err.message.contains("syntax error"), "{err}");
    // Two commands never go through as one.
    let err = engine
        .explain(&db.name, "DELETE FROM t; DROP TABLE t")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Query, "{err}");
    assert_eq!(
        db.count("SELECT count(*) FROM pg_class WHERE relname = 't'")
            .await,
        1
    );

    let deadline = Instant::now() + LIMIT;
    let answers = engine
        .explain_all(&db.name, &["DELETE FROM ghosts", "DELETE FROM t"], deadline)
        .await
        .unwrap();
    assert_eq!(answers.len(), 2);
    assert!(answers[0].is_err());
    assert!(answers[1].is_ok(), "{:?}", answers[1]);
    // A deadline already passed asks nothing.
    let none = engine
        .explain_all(&db.name, &["DELETE FROM t"], Instant::now())
        .await
        .unwrap();
    assert!(none.is_empty());
    let missing = engine.explain("sluice_x_no_such_db", "DELETE FROM t").await;
    assert_eq!(missing.unwrap_err().kind, ErrorKind::DatabaseMissing);
}

#[tokio::test]
async fn mariadb_estimates_rows_and_reports_refusals() {
    let db = Db::new(
        EngineKind::Mariadb,
        "my",
        "CREATE TABLE t (id int PRIMARY KEY, x int) ENGINE=InnoDB;
         INSERT INTO t (id) SELECT seq FROM seq_1_to_2000;
         ANALYZE TABLE t;",
    )
    .await;
    let engine = db.engine();
    let name = db.name.as_str();
    let all = rows(&engine, name, "UPDATE t SET x = 1").await;
    // InnoDB samples: close to the count, not exact.
    assert!(all.is_some_and(|r| (1000..=4000).contains(&r)), "{all:?}");
    assert_eq!(
        rows(&engine, name, "UPDATE t SET x = 1 WHERE id = 1").await,
        Some(1)
    );
    assert_eq!(
        rows(&engine, name, "DELETE FROM t WHERE id = 7").await,
        Some(1)
    );
    assert_eq!(
        db.count("SELECT count(*) FROM t WHERE x IS NULL").await,
        2000
    );
    let err = engine
        .explain(name, "DELETE FROM ghosts WHERE id = 1")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Query);
    assert_eq!(err.code.as_deref(), Some("1146"));
    assert!(err.message.contains("ghosts"), "{err}");
    let err = engine.explain(name, "UPDATE t SETT").await.unwrap_err();
    assert!(err.message.contains("syntax"), "{err}");
}

#[tokio::test]
async fn sqlite_says_whether_it_accepts_but_not_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = ConnectionConfig::new(EngineKind::Sqlite);
    c.database = dir.path().to_string_lossy().into_owned();
    let engine = Engine::new(c);
    engine
        .create_database("app", &CreateDatabaseOptions::default())
        .await
        .unwrap();
    let url = format!("sqlite://{}", dir.path().join("app.db").display());
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, x INT); INSERT INTO t VALUES (1, NULL), (2, NULL);")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(rows(&engine, "app", "UPDATE t SET x = 1").await, None);
    let err = engine
        .explain("app", "DELETE FROM ghosts")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Query);
    assert!(err.message.contains("no such table: ghosts"), "{err}");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM t WHERE x IS NULL")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 2);
}
