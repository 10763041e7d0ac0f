//! Cutting a script into statements the way each database's client does.
//!
//! The rules follow the clients people test their scripts with, so that a
//! script behaves the same in Sluice as in psql, the mysql client or the
//! sqlite3 shell, and improve on them only where the client would send a
//! broken statement anyway:
//!
//! - **PostgreSQL** (psql): a `;` ends a statement only outside parentheses
//!   (a `CREATE RULE … DO (…; …)` keeps its actions) and outside a
//!   `BEGIN … END` of a `CREATE FUNCTION`/`PROCEDURE` (SQL-standard
//!   `BEGIN ATOMIC` bodies, with `CASE … END` counted inside them). This is
//!   psql's own heuristic.
//! - **MySQL/MariaDB** (mysql client): `DELIMITER xx` lines change the
//!   delimiter and are not statements. With the default `;`, the body of a
//!   `CREATE PROCEDURE`/`FUNCTION`/`TRIGGER`/`EVENT` (and a MariaDB
//!   `BEGIN NOT ATOMIC` block) is also kept whole by counting `BEGIN`/`CASE`
//!   against `END` (`END IF`, `END LOOP`, `END WHILE`, `END REPEAT` close
//!   blocks that were not counted); the client would cut such a body at its
//!   first `;` and fail. With a custom delimiter only the delimiter counts,
//!   exactly as in the client.
//! - **SQLite** (sqlite3 shell): `CREATE TRIGGER … BEGIN …; …; END` is one
//!   statement; `CASE … END` inside the body is counted, which the shell's
//!   `sqlite3_complete` does not do.
//!
//! Not supported: psql backslash commands (`\i`, `\connect`), the mysql
//! client's `\g`/`\G` terminators and `\d` delimiter command, and the sqlite3
//! shell's dot commands. They are client features, not SQL, and have no place
//! in a change script that Sluice runs over a driver.

use std::ops::Range;

use serde::Serialize;

use crate::Dialect;
use crate::lexer::{LexError, Lexer, Token, TokenKind};

/// One statement of a script, as it will be sent to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The statement without its delimiter, from its first token to its last;
    /// comments before and after it are not part of it, comments inside are.
    pub text: String,
    /// Where `text` is in the script, in bytes.
    pub range: Range<usize>,
    /// The 1-based line of the first character of `text`.
    pub start_line: usize,
    /// The 1-based column of the first character of `text`, counted in
    /// characters (not bytes), as editors show it.
    pub start_column: usize,
    /// The 1-based line of the last character of `text`.
    pub end_line: usize,
}

/// Lexical settings that a server can change at run time and a script cannot
/// show. The defaults are the servers' defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitOptions {
    pub dialect: Dialect,
    /// Whether a backslash escapes the next character in ordinary strings:
    /// on for MySQL (off under its `NO_BACKSLASH_ESCAPES` mode), off for
    /// PostgreSQL (on under `standard_conforming_strings = off`) and SQLite.
    /// PostgreSQL `E'…'` strings always use backslash escapes.
    pub backslash_escapes: bool,
}

impl SplitOptions {
    /// The server defaults for `dialect`.
    pub fn new(dialect: Dialect) -> Self {
        SplitOptions {
            dialect,
            backslash_escapes: dialect == Dialect::Mysql,
        }
    }
}

/// What was left open at the end of the script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Unterminated {
    /// `'…'`.
    String,
    /// PostgreSQL `E'…'`.
    EscapeString,
    /// MySQL `"…"`, a string unless `ANSI_QUOTES` is set.
    DoubleQuoted,
    /// `"…"` in PostgreSQL and SQLite.
    QuotedIdentifier,
    /// `` `…` ``.
    BacktickIdentifier,
    /// SQLite `[…]`.
    BracketIdentifier,
    /// `/* … */`.
    BlockComment,
    /// PostgreSQL `$tag$ … $tag$`; `tag` is the opening quote, e.g. `$fn$` or `$$`.
    DollarQuote { tag: String },
}

impl std::fmt::Display for Unterminated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unterminated::String => f.write_str("string"),
            Unterminated::EscapeString => f.write_str("escape string E'…'"),
            Unterminated::DoubleQuoted => f.write_str("double-quoted string"),
            Unterminated::QuotedIdentifier => f.write_str("quoted identifier"),
            Unterminated::BacktickIdentifier => f.write_str("backtick-quoted identifier"),
            Unterminated::BracketIdentifier => f.write_str("bracket-quoted identifier"),
            Unterminated::BlockComment => f.write_str("block comment"),
            Unterminated::DollarQuote { tag } => write!(f, "dollar-quoted string {tag}"),
        }
    }
}

