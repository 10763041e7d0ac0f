//! naming.index.idx: plain index names follow the convention.

use crate::rules::naming::check_name;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "naming.index.idx",
    code: 403,
    title: "Index names must follow the naming convention",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[
        OptionSpec {
            key: "format",
            description: "A pattern index names must match; {{table}} and {{column_list}} \
                          (columns joined by `_`) stand for the index's table and columns.",
            default: DefaultValue::Pattern("^idx_{{table}}_{{column_list}}$"),
        },
        OptionSpec {
            key: "max_length",
            description: "The longest name allowed, in characters (0: no limit).",
            default: DefaultValue::Int(63),
        },
    ],
    doc: Doc {
        problem: "Index names show up in plans, lock waits and error messages. A name that says \
                  which table and columns it covers makes those readable, and makes duplicate \
                  indexes easy to spot.",
        fix: "Name plain (non-unique) indexes idx_<table>_<columns>.",
        bad: "CREATE INDEX orders_1 ON orders (user_id, created_at);",
        good: "CREATE INDEX idx_orders_user_id_created_at ON orders (user_id, created_at);",
    },
    check,
};

/// The plain columns of an index, or `None` if a part is an expression
/// (whose name cannot be derived).
pub(crate) fn column_list(ctx: &Context<'_>, columns: &[IndexColumn]) -> Option<Vec<String>> {
    columns
        .iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => Some(ctx.schema.ident(i)),
            _ => None,
        })
        .collect()
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut found: Vec<(&ObjectName, &Ident, &[IndexColumn])> = Vec::new();
    match statement {
        Statement::CreateIndex(create) if !create.unique => {
            if let Some(ident) = create.name.as_ref().and_then(|n| n.0.last()?.as_ident()) {
                found.push((&create.table_name, ident, &create.columns));
            }
        }
        Statement::CreateTable(create) => {
            for c in &create.constraints {
                if let TableConstraint::Index(ix) = c
                    && let Some(name) = &ix.name
                {
                    found.push((&create.name, name, &ix.columns));
                }
            }
        }
        Statement::AlterTable(alter) => {
            for op in &alter.operations {
                if let AlterTableOperation::AddConstraint {
                    constraint: TableConstraint::Index(ix),
                    ..
                } = op
                    && let Some(name) = &ix.name
                {
                    found.push((&alter.name, name, &ix.columns));
                }
            }
        }
        _ => {}
    }
    found
        .into_iter()
        .filter_map(|(table, name, columns)| {
            let columns = column_list(ctx, columns)?;
            let table_name = table.0.last()?.as_ident().map(|i| ctx.schema.ident(i))?;
            check_name(
                ctx,
                name.span,
                &format!("index {} on {}", name.value, display_name(table)),
                &ctx.schema.ident(name),
                &table_name,
                &columns,
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
            let sql = "CREATE INDEX idx_t_a_b ON t (a, b); CREATE UNIQUE INDEX x ON t (a);\
                       CREATE INDEX idx_e ON t ((a + 1))";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
        let sql = "CREATE TABLE t (a int, INDEX idx_t_a (a))";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE INDEX t_a ON t (a);\nCREATE TABLE u (a int, KEY ix (a));\nALTER TABLE u ADD INDEX idx_u_b (a)"
        ));
    }
}
