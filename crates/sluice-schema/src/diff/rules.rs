//! The narrow questions the generic diff asks a dialect, and the text
//! normalization their answers share.
//!
//! The model keeps types and expressions as each server spells them, so
//! the same schema can reach the diff spelled two ways (`int4` from one
//! source, `integer` from another; `'x'::text` from the catalog, `'x'` from
//! a hand-written model). Rather than rewriting the model, the diff asks
//! "are these the same?" at the few places spellings vary; everything else
//! is compared exactly.

use crate::dialect::Dialect;
use crate::model::TableOptions;

/// Questions about equivalent spellings, answered per dialect.
pub trait DialectRules: Sync {
    fn dialect(&self) -> Dialect;

    /// Do two column types name the same type (`int4` / `integer`)?
    fn same_type(&self, a: &str, b: &str) -> bool;

    /// Given types that differ, does changing `from` to `to` convert the
    /// stored values (`true`), or is it a compatible widening that keeps
    /// them as they are (`false`: `varchar(10)` → `varchar(20)`)?
    fn is_type_change(&self, from: &str, to: &str) -> bool;

    /// Do two column defaults mean the same value?
    fn same_default(&self, a: &str, b: &str) -> bool;

    /// Do two expressions (checks, index keys and predicates, generated
    /// columns, view and trigger texts) mean the same, ignoring layout,
    /// keyword case and redundant parentheses?
    fn same_expression(&self, a: &str, b: &str) -> bool {
        canonical(a) == canonical(b)
    }

    /// Does the engine bind views to the columns they read, so that a
    /// column's type change or drop needs the views over it rebuilt
    /// (PostgreSQL)? The diff then drops the views over such a column
    /// before altering it and creates them again after.
    fn views_bind_columns(&self) -> bool {
        false
    }

    /// Can the engine move a column (MySQL `AFTER`), so that a column out
    /// of its place is a change to make? Where it cannot, the order is
    /// left alone rather than reported as a table rebuild.
    fn column_order_matters(&self) -> bool {
        false
    }

    /// Do two tables' dialect options mean the same? Volatile values (the
    /// MySQL `AUTO_INCREMENT` counter) are no difference.
    fn same_table_options(&self, a: &TableOptions, b: &TableOptions) -> bool {
        a == b
    }
}

/// The rules of a dialect.
pub fn rules_for(dialect: Dialect) -> &'static dyn DialectRules {
    match dialect {
        Dialect::Postgres => &super::postgres::Postgres,
        Dialect::Mysql => &super::mysql::Mysql,
        Dialect::Sqlite => &super::sqlite::Sqlite,
    }
}

/// One lexical token of an SQL text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Tok {
    /// A bare word or number, lowercased (unquoted names fold case).
    Word(String),
    /// A quoted identifier, kept exactly.
    Quoted(String),
    /// A string literal, kept exactly (with its quotes).
    Str(String),
    /// Punctuation or an operator.
    Punct(String),
}

/// Splits a text into tokens, dropping whitespace and comments.
pub(crate) fn tokens(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i] == '\\' {
                    i += 2;
                    continue;
                }
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            out.push(Tok::Str(chars[start..i].iter().collect()));
        } else if c == '"' || c == '`' {
            let start = i + 1;
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += 1;
            }
            out.push(Tok::Quoted(
                chars[start..i.min(chars.len())].iter().collect(),
            ));
            i += 1;
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            // `1.5` stays one number.
            if c.is_ascii_digit()
                && chars.get(i) == Some(&'.')
                && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit())
            {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                    i += 1;
                }
            }
            let word: String = chars[start..i].iter().collect();
            out.push(Tok::Word(word.to_lowercase()));
        } else {
            // Multi-character operators stay one token.
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["::", "<=", ">=", "<>", "!=", "||", "->", "=>"].contains(&two.as_str()) {
                out.push(Tok::Punct(two));
                i += 2;
            } else {
                out.push(Tok::Punct(c.to_string()));
                i += 1;
            }
        }
    }
    out
}

/// Keywords after which a parenthesized single token is just grouped.
const GROUPING_KEYWORDS: [&str; 12] = [
    "and", "or", "not", "when", "then", "else", "select", "where", "return", "is", "case", "on",
];

