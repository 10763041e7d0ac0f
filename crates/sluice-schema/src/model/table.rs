//! Tables and everything that hangs off them: columns, keys, indexes,
//! foreign keys, checks, partitioning and the per-dialect table options.
//!
//! Field values are kept as close as possible to what the engines' catalogs
//! report (a column type as `format_type()` or `COLUMN_TYPE` spells it, an
//! expression as `pg_get_expr()` prints it), so an inspector fills them
//! without interpretation and the diff compares like with like.

use serde::{Deserialize, Serialize};

use super::constraint::{Check, ForeignKey, PrimaryKey, UniqueConstraint};
use super::index::Index;

/// A table. Columns are kept in position order; every other collection is
/// sorted by name by [`crate::Catalog::normalize`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    /// Unique *constraints* (PostgreSQL `contype = 'u'`, SQLite inline
    /// `UNIQUE`). MySQL has no unique constraints apart from its unique
    /// indexes: those are [`Index`]es with `unique` set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<UniqueConstraint>,
    /// Indexes that are not the primary key or a unique constraint's own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitioning: Option<Partitioning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "TableOptions::is_none")]
    pub options: TableOptions,
}

impl Table {
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            ..Default::default()
        }
    }

    /// Appends a column; its position becomes the next one (1-based).
    pub fn with_column(mut self, mut column: Column) -> Self {
        column.position = self.columns.len() as u32 + 1;
        self.columns.push(column);
        self
    }

    pub fn with_primary_key(mut self, pk: PrimaryKey) -> Self {
        self.primary_key = Some(pk);
        self
    }

    pub fn with_unique(mut self, unique: UniqueConstraint) -> Self {
        self.uniques.push(unique);
        self
    }

    pub fn with_index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }

    pub fn with_foreign_key(mut self, fk: ForeignKey) -> Self {
        self.foreign_keys.push(fk);
        self
    }

    pub fn with_check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }

    pub fn with_partitioning(mut self, partitioning: Partitioning) -> Self {
        self.partitioning = Some(partitioning);
        self
    }

    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    pub fn with_options(mut self, options: TableOptions) -> Self {
        self.options = options;
        self
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
    }
}

/// A column.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Column {
    pub name: String,
    /// 1-based position. Normalization renumbers positions densely so a
    /// dropped column's gap (PostgreSQL `attnum`) is no difference.
    pub position: u32,
    /// The type as the server spells it: `format_type()` in PostgreSQL
    /// (`character varying(20)`), `COLUMN_TYPE` in MySQL (`int unsigned`),
    /// the declared type in SQLite (may be empty).
    pub data_type: String,
    pub nullable: bool,
    /// The default as an SQL expression, exactly what follows `DEFAULT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// PostgreSQL identity column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// MySQL `AUTO_INCREMENT`, SQLite `AUTOINCREMENT` (on the single
    /// `INTEGER PRIMARY KEY` column).
    #[serde(skip_serializing_if = "is_false")]
    pub auto_increment: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<Generated>,
    /// MySQL column character set (`CHARACTER_SET_NAME`) when it is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// MySQL `ON UPDATE` expression (`CURRENT_TIMESTAMP`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Column {
    /// A nullable column without default; chain the `with_*` methods.
    pub fn new(name: impl Into<String>, data_type: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            data_type: data_type.into(),
            nullable: true,
            ..Default::default()
        }
    }

    pub fn not_null(mut self) -> Self {
        self.nullable = false;
        self
    }

    pub fn with_default(mut self, expr: impl Into<String>) -> Self {
        self.default = Some(expr.into());
        self
    }

    pub fn with_identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self.nullable = false;
        self
    }

    pub fn auto_increment(mut self) -> Self {
        self.auto_increment = true;
        self
    }

    pub fn with_generated(mut self, generated: Generated) -> Self {
        self.generated = Some(generated);
        self
    }

    pub fn with_charset(mut self, charset: impl Into<String>) -> Self {
        self.charset = Some(charset.into());
        self
    }

    pub fn with_collation(mut self, collation: impl Into<String>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    pub fn with_on_update(mut self, expr: impl Into<String>) -> Self {
        self.on_update = Some(expr.into());
        self
    }

    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }
}

/// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY (sequence options)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub kind: IdentityKind,
    #[serde(default)]
    pub sequence: SequenceOptions,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    #[default]
    Always,
    ByDefault,
}

/// Sequence parameters shared by sequences and identity columns. `None`
/// means "the server's default"; inspectors fill every value they read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SequenceOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    pub cycle: bool,
}

