//! Quoting of identifiers and string literals per dialect.
//!
//! Identifiers are quoted only when they must be, so a dump reads like one
//! written by hand and matches what the servers themselves print
//! (PostgreSQL's `quote_ident`, SQLite's `.schema`). Over-quoting is
//! harmless, under-quoting is a syntax error, so the keyword lists err on
//! the side of quoting: they include words reserved in any supported
//! version of the server.

use crate::dialect::Dialect;
use crate::keywords::{MYSQL_RESERVED, POSTGRES_RESERVED, SQLITE_KEYWORDS};

/// Quotes `name` as an identifier for `dialect` if it needs quoting.
///
/// - PostgreSQL: bare when it is lowercase ASCII letters, digits and `_`,
///   starting with a letter or `_`, and not a reserved keyword (the rule of
///   `quote_ident`); otherwise double-quoted with `"` doubled.
/// - MySQL: bare when it is ASCII letters, digits, `_` and `$`, starts
///   with a letter or `_`, and is not reserved; otherwise back-quoted with
///   `` ` `` doubled.
/// - SQLite: bare when it is ASCII letters, digits and `_`, starts with a
///   letter or `_`, and is not a keyword; otherwise double-quoted.
pub fn quote_ident(dialect: Dialect, name: &str) -> String {
    if is_bare(dialect, name) {
        return name.to_string();
    }
    let q = match dialect {
        Dialect::Postgres | Dialect::Sqlite => '"',
        Dialect::Mysql => '`',
    };
    let mut out = String::with_capacity(name.len() + 2);
    out.push(q);
    for c in name.chars() {
        if c == q {
            out.push(q);
        }
        out.push(c);
    }
    out.push(q);
    out
}

/// `schema.name`, each part quoted as needed.
pub fn quote_qualified(dialect: Dialect, schema: &str, name: &str) -> String {
    format!(
        "{}.{}",
        quote_ident(dialect, schema),
        quote_ident(dialect, name)
    )
}

/// Quotes a list of identifiers, comma-separated.
pub fn quote_list<S: AsRef<str>>(dialect: Dialect, names: &[S]) -> String {
    names
        .iter()
        .map(|n| quote_ident(dialect, n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Quotes `value` as a string literal for `dialect`.
///
/// PostgreSQL (with `standard_conforming_strings`, the default since 9.1)
/// and SQLite only double the single quote. MySQL also treats the
/// backslash as an escape unless `NO_BACKSLASH_ESCAPES` is set, so
/// backslashes are doubled and NUL is written `\0`; the result reads back
/// the same under either mode except for NUL, which has no other spelling.
pub fn quote_literal(dialect: Dialect, value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match (dialect, c) {
            (_, '\'') => out.push_str("''"),
            (Dialect::Mysql, '\\') => out.push_str("\\\\"),
            (Dialect::Mysql, '\0') => out.push_str("\\0"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn is_bare(dialect: Dialect, name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let rest_ok = |c: char| match dialect {
        Dialect::Postgres => c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_',
        Dialect::Mysql => c.is_ascii_alphanumeric() || c == '_' || c == '$',
        Dialect::Sqlite => c.is_ascii_alphanumeric() || c == '_',
    };
    let first_ok = match dialect {
        Dialect::Postgres => first.is_ascii_lowercase() || first == '_',
        Dialect::Mysql | Dialect::Sqlite => first.is_ascii_alphabetic() || first == '_',
    };
    if !first_ok || !chars.all(rest_ok) {
        return false;
    }
    let upper = name.to_ascii_uppercase();
    let list: &[&str] = match dialect {
        Dialect::Postgres => POSTGRES_RESERVED,
        Dialect::Mysql => MYSQL_RESERVED,
        Dialect::Sqlite => SQLITE_KEYWORDS,
    };
    list.binary_search(&upper.as_str()).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_lists_are_sorted_for_binary_search() {
        for list in [POSTGRES_RESERVED, MYSQL_RESERVED, SQLITE_KEYWORDS] {
            assert!(
                list.windows(2).all(|w| w[0] < w[1]),
                "{:?}",
                list.windows(2).find(|w| w[0] >= w[1])
            );
        }
    }
}
