//! Statement splitting corner cases for PostgreSQL.

use sluice_sql::{Dialect, SplitError, SplitOptions, Unterminated, split, split_with};

fn texts(text: &str) -> Vec<String> {
    split(Dialect::Postgres, text)
        .unwrap()
        .into_iter()
        .map(|s| s.text)
        .collect()
}

#[test]
fn semicolons_in_strings_identifiers_and_comments() {
    let script = "INSERT INTO \"a;b\" VALUES ('x;y', 'it''s;');\n\
                  SELECT 1 -- not; the end\n + 1;\n\
                  SELECT /* ; */ 2;";
    assert_eq!(
        texts(script),
        [
            "INSERT INTO \"a;b\" VALUES ('x;y', 'it''s;')",
            "SELECT 1 -- not; the end\n + 1",
            "SELECT /* ; */ 2",
        ]
    );
}

#[test]
fn doubled_quotes_in_identifiers() {
    assert_eq!(
        texts(r#"SELECT "a"";b" FROM t; SELECT 2"#),
        [r#"SELECT "a"";b" FROM t"#, "SELECT 2"]
    );
}

#[test]
fn backslash_is_literal_in_standard_strings() {
    // standard_conforming_strings = on: 'a\' is a complete string.
    assert_eq!(
        texts(r"SELECT 'a\'; SELECT 'b'"),
        [r"SELECT 'a\'", "SELECT 'b'"]
    );
}

#[test]
fn escape_strings_use_backslashes() {
    assert_eq!(
        texts(r"SELECT E'a\';b'; SELECT e'\\'; SELECT 3"),
        [r"SELECT E'a\';b'", r"SELECT e'\\'", "SELECT 3"]
    );
}

#[test]
fn backslash_escapes_when_standard_conforming_strings_is_off() {
    let options = SplitOptions {
        backslash_escapes: true,
        ..SplitOptions::new(Dialect::Postgres)
    };
    let s = split_with(&options, r"SELECT 'a\';b'; SELECT 2").unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].text, r"SELECT 'a\';b'");
}

#[test]
fn dashes_start_a_comment_anywhere() {
    assert_eq!(
        texts("SELECT 1--; comment\n;SELECT 2"),
        ["SELECT 1", "SELECT 2"]
    );
}

#[test]
fn nested_block_comments() {
    let script = "SELECT /* outer /* inner; */ still; comment */ 1; SELECT 2";
    assert_eq!(
        texts(script),
        [
            "SELECT /* outer /* inner; */ still; comment */ 1",
            "SELECT 2"
        ]
    );
}

#[test]
fn dollar_quoted_function_bodies() {
    let script = "CREATE FUNCTION f() RETURNS trigger AS $$\n\
                  BEGIN\n  NEW.x := 'a;b';\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n\
                  SELECT 1;";
    let s = texts(script);
    assert_eq!(s.len(), 2);
    assert!(s[0].starts_with("CREATE FUNCTION") && s[0].ends_with("LANGUAGE plpgsql"));
    assert_eq!(s[1], "SELECT 1");
}

#[test]
fn tagged_dollar_quotes_nest_other_tags() {
    let script = "DO $outer$\nBEGIN\n  EXECUTE $q$SELECT 1; $$ $q$;\nEND\n$outer$;\nSELECT 2";
    let s = texts(script);
    assert_eq!(
        s,
        [
            "DO $outer$\nBEGIN\n  EXECUTE $q$SELECT 1; $$ $q$;\nEND\n$outer$",
            "SELECT 2"
        ]
    );
}

#[test]
fn dollar_tags_are_case_sensitive() {
    let s = texts("SELECT $a$ x; $A$ y; $a$; SELECT 2");
    assert_eq!(s, ["SELECT $a$ x; $A$ y; $a$", "SELECT 2"]);
}

#[test]
fn positional_parameters_are_not_dollar_quotes() {
    let s = texts("PREPARE p AS SELECT $1, $2; EXECUTE p(1, 2)");
    assert_eq!(s, ["PREPARE p AS SELECT $1, $2", "EXECUTE p(1, 2)"]);
}

#[test]
fn dollar_inside_identifiers_is_not_a_quote() {
    let s = texts("SELECT a$$b FROM t$1; SELECT 2");
    assert_eq!(s, ["SELECT a$$b FROM t$1", "SELECT 2"]);
}