/// A generated (computed) column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    pub expression: String,
    pub kind: GeneratedKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeneratedKind {
    Stored,
    Virtual,
}

/// How a table is partitioned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionStrategy {
    Range,
    List,
    Hash,
    /// MySQL only.
    Key,
    /// MySQL `RANGE COLUMNS`.
    RangeColumns,
    /// MySQL `LIST COLUMNS`.
    ListColumns,
    /// MySQL `LINEAR HASH`.
    LinearHash,
    /// MySQL `LINEAR KEY`.
    LinearKey,
}

impl PartitionStrategy {
    /// The keywords after `PARTITION BY`.
    pub fn as_sql(&self) -> &'static str {
        match self {
            PartitionStrategy::Range => "RANGE",
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
            PartitionStrategy::Key => "KEY",
            PartitionStrategy::RangeColumns => "RANGE COLUMNS",
            PartitionStrategy::ListColumns => "LIST COLUMNS",
            PartitionStrategy::LinearHash => "LINEAR HASH",
            PartitionStrategy::LinearKey => "LINEAR KEY",
        }
    }
}

/// `PARTITION BY strategy (key)` and the partitions.
///
/// PostgreSQL partitions are tables of their own in `pg_class`; inspectors
/// fold them in here instead of listing them as tables, because they are
/// created and dropped with their parent's definition. MySQL partitions keep
/// their declared (ordinal) order, which matters for RANGE; PostgreSQL
/// partitions are sorted by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partitioning {
    pub strategy: PartitionStrategy,
    /// The partition key as the server prints it: `created_at`,
    /// `(lower(name))`, `YEAR(created)`, `a, b`.
    pub key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<Partition>,
}

/// One partition.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Partition {
    pub name: String,
    /// The bound as the server prints it: PostgreSQL `FOR VALUES FROM (1)
    /// TO (10)` or `DEFAULT`; MySQL `VALUES LESS THAN (10)`, `VALUES IN
    /// (1,2)`; `None` for MySQL HASH/KEY partitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<String>,
    /// Sub-partitioning: in PostgreSQL a partition that is itself
    /// partitioned; in MySQL the table's `SUBPARTITION BY` with this
    /// partition's sub-partitions (strategy and key are the same for all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitioning: Option<Box<Partitioning>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Partition {
    pub fn new(name: impl Into<String>, bound: Option<&str>) -> Self {
        Partition {
            name: name.into(),
            bound: bound.map(str::to_string),
            ..Default::default()
        }
    }
}

/// Dialect-specific table options: one typed extension per dialect rather
/// than an open-ended bag of attributes, so every option is named,
/// documented and compared exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "dialect", rename_all = "snake_case")]
pub enum TableOptions {
    #[default]
    None,
    Postgres(PostgresTableOptions),
    Mysql(MysqlTableOptions),
    Sqlite(SqliteTableOptions),
}

impl TableOptions {
    pub fn is_none(&self) -> bool {
        *self == TableOptions::None
    }

    pub fn postgres(&self) -> Option<&PostgresTableOptions> {
        match self {
            TableOptions::Postgres(o) => Some(o),
            _ => None,
        }
    }

    pub fn mysql(&self) -> Option<&MysqlTableOptions> {
        match self {
            TableOptions::Mysql(o) => Some(o),
            _ => None,
        }
    }

    pub fn sqlite(&self) -> Option<&SqliteTableOptions> {
        match self {
            TableOptions::Sqlite(o) => Some(o),
            _ => None,
        }
    }
}

/// PostgreSQL table options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostgresTableOptions {
    #[serde(skip_serializing_if = "is_false")]
    pub unlogged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tablespace: Option<String>,
    /// Parent tables of `INHERITS (...)`, in declared order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<QualifiedName>,
    /// Storage parameters as `pg_class.reloptions` lists them
    /// (`fillfactor=70`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub storage_parameters: Vec<String>,
    /// `ALTER TABLE ... ENABLE ROW LEVEL SECURITY`.
    #[serde(skip_serializing_if = "is_false")]
    pub row_security: bool,
}

/// MySQL and MariaDB table options, as `information_schema.TABLES` reports
/// them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MysqlTableOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_format: Option<String>,
    /// `AUTO_INCREMENT=n`, the next value. Volatile: a diff should ignore it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_increment: Option<u64>,
}

/// SQLite table options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SqliteTableOptions {
    #[serde(skip_serializing_if = "is_false")]
    pub without_rowid: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub strict: bool,
}

/// A schema-qualified object name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}
