//! column.auto-increment-must-unsigned: AUTO_INCREMENT columns are UNSIGNED.

use crate::rules::column::auto_increment_must_integer::is_integer;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.auto-increment-must-unsigned",
    code: 311,
    title: "Auto-increment columns must be UNSIGNED",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Auto-increment values start at 1 and only grow, so the negative half of a \
                  signed integer is never used: a signed INT runs out at 2,147,483,647 instead \
                  of 4,294,967,295, and the table stops accepting rows twice as soon.",
        fix: "Declare auto-increment columns UNSIGNED (BIGINT UNSIGNED for anything that may \
              grow large).",
        bad: "CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY);",
        good: "CREATE TABLE orders (id int unsigned AUTO_INCREMENT PRIMARY KEY);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    columns_of(statement)
        .into_iter()
        .filter(|site| {
            is_auto_increment(site.def)
                && is_integer(&site.def.data_type)
                && !site
                    .def
                    .data_type
                    .to_string()
                    .to_ascii_uppercase()
                    .contains("UNSIGNED")
        })
        .map(|site| {
            ctx.report(
                site.def.name.span,
                format!(
                    "column {} of {} is AUTO_INCREMENT but signed ({}): half of its range is never used",
                    site.def.name.value,
                    display_name(site.table),
                    site.def.data_type
                ),
            )
            .help(format!("declare it {} UNSIGNED", site.def.data_type))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE t (id int unsigned AUTO_INCREMENT, n int);\
                   CREATE TABLE u (id BIGINT(20) UNSIGNED AUTO_INCREMENT PRIMARY KEY);";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (\n  id bigint AUTO_INCREMENT PRIMARY KEY\n);"
        ));
    }
}
