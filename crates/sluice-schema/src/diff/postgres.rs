//! PostgreSQL's answers to the diff's questions.
//!
//! `format_type()` prints canonical SQL names (`integer`, `character
//! varying(10)`), but models also come from hand-written or parsed SQL that
//! uses the internal names (`int4`, `varchar`, `timestamptz`). Defaults and
//! expressions come back with casts the server adds to literals
//! (`'x'::text`), which a declared schema rarely spells out.

use super::rules::{
    DialectRules, Tok, canonical, int_args, split_type, squeeze_type, unquote_number,
};
use crate::dialect::Dialect;

pub struct Postgres;

/// The canonical name of a PostgreSQL base type.
fn base_name(name: &str) -> &str {
    match name {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer",
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint",
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint",
        "float8" | "double precision" | "float" => "double precision",
        "float4" | "real" => "real",
        "bool" | "boolean" => "boolean",
        "varchar" | "character varying" => "character varying",
        "char" | "character" | "bpchar" => "character",
        "decimal" | "numeric" => "numeric",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "time" | "time without time zone" => "time without time zone",
        "varbit" | "bit varying" => "bit varying",
        other => other,
    }
}

/// `(base, args, array dimensions)` of a type in canonical spelling.
/// `timestamp(3) with time zone` keeps its precision as the argument.
fn parse(t: &str) -> (String, Option<String>, usize) {
    let mut t = squeeze_type(t);
    let mut dims = 0;
    while let Some(rest) = t.strip_suffix("[]") {
        t = rest.trim_end().to_string();
        dims += 1;
    }
    if let Some(rest) = t.strip_prefix('_') {
        // The array type's internal name (`_int4`).
        t = rest.to_string();
        dims = dims.max(1);
    }
    // Drop a schema qualification of built-in types (`pg_catalog.int4`).
    if let Some(rest) = t.strip_prefix("pg_catalog.") {
        t = rest.to_string();
    }
    let (name, args, rest) = split_type(&t);
    let full = if rest.is_empty() {
        name
    } else {
        format!("{name} {rest}")
    };
    let base = base_name(full.trim()).to_string();
    let args = args.map(|a| a.replace(' ', ""));
    (base, args, dims)
}

/// `format_type()` qualifies a user type only when its schema is not on
/// the search path, so `shop.order_status` and `order_status` may be one
/// type read under two search paths: an unqualified name matches the same
/// name qualified by any schema.
fn same_type_name(a: &str, b: &str) -> bool {
    let last = |t: &str| {
        t.rsplit('.')
            .next()
            .unwrap_or(t)
            .trim_matches('"')
            .to_string()
    };
    a == b || ((a.contains('.') != b.contains('.')) && last(a) == last(b))
}

impl DialectRules for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn same_type(&self, a: &str, b: &str) -> bool {
        let (ba, aa, da) = parse(a);
        let (bb, ab, db) = parse(b);
        if da != db || !same_type_name(&ba, &bb) {
            return false;
        }
        // `character` alone is `character(1)`; `numeric(10)` is `numeric(10,0)`.
        let norm = |base: &str, args: Option<String>| match (base, args) {
            ("character", None) => Some("1".to_string()),
            ("numeric", Some(a)) if !a.contains(',') => Some(format!("{a},0")),
            (_, a) => a,
        };
        norm(&ba, aa) == norm(&bb, ab)
    }

    fn is_type_change(&self, from: &str, to: &str) -> bool {
        let (bf, af, df) = parse(from);
        let (bt, at, dt) = parse(to);
        if df != dt {
            return true;
        }
        let af = int_args(&af);
        let at = int_args(&at);
        match (bf.as_str(), bt.as_str()) {
            // Longer or unlimited varchar, and varchar → text, keep values
            // as stored without a rewrite.
            ("character varying", "character varying") | ("bit varying", "bit varying") => {
                match (af, at) {
                    (Some(f), Some(t)) => !(t.is_empty() || (!f.is_empty() && t[0] >= f[0])),
                    _ => true,
                }
            }
            ("character varying", "text") => false,
            // More precision with the same scale, or no limit.
            ("numeric", "numeric") => match (af, at) {
                (Some(f), Some(t)) => {
                    let scale = |v: &[u64]| v.get(1).copied().unwrap_or(0);
                    !(t.is_empty() || (!f.is_empty() && t[0] >= f[0] && scale(&t) == scale(&f)))
                }
                _ => true,
            },
            _ => true,
        }
    }

    fn same_default(&self, a: &str, b: &str) -> bool {
        default_form(a) == default_form(b)
    }

    fn views_bind_columns(&self) -> bool {
        true
    }

    fn same_expression(&self, a: &str, b: &str) -> bool {
        literal_casts_dropped(canonical(a)) == literal_casts_dropped(canonical(b))
    }
}

