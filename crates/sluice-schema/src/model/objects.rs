//! Schema objects other than tables: views, materialized views, sequences,
//! enum types, functions and procedures, triggers, extensions.

use serde::{Deserialize, Serialize};

use super::index::Index;
use super::table::{SequenceOptions, is_false};

/// A view.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct View {
    pub name: String,
    /// The query (`SELECT ...`) as the server reports it; a trailing
    /// semicolon is tolerated and dropped when rendering. Inspectors should
    /// read it so that names of the database itself are not qualified
    /// (`pg_get_viewdef` under the dump's search path; MySQL's `SHOW CREATE
    /// VIEW` style, without the current database's `db`. prefix that
    /// `information_schema.VIEWS` adds), so the dump applies to a database
    /// of another name.
    pub definition: String,
    /// Explicit column names (`CREATE VIEW v (a, b)`), empty if none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_option: Option<CheckOption>,
    /// PostgreSQL `security_invoker`, MySQL `SQL SECURITY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<ViewSecurity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl View {
    pub fn new(name: impl Into<String>, definition: impl Into<String>) -> Self {
        View {
            name: name.into(),
            definition: definition.into(),
            ..Default::default()
        }
    }
}

/// `WITH [LOCAL | CASCADED] CHECK OPTION`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOption {
    Local,
    Cascaded,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViewSecurity {
    Definer,
    Invoker,
}

/// A PostgreSQL materialized view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MaterializedView {
    pub name: String,
    pub definition: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// `WITH DATA` (populated) or `WITH NO DATA`.
    pub with_data: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tablespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Default for MaterializedView {
    fn default() -> Self {
        MaterializedView {
            name: String::new(),
            definition: String::new(),
            columns: Vec::new(),
            indexes: Vec::new(),
            with_data: true,
            tablespace: None,
            comment: None,
        }
    }
}

impl MaterializedView {
    pub fn new(name: impl Into<String>, definition: impl Into<String>) -> Self {
        MaterializedView {
            name: name.into(),
            definition: definition.into(),
            ..Default::default()
        }
    }

    pub fn with_index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }
}

/// A sequence (PostgreSQL; MariaDB 10.3+). Identity columns' sequences are
/// not listed here: they belong to their column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sequence {
    pub name: String,
    /// PostgreSQL `AS bigint`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    #[serde(flatten)]
    pub options: SequenceOptions,
    /// `OWNED BY table.column` (same schema, as PostgreSQL requires).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<ColumnRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Sequence {
    pub fn new(name: impl Into<String>) -> Self {
        Sequence {
            name: name.into(),
            ..Default::default()
        }
    }
}

/// A column of a table in the same schema.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ColumnRef {
    pub table: String,
    pub column: String,
}

/// A PostgreSQL enum type. Labels keep their declared order, which is the
/// type's sort order; they are never sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnumType {
    pub name: String,
    pub labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl EnumType {
    pub fn new<I, S>(name: impl Into<String>, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        EnumType {
            name: name.into(),
            labels: labels.into_iter().map(Into::into).collect(),
            comment: None,
        }
    }
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RoutineKind {
    #[default]
    Function,
    Procedure,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

/// A function or procedure.
///
/// Its identity is `(name, signature)`: PostgreSQL overloads by argument
/// types. `definition`, when present, is the full `CREATE` text as the
/// server reports it (`pg_get_functiondef`, `SHOW CREATE FUNCTION`) and is
/// what rendering emits; the other fields are there to be browsed and
/// diffed, and to build the statement when no definition is known.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Function {
    pub kind: RoutineKind,
    pub name: String,
    /// Identity arguments: types only (`integer, text`);
    /// `pg_get_function_identity_arguments`.
    pub signature: String,
    /// Full argument list with names, modes and defaults
    /// (`pg_get_function_arguments`; MySQL parameter list).
    pub arguments: String,
    /// Return type (`integer`, `SETOF t`, `TABLE(a int)`); `None` for
    /// procedures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    pub language: String,
    /// The body between the dollar quotes (PostgreSQL) or after the
    /// characteristics (MySQL `BEGIN ... END`).
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volatility: Option<Volatility>,
    #[serde(skip_serializing_if = "is_false")]
    pub security_definer: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Function {
    pub fn new(kind: RoutineKind, name: impl Into<String>) -> Self {
        Function {
            kind,
            name: name.into(),
            ..Default::default()
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerTiming {
    #[default]
    Before,
    After,
    InsteadOf,
}

/// Trigger events, ordered as SQL lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEvent {
    Insert,
    Update,
    Delete,
    Truncate,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerLevel {
    #[default]
    Row,
    Statement,
}

/// A trigger on a table or view of the same schema.
///
/// Triggers live on the [`super::Schema`], not on tables, because they may
/// also be on views; their identity is `(table, name)` since PostgreSQL
/// names triggers per table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Trigger {
    pub name: String,
    pub table: String,
    pub timing: TriggerTiming,
    /// Sorted and deduplicated by normalization.
    pub events: Vec<TriggerEvent>,
    /// `UPDATE OF columns`, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub update_columns: Vec<String>,
    pub level: TriggerLevel,
    /// PostgreSQL: the function call after `EXECUTE FUNCTION`
    /// (`public.audit()`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// MySQL and SQLite: the body statement(s) (`BEGIN ... END` or a single
    /// statement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `WHEN (condition)`, without the keyword and outer parentheses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The full `CREATE TRIGGER` text as the server reports it, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Trigger {
    pub fn new(name: impl Into<String>, table: impl Into<String>) -> Self {
        Trigger {
            name: name.into(),
            table: table.into(),
            ..Default::default()
        }
    }
}

/// A PostgreSQL extension.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Extension {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Extension {
    pub fn new(name: impl Into<String>) -> Self {
        Extension {
            name: name.into(),
            ..Default::default()
        }
    }
}
