//! What a user sees for a realistic script per dialect: each statement with
//! its position, kind and whether it may run inside the change's transaction.

use std::fmt::Write;

use sluice_sql::{Dialect, can_run_in_transaction, classify, split};

fn render(dialect: Dialect, script: &str) -> String {
    let mut out = String::new();
    for (i, s) in split(dialect, script).unwrap().iter().enumerate() {
        let kind = classify(dialect, &s.text);
        let tx = if can_run_in_transaction(dialect, &s.text) {
            "in transaction"
        } else {
            "outside transaction"
        };
        writeln!(
            out,
            "#{} lines {}-{} column {} bytes {}..{} {kind:?}, {tx}",
            i + 1,
            s.start_line,
            s.end_line,
            s.start_column,
            s.range.start,
            s.range.end
        )
        .unwrap();
        for line in s.text.lines() {
            writeln!(out, "    {line}").unwrap();
        }
    }
    out
}

#[test]
fn postgres_migration() {
    let script = r#"-- 0042: accounts and audit
SET lock_timeout = '5s';

CREATE TABLE account (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    "display;name" text NOT NULL DEFAULT 'anon;ymous',
    note text DEFAULT E'it\'s; fine'
);

COMMENT ON COLUMN account."display;name" IS 'shown in the UI; may contain ;';

/* Audit trigger function: its body is dollar-quoted,
   /* and this comment nests */ */
CREATE OR REPLACE FUNCTION audit() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO audit_log (tbl, op) VALUES (TG_TABLE_NAME, TG_OP);
    RETURN NEW;
END;
$fn$;

CREATE FUNCTION total(a int, b int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN a IS NULL THEN 0 ELSE a END + b;
END;

INSERT INTO account ("display;name") VALUES ('x'), ($$y;z$$);
WITH old AS (SELECT id FROM account WHERE id < 10) DELETE FROM account USING old WHERE account.id = old.id;
CREATE INDEX CONCURRENTLY account_name_idx ON account ("display;name");
VACUUM (ANALYZE) account;
-- trailing comment; nothing more
"#;
    insta::assert_snapshot!(render(Dialect::Postgres, script));
}

#[test]
fn mysql_migration() {
    let script = r#"/*!40101 SET NAMES utf8mb4 */;
# orders and their totals
CREATE TABLE `order` (
  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  `note;text` VARCHAR(100) DEFAULT 'a\'b;c',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

DELIMITER //
CREATE DEFINER=`root`@`localhost` PROCEDURE close_orders(IN days INT)
BEGIN
  DECLARE n INT DEFAULT 0;
  UPDATE `order` SET `note;text` = 'closed;' WHERE id < days;
  IF n > 0 THEN
    SELECT n;
  END IF;
END //
DELIMITER ;

CREATE TRIGGER order_bi BEFORE INSERT ON `order` FOR EACH ROW
BEGIN
  IF NEW.`note;text` IS NULL THEN
    SET NEW.`note;text` = "none;";
  END IF;
END;

START TRANSACTION;
INSERT INTO `order` (`note;text`) VALUES ('first'), ("second");
COMMIT;
SELECT COUNT(*) FROM `order`; -- done
"#;
    insta::assert_snapshot!(render(Dialect::Mysql, script));
}

#[test]
fn sqlite_migration() {
    let script = r#"PRAGMA foreign_keys = ON;
CREATE TABLE [order;s] (
    id INTEGER PRIMARY KEY,
    "note" TEXT DEFAULT 'x;y',
    total REAL
) STRICT;

CREATE TRIGGER order_total AFTER UPDATE OF total ON [order;s]
WHEN new.total <> old.total
BEGIN
    INSERT INTO log (msg) VALUES ('total changed; ' || new.id);
    UPDATE [order;s] SET note = CASE WHEN new.total > 100 THEN 'big' ELSE 'small' END WHERE id = new.id;
END;

BEGIN;
INSERT INTO [order;s] (total) VALUES (1.5), (200);
COMMIT;
VACUUM;
"#;
    insta::assert_snapshot!(render(Dialect::Sqlite, script));
}
