//! column.disallow-change-type: column types do not change.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.disallow-change-type",
    code: 305,
    title: "Changing a column's type is not allowed",
    engines: POSTGRES_MYSQL,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "Changing a column's type usually rewrites the whole table and its indexes \
                  under a lock that blocks reads and writes (PostgreSQL ACCESS EXCLUSIVE; MySQL \
                  COPY algorithm), and running code that reads the old type may break or \
                  silently truncate.",
        fix: "Add a new column of the new type, backfill it in batches, switch the code over, \
              then drop the old column.",
        bad: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);",
        good: "ALTER TABLE orders ADD COLUMN total_v2 numeric(14, 2);",
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
    let table = ctx.table(&alter.name);
    let mut out = Vec::new();
    for op in &alter.operations {
        let (column, new_type, explicit) = match op {
            AlterTableOperation::AlterColumn {
                column_name,
                op: AlterColumnOperation::SetDataType { data_type, .. },
            } => (column_name, data_type, true),
            // CHANGE and MODIFY restate the whole column: only a type that
            // differs from the known one is a type change.
            AlterTableOperation::ModifyColumn {
                col_name,
                data_type,
                ..
            } => (col_name, data_type, false),
            AlterTableOperation::ChangeColumn {
                old_name,
                data_type,
                ..
            } => (old_name, data_type, false),
            _ => continue,
        };
        let new_type = new_type.to_string();
        let current = table.and_then(|t| ctx.schema.column(t, column));
        let old_type = match current {
            Some(c) if same_type(&c.data_type, &new_type) => continue,
            Some(c) => Some(c.data_type.clone()),
            None if explicit => None,
            None => continue,
        };
        let from = old_type.map(|t| format!(" from {t}")).unwrap_or_default();
        let lock = match ctx.dialect {
            Dialect::Postgres => format!(
                "rewrites {table_name} and its indexes under an ACCESS EXCLUSIVE lock: all reads \
                 and writes of {table_name} wait until it is done"
            ),
            _ => format!(
                "copies {table_name} (ALGORITHM=COPY): writes to {table_name} are blocked until it is done"
            ),
        };
        out.push(
            ctx.report(
                column.span,
                format!(
                    "changing the type of {table_name}.{}{from} to {new_type} {lock}",
                    column.value
                ),
            )
            .help("add a new column of the new type, backfill it in batches, switch the code, then drop the old one"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let catalog = users_catalog(Dialect::Mysql);
        // MODIFY that keeps the type only changes other attributes.
        let sql = "ALTER TABLE users MODIFY COLUMN email VARCHAR(255) NULL";
        assert!(run_with(&RULE, Dialect::Mysql, sql, None, Some(&catalog)).is_empty());
        let sql = "CREATE TABLE n (a int);\nALTER TABLE n ALTER COLUMN a TYPE bigint;";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        let catalog = users_catalog(Dialect::Postgres);
        let sql = "ALTER TABLE users ALTER COLUMN email TYPE text;";
        let found = run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog));
        insta::assert_snapshot!(crate::render_text("migration.sql", &found));
        let catalog = users_catalog(Dialect::Mysql);
        let sql = "ALTER TABLE users CHANGE COLUMN id id int NOT NULL";
        let found = run_with(&RULE, Dialect::Mysql, sql, None, Some(&catalog));
        insta::assert_snapshot!("mysql", crate::render_text("migration.sql", &found));
    }
}