/// Why a script could not be split. Positions are 1-based, columns in
/// characters; `offset` is the byte offset in the script.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum SplitError {
    #[error("unterminated {what} starting at line {line}, column {column}")]
    Unterminated {
        what: Unterminated,
        line: usize,
        column: usize,
        offset: usize,
    },
    #[error("DELIMITER without a delimiter at line {line}, column {column}")]
    MissingDelimiter {
        line: usize,
        column: usize,
        offset: usize,
    },
}

/// Splits `text` into statements with the server defaults of `dialect`.
pub fn split(dialect: Dialect, text: &str) -> Result<Vec<Statement>, SplitError> {
    split_with(&SplitOptions::new(dialect), text)
}

/// Splits `text` into statements under `options`.
///
/// Empty statements (`;;`) and parts holding only comments are dropped. The
/// last statement needs no delimiter.
pub fn split_with(options: &SplitOptions, text: &str) -> Result<Vec<Statement>, SplitError> {
    let dialect = options.dialect;
    let mut lexer = Lexer::new(dialect, options.backslash_escapes, text);
    let mut lines = LineCursor::new(text);
    let mut out = Vec::new();
    let mut current = Pending::default();
    loop {
        let token = match lexer.next_token() {
            Ok(Some(token)) => token,
            Ok(None) => break,
            Err(LexError { what, offset }) => {
                let (line, column) = LineCursor::new(text).advance_to(offset);
                return Err(SplitError::Unterminated {
                    what,
                    line,
                    column,
                    offset,
                });
            }
        };
        match token.kind {
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment => continue,
            TokenKind::Delimiter => {
                // Block counting only applies while the delimiter is `;`:
                // with a custom MySQL delimiter, the delimiter alone decides.
                let counting = lexer.delimiter() == b";";
                current.close_pending_end();
                if !counting || current.may_end(dialect) {
                    current.finish(text, &mut lines, &mut out);
                    current = Pending::default();
                    continue;
                }
            }
            _ => {}
        }
        if current.start.is_none() {
            if dialect == Dialect::Mysql
                && token.kind == TokenKind::Word
                && text[token.start..token.end].eq_ignore_ascii_case("delimiter")
            {
                delimiter_command(&mut lexer, text, token.end)?;
                continue;
            }
            current.start = Some(token.start);
        }
        current.end = token.end;
        current.observe(dialect, &token, text);
    }
    current.finish(text, &mut lines, &mut out);
    Ok(out)
}

/// Handles the mysql client's `DELIMITER xx`: the argument runs to the next
/// whitespace (or is quoted), the rest of the line is ignored, and the line
/// is no statement.
fn delimiter_command(lexer: &mut Lexer<'_>, text: &str, word_end: usize) -> Result<(), SplitError> {
    let bytes = text.as_bytes();
    let mut i = word_end;
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    let arg_start = i;
    let arg = match bytes.get(i) {
        Some(&q @ (b'\'' | b'"' | b'`')) => {
            let close = bytes[i + 1..].iter().position(|&c| c == q || c == b'\n');
            match close {
                Some(n) if bytes[i + 1 + n] == q && n > 0 => {
                    i += n + 2;
                    &bytes[arg_start + 1..i - 1]
                }
                _ => return Err(missing_delimiter(text, word_end)),
            }
        }
        Some(c) if !c.is_ascii_whitespace() => {
            while bytes.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
                i += 1;
            }
            &bytes[arg_start..i]
        }
        _ => return Err(missing_delimiter(text, word_end)),
    };
    lexer.set_delimiter(arg);
    lexer.pos = match bytes[i..].iter().position(|&c| c == b'\n') {
        Some(n) => i + n + 1,
        None => bytes.len(),
    };
    Ok(())
}

fn missing_delimiter(text: &str, word_end: usize) -> SplitError {
    let offset = word_end - "delimiter".len();
    let (line, column) = LineCursor::new(text).advance_to(offset);
    SplitError::MissingDelimiter {
        line,
        column,
        offset,
    }
}

