//! statement.require-algorithm-option: ALTER TABLE states its ALGORITHM (MySQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.require-algorithm-option",
    code: 122,
    title: "ALTER TABLE must specify ALGORITHM",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Without ALGORITHM, MySQL silently picks the cheapest algorithm the change \
                  allows, which may be COPY: a full table copy during which writes are \
                  blocked. With ALGORITHM=INSTANT or INPLACE stated, MySQL refuses the \
                  statement instead of quietly falling back to a copy.",
        fix: "State the algorithm you expect: ALGORITHM=INSTANT (or INPLACE), and plan the \
              change differently if MySQL refuses it.",
        bad: "ALTER TABLE users ADD COLUMN nickname varchar(50);",
        good: "ALTER TABLE users ADD COLUMN nickname varchar(50), ALGORITHM=INSTANT;",
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
        .any(|op| matches!(op, AlterTableOperation::Algorithm { .. }))
    {
        return Vec::new();
    }
    vec![
        ctx.report_at_name(
            &alter.name,
            format!(
                "ALTER TABLE {} does not state ALGORITHM: MySQL may fall back to copying the table, blocking writes to it",
                display_name(&alter.name)
            ),
        )
        .help("add ALGORITHM=INSTANT (or INPLACE) so MySQL refuses rather than copies"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql =
            "ALTER TABLE t ADD COLUMN a int, ALGORITHM=INPLACE, LOCK=NONE; CREATE TABLE u (a int);";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "ALTER TABLE orders MODIFY COLUMN note text, LOCK=NONE;"
        ));
    }
}
