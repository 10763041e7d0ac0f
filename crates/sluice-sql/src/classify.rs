//! What a statement does, read from its leading keywords.
//!
//! The pipeline needs coarse answers before anything runs: is this script
//! schema change or data change (which issue type, which review rules), is a
//! query read-only, and which statements must run outside the transaction
//! that wraps a change. Leading keywords answer all three without a parser,
//! so they work for every statement the splitter produces, including ones a
//! parser would reject. Comments are skipped, and MySQL executable comments
//! (`/*!50003 CREATE*/ …`, as mysqldump writes them) are read as the code
//! they hold.

use serde::Serialize;

use crate::Dialect;
use crate::lexer::{TokenKind, significant};

/// The kind of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// Schema and privilege changes: CREATE, ALTER, DROP, TRUNCATE, RENAME,
    /// COMMENT ON, GRANT, REVOKE, SECURITY LABEL, IMPORT FOREIGN SCHEMA.
    Ddl,
    /// Data changes: INSERT, UPDATE, DELETE, MERGE, REPLACE, COPY … FROM,
    /// LOAD DATA, and `EXPLAIN ANALYZE` of any of them (which runs them).
    Dml,
    /// Reads: SELECT, WITH … SELECT, VALUES, TABLE, SHOW, EXPLAIN, DESCRIBE,
    /// COPY … TO. `SELECT … INTO` and `SELECT … FOR UPDATE` are counted
    /// here too; a read-only check must not rely on this kind alone.
    Select,
    /// Transaction control: BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK,
    /// ABORT, SAVEPOINT, RELEASE, SET TRANSACTION, XA, PREPARE TRANSACTION.
    Transaction,
    /// Everything else: SET, CALL, DO, VACUUM, ANALYZE, PRAGMA, USE, LOCK,
    /// ALTER SYSTEM, session and maintenance commands, and empty text.
    Other,
}

/// A word of the statement and how many parentheses enclose it.
#[derive(Debug, Clone, Copy)]
struct Word<'a> {
    depth: usize,
    text: &'a str,
}

impl Word<'_> {
    fn is(&self, keyword: &str) -> bool {
        self.text.eq_ignore_ascii_case(keyword)
    }

    fn is_any(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|k| self.is(k))
    }
}

