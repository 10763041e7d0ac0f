//! What the pragmas do not tell, read from the `CREATE` texts SQLite keeps
//! verbatim in `sqlite_schema`: check constraints, generated-column
//! expressions, column collations, `AUTOINCREMENT`, constraint names,
//! `DEFERRABLE`, `WITHOUT ROWID` and `STRICT`, index expressions and
//! predicates, view queries and trigger parts.
//!
//! A small tokenizer is enough: it knows SQLite's quoting (`'...'`,
//! `"..."`, `` `...` ``, `[...]`) and comments, and folds each
//! parenthesized group into one token, so every clause is found at the top
//! level of its statement and expressions are kept exactly as written.

use sluice_schema::Deferral;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An unquoted word: keyword, identifier or number.
    Word,
    /// A quoted identifier.
    Ident,
    /// A string literal.
    Str,
    /// `( ... )` with everything inside.
    Group,
    /// Any other character.
    Punct,
}

#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    kind: Kind,
    text: &'a str,
    start: usize,
    end: usize,
}

impl Tok<'_> {
    fn is(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(word)
    }

    /// The name this token spells, unquoted.
    fn name(&self) -> String {
        match self.kind {
            Kind::Ident | Kind::Str => {
                let q = self.text.as_bytes()[0];
                let inner = &self.text[1..self.text.len().saturating_sub(1).max(1)];
                match q {
                    b'[' => inner.to_string(),
                    _ => {
                        let qs = (q as char).to_string();
                        inner.replace(&qs.repeat(2), &qs)
                    }
                }
            }
            _ => self.text.to_string(),
        }
    }

    /// A group's inside, trimmed.
    fn inner(&self) -> &str {
        if self.kind == Kind::Group && self.text.len() >= 2 {
            self.text[1..self.text.len() - 1].trim()
        } else {
            self.text
        }
    }
}

/// The end (exclusive) of the quoted run starting at `at`, whose closing
/// character is `close`; doubled closers stay inside.
fn quoted_end(s: &[u8], at: usize, close: u8) -> usize {
    let mut i = at + 1;
    while i < s.len() {
        if s[i] == close {
            if close != b']' && s.get(i + 1) == Some(&close) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    s.len()
}

/// Skips blanks and comments from `i`.
fn skip_blank(s: &[u8], mut i: usize) -> usize {
    loop {
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
        if s[i..].starts_with(b"--") {
            while i < s.len() && s[i] != b'\n' {
                i += 1;
            }
        } else if s[i..].starts_with(b"/*") {
            i = s[i + 2..]
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(s.len(), |p| i + 2 + p + 2);
        } else {
            return i;
        }
    }
}

/// The end (exclusive) of the token starting at `i`.
fn token_end(s: &[u8], i: usize) -> (Kind, usize) {
    match s[i] {
        b'\'' => (Kind::Str, quoted_end(s, i, b'\'')),
        b'"' => (Kind::Ident, quoted_end(s, i, b'"')),
        b'`' => (Kind::Ident, quoted_end(s, i, b'`')),
        b'[' => (Kind::Ident, quoted_end(s, i, b']')),
        b'(' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < s.len() {
                j = skip_blank(s, j);
                if j >= s.len() {
                    break;
                }
                match s[j] {
                    b'(' => {
                        depth += 1;
                        j += 1;
                    }
                    b')' => {
                        depth -= 1;
                        j += 1;
                        if depth == 0 {
                            return (Kind::Group, j);
                        }
                    }
                    _ => j = token_end(s, j).1.max(j + 1),
                }
            }
            (Kind::Group, s.len())
        }
        c if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 || c == b'$' => {
            let mut j = i;
            while j < s.len()
                && (s[j].is_ascii_alphanumeric() || s[j] == b'_' || s[j] >= 0x80 || s[j] == b'$')
            {
                j += 1;
            }
            (Kind::Word, j)
        }
        _ => (Kind::Punct, i + 1),
    }
}

fn tokens(sql: &str) -> Vec<Tok<'_>> {
    let s = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        i = skip_blank(s, i);
        if i >= s.len() {
            return out;
        }
        let (kind, end) = token_end(s, i);
        let end = end.min(s.len());
        out.push(Tok {
            kind,
            text: &sql[i..end],
            start: i,
            end,
        });
        i = end;
    }
}