/// What the statement's first words say about its body.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Head {
    /// Not decided yet (no words, or `CREATE` and modifiers so far).
    #[default]
    Unknown,
    /// MySQL `BEGIN` as the first word: a transaction, or MariaDB's
    /// `BEGIN NOT ATOMIC` compound statement.
    MaybeCompound,
    /// A statement whose body may hold `BEGIN … END` blocks.
    Body,
    /// Anything else: only the delimiter (and PostgreSQL parentheses) count.
    Plain,
}

/// The statement being read.
#[derive(Debug, Default)]
struct Pending {
    start: Option<usize>,
    end: usize,
    words: usize,
    head: Head,
    /// Open `BEGIN`/`CASE` blocks in a body.
    depth: usize,
    /// An `END` was read; whether it closes a counted block depends on the
    /// next word (`END IF` does not).
    pending_end: bool,
    /// Open parentheses (PostgreSQL only, as in psql).
    parens: usize,
}

impl Pending {
    fn may_end(&self, dialect: Dialect) -> bool {
        self.depth == 0 && (dialect != Dialect::Postgres || self.parens == 0)
    }

    fn close_pending_end(&mut self) {
        if std::mem::take(&mut self.pending_end) {
            self.depth = self.depth.saturating_sub(1);
        }
    }

    fn observe(&mut self, dialect: Dialect, token: &Token, text: &str) {
        let word = (token.kind == TokenKind::Word).then(|| &text[token.start..token.end]);
        if std::mem::take(&mut self.pending_end) {
            let is = |k: &str| word.is_some_and(|w| w.eq_ignore_ascii_case(k));
            if ["IF", "LOOP", "WHILE", "REPEAT"].into_iter().any(is) {
                // MySQL `END IF` and friends close blocks that were never counted.
                self.words += 1;
                return;
            }
            self.depth = self.depth.saturating_sub(1);
            if is("CASE") {
                // `END CASE` closes the CASE statement just counted.
                self.words += 1;
                return;
            }
        }
        match (token.kind, word) {
            (TokenKind::Word, Some(w)) => {
                self.observe_word(dialect, w);
                self.words += 1;
            }
            (TokenKind::Punct, _) => match text.as_bytes()[token.start] {
                b'(' => {
                    self.parens += 1;
                    if self.head == Head::Unknown {
                        self.head = Head::Plain;
                    }
                }
                b')' => self.parens = self.parens.saturating_sub(1),
                _ => {}
            },
            _ => {}
        }
    }

    fn observe_word(&mut self, dialect: Dialect, w: &str) {
        let is = |k: &str| w.eq_ignore_ascii_case(k);
        match self.head {
            Head::Unknown if self.words == 0 => {
                if is("CREATE") {
                } else if dialect == Dialect::Mysql && is("BEGIN") {
                    self.head = Head::MaybeCompound;
                } else {
                    self.head = Head::Plain;
                }
            }
            Head::Unknown => {
                if let Some(body) = object_kind(dialect, w) {
                    self.head = if body { Head::Body } else { Head::Plain };
                } else if is("AS") || self.words > 12 {
                    self.head = Head::Plain;
                }
            }
            Head::MaybeCompound => {
                if is("NOT") {
                    self.head = Head::Body;
                    self.depth = 1;
                } else {
                    self.head = Head::Plain;
                }
            }
            Head::Body => {
                if is("BEGIN") {
                    self.depth += 1;
                } else if is("CASE") {
                    // CASE also ends with END; it only matters inside a block.
                    if self.depth > 0 {
                        self.depth += 1;
                    }
                } else if is("END") && self.depth > 0 {
                    self.pending_end = true;
                }
            }
            Head::Plain => {}
        }
    }

    fn finish(&self, text: &str, lines: &mut LineCursor<'_>, out: &mut Vec<Statement>) {
        let Some(start) = self.start else { return };
        let (start_line, start_column) = lines.advance_to(start);
        let (end_line, _) = lines.advance_to(self.end);
        out.push(Statement {
            text: text[start..self.end].to_string(),
            range: start..self.end,
            start_line,
            start_column,
            end_line,
        });
    }
}

