//! Tables and everything that hangs off them: columns, keys, indexes,
//! foreign keys, checks, partitioning and the per-dialect table options.
//!
//! Field values are kept as close as possible to what the engines' catalogs
//! report (a column type as `format_type()` or `COLUMN_TYPE` spells it, an
//! expression as `pg_get_expr()` prints it), so an inspector fills them
//! without interpretation and the diff compares like with like.

use serde::{Deserialize, Serialize};

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

/// The primary key. `name` is `None` where the engine does not name it
/// (SQLite); MySQL always calls it `PRIMARY`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrimaryKey {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl PrimaryKey {
    pub fn new<I, S>(name: Option<&str>, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        PrimaryKey {
            name: name.map(str::to_string),
            columns: columns.into_iter().map(Into::into).collect(),
            comment: None,
        }
    }
}

/// When a constraint is checked (PostgreSQL `DEFERRABLE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deferral {
    #[default]
    NotDeferrable,
    InitiallyImmediate,
    InitiallyDeferred,
}

impl Deferral {
    pub fn is_not_deferrable(&self) -> bool {
        *self == Deferral::NotDeferrable
    }
}

/// A unique constraint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UniqueConstraint {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// PostgreSQL 15 `NULLS NOT DISTINCT`.
    #[serde(skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    #[serde(skip_serializing_if = "Deferral::is_not_deferrable")]
    pub deferral: Deferral,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl UniqueConstraint {
    pub fn new<I, S>(name: Option<&str>, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        UniqueConstraint {
            name: name.map(str::to_string),
            columns: columns.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }
}

/// An index method. Known methods are variants so the diff can compare them
/// exactly; anything else (an extension's `bloom`, `ivfflat`) is kept by name.
/// Serialized as its lowercase name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum IndexMethod {
    #[default]
    Btree,
    Hash,
    Gin,
    Gist,
    Spgist,
    Brin,
    /// MySQL `FULLTEXT`.
    Fulltext,
    /// MySQL `SPATIAL`.
    Spatial,
    Other(String),
}

impl IndexMethod {
    pub fn as_str(&self) -> &str {
        match self {
            IndexMethod::Btree => "btree",
            IndexMethod::Hash => "hash",
            IndexMethod::Gin => "gin",
            IndexMethod::Gist => "gist",
            IndexMethod::Spgist => "spgist",
            IndexMethod::Brin => "brin",
            IndexMethod::Fulltext => "fulltext",
            IndexMethod::Spatial => "spatial",
            IndexMethod::Other(s) => s,
        }
    }

    pub fn is_btree(&self) -> bool {
        *self == IndexMethod::Btree
    }
}

impl From<String> for IndexMethod {
    fn from(s: String) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "btree" => IndexMethod::Btree,
            "hash" => IndexMethod::Hash,
            "gin" => IndexMethod::Gin,
            "gist" => IndexMethod::Gist,
            "spgist" => IndexMethod::Spgist,
            "brin" => IndexMethod::Brin,
            "fulltext" => IndexMethod::Fulltext,
            "spatial" => IndexMethod::Spatial,
            other => IndexMethod::Other(other.to_string()),
        }
    }
}

impl From<&str> for IndexMethod {
    fn from(s: &str) -> Self {
        IndexMethod::from(s.to_string())
    }
}

impl From<IndexMethod> for String {
    fn from(m: IndexMethod) -> String {
        m.as_str().to_string()
    }
}

/// An index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    #[serde(skip_serializing_if = "IndexMethod::is_btree")]
    pub method: IndexMethod,
    pub parts: Vec<IndexPart>,
    /// Partial index predicate (`WHERE ...`), without the keyword.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// PostgreSQL `INCLUDE (...)` columns, in declared order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Index {
    pub fn new(name: impl Into<String>) -> Self {
        Index {
            name: name.into(),
            ..Default::default()
        }
    }

    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    pub fn with_method(mut self, method: impl Into<IndexMethod>) -> Self {
        self.method = method.into();
        self
    }

    pub fn with_part(mut self, part: IndexPart) -> Self {
        self.parts.push(part);
        self
    }

    /// Adds ascending column parts.
    pub fn on_columns<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.parts
            .extend(columns.into_iter().map(|c| IndexPart::column(c)));
        self
    }

    pub fn with_predicate(mut self, predicate: impl Into<String>) -> Self {
        self.predicate = Some(predicate.into());
        self
    }

    pub fn with_include<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.include.extend(columns.into_iter().map(Into::into));
        self
    }

    pub fn with_comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }
}

/// What one index key part indexes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexKey {
    Column(String),
    /// An expression as the server prints it, without enclosing parentheses.
    Expression(String),
}

