//! schema.backward-compatibility: do not break what running code uses.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "schema.backward-compatibility",
    code: 601,
    title: "Changes must stay compatible with running code",
    engines: ALL_ENGINES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "During a rollout the old version of the application keeps running against \
                  the new schema. Dropping or renaming a table or column it uses, or changing a \
                  column's type, makes its queries fail until every instance is replaced, and \
                  rolling the code back does not bring the data back.",
        fix: "Expand, then contract: add the new table or column, deploy code that uses it, \
              and drop the old one in a later change once nothing reads it.",
        bad: "ALTER TABLE users DROP COLUMN nickname;",
        good: "ALTER TABLE users ADD COLUMN display_name text;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let help = "expand, then contract: add the new object, move the code over, and remove the old one in a later change";
    match statement {
        Statement::Drop {
            object_type: object_type @ (ObjectType::Table | ObjectType::View),
            names,
            ..
        } => {
            for name in names {
                if ctx.table_state(name).may_have_rows() {
                    out.push(
                        ctx.report_at_name(
                            name,
                            format!(
                                "dropping {} {} breaks running code that still uses it",
                                object_type.to_string().to_lowercase(),
                                display_name(name)
                            ),
                        )
                        .help(help),
                    );
                }
            }
        }
        Statement::RenameTable(renames) => {
            for r in renames {
                if ctx.table_state(&r.old_name).may_have_rows() {
                    out.push(
                        ctx.report_at_name(
                            &r.old_name,
                            format!(
                                "renaming table {} to {} breaks running code that uses the old name",
                                display_name(&r.old_name),
                                display_name(&r.new_name)
                            ),
                        )
                        .help(help),
                    );
                }
            }
        }
        Statement::AlterTable(alter) => {
            let state = ctx.table_state(&alter.name);
            if !state.may_have_rows() {
                return out;
            }
            let table_name = display_name(&alter.name);
            let table = ctx.table(&alter.name);
            // With a known table, only columns it has count; unknown
            // tables are assumed to have them.
            let exists = |c: &Ident| table.is_none_or(|t| ctx.schema.column(t, c).is_some());
            for op in &alter.operations {
                let (span, message) = match op {
                    AlterTableOperation::DropColumn { column_names, .. } => {
                        for c in column_names.iter().filter(|c| exists(c)) {
                            out.push(
                                ctx.report(
                                    c.span,
                                    format!(
                                        "dropping column {table_name}.{} breaks running code that still reads or writes it",
                                        c.value
                                    ),
                                )
                                .help(help),
                            );
                        }
                        continue;
                    }
                    AlterTableOperation::RenameColumn {
                        old_column_name,
                        new_column_name,
                    } if exists(old_column_name) => (
                        old_column_name.span,
                        format!(
                            "renaming column {table_name}.{} to {} breaks running code that uses the old name",
                            old_column_name.value, new_column_name.value
                        ),
                    ),
                    AlterTableOperation::ChangeColumn {
                        old_name, new_name, ..
                    } if exists(old_name)
                        && ctx.schema.ident(old_name) != ctx.schema.ident(new_name) =>
                    {
                        (
                            old_name.span,
                            format!(
                                "renaming column {table_name}.{} to {} breaks running code that uses the old name",
                                old_name.value, new_name.value
                            ),
                        )
                    }
                    AlterTableOperation::RenameTable {
                        table_name: RenameTableNameKind::As(new) | RenameTableNameKind::To(new),
                    } => (
                        new.span(),
                        format!(
                            "renaming table {table_name} to {} breaks running code that uses the old name",
                            display_name(new)
                        ),
                    ),
                    AlterTableOperation::AlterColumn {
                        column_name,
                        op: AlterColumnOperation::SetDataType { data_type, .. },
                    } if exists(column_name) => {
                        let current = table.and_then(|t| ctx.schema.column(t, column_name));
                        if current.is_some_and(|c| same_type(&c.data_type, &data_type.to_string()))
                        {
                            continue;
                        }
                        (
                            column_name.span,
                            format!(
                                "changing the type of {table_name}.{} to {data_type} can break running code that reads or writes it",
                                column_name.value
                            ),
                        )
                    }
                    _ => continue,
                };
                out.push(ctx.report(span, message).help(help));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE n (a int, b int);\nALTER TABLE n DROP COLUMN a;\n\
                   ALTER TABLE n RENAME COLUMN b TO c;\nDROP TABLE n;";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
        // With a schema, what does not exist cannot break anything.
        let catalog = users_catalog(Dialect::Postgres);
        let sql = "ALTER TABLE users DROP COLUMN IF EXISTS ghost;\nDROP TABLE IF EXISTS ghosts;\n\
                   ALTER TABLE users ALTER COLUMN email TYPE varchar(255);";
        assert!(run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog)).is_empty());
    }

    #[test]
    fn err() {
        let catalog = users_catalog(Dialect::Postgres);
        let sql = "ALTER TABLE users RENAME COLUMN name TO full_name;\n\
                   ALTER TABLE users DROP COLUMN email, ALTER COLUMN id TYPE int;\n\
                   ALTER TABLE users RENAME TO members;\nDROP TABLE members;";
        let found = run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog));
        insta::assert_snapshot!(crate::render_text("migration.sql", &found));
    }
}