/// Calls `f` with the words of `text`, reading MySQL executable comments as
/// code. Only a text that has such comments is copied.
fn with_words<R>(dialect: Dialect, text: &str, f: impl FnOnce(&[Word<'_>]) -> R) -> R {
    /// Enough for every decision here except the main verb of a long WITH,
    /// which is then taken to be a read.
    const MAX_WORDS: usize = 4096;
    let unwrapped;
    let text = if dialect == Dialect::Mysql && text.contains("/*") {
        unwrapped = unwrap_executable_comments(text);
        unwrapped.as_str()
    } else {
        text
    };
    let mut depth = 0usize;
    let mut words = Vec::new();
    for token in significant(dialect, text) {
        match token.kind {
            TokenKind::Word => words.push(Word {
                depth,
                text: &text[token.start..token.end],
            }),
            TokenKind::Punct if text.as_bytes()[token.start] == b'(' => depth += 1,
            TokenKind::Punct if text.as_bytes()[token.start] == b')' => {
                depth = depth.saturating_sub(1)
            }
            _ => {}
        }
        if words.len() == MAX_WORDS {
            break;
        }
    }
    f(&words)
}

/// Blanks the `/*!NNNNN` / `/*M!NNNNNN` openers and `*/` closers of MySQL
/// executable comments, so their content reads as code; lengths and so
/// positions are kept.
fn unwrap_executable_comments(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut lexer = crate::lexer::Lexer::new(Dialect::Mysql, true, text);
    while let Ok(Some(token)) = lexer.next_token() {
        if token.kind != TokenKind::ExecutableComment {
            continue;
        }
        let mut i = token.start + 2;
        if bytes[i] == b'M' {
            i += 1;
        }
        i += 1;
        while bytes[i].is_ascii_digit() {
            i += 1;
        }
        bytes[token.start..i].fill(b' ');
        bytes[token.end - 2..token.end].fill(b' ');
    }
    // Only ASCII bytes were replaced by ASCII spaces.
    String::from_utf8(bytes).expect("blanking ASCII keeps UTF-8 valid")
}

/// The kind of `statement_text`, from its leading keywords.
pub fn classify(dialect: Dialect, statement_text: &str) -> StatementKind {
    with_words(dialect, statement_text, |words| {
        classify_words(dialect, words)
    })
}

fn classify_words(dialect: Dialect, words: &[Word<'_>]) -> StatementKind {
    use StatementKind::*;
    let Some(first) = words.first() else {
        return Other;
    };
    let second = words.get(1);
    let second_is = |k: &str| second.is_some_and(|w| w.is(k));
    match first.text.to_ascii_uppercase().as_str() {
        "CREATE" | "DROP" | "TRUNCATE" | "RENAME" | "COMMENT" | "GRANT" | "REVOKE" | "IMPORT" => {
            Ddl
        }
        "ALTER" if second_is("SYSTEM") => Other,
        "ALTER" => Ddl,
        "SECURITY" if second_is("LABEL") => Ddl,
        "INSERT" | "UPDATE" | "DELETE" | "MERGE" | "REPLACE" | "UPSERT" => Dml,
        "LOAD" if second.is_some_and(|w| w.is_any(&["DATA", "XML"])) => Dml,
        "COPY" if dialect == Dialect::Postgres => {
            // COPY t FROM … writes; COPY t TO … and COPY (query) TO … read.
            let from = words[1..]
                .iter()
                .any(|w| w.depth == first.depth && w.is("FROM"));
            if from { Dml } else { Select }
        }
        "SELECT" | "VALUES" | "TABLE" | "SHOW" | "DESCRIBE" | "DESC" => Select,
        "WITH" => main_verb(first.depth, &words[1..]).unwrap_or(Select),
        "EXPLAIN" => explain(&words[1..]),
        // MariaDB `ANALYZE UPDATE …` runs the statement and reports on it.
        "ANALYZE" if dialect == Dialect::Mysql => match second {
            Some(w) if w.is_any(&["SELECT", "WITH", "VALUES"]) => Select,
            Some(w) if w.is_any(&["INSERT", "UPDATE", "DELETE", "REPLACE"]) => Dml,
            _ => Other,
        },
        "BEGIN" if dialect == Dialect::Mysql && second_is("NOT") => Other,
        "BEGIN" | "START" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "XA" => Transaction,
        "END" | "ABORT" if dialect != Dialect::Mysql => Transaction,
        "PREPARE" if dialect == Dialect::Postgres && second_is("TRANSACTION") => Transaction,
        "SET" if second_is("TRANSACTION") => Transaction,
        _ => Other,
    }
}

/// The verb of the statement a WITH clause belongs to: the first word at
/// the WITH's own depth that starts a query or a data change.
fn main_verb(depth: usize, words: &[Word<'_>]) -> Option<StatementKind> {
    words.iter().filter(|w| w.depth == depth).find_map(|w| {
        if w.is_any(&["SELECT", "VALUES", "TABLE"]) {
            Some(StatementKind::Select)
        } else if w.is_any(&["INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE"]) {
            Some(StatementKind::Dml)
        } else {
            None
        }
    })
}

/// EXPLAIN only plans, unless ANALYZE makes it run the statement.
fn explain(words: &[Word<'_>]) -> StatementKind {
    let mut analyze = false;
    for w in words {
        if w.is("ANALYZE") {
            analyze = true;
        } else if w.is_any(&["INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE"]) {
            return if analyze {
                StatementKind::Dml
            } else {
                StatementKind::Select
            };
        } else if w.is("CREATE") {
            return if analyze {
                StatementKind::Ddl
            } else {
                StatementKind::Select
            };
        } else if w.is_any(&["SELECT", "WITH", "VALUES", "TABLE", "EXECUTE", "DECLARE"]) {
            break;
        }
    }
    StatementKind::Select
}

/// Whether `statement_text` may run inside a transaction block.
///
/// - **PostgreSQL** refuses inside a transaction block: `CREATE INDEX
///   CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`,
///   `REINDEX SCHEMA|DATABASE|SYSTEM`, `VACUUM`, `CREATE|DROP DATABASE`,
///   `ALTER DATABASE … SET TABLESPACE`, `CREATE|DROP TABLESPACE`,
///   `ALTER SYSTEM`, `CLUSTER` without a table, `DISCARD ALL`,
///   `ALTER TABLE … DETACH PARTITION … CONCURRENTLY`, and subscription
///   commands that manage replication slots (`CREATE|DROP SUBSCRIPTION`,
///   `ALTER SUBSCRIPTION … REFRESH|… PUBLICATION`; answered conservatively,
///   since running alone is always possible). `ALTER TYPE … ADD VALUE` is
///   allowed since PostgreSQL 12, the oldest version Sluice supports, but
///   the new value cannot be used before the transaction commits.
/// - **SQLite** refuses `VACUUM`, `ATTACH` and `DETACH` inside a
///   transaction. Note that `PRAGMA foreign_keys` is silently ignored inside
///   one; this function cannot fix that by moving it after the transaction.
/// - **MySQL/MariaDB** answer true for everything: DDL commits the open
///   transaction implicitly, so no statement is refused, but DDL is never
///   atomic with the rest of a script there either.
///
/// Transaction control statements (`BEGIN`, `COMMIT`) answer true; a caller
/// that wraps a script in a transaction should look for them with
/// [`classify`].
pub fn can_run_in_transaction(dialect: Dialect, statement_text: &str) -> bool {
    match dialect {
        Dialect::Mysql => true,
        Dialect::Sqlite => with_words(dialect, statement_text, |words| {
            !words
                .first()
                .is_some_and(|w| w.is_any(&["VACUUM", "ATTACH", "DETACH"]))
        }),
        Dialect::Postgres => with_words(dialect, statement_text, postgres_in_transaction),
    }
}

fn postgres_in_transaction(words: &[Word<'_>]) -> bool {
    let Some(first) = words.first() else {
        return true;
    };
    // Words at the statement's own level, so option lists and names in
    // parentheses do not confuse the keyword order.
    let top: Vec<&Word<'_>> = words.iter().filter(|w| w.depth == first.depth).collect();
    let at = |i: usize, k: &str| top.get(i).is_some_and(|w| w.is(k));
    let any = |k: &str| words.iter().any(|w| w.is(k));
    match first.text.to_ascii_uppercase().as_str() {
        "VACUUM" => false,
        "CREATE" => {
            let index = if at(1, "UNIQUE") { 2 } else { 1 };
            let concurrent_index = at(index, "INDEX") && at(index + 1, "CONCURRENTLY");
            !(concurrent_index || at(1, "DATABASE") || at(1, "TABLESPACE") || at(1, "SUBSCRIPTION"))
        }
        "DROP" => {
            let concurrent_index = at(1, "INDEX") && at(2, "CONCURRENTLY");
            !(concurrent_index || at(1, "DATABASE") || at(1, "TABLESPACE") || at(1, "SUBSCRIPTION"))
        }
        "REINDEX" => {
            !(any("CONCURRENTLY")
                || top
                    .iter()
                    .any(|w| w.is_any(&["SCHEMA", "DATABASE", "SYSTEM"])))
        }
        "ALTER" => {
            if at(1, "SYSTEM") {
                false
            } else if at(1, "DATABASE") {
                !top.windows(2)
                    .any(|p| p[0].is("SET") && p[1].is("TABLESPACE"))
            } else if at(1, "TABLE") {
                !(top.iter().any(|w| w.is("DETACH")) && any("CONCURRENTLY"))
            } else if at(1, "SUBSCRIPTION") {
                !top.iter().any(|w| w.is_any(&["REFRESH", "PUBLICATION"]))
            } else {
                true
            }
        }
        // CLUSTER without a table name reclusters every table.
        "CLUSTER" => top.iter().skip(1).any(|w| !w.is("VERBOSE")),
        "DISCARD" => !at(1, "ALL"),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executable_comments_are_read_as_code() {
        let text = "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`%`*/ /*!50003 TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1 */";
        assert_eq!(classify(Dialect::Mysql, text), StatementKind::Ddl);
        assert_eq!(
            classify(Dialect::Mysql, "/*!40101 SET NAMES utf8mb4 */"),
            StatementKind::Other
        );
        assert_eq!(
            classify(Dialect::Mysql, "/*M!100101 SET x = 1 */"),
            StatementKind::Other
        );
        assert_eq!(
            unwrap_executable_comments("/*!40101 SET a */"),
            "         SET a   "
        );
    }

    #[test]
    fn with_finds_its_main_verb() {
        let pg = Dialect::Postgres;
        let q = "WITH a AS (SELECT 1), b AS (DELETE FROM t RETURNING *) SELECT * FROM a";
        assert_eq!(classify(pg, q), StatementKind::Select);
        let d = "WITH RECURSIVE a AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM a)";
        assert_eq!(classify(pg, d), StatementKind::Dml);
    }
}
