//! naming.column: column names follow the convention.

use crate::rules::naming::check_name;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "naming.column",
    code: 402,
    title: "Column names must follow the naming convention",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[
        OptionSpec {
            key: "format",
            description: "A regular expression column names must match.",
            default: DefaultValue::Pattern("^[a-z][a-z0-9]*(_[a-z0-9]+)*$"),
        },
        OptionSpec {
            key: "max_length",
            description: "The longest name allowed, in characters (0: no limit).",
            default: DefaultValue::Int(63),
        },
    ],
    doc: Doc {
        problem: "Column names in mixed case or with odd characters must be quoted in every \
                  query, and ORMs and code generators map them inconsistently.",
        fix: "Use lower snake case: lower-case letters and digits, words joined by underscores.",
        bad: "CREATE TABLE users (id bigint PRIMARY KEY, first__name text);",
        good: "CREATE TABLE users (id bigint PRIMARY KEY, first_name text);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut names: Vec<(&ObjectName, &Ident)> = columns_of(statement)
        .into_iter()
        .map(|s| (s.table, &s.def.name))
        .collect();
    if let Statement::AlterTable(alter) = statement {
        for op in &alter.operations {
            match op {
                AlterTableOperation::RenameColumn {
                    new_column_name, ..
                } => names.push((&alter.name, new_column_name)),
                AlterTableOperation::ChangeColumn { new_name, .. } => {
                    names.push((&alter.name, new_name))
                }
                _ => {}
            }
        }
    }
    names
        .into_iter()
        .filter_map(|(table, column)| {
            let table = display_name(table);
            check_name(
                ctx,
                column.span,
                &format!("column {table}.{}", column.value),
                &ctx.schema.ident(column),
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
        for d in Dialect::ALL {
            assert!(run(&RULE, d, "CREATE TABLE t (id int, created_at_2 int)").is_empty());
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (\n  `Id` int,\n  ok int\n);\nALTER TABLE t RENAME COLUMN ok TO `has space`, CHANGE a b_ int;"
        ));
    }
}