/// Removes parentheses that change nothing: pairs around the whole text,
/// a pair directly inside another (`((x))`), and a pair around a single
/// token that is not a function call's argument list (`(x) + 1`). Works on
/// a token vector with an explicit stack, never recursion.
pub(crate) fn strip_redundant_parens(mut toks: Vec<Tok>) -> Vec<Tok> {
    loop {
        let n = toks.len();
        let mut matching = vec![usize::MAX; n];
        let mut stack = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            match t {
                Tok::Punct(p) if p == "(" => stack.push(i),
                Tok::Punct(p) if p == ")" => {
                    if let Some(open) = stack.pop() {
                        matching[open] = i;
                        matching[i] = open;
                    }
                }
                _ => {}
            }
        }
        let is_open = |i: usize| matches!(&toks[i], Tok::Punct(p) if p == "(");
        let mut remove = vec![false; n];
        let mut any = false;
        for i in 0..n {
            if !is_open(i) || matching[i] == usize::MAX {
                continue;
            }
            let j = matching[i];
            let whole = i == 0 && j == n - 1;
            let doubled = i > 0 && is_open(i - 1) && matching[i - 1] == j + 1;
            // A word before `(` is a function or `IN` list, except for the
            // keywords after which parentheses only group.
            let after_callee = i > 0
                && match &toks[i - 1] {
                    Tok::Word(w) => !GROUPING_KEYWORDS.contains(&w.as_str()),
                    Tok::Quoted(_) => true,
                    Tok::Punct(p) => p == ")",
                    Tok::Str(_) => false,
                };
            let single = j == i + 2 && !after_callee;
            if whole || doubled || single {
                remove[i] = true;
                remove[j] = true;
                any = true;
                break;
            }
        }
        if !any {
            return toks;
        }
        toks = toks
            .into_iter()
            .zip(remove)
            .filter(|(_, r)| !r)
            .map(|(t, _)| t)
            .collect();
    }
}

/// The canonical form of an expression or definition for comparison:
/// tokens without layout or comments, words lowercased, a trailing `;`
/// dropped, redundant parentheses removed.
pub(crate) fn canonical(text: &str) -> Vec<Tok> {
    let mut toks = tokens(text);
    while matches!(toks.last(), Some(Tok::Punct(p)) if p == ";") {
        toks.pop();
    }
    strip_redundant_parens(toks)
}

/// A default that is a quoted number (`'-1'`, as PostgreSQL prints a
/// negative default, or `'0'` from some MySQL versions) read as the number
/// it is, so it compares equal to the unquoted spelling.
pub(crate) fn unquote_number(toks: Vec<Tok>) -> Vec<Tok> {
    if let [Tok::Str(s)] = toks.as_slice() {
        let inner = s[1..s.len().saturating_sub(1)].trim();
        if !inner.is_empty() && inner.parse::<f64>().is_ok() {
            return match inner.strip_prefix('-') {
                Some(rest) => vec![Tok::Punct("-".into()), Tok::Word(rest.to_lowercase())],
                None => vec![Tok::Word(inner.to_lowercase())],
            };
        }
    }
    toks
}

/// Collapses whitespace and lowercases a type name, and removes spaces
/// around `(`, `)` and `,` so `numeric(10, 2)` reads as `numeric(10,2)`.
pub(crate) fn squeeze_type(t: &str) -> String {
    let lower = t.trim().to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut space = false;
    for c in lower.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() && !matches!(c, '(' | ')' | ',') && !out.ends_with(['(', ',']) {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// Splits `name(args) rest` into `("name", Some("args"), "rest")`.
pub(crate) fn split_type(t: &str) -> (String, Option<String>, String) {
    match (t.find('('), t.rfind(')')) {
        (Some(open), Some(close)) if close > open => (
            t[..open].trim().to_string(),
            Some(t[open + 1..close].to_string()),
            t[close + 1..].trim().to_string(),
        ),
        _ => (t.to_string(), None, String::new()),
    }
}

/// Parses a type's argument list as integers (`10,2` → `[10, 2]`).
pub(crate) fn int_args(args: &Option<String>) -> Option<Vec<u64>> {
    args.as_ref()
        .map(|a| a.split(',').map(|x| x.trim().parse().ok()).collect())
        .unwrap_or(Some(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redundant_parentheses_and_layout_do_not_matter() {
        assert_eq!(canonical("((price > 0))"), canonical("price>0"));
        assert_eq!(canonical("(a) + lower(b)"), canonical("a + LOWER( b )"));
        assert_ne!(canonical("(a + b) * c"), canonical("a + b * c"));
        assert_eq!(canonical("a > 0 AND (b)"), canonical("a > 0 AND b"));
        assert_ne!(canonical("a IN (1)"), canonical("a IN 1"));
        assert_eq!(squeeze_type(" Numeric(10, 2) "), "numeric(10,2)");
        assert_eq!(squeeze_type("int(10)  UNSIGNED"), "int(10) unsigned");
    }
}
