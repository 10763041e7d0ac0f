//! index.no-duplicate-column: a key lists each column once.

use crate::rules::index::keys_of;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "index.no-duplicate-column",
    code: 501,
    title: "Index keys must not repeat a column",
    engines: ALL_ENGINES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "A column listed twice in an index, primary key, unique or foreign key adds \
                  nothing but size (or is rejected by the server): it is almost always a typo \
                  for another column that was meant to be there.",
        fix: "List each column once; check which column was meant.",
        bad: "CREATE INDEX idx_orders_user_id ON orders (user_id, user_id);",
        good: "CREATE INDEX idx_orders_user_id_created_at ON orders (user_id, created_at);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for key in keys_of(statement) {
        let mut seen: Vec<String> = Vec::new();
        for column in key.columns.iter().flatten() {
            let name = ctx.schema.ident(column);
            let dup = seen.iter().any(|s| match ctx.dialect {
                Dialect::Postgres => *s == name,
                _ => s.eq_ignore_ascii_case(&name),
            });
            if dup {
                out.push(
                    ctx.report(
                        column.span,
                        format!(
                            "{} on {} lists column {} more than once",
                            key.what,
                            display_name(key.table),
                            column.value
                        ),
                    )
                    .help("list each column once; check which column was meant"),
                );
            } else {
                seen.push(name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            let sql =
                "CREATE INDEX i ON t (a, b); CREATE TABLE u (a int, b int, PRIMARY KEY (a, b))";
            assert!(run(&RULE, d, sql).is_empty());
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (a int, b int, PRIMARY KEY (a, A), KEY k (b, a, b));\n\
             ALTER TABLE t ADD UNIQUE u (a, a);"
        ));
    }
}
