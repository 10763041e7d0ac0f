//! SQLite's answers to the diff's questions.
//!
//! SQLite keeps declared types as written and compares them only through
//! their affinity, so `INTEGER` and `integer` are one type, and a change
//! that keeps the affinity converts no stored value. `sqlite_master` keeps
//! defaults as written, with or without parentheses.

use super::rules::{DialectRules, canonical, squeeze_type};
use crate::dialect::Dialect;

pub struct Sqlite;

/// The type affinity rules of SQLite (section 3.1 of its datatype docs).
fn affinity(t: &str) -> &'static str {
    let t = t.to_uppercase();
    if t.contains("INT") {
        "INTEGER"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "TEXT"
    } else if t.contains("BLOB") || t.trim().is_empty() {
        "BLOB"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "REAL"
    } else {
        "NUMERIC"
    }
}

impl DialectRules for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn same_type(&self, a: &str, b: &str) -> bool {
        squeeze_type(a) == squeeze_type(b)
    }

    fn is_type_change(&self, from: &str, to: &str) -> bool {
        affinity(from) != affinity(to)
    }

    fn same_default(&self, a: &str, b: &str) -> bool {
        canonical(a) == canonical(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms() {
        let s = Sqlite;
        assert!(s.same_type("INTEGER", "integer"));
        assert!(s.same_type("VARCHAR(10)", "varchar( 10 )"));
        assert!(!s.is_type_change("VARCHAR(10)", "TEXT"));
        assert!(s.is_type_change("TEXT", "INTEGER"));
        assert!(s.same_default("(date('now'))", "date('now')"));
    }
}
