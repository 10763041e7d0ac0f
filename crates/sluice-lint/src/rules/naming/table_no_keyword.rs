//! naming.table.no-keyword: table names are not reserved words.

use crate::rules::naming::{is_reserved, server};
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "naming.table.no-keyword",
    code: 408,
    title: "Table names must not be reserved keywords",
    engines: POSTGRES_MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "A table named like a reserved word (order, user, group, table) must be \
                  quoted in every statement that mentions it, in every client, forever. The \
                  one query that forgets fails with a syntax error far from the table's \
                  definition.",
        fix: "Pick a name that is not reserved: orders, app_user, user_group.",
        bad: "CREATE TABLE \"order\" (id bigint PRIMARY KEY);",
        good: "CREATE TABLE orders (id bigint PRIMARY KEY);",
    },
    check,
};

/// The table names a statement gives: created and renamed-to tables.
pub(crate) fn table_names(statement: &Statement) -> Vec<&ObjectName> {
    match statement {
        Statement::CreateTable(create) => vec![&create.name],
        Statement::AlterTable(alter) => alter
            .operations
            .iter()
            .filter_map(|op| match op {
                AlterTableOperation::RenameTable {
                    table_name: RenameTableNameKind::As(n) | RenameTableNameKind::To(n),
                } => Some(n),
                _ => None,
            })
            .collect(),
        Statement::RenameTable(renames) => renames.iter().map(|r| &r.new_name).collect(),
        _ => Vec::new(),
    }
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    table_names(statement)
        .into_iter()
        .filter_map(|name| {
            let ident = last_ident(name)?;
            if !is_reserved(ctx.dialect, &ident.value) {
                return None;
            }
            Some(
                ctx.report(
                    ident.span,
                    format!(
                        "table name {} is a reserved keyword in {}: every statement must quote it",
                        ident.value,
                        server(ctx.dialect)
                    ),
                )
                .help(format!(
                    "rename the table to a name that is not reserved, such as app_{}",
                    ident.value.to_lowercase()
                )),
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
        for d in [Dialect::Postgres, Dialect::Mysql] {
            let sql = "CREATE TABLE orders (id int); ALTER TABLE orders RENAME TO purchases;";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
        // USER is reserved in PostgreSQL, not in MySQL.
        assert!(run(&RULE, Dialect::Mysql, "CREATE TABLE `user` (id int)").is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE \"user\" (id int);\nALTER TABLE accounts RENAME TO \"group\";"
        ));
    }

    #[test]
    fn mysql() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE `key` (id int);\nRENAME TABLE a TO `order`;"
        ));
    }
}
