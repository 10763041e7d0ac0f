//! index.create-concurrently: build indexes on live tables concurrently.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "index.create-concurrently",
    code: 503,
    title: "Create indexes on existing tables CONCURRENTLY",
    engines: POSTGRES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "CREATE INDEX without CONCURRENTLY takes a SHARE lock on the table for the \
                  whole build: every INSERT, UPDATE and DELETE on it waits, for minutes on a \
                  large table. Reads go on.",
        fix: "Use CREATE INDEX CONCURRENTLY. It builds without blocking writes, but cannot run \
              inside a transaction block, so run it as its own change; if it fails, drop the \
              INVALID index it leaves and retry. Tables created in the same change are empty \
              and exempt.",
        bad: "CREATE INDEX idx_orders_user_id ON orders (user_id);",
        good: "CREATE INDEX CONCURRENTLY idx_orders_user_id ON orders (user_id);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateIndex(create) = statement else {
        return Vec::new();
    };
    if create.concurrently || !ctx.table_state(&create.table_name).may_have_rows() {
        return Vec::new();
    }
    let table = display_name(&create.table_name);
    let index = create
        .name
        .as_ref()
        .map(|n| format!("index {}", display_name(n)))
        .unwrap_or_else(|| "an index".to_string());
    vec![
        ctx.report_statement(format!(
            "creating {index} without CONCURRENTLY takes a SHARE lock on {table}: INSERT, UPDATE \
             and DELETE on {table} are blocked until the index is built"
        ))
        .help("use CREATE INDEX CONCURRENTLY, outside a transaction block (as its own change)"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE INDEX CONCURRENTLY i ON t (a);\n\
                   CREATE TABLE n (a int);\nCREATE INDEX j ON n (a);";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
        // With a schema, a table that does not exist is not "live".
        let catalog = users_catalog(Dialect::Postgres);
        let sql = "CREATE INDEX i ON ghosts (a)";
        assert!(run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog)).is_empty());
    }

    #[test]
    fn err() {
        let catalog = users_catalog(Dialect::Postgres);
        let sql =
            "CREATE TABLE n (a int);\n\nCREATE UNIQUE INDEX uk_users_email\n  ON users (email);";
        let found = run_with(&RULE, Dialect::Postgres, sql, None, Some(&catalog));
        insta::assert_snapshot!(crate::render_text("migration.sql", &found));
    }
}
