//! naming.auto-increment-column: AUTO_INCREMENT columns follow the convention.

use crate::rules::naming::check_name;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "naming.auto-increment-column",
    code: 407,
    title: "Auto-increment column names must follow the naming convention",
    engines: MYSQL,
    level: Level::Warning,
    options: &[
        OptionSpec {
            key: "format",
            description: "A pattern AUTO_INCREMENT column names must match.",
            default: DefaultValue::Pattern("^id$"),
        },
        OptionSpec {
            key: "max_length",
            description: "The longest name allowed, in characters (0: no limit).",
            default: DefaultValue::Int(64),
        },
    ],
    doc: Doc {
        problem: "The auto-increment column is the table's surrogate key. When every table \
                  calls it the same thing, joins, ORMs and data tools find it without a \
                  mapping; `order_no`, `pk` and `oid` each need one.",
        fix: "Name the AUTO_INCREMENT column id (or what the `format` option says).",
        bad: "CREATE TABLE orders (order_no bigint unsigned AUTO_INCREMENT PRIMARY KEY);",
        good: "CREATE TABLE orders (id bigint unsigned AUTO_INCREMENT PRIMARY KEY);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    columns_of(statement)
        .into_iter()
        .filter(|site| is_auto_increment(site.def))
        .filter_map(|site| {
            let table = ctx.schema.ident(last_ident(site.table)?);
            check_name(
                ctx,
                site.def.name.span,
                &format!(
                    "auto-increment column {} of {}",
                    site.def.name.value,
                    display_name(site.table)
                ),
                &ctx.schema.ident(&site.def.name),
                &table,
                &[],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, n int);\
                   ALTER TABLE u ADD COLUMN id bigint AUTO_INCREMENT;";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE orders (\n  order_no bigint AUTO_INCREMENT PRIMARY KEY,\n  n int\n);\n\
             ALTER TABLE users ADD COLUMN uid int AUTO_INCREMENT;"
        ));
    }
}
