//! statement.disallow-on-del-cascade: no ON DELETE CASCADE.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.disallow-on-del-cascade",
    code: 109,
    title: "ON DELETE CASCADE is not allowed",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "With ON DELETE CASCADE, deleting one parent row silently deletes its children, \
                  and theirs: a single mistaken DELETE can remove far more data than it names, \
                  with every row locked along the way.",
        fix: "Use the default (NO ACTION) or RESTRICT and delete children explicitly, so what \
              is removed is written in the statement.",
        bad: "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id) ON DELETE CASCADE);",
        good: "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    foreign_keys_of(statement)
        .into_iter()
        .filter(|(_, fk, _)| matches!(fk.on_delete, Some(ReferentialAction::Cascade)))
        .map(|(table, fk, at)| {
            let span = at.map_or(fk.foreign_table.span(), |i| i.span);
            ctx.report(
                span,
                format!(
                    "foreign key from {} to {} deletes rows of {} when rows of {} are deleted (ON DELETE CASCADE)",
                    display_name(table),
                    display_name(&fk.foreign_table),
                    display_name(table),
                    display_name(&fk.foreign_table),
                ),
            )
            .help("drop ON DELETE CASCADE (or use RESTRICT) and delete child rows explicitly")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE o (u int REFERENCES u (id) ON DELETE RESTRICT ON UPDATE CASCADE)";
        for d in Dialect::ALL {
            assert!(run(&RULE, d, sql).is_empty());
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE o (u int REFERENCES users (id) ON DELETE CASCADE);\n\
             ALTER TABLE p ADD CONSTRAINT p_o FOREIGN KEY (o) REFERENCES o (id) ON DELETE CASCADE;"
        ));
    }
}
