//! Statement kinds and transaction rules per dialect.

use sluice_sql::{Dialect, StatementKind, can_run_in_transaction, classify};

use Dialect::{Mysql, Postgres, Sqlite};
use StatementKind::*;

#[test]
fn kinds_in_every_dialect() {
    let cases = [
        ("CREATE TABLE t (id int)", Ddl),
        ("alter table t add column x int", Ddl),
        ("DROP VIEW v", Ddl),
        ("TRUNCATE t", Ddl),
        ("INSERT INTO t VALUES (1)", Dml),
        ("UPDATE t SET x = 1", Dml),
        ("DELETE FROM t", Dml),
        ("REPLACE INTO t VALUES (1)", Dml),
        ("SELECT 1", Select),
        ("(SELECT 1) UNION (SELECT 2)", Select),
        ("VALUES (1), (2)", Select),
        ("EXPLAIN SELECT 1", Select),
        ("WITH a AS (SELECT 1) SELECT * FROM a", Select),
        ("WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a", Dml),
        ("BEGIN", Transaction),
        ("COMMIT", Transaction),
        ("ROLLBACK TO SAVEPOINT s", Transaction),
        ("SAVEPOINT s", Transaction),
        ("RELEASE SAVEPOINT s", Transaction),
        ("", Other),
        ("-- only a comment", Other),
    ];
    for dialect in Dialect::ALL {
        for (text, kind) in cases {
            assert_eq!(classify(dialect, text), kind, "{dialect}: {text}");
        }
    }
}

#[test]
fn comments_before_the_keyword_are_skipped() {
    let text = "-- add users\n/* reviewed */ CREATE TABLE users (id int)";
    assert_eq!(classify(Postgres, text), Ddl);
    assert_eq!(classify(Mysql, "# note\nINSERT INTO t VALUES (1)"), Dml);
}

#[test]
fn postgres_kinds() {
    let cases = [
        ("COMMENT ON TABLE t IS 'x'", Ddl),
        ("GRANT SELECT ON t TO r", Ddl),
        ("REVOKE ALL ON t FROM r", Ddl),
        ("SECURITY LABEL ON TABLE t IS 'x'", Ddl),
        (
            "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
            Dml,
        ),
        ("COPY t (a, b) FROM STDIN", Dml),
        ("COPY t TO STDOUT", Select),
        ("COPY (SELECT a FROM t) TO STDOUT", Select),
        ("TABLE t", Select),
        ("SHOW search_path", Select),
        ("EXPLAIN ANALYZE DELETE FROM t", Dml),
        ("EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1", Dml),
        ("EXPLAIN (COSTS off) UPDATE t SET a = 1", Select),
        (
            "START TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            Transaction,
        ),
        ("END", Transaction),
        ("ABORT", Transaction),
        ("PREPARE TRANSACTION 'x'", Transaction),
        ("COMMIT PREPARED 'x'", Transaction),
        ("SET TRANSACTION READ ONLY", Transaction),
        ("PREPARE q AS SELECT 1", Other),
        ("SET search_path = x", Other),
        ("VACUUM ANALYZE t", Other),
        ("DO $$ BEGIN NULL; END $$", Other),
        ("CALL p()", Other),
        ("ALTER SYSTEM SET work_mem = '1MB'", Other),
    ];
    for (text, kind) in cases {
        assert_eq!(classify(Postgres, text), kind, "{text}");
    }
}

#[test]
fn mysql_kinds() {
    let cases = [
        ("RENAME TABLE a TO b", Ddl),
        ("LOAD DATA INFILE 'x' INTO TABLE t", Dml),
        ("SHOW CREATE TABLE t", Select),
        ("DESCRIBE t", Select),
        ("DESC t", Select),
        ("ANALYZE UPDATE t SET a = 1", Dml),
        ("ANALYZE TABLE t", Other),
        ("XA START 'x'", Transaction),
        ("BEGIN WORK", Transaction),
        ("BEGIN NOT ATOMIC SELECT 1; END", Other),
        ("USE db", Other),
        ("/*!40101 SET NAMES utf8mb4 */", Other),
        (
            "/*!50003 CREATE*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1 */",
            Ddl,
        ),
    ];
    for (text, kind) in cases {
        assert_eq!(classify(Mysql, text), kind, "{text}");
    }
}

