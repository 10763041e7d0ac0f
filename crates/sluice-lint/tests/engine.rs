//! The engine end to end: positions, recovery, policies, scale, and inputs
//! that must never panic.

use std::time::Instant;

use sluice_lint::{Dialect, Level, Linter, Policy, lint};

fn strict(dialect: Dialect, sql: &str) -> Vec<sluice_lint::Diagnostic> {
    lint(dialect, sql, &Policy::strict_production(), None)
}

#[test]
fn syntax_error_is_reported_once_at_its_position_and_checking_resumes() {
    let sql = "SELECT 1;\n\nCREATE TABLE t (\n  id int PRIMARY KEY,\n  x int NOT NULL DEFAULT 0,,\n);\nDELETE FROM t;";
    let found = strict(Dialect::Postgres, sql);
    let syntax: Vec<_> = found.iter().filter(|d| d.rule == "syntax").collect();
    assert_eq!(syntax.len(), 1, "{found:#?}");
    // The second comma of `0,,` is column 28 of line 5.
    assert_eq!((syntax[0].line, syntax[0].column), (5, 28));
    assert_eq!(syntax[0].code, 1);
    assert_eq!(syntax[0].level, Level::Error);
    // The next statement is still checked.
    let delete = found
        .iter()
        .find(|d| d.rule == "statement.where.require-update-delete")
        .expect("DELETE after the broken statement is checked");
    assert_eq!(
        (
            delete.line,
            delete.column,
            delete.end_line,
            delete.end_column
        ),
        (7, 1, 7, 14)
    );
}

#[test]
fn syntax_error_on_the_first_line_of_an_indented_statement() {
    let found = strict(Dialect::Mysql, "SELECT 1;   CREATE TABLE t (a int,,);");
    assert_eq!(found.len(), 1);
    // The second comma is column 23 of the statement, which starts at
    // column 13 of the line.
    assert!(
        found[0].message.contains("found: ,"),
        "{}",
        found[0].message
    );
    assert_eq!((found[0].line, found[0].column), (1, 35));
    // Without a position in the parser's message, the statement's start.
    let found = strict(
        Dialect::Postgres,
        "SELECT 1;
  SELECT 1 +",
    );
    assert_eq!((found[0].line, found[0].column), (2, 3));
}

#[test]
fn unterminated_string_reports_once_and_keeps_earlier_statements() {
    let found = strict(
        Dialect::Postgres,
        "DELETE FROM a;\nSELECT 'oops;\nDELETE FROM b;",
    );
    let rules: Vec<_> = found
        .iter()
        .map(|d| (d.rule.as_str(), d.line, d.column))
        .collect();
    assert_eq!(
        rules,
        [
            ("statement.where.require-update-delete", 1, 1),
            ("syntax", 2, 8)
        ]
    );
}

#[test]
fn spans_are_exact_on_multi_line_files() {
    let sql = "-- header\n\n  CREATE TABLE orders (\n    id bigint PRIMARY KEY,\n    note text NOT NULL DEFAULT ''\n  );\n\nCREATE INDEX idx_orders_note ON orders (note);\n/* c */ CREATE TABLE \"Bad\" (id int PRIMARY KEY);";
    let found = lint(Dialect::Postgres, sql, &Policy::all_rules(), None);
    let at = |rule: &str| {
        found
            .iter()
            .find(|d| d.rule == rule)
            .map(|d| (d.line, d.column, d.end_line, d.end_column))
    };
    // The new table is empty: no CONCURRENTLY needed.
    assert_eq!(at("index.create-concurrently"), None);
    // "Bad" starts at column 22 of line 9 (quote included in the span).
    assert_eq!(at("naming.table"), Some((9, 22, 9, 27)));
    let select = lint(
        Dialect::Postgres,
        "SELECT 1;\n\n   SELECT a,\n          *\n   FROM t",
        &Policy::all_rules(),
        None,
    );
    let star = select
        .iter()
        .find(|d| d.rule == "statement.select.no-select-all")
        .unwrap();
    assert_eq!(
        (star.line, star.column, star.end_line, star.end_column),
        (4, 11, 4, 12)
    );
}

