//! What an issue's SQL does, read before anything runs: whether its
//! statements fit the issue type, and how risky they are.

use crate::{AppError, AppResult};
use serde::Serialize;
use sluice_schema::Dialect;
use sluice_sql::StatementKind;
use sluice_store::{IssueType, RiskLevel};

/// One statement of a script, as the checks and the UI describe it.
#[derive(Debug, Clone, Serialize)]
pub struct StatementInfo {
    /// Counted from 1.
    pub number: usize,
    pub line: usize,
    pub kind: StatementKind,
    /// The leading keywords, upper-cased ("CREATE TABLE", "UPDATE").
    pub verb: String,
    pub risk: RiskLevel,
    /// Rows copied into a table the script itself creates: how a table is
    /// rebuilt where `ALTER TABLE` cannot change it, so it belongs to a
    /// schema change.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rebuild_copy: bool,
    /// A session guard a plan puts first (a lock or statement timeout,
    /// deferred foreign-key checks): it changes how the script runs, not
    /// what it changes, so it needs no reviewer's attention.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub session_guard: bool,
}

/// Split a script and describe each statement. A script that cannot be
/// split, is empty, or controls transactions itself is refused, naming
/// `field`.
pub fn statements(field: &str, dialect: Dialect, text: &str) -> AppResult<Vec<StatementInfo>> {
    let split =
        sluice_sql::split(dialect, text).map_err(|e| AppError::invalid(field, e.to_string()))?;
    if split.is_empty() {
        return Err(AppError::invalid(field, "holds no SQL statement"));
    }
    let mut out = Vec::with_capacity(split.len());
    let mut created = std::collections::HashSet::new();
    for (i, s) in split.iter().enumerate() {
        let kind = sluice_sql::classify(dialect, &s.text);
        let words = leading_words(&s.text, 3);
        let verb = verb(&words);
        if verb.starts_with("CREATE") && verb.ends_with("TABLE") {
            created.extend(name_after(&s.text, "TABLE"));
        }
        let rebuild_copy =
            kind == StatementKind::Dml && is_rebuild_copy(dialect, &s.text, &created);
        if kind == StatementKind::Transaction {
            return Err(AppError::invalid(
                field,
                format!(
                    "statement {} (line {}) is {verb}: Sluice runs each change in its own transaction, so remove transaction control",
                    i + 1,
                    s.start_line
                ),
            ));
        }
        out.push(StatementInfo {
            number: i + 1,
            line: s.start_line,
            kind,
            risk: risk(kind, &words, &s.text),
            verb,
            rebuild_copy,
            session_guard: is_session_guard(&s.text),
        });
    }
    Ok(out)
}

/// `SET [SESSION|LOCAL] lock_timeout = …` and the like, or SQLite's
/// `PRAGMA defer_foreign_keys = …`.
fn is_session_guard(text: &str) -> bool {
    const GUARDS: [&str; 4] = [
        "lock_timeout",
        "statement_timeout",
        "lock_wait_timeout",
        "defer_foreign_keys",
    ];
    let lower = text.to_ascii_lowercase();
    let mut words = lower
        .split(|c: char| c.is_whitespace() || c == '=')
        .filter(|w| !w.is_empty());
    let name = match words.next() {
        Some("set") => match words.next() {
            Some("session" | "local") => words.next(),
            other => other,
        },
        Some("pragma") => words.next(),
        _ => None,
    };
    name.is_some_and(|n| GUARDS.contains(&n))
}

