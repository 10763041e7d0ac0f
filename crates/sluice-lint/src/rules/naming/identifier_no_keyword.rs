//! naming.identifier.no-keyword: column, index and constraint names are not
//! reserved words.

use crate::rules::naming::{is_reserved, server};
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "naming.identifier.no-keyword",
    code: 409,
    title: "Identifiers must not be reserved keywords",
    engines: POSTGRES_MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "A column, index or constraint named like a reserved word (order, desc, key, \
                  default) must be quoted everywhere it is written; an unquoted mention is a \
                  syntax error (as in the example below, which both servers reject), often in a query built far from the migration. Table names \
                  are checked by naming.table.no-keyword.",
        fix: "Pick a name that is not reserved: sort_order, description, api_key.",
        bad: "CREATE TABLE items (id bigint PRIMARY KEY, desc text);",
        good: "CREATE TABLE items (id bigint PRIMARY KEY, description text);",
    },
    check,
};

fn constraint<'a>(c: &'a TableConstraint, out: &mut Vec<(&'static str, &'a Ident)>) {
    let name = match c {
        TableConstraint::Index(ix) => ix.name.as_ref().map(|n| ("index", n)),
        TableConstraint::Unique(u) => u
            .name
            .as_ref()
            .or(u.index_name.as_ref())
            .map(|n| ("constraint", n)),
        TableConstraint::PrimaryKey(pk) => pk.name.as_ref().map(|n| ("constraint", n)),
        TableConstraint::ForeignKey(fk) => fk.name.as_ref().map(|n| ("constraint", n)),
        TableConstraint::Check(ck) => ck.name.as_ref().map(|n| ("constraint", n)),
        _ => None,
    };
    out.extend(name);
}

/// The identifiers a statement names besides tables: (what, identifier).
fn identifiers(statement: &Statement) -> Vec<(&'static str, &Ident)> {
    let mut out = Vec::new();
    match statement {
        Statement::CreateTable(create) => {
            for def in &create.columns {
                out.push(("column", &def.name));
            }
            for c in &create.constraints {
                constraint(c, &mut out);
            }
        }
        Statement::AlterTable(alter) => {
            for op in &alter.operations {
                match op {
                    AlterTableOperation::AddColumn { column_def, .. } => {
                        out.push(("column", &column_def.name))
                    }
                    AlterTableOperation::RenameColumn {
                        new_column_name, ..
                    } => out.push(("column", new_column_name)),
                    AlterTableOperation::ChangeColumn { new_name, .. } => {
                        out.push(("column", new_name))
                    }
                    AlterTableOperation::AddConstraint { constraint: c, .. } => {
                        constraint(c, &mut out)
                    }
                    _ => {}
                }
            }
        }
        Statement::CreateIndex(create) => {
            if let Some(name) = create.name.as_ref().and_then(last_ident) {
                out.push(("index", name));
            }
        }
        _ => {}
    }
    out
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    identifiers(statement)
        .into_iter()
        .filter(|(_, ident)| is_reserved(ctx.dialect, &ident.value))
        .map(|(what, ident)| {
            ctx.report(
                ident.span,
                format!(
                    "{what} name {} is a reserved keyword in {}: every statement must quote it",
                    ident.value,
                    server(ctx.dialect)
                ),
            )
            .help(format!(
                "rename the {what} to a word that is not reserved (a prefix or suffix will do: {}_value)",
                ident.value.to_lowercase()
            ))
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
            let sql = "CREATE TABLE t (id int, sort_order int, CONSTRAINT t_chk CHECK (id > 0));\
                       CREATE INDEX idx_t_sort_order ON t (sort_order);\
                       ALTER TABLE t ADD COLUMN note text;";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE items (\n  id int,\n  \"order\" int,\n  CONSTRAINT \"check\" CHECK (id > 0)\n);\n\
             ALTER TABLE items RENAME COLUMN id TO \"primary\";\n\
             CREATE INDEX \"limit\" ON items (id);"
        ));
    }

    #[test]
    fn mysql() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "ALTER TABLE items ADD COLUMN `key` varchar(20), CHANGE COLUMN a `interval` int;"
        ));
    }
}