#[test]
fn schema_replay_tracks_creates_renames_and_drops() {
    let sql = "CREATE TABLE a (id int PRIMARY KEY, x int);\n\
               ALTER TABLE a RENAME COLUMN x TO y;\n\
               ALTER TABLE a DROP COLUMN y;\n\
               CREATE INDEX i ON a (id);\n\
               DROP TABLE a;";
    // All on a table created in the script: nothing breaks running code.
    let found = lint(Dialect::Postgres, sql, &Policy::strict_production(), None);
    assert!(
        found
            .iter()
            .all(|d| d.rule != "schema.backward-compatibility"
                && d.rule != "index.create-concurrently"),
        "{found:#?}"
    );
}

#[test]
fn policy_errors_name_the_rule_and_key() {
    let err = Policy::from_json(r#"{"rules": {"naming.table": {"max_length": "x"}}}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rule naming.table, key max_length: expected a integer, got \"x\""
    );
    let err = Policy::from_json(r#"{"rules": {"naming.tabel": "ERROR"}}"#).unwrap_err();
    assert_eq!(err.rule.as_deref(), Some("naming.tabel"));
    let err = Policy::from_json(r#"{"rules": {"naming.table": {"level": "LOUD"}}}"#).unwrap_err();
    assert_eq!(err.key.as_deref(), Some("level"));
    let err = Policy::from_json(r#"{"rules": {"naming.table": {"format": "("}}}"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("rule naming.table, key format: not a valid pattern")
    );
    let err = Policy::from_json(r#"{"rules": {"table.require-pk": {"max": 1}}}"#).unwrap_err();
    assert!(err.to_string().contains("the rule has no options"), "{err}");
    let err = Policy::from_json(r#"{"template": "prod"}"#).unwrap_err();
    assert_eq!(err.key.as_deref(), Some("template"));
}

#[test]
fn policy_levels_and_templates() {
    let policy = Policy::from_json(
        r#"{"template": "strict-production",
            "rules": {"statement.where.require-update-delete": "WARNING",
                      "table.require-pk": "DISABLED",
                      "index.key-number-limit": {"max": 1}}}"#,
    )
    .unwrap();
    let found = lint(
        Dialect::Postgres,
        "DELETE FROM t;\nCREATE TABLE u (a int NOT NULL DEFAULT 0);\nCREATE INDEX CONCURRENTLY i ON u (a, a2);",
        &policy,
        None,
    );
    let rules: Vec<_> = found.iter().map(|d| (d.rule.as_str(), d.level)).collect();
    assert!(rules.contains(&("statement.where.require-update-delete", Level::Warning)));
    assert!(!rules.iter().any(|(r, _)| *r == "table.require-pk"));
    assert!(rules.contains(&("index.key-number-limit", Level::Warning)));
    // The syntax rule can be downgraded for statements beyond the parser.
    let policy = Policy::from_json(r#"{"rules": {"syntax": "WARNING"}}"#).unwrap();
    let found = lint(Dialect::Postgres, "VACUUM ANALYZE t", &policy, None);
    assert!(found.iter().all(|d| d.level == Level::Warning));
}

#[test]
fn drop_index_concurrently_parses_and_keeps_its_positions() {
    let sql = "SELECT 1;\n  DROP INDEX CONCURRENTLY ix;\nDROP INDEX iy;";
    let found = lint(Dialect::Postgres, sql, &Policy::all_rules(), None);
    assert!(found.iter().all(|d| d.rule != "syntax"), "{found:#?}");
    let at = |rule: &str| {
        found
            .iter()
            .filter(|d| d.rule == rule)
            .map(|d| (d.line, d.column))
            .collect::<Vec<_>>()
    };
    assert_eq!(at("index.drop-concurrently"), [(3, 12)]);
    assert_eq!(at("statement.non-transactional"), [(2, 3)]);
    assert_eq!(at("statement.concurrently-in-transaction"), [(2, 3)]);
}

/// Rules that need the live database ask the estimator they are given,
/// and check nothing without one.
#[test]
fn rules_ask_the_estimator_when_there_is_one() {
    struct Db;
    impl sluice_lint::RowEstimator for Db {
        fn estimate_rows(&self, statement: &str) -> Option<u64> {
            statement.contains("big").then_some(5_000_000)
        }
        fn explain(&self, statement: &str) -> Result<(), String> {
            if statement.contains("nope") {
                Err("column \"nope\" does not exist".into())
            } else {
                Ok(())
            }
        }
    }
    let sql = "DELETE FROM big WHERE a = 1;\nUPDATE small SET nope = 1 WHERE id = 2;";
    let linter = Linter::new(Dialect::Postgres, &Policy::all_rules());
    let rules = |found: Vec<sluice_lint::Diagnostic>| {
        found
            .into_iter()
            .filter(|d| d.rule.starts_with("statement.affected") || d.rule.ends_with("dry-run"))
            .map(|d| (d.rule, d.line))
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(linter.lint(sql, None)), []);
    assert_eq!(
        rules(linter.lint_with(sql, None, Some(&Db))),
        [
            ("statement.affected-row-limit".to_string(), 1),
            ("statement.dml-dry-run".to_string(), 2)
        ]
    );
}

/// A mixed script of `n` statements, every rule's territory.
fn script(n: usize) -> String {
    let kinds = [
        "CREATE TABLE t{i} (id bigint PRIMARY KEY, name varchar(100) NOT NULL DEFAULT '')",
        "CREATE INDEX idx_t{i}_name ON t{i} (name)",
        "ALTER TABLE t{i} ADD COLUMN note text",
        "INSERT INTO t{i} (id, name) VALUES ({i}, 'x')",
        "UPDATE t{i} SET name = 'y' WHERE id = {i}",
        "DELETE FROM t{i}",
        "SELECT * FROM t{i} WHERE id IN (SELECT id FROM t{i})",
        "ALTER TABLE t{i} ADD CONSTRAINT c{i} CHECK (id > 0)",
    ];
    let mut out = String::with_capacity(n * 60);
    for i in 0..n {
        out.push_str(&kinds[i % kinds.len()].replace("{i}", &(i / kinds.len()).to_string()));
        out.push_str(";\n");
    }
    out
}

#[test]
fn five_thousand_statements_run() {
    let sql = script(5_000);
    let found = lint(Dialect::Postgres, &sql, &Policy::all_rules(), None);
    let deletes = found
        .iter()
        .filter(|d| d.rule == "statement.where.require-update-delete")
        .count();
    assert_eq!(deletes, 5_000 / 8);
    assert!(found.iter().all(|d| d.rule != "syntax"));
}

/// 100,000 statements (about 5 MB) with every rule on. A timing check, so
/// not part of the normal run: `cargo test -p sluice-lint -- --ignored`.
#[test]
#[ignore]
fn hundred_thousand_statements_complete() {
    let linter = Linter::new(Dialect::Postgres, &Policy::all_rules());
    let mut per_statement = Vec::new();
    for n in [10_000, 100_000] {
        let sql = script(n);
        let started = Instant::now();
        let found = linter.lint(&sql, None);
        let took = started.elapsed();
        eprintln!(
            "{n} statements, {} bytes, {} diagnostics in {took:?} ({:?} per statement)",
            sql.len(),
            found.len(),
            took / n as u32
        );
        per_statement.push(took.as_secs_f64() / n as f64);
        assert!(took.as_secs() < 120, "took {took:?}");
    }
    eprintln!(
        "time per statement at 100k / at 10k: {:.2}",
        per_statement[1] / per_statement[0]
    );
}

/// 20,000 CREATE TABLE statements in one script. Every table lookup used
/// to scan the tables created so far, which made this quadratic (minutes
/// in a debug build); with the hash index it is linear. No time limit:
/// finishing is the test.
#[test]
fn twenty_thousand_create_tables_finish() {
    let mut sql = String::with_capacity(20_000 * 80);
    for i in 0..20_000 {
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL);\n"
        ));
    }
    let linter = Linter::new(Dialect::Postgres, &Policy::all_rules());
    let found = linter.lint(&sql, None);
    assert!(found.iter().all(|d| d.rule != "syntax"));
}

/// Dropping tables and indexes used to shift the table list and scan every
/// table for the index; with swap-removal and the index-name map each drop
/// is constant-time. 5,000 rounds of create, index, rename, drop index and
/// drop table must finish and leave the replay consistent (no time limit).
#[test]
fn drops_and_renames_at_scale_finish() {
    let mut sql = String::new();
    for i in 0..5_000 {
        sql.push_str(&format!(
            "CREATE TABLE t{i} (id bigint PRIMARY KEY, a int);\n\
             CREATE INDEX idx_t{i}_a ON t{i} (a);\n\
             ALTER TABLE t{i} RENAME TO r{i};\n\
             DROP INDEX idx_t{i}_a;\n"
        ));
        if i % 2 == 0 {
            sql.push_str(&format!("DROP TABLE r{i};\n"));
        }
    }
    // Dropping a column of a table whose index was dropped is fine; one
    // whose index is still there would be reported.
    sql.push_str("ALTER TABLE r4999 DROP COLUMN a;\n");
    let found = lint(Dialect::Postgres, &sql, &Policy::all_rules(), None);
    assert!(found.iter().all(|d| d.rule != "syntax"));
    assert!(
        found
            .iter()
            .all(|d| d.rule != "column.disallow-drop-in-index"),
        "the index was dropped by name after the rename"
    );
}

/// A small xorshift generator: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Fragments that steer random input into the splitter's and parser's
/// corners (quotes, comments, dollar quotes, DELIMITER, deep nesting).
const FRAGMENTS: &[&str] = &[
    "CREATE TABLE ",
    "ALTER TABLE ",
    " ADD COLUMN ",
    "DROP ",
    "INDEX ",
    "(",
    ")",
    ";",
    "'",
    "\"",
    "`",
    "$$",
    "$a$",
    "/*",
    "*/",
    "--",
    "\n",
    "DELIMITER //\n",
    "//",
    " NOT NULL",
    " DEFAULT ",
    " PRIMARY KEY",
    " REFERENCES ",
    " ON DELETE CASCADE",
    "SELECT * FROM ",
    " WHERE ",
    "é",
    "\\",
    "CONCURRENTLY ",
    "CHECK (",
    " NOT VALID",
    "RENAME ",
    " TO ",
    "TRUNCATE ",
    "UPDATE ",
    " SET ",
    "BEGIN",
    " END",
    "x",
    "1",
    ",",
    ".",
    "[",
    "]",
    "\r\n",
    "\t",
    "\0",
];

fn random_input(rng: &mut Rng) -> String {
    let len = (rng.next() % 40) as usize;
    let mut out = String::new();
    for _ in 0..len {
        if rng.next().is_multiple_of(4) {
            // Raw bytes, made valid UTF-8 the way a file read lossily would be.
            let bytes: Vec<u8> = (0..rng.next() % 6).map(|_| rng.next() as u8).collect();
            out.push_str(&String::from_utf8_lossy(&bytes));
        } else {
            out.push_str(FRAGMENTS[(rng.next() as usize) % FRAGMENTS.len()]);
        }
    }
    out
}

#[test]
fn random_input_never_panics() {
    let linters: Vec<Linter> = Dialect::ALL
        .iter()
        .map(|d| Linter::new(*d, &Policy::all_rules()))
        .collect();
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for _ in 0..3_000 {
        let input = random_input(&mut rng);
        for linter in &linters {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                linter.lint(&input, None)
            }));
            assert!(
                result.is_ok(),
                "panic on {:?} ({}); keep it in tests/corpus/",
                input,
                linter.dialect()
            );
        }
    }
}

/// Inputs that once broke something, kept as regression cases.
#[test]
fn corpus_never_panics() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for d in Dialect::ALL {
            let _ = lint(d, &text, &Policy::all_rules(), None);
        }
        n += 1;
    }
    assert!(n > 0);
}
