//! statement.insert.row-limit: INSERT … VALUES inserts a bounded number of rows.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.insert.row-limit",
    code: 117,
    title: "INSERT must not insert more rows than the limit",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[OptionSpec {
        key: "max",
        description: "The most rows one INSERT … VALUES may insert.",
        default: DefaultValue::Int(1000),
    }],
    doc: Doc {
        problem: "One huge INSERT is one huge transaction: it holds its locks and its undo or \
                  WAL until the last row, delays replicas by its whole length, and a failure \
                  at the end rolls everything back. The rows of INSERT … SELECT are known \
                  only to the database and are not counted here.",
        fix: "Split the rows into batches of at most the limit, each its own statement. (The \
              examples below assume a limit of 2.)",
        // The examples hold with `max` set to 2.
        bad: "INSERT INTO t (a) VALUES (1), (2), (3);",
        good: "INSERT INTO t (a) VALUES (1), (2);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::Insert(insert) = statement else {
        return Vec::new();
    };
    let Some(source) = &insert.source else {
        return Vec::new();
    };
    let SetExpr::Values(values) = source.body.as_ref() else {
        return Vec::new();
    };
    let max = ctx.config.int("max");
    let rows = values.rows.len();
    if max <= 0 || rows as i64 <= max {
        return Vec::new();
    }
    vec![
        ctx.report_statement(format!(
            "INSERT into {} inserts {rows} rows in one statement, more than {max}",
            insert.table
        ))
        .help(format!("split it into statements of at most {max} rows")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            let found = run_with(
                &RULE,
                d,
                "INSERT INTO t (a) VALUES (1), (2); INSERT INTO t (a) SELECT a FROM u;",
                Some(r#"{"level": "WARNING", "max": 2}"#),
                None,
            );
            assert!(found.is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        let found = run_with(
            &RULE,
            Dialect::Postgres,
            "INSERT INTO t (a)\nVALUES (1), (2), (3);",
            Some(r#"{"level": "WARNING", "max": 2}"#),
            None,
        );
        insta::assert_snapshot!(crate::render_text("migration.sql", &found));
    }
}
