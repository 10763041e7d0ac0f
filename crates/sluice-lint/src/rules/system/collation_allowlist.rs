//! system.collation-allowlist: only allowed collations (MySQL).

use crate::rules::prelude::*;
use crate::rules::system::{Setting, settings_of};

pub const RULE: Rule = Rule {
    name: "system.collation-allowlist",
    code: 804,
    title: "Collations must be in the allow list",
    engines: MYSQL,
    level: Level::Error,
    options: &[OptionSpec {
        key: "allow",
        description: "The collations databases, tables and columns may use.",
        default: DefaultValue::List(&["utf8mb4_0900_ai_ci", "utf8mb4_bin"]),
    }],
    doc: Doc {
        problem: "The collation decides which values are equal: whether a unique key accepts \
                  both 'Alice' and 'alice', how ORDER BY sorts, and whether a join between two \
                  columns can use an index (it cannot when their collations differ). A team \
                  settles on a few; others creep in from copied DDL.",
        fix: "Use an allowed collation for the database, each table and each column.",
        bad: "CREATE TABLE tags (id bigint PRIMARY KEY, name varchar(50)) COLLATE=latin1_swedish_ci;",
        good: "CREATE TABLE tags (id bigint PRIMARY KEY, name varchar(50)) COLLATE=utf8mb4_bin;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    settings_of(statement, Setting::Collation)
        .into_iter()
        .filter(|s| !ctx.config.list_contains("allow", &s.value))
        .map(|s| {
            ctx.report(
                s.span,
                format!(
                    "{} uses collation {}, which is not allowed (allowed: {})",
                    s.owner,
                    s.value,
                    ctx.config.list("allow").join(", ")
                ),
            )
            .help("use an allowed collation; the list is the rule's `allow` option")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE t (a text COLLATE utf8mb4_bin) COLLATE=utf8mb4_0900_ai_ci;";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (a varchar(10) COLLATE utf8mb4_general_ci)\n  COLLATE=latin1_swedish_ci;\n\
             ALTER TABLE t ADD COLUMN b text COLLATE utf8_bin;"
        ));
    }
}
