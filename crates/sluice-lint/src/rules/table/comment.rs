//! table.comment: tables carry a comment (MySQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "table.comment",
    code: 204,
    title: "Tables must have a comment",
    // PostgreSQL comments are separate COMMENT ON statements; MySQL's are
    // part of CREATE TABLE, where a missing one can be seen.
    engines: MYSQL,
    level: Level::Warning,
    options: &[
        OptionSpec {
            key: "required",
            description: "Whether every new table must have a comment.",
            default: DefaultValue::Bool(true),
        },
        OptionSpec {
            key: "max_length",
            description: "The longest comment allowed, in characters (0: no limit).",
            default: DefaultValue::Int(64),
        },
    ],
    doc: Doc {
        problem: "A table's name rarely says what one row is, who writes it and whether it \
                  holds personal data. The comment travels with the schema into every client, \
                  dump and data catalog; a wiki page does not.",
        fix: "Add COMMENT='…' to CREATE TABLE saying what a row is, within the length limit.",
        bad: "CREATE TABLE orders (id bigint PRIMARY KEY);",
        good: "CREATE TABLE orders (id bigint PRIMARY KEY) COMMENT='one row per customer order';",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateTable(create) = statement else {
        return Vec::new();
    };
    let comment = table_options(create)
        .iter()
        .find_map(|o| match o {
            SqlOption::Comment(CommentDef::WithEq(c) | CommentDef::WithoutEq(c)) => Some(c),
            _ => None,
        })
        .or(match &create.comment {
            Some(CommentDef::WithEq(c) | CommentDef::WithoutEq(c)) => Some(c),
            None => None,
        });
    let table = display_name(&create.name);
    match comment {
        None if ctx.config.bool("required") => vec![
            ctx.report_at_name(&create.name, format!("table {table} has no comment"))
                .help("add COMMENT='…' after the column list, saying what one row is"),
        ],
        Some(c) => {
            let max = ctx.config.int("max_length");
            let length = c.chars().count();
            if max > 0 && length as i64 > max {
                vec![
                    ctx.report_at_name(
                        &create.name,
                        format!(
                            "the comment of table {table} is {length} characters long, more than {max}"
                        ),
                    )
                    .help(format!("shorten it to at most {max} characters")),
                ]
            } else {
                Vec::new()
            }
        }
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE t (id int) ENGINE=InnoDB COMMENT='rows';\
                   CREATE TABLE u (id int) COMMENT 'rows';";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
        let found = run_with(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (id int)",
            Some(r#"{"level": "WARNING", "required": false}"#),
            None,
        );
        assert!(found.is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE orders (id int) ENGINE=InnoDB;\n\
             CREATE TABLE users (id int) COMMENT='one row per person who signed up, \
             including the ones who never confirmed an email';"
        ));
    }
}
