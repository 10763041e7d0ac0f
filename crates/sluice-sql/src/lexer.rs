//! A byte-level SQL tokenizer that knows only what a splitter needs.
//!
//! It recognizes the constructs inside which a delimiter does not count
//! (strings, quoted identifiers, comments, dollar quotes), words (so the
//! splitter can follow `BEGIN … END` bodies and spot `DELIMITER`), the
//! current delimiter, and single punctuation bytes. Everything else about SQL
//! is deliberately ignored: the less the lexer assumes, the fewer valid
//! scripts it can misread.
//!
//! All the bytes it acts on are ASCII, so every token boundary is also a
//! UTF-8 character boundary and slicing the source `&str` at them is safe.

use crate::Dialect;
use crate::split::Unterminated;

/// What a token is, as far as splitting and classification care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A run of ASCII whitespace (and a leading byte-order mark).
    Whitespace,
    /// `-- …` or, in MySQL, `# …`, up to but not including the newline.
    LineComment,
    /// `/* … */`, nested in PostgreSQL.
    BlockComment,
    /// MySQL `/*! … */` or MariaDB `/*M! … */`: the server runs its content,
    /// so it is part of the statement, not a comment to drop.
    ExecutableComment,
    /// An unquoted identifier, keyword or number (also `$1` parameters).
    Word,
    /// A string literal in any of its forms.
    String,
    /// A quoted identifier: `"…"`, `` `…` `` or, in SQLite, `[…]`.
    QuotedIdent,
    /// A PostgreSQL dollar-quoted string, `$$…$$` or `$tag$…$tag$`.
    DollarQuoted,
    /// The current statement delimiter (`;` unless MySQL's `DELIMITER` changed it).
    Delimiter,
    /// Any other single byte: operators, parentheses, commas.
    Punct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

/// A construct that reached the end of the text, and where it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    pub what: Unterminated,
    pub offset: usize,
}

