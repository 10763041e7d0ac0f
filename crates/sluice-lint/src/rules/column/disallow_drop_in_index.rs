//! column.disallow-drop-in-index: no dropping a column an index uses.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.disallow-drop-in-index",
    code: 313,
    title: "Columns used by an index must not be dropped",
    engines: ALL_ENGINES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "Dropping a column takes its indexes with it: PostgreSQL drops every index on \
                  the column, MySQL silently narrows a multi-column index to the remaining \
                  columns (which may make a unique key reject rows it accepted before), and \
                  SQLite refuses. The queries that relied on the index slow down at once.",
        fix: "Drop or replace the index deliberately first, in its own change, then drop the \
              column.",
        bad: "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n\
              CREATE INDEX idx_users_email ON users (email);\n\
              ALTER TABLE users DROP COLUMN email;",
        good: "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n\
               CREATE INDEX idx_users_email ON users (email);\n\
               DROP INDEX idx_users_email;\n\
               ALTER TABLE users DROP COLUMN email;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::AlterTable(alter) = statement else {
        return Vec::new();
    };
    let Some(table) = ctx.table(&alter.name) else {
        return Vec::new();
    };
    let same = |a: &str, b: &str| match ctx.dialect {
        Dialect::Postgres => a == b,
        _ => a.eq_ignore_ascii_case(b),
    };
    let mut out = Vec::new();
    for op in &alter.operations {
        let AlterTableOperation::DropColumn { column_names, .. } = op else {
            continue;
        };
        for column in column_names {
            let name = ctx.schema.ident(column);
            let mut users: Vec<String> = Vec::new();
            if let Some(pk) = &table.primary_key
                && pk.columns.iter().any(|c| same(c, &name))
            {
                users.push("the primary key".to_string());
            }
            for u in &table.uniques {
                if u.columns.iter().any(|c| same(c, &name)) {
                    users.push(format!(
                        "unique constraint {}",
                        u.name.as_deref().unwrap_or("(unnamed)")
                    ));
                }
            }
            for ix in &table.indexes {
                if ix.parts.iter().any(|p| match &p.key {
                    sluice_schema::IndexKey::Column(c) => same(c, &name),
                    sluice_schema::IndexKey::Expression(e) => e.contains(&name),
                }) {
                    users.push(format!("index {}", ix.name));
                }
            }
            if users.is_empty() {
                continue;
            }
            let effect = match ctx.dialect {
                Dialect::Postgres => "PostgreSQL drops them along with the column",
                Dialect::Mysql => {
                    "MySQL removes the column from each of them and drops those left empty"
                }
                Dialect::Sqlite => "SQLite refuses to drop the column",
            };
            out.push(
                ctx.report(
                    column.span,
                    format!(
                        "column {} of {} is used by {}: {effect}",
                        column.value,
                        display_name(&alter.name),
                        users.join(", ")
                    ),
                )
                .help("drop or replace the index in its own change first, then drop the column"),
            );
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
        for d in Dialect::ALL {
            let sql = "CREATE TABLE t (id int PRIMARY KEY, a int, b int);\
                       CREATE INDEX ix_t_a ON t (a); ALTER TABLE t DROP COLUMN b;";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (id int, a int, b int, PRIMARY KEY (id), UNIQUE KEY uk_t_a_b (a, b));\n\
             ALTER TABLE t DROP COLUMN b;"
        ));
    }

    #[test]
    fn against_the_given_schema() {
        let catalog = users_catalog(Dialect::Postgres);
        insta::assert_snapshot!(crate::render_text(
            "migration.sql",
            &run_with(
                &RULE,
                Dialect::Postgres,
                "ALTER TABLE users DROP COLUMN id, DROP COLUMN name;",
                None,
                Some(&catalog)
            )
        ));
    }
}
