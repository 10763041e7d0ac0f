//! statement.add-foreign-key-not-valid: add foreign keys NOT VALID first.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.add-foreign-key-not-valid",
    code: 107,
    title: "Add foreign keys to existing tables NOT VALID",
    engines: POSTGRES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "ALTER TABLE … ADD FOREIGN KEY checks every existing row against the referenced \
                  table while holding SHARE ROW EXCLUSIVE locks on both tables: inserts, \
                  updates and deletes on both wait until the check ends.",
        fix: "Add the foreign key NOT VALID (instant; new rows are checked), then run ALTER \
              TABLE … VALIDATE CONSTRAINT in a separate statement: it takes SHARE UPDATE \
              EXCLUSIVE on the table and ROW SHARE on the referenced one, blocking no writes.",
        bad: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
        good: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n\
               ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
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
                constraint: TableConstraint::ForeignKey(fk),
                not_valid: false,
            } => {
                let referenced = display_name(&fk.foreign_table);
                let name = fk
                    .name
                    .as_ref()
                    .map(|n| format!("foreign key {}", n.value))
                    .unwrap_or_else(|| "a foreign key".to_string());
                let span = fk.name.as_ref().map_or(fk.foreign_table.span(), |n| n.span);
                Some(
                    ctx.report(
                        span,
                        format!(
                            "adding {name} to {table} checks every row under SHARE ROW EXCLUSIVE \
                             locks on {table} and {referenced}: writes to both wait until it is done"
                        ),
                    )
                    .help(
                        "add it with NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a \
                         separate statement (blocks no writes)",
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
        let sql = "ALTER TABLE o ADD CONSTRAINT f FOREIGN KEY (u) REFERENCES u (id) NOT VALID;\n\
                   CREATE TABLE n (u int);\n\
                   ALTER TABLE n ADD FOREIGN KEY (u) REFERENCES u (id);";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "ALTER TABLE orders ADD CONSTRAINT orders_user_fk\n  FOREIGN KEY (user_id) REFERENCES users (id);"
        ));
    }
}
