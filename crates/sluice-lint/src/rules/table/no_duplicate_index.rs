//! table.no-duplicate-index: no index that repeats another's columns.

use crate::rules::index::keys_of;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "table.no-duplicate-index",
    code: 207,
    title: "Indexes must not duplicate another index of the table",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Two indexes on the same columns in the same order do the same job: the \
                  planner uses one, and every INSERT, UPDATE and DELETE pays to maintain both, \
                  with twice the disk and buffer cache. A plain index on the columns of a \
                  unique constraint or primary key is such a duplicate too.",
        fix: "Drop the new index, or give it a different column list that serves a query \
              the existing index cannot.",
        bad: "CREATE TABLE orders (id bigint, user_id bigint, \
              CONSTRAINT uk_orders_user_id UNIQUE (user_id));\n\
              CREATE INDEX idx_orders_user_id ON orders (user_id);",
        good: "CREATE TABLE orders (id bigint, user_id bigint, \
               CONSTRAINT uk_orders_user_id UNIQUE (user_id));\n\
               CREATE INDEX idx_orders_user_id_id ON orders (user_id, id);",
    },
    check,
};

/// An index or key the table has: its label for messages, its columns as
/// stored, and whether it is unique.
struct Known {
    label: String,
    columns: Vec<String>,
    unique: bool,
}

fn fold(dialect: Dialect, s: &str) -> String {
    match dialect {
        Dialect::Postgres => s.to_string(),
        _ => s.to_ascii_lowercase(),
    }
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let keys = keys_of(statement);
    let Some(first) = keys.first() else {
        return Vec::new();
    };
    let d = ctx.dialect;
    let mut known = Vec::new();
    // A CREATE TABLE starts from nothing; anything else from the table as
    // the workspace knows it.
    if !matches!(statement, Statement::CreateTable(_))
        && let Some(table) = ctx.table(first.table)
    {
        if let Some(pk) = &table.primary_key {
            known.push(Known {
                label: "the primary key".to_string(),
                columns: pk.columns.iter().map(|c| fold(d, c)).collect(),
                unique: true,
            });
        }
        for u in &table.uniques {
            known.push(Known {
                label: format!("unique constraint {}", u.name.as_deref().unwrap_or("")),
                columns: u.columns.iter().map(|c| fold(d, c)).collect(),
                unique: true,
            });
        }
        for ix in &table.indexes {
            let columns: Option<Vec<String>> = ix
                .parts
                .iter()
                .map(|p| match &p.key {
                    sluice_schema::IndexKey::Column(c) => Some(fold(d, c)),
                    sluice_schema::IndexKey::Expression(_) => None,
                })
                .collect();
            if let Some(columns) = columns {
                let kind = if ix.unique { "unique index" } else { "index" };
                known.push(Known {
                    label: format!("{kind} {}", ix.name),
                    columns,
                    unique: ix.unique,
                });
            }
        }
    }
    let mut out = Vec::new();
    for key in keys {
        if key.what.starts_with("foreign key") {
            continue;
        }
        let Some(columns) = key
            .columns
            .iter()
            .map(|c| c.map(|i| fold(d, &ctx.schema.ident(i))))
            .collect::<Option<Vec<String>>>()
        else {
            continue;
        };
        let unique = key.what.starts_with("unique") || key.what.starts_with("primary");
        // A unique key over the columns of a plain index adds the
        // constraint, so it is not a duplicate; the reverse is.
        if let Some(same) = known
            .iter()
            .find(|k| k.columns == columns && (k.unique || !unique))
        {
            let span = key.name.map_or(key.table.span(), |n| n.span);
            out.push(
                ctx.report(
                    span,
                    format!(
                        "{} on {} ({}) has the same columns as {}",
                        key.what,
                        display_name(key.table),
                        columns.join(", "),
                        same.label.trim_end()
                    ),
                )
                .help(format!(
                    "drop it: {} already serves the same lookups and writes would maintain both",
                    same.label.trim_end()
                )),
            );
            continue;
        }
        known.push(Known {
            label: key.what.clone(),
            columns,
            unique,
        });
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
            let sql = "CREATE TABLE t (a int, b int, PRIMARY KEY (a));\
                       CREATE INDEX ix_t_b ON t (b); CREATE INDEX ix_t_b_a ON t (b, a);\
                       CREATE INDEX ix_t_a_b ON t (a, b); CREATE INDEX ix_t_lower ON t (lower(b));";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
        // A unique index over a plain index's columns adds a constraint.
        let sql =
            "CREATE TABLE t (a int); CREATE INDEX ix ON t (a); CREATE UNIQUE INDEX uk ON t (a);";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE t (a int, b int, PRIMARY KEY (a), CONSTRAINT uk_t_b UNIQUE (b), CONSTRAINT uk_t_b2 UNIQUE (b));\n\
             CREATE INDEX ix_t_a ON t (a);\n\
             CREATE INDEX ix_t_a_b ON t (a, b);\n\
             CREATE INDEX ix_t_a_b_again ON t (a, b);"
        ));
    }

    #[test]
    fn against_the_given_schema() {
        let catalog = users_catalog(Dialect::Mysql);
        let found = run_with(
            &RULE,
            Dialect::Mysql,
            "CREATE INDEX idx_users_id ON users (ID);",
            None,
            Some(&catalog),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "index idx_users_id on users (id) has the same columns as the primary key"
        );
    }
}
