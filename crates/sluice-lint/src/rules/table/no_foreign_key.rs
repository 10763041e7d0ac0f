//! table.no-foreign-key: no foreign key constraints.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "table.no-foreign-key",
    code: 202,
    title: "Foreign keys are not allowed",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Some teams keep referential integrity in the application: foreign keys lock \
                  the referenced rows on every write, couple tables that are sharded or migrated \
                  separately, and make online schema change tools refuse the table.",
        fix: "Drop the REFERENCES clause and keep the check in the application, or turn this \
              rule off if your team relies on foreign keys.",
        bad: "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));",
        good: "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    foreign_keys_of(statement)
        .into_iter()
        .map(|(table, fk, at)| {
            let span = at.map_or(fk.foreign_table.span(), |i| i.span);
            ctx.report(
                span,
                format!(
                    "foreign key from {} to {}",
                    display_name(table),
                    display_name(&fk.foreign_table)
                ),
            )
            .help("keep referential checks in the application, or turn this rule off for this project")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            assert!(run(&RULE, d, "CREATE TABLE t (id int PRIMARY KEY, u int)").is_empty());
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE o (id int, u int, CONSTRAINT o_u FOREIGN KEY (u) REFERENCES users (id));\n\
             ALTER TABLE p ADD FOREIGN KEY (o) REFERENCES o (id);"
        ));
    }
}
