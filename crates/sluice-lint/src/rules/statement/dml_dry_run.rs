//! statement.dml-dry-run: the database accepts each DML statement (asks the
//! database).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.dml-dry-run",
    code: 125,
    title: "INSERT, UPDATE and DELETE must pass a dry run",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "A statement that parses can still fail on the database: a table or column \
                  that does not exist there, a type mismatch, a missing permission. A failure \
                  halfway through a change leaves it to be resumed by hand. The rule asks the \
                  database to plan each INSERT, UPDATE and DELETE without running it (EXPLAIN) \
                  when a connection is at hand, as in the server's plan checks, and checks \
                  nothing otherwise (`sluice lint` without one). Statements on tables the \
                  script creates are not asked about: they do not exist yet.",
        fix: "Fix what the database reports (the names, the types, the grants) before the \
              change runs.",
        bad: "UPDATE ghosts SET seen = true WHERE id = 1;",
        good: "UPDATE users SET seen = true WHERE id = 1;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Some(estimator) = ctx.estimator else {
        return Vec::new();
    };
    let (verb, table) = match statement {
        Statement::Update(update) => (
            "UPDATE",
            match &update.table.relation {
                TableFactor::Table { name, .. } => Some(name),
                _ => None,
            },
        ),
        Statement::Delete(delete) => {
            let tables = match &delete.from {
                FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
            };
            (
                "DELETE",
                match tables.first().map(|t| &t.relation) {
                    Some(TableFactor::Table { name, .. }) => Some(name),
                    _ => None,
                },
            )
        }
        Statement::Insert(insert) => (
            "INSERT",
            match &insert.table {
                TableObject::TableName(name) => Some(name),
                _ => None,
            },
        ),
        _ => return Vec::new(),
    };
    // Tables the script creates do not exist for the database yet.
    if table.is_some_and(|t| ctx.table_state(t) == crate::TableState::New) {
        return Vec::new();
    }
    match estimator.explain(ctx.source.text) {
        Ok(()) => Vec::new(),
        Err(message) => {
            let on = table
                .map(|t| format!(" on {}", display_name(t)))
                .unwrap_or_default();
            vec![
                ctx.report_statement(format!(
                    "the database refuses this {verb}{on} in a dry run: {message}"
                ))
                .help("fix the statement so that the database accepts it before the change runs"),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "UPDATE ghosts SET a = 1 WHERE id = 1;";
        // Without a connection: not checked.
        for d in Dialect::ALL {
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
        // Accepted, or on a table the script creates first, or not DML.
        let db = FakeDb::missing_ghosts();
        let sql = "UPDATE users SET a = 1 WHERE id = 1;\nCREATE TABLE ghosts (a int);\n\
                   INSERT INTO ghosts (a) VALUES (1);\nSELECT * FROM ghosts_view;";
        assert!(run_live(&RULE, Dialect::Postgres, sql, &db).is_empty());
    }

    #[test]
    fn err() {
        let db = FakeDb::missing_ghosts();
        let sql = "INSERT INTO users (id) VALUES (1);\n\
                   DELETE FROM ghosts\n WHERE id = 1;";
        let found = run_live(&RULE, Dialect::Postgres, sql, &db);
        insta::assert_snapshot!(crate::render_text("migration.sql", &found));
    }
}
