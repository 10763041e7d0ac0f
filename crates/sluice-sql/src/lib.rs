//! SQL text handling for Sluice: statement splitting and classification.
//!
//! A change script is plain text written for a database's own client (psql,
//! the mysql client, the sqlite3 shell). Before Sluice can run it statement by
//! statement, log each one, and point at the one that failed, it has to cut
//! the text exactly where that client would. This crate does that with a
//! hand-written lexer rather than a SQL parser, for three reasons:
//!
//! - **Coverage.** A parser rejects what it does not know (`DO $$…$$`,
//!   `VACUUM ANALYZE`, MySQL procedures); a splitter only needs to know where
//!   strings, quoted identifiers, comments and bodies start and end, so it
//!   accepts every statement the server accepts, including ones from the
//!   next server version.
//! - **Exact positions.** Every [`Statement`] carries its byte range, line
//!   and column in the script, so a server error can be shown where the
//!   author wrote it. Parsers built for the common dialects keep only partial
//!   spans.
//! - **Client rules.** `DELIMITER` is a command of the mysql client, not SQL,
//!   and psql's rules for `BEGIN ATOMIC` bodies are heuristics of psql. Only
//!   the splitter can reproduce them.
//!
//! Everything here is pure and synchronous: no I/O, no async runtime.
//!
//! ```
//! use sluice_sql::{Dialect, StatementKind, classify, split};
//!
//! let script = "CREATE TABLE t (note text DEFAULT 'a;b');\nINSERT INTO t VALUES ('x');";
//! let statements = split(Dialect::Postgres, script).unwrap();
//! assert_eq!(statements.len(), 2);
//! assert_eq!(statements[1].text, "INSERT INTO t VALUES ('x')");
//! assert_eq!((statements[1].start_line, statements[1].start_column), (2, 1));
//! assert_eq!(classify(Dialect::Postgres, &statements[1].text), StatementKind::Dml);
//! ```

mod classify;
mod lexer;
mod split;

pub use classify::{StatementKind, can_run_in_transaction, classify};
pub use split::{SplitError, SplitOptions, Statement, Unterminated, split, split_with};

/// The dialect type is the schema model's, so that one value selects
/// quoting, DDL rendering and splitting alike. `Mysql` covers MySQL and
/// MariaDB: their lexical rules (backslash escapes, backticks, `#` comments,
/// executable comments, `DELIMITER`) are the same.
pub use sluice_schema::{Dialect, UnknownDialect};
