//! index.*: rules about indexes and keys.

pub mod create_concurrently;
pub mod drop_concurrently;
pub mod key_number_limit;
pub mod no_duplicate_column;
pub mod pk_type_limit;
pub mod primary_key_type_allowlist;
pub mod total_number_limit;
pub mod type_no_blob;

use sqlparser::ast::{
    AlterTableOperation, Expr, Ident, IndexColumn, ObjectName, Statement, TableConstraint,
};

/// One key a statement defines: index, primary key, unique or foreign key.
pub struct Key<'a> {
    pub table: &'a ObjectName,
    /// "index ix", "primary key", "unique constraint u", "foreign key f".
    pub what: String,
    pub name: Option<&'a Ident>,
    /// The key's columns; expression parts are `None`.
    pub columns: Vec<Option<&'a Ident>>,
}

fn parts(columns: &[IndexColumn]) -> Vec<Option<&Ident>> {
    columns
        .iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => Some(i),
            Expr::Function(f) => prefix_column(f),
            _ => None,
        })
        .collect()
}

/// MySQL's prefix index part `body(100)` parses as a call of `body` with
/// one number: it is the column `body`.
fn prefix_column(f: &sqlparser::ast::Function) -> Option<&Ident> {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments, Value};
    let [name] = f.name.0.as_slice() else {
        return None;
    };
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))]
            if matches!(v.value, Value::Number(..)) =>
        {
            name.as_ident()
        }
        _ => None,
    }
}

fn label(kind: &str, name: Option<&Ident>) -> String {
    match name {
        Some(n) => format!("{kind} {}", n.value),
        None => kind.to_string(),
    }
}

fn from_constraint<'a>(table: &'a ObjectName, c: &'a TableConstraint) -> Option<Key<'a>> {
    let (kind, name, columns) = match c {
        TableConstraint::Index(ix) => ("index", ix.name.as_ref(), parts(&ix.columns)),
        TableConstraint::Unique(u) => (
            "unique constraint",
            u.name.as_ref().or(u.index_name.as_ref()),
            parts(&u.columns),
        ),
        TableConstraint::PrimaryKey(pk) => ("primary key", pk.name.as_ref(), parts(&pk.columns)),
        TableConstraint::ForeignKey(fk) => (
            "foreign key",
            fk.name.as_ref(),
            fk.columns.iter().map(Some).collect(),
        ),
        _ => return None,
    };
    Some(Key {
        table,
        what: label(kind, name),
        name,
        columns,
    })
}

/// Every key a statement defines.
pub fn keys_of(statement: &Statement) -> Vec<Key<'_>> {
    match statement {
        Statement::CreateIndex(create) => {
            let name = create.name.as_ref().and_then(|n| n.0.last()?.as_ident());
            let kind = if create.unique {
                "unique index"
            } else {
                "index"
            };
            vec![Key {
                table: &create.table_name,
                what: label(kind, name),
                name,
                columns: parts(&create.columns),
            }]
        }
        Statement::CreateTable(create) => create
            .constraints
            .iter()
            .filter_map(|c| from_constraint(&create.name, c))
            .collect(),
        Statement::AlterTable(alter) => alter
            .operations
            .iter()
            .filter_map(|op| match op {
                AlterTableOperation::AddConstraint { constraint, .. } => {
                    from_constraint(&alter.name, constraint)
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The type of column `column` of `table` as far as is known: from the
/// CREATE TABLE being checked, else from the workspace (the schema as it is
/// before the statement).
pub fn column_type(
    ctx: &crate::context::Context<'_>,
    create: Option<&sqlparser::ast::CreateTable>,
    table: &ObjectName,
    column: &Ident,
) -> Option<String> {
    if let Some(create) = create {
        return create
            .columns
            .iter()
            .find(|c| c.name.value.eq_ignore_ascii_case(&column.value))
            .map(|c| c.data_type.to_string());
    }
    let t = ctx.table(table)?;
    ctx.schema.column(t, column).map(|c| c.data_type.clone())
}

/// Every primary key column a statement defines: (table, column, its type
/// when known). Column-level and table-level keys in CREATE TABLE, and
/// `ALTER TABLE … ADD PRIMARY KEY`.
pub fn primary_key_columns<'a>(
    ctx: &crate::context::Context<'_>,
    statement: &'a Statement,
) -> Vec<(&'a ObjectName, &'a Ident, Option<String>)> {
    use sqlparser::ast::ColumnOption;
    let mut out = Vec::new();
    match statement {
        Statement::CreateTable(create) => {
            for def in &create.columns {
                if def
                    .options
                    .iter()
                    .any(|o| matches!(o.option, ColumnOption::PrimaryKey(_)))
                {
                    out.push((&create.name, &def.name, Some(def.data_type.to_string())));
                }
            }
            for c in &create.constraints {
                if let TableConstraint::PrimaryKey(pk) = c {
                    for ident in parts(&pk.columns).into_iter().flatten() {
                        let t = column_type(ctx, Some(create), &create.name, ident);
                        out.push((&create.name, ident, t));
                    }
                }
            }
        }
        Statement::AlterTable(alter) => {
            for op in &alter.operations {
                if let AlterTableOperation::AddConstraint {
                    constraint: TableConstraint::PrimaryKey(pk),
                    ..
                } = op
                {
                    for ident in parts(&pk.columns).into_iter().flatten() {
                        let t = column_type(ctx, None, &alter.name, ident);
                        out.push((&alter.name, ident, t));
                    }
                }
            }
        }
        _ => {}
    }
    out
}
