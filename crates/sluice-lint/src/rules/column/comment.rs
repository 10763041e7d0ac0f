//! column.comment: columns carry a comment (MySQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.comment",
    code: 308,
    title: "Columns must have a comment",
    // PostgreSQL comments are separate COMMENT ON statements; MySQL's are
    // part of the column definition, where a missing one can be seen.
    engines: MYSQL,
    level: Level::Warning,
    options: &[
        OptionSpec {
            key: "required",
            description: "Whether every new column must have a comment.",
            default: DefaultValue::Bool(true),
        },
        OptionSpec {
            key: "max_length",
            description: "The longest comment allowed, in characters (0: no limit).",
            default: DefaultValue::Int(64),
        },
    ],
    doc: Doc {
        problem: "A column's name seldom says its unit, its allowed values or whether it holds \
                  personal data. The comment travels with the schema into every client, dump \
                  and data catalog.",
        fix: "Add COMMENT '…' to each column definition, within the length limit.",
        bad: "CREATE TABLE orders (id bigint PRIMARY KEY COMMENT 'order id', amount int);",
        good: "CREATE TABLE orders (id bigint PRIMARY KEY COMMENT 'order id', \
               amount int COMMENT 'total in cents');",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let max = ctx.config.int("max_length");
    columns_of(statement)
        .into_iter()
        .filter_map(|site| {
            let comment = site.def.options.iter().find_map(|o| match &o.option {
                ColumnOption::Comment(c) => Some(c),
                _ => None,
            });
            let column = &site.def.name;
            let table = display_name(site.table);
            match comment {
                None if ctx.config.bool("required") => Some(
                    ctx.report(
                        column.span,
                        format!("column {} of {table} has no comment", column.value),
                    )
                    .help("add COMMENT '…' to the column definition, saying what the value means"),
                ),
                Some(c) if max > 0 && c.chars().count() as i64 > max => Some(
                    ctx.report(
                        column.span,
                        format!(
                            "the comment of column {} of {table} is {} characters long, more than {max}",
                            column.value,
                            c.chars().count()
                        ),
                    )
                    .help(format!("shorten it to at most {max} characters")),
                ),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql =
            "CREATE TABLE t (id int COMMENT 'id'); ALTER TABLE t ADD COLUMN n int COMMENT 'n';";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (\n  id int COMMENT 'id',\n  total int\n);\n\
             ALTER TABLE t ADD COLUMN note text COMMENT 'a free-form note the support team writes \
             when a customer calls about the order';"
        ));
    }
}
