//! table.require-collation: CREATE TABLE names its collation (MySQL).

use crate::rules::prelude::*;
use crate::rules::table::require_charset::table_option;

pub const RULE: Rule = Rule {
    name: "table.require-collation",
    code: 209,
    title: "Tables must name their collation",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "The collation decides how text compares, sorts and whether a unique index \
                  treats 'A' and 'a' (or 'e' and 'é') as the same value. Left to the server \
                  default, it changes with the server version (utf8mb4_general_ci before \
                  MySQL 8.0, utf8mb4_0900_ai_ci after), and unique keys accept different data \
                  in different environments.",
        fix: "Name the collation in every CREATE TABLE: COLLATE=utf8mb4_0900_ai_ci (or the \
              one your policy allows).",
        bad: "CREATE TABLE tags (id bigint PRIMARY KEY, name varchar(50)) DEFAULT CHARSET=utf8mb4;",
        good: "CREATE TABLE tags (id bigint PRIMARY KEY, name varchar(50)) DEFAULT \
               CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateTable(create) = statement else {
        return Vec::new();
    };
    if create.like.is_some() || table_option(create, |k| k.ends_with("COLLATE")).is_some() {
        return Vec::new();
    }
    vec![
        ctx.report_at_name(
            &create.name,
            format!(
                "table {} does not name its collation: it takes the database default",
                display_name(&create.name)
            ),
        )
        .help("add COLLATE=utf8mb4_0900_ai_ci (or the collation your policy allows) after the column list"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE a (id int) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;\
                   CREATE TABLE b (id int) DEFAULT COLLATE=utf8mb4_bin;";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE tags (id int)\n  DEFAULT CHARSET=utf8mb4;"
        ));
    }
}
