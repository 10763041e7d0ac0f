//! column.auto-increment-initial-value: tables start counting where the
//! policy says.

use crate::rules::prelude::*;
use crate::rules::table::require_charset::table_option;

pub const RULE: Rule = Rule {
    name: "column.auto-increment-initial-value",
    code: 312,
    title: "The auto-increment initial value must be the configured one",
    engines: MYSQL,
    level: Level::Warning,
    options: &[OptionSpec {
        key: "value",
        description: "The AUTO_INCREMENT table option value allowed in CREATE TABLE.",
        default: DefaultValue::Int(1),
    }],
    doc: Doc {
        problem: "An AUTO_INCREMENT=n table option copied from SHOW CREATE TABLE carries the \
                  counter of the database it came from: the new table's ids start in the \
                  middle of nowhere, differ between environments and leak row counts.",
        fix: "Drop the AUTO_INCREMENT=n option (or set it to the configured value).",
        bad: "CREATE TABLE orders (id bigint unsigned AUTO_INCREMENT PRIMARY KEY) AUTO_INCREMENT=1042;",
        good: "CREATE TABLE orders (id bigint unsigned AUTO_INCREMENT PRIMARY KEY);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateTable(create) = statement else {
        return Vec::new();
    };
    let Some(value) = table_option(create, |k| k == "AUTO_INCREMENT") else {
        return Vec::new();
    };
    let expected = ctx.config.int("value");
    let text = value.to_string();
    if text.trim().parse::<i64>().ok() == Some(expected) {
        return Vec::new();
    }
    vec![
        ctx.report(
            value.span(),
            format!(
                "table {} starts its auto-increment counter at {text}, not {expected}",
                display_name(&create.name)
            ),
        )
        .help(format!(
            "remove AUTO_INCREMENT={text} (or write AUTO_INCREMENT={expected})"
        )),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE t (id int AUTO_INCREMENT) AUTO_INCREMENT=1;\
                   CREATE TABLE u (id int AUTO_INCREMENT) ENGINE=InnoDB;";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
        let found = run_with(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (id int AUTO_INCREMENT) AUTO_INCREMENT=1000",
            Some(r#"{"level": "WARNING", "value": 1000}"#),
            None,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY)\n  ENGINE=InnoDB AUTO_INCREMENT=1042 DEFAULT CHARSET=utf8mb4;"
        ));
    }
}
