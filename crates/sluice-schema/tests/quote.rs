//! Quoting of odd names and string literals per dialect.

use sluice_schema::{Dialect, quote_ident, quote_literal};

#[test]
fn postgres_quotes_only_when_needed() {
    let q = |n| quote_ident(Dialect::Postgres, n);
    assert_eq!(q("orders"), "orders");
    assert_eq!(q("_x1"), "_x1");
    assert_eq!(q("select"), "\"select\"");
    assert_eq!(q("user"), "\"user\"");
    // Unreserved keywords stay bare, as quote_ident leaves them.
    assert_eq!(q("name"), "name");
    assert_eq!(q("Mixed Case"), "\"Mixed Case\"");
    assert_eq!(q("Orders"), "\"Orders\"");
    assert_eq!(q("a\"b"), "\"a\"\"b\"");
    assert_eq!(q("a`b"), "\"a`b\"");
    assert_eq!(q("ünïcode"), "\"ünïcode\"");
    assert_eq!(q("1abc"), "\"1abc\"");
    assert_eq!(q("a$b"), "\"a$b\"");
    assert_eq!(q(""), "\"\"");
}

#[test]
fn mysql_uses_backticks() {
    let q = |n| quote_ident(Dialect::Mysql, n);
    assert_eq!(q("orders"), "orders");
    assert_eq!(q("Orders"), "Orders");
    assert_eq!(q("a$b"), "a$b");
    assert_eq!(q("select"), "`select`");
    assert_eq!(q("SELECT"), "`SELECT`");
    assert_eq!(q("Mixed Case"), "`Mixed Case`");
    assert_eq!(q("a\"b"), "`a\"b`");
    assert_eq!(q("a`b"), "`a``b`");
    assert_eq!(q("ünïcode"), "`ünïcode`");
    assert_eq!(q("123"), "`123`");
    assert_eq!(q("1e5"), "`1e5`");
}

#[test]
fn sqlite_uses_double_quotes() {
    let q = |n| quote_ident(Dialect::Sqlite, n);
    assert_eq!(q("orders"), "orders");
    assert_eq!(q("Orders"), "Orders");
    assert_eq!(q("select"), "\"select\"");
    assert_eq!(q("key"), "\"key\"");
    assert_eq!(q("Mixed Case"), "\"Mixed Case\"");
    assert_eq!(q("a\"b"), "\"a\"\"b\"");
    assert_eq!(q("a`b"), "\"a`b\"");
    assert_eq!(q("ünïcode"), "\"ünïcode\"");
}

#[test]
fn string_literals() {
    assert_eq!(quote_literal(Dialect::Postgres, "it's"), "'it''s'");
    assert_eq!(quote_literal(Dialect::Postgres, "a\\b"), "'a\\b'");
    assert_eq!(quote_literal(Dialect::Sqlite, "it's\\"), "'it''s\\'");
    assert_eq!(quote_literal(Dialect::Mysql, "it's a\\b"), "'it''s a\\\\b'");
    assert_eq!(quote_literal(Dialect::Mysql, "nul\0"), "'nul\\0'");
    assert_eq!(quote_literal(Dialect::Postgres, "ünï\ncode"), "'ünï\ncode'");
}