/// Refuse statements that do not belong in an issue of `issue_type`: data
/// changes and reads in a SCHEMA_CHANGE, schema changes in a DATA_CHANGE.
pub fn check_type(
    field: &str,
    issue_type: IssueType,
    statements: &[StatementInfo],
) -> AppResult<()> {
    for s in statements {
        let wrong = match (issue_type, s.kind) {
            (IssueType::SchemaChange, StatementKind::Dml) if !s.rebuild_copy => {
                Some("a data change: put it in a DATA_CHANGE issue")
            }
            (IssueType::SchemaChange, StatementKind::Select) => {
                Some("a query: a SCHEMA_CHANGE issue holds schema changes only")
            }
            (IssueType::DataChange, StatementKind::Ddl) => {
                Some("a schema change: put it in a SCHEMA_CHANGE issue")
            }
            (IssueType::DataChange, StatementKind::Select) => {
                Some("a query: a DATA_CHANGE issue holds INSERT, UPDATE and DELETE statements")
            }
            _ => None,
        };
        if let Some(why) = wrong {
            return Err(AppError::invalid(
                field,
                format!(
                    "statement {} (line {}) is {}, {why}",
                    s.number, s.line, s.verb
                ),
            ));
        }
    }
    Ok(())
}

/// The highest risk among the statements.
pub fn overall_risk(statements: &[StatementInfo]) -> RiskLevel {
    statements
        .iter()
        .map(|s| s.risk)
        .max_by_key(|r| rank(*r))
        .unwrap_or(RiskLevel::Low)
}

pub fn rank(risk: RiskLevel) -> u8 {
    match risk {
        RiskLevel::Low => 0,
        RiskLevel::Moderate => 1,
        RiskLevel::High => 2,
    }
}

/// DROP and TRUNCATE lose data: high. UPDATE, DELETE and ALTER change
/// what exists: moderate (an ALTER that drops something is high).
/// Everything else adds: low.
fn risk(kind: StatementKind, words: &[String], text: &str) -> RiskLevel {
    let first = words.first().map(String::as_str).unwrap_or("");
    match first {
        "DROP" | "TRUNCATE" => RiskLevel::High,
        "ALTER" if has_word(text, "DROP") => RiskLevel::High,
        "ALTER" | "UPDATE" | "DELETE" | "RENAME" | "MERGE" | "REPLACE" => RiskLevel::Moderate,
        _ if kind == StatementKind::Dml && first != "INSERT" => RiskLevel::Moderate,
        _ => RiskLevel::Low,
    }
}

/// The first `n` words of a statement, upper-cased (the splitter has
/// already dropped the comments before it).
fn leading_words(text: &str, n: usize) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .take(n)
        .map(str::to_ascii_uppercase)
        .collect()
}

/// "CREATE TABLE", "CREATE UNIQUE INDEX", "UPDATE", "ALTER TABLE".
fn verb(words: &[String]) -> String {
    const SECOND: &[&str] = &[
        "CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT", "START", "SET",
    ];
    const MODIFIERS: &[&str] = &["UNIQUE", "OR", "TEMPORARY", "TEMP", "MATERIALIZED"];
    match words {
        [] => "an empty statement".into(),
        [first, second, third, ..]
            if SECOND.contains(&first.as_str()) && MODIFIERS.contains(&second.as_str()) =>
        {
            format!("{first} {second} {third}")
        }
        [first, second, ..] if SECOND.contains(&first.as_str()) => format!("{first} {second}"),
        [first, ..] => first.clone(),
    }
}

/// A row copy of a table rebuild: `INSERT INTO t … SELECT` into a table
/// created earlier in the script, or (SQLite) the `AUTOINCREMENT` counter
/// in `sqlite_sequence` carried over to a table the script recreated.
fn is_rebuild_copy(
    dialect: Dialect,
    text: &str,
    created: &std::collections::HashSet<String>,
) -> bool {
    let first = leading_words(text, 1);
    let counter = |table: Option<String>| {
        dialect == Dialect::Sqlite
            && !created.is_empty()
            && table.as_deref() == Some("sqlite_sequence")
    };
    match first.first().map(String::as_str) {
        Some("INSERT") => {
            let table = name_after(text, "INTO");
            has_word(text, "SELECT")
                && (table.as_ref().is_some_and(|t| created.contains(t)) || counter(table))
        }
        Some("DELETE") => counter(name_after(text, "FROM")),
        _ => false,
    }
}

