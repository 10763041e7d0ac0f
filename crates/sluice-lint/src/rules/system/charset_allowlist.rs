//! system.charset-allowlist: only allowed character sets (MySQL).

use crate::rules::prelude::*;
use crate::rules::system::{Setting, settings_of};

pub const RULE: Rule = Rule {
    name: "system.charset-allowlist",
    code: 803,
    title: "Character sets must be in the allow list",
    engines: MYSQL,
    level: Level::Error,
    options: &[OptionSpec {
        key: "allow",
        description: "The character sets databases, tables and columns may use.",
        default: DefaultValue::List(&["utf8mb4"]),
    }],
    doc: Doc {
        problem: "A column in latin1 or utf8 (utf8mb3) cannot store every character users \
                  type, emoji included: inserts fail or store question marks. Mixed character \
                  sets also make joins between columns convert values and skip indexes.",
        fix: "Use an allowed character set, normally utf8mb4, for the database, each table \
              and each column.",
        bad: "CREATE TABLE notes (id bigint PRIMARY KEY, body text) DEFAULT CHARSET=latin1;",
        good: "CREATE TABLE notes (id bigint PRIMARY KEY, body text) DEFAULT CHARSET=utf8mb4;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    settings_of(statement, Setting::Charset)
        .into_iter()
        .filter(|s| !ctx.config.list_contains("allow", &s.value))
        .map(|s| {
            ctx.report(
                s.span,
                format!(
                    "{} uses character set {}, which is not allowed (allowed: {})",
                    s.owner,
                    s.value,
                    ctx.config.list("allow").join(", ")
                ),
            )
            .help("use an allowed character set; the list is the rule's `allow` option")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE t (a text CHARACTER SET utf8mb4) DEFAULT CHARSET=UTF8MB4;\
                   CREATE DATABASE d DEFAULT CHARACTER SET utf8mb4;";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (\n  a varchar(10) CHARACTER SET latin1\n) DEFAULT CHARSET=utf8;\n\
             CREATE DATABASE legacy DEFAULT CHARACTER SET utf8;"
        ));
    }
}
