//! column.require-default: columns have a DEFAULT.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.require-default",
    code: 302,
    title: "Columns must have a DEFAULT",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "A column without a default must be named by every INSERT. Code that was \
                  written before the column existed fails (NOT NULL) or stores NULL, so adding \
                  a column turns into a coordinated release.",
        fix: "Give the column a DEFAULT. Primary keys, identity, serial, auto-increment and \
              generated columns are exempt, and so are MySQL BLOB, TEXT, JSON and spatial \
              columns, which cannot have a literal default.",
        bad: "CREATE TABLE users (id bigint PRIMARY KEY, plan varchar(20) NOT NULL);",
        good: "CREATE TABLE users (id bigint PRIMARY KEY, plan varchar(20) NOT NULL DEFAULT 'free');",
    },
    check,
};

/// MySQL types that cannot take a literal DEFAULT.
const MYSQL_NO_DEFAULT: &[&str] = &[
    "blob",
    "tinyblob",
    "mediumblob",
    "longblob",
    "text",
    "tinytext",
    "mediumtext",
    "longtext",
    "json",
    "geometry",
    "point",
    "linestring",
    "polygon",
];

/// Whether a column needs no DEFAULT: keys and generated values of every
/// kind, and MySQL types that cannot take a literal default.
pub(crate) fn is_exempt(ctx: &Context<'_>, site: &crate::rules::ColumnSite<'_>) -> bool {
    let base = type_base(&site.def.data_type.to_string());
    is_primary_key_column(site)
        || base.contains("serial")
        || (ctx.dialect == Dialect::Mysql && MYSQL_NO_DEFAULT.contains(&base.as_str()))
        || site.def.options.iter().any(|o| match &o.option {
            ColumnOption::Default(_)
            | ColumnOption::Identity(_)
            | ColumnOption::Generated { .. } => true,
            ColumnOption::DialectSpecific(tokens) => tokens.iter().any(|t| {
                let t = t.to_string().to_ascii_uppercase();
                t == "AUTO_INCREMENT" || t == "AUTOINCREMENT"
            }),
            _ => false,
        })
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    columns_of(statement)
        .into_iter()
        .filter(|site| {
            let exempt = is_exempt(ctx, site);
            !exempt
        })
        .map(|site| {
            ctx.report(
                site.def.name.span,
                format!(
                    "column {}.{} has no DEFAULT",
                    display_name(site.table),
                    site.def.name.value
                ),
            )
            .help("add a DEFAULT so inserts that do not name the column keep working")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, body text, n int DEFAULT 0)";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
        let sql = "CREATE TABLE t (id bigserial, n bigint GENERATED ALWAYS AS IDENTITY, \
                   s int DEFAULT 1, g int GENERATED ALWAYS AS (s * 2) STORED, PRIMARY KEY (id))";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE t (id int PRIMARY KEY, body text);\nALTER TABLE t ADD COLUMN n int NOT NULL;"
        ));
    }
}