pub(crate) struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pub(crate) pos: usize,
    dialect: Dialect,
    backslash_escapes: bool,
    delimiter: Vec<u8>,
    /// Whether the delimiter starts with a byte that can continue a word
    /// (`$$`, `GO`): then words must stop where it begins, as `END$$` does
    /// in the mysql client.
    delimiter_in_words: bool,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(dialect: Dialect, backslash_escapes: bool, text: &'a str) -> Self {
        let mut lexer = Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            dialect,
            backslash_escapes,
            delimiter: Vec::new(),
            delimiter_in_words: false,
        };
        lexer.set_delimiter(b";");
        lexer
    }

    pub(crate) fn delimiter(&self) -> &[u8] {
        &self.delimiter
    }

    pub(crate) fn set_delimiter(&mut self, delimiter: &[u8]) {
        self.delimiter = delimiter.to_vec();
        self.delimiter_in_words = delimiter.first().is_some_and(|&b| is_word_byte(b));
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn at_delimiter(&self, i: usize) -> bool {
        !self.delimiter.is_empty() && self.bytes[i..].starts_with(&self.delimiter)
    }

    /// The next token, `Ok(None)` at the end of the text.
    pub(crate) fn next_token(&mut self) -> Result<Option<Token>, LexError> {
        let start = self.pos;
        let Some(b) = self.at(start) else {
            return Ok(None);
        };
        let (kind, end) = if self.at_delimiter(start) {
            (TokenKind::Delimiter, start + self.delimiter.len())
        } else {
            self.scan(start, b)?
        };
        debug_assert!(end > start);
        self.pos = end;
        Ok(Some(Token { kind, start, end }))
    }

    fn scan(&self, start: usize, b: u8) -> Result<(TokenKind, usize), LexError> {
        let next = self.at(start + 1);
        let dialect = self.dialect;
        Ok(match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                let mut i = start + 1;
                while matches!(self.at(i), Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)) {
                    i += 1;
                }
                (TokenKind::Whitespace, i)
            }
            0xEF if start == 0 && self.bytes.starts_with(b"\xEF\xBB\xBF") => {
                (TokenKind::Whitespace, 3)
            }
            b'-' if next == Some(b'-') && self.dash_comment_starts(start) => {
                (TokenKind::LineComment, self.line_end(start))
            }
            b'#' if dialect == Dialect::Mysql => (TokenKind::LineComment, self.line_end(start)),
            b'/' if next == Some(b'*') => self.block_comment(start)?,
            b'\'' => {
                let what = Unterminated::String;
                (
                    TokenKind::String,
                    self.quoted(start, b'\'', self.backslash_escapes, what)?,
                )
            }
            b'"' if dialect == Dialect::Mysql => {
                let what = Unterminated::DoubleQuoted;
                (
                    TokenKind::String,
                    self.quoted(start, b'"', self.backslash_escapes, what)?,
                )
            }
            b'"' => {
                let what = Unterminated::QuotedIdentifier;
                (
                    TokenKind::QuotedIdent,
                    self.quoted(start, b'"', false, what)?,
                )
            }
            b'`' if dialect != Dialect::Postgres => {
                let what = Unterminated::BacktickIdentifier;
                (
                    TokenKind::QuotedIdent,
                    self.quoted(start, b'`', false, what)?,
                )
            }
            b'[' if dialect == Dialect::Sqlite => {
                let end = match self.bytes[start + 1..].iter().position(|&c| c == b']') {
                    Some(n) => start + 1 + n + 1,
                    None => return Err(self.error(Unterminated::BracketIdentifier, start)),
                };
                (TokenKind::QuotedIdent, end)
            }
            b'$' if dialect == Dialect::Postgres => self.dollar(start)?,
            b'E' | b'e' if dialect == Dialect::Postgres && next == Some(b'\'') => {
                let what = Unterminated::EscapeString;
                (
                    TokenKind::String,
                    self.quoted_from(start, start + 1, b'\'', true, what)?,
                )
            }
            _ if is_word_byte(b) => (TokenKind::Word, self.word_end(start)),
            _ => (TokenKind::Punct, start + 1),
        })
    }

    fn error(&self, what: Unterminated, offset: usize) -> LexError {
        LexError { what, offset }
    }

    /// `--` starts a comment anywhere in PostgreSQL and SQLite; MySQL wants
    /// whitespace or a control character after it, so that `1--1` is `1 - -1`.
    fn dash_comment_starts(&self, start: usize) -> bool {
        self.dialect != Dialect::Mysql || self.at(start + 2).is_none_or(|c| c <= b' ')
    }

    fn line_end(&self, start: usize) -> usize {
        match self.bytes[start..].iter().position(|&c| c == b'\n') {
            Some(n) => start + n,
            None => self.bytes.len(),
        }
    }

    fn word_end(&self, start: usize) -> usize {
        let mut i = start + 1;
        while let Some(c) = self.at(i) {
            if !is_word_byte(c) || (self.delimiter_in_words && self.at_delimiter(i)) {
                break;
            }
            i += 1;
        }
        i
    }

    fn block_comment(&self, start: usize) -> Result<(TokenKind, usize), LexError> {
        let unterminated = || self.error(Unterminated::BlockComment, start);
        if self.dialect == Dialect::Postgres {
            // PostgreSQL nests block comments, as the SQL standard says.
            let mut depth = 1usize;
            let mut i = start + 2;
            while depth > 0 {
                match (self.at(i), self.at(i + 1)) {
                    (Some(b'/'), Some(b'*')) => {
                        depth += 1;
                        i += 2;
                    }
                    (Some(b'*'), Some(b'/')) => {
                        depth -= 1;
                        i += 2;
                    }
                    (Some(_), _) => i += 1,
                    (None, _) => return Err(unterminated()),
                }
            }
            return Ok((TokenKind::BlockComment, i));
        }
        let end = match self.text[start + 2..].find("*/") {
            Some(n) => start + 2 + n + 2,
            None => return Err(unterminated()),
        };
        let rest = &self.bytes[start + 2..];
        let executable =
            self.dialect == Dialect::Mysql && (rest.starts_with(b"!") || rest.starts_with(b"M!"));
        let kind = if executable {
            TokenKind::ExecutableComment
        } else {
            TokenKind::BlockComment
        };
        Ok((kind, end))
    }

    fn quoted(
        &self,
        start: usize,
        quote: u8,
        backslash: bool,
        what: Unterminated,
    ) -> Result<usize, LexError> {
        self.quoted_from(start, start, quote, backslash, what)
    }

    /// Scans a quoted run whose opening quote is at `open`; a doubled quote
    /// stands for itself, and so does a backslash-escaped one when
    /// `backslash` is set. Errors point at `start` (the `E` of `E'…'`).
    fn quoted_from(
        &self,
        start: usize,
        open: usize,
        quote: u8,
        backslash: bool,
        what: Unterminated,
    ) -> Result<usize, LexError> {
        let mut i = open + 1;
        loop {
            match self.at(i) {
                None => return Err(self.error(what, start)),
                Some(b'\\') if backslash => i += 2,
                Some(c) if c == quote => {
                    if self.at(i + 1) == Some(quote) {
                        i += 2;
                    } else {
                        return Ok(i + 1);
                    }
                }
                Some(_) => i += 1,
            }
        }
    }

    /// `$$…$$`, `$tag$…$tag$`, or a `$1` parameter (which is not a quote).
    fn dollar(&self, start: usize) -> Result<(TokenKind, usize), LexError> {
        let tag_end = match self.at(start + 1) {
            Some(b'$') => start + 1,
            Some(c) if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                let mut i = start + 2;
                while self
                    .at(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80)
                {
                    i += 1;
                }
                if self.at(i) != Some(b'$') {
                    // `$name` without a closing `$` is no quote; let the word follow.
                    return Ok((TokenKind::Punct, start + 1));
                }
                i
            }
            Some(c) if c.is_ascii_digit() => {
                let mut i = start + 2;
                while self.at(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
                return Ok((TokenKind::Word, i));
            }
            _ => return Ok((TokenKind::Punct, start + 1)),
        };
        let opener = &self.text[start..=tag_end];
        let body = tag_end + 1;
        match self.text[body..].find(opener) {
            Some(n) => Ok((TokenKind::DollarQuoted, body + n + opener.len())),
            None => Err(self.error(
                Unterminated::DollarQuote {
                    tag: opener.to_string(),
                },
                start,
            )),
        }
    }
}

