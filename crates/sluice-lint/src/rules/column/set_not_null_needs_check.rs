//! column.set-not-null-needs-check: SET NOT NULL only behind a validated
//! CHECK (PostgreSQL 12+).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.set-not-null-needs-check",
    code: 317,
    title: "SET NOT NULL needs a validated CHECK (col IS NOT NULL) first",
    engines: POSTGRES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "ALTER COLUMN … SET NOT NULL scans the whole table to prove no row holds NULL, \
                  under an ACCESS EXCLUSIVE lock that blocks every read and write of the table \
                  for the length of the scan. Since PostgreSQL 12 the scan is skipped when a \
                  validated CHECK (col IS NOT NULL) constraint already proves it. \
                  (statement.disallow-add-not-null forbids SET NOT NULL on existing tables \
                  outright; this rule allows it the safe way.)",
        fix: "Earlier in the script, or in an earlier change: ADD CONSTRAINT … CHECK (col IS \
              NOT NULL) NOT VALID (instant), then VALIDATE CONSTRAINT (a scan under SHARE \
              UPDATE EXCLUSIVE, which lets reads and writes go on), then SET NOT NULL, then \
              drop the check.",
        bad: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
        good: "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n\
               ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\n\
               ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
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
    let known = ctx.table(&alter.name);
    alter
        .operations
        .iter()
        .filter_map(|op| match op {
            AlterTableOperation::AlterColumn {
                column_name,
                op: AlterColumnOperation::SetNotNull,
            } => Some(column_name),
            _ => None,
        })
        .filter(|column| {
            // Already NOT NULL: a no-op. Not a column: fails on its own.
            let current = known.map(|t| ctx.schema.column(t, column));
            !matches!(current, Some(None))
                && current.flatten().is_none_or(|c| c.nullable)
                && !ctx.schema.has_validated_not_null_check(&alter.name, column)
        })
        .map(|column| {
            let c = &column.value;
            ctx.report(
                column.span,
                format!(
                    "SET NOT NULL on {table}.{c} scans every row under an ACCESS EXCLUSIVE lock \
                     on {table}, blocking all its reads and writes: no validated CHECK ({c} IS \
                     NOT NULL) lets PostgreSQL skip the scan"
                ),
            )
            .help(format!(
                "first ADD CONSTRAINT … CHECK ({c} IS NOT NULL) NOT VALID and VALIDATE CONSTRAINT \
                 it in a separate statement; SET NOT NULL then skips the scan (PostgreSQL 12+)"
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "ALTER TABLE t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL) NOT VALID;\n\
                   ALTER TABLE t VALIDATE CONSTRAINT t_a_nn;\n\
                   ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n\
                   ALTER TABLE t ADD CHECK (\"B\" IS NOT NULL);\n\
                   ALTER TABLE t ALTER COLUMN \"B\" SET NOT NULL;\n\
                   CREATE TABLE n (a int);\nALTER TABLE n ALTER COLUMN a SET NOT NULL;";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
        // A check in the schema counts; NOT NULL already, or no such column.
        let mut catalog = users_catalog(Dialect::Postgres);
        catalog.schemas[0].tables[0]
            .checks
            .push(sluice_schema::Check::new(Some("nn"), "(name IS NOT NULL)"));
        let sql = "ALTER TABLE users ALTER COLUMN name SET NOT NULL;\n\
                   ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n\
                   ALTER TABLE users ALTER COLUMN ghost SET NOT NULL;";
        assert!(run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog)).is_empty());
    }

    #[test]
    fn err() {
        // Not validated, dropped before use, or about another column.
        let sql = "ALTER TABLE t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL) NOT VALID;\n\
                   ALTER TABLE t ALTER COLUMN a SET NOT NULL;\n\
                   ALTER TABLE t ADD CONSTRAINT t_b_nn CHECK (b IS NOT NULL);\n\
                   ALTER TABLE t DROP CONSTRAINT t_b_nn;\n\
                   ALTER TABLE t ALTER COLUMN b SET NOT NULL,\n  ALTER COLUMN c SET NOT NULL;";
        insta::assert_snapshot!(text(&RULE, Dialect::Postgres, sql));
    }
}
