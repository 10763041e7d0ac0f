//! The rules, one file each under a folder per category, and the small
//! AST helpers they share. The registry (`crate::registry`) lists them.

pub mod column;
pub mod database;
pub mod engine;
pub mod index;
pub mod naming;
pub mod schema;
pub mod statement;
pub mod system;
pub mod table;

#[cfg(test)]
pub(crate) mod testing;

/// What every rule file imports.
pub(crate) mod prelude {
    pub use crate::context::Context;
    pub use crate::diagnostic::{Diagnostic, Level};
    pub use crate::rule::{
        ALL_ENGINES, DefaultValue, Doc, MYSQL, OptionSpec, POSTGRES, POSTGRES_MYSQL, Rule,
    };
    pub use sluice_schema::Dialect;
    pub use sqlparser::ast::Spanned;
    pub use sqlparser::ast::*;

    pub use super::{
        canonical_type, columns_of, display_name, foreign_keys_of, is_auto_increment,
        is_primary_key_column, last_ident, same_type, table_options, type_base,
    };
}

use sqlparser::ast::{
    AlterTableOperation, ColumnDef, ColumnOption, ForeignKeyConstraint, Ident, ObjectName,
    Statement, TableConstraint,
};

/// A name as the user wrote it, without quotes: `public.users`.
pub fn display_name(name: &ObjectName) -> String {
    name.0
        .iter()
        .map(|p| match p.as_ident() {
            Some(i) => i.value.clone(),
            None => p.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The last part of a possibly qualified name: `public.users` → `users`.
pub fn last_ident(name: &ObjectName) -> Option<&Ident> {
    name.0.last()?.as_ident()
}

/// A CREATE TABLE's table options (`ENGINE=…`, `DEFAULT CHARSET=…`,
/// `COMMENT=…`, `WITH (…)`), whichever way they were written.
pub fn table_options(create: &sqlparser::ast::CreateTable) -> &[sqlparser::ast::SqlOption] {
    use sqlparser::ast::CreateTableOptions;
    match &create.table_options {
        CreateTableOptions::Plain(o)
        | CreateTableOptions::With(o)
        | CreateTableOptions::Options(o)
        | CreateTableOptions::TableProperties(o) => o.as_slice(),
        CreateTableOptions::None => &[],
    }
}

/// Whether the column is MySQL `AUTO_INCREMENT` (or SQLite `AUTOINCREMENT`).
pub fn is_auto_increment(def: &ColumnDef) -> bool {
    def.options.iter().any(|o| match &o.option {
        ColumnOption::DialectSpecific(tokens) => tokens.iter().any(|t| {
            let t = t.to_string();
            t.eq_ignore_ascii_case("AUTO_INCREMENT") || t.eq_ignore_ascii_case("AUTOINCREMENT")
        }),
        _ => false,
    })
}

/// A column being defined: in a CREATE TABLE, or added or redefined by an
/// ALTER TABLE.
pub struct ColumnSite<'a> {
    pub table: &'a ObjectName,
    pub def: &'a ColumnDef,
    /// The table's constraints when the column is defined in CREATE TABLE
    /// (a table-level PRIMARY KEY makes it NOT NULL); empty otherwise.
    pub constraints: &'a [TableConstraint],
    /// Whether the table is being created by this statement.
    pub creating: bool,
}

/// Every column a statement defines. CHANGE and MODIFY COLUMN (MySQL)
/// carry a full definition too; their options are rebuilt as a ColumnDef.
pub fn columns_of(statement: &Statement) -> Vec<ColumnSite<'_>> {
    match statement {
        Statement::CreateTable(create) => create
            .columns
            .iter()
            .map(|def| ColumnSite {
                table: &create.name,
                def,
                constraints: &create.constraints,
                creating: true,
            })
            .collect(),
        Statement::AlterTable(alter) => alter
            .operations
            .iter()
            .filter_map(|op| match op {
                AlterTableOperation::AddColumn { column_def, .. } => Some(ColumnSite {
                    table: &alter.name,
                    def: column_def,
                    constraints: &[],
                    creating: false,
                }),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the column is (part of) the primary key of its table, by a
/// column option or a table constraint.
pub fn is_primary_key_column(site: &ColumnSite<'_>) -> bool {
    site.def
        .options
        .iter()
        .any(|o| matches!(o.option, ColumnOption::PrimaryKey(_)))
        || site.constraints.iter().any(|c| match c {
            TableConstraint::PrimaryKey(pk) => pk.columns.iter().any(|ic| {
                matches!(&ic.column.expr, sqlparser::ast::Expr::Identifier(i)
                    if i.value.eq_ignore_ascii_case(&site.def.name.value))
            }),
            _ => false,
        })
}

/// Every foreign key a statement defines, with the table it is defined on
/// and the span to report: column `REFERENCES`, table constraints and
/// `ALTER TABLE … ADD [CONSTRAINT] FOREIGN KEY`.
pub fn foreign_keys_of(
    statement: &Statement,
) -> Vec<(&ObjectName, &ForeignKeyConstraint, Option<&Ident>)> {
    let mut out = Vec::new();
    match statement {
        Statement::CreateTable(create) => {
            for c in &create.constraints {
                if let TableConstraint::ForeignKey(fk) = c {
                    out.push((&create.name, fk, fk.name.as_ref()));
                }
            }
            for def in &create.columns {
                for (fk, at) in column_fks(def) {
                    out.push((&create.name, fk, Some(at)));
                }
            }
        }
        Statement::AlterTable(alter) => {
            for op in &alter.operations {
                match op {
                    AlterTableOperation::AddConstraint {
                        constraint: TableConstraint::ForeignKey(fk),
                        ..
                    } => out.push((&alter.name, fk, fk.name.as_ref())),
                    AlterTableOperation::AddColumn { column_def, .. } => {
                        for (fk, at) in column_fks(column_def) {
                            out.push((&alter.name, fk, Some(at)));
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    out
}

fn column_fks(def: &ColumnDef) -> Vec<(&ForeignKeyConstraint, &Ident)> {
    def.options
        .iter()
        .filter_map(|o| match &o.option {
            ColumnOption::ForeignKey(fk) => Some((fk, &def.name)),
            _ => None,
        })
        .collect()
}

/// The base name of a type, lowercase and without length or precision:
/// `VARCHAR(20)` → `varchar`, `double precision` → `double precision`.
pub fn type_base(data_type: &str) -> String {
    let head = data_type.split('(').next().unwrap_or("");
    head.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

/// Whether two spellings name the same type. Catalogs spell types the
/// server's way (`character varying(20)`, `int4`, `int(11)`) and scripts
/// the author's way (`VARCHAR(20)`, `integer`), so both are reduced to a
/// canonical form first.
pub fn same_type(a: &str, b: &str) -> bool {
    canonical_type(a) == canonical_type(b)
}

pub fn canonical_type(t: &str) -> String {
    let mut s = t
        .to_ascii_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" (", "(");
    for (from, to) in [
        ("character varying", "varchar"),
        ("timestamp with time zone", "timestamptz"),
        ("timestamp without time zone", "timestamp"),
        ("time with time zone", "timetz"),
        ("time without time zone", "time"),
        ("double precision", "double"),
    ] {
        s = s.replace(from, to);
    }
    let cut = s.find(['(', ' ']).unwrap_or(s.len());
    let (first, mut rest) = s.split_at(cut);
    let first = match first {
        "character" | "bpchar" => "char",
        "int" | "int4" => "integer",
        "int8" => "bigint",
        "int2" => "smallint",
        "bool" => "boolean",
        "float8" => "double",
        "float4" => "real",
        "decimal" => "numeric",
        other => other,
    };
    // MySQL's display widths (`int(11)`) are not part of the type.
    if matches!(
        first,
        "integer" | "bigint" | "smallint" | "tinyint" | "mediumint"
    ) && rest.starts_with('(')
    {
        rest = rest.split_once(')').map_or("", |(_, tail)| tail);
    }
    format!("{first}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_spellings() {
        assert!(same_type("character varying(20)", "VARCHAR(20)"));
        assert!(same_type("int(11)", "INT"));
        assert!(same_type("int unsigned", "INT(10) unsigned"));
        assert!(!same_type("integer", "bigint"));
        assert!(!same_type("varchar(20)", "varchar(30)"));
        assert_eq!(type_base("CHARACTER  VARYING(20)"), "character varying");
    }
}