impl Default for IndexKey {
    fn default() -> Self {
        IndexKey::Column(String::new())
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

impl SortOrder {
    pub fn is_asc(&self) -> bool {
        *self == SortOrder::Asc
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NullsOrder {
    First,
    Last,
}

/// One key part of an index.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndexPart {
    pub key: IndexKey,
    #[serde(skip_serializing_if = "SortOrder::is_asc")]
    pub order: SortOrder,
    /// Explicit nulls order. Normalization clears it on PostgreSQL when it is
    /// the default for the sort order (LAST for ASC, FIRST for DESC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nulls: Option<NullsOrder>,
    /// MySQL prefix length in characters (`name(10)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_length: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// PostgreSQL operator class when it is not the type's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
}

impl IndexPart {
    pub fn column(name: impl Into<String>) -> Self {
        IndexPart {
            key: IndexKey::Column(name.into()),
            ..Default::default()
        }
    }

    pub fn expression(expr: impl Into<String>) -> Self {
        IndexPart {
            key: IndexKey::Expression(expr.into()),
            ..Default::default()
        }
    }

    pub fn desc(mut self) -> Self {
        self.order = SortOrder::Desc;
        self
    }

    pub fn nulls(mut self, nulls: NullsOrder) -> Self {
        self.nulls = Some(nulls);
        self
    }

    pub fn prefix(mut self, length: u32) -> Self {
        self.prefix_length = Some(length);
        self
    }

    pub fn with_opclass(mut self, opclass: impl Into<String>) -> Self {
        self.opclass = Some(opclass.into());
        self
    }
}

/// `ON DELETE` / `ON UPDATE` action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferentialAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    pub fn is_no_action(&self) -> bool {
        *self == ReferentialAction::NoAction
    }

    pub fn as_sql(&self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// `MATCH` type of a foreign key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchType {
    #[default]
    Simple,
    Full,
    Partial,
}

impl MatchType {
    pub fn is_simple(&self) -> bool {
        *self == MatchType::Simple
    }
}

/// A foreign key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForeignKey {
    /// `None` only for unnamed SQLite foreign keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// Always filled (the table's own schema for a local reference), so a
    /// reference is a stable identity independent of search paths.
    pub referenced_schema: String,
    pub referenced_table: String,
    pub referenced_columns: Vec<String>,
    #[serde(skip_serializing_if = "ReferentialAction::is_no_action")]
    pub on_delete: ReferentialAction,
    #[serde(skip_serializing_if = "ReferentialAction::is_no_action")]
    pub on_update: ReferentialAction,
    #[serde(rename = "match", skip_serializing_if = "MatchType::is_simple")]
    pub match_type: MatchType,
    #[serde(skip_serializing_if = "Deferral::is_not_deferrable")]
    pub deferral: Deferral,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl ForeignKey {
    pub fn new<I, S, J, T>(
        name: Option<&str>,
        columns: I,
        referenced_schema: impl Into<String>,
        referenced_table: impl Into<String>,
        referenced_columns: J,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
        J: IntoIterator<Item = T>,
        T: Into<String>,
    {
        ForeignKey {
            name: name.map(str::to_string),
            columns: columns.into_iter().map(Into::into).collect(),
            referenced_schema: referenced_schema.into(),
            referenced_table: referenced_table.into(),
            referenced_columns: referenced_columns.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    pub fn on_delete(mut self, action: ReferentialAction) -> Self {
        self.on_delete = action;
        self
    }

    pub fn on_update(mut self, action: ReferentialAction) -> Self {
        self.on_update = action;
        self
    }

    pub fn with_match(mut self, match_type: MatchType) -> Self {
        self.match_type = match_type;
        self
    }

    pub fn with_deferral(mut self, deferral: Deferral) -> Self {
        self.deferral = deferral;
        self
    }
}

/// A check constraint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Check {
    /// `None` only for unnamed SQLite checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The boolean expression, what goes inside `CHECK (...)`.
    pub expression: String,
    /// PostgreSQL `NO INHERIT`.
    #[serde(skip_serializing_if = "is_false")]
    pub no_inherit: bool,
    /// MySQL 8 `NOT ENFORCED` sets this to false.
    pub enforced: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Default for Check {
    fn default() -> Self {
        Check {
            name: None,
            expression: String::new(),
            no_inherit: false,
            enforced: true,
            comment: None,
        }
    }
}

impl Check {
    pub fn new(name: Option<&str>, expression: impl Into<String>) -> Self {
        Check {
            name: name.map(str::to_string),
            expression: expression.into(),
            ..Default::default()
        }
    }
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
