//! Statement splitting corner cases for MySQL and MariaDB.

use sluice_sql::{Dialect, SplitError, SplitOptions, Unterminated, split, split_with};

fn texts(text: &str) -> Vec<String> {
    split(Dialect::Mysql, text)
        .unwrap()
        .into_iter()
        .map(|s| s.text)
        .collect()
}

#[test]
fn semicolons_in_strings_and_identifiers() {
    let script = "INSERT INTO `a;b` VALUES ('x;y', \"p;q\", 'it''s;', 'back\\';slash');\nSELECT `x``;y` FROM t;";
    assert_eq!(
        texts(script),
        [
            "INSERT INTO `a;b` VALUES ('x;y', \"p;q\", 'it''s;', 'back\\';slash')",
            "SELECT `x``;y` FROM t",
        ]
    );
}

#[test]
fn no_backslash_escapes_mode() {
    let options = SplitOptions {
        backslash_escapes: false,
        ..SplitOptions::new(Dialect::Mysql)
    };
    let s = split_with(&options, r"SELECT 'a\'; SELECT 2").unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].text, r"SELECT 'a\'");
}

#[test]
fn line_comments() {
    let script = "SELECT 1 # hash; comment\n;\nSELECT 2 -- dash; comment\n;\nSELECT 3--1;";
    assert_eq!(texts(script), ["SELECT 1", "SELECT 2", "SELECT 3--1"]);
}

#[test]
fn double_dash_at_end_of_line_is_a_comment() {
    assert_eq!(texts("SELECT 1 --\n;SELECT 2"), ["SELECT 1", "SELECT 2"]);
}

#[test]
fn block_comments_do_not_nest() {
    // The first `*/` closes the comment; the `;` after it ends the statement.
    let s = texts("SELECT /* a /* b */ 1; SELECT 2 */");
    assert_eq!(s, ["SELECT /* a /* b */ 1", "SELECT 2 */"]);
}

#[test]
fn executable_comments_are_statements() {
    let script = "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n\
                  /*!40101 SET NAMES utf8mb4 */;\n\
                  /* just a comment */;\n\
                  /*M!100616 SET @OLD_NOTE_VERBOSITY=@@NOTE_VERBOSITY, NOTE_VERBOSITY=0 */;";
    assert_eq!(
        texts(script),
        [
            "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */",
            "/*!40101 SET NAMES utf8mb4 */",
            "/*M!100616 SET @OLD_NOTE_VERBOSITY=@@NOTE_VERBOSITY, NOTE_VERBOSITY=0 */",
        ]
    );
}

#[test]
fn delimiter_changes() {
    let script = "\
DROP PROCEDURE IF EXISTS p;
DELIMITER //
CREATE PROCEDURE p()
BEGIN
  SELECT 1;
  SELECT 2;
END//
DELIMITER ;
CALL p();
";
    let s = split(Dialect::Mysql, script).unwrap();
    let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "DROP PROCEDURE IF EXISTS p",
            "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND",
            "CALL p()",
        ]
    );
    assert_eq!(
        (s[1].start_line, s[1].start_column, s[1].end_line),
        (3, 1, 7)
    );
    assert_eq!((s[2].start_line, s[2].end_line), (9, 9));
}

#[test]
fn dollar_delimiter_cuts_words() {
    let script = "delimiter $$\nCREATE FUNCTION f() RETURNS INT DETERMINISTIC\nBEGIN\n  RETURN 1;\nEND$$\ndelimiter ;\nSELECT f();";
    let s = texts(script);
    assert_eq!(s.len(), 2);
    assert!(s[0].ends_with("RETURN 1;\nEND"));
    assert_eq!(s[1], "SELECT f()");
}

#[test]
fn mysqldump_double_semicolon_delimiter() {
    let script = "\
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN
  SET NEW.a = 1;
  SET NEW.b = 2;
END */;;
DELIMITER ;
/*!50003 SET sql_mode = @saved_sql_mode */ ;
";
    let s = texts(script);
    assert_eq!(s.len(), 2, "{s:#?}");
    assert!(s[0].starts_with("/*!50003 CREATE*/") && s[0].ends_with("END */"));
    assert_eq!(s[1], "/*!50003 SET sql_mode = @saved_sql_mode */");
}

