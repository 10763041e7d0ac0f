//! statement.disallow-add-not-null: NOT NULL on a table with rows.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.disallow-add-not-null",
    code: 108,
    title: "Do not add NOT NULL to an existing table",
    engines: POSTGRES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "ALTER COLUMN … SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE \
                  lock that blocks every read and write, and fails if any row holds NULL. \
                  ADD COLUMN … NOT NULL without a DEFAULT fails outright on a table with rows.",
        fix: "Add a CHECK (col IS NOT NULL) NOT VALID constraint, VALIDATE it in a separate \
              statement, then SET NOT NULL (PostgreSQL 12+ uses the validated check and skips \
              the scan) and drop the check. For a new column, give it a DEFAULT.",
        bad: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        good: "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::AlterTable(alter) = statement else {
        return Vec::new();
    };
    if !ctx.table_state(&alter.name).may_have_rows() {
        return Vec::new();
    }
    let table_name = display_name(&alter.name);
    let known = ctx.table(&alter.name);
    let mut out = Vec::new();
    for op in &alter.operations {
        match op {
            AlterTableOperation::AlterColumn {
                column_name,
                op: AlterColumnOperation::SetNotNull,
            } => {
                let current = known.and_then(|t| ctx.schema.column(t, column_name));
                if current.is_some_and(|c| !c.nullable) {
                    continue; // already NOT NULL: a no-op for PostgreSQL
                }
                out.push(
                    ctx.report(
                        column_name.span,
                        format!(
                            "SET NOT NULL on {table_name}.{} scans every row under an ACCESS \
                             EXCLUSIVE lock on {table_name}: all reads and writes wait, and it \
                             fails if a row holds NULL",
                            column_name.value
                        ),
                    )
                    .help(
                        "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a separate \
                         statement, then SET NOT NULL (no scan on PostgreSQL 12+) and drop the check",
                    ),
                );
            }
            AlterTableOperation::AddColumn { column_def, .. } => {
                let options = || column_def.options.iter().map(|o| &o.option);
                let not_null = options()
                    .any(|o| matches!(o, ColumnOption::NotNull | ColumnOption::PrimaryKey(_)));
                let filled = options().any(|o| {
                    matches!(
                        o,
                        ColumnOption::Default(_)
                            | ColumnOption::Generated { .. }
                            | ColumnOption::Identity(_)
                    )
                }) || type_base(&column_def.data_type.to_string()).contains("serial");
                if not_null && !filled {
                    out.push(
                        ctx.report(
                            column_def.name.span,
                            format!(
                                "column {table_name}.{} is added NOT NULL without a DEFAULT: the \
                                 statement fails if {table_name} has any row",
                                column_def.name.value
                            ),
                        )
                        .help("give the column a DEFAULT, or add it nullable, backfill, then add the constraint"),
                    );
                }
            }
            _ => {}
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
        let sql = "CREATE TABLE n (a int);\nALTER TABLE n ALTER COLUMN a SET NOT NULL;\n\
                   ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';\n\
                   ALTER TABLE users ADD COLUMN seq bigserial NOT NULL;";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
        // Already NOT NULL in the schema: nothing changes.
        let catalog = users_catalog(Dialect::Postgres);
        let sql = "ALTER TABLE users ALTER COLUMN email SET NOT NULL";
        assert!(run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog)).is_empty());
        // Not in the schema: the statement fails on its own.
        let sql = "ALTER TABLE ghosts ALTER COLUMN a SET NOT NULL";
        assert!(run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog)).is_empty());
    }

    #[test]
    fn err() {
        let catalog = users_catalog(Dialect::Postgres);
        let sql = "ALTER TABLE users ALTER COLUMN name SET NOT NULL;\n\
                   ALTER TABLE users ADD COLUMN plan text NOT NULL;";
        let found = run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog));
        insta::assert_snapshot!(crate::render_text("migration.sql", &found));
    }
}