#[test]
fn begin_atomic_bodies() {
    let script = "CREATE OR REPLACE FUNCTION add(a int, b int) RETURNS int\n\
                  LANGUAGE sql\n\
                  BEGIN ATOMIC\n  \
                    SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;\n  \
                    SELECT 1;\n\
                  END;\n\
                  BEGIN;\n\
                  SELECT 2;\n\
                  COMMIT;";
    let s = texts(script);
    assert_eq!(s.len(), 4, "{s:#?}");
    assert!(s[0].starts_with("CREATE OR REPLACE FUNCTION") && s[0].ends_with("END"));
    assert_eq!(&s[1..], ["BEGIN", "SELECT 2", "COMMIT"]);
}

#[test]
fn begin_atomic_procedure() {
    let script = "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END; CALL p();";
    let s = texts(script);
    assert_eq!(s.len(), 2);
    assert_eq!(s[1], "CALL p()");
}

#[test]
fn case_outside_a_body_does_not_count() {
    let s = texts(
        "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql RETURN CASE WHEN x > 0 THEN 1 END; SELECT 2",
    );
    assert_eq!(s.len(), 2);
}

#[test]
fn semicolons_inside_parentheses_do_not_split() {
    // As in psql: CREATE RULE with several actions keeps them together.
    let script =
        "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); NOTIFY t); SELECT 1";
    let s = texts(script);
    assert_eq!(s.len(), 2);
    assert!(s[0].ends_with("NOTIFY t)"));
}

#[test]
fn begin_as_transaction_is_its_own_statement() {
    assert_eq!(
        texts("BEGIN; CREATE TABLE t(begin_at int); END;"),
        ["BEGIN", "CREATE TABLE t(begin_at int)", "END"]
    );
}

#[test]
fn positions_are_exact() {
    let script = "-- header\n\nCREATE TABLE a (\n  id int\n);\n   SELECT 'é'; SELECT 3\n";
    let s = split(Dialect::Postgres, script).unwrap();
    assert_eq!(s.len(), 3);
    assert_eq!(
        (s[0].start_line, s[0].start_column, s[0].end_line),
        (3, 1, 5)
    );
    assert_eq!(&script[s[0].range.clone()], s[0].text);
    assert_eq!(
        (s[1].start_line, s[1].start_column, s[1].end_line),
        (6, 4, 6)
    );
    // `é` is two bytes and one column.
    assert_eq!((s[2].start_line, s[2].start_column), (6, 16));
    assert_eq!(s[2].range.start, script.find("SELECT 3").unwrap());
}

#[test]
fn crlf_line_endings() {
    let s = split(Dialect::Postgres, "SELECT 1;\r\n\r\nSELECT\r\n 2;\r\n").unwrap();
    assert_eq!(s[1].text, "SELECT\r\n 2");
    assert_eq!(
        (s[1].start_line, s[1].start_column, s[1].end_line),
        (3, 1, 4)
    );
}

#[test]
fn byte_order_mark_is_skipped() {
    let s = split(Dialect::Postgres, "\u{feff}SELECT 1;").unwrap();
    assert_eq!(s[0].text, "SELECT 1");
    assert_eq!(s[0].range, 3..11);
}

#[test]
fn unterminated_dollar_quote() {
    let err = split(
        Dialect::Postgres,
        "SELECT 1;\n  CREATE FUNCTION f() AS $body$ SELECT 1;",
    )
    .unwrap_err();
    assert_eq!(
        err,
        SplitError::Unterminated {
            what: Unterminated::DollarQuote {
                tag: "$body$".into()
            },
            line: 2,
            column: 26,
            offset: 35,
        }
    );
    assert_eq!(
        err.to_string(),
        "unterminated dollar-quoted string $body$ starting at line 2, column 26"
    );
}

#[test]
fn unterminated_nested_comment() {
    let err = split(Dialect::Postgres, "SELECT 1; /* a /* b */ still open").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unterminated block comment starting at line 1, column 11"
    );
}

#[test]
fn unterminated_strings_and_identifiers() {
    let cases = [
        ("SELECT 'abc", "string", 8),
        ("SELECT E'abc\\'", "escape string E'…'", 8),
        ("SELECT \"abc", "quoted identifier", 8),
        ("SELECT $$abc", "dollar-quoted string $$", 8),
    ];
    for (text, what, column) in cases {
        let err = split(Dialect::Postgres, text).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("unterminated {what} starting at line 1, column {column}"),
            "{text}"
        );
    }
}

#[test]
fn dollar_word_without_closing_dollar_is_not_a_quote() {
    assert_eq!(
        texts("SELECT $abc FROM t; SELECT 2"),
        ["SELECT $abc FROM t", "SELECT 2"]
    );
}
