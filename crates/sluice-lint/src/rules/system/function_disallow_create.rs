//! system.function-disallow-create: no stored functions.
//!
//! PostgreSQL only for now: sqlparser does not parse MySQL routine
//! bodies, which the `syntax` rule reports instead.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "system.function-disallow-create",
    code: 801,
    title: "Creating functions is not allowed",
    engines: POSTGRES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Logic in stored functions lives outside the application's code review, tests \
                  and deploys, is hard to version and debug, and ties the application to one \
                  engine.",
        fix: "Keep the logic in the application, or have the function reviewed and created by \
              a DBA outside this policy.",
        bad: "CREATE FUNCTION add_one(i integer) RETURNS integer AS 'SELECT i + 1' LANGUAGE sql;",
        good: "SELECT 1;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateFunction(f) = statement else {
        return Vec::new();
    };
    vec![
        ctx.report_at_name(
            &f.name,
            format!("the statement creates function {}", display_name(&f.name)),
        )
        .help("keep the logic in the application, or have a DBA create the function"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        assert!(run(&RULE, Dialect::Postgres, "SELECT lower('A')").is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE OR REPLACE FUNCTION\n  util.add_one(i int) RETURNS int AS $$ SELECT i + 1 $$ LANGUAGE sql;"
        ));
    }
}
