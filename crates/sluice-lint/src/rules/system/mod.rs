//! system.*: rules about server-side code and settings.

pub mod function_disallow_create;
pub mod procedure_disallow_create;

pub mod charset_allowlist;
pub mod collation_allowlist;

use sqlparser::ast::{ColumnOption, Expr, Spanned, Statement};
use sqlparser::tokenizer::Span;

use crate::rules::{columns_of, display_name, table_options};

/// Which setting [`settings_of`] collects.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Charset,
    Collation,
}

/// One character set or collation a statement sets.
pub struct Found {
    /// "table t", "column a of t", "database d".
    pub owner: String,
    pub value: String,
    pub span: Span,
}

fn value_of(expr: &Expr) -> String {
    match expr {
        Expr::Identifier(i) => i.value.clone(),
        Expr::Value(v) => v.value.to_string().trim_matches(['\'', '"']).to_string(),
        other => other.to_string(),
    }
}

/// The character sets or collations a statement sets, on a database, a
/// table or its columns.
pub fn settings_of(statement: &Statement, which: Setting) -> Vec<Found> {
    let mut out = Vec::new();
    if let Statement::CreateDatabase {
        db_name,
        default_charset,
        default_collation,
        ..
    } = statement
    {
        let value = match which {
            Setting::Charset => default_charset,
            Setting::Collation => default_collation,
        };
        if let Some(v) = value {
            out.push(Found {
                owner: format!("database {}", display_name(db_name)),
                value: v.clone(),
                span: db_name.span(),
            });
        }
        return out;
    }
    if let Statement::CreateTable(create) = statement {
        for o in table_options(create) {
            if let sqlparser::ast::SqlOption::KeyValue { key, value } = o {
                let key = key.to_string().to_ascii_uppercase();
                let hit = match which {
                    Setting::Charset => key.ends_with("CHARSET") || key.ends_with("CHARACTER SET"),
                    Setting::Collation => key.ends_with("COLLATE"),
                };
                if hit {
                    out.push(Found {
                        owner: format!("table {}", display_name(&create.name)),
                        value: value_of(value),
                        span: value.span(),
                    });
                }
            }
        }
    }
    for site in columns_of(statement) {
        for o in &site.def.options {
            let name = match (&o.option, which) {
                (ColumnOption::CharacterSet(n), Setting::Charset)
                | (ColumnOption::Collation(n), Setting::Collation) => n,
                _ => continue,
            };
            out.push(Found {
                owner: format!(
                    "column {} of {}",
                    site.def.name.value,
                    display_name(site.table)
                ),
                value: display_name(name),
                span: name.span(),
            });
        }
    }
    out
}
