//! What a rule reports, and how a user sees it.
//!
//! A diagnostic is plain data with file positions already resolved, so the
//! CLI, the API and the plan-check UI all print the same thing: the text
//! form here is the one the snapshots pin down.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How serious a finding is. An `Error` blocks a rollout (and makes `sluice
/// lint` exit 1); a `Warning` is shown and lets it pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    Error,
    Warning,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "ERROR",
            Level::Warning => "WARNING",
        }
    }

    /// The lowercase word compilers print (`error`, `warning`).
    pub fn word(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding. Lines and columns are 1-based, columns counted in
/// characters as editors show them; the end is exclusive (the position just
/// after the last character of the reported text), as in LSP ranges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The rule's stable name, `category.rule` (`syntax` for parse errors).
    pub rule: String,
    /// The rule's stable numeric code; never reused for another meaning.
    pub code: u32,
    pub level: Level,
    /// The rule's one-line title.
    pub title: String,
    /// What is wrong here, naming the objects involved.
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// A concrete way to fix it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// The compiler-style text form: `file:line:col: level[rule] message`,
    /// then the help indented on its own line.
    pub fn to_text(&self, file: &str) -> String {
        let mut out = format!(
            "{file}:{}:{}: {}[{}] {}\n",
            self.line,
            self.column,
            self.level.word(),
            self.rule,
            self.message
        );
        if let Some(help) = &self.help {
            out.push_str("  help: ");
            out.push_str(help);
            out.push('\n');
        }
        out
    }
}

/// Renders diagnostics of one file in the text format, one after another.
pub fn render_text(file: &str, diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|d| d.to_text(file)).collect()
}
