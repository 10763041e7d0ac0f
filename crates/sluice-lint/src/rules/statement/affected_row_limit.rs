//! statement.affected-row-limit: UPDATE and DELETE touch a bounded number
//! of rows (asks the database).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.affected-row-limit",
    code: 124,
    title: "UPDATE and DELETE must not affect more rows than the limit",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[OptionSpec {
        key: "max",
        description: "The most rows one UPDATE, DELETE or INSERT … SELECT may affect, by the \
                      planner's estimate.",
        default: DefaultValue::Int(1000),
    }],
    doc: Doc {
        problem: "An UPDATE or DELETE that touches millions of rows is one huge transaction: it \
                  holds row locks on all of them until it ends, so every write to those rows \
                  waits, it bloats the undo log or WAL and delays replicas by its whole length, \
                  and a failure at the end rolls everything back. How many rows a WHERE clause \
                  matches is known only to the database: the rule asks its planner (EXPLAIN) \
                  when a connection is at hand, as in the server's plan checks, and checks \
                  nothing otherwise (`sluice lint` without one). Tables created in the same \
                  script are not asked about.",
        fix: "Change the rows in batches of at most the limit (by primary key ranges), each \
              its own statement and transaction.",
        bad: "DELETE FROM events WHERE created_at < '2024-01-01';",
        good: "DELETE FROM events WHERE id BETWEEN 1 AND 1000;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Some(estimator) = ctx.estimator else {
        return Vec::new();
    };
    let (verb, table) = match statement {
        Statement::Update(update) => match &update.table.relation {
            TableFactor::Table { name, .. } => ("UPDATE of", name),
            _ => return Vec::new(),
        },
        Statement::Delete(delete) => {
            let tables = match &delete.from {
                FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
            };
            match tables.first().map(|t| &t.relation) {
                Some(TableFactor::Table { name, .. }) => ("DELETE from", name),
                _ => return Vec::new(),
            }
        }
        Statement::Insert(insert) => match &insert.source {
            Some(q) if !matches!(q.body.as_ref(), SetExpr::Values(_)) => {
                let TableObject::TableName(name) = &insert.table else {
                    return Vec::new();
                };
                ("INSERT … SELECT into", name)
            }
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    // A table the script creates does not exist for the planner yet.
    if ctx.table_state(table) == crate::TableState::New {
        return Vec::new();
    }
    let max = ctx.config.int("max");
    let Some(rows) = estimator.estimate_rows(ctx.source.text) else {
        return Vec::new();
    };
    if max <= 0 || rows as i64 <= max {
        return Vec::new();
    }
    vec![
        ctx.report_statement(format!(
            "{verb} {} affects about {rows} rows (planner estimate), more than {max}: it holds \
             row locks on all of them until it commits, blocking writes to those rows",
            display_name(table)
        ))
        .help(format!(
            "change the rows in batches of at most {max} (for example by primary key ranges), \
             one statement each"
        )),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "DELETE FROM events WHERE created_at < now();\nUPDATE t SET a = 1;";
        // Without a connection: not checked.
        for d in Dialect::ALL {
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
        // Under the limit, on a new table, or when the planner cannot say.
        let db = FakeDb::rows(10);
        assert!(run_live(&RULE, Dialect::Postgres, sql, &db).is_empty());
        let db = FakeDb::rows(1_000_000);
        let sql = "CREATE TABLE n (a int);\nDELETE FROM n WHERE a > 0;\nINSERT INTO t VALUES (1);";
        assert!(run_live(&RULE, Dialect::Postgres, sql, &db).is_empty());
        let db = FakeDb::unknown();
        assert!(run_live(&RULE, Dialect::Postgres, "DELETE FROM t", &db).is_empty());
    }

    #[test]
    fn err() {
        let db = FakeDb::rows(250_000);
        let sql = "DELETE FROM events\n WHERE created_at < now() - interval '90 days';\n\
                   UPDATE users SET plan = 'free' WHERE plan IS NULL;\n\
                   INSERT INTO archive SELECT * FROM events;";
        let found = run_live(&RULE, Dialect::Postgres, sql, &db);
        insta::assert_snapshot!(crate::render_text("migration.sql", &found));
    }
}