#[test]
fn delimiter_keeps_semicolons_inside_until_changed_back() {
    let s =
        texts("DELIMITER //\nSELECT 1; SELECT 2//\nSELECT 3//\nDELIMITER ;\nSELECT 4; SELECT 5");
    assert_eq!(
        s,
        ["SELECT 1; SELECT 2", "SELECT 3", "SELECT 4", "SELECT 5"]
    );
}

#[test]
fn delimiter_line_comments_before_it_are_dropped() {
    let s = texts("-- switch\nDELIMITER $$ -- ignored rest\nSELECT 1$$");
    assert_eq!(s, ["SELECT 1"]);
}

#[test]
fn delimiter_word_inside_a_statement_is_just_a_word() {
    let s = texts("SELECT delimiter FROM t; SELECT 2");
    assert_eq!(s, ["SELECT delimiter FROM t", "SELECT 2"]);
}

#[test]
fn delimiter_without_argument_is_an_error() {
    let err = split(Dialect::Mysql, "SELECT 1;\nDELIMITER   \nSELECT 2").unwrap_err();
    assert_eq!(
        err,
        SplitError::MissingDelimiter {
            line: 2,
            column: 1,
            offset: 10
        }
    );
}

#[test]
fn trigger_body_without_delimiter_is_kept_whole() {
    // The mysql client would cut this at the first `;` and fail; counting
    // BEGIN/END keeps the body together.
    let script = "\
CREATE TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW
BEGIN
  IF NEW.a < 0 THEN
    SET NEW.a = 0;
  ELSEIF NEW.a > 10 THEN
    SET NEW.a = CASE WHEN NEW.b THEN 10 ELSE 9 END;
  END IF;
  lbl: LOOP
    LEAVE lbl;
  END LOOP lbl;
  CASE NEW.c WHEN 1 THEN SET NEW.d = 1; ELSE BEGIN END; END CASE;
  WHILE 0 DO SET @x = 1; END WHILE;
  REPEAT SET @x = 1; UNTIL 1 END REPEAT;
END;
INSERT INTO t VALUES (1);
";
    let s = texts(script);
    assert_eq!(s.len(), 2, "{s:#?}");
    assert!(s[0].ends_with("END REPEAT;\nEND"));
    assert_eq!(s[1], "INSERT INTO t VALUES (1)");
}

#[test]
fn procedure_with_definer_without_delimiter() {
    let script = "CREATE DEFINER=`root`@`%` PROCEDURE p(IN x INT)\nBEGIN\n  DECLARE y INT;\n  SELECT x;\nEND;\nCALL p(1);";
    assert_eq!(texts(script).len(), 2);
}

#[test]
fn mariadb_anonymous_block() {
    let s = texts("BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\nBEGIN;\nSELECT 3;\nCOMMIT;");
    assert_eq!(
        s,
        [
            "BEGIN NOT ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND",
            "BEGIN",
            "SELECT 3",
            "COMMIT"
        ]
    );
}

#[test]
fn create_table_with_begin_column_is_plain() {
    let s = texts(
        "CREATE TABLE t (`begin` int, event int); CREATE VIEW v AS SELECT begin FROM t; SELECT 1;",
    );
    assert_eq!(s.len(), 3);
}

#[test]
fn unterminated_constructs() {
    let cases = [
        ("SELECT 'abc\\'", "string", 8),
        ("SELECT \"abc", "double-quoted string", 8),
        ("SELECT `abc", "backtick-quoted identifier", 8),
        ("SELECT /* abc", "block comment", 8),
    ];
    for (text, what, column) in cases {
        let err = split(Dialect::Mysql, text).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("unterminated {what} starting at line 1, column {column}"),
            "{text}"
        );
    }
    let err = split(Dialect::Mysql, "DELIMITER //\nSELECT 1//\n\n  SELECT '").unwrap_err();
    assert!(matches!(
        err,
        SplitError::Unterminated {
            what: Unterminated::String,
            line: 4,
            column: 10,
            ..
        }
    ));
}

#[test]
fn quoted_delimiter_argument() {
    let s = texts("DELIMITER '$$'\nSELECT 1; SELECT 2$$\nDELIMITER ;\nSELECT 3;");
    assert_eq!(s, ["SELECT 1; SELECT 2", "SELECT 3"]);
}
