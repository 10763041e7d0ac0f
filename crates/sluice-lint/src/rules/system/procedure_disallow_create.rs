//! system.procedure-disallow-create: no stored procedures.
//!
//! PostgreSQL only for now: sqlparser does not parse MySQL routine
//! bodies, which the `syntax` rule reports instead.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "system.procedure-disallow-create",
    code: 802,
    title: "Creating procedures is not allowed",
    engines: POSTGRES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Stored procedures keep business logic outside the application's code review, \
                  tests and deploys, and are hard to version, debug and move between engines.",
        fix: "Keep the logic in the application, or have the procedure reviewed and created \
              by a DBA outside this policy.",
        bad: "CREATE PROCEDURE cleanup() AS BEGIN DELETE FROM sessions WHERE expired; END;",
        good: "DELETE FROM sessions WHERE expired;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateProcedure { name, .. } = statement else {
        return Vec::new();
    };
    vec![
        ctx.report_at_name(
            name,
            format!("the statement creates procedure {}", display_name(name)),
        )
        .help("keep the logic in the application, or have a DBA create the procedure"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        assert!(run(&RULE, Dialect::Postgres, "CALL cleanup()").is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE PROCEDURE cleanup() AS BEGIN DELETE FROM sessions WHERE expired; END"
        ));
    }
}
