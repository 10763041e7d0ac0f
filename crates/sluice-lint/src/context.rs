//! What a rule sees besides the statement: where the statement is in the
//! file, the rule's config, and the schema as it stands just before the
//! statement runs.

use sluice_schema::{Dialect, Table};
use sqlparser::ast::{ObjectName, Spanned};
use sqlparser::tokenizer::Span;

use crate::diagnostic::{Diagnostic, Level};
use crate::rule::{Rule, RuleConfig};
use crate::schema::{TableState, Workspace};

/// Where a statement is in the file. Positions are 1-based; `end_column`
/// is exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source<'a> {
    pub text: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl<'a> Source<'a> {
    /// A statement's source from its text and where it starts.
    pub fn new(text: &'a str, line: usize, column: usize) -> Self {
        let (end_line, end_column) = advance(line, column, text);
        Source {
            text,
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// The file position of a position sqlparser reports relative to the
    /// statement text: the first line is offset by the statement's column,
    /// later lines only by its line.
    pub fn map(&self, line: u64, column: u64) -> (usize, usize) {
        let (line, column) = (line.max(1) as usize, column.max(1) as usize);
        if line == 1 {
            (self.line, self.column + column - 1)
        } else {
            (self.line + line - 1, column)
        }
    }
}

/// The position just after `text` when it starts at `line`:`column`.
pub(crate) fn advance(mut line: usize, mut column: usize, text: &str) -> (usize, usize) {
    for c in text.chars() {
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// Answers questions only the live database can: how many rows a
/// statement would touch, and whether the server accepts it. The server
/// implements it over its engine connection when one is at hand; without
/// one, rules that need it check nothing (as `statement.insert.row-limit`
/// does for rows it cannot count). Engine-agnostic: the statement is
/// handed over as the SQL text the user wrote.
pub trait RowEstimator: Send + Sync {
    /// The planner's estimate of the rows `statement` inserts, updates or
    /// deletes (`EXPLAIN` on PostgreSQL and MySQL), or `None` when the
    /// database cannot say.
    fn estimate_rows(&self, statement: &str) -> Option<u64>;

    /// Plans `statement` without running it (`EXPLAIN`): `Err` carries the
    /// server's message when it refuses the statement (a missing table or
    /// column, a type error, a permission).
    fn explain(&self, statement: &str) -> Result<(), String>;
}

/// Everything a rule's check may read.
pub struct Context<'a> {
    pub dialect: Dialect,
    pub rule: &'static Rule,
    pub level: Level,
    pub config: &'a RuleConfig,
    pub source: &'a Source<'a>,
    pub schema: &'a Workspace,
    /// How many statements the whole script has.
    pub statements: usize,
    /// The live database, when a connection is at hand.
    pub estimator: Option<&'a dyn RowEstimator>,
}

impl<'a> Context<'a> {
    /// A diagnostic of this rule at `span` (relative to the statement, as
    /// sqlparser gives it). An empty span, which sqlparser uses where it
    /// knows no position, falls back to the whole statement.
    pub fn report(&self, span: Span, message: impl Into<String>) -> Diagnostic {
        let (line, column, end_line, end_column) = if span.start.line == 0 {
            (
                self.source.line,
                self.source.column,
                self.source.end_line,
                self.source.end_column,
            )
        } else {
            let (l, c) = self.source.map(span.start.line, span.start.column);
            let (el, ec) = if span.end.line == 0 {
                (l, c + 1)
            } else {
                self.source.map(span.end.line, span.end.column)
            };
            (l, c, el, ec)
        };
        Diagnostic {
            rule: self.rule.name.to_string(),
            code: self.rule.code,
            level: self.level,
            title: self.rule.title.to_string(),
            message: message.into(),
            line,
            column,
            end_line,
            end_column,
            help: None,
        }
    }

    /// A diagnostic covering the whole statement.
    pub fn report_statement(&self, message: impl Into<String>) -> Diagnostic {
        self.report(Span::empty(), message)
    }

    /// A diagnostic at an object name.
    pub fn report_at_name(&self, name: &ObjectName, message: impl Into<String>) -> Diagnostic {
        self.report(name.span(), message)
    }

    /// The table `name` as it is just before this statement, if known.
    pub fn table(&self, name: &ObjectName) -> Option<&Table> {
        self.schema.table(name)
    }

    /// Whether `name` was created earlier in the same script, came from the
    /// given schema, or is unknown.
    pub fn table_state(&self, name: &ObjectName) -> TableState {
        self.schema.table_state(name)
    }
}

impl Diagnostic {
    /// Adds the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