/// Splits at top-level commas.
fn split_commas(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut from = 0;
    for t in tokens(text) {
        if t.kind == Kind::Punct && t.text == "," {
            out.push(text[from..t.start].trim());
            from = t.end;
        }
    }
    let last = text[from..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// The names of a `(a, b)` column list.
fn name_list(group: &str) -> Vec<String> {
    split_commas(group)
        .into_iter()
        .filter_map(|c| tokens(c).first().map(|t| t.name()))
        .collect()
}

/// The text of `toks` as written, from the first token to the last.
fn span<'a>(sql: &'a str, toks: &[Tok<'_>]) -> &'a str {
    match (toks.first(), toks.last()) {
        (Some(a), Some(b)) => &sql[a.start..b.end],
        _ => "",
    }
}

/// What a `CREATE TABLE` says beyond the pragmas.
#[derive(Debug, Default)]
pub struct TableText {
    pub columns: Vec<ColumnText>,
    pub primary_key_name: Option<String>,
    /// Named UNIQUE constraints by their columns.
    pub unique_names: Vec<(String, Vec<String>)>,
    /// Checks in declared order (column checks first within their column).
    pub checks: Vec<(Option<String>, String)>,
    pub foreign_keys: Vec<ForeignKeyText>,
    pub without_rowid: bool,
    pub strict: bool,
}

#[derive(Debug, Default)]
pub struct ColumnText {
    pub name: String,
    pub collation: Option<String>,
    pub generated: Option<String>,
    pub autoincrement: bool,
}

#[derive(Debug)]
pub struct ForeignKeyText {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub deferral: Deferral,
}

const TABLE_CONSTRAINTS: [&str; 5] = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

pub fn create_table(sql: &str) -> TableText {
    let mut out = TableText::default();
    let toks = tokens(sql);
    let Some(body_at) = toks.iter().position(|t| t.kind == Kind::Group) else {
        return out;
    };
    for t in &toks[body_at + 1..] {
        if t.is("ROWID") {
            out.without_rowid = true;
        } else if t.is("STRICT") {
            out.strict = true;
        }
    }
    for item in split_commas(toks[body_at].inner()) {
        let it = tokens(item);
        let Some(first) = it.first() else { continue };
        if TABLE_CONSTRAINTS.iter().any(|k| first.is(k)) {
            table_constraint(item, &it, &mut out);
        } else {
            column(item, &it, &mut out);
        }
    }
    out
}

fn table_constraint(item: &str, it: &[Tok<'_>], out: &mut TableText) {
    let (name, rest) = if it[0].is("CONSTRAINT") && it.len() > 1 {
        (Some(it[1].name()), &it[2..])
    } else {
        (None, it)
    };
    let Some(kind) = rest.first() else { return };
    let group = rest.iter().find(|t| t.kind == Kind::Group);
    if kind.is("PRIMARY") {
        out.primary_key_name = name;
    } else if kind.is("UNIQUE") {
        if let (Some(n), Some(g)) = (name, group) {
            out.unique_names.push((n, name_list(g.inner())));
        }
    } else if kind.is("CHECK") {
        if let Some(g) = group {
            out.checks.push((name, g.inner().to_string()));
        }
    } else if kind.is("FOREIGN")
        && let Some(g) = group
    {
        out.foreign_keys.push(ForeignKeyText {
            name,
            columns: name_list(g.inner()),
            deferral: deferral(item, rest),
        });
    }
}

fn column(item: &str, it: &[Tok<'_>], out: &mut TableText) {
    let mut col = ColumnText {
        name: it[0].name(),
        ..Default::default()
    };
    let mut pending: Option<String> = None;
    let mut i = 1;
    while i < it.len() {
        let t = &it[i];
        let next = it.get(i + 1);
        if t.is("CONSTRAINT") {
            pending = next.map(|n| n.name());
            i += 2;
            continue;
        }
        if t.is("COLLATE") {
            col.collation = next.map(|n| n.name());
            i += 2;
            continue;
        }
        if t.is("AUTOINCREMENT") {
            col.autoincrement = true;
        } else if t.is("CHECK") {
            if let Some(g) = next.filter(|n| n.kind == Kind::Group) {
                out.checks.push((pending.take(), g.inner().to_string()));
                i += 2;
                continue;
            }
        } else if t.is("AS") {
            if let Some(g) = next.filter(|n| n.kind == Kind::Group) {
                col.generated = Some(g.inner().to_string());
                i += 2;
                continue;
            }
        } else if t.is("PRIMARY") {
            if pending.is_some() {
                out.primary_key_name = pending.take();
            }
        } else if t.is("UNIQUE") {
            if let Some(n) = pending.take() {
                out.unique_names.push((n, vec![col.name.clone()]));
            }
        } else if t.is("REFERENCES") {
            out.foreign_keys.push(ForeignKeyText {
                name: pending.take(),
                columns: vec![col.name.clone()],
                deferral: deferral(item, &it[i..]),
            });
        } else if t.is("NOT") || t.is("NULL") || t.is("DEFAULT") {
            pending = None;
        }
        i += 1;
    }
    out.columns.push(col);
}

/// `DEFERRABLE INITIALLY DEFERRED` and friends in a foreign-key clause.
/// Only the first reference clause in `toks` counts.
fn deferral(_item: &str, toks: &[Tok<'_>]) -> Deferral {
    for (i, t) in toks.iter().enumerate() {
        if t.is("DEFERRABLE") {
            let not = i > 0 && toks[i - 1].is("NOT");
            let deferred = toks
                .get(i + 2)
                .is_some_and(|x| toks[i + 1].is("INITIALLY") && x.is("DEFERRED"));
            return match (not, deferred) {
                (true, _) => Deferral::NotDeferrable,
                (false, true) => Deferral::InitiallyDeferred,
                (false, false) => Deferral::InitiallyImmediate,
            };
        }
    }
    Deferral::NotDeferrable
}

/// One key part of a `CREATE INDEX`: the column or expression as written,
/// and an explicit `COLLATE`.
#[derive(Debug, PartialEq, Eq)]
pub struct IndexPartText {
    pub expression: String,
    pub collation: Option<String>,
}

/// What a `CREATE INDEX` says: its key parts and `WHERE` predicate.
#[derive(Debug, Default)]
pub struct IndexText {
    pub parts: Vec<IndexPartText>,
    pub predicate: Option<String>,
}

pub fn create_index(sql: &str) -> IndexText {
    let toks = tokens(sql);
    let mut out = IndexText::default();
    let Some(at) = toks.iter().position(|t| t.kind == Kind::Group) else {
        return out;
    };
    for part in split_commas(toks[at].inner()) {
        let mut pt = tokens(part);
        if pt.last().is_some_and(|t| t.is("ASC") || t.is("DESC")) {
            pt.pop();
        }
        let mut collation = None;
        if pt.len() >= 2 && pt[pt.len() - 2].is("COLLATE") {
            collation = Some(pt[pt.len() - 1].name());
            pt.truncate(pt.len() - 2);
        }
        out.parts.push(IndexPartText {
            expression: strip_parens(span(part, &pt)),
            collation,
        });
    }
    if let Some(w) = toks[at + 1..].iter().position(|t| t.is("WHERE")) {
        let rest = &toks[at + 2 + w..];
        let rest: Vec<Tok<'_>> = rest
            .iter()
            .copied()
            .filter(|t| !(t.kind == Kind::Punct && t.text == ";"))
            .collect();
        out.predicate = Some(span(sql, &rest).to_string());
    }
    out
}

/// A column default as `DEFAULT` needs it. `table_xinfo` reports
/// `DEFAULT (date('now'))` as `date('now')`, without the parentheses an
/// expression requires; literals come as written.
pub fn default_expression(raw: &str) -> String {
    let t = tokens(raw);
    let literal = match t.as_slice() {
        [one] if one.kind == Kind::Str || one.kind == Kind::Group => true,
        [one] if one.kind == Kind::Word => {
            let w = one.text.to_ascii_uppercase();
            w.starts_with(|c: char| c.is_ascii_digit())
                || matches!(
                    w.as_str(),
                    "NULL"
                        | "TRUE"
                        | "FALSE"
                        | "CURRENT_TIME"
                        | "CURRENT_DATE"
                        | "CURRENT_TIMESTAMP"
                )
        }
        // X'00ff' blobs, signed numbers, 1.5 and 1e10 split into pieces.
        [x, s] if x.is("X") && s.kind == Kind::Str => true,
        _ => raw.trim_start_matches(['+', '-']).parse::<f64>().is_ok(),
    };
    if literal {
        raw.to_string()
    } else {
        format!("({raw})")
    }
}

/// `(expr)` → `expr` when the parentheses enclose all of it.
fn strip_parens(text: &str) -> String {
    let t = tokens(text);
    if t.len() == 1 && t[0].kind == Kind::Group {
        t[0].inner().to_string()
    } else {
        text.trim().to_string()
    }
}

/// A view's explicit column names and its query.
pub fn create_view(sql: &str) -> (Vec<String>, String) {
    let toks = tokens(sql);
    let Some(as_at) = toks.iter().position(|t| t.is("AS")) else {
        return (Vec::new(), String::new());
    };
    let columns = match as_at.checked_sub(1).map(|i| toks[i]) {
        Some(g) if g.kind == Kind::Group => name_list(g.inner()),
        _ => Vec::new(),
    };
    let query = sql[toks[as_at].end..]
        .trim()
        .trim_end_matches(';')
        .trim_end();
    (columns, query.to_string())
}

/// The parts of a `CREATE TRIGGER`.
#[derive(Debug, Default)]
pub struct TriggerText {
    pub timing: String,
    pub event: String,
    pub update_columns: Vec<String>,
    pub condition: Option<String>,
    pub body: String,
}

pub fn create_trigger(sql: &str) -> TriggerText {
    let toks = tokens(sql);
    let mut out = TriggerText {
        timing: "BEFORE".into(),
        ..Default::default()
    };
    let find = |w: &str| toks.iter().position(|t| t.is(w));
    let on = find("ON").unwrap_or(toks.len());
    let begin = find("BEGIN").unwrap_or(toks.len());
    for (i, t) in toks[..on].iter().enumerate() {
        if t.is("AFTER") {
            out.timing = "AFTER".into();
        } else if t.is("INSTEAD") {
            out.timing = "INSTEAD OF".into();
        } else if t.is("INSERT") || t.is("DELETE") {
            out.event = t.text.to_ascii_uppercase();
        } else if t.is("UPDATE") {
            out.event = "UPDATE".into();
            if toks.get(i + 1).is_some_and(|n| n.is("OF")) {
                out.update_columns = toks[i + 2..on]
                    .iter()
                    .filter(|x| x.kind != Kind::Punct)
                    .map(|x| x.name())
                    .collect();
            }
        }
    }
    if let Some(w) = toks[on..begin].iter().position(|t| t.is("WHEN")) {
        let cond = &toks[on + w + 1..begin];
        let text = span(sql, cond);
        out.condition = Some(strip_parens(text));
    }
    if begin < toks.len() {
        out.body = sql[toks[begin].start..]
            .trim()
            .trim_end_matches(';')
            .to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_text_gives_what_pragmas_do_not() {
        let sql = "CREATE TABLE \"my t\" (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  \
                   name TEXT COLLATE NOCASE CONSTRAINT ck_name CHECK (length(name) > 0),\n  \
                   -- a comment, with a comma\n  \
                   lower_name TEXT GENERATED ALWAYS AS (lower(name)) VIRTUAL,\n  \
                   [parent] INT REFERENCES \"my t\"(id) DEFERRABLE INITIALLY DEFERRED,\n  \
                   CONSTRAINT uq_name UNIQUE (name, parent),\n  \
                   CHECK (id > 0 AND name <> ')')\n) WITHOUT ROWID, STRICT";
        let t = create_table(sql);
        assert!(t.without_rowid && t.strict);
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "name", "lower_name", "parent"]);
        assert!(t.columns[0].autoincrement);
        assert_eq!(t.columns[1].collation.as_deref(), Some("NOCASE"));
        assert_eq!(t.columns[2].generated.as_deref(), Some("lower(name)"));
        assert_eq!(
            t.checks,
            [
                (Some("ck_name".to_string()), "length(name) > 0".to_string()),
                (None, "id > 0 AND name <> ')'".to_string())
            ]
        );
        assert_eq!(
            t.unique_names,
            [(
                "uq_name".to_string(),
                vec!["name".to_string(), "parent".to_string()]
            )]
        );
        assert_eq!(t.foreign_keys[0].columns, ["parent"]);
        assert_eq!(t.foreign_keys[0].deferral, Deferral::InitiallyDeferred);
    }

    #[test]
    fn index_text_gives_expressions_and_predicate() {
        let i = create_index(
            "CREATE UNIQUE INDEX ix ON t (lower(name) COLLATE NOCASE DESC, (a + b), c) WHERE c IS NOT NULL",
        );
        assert_eq!(
            i.parts,
            [
                IndexPartText {
                    expression: "lower(name)".into(),
                    collation: Some("NOCASE".into())
                },
                IndexPartText {
                    expression: "a + b".into(),
                    collation: None
                },
                IndexPartText {
                    expression: "c".into(),
                    collation: None
                },
            ]
        );
        assert_eq!(i.predicate.as_deref(), Some("c IS NOT NULL"));
    }

    #[test]
    fn defaults_keep_their_parentheses() {
        assert_eq!(default_expression("date('now')"), "(date('now'))");
        assert_eq!(default_expression("'it''s'"), "'it''s'");
        assert_eq!(default_expression("-1.5"), "-1.5");
        assert_eq!(default_expression("0.0"), "0.0");
        assert_eq!(default_expression("CURRENT_TIMESTAMP"), "CURRENT_TIMESTAMP");
        assert_eq!(default_expression("X'00ff'"), "X'00ff'");
        assert_eq!(default_expression("1 + 2"), "(1 + 2)");
    }

    #[test]
    fn views_and_triggers() {
        let (cols, q) = create_view("CREATE VIEW v (a, \"b\") AS SELECT 1, 2");
        assert_eq!(
            (cols, q.as_str()),
            (vec!["a".into(), "b".into()], "SELECT 1, 2")
        );
        let t = create_trigger(
            "CREATE TRIGGER tr AFTER UPDATE OF a, b ON t FOR EACH ROW WHEN (new.a > 0) BEGIN SELECT 1; END",
        );
        assert_eq!(t.timing, "AFTER");
        assert_eq!(t.event, "UPDATE");
        assert_eq!(t.update_columns, ["a", "b"]);
        assert_eq!(t.condition.as_deref(), Some("new.a > 0"));
        assert_eq!(t.body, "BEGIN SELECT 1; END");
    }
}
