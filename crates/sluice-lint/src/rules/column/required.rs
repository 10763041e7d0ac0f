//! column.required: every table has the columns the team requires.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.required",
    code: 306,
    title: "Tables must have the required columns",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[OptionSpec {
        key: "list",
        description: "The columns every table must have (compared case-insensitively).",
        default: DefaultValue::List(&["id", "created_at", "updated_at"]),
    }],
    doc: Doc {
        problem: "Conventions such as a surrogate id and creation and update times are what \
                  audits, incremental exports and debugging rely on. A table created without \
                  them, or one that loses them later, is the one every tool has to special-case.",
        fix: "Add the required columns when the table is created, and do not drop or rename \
              them away.",
        bad: "CREATE TABLE notes (id bigint PRIMARY KEY, body text);",
        good: "CREATE TABLE notes (id bigint PRIMARY KEY, body text, created_at timestamp, \
               updated_at timestamp);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let required = ctx.config.list("list");
    match statement {
        Statement::CreateTable(create) if create.query.is_none() && create.like.is_none() => {
            let missing: Vec<&str> = required
                .iter()
                .filter(|r| {
                    !create
                        .columns
                        .iter()
                        .any(|c| c.name.value.eq_ignore_ascii_case(r))
                })
                .map(String::as_str)
                .collect();
            if missing.is_empty() {
                return Vec::new();
            }
            vec![
                ctx.report_at_name(
                    &create.name,
                    format!(
                        "table {} lacks the required column{} {}",
                        display_name(&create.name),
                        if missing.len() == 1 { "" } else { "s" },
                        missing.join(", ")
                    ),
                )
                .help(format!("add {} to the column list", missing.join(", "))),
            ]
        }
        Statement::AlterTable(alter) => {
            let mut out = Vec::new();
            for op in &alter.operations {
                let gone: Vec<&Ident> = match op {
                    AlterTableOperation::DropColumn { column_names, .. } => {
                        column_names.iter().collect()
                    }
                    AlterTableOperation::RenameColumn {
                        old_column_name,
                        new_column_name,
                    } if !old_column_name
                        .value
                        .eq_ignore_ascii_case(&new_column_name.value) =>
                    {
                        vec![old_column_name]
                    }
                    AlterTableOperation::ChangeColumn {
                        old_name, new_name, ..
                    } if !old_name.value.eq_ignore_ascii_case(&new_name.value) => vec![old_name],
                    _ => Vec::new(),
                };
                for column in gone {
                    if ctx.config.list_contains("list", &column.value) {
                        out.push(
                            ctx.report(
                                column.span,
                                format!(
                                    "column {} of {} is required on every table and would be removed",
                                    column.value,
                                    display_name(&alter.name)
                                ),
                            )
                            .help("keep the column; required columns are the rule's `list` option"),
                        );
                    }
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            let sql = "CREATE TABLE t (ID int, Created_At int, updated_at int, x int);\
                       ALTER TABLE t DROP COLUMN x; ALTER TABLE t RENAME COLUMN x TO y;";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE notes (id bigint, body text);\n\
             ALTER TABLE orders DROP COLUMN created_at;\n\
             ALTER TABLE orders RENAME COLUMN updated_at TO modified_at;"
        ));
    }
}
