//! naming.index.fk: foreign key names follow the convention.

use crate::rules::naming::check_name_referencing;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "naming.index.fk",
    code: 405,
    title: "Foreign key names must follow the naming convention",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[
        OptionSpec {
            key: "format",
            description: "A pattern foreign key names must match; {{table}}, {{column_list}} \
                          and {{referenced_table}} stand for the referencing table, its \
                          columns and the referenced table.",
            default: DefaultValue::Pattern("^fk_{{table}}_{{column_list}}_{{referenced_table}}$"),
        },
        OptionSpec {
            key: "max_length",
            description: "The longest name allowed, in characters (0: no limit).",
            default: DefaultValue::Int(63),
        },
    ],
    doc: Doc {
        problem: "A foreign key violation names the constraint. A name that says which table \
                  references which tells the reader what went wrong; `orders_ibfk_1` or \
                  `fk1` sends them to the catalog.",
        fix: "Name foreign keys fk_<table>_<columns>_<referenced table>. Unnamed foreign keys \
              get a server-generated name and are not checked.",
        bad: "ALTER TABLE orders ADD CONSTRAINT fk1 FOREIGN KEY (user_id) REFERENCES users (id);",
        good: "ALTER TABLE orders ADD CONSTRAINT fk_orders_user_id_users FOREIGN KEY (user_id) \
               REFERENCES users (id);",
    },
    check,
};

/// A named foreign key: the table it is on, its name, its columns and the
/// referenced table.
type Named<'a> = (&'a ObjectName, &'a Ident, Vec<&'a Ident>, &'a ObjectName);

fn from_column<'a>(table: &'a ObjectName, def: &'a ColumnDef, out: &mut Vec<Named<'a>>) {
    for option in &def.options {
        if let ColumnOption::ForeignKey(fk) = &option.option
            && let Some(name) = option.name.as_ref().or(fk.name.as_ref())
        {
            out.push((table, name, vec![&def.name], &fk.foreign_table));
        }
    }
}

fn from_constraint<'a>(table: &'a ObjectName, c: &'a TableConstraint, out: &mut Vec<Named<'a>>) {
    if let TableConstraint::ForeignKey(fk) = c
        && let Some(name) = &fk.name
    {
        out.push((table, name, fk.columns.iter().collect(), &fk.foreign_table));
    }
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    match statement {
        Statement::CreateTable(create) => {
            for def in &create.columns {
                from_column(&create.name, def, &mut found);
            }
            for c in &create.constraints {
                from_constraint(&create.name, c, &mut found);
            }
        }
        Statement::AlterTable(alter) => {
            for op in &alter.operations {
                match op {
                    AlterTableOperation::AddConstraint { constraint, .. } => {
                        from_constraint(&alter.name, constraint, &mut found)
                    }
                    AlterTableOperation::AddColumn { column_def, .. } => {
                        from_column(&alter.name, column_def, &mut found)
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    found
        .into_iter()
        .filter_map(|(table, name, columns, referenced)| {
            let columns: Vec<String> = columns.iter().map(|c| ctx.schema.ident(c)).collect();
            let table_name = ctx.schema.ident(last_ident(table)?);
            let referenced_name = ctx.schema.ident(last_ident(referenced)?);
            check_name_referencing(
                ctx,
                name.span,
                &format!(
                    "foreign key {} on {} (to {})",
                    name.value,
                    display_name(table),
                    display_name(referenced)
                ),
                &ctx.schema.ident(name),
                &table_name,
                &columns,
                &referenced_name,
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
            let sql = "CREATE TABLE o (id int, u int, \
                       CONSTRAINT fk_o_u_users FOREIGN KEY (u) REFERENCES users (id));\
                       CREATE TABLE p (id int, o int REFERENCES o (id));\
                       ALTER TABLE p ADD FOREIGN KEY (o) REFERENCES o (id);";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE orders (id int, user_id int CONSTRAINT orders_user REFERENCES users (id));\n\
             ALTER TABLE orders ADD CONSTRAINT fk_orders_user_id FOREIGN KEY (user_id) REFERENCES users (id);"
        ));
    }

    #[test]
    fn config() {
        let found = run_with(
            &RULE,
            Dialect::Mysql,
            "ALTER TABLE orders ADD CONSTRAINT orders_ibfk_1 FOREIGN KEY (user_id) REFERENCES users (id);",
            Some(r#"{"level": "ERROR", "format": "^.*_ibfk_[0-9]+$"}"#),
            None,
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
