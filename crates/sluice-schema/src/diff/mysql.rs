//! MySQL and MariaDB answers to the diff's questions.
//!
//! MySQL 5.7 and MariaDB print integer display widths (`int(11)`), MySQL
//! 8.0.19+ does not; MariaDB prints `current_timestamp()` where MySQL
//! prints `CURRENT_TIMESTAMP`; numeric defaults come back quoted or not
//! depending on version. None of that is a schema difference, and neither
//! is the table's `AUTO_INCREMENT` counter, which moves with every insert.

use super::rules::{
    DialectRules, Tok, canonical, int_args, split_type, squeeze_type, unquote_number,
};
use crate::dialect::Dialect;
use crate::model::TableOptions;

pub struct Mysql;

const INTEGERS: [&str; 5] = ["tinyint", "smallint", "mediumint", "int", "bigint"];

/// `(base, args, attributes)` in canonical spelling.
fn parse(original: &str) -> (String, Option<String>, Vec<String>) {
    let t = squeeze_type(original);
    let t = match t.as_str() {
        "bool" | "boolean" => "tinyint(1)".to_string(),
        _ => t,
    };
    let (mut name, args, mut rest) = split_type(&t);
    if args.is_none() {
        // `int unsigned`: the name is the first word, unless it is one of
        // the two-word names.
        let two_words = ["double precision", "character varying"];
        let cut = match two_words.iter().find(|w| name.starts_with(*w)) {
            Some(w) => Some(w.len()),
            None => name.find(' '),
        };
        if let Some(cut) = cut {
            rest = name[cut..].trim().to_string();
            name.truncate(cut);
        }
    }
    let base = match name.as_str() {
        "integer" => "int",
        "dec" | "numeric" | "fixed" => "decimal",
        "double precision" | "real" => "double",
        "character varying" => "varchar",
        "character" => "char",
        other => other,
    }
    .to_string();
    // Spaces in a list of quoted ENUM or SET values are part of the values.
    let quoted = base == "enum" || base == "set";
    let mut args = if quoted {
        // Taken from the original text: lowercasing and squeezing would
        // change the values.
        let (_, original, _) = split_type(original.trim());
        original
    } else {
        args.map(|a| a.replace(' ', ""))
    };
    if INTEGERS.contains(&base.as_str()) {
        // Display width carries no meaning (and is gone in MySQL 8).
        args = None;
    }
    if base == "decimal" {
        args = Some(match args.as_deref() {
            None => "10,0".to_string(),
            Some(a) if !a.contains(',') => format!("{a},0"),
            Some(a) => a.to_string(),
        });
    }
    if base == "char" && args.is_none() {
        args = Some("1".into());
    }
    let mut attrs: Vec<String> = rest.split_whitespace().map(str::to_string).collect();
    attrs.sort();
    (base, args, attrs)
}

impl DialectRules for Mysql {
    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }

    fn same_type(&self, a: &str, b: &str) -> bool {
        parse(a) == parse(b)
    }

    fn is_type_change(&self, from: &str, to: &str) -> bool {
        let (bf, af, xf) = parse(from);
        let (bt, at, xt) = parse(to);
        if xf != xt {
            return true;
        }
        let (af, at) = (int_args(&af), int_args(&at));
        match (bf.as_str(), bt.as_str()) {
            // Values appended to an ENUM or SET keep the stored ones.
            ("enum", "enum") | ("set", "set") => {
                let (Some(f), Some(t)) = (&parse(from).1, &parse(to).1) else {
                    return true;
                };
                !(t.starts_with(f.as_str()) && t[f.len()..].starts_with(','))
            }
            ("varchar", "varchar") | ("varbinary", "varbinary") => match (af, at) {
                (Some(f), Some(t)) => !(f.len() == 1 && t.len() == 1 && t[0] >= f[0]),
                _ => true,
            },
            (f, t) if INTEGERS.contains(&f) && INTEGERS.contains(&t) => {
                let rank = |x: &str| INTEGERS.iter().position(|i| *i == x);
                rank(t) < rank(f)
            }
            _ => true,
        }
    }

    fn same_default(&self, a: &str, b: &str) -> bool {
        default_form(a) == default_form(b)
    }

    fn column_order_matters(&self) -> bool {
        true
    }

    fn same_table_options(&self, a: &TableOptions, b: &TableOptions) -> bool {
        let strip = |o: &TableOptions| match o {
            TableOptions::Mysql(m) => {
                let mut m = m.clone();
                m.auto_increment = None;
                m.engine = m.engine.map(|e| e.to_lowercase());
                m.row_format = m.row_format.map(|e| e.to_lowercase());
                m.charset = m.charset.map(|e| e.to_lowercase());
                m.collation = m.collation.map(|e| e.to_lowercase());
                TableOptions::Mysql(m)
            }
            other => other.clone(),
        };
        let (a, b) = (strip(a), strip(b));
        // An unset option list and an all-default one are the same.
        let empty = |o: &TableOptions| {
            matches!(o, TableOptions::None)
                || matches!(o, TableOptions::Mysql(m) if *m == Default::default())
        };
        a == b || (empty(&a) && empty(&b))
    }
}

/// A default in comparable form: the current-time functions made one
/// (`CURRENT_TIMESTAMP`, `current_timestamp()`, `now()`, keeping a
/// precision), and a quoted number read as the number.
fn default_form(text: &str) -> Vec<Tok> {
    let toks = canonical(text);
    let word = |t: &Tok, w: &str| matches!(t, Tok::Word(x) if x == w);
    let is_now = |t: &Tok| {
        ["current_timestamp", "now", "localtimestamp", "localtime"]
            .iter()
            .any(|w| word(t, w))
    };
    match toks.as_slice() {
        [w] if is_now(w) => return vec![Tok::Word("current_timestamp".into())],
        [w, Tok::Punct(o), Tok::Punct(c)] if is_now(w) && o == "(" && c == ")" => {
            return vec![Tok::Word("current_timestamp".into())];
        }
        [w, Tok::Punct(o), Tok::Word(p), Tok::Punct(c)] if is_now(w) && o == "(" && c == ")" => {
            return vec![Tok::Word("current_timestamp".into()), Tok::Word(p.clone())];
        }
        _ => {}
    }
    unquote_number(toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms() {
        let m = Mysql;
        assert!(m.same_type("int(11)", "int"));
        assert!(m.same_type("int(10) unsigned", "INT UNSIGNED"));
        assert!(m.same_type("decimal", "decimal(10,0)"));
        assert!(!m.same_type("varchar(10)", "varchar(20)"));
        assert!(!m.is_type_change("varchar(10)", "varchar(20)"));
        assert!(m.is_type_change("bigint", "int"));
        assert!(!m.is_type_change("enum('a','b')", "enum('a','b','c')"));
        assert!(m.is_type_change("enum('a','b')", "enum('b','a')"));
        assert!(!m.same_type("enum('A b')", "enum('a  b')"));
        assert!(m.same_type("ENUM('A b')", "enum('A b')"));
        assert!(m.same_default("current_timestamp()", "CURRENT_TIMESTAMP"));
        assert!(m.same_default("'0'", "0"));
        assert!(m.same_default("'-3'", "-3"));
        assert!(!m.same_default("'NULL'", "NULL"));
    }
}