/// Bytes that continue an unquoted word. `$` is allowed inside identifiers
/// by all three servers; bytes of multi-byte UTF-8 characters count as
/// letters, as every server treats them.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The significant tokens of `text` (no whitespace, no plain comments),
/// stopping silently at the first lexical error: classification works on
/// whatever prefix it can read.
pub(crate) fn significant(dialect: Dialect, text: &str) -> impl Iterator<Item = Token> + '_ {
    let mut lexer = Lexer::new(dialect, dialect == Dialect::Mysql, text);
    std::iter::from_fn(move || {
        loop {
            let token = lexer.next_token().ok()??;
            match token.kind {
                TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment => {}
                _ => return Some(token),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(dialect: Dialect, text: &str) -> Vec<(TokenKind, &str)> {
        let mut lexer = Lexer::new(dialect, dialect == Dialect::Mysql, text);
        let mut out = Vec::new();
        while let Some(t) = lexer.next_token().unwrap() {
            out.push((t.kind, &text[t.start..t.end]));
        }
        out
    }

    #[test]
    fn postgres_dollar_quotes_and_parameters() {
        use TokenKind::*;
        assert_eq!(
            kinds(Dialect::Postgres, "$1 $fn$ a;$$ $fn$ x$y"),
            vec![
                (Word, "$1"),
                (Whitespace, " "),
                (DollarQuoted, "$fn$ a;$$ $fn$"),
                (Whitespace, " "),
                (Word, "x$y"),
            ]
        );
    }

    #[test]
    fn postgres_escape_strings_and_nested_comments() {
        use TokenKind::*;
        assert_eq!(
            kinds(Dialect::Postgres, r"E'a\'b' 'c\' /* a /* b */ c */"),
            vec![
                (String, r"E'a\'b'"),
                (Whitespace, " "),
                (String, r"'c\'"),
                (Whitespace, " "),
                (BlockComment, "/* a /* b */ c */"),
            ]
        );
    }

    #[test]
    fn mysql_comments_need_a_space_after_dashes() {
        use TokenKind::*;
        assert_eq!(
            kinds(Dialect::Mysql, "1--1 -- c\n# h\n/*!40101 x */"),
            vec![
                (Word, "1"),
                (Punct, "-"),
                (Punct, "-"),
                (Word, "1"),
                (Whitespace, " "),
                (LineComment, "-- c"),
                (Whitespace, "\n"),
                (LineComment, "# h"),
                (Whitespace, "\n"),
                (ExecutableComment, "/*!40101 x */"),
            ]
        );
    }

    #[test]
    fn custom_delimiter_cuts_words() {
        let mut lexer = Lexer::new(Dialect::Mysql, true, "END$$");
        lexer.set_delimiter(b"$$");
        let a = lexer.next_token().unwrap().unwrap();
        let b = lexer.next_token().unwrap().unwrap();
        assert_eq!((a.kind, a.end), (TokenKind::Word, 3));
        assert_eq!((b.kind, b.end), (TokenKind::Delimiter, 5));
    }

    #[test]
    fn sqlite_brackets_and_backticks() {
        use TokenKind::*;
        assert_eq!(
            kinds(Dialect::Sqlite, "[a;b] `c;d`"),
            vec![
                (QuotedIdent, "[a;b]"),
                (Whitespace, " "),
                (QuotedIdent, "`c;d`")
            ]
        );
    }
}
