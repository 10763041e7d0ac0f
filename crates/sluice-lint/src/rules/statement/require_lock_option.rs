//! statement.require-lock-option: ALTER TABLE states its LOCK (MySQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.require-lock-option",
    code: 123,
    title: "ALTER TABLE must specify LOCK",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Without LOCK, MySQL takes the strongest lock the chosen algorithm needs, \
                  which can block reads and writes of the table for the whole ALTER. With \
                  LOCK=NONE stated, MySQL refuses a change that cannot run with concurrent \
                  reads and writes instead of quietly blocking them.",
        fix: "State LOCK=NONE (or SHARED when writes may wait), and plan the change \
              differently if MySQL refuses it.",
        bad: "ALTER TABLE users ADD INDEX idx_users_email (email);",
        good: "ALTER TABLE users ADD INDEX idx_users_email (email), LOCK=NONE;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::AlterTable(alter) = statement else {
        return Vec::new();
    };
    if alter
        .operations
        .iter()
        .any(|op| matches!(op, AlterTableOperation::Lock { .. }))
    {
        return Vec::new();
    }
    vec![
        ctx.report_at_name(
            &alter.name,
            format!(
                "ALTER TABLE {} does not state LOCK: MySQL may block reads and writes of it for the whole change",
                display_name(&alter.name)
            ),
        )
        .help("add LOCK=NONE so MySQL refuses a change that would block reads or writes"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "ALTER TABLE t ADD COLUMN a int, ALGORITHM=INPLACE, LOCK=NONE;";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "ALTER TABLE orders\n  ADD COLUMN note text, ALGORITHM=INPLACE;"
        ));
    }
}
