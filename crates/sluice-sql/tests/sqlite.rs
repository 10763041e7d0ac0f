//! Statement splitting corner cases for SQLite.

use sluice_sql::{Dialect, SplitError, Unterminated, split};

fn texts(text: &str) -> Vec<String> {
    split(Dialect::Sqlite, text)
        .unwrap()
        .into_iter()
        .map(|s| s.text)
        .collect()
}

#[test]
fn semicolons_in_strings_and_identifiers() {
    let script =
        "CREATE TABLE \"a;b\" ([c;d] TEXT DEFAULT 'x;''y', `e;f` INT);\nSELECT 'no\\'; SELECT 2;";
    assert_eq!(
        texts(script),
        [
            "CREATE TABLE \"a;b\" ([c;d] TEXT DEFAULT 'x;''y', `e;f` INT)",
            "SELECT 'no\\'",
            "SELECT 2",
        ]
    );
}

#[test]
fn comments() {
    let script = "SELECT 1--x;\n;SELECT /* a /* b */ 2; # not a comment\n";
    // `--` needs no space after it, block comments do not nest, `#` is no comment.
    assert_eq!(
        texts(script),
        ["SELECT 1", "SELECT /* a /* b */ 2", "# not a comment"]
    );
}

#[test]
fn trigger_bodies() {
    let script = "\
CREATE TRIGGER IF NOT EXISTS log_update AFTER UPDATE ON t
WHEN new.a <> old.a
BEGIN
  INSERT INTO log VALUES (new.id, 'a;b');
  UPDATE t SET b = CASE WHEN new.a > 0 THEN 1 ELSE 0 END WHERE id = new.id;
  SELECT RAISE(ABORT, 'no;') WHERE new.a < 0;
END;
CREATE TEMP TRIGGER t2 BEFORE DELETE ON t BEGIN DELETE FROM log; END;
DELETE FROM t;
";
    let s = split(Dialect::Sqlite, script).unwrap();
    assert_eq!(s.len(), 3, "{s:#?}");
    assert!(s[0].text.ends_with("WHERE new.a < 0;\nEND"));
    assert_eq!((s[0].start_line, s[0].end_line), (1, 7));
    assert_eq!(
        s[1].text,
        "CREATE TEMP TRIGGER t2 BEFORE DELETE ON t BEGIN DELETE FROM log; END"
    );
    assert_eq!(s[2].text, "DELETE FROM t");
}

#[test]
fn case_in_trigger_condition_does_not_count() {
    let script = "CREATE TRIGGER t AFTER INSERT ON x WHEN CASE WHEN new.a THEN 1 END BEGIN SELECT 1; END; SELECT 2;";
    assert_eq!(texts(script).len(), 2);
}

#[test]
fn begin_transaction_is_not_a_body() {
    let s = texts("BEGIN IMMEDIATE; CREATE TABLE t (x); END TRANSACTION;");
    assert_eq!(
        s,
        ["BEGIN IMMEDIATE", "CREATE TABLE t (x)", "END TRANSACTION"]
    );
}

#[test]
fn unterminated_constructs() {
    let cases = [
        ("SELECT 'a", Unterminated::String),
        ("SELECT \"a", Unterminated::QuotedIdentifier),
        ("SELECT `a", Unterminated::BacktickIdentifier),
        ("SELECT [a", Unterminated::BracketIdentifier),
        ("SELECT /* a", Unterminated::BlockComment),
    ];
    for (text, what) in cases {
        let err = split(Dialect::Sqlite, &format!("SELECT 1;\n{text}")).unwrap_err();
        assert_eq!(
            err,
            SplitError::Unterminated {
                what,
                line: 2,
                column: 8,
                offset: 17
            },
            "{text}"
        );
    }
}
