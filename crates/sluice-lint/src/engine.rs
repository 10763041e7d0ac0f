//! Running a policy's rules over a script.
//!
//! The script is split with `sluice-sql` first and each statement is parsed
//! on its own with sqlparser. Splitting first buys three things sqlparser
//! alone does not give: positions that are exact in the file (sqlparser's
//! are relative to the text it was handed, and partial for whole
//! statements), recovery after a statement that does not parse (one
//! syntax diagnostic, then the next statement is checked), and the client
//! rules (`DELIMITER`, dollar quotes, procedure bodies) that only the
//! splitter knows.

use sluice_schema::{Catalog, Dialect};
use sluice_sql::SplitError;
use sqlparser::dialect::{
    Dialect as ParserDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use crate::context::{Context, RowEstimator, Source};
use crate::diagnostic::{Diagnostic, Level};
use crate::policy::Policy;
use crate::registry;
use crate::rule::{Rule, RuleConfig};
use crate::schema::Workspace;

/// A policy bound to a dialect, ready to check scripts. Build it once and
/// reuse it for many files.
pub struct Linter {
    dialect: Dialect,
    rules: Vec<(&'static Rule, Level, RuleConfig)>,
    /// The level of syntax errors, `None` when the policy disables them.
    syntax: Option<Level>,
}

impl Linter {
    pub fn new(dialect: Dialect, policy: &Policy) -> Self {
        let mut rules = Vec::new();
        let mut syntax = None;
        for (rule, level, config) in policy.enabled() {
            if rule.code == registry::SYNTAX.code {
                syntax = Some(level);
            } else if rule.applies_to(dialect) {
                rules.push((rule, level, config.clone()));
            }
        }
        Linter {
            dialect,
            rules,
            syntax,
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Checks `text` against the rules, starting from `catalog` (the
    /// database's current schema) when it is known. Diagnostics come in
    /// file order.
    pub fn lint(&self, text: &str, catalog: Option<&Catalog>) -> Vec<Diagnostic> {
        self.lint_with(text, catalog, None)
    }

    /// Same as [`Linter::lint`], with a live database to ask for row
    /// estimates and dry runs (`statement.affected-row-limit`,
    /// `statement.dml-dry-run`, …). Without one those rules check nothing.
    pub fn lint_with(
        &self,
        text: &str,
        catalog: Option<&Catalog>,
        estimator: Option<&dyn RowEstimator>,
    ) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let (statements, split_error) = match sluice_sql::split(self.dialect, text) {
            Ok(statements) => (statements, None),
            Err(err) => {
                let offset = match &err {
                    SplitError::Unterminated { offset, .. }
                    | SplitError::MissingDelimiter { offset, .. } => *offset,
                };
                // Everything before the broken token still splits; the
                // statement the token belongs to is reported by the split
                // error instead of a confusing parse error on its head.
                let mut head = sluice_sql::split(self.dialect, &text[..offset]).unwrap_or_default();
                if let Some(last) = head.last()
                    && text[last.range.end..offset].trim().is_empty()
                {
                    head.pop();
                }
                (head, Some(err))
            }
        };
        let mut workspace = Workspace::new(self.dialect, catalog);
        let parser_dialect: &dyn ParserDialect = match self.dialect {
            Dialect::Postgres => &PostgreSqlDialect {},
            Dialect::Mysql => &MySqlDialect {},
            Dialect::Sqlite => &SQLiteDialect {},
        };
        for statement in &statements {
            let source = Source::new(
                &statement.text,
                statement.start_line,
                statement.start_column,
            );
            // sqlparser does not know DROP INDEX CONCURRENTLY: the keyword
            // is blanked (same length, so positions hold) and the rules
            // read it back from the source text.
            let blanked;
            let parse_text = match (self.dialect, drop_index_concurrently(&statement.text)) {
                (Dialect::Postgres, Some(range)) => {
                    let mut t = statement.text.clone();
                    t.replace_range(range.clone(), &" ".repeat(range.len()));
                    blanked = t;
                    &blanked
                }
                _ => &statement.text,
            };
            let parsed = parse(parser_dialect, parse_text);
            let parsed = match parsed {
                Ok(parsed) => parsed,
                Err(err) => {
                    if let Some(level) = self.syntax {
                        out.push(syntax_diagnostic(&source, &err, level));
                    }
                    continue;
                }
            };
            for ast in &parsed {
                for (rule, level, config) in &self.rules {
                    let ctx = Context {
                        dialect: self.dialect,
                        rule,
                        level: *level,
                        config,
                        source: &source,
                        schema: &workspace,
                        statements: statements.len(),
                        estimator,
                    };
                    out.extend((rule.check)(&ctx, ast));
                }
                workspace.apply(ast);
            }
        }
        if let (Some(err), Some(level)) = (split_error, self.syntax) {
            out.push(split_diagnostic(&err, level));
        }
        out.sort_by_key(|d| (d.line, d.column));
        out
    }
}

/// Checks one script; see [`Linter::lint`].
pub fn lint(
    dialect: Dialect,
    text: &str,
    policy: &Policy,
    catalog: Option<&Catalog>,
) -> Vec<Diagnostic> {
    Linter::new(dialect, policy).lint(text, catalog)
}

/// The most tokens one expression may chain, counted along the deepest
/// path through parentheses (see [`chain_length`]).
const MAX_CHAIN: usize = 10_000;

/// Parses one statement's text. sqlparser limits nesting (parentheses,
/// subqueries) but builds chains of operators (`a = 1 AND a = 1 AND …`,
/// `1 + 1 + …`) into trees as deep as the chain is long, and everything
/// that walks, prints or drops such a tree recurses: a generated WHERE of
/// 100,000 terms overflowed the stack. A statement whose chains are longer
/// than [`MAX_CHAIN`] tokens is reported as nested too deeply instead,
/// which bounds the depth of every tree the rules see.
fn parse(
    dialect: &dyn ParserDialect,
    text: &str,
) -> Result<Vec<sqlparser::ast::Statement>, ParserError> {
    let tokens = Tokenizer::new(dialect, text).tokenize_with_location()?;
    if chain_length(&tokens) > MAX_CHAIN {
        return Err(ParserError::RecursionLimitExceeded);
    }
    Parser::new(dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
}

/// An upper bound on the depth of the expression trees `tokens` can
/// parse into: the longest run of tokens not broken by a comma or a
/// semicolon, where a run inside parentheses continues the run around
/// them (a chain can nest chains).
fn chain_length(tokens: &[TokenWithSpan]) -> usize {
    // Per open group: the run length where it opened, the run now, and
    // the longest run of any of its items (what the group adds to the run
    // around it once it closes).
    let mut stack: Vec<(usize, usize, usize)> = vec![(0, 0, 0)];
    let mut longest = 0;
    for t in tokens {
        let top = stack.len() - 1;
        match t.token {
            Token::Whitespace(_) => continue,
            Token::Comma | Token::SemiColon => stack[top].1 = stack[top].0,
            Token::LParen | Token::LBracket | Token::LBrace => {
                let now = stack[top].1 + 1;
                stack.push((now, now, now));
            }
            Token::RParen | Token::RBracket | Token::RBrace if stack.len() > 1 => {
                let (_, _, group) = stack.pop().expect("more than one");
                stack[top - 1].1 = group;
            }
            _ => stack[top].1 += 1,
        }
        let top = stack.len() - 1;
        stack[top].2 = stack[top].2.max(stack[top].1);
        longest = longest.max(stack[top].1);
    }
    longest
}

/// Where the CONCURRENTLY of `DROP INDEX CONCURRENTLY` is in `text`
/// (after leading whitespace and comments), if the statement is one.
pub(crate) fn drop_index_concurrently(text: &str) -> Option<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut words = Vec::with_capacity(3);
    while words.len() < 3 && i < bytes.len() {
        match bytes[i] {
            b if b.is_ascii_whitespace() => i += 1,
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map(|n| i + 2 + n + 2)?;
            }
            b if b.is_ascii_alphabetic() => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                words.push(start..i);
            }
            _ => return None,
        }
    }
    let is = |r: &std::ops::Range<usize>, w: &str| text[r.clone()].eq_ignore_ascii_case(w);
    match words.as_slice() {
        [a, b, c] if is(a, "DROP") && is(b, "INDEX") && is(c, "CONCURRENTLY") => Some(c.clone()),
        _ => None,
    }
}

fn base(level: Level, message: String, line: usize, column: usize) -> Diagnostic {
    Diagnostic {
        rule: registry::SYNTAX.name.to_string(),
        code: registry::SYNTAX.code,
        level,
        title: registry::SYNTAX.title.to_string(),
        message,
        line,
        column,
        end_line: line,
        end_column: column + 1,
        help: None,
    }
}

/// The one diagnostic for a statement that does not parse. sqlparser puts
/// the position only in the message text (" at Line: X, Column: Y"), so it
/// is read back out of it; without one, the statement's start is used.
fn syntax_diagnostic(source: &Source<'_>, err: &ParserError, level: Level) -> Diagnostic {
    let text = match err {
        ParserError::TokenizerError(s) | ParserError::ParserError(s) => s.clone(),
        ParserError::RecursionLimitExceeded => "the statement is nested too deeply to check".into(),
    };
    let (message, position) = split_position(&text);
    let (line, column) = match position {
        Some((l, c)) => source.map(l, c),
        None => (source.line, source.column),
    };
    let message = if message.is_empty() {
        "the statement does not parse".to_string()
    } else {
        format!("the statement does not parse: {message}")
    };
    base(level, message, line, column).help(
        "fix the syntax, or if the server accepts it, set the `syntax` rule to WARNING in the policy: \
         the statement is skipped by every other rule",
    )
}

/// Splits "… at Line: X, Column: Y" into the message and the position.
pub(crate) fn split_position(text: &str) -> (&str, Option<(u64, u64)>) {
    let Some(at) = text.rfind(" at Line: ") else {
        return (text.trim(), None);
    };
    let rest = &text[at + " at Line: ".len()..];
    let mut parts = rest.splitn(2, ", Column: ");
    let line = parts.next().and_then(|l| l.trim().parse().ok());
    let column = parts
        .next()
        .map(|c| {
            c.trim_end()
                .trim_end_matches(|ch: char| !ch.is_ascii_digit())
        })
        .and_then(|c| c.parse().ok());
    match (line, column) {
        (Some(l), Some(c)) => (text[..at].trim(), Some((l, c))),
        _ => (text.trim(), None),
    }
}

fn split_diagnostic(err: &SplitError, level: Level) -> Diagnostic {
    let (message, line, column) = match err {
        SplitError::Unterminated {
            what, line, column, ..
        } => (
            format!("unterminated {what}: the script ends before it is closed"),
            *line,
            *column,
        ),
        SplitError::MissingDelimiter { line, column, .. } => {
            ("DELIMITER without a delimiter".to_string(), *line, *column)
        }
    };
    base(level, message, line, column).help("close it; nothing after this point was checked")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(sql: &str) -> usize {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap();
        chain_length(&tokens)
    }

    #[test]
    fn chains_are_measured_through_parentheses_and_reset_by_commas() {
        assert_eq!(chain("SELECT 1"), 2);
        assert_eq!(chain("SELECT a, b, c FROM t"), 3);
        assert_eq!(chain("SELECT 1 + 1 + 1"), 6);
        // A chain in parentheses adds to the chain around it.
        assert_eq!(chain("SELECT (1 + (1 + 1)) + 1"), 10);
        assert_eq!(chain("SELECT (1, 1, 1) + 1"), 5);
        assert_eq!(chain("INSERT INTO t VALUES (1, 2), (3, 4)"), 6);
        assert_eq!(chain("SELECT ((((1"), 6);
    }

    #[test]
    fn a_chain_too_long_to_walk_is_reported_once() {
        let sql = format!(
            "DELETE FROM t WHERE a = 1{};",
            " AND a = 1".repeat(MAX_CHAIN)
        );
        let found = lint(Dialect::Postgres, &sql, &Policy::all_rules(), None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, "syntax");
        assert!(
            found[0].message.contains("nested too deeply"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn drop_index_concurrently_is_found_after_comments() {
        let text = "-- why\n/* c */ drop  INDEX\nConcurrently ix";
        let r = drop_index_concurrently(text).unwrap();
        assert_eq!(&text[r], "Concurrently");
        assert_eq!(drop_index_concurrently("DROP INDEX ix"), None);
        assert_eq!(drop_index_concurrently("DROP INDEX"), None);
        assert_eq!(drop_index_concurrently("/* open"), None);
        assert_eq!(drop_index_concurrently("é DROP INDEX CONCURRENTLY"), None);
    }

    #[test]
    fn positions_come_out_of_parser_messages() {
        assert_eq!(
            split_position("Expected: an expression, found: & at Line: 1, Column: 28"),
            ("Expected: an expression, found: &", Some((1, 28)))
        );
        assert_eq!(split_position("recursion"), ("recursion", None));
        assert_eq!(
            split_position("x at Line: 2, Column: y"),
            ("x at Line: 2, Column: y", None)
        );
    }
}
