//! statement.add-check-not-valid: add CHECK constraints NOT VALID first.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.add-check-not-valid",
    code: 106,
    title: "Add CHECK constraints to existing tables NOT VALID",
    engines: POSTGRES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "ALTER TABLE … ADD CHECK scans the whole table to validate existing rows while \
                  holding an ACCESS EXCLUSIVE lock: every read and write of the table waits \
                  until the scan ends.",
        fix: "Add the constraint NOT VALID (instant; new rows are checked), then run ALTER \
              TABLE … VALIDATE CONSTRAINT in a separate statement: it scans under a SHARE \
              UPDATE EXCLUSIVE lock, which does not block reads or writes.",
        bad: "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);",
        good: "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\n\
               ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::AlterTable(alter) = statement else {
        return Vec::new();
    };
    if !ctx.table_state(&alter.name).may_have_rows() {
        return Vec::new();
    }
    let table = display_name(&alter.name);
    alter
        .operations
        .iter()
        .filter_map(|op| match op {
            AlterTableOperation::AddConstraint {
                constraint: TableConstraint::Check(check),
                not_valid: false,
            } => {
                let name = check
                    .name
                    .as_ref()
                    .map(|n| format!("CHECK constraint {}", n.value))
                    .unwrap_or_else(|| "a CHECK constraint".to_string());
                let span = check.name.as_ref().map_or(check.expr.span(), |n| n.span);
                Some(
                    ctx.report(
                        span,
                        format!(
                            "adding {name} to {table} scans every row under an ACCESS EXCLUSIVE \
                             lock on {table}: all reads and writes of {table} wait until it is done"
                        ),
                    )
                    .help(
                        "add it with NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a \
                         separate statement (SHARE UPDATE EXCLUSIVE: reads and writes go on)",
                    ),
                )
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\n\
                   ALTER TABLE t VALIDATE CONSTRAINT c;\n\
                   CREATE TABLE n (a int);\nALTER TABLE n ADD CHECK (a > 0);";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "ALTER TABLE orders\n  ADD CONSTRAINT total_positive CHECK (total > 0);"
        ));
    }
}
