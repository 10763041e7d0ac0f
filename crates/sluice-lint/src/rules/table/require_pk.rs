//! table.require-pk: every table has a primary key.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "table.require-pk",
    code: 201,
    title: "Tables must have a primary key",
    engines: ALL_ENGINES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "A table without a primary key has no reliable way to address one row: updates \
                  and deletes by value can hit duplicates, logical replication (PostgreSQL) and \
                  row-based tools cannot apply changes, and InnoDB adds a hidden key you cannot use.",
        fix: "Declare a primary key, usually a bigint identity or a natural unique key.",
        bad: "CREATE TABLE events (kind text, payload text);",
        good: "CREATE TABLE events (id bigint PRIMARY KEY, kind text, payload text);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    match statement {
        Statement::CreateTable(create) => {
            // CREATE TABLE … AS and LIKE take their columns from elsewhere.
            if create.query.is_some() || create.like.is_some() || create.clone.is_some() {
                return Vec::new();
            }
            let has_pk = create.constraints.iter().any(|c| {
                matches!(
                    c,
                    TableConstraint::PrimaryKey(_) | TableConstraint::PrimaryKeyUsingIndex(_)
                )
            }) || create.columns.iter().any(|c| {
                c.options
                    .iter()
                    .any(|o| matches!(o.option, ColumnOption::PrimaryKey(_)))
            });
            if has_pk {
                return Vec::new();
            }
            let table = display_name(&create.name);
            vec![
                ctx.report_at_name(&create.name, format!("table {table} has no primary key"))
                    .help("declare a PRIMARY KEY, e.g. id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
            ]
        }
        Statement::AlterTable(alter) => {
            let table = display_name(&alter.name);
            let pk_name = ctx
                .table(&alter.name)
                .and_then(|t| t.primary_key.as_ref())
                .and_then(|pk| pk.name.clone());
            alter
                .operations
                .iter()
                .filter_map(|op| {
                    let span = match op {
                        AlterTableOperation::DropPrimaryKey { .. } => alter.name.span(),
                        AlterTableOperation::DropConstraint { name, .. }
                            if pk_name.as_deref() == Some(ctx.schema.ident(name).as_str()) =>
                        {
                            name.span
                        }
                        _ => return None,
                    };
                    Some(
                        ctx.report(
                            span,
                            format!("the statement drops the primary key of {table}"),
                        )
                        .help("keep a primary key: add the new one in the same ALTER TABLE"),
                    )
                })
                .filter(|_| {
                    !alter.operations.iter().any(|op| {
                        matches!(
                            op,
                            AlterTableOperation::AddConstraint {
                                constraint: TableConstraint::PrimaryKey(_),
                                ..
                            }
                        )
                    })
                })
                .collect()
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
            assert!(run(&RULE, d, "CREATE TABLE t (id int PRIMARY KEY)").is_empty());
            assert!(
                run(
                    &RULE,
                    d,
                    "CREATE TABLE t (a int, b int, PRIMARY KEY (a, b))"
                )
                .is_empty()
            );
            assert!(run(&RULE, d, "CREATE TABLE t AS SELECT 1 AS a").is_empty());
        }
        let sql = "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b)";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE\n  audit.log (msg text);"
        ));
        let catalog = users_catalog(Dialect::Postgres);
        let sql = "ALTER TABLE users DROP CONSTRAINT users_pkey";
        let found = run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog));
        insta::assert_snapshot!("drop", crate::render_text("migration.sql", &found));
        assert_eq!(
            run(&RULE, Dialect::Mysql, "ALTER TABLE t DROP PRIMARY KEY").len(),
            1
        );
    }
}
