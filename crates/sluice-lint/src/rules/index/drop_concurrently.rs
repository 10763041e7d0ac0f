//! index.drop-concurrently: drop indexes of live tables concurrently.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "index.drop-concurrently",
    code: 508,
    title: "Drop indexes of existing tables CONCURRENTLY",
    engines: POSTGRES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's \
                  table: every read and write of the table waits, first for the running \
                  transactions on it to end, then for the drop. On a busy table the wait alone \
                  stalls the application.",
        fix: "Use DROP INDEX CONCURRENTLY, which waits for running transactions without \
              blocking new ones. It cannot run inside a transaction block (or drop several \
              indexes at once, or CASCADE), so ship it as its own change. Indexes of tables \
              created in the same change are exempt.",
        bad: "DROP INDEX idx_orders_user_id;",
        good: "DROP INDEX CONCURRENTLY idx_orders_user_id;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::Drop {
        object_type: ObjectType::Index,
        names,
        table,
        ..
    } = statement
    else {
        return Vec::new();
    };
    if crate::engine::drop_index_concurrently(ctx.source.text).is_some() {
        return Vec::new();
    }
    names
        .iter()
        .filter(|name| {
            ctx.schema
                .index_table_state(name, table.as_ref())
                .may_have_rows()
        })
        .map(|name| {
            let index = display_name(name);
            ctx.report_at_name(
                name,
                format!(
                    "dropping index {index} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock \
                     on its table: every read and write of the table is blocked until the drop \
                     ends"
                ),
            )
            .help(format!(
                "use DROP INDEX CONCURRENTLY {index}, alone and outside a transaction block (as its own change)"
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
        let sql = "DROP INDEX CONCURRENTLY i;\n\
                   CREATE TABLE n (a int);\nCREATE INDEX j ON n (a);\nDROP INDEX j;";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
        // With a schema, an index no table has is not there to drop.
        let catalog = users_catalog(Dialect::Postgres);
        let sql = "DROP INDEX IF EXISTS ghost_idx";
        assert!(run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog)).is_empty());
    }

    #[test]
    fn err() {
        // The index is built on an existing table earlier in the script.
        let catalog = users_catalog(Dialect::Postgres);
        let sql = "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);\n\n\
                   DROP INDEX\n  idx_users_email;";
        let found = run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog));
        insta::assert_snapshot!(crate::render_text("migration.sql", &found));
    }
}
