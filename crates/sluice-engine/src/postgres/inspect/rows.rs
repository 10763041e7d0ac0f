//! One row type per catalog query in [`super::queries`], decoded as is;
//! [`super::assemble`] turns them into the model.

use sqlx::FromRow;

#[derive(Debug, FromRow)]
pub struct DatabaseRow {
    pub version_num: i32,
    pub version: String,
    pub name: String,
    pub encoding: String,
    pub collation: String,
    pub comment: Option<String>,
}

#[derive(Debug, FromRow)]
pub struct SchemaRow {
    pub oid: i64,
    pub name: String,
    pub comment: Option<String>,
}

#[derive(Debug, FromRow)]
pub struct ExtensionRow {
    pub name: String,
    pub schema: String,
    pub version: String,
    pub comment: Option<String>,
}

#[derive(Debug, FromRow)]
pub struct TableRow {
    pub oid: i64,
    pub schema_oid: i64,
    pub name: String,
    pub persistence: String,
    pub is_partition: bool,
    pub row_security: bool,
    pub storage_parameters: Vec<String>,
    pub tablespace: Option<String>,
    pub partition_strategy: Option<String>,
    pub partition_key: Option<String>,
    pub partition_bound: Option<String>,
    pub parents: Vec<i64>,
    pub comment: Option<String>,
}

#[derive(Debug, FromRow)]
pub struct ColumnRow {
    pub table_oid: i64,
    pub position: i16,
    pub name: String,
    pub data_type: String,
    pub not_null: bool,
    pub default_expr: Option<String>,
    pub identity: String,
    pub generated: String,
    pub collation: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, FromRow)]
pub struct SequenceRow {
    pub schema_oid: i64,
    pub name: String,
    pub data_type: String,
    pub start: i64,
    pub increment: i64,
    pub min_value: i64,
    pub max_value: i64,
    pub cache: i64,
    pub cycle: bool,
    pub owner_kind: Option<String>,
    pub owner_table_oid: Option<i64>,
    pub owner_table: Option<String>,
    pub owner_column: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, FromRow)]
pub struct ConstraintRow {
    pub table_oid: i64,
    pub name: String,
    pub kind: String,
    pub deferrable: bool,
    pub deferred: bool,
    pub no_inherit: bool,
    pub columns: Vec<String>,
    pub ref_schema: Option<String>,
    pub ref_table: Option<String>,
    pub ref_columns: Vec<String>,
    pub on_update: String,
    pub on_delete: String,
    pub match_type: String,
    pub definition: Option<String>,
    pub comment: Option<String>,
}

/// One key part (or `INCLUDE` column) of an index; the index's own fields
/// repeat on each of its rows, its predicate only on the first.
#[derive(Debug, FromRow)]
pub struct IndexKeyRow {
    pub oid: i64,
    pub table_oid: i64,
    pub name: String,
    pub is_unique: bool,
    pub method: String,
    pub can_order: bool,
    pub key_count: i32,
    pub position: i32,
    pub column_name: Option<String>,
    pub expression: Option<String>,
    pub option: i32,
    pub opclass: Option<String>,
    pub collation: Option<String>,
    pub predicate: Option<String>,
    pub nulls_not_distinct: bool,
    pub comment: Option<String>,
}

#[derive(Debug, FromRow)]
pub struct ViewRow {
    pub oid: i64,
    pub schema_oid: i64,
    pub name: String,
    pub kind: String,
    pub definition: String,
    pub options: Vec<String>,
    pub populated: bool,
    pub tablespace: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, FromRow)]
pub struct EnumRow {
    pub schema_oid: i64,
    pub name: String,
    pub labels: Vec<String>,
    pub comment: Option<String>,
}

#[derive(Debug, FromRow)]
pub struct FunctionRow {
    pub schema_oid: i64,
    pub name: String,
    pub kind: String,
    pub signature: String,
    pub arguments: String,
    pub returns: Option<String>,
    pub language: String,
    pub body: String,
    pub volatility: String,
    pub security_definer: bool,
    pub definition: String,
    pub comment: Option<String>,
}

#[derive(Debug, FromRow)]
pub struct TriggerRow {
    pub table_oid: i64,
    pub name: String,
    pub type_bits: i32,
    pub update_columns: Vec<String>,
    pub definition: String,
    pub comment: Option<String>,
}

/// Everything one inspection read, in one snapshot.
#[derive(Debug)]
pub struct Rows {
    pub database: DatabaseRow,
    pub schemas: Vec<SchemaRow>,
    pub extensions: Vec<ExtensionRow>,
    pub tables: Vec<TableRow>,
    pub columns: Vec<ColumnRow>,
    pub sequences: Vec<SequenceRow>,
    pub constraints: Vec<ConstraintRow>,
    pub index_keys: Vec<IndexKeyRow>,
    pub views: Vec<ViewRow>,
    pub enums: Vec<EnumRow>,
    pub functions: Vec<FunctionRow>,
    pub triggers: Vec<TriggerRow>,
}
