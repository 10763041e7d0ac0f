//! column.no-null: columns are NOT NULL.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.no-null",
    code: 301,
    title: "Columns must be NOT NULL",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "NULL means \"unknown\" and makes every comparison three-valued: `col <> 'x'` \
                  silently skips NULL rows, NOT IN with a NULL returns nothing, and unique \
                  constraints let many NULLs through. Nullable columns are where such bugs hide.",
        fix: "Declare the column NOT NULL, with a DEFAULT if rows may be inserted without it.",
        bad: "CREATE TABLE users (id bigint PRIMARY KEY, nickname text);",
        good: "CREATE TABLE users (id bigint PRIMARY KEY, nickname text NOT NULL DEFAULT '');",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    columns_of(statement)
        .into_iter()
        .filter(|site| {
            let not_null = site.def.options.iter().any(|o| {
                matches!(o.option, ColumnOption::NotNull | ColumnOption::Identity(_))
                    || matches!(o.option, ColumnOption::Generated { .. })
            });
            !not_null && !is_primary_key_column(site)
        })
        .map(|site| {
            ctx.report(
                site.def.name.span,
                format!(
                    "column {}.{} can be NULL",
                    display_name(site.table),
                    site.def.name.value
                ),
            )
            .help("declare it NOT NULL, with a DEFAULT if rows may be inserted without it")
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
            let sql = "CREATE TABLE t (id int, a int NOT NULL, PRIMARY KEY (id))";
            assert!(run(&RULE, d, sql).is_empty());
        }
        let sql = "ALTER TABLE t ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE t (\n  id int PRIMARY KEY,\n  note text NULL,\n  tag text\n);\nALTER TABLE t ADD COLUMN extra jsonb;"
        ));
    }
}