/// For a word that names what a `CREATE` statement creates: `Some(true)`
/// when that object has a body with `BEGIN … END` blocks in `dialect`,
/// `Some(false)` for any other object kind, `None` for other words
/// (`OR REPLACE`, `TEMP`, `DEFINER = …`), which leave the question open.
fn object_kind(dialect: Dialect, w: &str) -> Option<bool> {
    const BODY: [(&str, [bool; 3]); 4] = [
        // (kind, [postgres, mysql, sqlite])
        ("FUNCTION", [true, true, false]),
        ("PROCEDURE", [true, true, false]),
        ("TRIGGER", [false, true, true]),
        ("EVENT", [false, true, false]),
    ];
    const OTHER: [&str; 24] = [
        "TABLE",
        "VIEW",
        "INDEX",
        "UNIQUE",
        "FULLTEXT",
        "SPATIAL",
        "DATABASE",
        "SCHEMA",
        "SEQUENCE",
        "TYPE",
        "DOMAIN",
        "EXTENSION",
        "MATERIALIZED",
        "RULE",
        "POLICY",
        "ROLE",
        "USER",
        "SERVER",
        "TABLESPACE",
        "STATISTICS",
        "PUBLICATION",
        "SUBSCRIPTION",
        "AGGREGATE",
        "VIRTUAL",
    ];
    let column = match dialect {
        Dialect::Postgres => 0,
        Dialect::Mysql => 1,
        Dialect::Sqlite => 2,
    };
    if let Some((_, body)) = BODY.iter().find(|(k, _)| w.eq_ignore_ascii_case(k)) {
        return Some(body[column]);
    }
    if dialect == Dialect::Mysql && w.eq_ignore_ascii_case("AGGREGATE") {
        // MariaDB `CREATE AGGREGATE FUNCTION`: the next word decides.
        return None;
    }
    OTHER
        .iter()
        .any(|k| w.eq_ignore_ascii_case(k))
        .then_some(false)
}

/// Turns byte offsets into lines and columns in one forward pass over the
/// script, so that positions for 100k statements cost one scan, not 100k.
struct LineCursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
    column: usize,
}

impl<'a> LineCursor<'a> {
    fn new(text: &'a str) -> Self {
        LineCursor {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
            column: 1,
        }
    }

    /// The line and column of `offset`, which must not be behind the last one asked.
    fn advance_to(&mut self, offset: usize) -> (usize, usize) {
        debug_assert!(offset >= self.pos);
        for &b in &self.bytes[self.pos..offset] {
            if b == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
        self.pos = offset;
        (self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(dialect: Dialect, text: &str) -> Vec<String> {
        split(dialect, text)
            .unwrap()
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn drops_empty_statements_and_comment_tails() {
        for d in Dialect::ALL {
            assert_eq!(
                texts(d, ";; SELECT 1 ;;\n;  -- done\n/* end */"),
                ["SELECT 1"]
            );
            assert!(texts(d, "").is_empty());
            assert!(texts(d, " \n-- only a comment\n").is_empty());
        }
    }

    #[test]
    fn keeps_inner_comments_and_drops_outer_ones() {
        let s = texts(Dialect::Postgres, "-- lead\nSELECT /* in */ 1 -- tail\n;");
        assert_eq!(s, ["SELECT /* in */ 1"]);
    }

    #[test]
    fn end_line_of_last_character() {
        let s = split(Dialect::Sqlite, "\n  SELECT\n  1;\nSELECT 2").unwrap();
        assert_eq!(
            (s[0].start_line, s[0].start_column, s[0].end_line),
            (2, 3, 3)
        );
        assert_eq!(
            (s[1].start_line, s[1].start_column, s[1].end_line),
            (4, 1, 4)
        );
    }

    #[test]
    fn columns_count_characters() {
        let s = split(Dialect::Postgres, "SELECT 'é';  SELECT 2").unwrap();
        // `é` is one column but two bytes.
        assert_eq!(s[1].start_column, 14);
        assert_eq!(s[1].range, 14..22);
    }

    #[test]
    fn object_kinds_decide_bodies() {
        assert_eq!(object_kind(Dialect::Postgres, "function"), Some(true));
        assert_eq!(object_kind(Dialect::Postgres, "trigger"), Some(false));
        assert_eq!(object_kind(Dialect::Sqlite, "TRIGGER"), Some(true));
        assert_eq!(object_kind(Dialect::Mysql, "aggregate"), None);
        assert_eq!(object_kind(Dialect::Mysql, "definer"), None);
        assert_eq!(object_kind(Dialect::Mysql, "table"), Some(false));
    }
}
