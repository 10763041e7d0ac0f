//! table.require-charset: CREATE TABLE names its character set (MySQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "table.require-charset",
    code: 208,
    title: "Tables must name their character set",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Without DEFAULT CHARSET a table takes the database's default, which differs \
                  between servers and versions (latin1 before MySQL 8.0, utf8mb4 after). The \
                  same migration then stores text differently in staging and production, and \
                  joins across the two character sets cannot use indexes.",
        fix: "Name the character set in every CREATE TABLE: DEFAULT CHARSET=utf8mb4.",
        bad: "CREATE TABLE notes (id bigint PRIMARY KEY, body text);",
        good: "CREATE TABLE notes (id bigint PRIMARY KEY, body text) DEFAULT CHARSET=utf8mb4;",
    },
    check,
};

/// The value of the table option whose key satisfies `is_key`.
pub(crate) fn table_option(create: &CreateTable, is_key: impl Fn(&str) -> bool) -> Option<&Expr> {
    table_options(create).iter().find_map(|o| match o {
        SqlOption::KeyValue { key, value } if is_key(&key.to_string().to_ascii_uppercase()) => {
            Some(value)
        }
        _ => None,
    })
}

pub(crate) fn is_charset_key(key: &str) -> bool {
    key.ends_with("CHARSET") || key.ends_with("CHARACTER SET")
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateTable(create) = statement else {
        return Vec::new();
    };
    if create.like.is_some() || table_option(create, is_charset_key).is_some() {
        return Vec::new();
    }
    vec![
        ctx.report_at_name(
            &create.name,
            format!(
                "table {} does not name its character set: it takes the database default",
                display_name(&create.name)
            ),
        )
        .help("add DEFAULT CHARSET=utf8mb4 (or the set your policy allows) after the column list"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE TABLE a (id int) DEFAULT CHARSET=utf8mb4;\
                   CREATE TABLE b (id int) ENGINE=InnoDB CHARSET=utf8mb4;\
                   CREATE TABLE c (id int) CHARACTER SET utf8mb4;\
                   CREATE TABLE d LIKE a;";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE notes (id int) ENGINE=InnoDB COLLATE=utf8mb4_bin;"
        ));
    }
}
