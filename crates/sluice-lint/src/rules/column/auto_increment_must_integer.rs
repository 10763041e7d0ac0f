//! column.auto-increment-must-integer: AUTO_INCREMENT columns are integers.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.auto-increment-must-integer",
    code: 310,
    title: "Auto-increment columns must be integers",
    engines: MYSQL,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "MySQL lets FLOAT, DOUBLE and DECIMAL columns auto-increment (8.0 deprecates \
                  it for the floating types). Floating-point ids lose precision and compare \
                  inexactly; DECIMAL ids are slower and larger than the integer that does the \
                  same job.",
        fix: "Make the column an integer type, normally BIGINT UNSIGNED.",
        bad: "CREATE TABLE orders (id decimal(20, 0) AUTO_INCREMENT PRIMARY KEY);",
        good: "CREATE TABLE orders (id bigint unsigned AUTO_INCREMENT PRIMARY KEY);",
    },
    check,
};

/// Whether the type is of the integer family (whatever its display width
/// or signedness).
pub(crate) fn is_integer(data_type: &DataType) -> bool {
    let t = data_type.to_string().to_ascii_lowercase();
    let first = t.split(['(', ' ']).next().unwrap_or("");
    matches!(
        first,
        "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
    )
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    columns_of(statement)
        .into_iter()
        .filter(|site| is_auto_increment(site.def) && !is_integer(&site.def.data_type))
        .map(|site| {
            ctx.report(
                site.def.name.span,
                format!(
                    "column {} of {} is AUTO_INCREMENT but its type is {}, not an integer",
                    site.def.name.value,
                    display_name(site.table),
                    site.def.data_type
                ),
            )
            .help("declare it BIGINT UNSIGNED (or INT UNSIGNED for small tables)")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE t (id int(11) AUTO_INCREMENT, f float);\
                   CREATE TABLE u (id bigint unsigned AUTO_INCREMENT PRIMARY KEY);";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (id double AUTO_INCREMENT PRIMARY KEY);\n\
             ALTER TABLE u ADD COLUMN seq decimal(10,0) AUTO_INCREMENT;"
        ));
    }
}