/// A default in comparable form: literal casts dropped and the spellings
/// of the current time made one.
fn default_form(text: &str) -> Vec<Tok> {
    let toks = unquote_number(literal_casts_dropped(canonical(text)));
    let now = [
        Tok::Word("now".into()),
        Tok::Punct("(".into()),
        Tok::Punct(")".into()),
    ];
    let current = [Tok::Word("current_timestamp".into())];
    if toks == now || toks == current {
        return current.to_vec();
    }
    toks
}

/// Removes `::type` after a string or number literal (`'x'::text`,
/// `'new'::shop.order_status`, `0::numeric`), which the server adds and a
/// declaration leaves out. Casts of anything else stay: they change
/// meaning.
fn literal_casts_dropped(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let is_cast = matches!(&toks[i], Tok::Punct(p) if p == "::");
        let after_literal = match out.last() {
            Some(Tok::Str(_)) => true,
            Some(Tok::Word(w)) => w.starts_with(|c: char| c.is_ascii_digit()),
            _ => false,
        };
        if is_cast && after_literal {
            // Skip the type: words, dots, quoted names, `(n)` and `[]`.
            i += 1;
            while i < toks.len() {
                match &toks[i] {
                    Tok::Word(w)
                        if !matches!(w.as_str(), "and" | "or" | "not" | "is" | "in" | "like") =>
                    {
                        i += 1
                    }
                    Tok::Quoted(_) => i += 1,
                    Tok::Punct(p) if p == "." || p == "[" || p == "]" => i += 1,
                    Tok::Punct(p) if p == "(" => {
                        while i < toks.len() && !matches!(&toks[i], Tok::Punct(p) if p == ")") {
                            i += 1;
                        }
                        i += 1;
                    }
                    _ => break,
                }
            }
            continue;
        }
        out.push(toks[i].clone());
        i += 1;
    }
    super::rules::strip_redundant_parens(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms() {
        let p = Postgres;
        assert!(p.same_type("int4", "integer"));
        assert!(p.same_type("varchar(10)", "character varying(10)"));
        assert!(p.same_type("_int4", "integer[]"));
        assert!(p.same_type("timestamptz", "timestamp with time zone"));
        assert!(!p.same_type("varchar(10)", "varchar(20)"));
        assert!(p.same_type("shop.order_status", "order_status"));
        assert!(!p.same_type("a.status", "b.status"));
        assert!(!p.is_type_change("varchar(10)", "character varying(20)"));
        assert!(p.is_type_change("integer", "bigint"));
        assert!(p.same_default("'x'::text", "'x'"));
        assert!(p.same_default("now()", "CURRENT_TIMESTAMP"));
        assert!(p.same_default("'-1'::integer", "-1"));
        assert!(p.same_default("'-1.5'::numeric", "(-1.5)"));
        assert!(!p.same_default("'x'", "'y'"));
        assert!(p.same_expression("(quantity > 0)", "quantity > 0"));
    }
}