/// The object named right after the first `keyword` (past `IF NOT
/// EXISTS`): its last name part, unquoted and lower-cased (`main."T"` is
/// `t`).
fn name_after(text: &str, keyword: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let start = upper.match_indices(keyword).find_map(|(at, _)| {
        let end = at + keyword.len();
        let before = upper[..at].chars().next_back();
        let after = upper[end..].chars().next();
        (!before.is_some_and(is_word) && !after.is_some_and(is_word)).then_some(end)
    })?;
    let mut rest = text[start..].trim_start();
    for word in ["IF", "NOT", "EXISTS"] {
        if rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word) {
            rest = rest[word.len()..].trim_start();
        }
    }
    let mut last = None;
    loop {
        let (part, tail) = match rest.chars().next()? {
            q @ ('"' | '`' | '[') => {
                let close = if q == '[' { ']' } else { q };
                let end = rest[1..].find(close)? + 1;
                (&rest[1..end], &rest[end + 1..])
            }
            _ => {
                let end = rest
                    .find(|c: char| !(is_word(c) || c == '$'))
                    .unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            }
        };
        if part.is_empty() {
            return last;
        }
        last = Some(part.to_lowercase());
        match tail.strip_prefix('.') {
            Some(next) => rest = next,
            None => return last,
        }
    }
}

fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| w.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_s_session_guards_are_known_and_other_sets_are_not() {
        for guard in [
            "SET lock_timeout = '5000ms'",
            "SET SESSION lock_wait_timeout = 5",
            "set local statement_timeout=0",
            "PRAGMA defer_foreign_keys = 1",
        ] {
            assert!(is_session_guard(guard), "{guard}");
        }
        for other in [
            "SET search_path = evil",
            "SET SESSION sql_mode = ''",
            "PRAGMA foreign_keys = 0",
            "SETTLE",
        ] {
            assert!(!is_session_guard(other), "{other}");
        }
    }

    #[test]
    fn risk_follows_the_most_dangerous_statement() {
        let s = statements(
            "statement",
            Dialect::Postgres,
            "CREATE TABLE t (id int); ALTER TABLE t ADD c int;",
        )
        .unwrap();
        assert_eq!(overall_risk(&s), RiskLevel::Moderate);
        let s = statements(
            "statement",
            Dialect::Postgres,
            "ALTER TABLE t DROP COLUMN c",
        )
        .unwrap();
        assert_eq!(overall_risk(&s), RiskLevel::High);
        let s = statements(
            "statement",
            Dialect::Postgres,
            "-- add\nCREATE INDEX i ON t (c)",
        )
        .unwrap();
        assert_eq!(overall_risk(&s), RiskLevel::Low);
        assert_eq!(s[0].verb, "CREATE INDEX");
        let s = statements("statement", Dialect::Mysql, "truncate t").unwrap();
        assert_eq!(overall_risk(&s), RiskLevel::High);
        let s = statements("statement", Dialect::Postgres, "DELETE FROM t WHERE id = 1").unwrap();
        assert_eq!(overall_risk(&s), RiskLevel::Moderate);
    }

    #[test]
    fn statements_must_fit_the_issue_type() {
        let s = statements(
            "statement",
            Dialect::Postgres,
            "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);",
        )
        .unwrap();
        let err = check_type("statement", IssueType::SchemaChange, &s).unwrap_err();
        assert!(
            err.to_string()
                .contains("statement 2 (line 2) is INSERT, a data change"),
            "{err}"
        );
        let err = check_type("statement", IssueType::DataChange, &s).unwrap_err();
        assert!(
            err.to_string()
                .contains("statement 1 (line 1) is CREATE TABLE, a schema change"),
            "{err}"
        );
    }

    #[test]
    fn transaction_control_and_empty_scripts_are_refused() {
        let err = statements(
            "statement",
            Dialect::Postgres,
            "BEGIN; CREATE TABLE t (id int); COMMIT;",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("remove transaction control"),
            "{err}"
        );
        let err = statements("statement", Dialect::Postgres, " -- nothing\n").unwrap_err();
        assert!(err.to_string().contains("no SQL statement"), "{err}");
        let err = statements("statement", Dialect::Postgres, "SELECT 'open").unwrap_err();
        assert!(
            err.to_string().starts_with("statement: unterminated"),
            "{err}"
        );
    }

    #[test]
    fn plan_scripts_are_schema_changes() {
        let postgres = "-- Sluice plan: 2 change(s), 3 statement(s).\n\n\
            -- note: fail fast\nSET lock_timeout = '5000ms';\n\n\
            -- change 1: create table\nCREATE TABLE public.orders (id bigint NOT NULL);\n\n\
            -- runs outside a transaction\nCREATE INDEX CONCURRENTLY orders_id ON public.orders (id);\n";
        let s = statements("statement", Dialect::Postgres, postgres).unwrap();
        assert_eq!(s.len(), 3);
        check_type("statement", IssueType::SchemaChange, &s).unwrap();
        let mysql = "SET SESSION lock_wait_timeout = 5;\n\
            CREATE TABLE `orders` (`id` bigint NOT NULL);\n\
            DELIMITER ;;\n\
            CREATE TRIGGER `t` BEFORE INSERT ON `orders` FOR EACH ROW BEGIN SET NEW.id = NEW.id + 1; END;;\n\
            DELIMITER ;\n";
        let s = statements("statement", Dialect::Mysql, mysql).unwrap();
        assert_eq!(s.len(), 3, "{s:?}");
        check_type("statement", IssueType::SchemaChange, &s).unwrap();
    }

    #[test]
    fn a_table_rebuild_copies_rows_within_a_schema_change() {
        let rebuild = "CREATE TEMP TABLE temp.\"sluice_rebuild_t\" AS SELECT rowid AS r, \"a\" FROM main.\"t\";\n\
            CREATE TEMP TABLE temp.\"sluice_sequence_t\" AS SELECT seq FROM main.sqlite_sequence WHERE name = 't';\n\
            DROP TABLE main.\"t\";\n\
            CREATE TABLE main.\"t\" (id INTEGER PRIMARY KEY AUTOINCREMENT, \"a\" TEXT);\n\
            INSERT INTO main.\"t\" (rowid, \"a\") SELECT r, \"a\" FROM temp.\"sluice_rebuild_t\";\n\
            DELETE FROM main.sqlite_sequence WHERE name = 't' AND EXISTS (SELECT 1 FROM temp.\"sluice_sequence_t\");\n\
            INSERT INTO main.sqlite_sequence (name, seq) SELECT 't', seq FROM temp.\"sluice_sequence_t\";\n\
            DROP TABLE temp.\"sluice_rebuild_t\";";
        let s = statements("statement", Dialect::Sqlite, rebuild).unwrap();
        assert!(
            s[4].rebuild_copy && s[5].rebuild_copy && s[6].rebuild_copy,
            "{s:?}"
        );
        check_type("statement", IssueType::SchemaChange, &s).unwrap();
        // Rows from elsewhere, or typed in, are still a data change.
        for sql in [
            "INSERT INTO t SELECT * FROM u",
            "CREATE TABLE IF NOT EXISTS n (a int); INSERT INTO n VALUES (1)",
            "CREATE TABLE n (a int); INSERT INTO other SELECT a FROM n",
            "DELETE FROM sqlite_sequence",
        ] {
            let s = statements("statement", Dialect::Sqlite, sql).unwrap();
            let err = check_type("statement", IssueType::SchemaChange, &s).unwrap_err();
            assert!(err.to_string().contains("a data change"), "{sql}: {err}");
        }
        assert_eq!(
            name_after("CREATE TABLE IF NOT EXISTS `db`.`T` (a int)", "TABLE").as_deref(),
            Some("t")
        );
        assert_eq!(
            name_after("INSERT INTO [x] SELECT 1", "INTO").as_deref(),
            Some("x")
        );
    }
}
