//! statement.disallow-add-column-with-default: no ADD COLUMN … DEFAULT on
//! an existing table (PostgreSQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.disallow-add-column-with-default",
    code: 118,
    title: "Columns added to existing tables must not have a DEFAULT",
    engines: POSTGRES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "ALTER TABLE … ADD COLUMN takes an ACCESS EXCLUSIVE lock on the table, which \
                  blocks every SELECT, INSERT, UPDATE and DELETE on it. With a DEFAULT, \
                  PostgreSQL before 11 (and any version, for a volatile default) rewrites the \
                  whole table while holding that lock; since 11 a constant default is only \
                  recorded, but the same script then behaves very differently on an old \
                  server.",
        fix: "Add the column without a default, then set the default in a separate \
              statement (it applies to new rows) and backfill existing rows in batches.",
        bad: "ALTER TABLE users ADD COLUMN plan text DEFAULT 'free';",
        good: "ALTER TABLE users ADD COLUMN plan text;\n\
               ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free';",
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
    let table = display_name(&alter.name);
    alter
        .operations
        .iter()
        .filter_map(|op| {
            let AlterTableOperation::AddColumn { column_def, .. } = op else {
                return None;
            };
            let default = column_def.options.iter().find_map(|o| match &o.option {
                ColumnOption::Default(e) => Some(e),
                _ => None,
            })?;
            Some(
                ctx.report(
                    default.span(),
                    format!(
                        "adding column {} to {table} with DEFAULT {default} holds an ACCESS EXCLUSIVE lock on {table} \
                         (blocking all reads and writes of it) and, before PostgreSQL 11 or for a volatile default, \
                         rewrites the whole table while holding it",
                        column_def.name.value
                    ),
                )
                .help(format!(
                    "add the column without a default, then ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT {default}, \
                     and backfill existing rows in batches",
                    column_def.name.value
                )),
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
        let sql = "ALTER TABLE t ADD COLUMN a int; CREATE TABLE n (id int);\
                   ALTER TABLE n ADD COLUMN b int DEFAULT 0;";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "ALTER TABLE users\n  ADD COLUMN plan text NOT NULL DEFAULT 'free';"
        ));
    }
}
