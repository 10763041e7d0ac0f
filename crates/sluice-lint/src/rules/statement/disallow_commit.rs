//! statement.disallow-commit: the runner owns the transaction.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.disallow-commit",
    code: 105,
    title: "COMMIT is not allowed",
    engines: ALL_ENGINES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "Sluice runs a change in a transaction where the engine allows it and records \
                  it in the same transaction. A COMMIT in the script ends that transaction \
                  early: a failure after it leaves half a change applied and recorded as failed.",
        fix: "Remove the COMMIT; split the change into separate changes if parts must commit \
              on their own.",
        bad: "UPDATE accounts SET plan = 'free' WHERE plan = 'trial';\nCOMMIT;",
        good: "UPDATE accounts SET plan = 'free' WHERE plan = 'trial';",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    match statement {
        Statement::Commit { .. } => vec![
            ctx.report_statement("COMMIT ends the transaction the change runs in")
                .help("remove it; split the change into separate changes if parts must commit on their own"),
        ],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        assert!(run(&RULE, Dialect::Postgres, "BEGIN; SELECT 1; ROLLBACK").is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "BEGIN;\nSELECT 1;\nCOMMIT;\nEND;"
        ));
    }
}
