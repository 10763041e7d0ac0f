//! naming.index.pk: primary key constraint names follow the convention.

use crate::rules::naming::check_name;
use crate::rules::naming::index_idx::column_list;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "naming.index.pk",
    code: 406,
    title: "Primary key names must follow the naming convention",
    // MySQL names every primary key PRIMARY whatever the statement says,
    // and SQLite does not keep the name: only PostgreSQL has one to check.
    engines: POSTGRES,
    level: Level::Warning,
    options: &[
        OptionSpec {
            key: "format",
            description: "A pattern primary key constraint names must match; {{table}} and \
                          {{column_list}} stand for the table and its key columns.",
            default: DefaultValue::Pattern("^pk_{{table}}_{{column_list}}$"),
        },
        OptionSpec {
            key: "max_length",
            description: "The longest name allowed, in characters (0: no limit).",
            default: DefaultValue::Int(63),
        },
    ],
    doc: Doc {
        problem: "The primary key's name is its index's name: it shows in plans, in \
                  duplicate-key errors and in every ALTER that touches it. Hand-picked names \
                  that do not say which table they belong to collide across schemas and read \
                  badly in errors.",
        fix: "Name primary keys pk_<table>_<columns>, or leave them unnamed to get the \
              server's <table>_pkey.",
        bad: "CREATE TABLE users (id bigint, CONSTRAINT users_primary PRIMARY KEY (id));",
        good: "CREATE TABLE users (id bigint, CONSTRAINT pk_users_id PRIMARY KEY (id));",
    },
    check,
};

type Named<'a> = (&'a ObjectName, &'a Ident, Vec<String>);

fn named<'a>(
    ctx: &Context<'_>,
    table: &'a ObjectName,
    c: &'a TableConstraint,
    found: &mut Vec<Named<'a>>,
) {
    if let TableConstraint::PrimaryKey(pk) = c
        && let Some(name) = &pk.name
        && let Some(columns) = column_list(ctx, &pk.columns)
    {
        found.push((table, name, columns));
    }
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut found: Vec<Named<'_>> = Vec::new();
    match statement {
        Statement::CreateTable(create) => {
            for c in &create.constraints {
                named(ctx, &create.name, c, &mut found);
            }
            for def in &create.columns {
                for option in &def.options {
                    if let ColumnOption::PrimaryKey(pk) = &option.option
                        && let Some(name) = option.name.as_ref().or(pk.name.as_ref())
                    {
                        found.push((&create.name, name, vec![ctx.schema.ident(&def.name)]));
                    }
                }
            }
        }
        Statement::AlterTable(alter) => {
            for op in &alter.operations {
                if let AlterTableOperation::AddConstraint { constraint: c, .. } = op {
                    named(ctx, &alter.name, c, &mut found);
                }
            }
        }
        _ => {}
    }
    found
        .into_iter()
        .filter_map(|(table, name, columns)| {
            let table_name = ctx.schema.ident(last_ident(table)?);
            check_name(
                ctx,
                name.span,
                &format!("primary key {} on {}", name.value, display_name(table)),
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
        let sql = "CREATE TABLE a (id int PRIMARY KEY);\
                   CREATE TABLE b (x int, y int, CONSTRAINT pk_b_x_y PRIMARY KEY (x, y));\
                   ALTER TABLE c ADD PRIMARY KEY (id);";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE users (id bigint CONSTRAINT users_id PRIMARY KEY);\n\
             ALTER TABLE orders ADD CONSTRAINT orders_pkey2 PRIMARY KEY (id, created_at);"
        ));
    }
}
