//! column.type-disallow-list: some column types are not allowed.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.type-disallow-list",
    code: 303,
    title: "Column types on the deny list are not allowed",
    engines: ALL_ENGINES,
    level: Level::Error,
    options: &[OptionSpec {
        key: "deny",
        description: "Types not allowed, by base name without length (`money`, `varchar`) \
                      or exactly as written (`varchar(1)`); case-insensitive.",
        default: DefaultValue::List(&["money", "timetz"]),
    }],
    doc: Doc {
        problem: "Some types are traps: PostgreSQL `money` formats by locale and loses precision \
                  in arithmetic, and `timetz` has no meaning without a date (the PostgreSQL manual \
                  itself advises against both). A team's deny list keeps such types out.",
        fix: "Use the recommended type instead: numeric for amounts, timestamptz for times, \
              varchar or text for strings.",
        bad: "CREATE TABLE prices (id bigint PRIMARY KEY, amount money);",
        good: "CREATE TABLE prices (id bigint PRIMARY KEY, amount numeric(12, 2));",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut defined: Vec<(&ObjectName, &Ident, &DataType)> = columns_of(statement)
        .into_iter()
        .map(|site| (site.table, &site.def.name, &site.def.data_type))
        .collect();
    if let Statement::AlterTable(alter) = statement {
        for op in &alter.operations {
            match op {
                AlterTableOperation::AlterColumn {
                    column_name,
                    op: AlterColumnOperation::SetDataType { data_type, .. },
                } => defined.push((&alter.name, column_name, data_type)),
                AlterTableOperation::ModifyColumn {
                    col_name,
                    data_type,
                    ..
                } => defined.push((&alter.name, col_name, data_type)),
                AlterTableOperation::ChangeColumn {
                    new_name,
                    data_type,
                    ..
                } => defined.push((&alter.name, new_name, data_type)),
                _ => {}
            }
        }
    }
    defined
        .into_iter()
        .filter_map(|(table, column, data_type)| {
            let written = data_type.to_string();
            let base = type_base(&written);
            let canonical = canonical_type(&base);
            let denied = ctx.config.list("deny").iter().find(|d| {
                d.eq_ignore_ascii_case(&base)
                    || d.eq_ignore_ascii_case(&written)
                    || canonical_type(d) == canonical
            })?;
            Some(
                ctx.report(
                    column.span,
                    format!(
                        "column {}.{} has type {written}, which the policy does not allow ({denied})",
                        display_name(table),
                        column.value
                    ),
                )
                .help("use another type; the deny list is the rule's `deny` option"),
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
        for d in Dialect::ALL {
            let sql = "CREATE TABLE t (a varchar(10), b numeric(10, 2), c text)";
            assert!(run(&RULE, d, sql).is_empty());
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE t (a money, b CHAR(2));\nALTER TABLE t ALTER COLUMN c TYPE TIME WITH TIME ZONE;"
        ));
        let found = run_with(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (a json, b varchar(1))",
            Some(r#"{"deny": ["JSON", "varchar(1)"]}"#),
            None,
        );
        assert_eq!(found.len(), 2);
    }
}
