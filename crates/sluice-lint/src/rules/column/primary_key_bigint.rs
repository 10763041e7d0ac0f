//! column.primary-key-bigint: no int or serial primary keys (PostgreSQL).

use crate::rules::index::primary_key_columns;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.primary-key-bigint",
    code: 318,
    title: "Primary keys must be bigint (or bigint identity), not int or serial",
    engines: POSTGRES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "An integer or serial key runs out at 2,147,483,647 (smallint at 32,767), and \
                  then every INSERT fails. Widening it later with ALTER COLUMN … TYPE bigint \
                  rewrites the table and all its indexes under an ACCESS EXCLUSIVE lock that \
                  blocks every read and write for the whole rewrite, and every foreign key \
                  pointing at it has to follow.",
        fix: "Use bigint GENERATED ALWAYS AS IDENTITY (or bigserial) from the start; the four \
              extra bytes per row are cheaper than the migration.",
        bad: "CREATE TABLE orders (id serial PRIMARY KEY);",
        good: "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    primary_key_columns(ctx, statement)
        .into_iter()
        .filter_map(|(table, column, data_type)| {
            let data_type = data_type?;
            let base = type_base(&canonical_type(&data_type));
            let limit = match base.as_str() {
                "integer" | "serial" | "serial4" => "2,147,483,647",
                "smallint" | "smallserial" | "serial2" => "32,767",
                _ => return None,
            };
            let t = display_name(table);
            Some(
                ctx.report(
                    column.span,
                    format!(
                        "primary key {t}.{} is {data_type}: it runs out at {limit}, and widening \
                         it later rewrites {t} under an ACCESS EXCLUSIVE lock that blocks all \
                         reads and writes",
                        column.value
                    ),
                )
                .help("use bigint GENERATED ALWAYS AS IDENTITY (or bigserial)"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE a (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n\
                   CREATE TABLE b (id bigserial PRIMARY KEY);\n\
                   CREATE TABLE c (id uuid PRIMARY KEY, n int);\n\
                   CREATE TABLE d (id int8, PRIMARY KEY (id));";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        let sql = "CREATE TABLE orders (\n  id serial PRIMARY KEY\n);\n\
                   CREATE TABLE tags (id int4, code smallint, PRIMARY KEY (id, code));";
        insta::assert_snapshot!(text(&RULE, Dialect::Postgres, sql));
    }
}
