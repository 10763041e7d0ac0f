//! column.set-default-for-not-null: NOT NULL columns have a DEFAULT.

use crate::rules::column::require_default::is_exempt;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.set-default-for-not-null",
    code: 307,
    title: "NOT NULL columns must have a DEFAULT",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "A NOT NULL column without a default makes every INSERT that does not name it \
                  fail. Code deployed before the column existed is such code, so the column \
                  cannot be added without breaking it; and adding it to a table with rows \
                  fails outright on PostgreSQL and SQLite.",
        fix: "Give NOT NULL columns a DEFAULT. Primary keys, identity, serial, auto-increment \
              and generated columns are exempt, and so are MySQL BLOB, TEXT, JSON and spatial \
              columns, which cannot have a literal default.",
        bad: "ALTER TABLE users ADD COLUMN plan varchar(20) NOT NULL;",
        good: "ALTER TABLE users ADD COLUMN plan varchar(20) NOT NULL DEFAULT 'free';",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    columns_of(statement)
        .into_iter()
        .filter(|site| {
            site.def
                .options
                .iter()
                .any(|o| matches!(o.option, ColumnOption::NotNull))
                && !is_exempt(ctx, site)
        })
        .map(|site| {
            ctx.report(
                site.def.name.span,
                format!(
                    "column {} of {} is NOT NULL without a DEFAULT: every INSERT that does not name it fails",
                    site.def.name.value,
                    display_name(site.table)
                ),
            )
            .help("add a DEFAULT that suits existing code, or make the column nullable")
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
            let sql = "CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL DEFAULT 0, b int, \
                       c int NULL); ALTER TABLE t ADD COLUMN d int DEFAULT 1 NOT NULL;";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
        assert!(run(&RULE, Dialect::Mysql, "CREATE TABLE t (body text NOT NULL)").is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE t (\n  id int PRIMARY KEY,\n  status text NOT NULL\n);\n\
             ALTER TABLE t ADD COLUMN plan varchar(20) NOT NULL;"
        ));
    }
}
