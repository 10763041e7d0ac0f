//! index.type-no-blob: no BLOB, TEXT or JSON columns in indexes (MySQL).

use crate::rules::index::{column_type, keys_of};
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "index.type-no-blob",
    code: 507,
    title: "Indexes must not include BLOB, TEXT or JSON columns",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "MySQL can index BLOB and TEXT columns only by a prefix, and JSON not at all: \
                  the index is either refused or covers the first bytes only, so equality \
                  and uniqueness on the whole value are not what it enforces, and it is large.",
        fix: "Index a VARCHAR column, or a generated column holding a hash or the extracted \
              JSON field.",
        bad: "CREATE TABLE docs (id bigint PRIMARY KEY, body text, INDEX idx_docs_body (body(100)));",
        good: "CREATE TABLE docs (id bigint PRIMARY KEY, title varchar(200), \
               INDEX idx_docs_title (title));",
    },
    check,
};

const LARGE: &[&str] = &[
    "blob",
    "tinyblob",
    "mediumblob",
    "longblob",
    "text",
    "tinytext",
    "mediumtext",
    "longtext",
    "json",
];

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let create = match statement {
        Statement::CreateTable(c) => Some(c),
        _ => None,
    };
    let mut out = Vec::new();
    for key in keys_of(statement) {
        if key.what.starts_with("foreign key") {
            continue;
        }
        for column in key.columns.iter().flatten() {
            let Some(data_type) = column_type(ctx, create, key.table, column) else {
                continue;
            };
            let base = type_base(&data_type);
            if LARGE.contains(&base.as_str()) {
                out.push(
                    ctx.report(
                        column.span,
                        format!(
                            "{} on {} includes column {}, which is {}",
                            key.what,
                            display_name(key.table),
                            column.value,
                            data_type
                        ),
                    )
                    .help("index a VARCHAR column or a generated column (a hash, or the JSON field) instead"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE t (a varchar(10), b text, INDEX ix_a (a));\
                   CREATE INDEX ix_t_a2 ON t (a);";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (a varchar(10), b longtext, UNIQUE KEY uk_t_b (b(200)));\n\
             CREATE INDEX ix_t_a_b ON t (a, b(20));"
        ));
    }
}
