//! statement.create-specify-schema: CREATE TABLE names its schema (PostgreSQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.create-specify-schema",
    code: 119,
    title: "CREATE TABLE must name the schema",
    engines: POSTGRES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "An unqualified CREATE TABLE lands in the first schema of the session's \
                  search_path. Tools, roles and connection poolers set search_path \
                  differently, so the same script can create the table in public in one \
                  environment and in another schema elsewhere.",
        fix: "Qualify the name: CREATE TABLE app.orders (…).",
        bad: "CREATE TABLE orders (id bigint PRIMARY KEY);",
        good: "CREATE TABLE public.orders (id bigint PRIMARY KEY);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateTable(create) = statement else {
        return Vec::new();
    };
    if create.temporary || create.name.0.len() > 1 {
        return Vec::new();
    }
    vec![
        ctx.report_at_name(
            &create.name,
            format!(
                "table {} is created without a schema: it lands in the first schema of the session's search_path",
                display_name(&create.name)
            ),
        )
        .help(format!(
            "qualify the name, e.g. public.{}",
            display_name(&create.name)
        )),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE app.t (id int); CREATE TEMPORARY TABLE s (id int);";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE IF NOT EXISTS orders (id int);"
        ));
    }
}
