//! naming.table: table names follow the convention.

use crate::rules::naming::check_name;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "naming.table",
    code: 401,
    title: "Table names must follow the naming convention",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[
        OptionSpec {
            key: "format",
            description: "A regular expression table names must match.",
            default: DefaultValue::Pattern("^[a-z][a-z0-9]*(_[a-z0-9]+)*$"),
        },
        OptionSpec {
            key: "max_length",
            description: "The longest name allowed, in characters (0: no limit).",
            default: DefaultValue::Int(63),
        },
    ],
    doc: Doc {
        problem: "Mixed-case or oddly spelled names must be quoted forever after (PostgreSQL \
                  folds unquoted names to lower case, MySQL's case sensitivity depends on the \
                  file system), and names past 63 characters are silently truncated by PostgreSQL.",
        fix: "Use lower snake case: lower-case letters and digits, words joined by underscores.",
        bad: "CREATE TABLE \"UserAccounts\" (id bigint PRIMARY KEY);",
        good: "CREATE TABLE user_accounts (id bigint PRIMARY KEY);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let name = match statement {
        Statement::CreateTable(create) => create.name.0.last(),
        Statement::AlterTable(alter) => alter.operations.iter().find_map(|op| match op {
            AlterTableOperation::RenameTable {
                table_name: RenameTableNameKind::As(n) | RenameTableNameKind::To(n),
            } => n.0.last(),
            _ => None,
        }),
        _ => None,
    };
    let mut out = Vec::new();
    if let Some(ident) = name.and_then(|p| p.as_ident()) {
        out.extend(check_name(
            ctx,
            ident.span,
            &format!("table {}", ident.value),
            &ctx.schema.ident(ident),
            &ctx.schema.ident(ident),
            &[],
        ));
    }
    if let Statement::RenameTable(renames) = statement {
        for r in renames {
            if let Some(ident) = r.new_name.0.last().and_then(|p| p.as_ident()) {
                out.extend(check_name(
                    ctx,
                    ident.span,
                    &format!("table {}", ident.value),
                    &ctx.schema.ident(ident),
                    &ctx.schema.ident(ident),
                    &[],
                ));
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
            assert!(run(&RULE, d, "CREATE TABLE app.order_items_2 (id int)").is_empty());
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE \"OrderItems\" (id int);\nALTER TABLE t RENAME TO tbl__x;"
        ));
        let found = run_with(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE abcdef (id int);\nRENAME TABLE a TO B",
            Some(r#"{"max_length": 5}"#),
            None,
        );
        insta::assert_snapshot!("config", crate::render_text("m.sql", &found));
    }
}
