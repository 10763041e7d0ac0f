//! index.pk-type-limit: primary keys are integers (MySQL).

use crate::rules::index::primary_key_columns;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "index.pk-type-limit",
    code: 505,
    title: "Primary key columns must be integers",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "InnoDB stores rows in primary key order and copies the key into every \
                  secondary index. A VARCHAR or random UUID key makes every index larger and \
                  inserts land at random places in the clustered index, splitting pages; an \
                  increasing integer keeps both compact.",
        fix: "Use BIGINT UNSIGNED AUTO_INCREMENT (or another integer) as the primary key and \
              put natural keys in a UNIQUE constraint.",
        bad: "CREATE TABLE users (email varchar(255) PRIMARY KEY);",
        good: "CREATE TABLE users (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, \
               email varchar(255) NOT NULL UNIQUE);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    primary_key_columns(ctx, statement)
        .into_iter()
        .filter_map(|(table, column, data_type)| {
            let data_type = data_type?;
            let base = canonical_type(&data_type);
            let first = base.split(['(', ' ']).next().unwrap_or("");
            if matches!(
                first,
                "tinyint" | "smallint" | "mediumint" | "integer" | "bigint"
            ) {
                return None;
            }
            Some(
                ctx.report(
                    column.span,
                    format!(
                        "primary key column {} of {} is {data_type}, not an integer: InnoDB copies it into every secondary index",
                        column.value,
                        display_name(table)
                    ),
                )
                .help("use a BIGINT UNSIGNED AUTO_INCREMENT key and keep this column UNIQUE"),
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
        let sql = "CREATE TABLE t (id int(11) PRIMARY KEY);\
                   CREATE TABLE u (a bigint unsigned, b int, PRIMARY KEY (a, b));";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (code char(8), n int, PRIMARY KEY (code, n));\n\
             CREATE TABLE u (id binary(16) PRIMARY KEY);"
        ));
    }
}
