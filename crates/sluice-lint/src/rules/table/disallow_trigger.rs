//! table.disallow-trigger: no triggers.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "table.disallow-trigger",
    code: 206,
    title: "Triggers are not allowed",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "A trigger runs hidden logic inside every write to its table: the statement \
                  in the code is not all that happens, bulk changes slow down row by row, and \
                  online schema change tools (gh-ost, pt-online-schema-change) refuse or \
                  mishandle tables that have them.",
        fix: "Do the work in the application or a queue consumer; keep audit trails with \
              change data capture instead of triggers.",
        bad: "CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW \
              EXECUTE FUNCTION audit_orders();",
        good: "INSERT INTO audit (id) VALUES (1);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateTrigger(trigger) = statement else {
        return Vec::new();
    };
    vec![
        ctx.report_at_name(
            &trigger.name,
            format!(
                "trigger {} on {} runs hidden logic in every write to the table",
                display_name(&trigger.name),
                display_name(&trigger.table_name)
            ),
        )
        .help("move the logic into the application (or change data capture for audit trails)"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            assert!(
                run(
                    &RULE,
                    d,
                    "CREATE TABLE t (id int); DROP TRIGGER IF EXISTS x ON t;"
                )
                .is_empty()
            );
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TRIGGER orders_touch\n  BEFORE UPDATE ON orders\n  FOR EACH ROW EXECUTE FUNCTION touch();"
        ));
    }
}
