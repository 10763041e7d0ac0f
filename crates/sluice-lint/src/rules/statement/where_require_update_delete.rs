//! statement.where.require-update-delete: UPDATE and DELETE need a WHERE.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.where.require-update-delete",
    code: 101,
    title: "UPDATE and DELETE must have a WHERE clause",
    engines: ALL_ENGINES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "An UPDATE or DELETE without WHERE changes every row of the table. It is \
                  almost always a mistake (a condition lost in an edit), and in production it \
                  cannot be undone without a restore.",
        fix: "Add the WHERE clause that selects the rows to change. To change every row on \
              purpose, say so with `WHERE true`.",
        bad: "DELETE FROM orders;",
        good: "DELETE FROM orders WHERE created_at < '2020-01-01';",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let (verb, table, effect) = match statement {
        Statement::Update(update) if update.selection.is_none() => (
            "UPDATE",
            update.table.relation.to_string(),
            "changes every row",
        ),
        Statement::Delete(delete) if delete.selection.is_none() && delete.using.is_none() => {
            let tables = match &delete.from {
                FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
            };
            let table = tables
                .first()
                .map(|t| t.relation.to_string())
                .unwrap_or_default();
            ("DELETE", table, "deletes every row")
        }
        _ => return Vec::new(),
    };
    vec![
        ctx.report_statement(format!("{verb} of {table} has no WHERE clause: it {effect}"))
            .help("add a WHERE clause selecting the rows to change; write WHERE true if every row is meant"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            assert!(run(&RULE, d, "UPDATE t SET a = 1 WHERE id = 2").is_empty());
            assert!(run(&RULE, d, "DELETE FROM t WHERE id = 2").is_empty());
            assert!(run(&RULE, d, "UPDATE t SET a = 1 WHERE true").is_empty());
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "SELECT 1;\nUPDATE accounts SET balance = 0;\n  DELETE FROM sessions;"
        ));
        assert_eq!(run(&RULE, Dialect::Mysql, "DELETE FROM t").len(), 1);
    }
}