#[test]
fn sqlite_kinds() {
    let cases = [
        ("BEGIN IMMEDIATE TRANSACTION", Transaction),
        ("END TRANSACTION", Transaction),
        ("PRAGMA foreign_keys = ON", Other),
        ("ATTACH 'x.db' AS x", Other),
        (
            "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END",
            Ddl,
        ),
    ];
    for (text, kind) in cases {
        assert_eq!(classify(Sqlite, text), kind, "{text}");
    }
}

#[test]
fn postgres_statements_that_cannot_run_in_a_transaction() {
    let outside = [
        "CREATE INDEX CONCURRENTLY i ON t (a)",
        "create unique index concurrently if not exists i on t (a)",
        "DROP INDEX CONCURRENTLY IF EXISTS i",
        "REINDEX INDEX CONCURRENTLY i",
        "REINDEX (VERBOSE) TABLE CONCURRENTLY t",
        "REINDEX (CONCURRENTLY) TABLE t",
        "REINDEX DATABASE d",
        "REINDEX SCHEMA s",
        "VACUUM",
        "VACUUM (VERBOSE, ANALYZE) t",
        "CREATE DATABASE d",
        "DROP DATABASE IF EXISTS d",
        "ALTER DATABASE d SET TABLESPACE fast",
        "CREATE TABLESPACE fast LOCATION '/x'",
        "DROP TABLESPACE fast",
        "ALTER SYSTEM SET work_mem = '64MB'",
        "CLUSTER",
        "CLUSTER VERBOSE",
        "DISCARD ALL",
        "ALTER TABLE t DETACH PARTITION p CONCURRENTLY",
        "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p",
        "DROP SUBSCRIPTION s",
        "ALTER SUBSCRIPTION s REFRESH PUBLICATION",
        "/* later */ CREATE INDEX CONCURRENTLY i ON t (a)",
    ];
    for text in outside {
        assert!(!can_run_in_transaction(Postgres, text), "{text}");
    }
    let inside = [
        "CREATE INDEX i ON t (a)",
        "CREATE UNIQUE INDEX i ON t (concurrently)",
        "DROP INDEX i",
        "REINDEX TABLE t",
        "ALTER TYPE mood ADD VALUE 'meh'",
        "ALTER DATABASE d SET work_mem = '1MB'",
        "ALTER TABLE t DETACH PARTITION p",
        "CLUSTER t USING i",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY mv",
        "DISCARD PLANS",
        "ALTER SUBSCRIPTION s DISABLE",
        "SELECT 'VACUUM'",
        "BEGIN",
        "",
    ];
    for text in inside {
        assert!(can_run_in_transaction(Postgres, text), "{text}");
    }
}

#[test]
fn sqlite_statements_that_cannot_run_in_a_transaction() {
    for text in [
        "VACUUM",
        "VACUUM INTO 'b.db'",
        "ATTACH DATABASE 'x.db' AS x",
        "DETACH x",
    ] {
        assert!(!can_run_in_transaction(Sqlite, text), "{text}");
    }
    for text in [
        "CREATE INDEX i ON t (a)",
        "PRAGMA foreign_keys = OFF",
        "DELETE FROM t",
    ] {
        assert!(can_run_in_transaction(Sqlite, text), "{text}");
    }
}

#[test]
fn mysql_ddl_autocommits_so_everything_runs() {
    for text in [
        "CREATE DATABASE d",
        "ALTER TABLE t ADD INDEX i (a), ALGORITHM=INPLACE",
        "OPTIMIZE TABLE t",
    ] {
        assert!(can_run_in_transaction(Mysql, text), "{text}");
    }
}
