//! index.*: rules about indexes and keys.

pub mod create_concurrently;
pub mod key_number_limit;
pub mod no_duplicate_column;

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
            _ => None,
        })
        .collect()
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
