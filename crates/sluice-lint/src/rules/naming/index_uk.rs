//! naming.index.uk: unique index names follow the convention.

use crate::rules::naming::check_name;
use crate::rules::naming::index_idx::column_list;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "naming.index.uk",
    code: 404,
    title: "Unique index names must follow the naming convention",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[
        OptionSpec {
            key: "format",
            description: "A pattern unique index and unique constraint names must match; \
                          {{table}} and {{column_list}} stand for the table and its columns.",
            default: DefaultValue::Pattern("^uk_{{table}}_{{column_list}}$"),
        },
        OptionSpec {
            key: "max_length",
            description: "The longest name allowed, in characters (0: no limit).",
            default: DefaultValue::Int(63),
        },
    ],
    doc: Doc {
        problem: "A unique violation reports the index's name; a name that says which table \
                  and columns must be unique tells the reader what went wrong without a \
                  catalog lookup.",
        fix: "Name unique indexes and unique constraints uk_<table>_<columns>.",
        bad: "CREATE UNIQUE INDEX email_unique ON users (email);",
        good: "CREATE UNIQUE INDEX uk_users_email ON users (email);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut found: Vec<(&ObjectName, &Ident, &[IndexColumn])> = Vec::new();
    let from_constraint = |table, c: &'_ TableConstraint| {
        if let TableConstraint::Unique(u) = c
            && let Some(name) = u.name.as_ref().or(u.index_name.as_ref())
        {
            return Some((table, name.clone(), u.columns.clone()));
        }
        None
    };
    let mut owned = Vec::new();
    match statement {
        Statement::CreateIndex(create) if create.unique => {
            if let Some(ident) = create.name.as_ref().and_then(|n| n.0.last()?.as_ident()) {
                found.push((&create.table_name, ident, &create.columns));
            }
        }
        Statement::CreateTable(create) => {
            owned.extend(
                create
                    .constraints
                    .iter()
                    .filter_map(|c| from_constraint(&create.name, c)),
            );
        }
        Statement::AlterTable(alter) => {
            owned.extend(alter.operations.iter().filter_map(|op| match op {
                AlterTableOperation::AddConstraint { constraint, .. } => {
                    from_constraint(&alter.name, constraint)
                }
                _ => None,
            }));
        }
        _ => {}
    }
    for (table, name, columns) in &owned {
        found.push((table, name, columns));
    }
    found
        .into_iter()
        .filter_map(|(table, name, columns)| {
            let columns = column_list(ctx, columns)?;
            let table_name = table.0.last()?.as_ident().map(|i| ctx.schema.ident(i))?;
            check_name(
                ctx,
                name.span,
                &format!("unique index {} on {}", name.value, display_name(table)),
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
            let sql = "CREATE UNIQUE INDEX uk_t_a_b ON t (a, b); CREATE INDEX x ON t (a);\
                       CREATE TABLE u (a int, UNIQUE (a))";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE UNIQUE INDEX users_email ON users (email);\n\
             ALTER TABLE users ADD CONSTRAINT users_name_key UNIQUE (name);"
        ));
    }
}
