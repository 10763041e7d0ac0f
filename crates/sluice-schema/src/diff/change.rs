//! The typed Changes a diff produces.
//!
//! A Change names the objects it touches (schema, table, object name) and
//! carries the model objects themselves wherever a plan or its reverse needs
//! them: a drop keeps the dropped object so the reverse plan can recreate
//! it, an alteration keeps both sides so a planner can judge locks, rewrites
//! and data loss without going back to the catalogs.

use serde::{Deserialize, Serialize};

use crate::model::{
    Check, Column, EnumType, Extension, ForeignKey, Function, Generated, Identity, Index,
    MaterializedView, Partition, Partitioning, PrimaryKey, Sequence, Table, TableOptions, Trigger,
    UniqueConstraint, View,
};

/// Where a new enum label goes. PostgreSQL's `ADD VALUE` takes `BEFORE` or
/// `AFTER` an existing label; the diff gives the neighbour that exists in
/// both versions so the statement is valid as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnumPosition {
    /// Appended after the last label.
    End,
    Before(String),
    After(String),
}

/// One change to a column. An [`Change::AlterColumn`] lists all of them
/// for one column so a planner can merge them into one `ALTER TABLE`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnChange {
    /// `widening` is the dialect's answer to "can the stored values stay as
    /// they are?" (`varchar(10)` → `varchar(20)`): such a change needs no
    /// rewrite nor a `USING` conversion.
    Type {
        from: String,
        to: String,
        widening: bool,
    },
    Nullability {
        from: bool,
        to: bool,
    },
    Default {
        from: Option<String>,
        to: Option<String>,
    },
    Identity {
        from: Option<Identity>,
        to: Option<Identity>,
    },
    AutoIncrement {
        from: bool,
        to: bool,
    },
    Generated {
        from: Option<Generated>,
        to: Option<Generated>,
    },
    Charset {
        from: Option<String>,
        to: Option<String>,
    },
    Collation {
        from: Option<String>,
        to: Option<String>,
    },
    OnUpdate {
        from: Option<String>,
        to: Option<String>,
    },
    Comment {
        from: Option<String>,
        to: Option<String>,
    },
    /// The column moved among the columns both versions have (MySQL
    /// `MODIFY ... AFTER`); `after` is the column it follows in the new
    /// version, `None` for the first. Only where the dialect says column
    /// order matters ([`super::DialectRules::column_order_matters`]).
    Position {
        after: Option<String>,
    },
}

/// What a [`Change::SetComment`] is about. Column comments are
/// [`ColumnChange::Comment`]s; new objects carry their comments with them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CommentTarget {
    Catalog,
    Extension {
        name: String,
    },
    Schema {
        schema: String,
    },
    Table {
        schema: String,
        name: String,
    },
    View {
        schema: String,
        name: String,
    },
    MaterializedView {
        schema: String,
        name: String,
    },
    Sequence {
        schema: String,
        name: String,
    },
    Enum {
        schema: String,
        name: String,
    },
    Function {
        schema: String,
        name: String,
        signature: String,
    },
    Trigger {
        schema: String,
        table: String,
        name: String,
    },
    Index {
        schema: String,
        table: String,
        name: String,
    },
    Constraint {
        schema: String,
        table: String,
        name: String,
    },
}

/// One difference between two catalogs, as a unit a plan turns into DDL.
///
/// Changed objects that no statement can alter in place are a drop and a
/// create (foreign keys, indexes, triggers, materialized views, enum types
/// losing or reordering labels), so every variant maps to one kind of
/// statement.
// Variants carry whole objects (a table for a create or drop) by design:
// a Change is built once and read by plans; boxing would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum Change {
    CreateExtension {
        extension: Extension,
    },
    DropExtension {
        extension: Extension,
    },
    /// A version or schema change of an installed extension.
    AlterExtension {
        from: Extension,
        to: Extension,
    },
    /// On MySQL and SQLite the one schema is the database itself: a plan
    /// has nothing to run for it, but the Change keeps the diff of an
    /// empty catalog complete.
    CreateSchema {
        schema: String,
        comment: Option<String>,
    },
    DropSchema {
        schema: String,
    },
    CreateEnum {
        schema: String,
        enum_type: EnumType,
    },
    DropEnum {
        schema: String,
        enum_type: EnumType,
    },
    AddEnumValue {
        schema: String,
        name: String,
        value: String,
        position: EnumPosition,
    },
    /// Comes before tables (a default may call `nextval`); its `OWNED BY`,
    /// if any, names a table that may not exist yet, so a plan sets the
    /// ownership after the tables, as the renderer does.
    CreateSequence {
        schema: String,
        sequence: Sequence,
    },
    DropSequence {
        schema: String,
        sequence: Sequence,
    },
    AlterSequence {
        schema: String,
        from: Sequence,
        to: Sequence,
    },
    /// A new table with its columns, keys, checks, indexes, partitions,
    /// options and comments. Its foreign keys are left out and come as
    /// [`Change::AddForeignKey`]s after every table exists, so reference
    /// cycles and forward references work.
    CreateTable {
        schema: String,
        table: Table,
    },
    /// A dropped table, without its foreign keys (dropped before it as
    /// [`Change::DropForeignKey`]s, mirroring [`Change::CreateTable`]).
    DropTable {
        schema: String,
        table: Table,
    },
    /// Only when declared in [`super::DiffOptions::renames`].
    RenameTable {
        schema: String,
        from: String,
        to: String,
    },
    AddColumn {
        schema: String,
        table: String,
        column: Column,
    },
    DropColumn {
        schema: String,
        table: String,
        column: Column,
    },
    /// Only when declared in [`super::DiffOptions::renames`].
    RenameColumn {
        schema: String,
        table: String,
        from: String,
        to: String,
    },
    AlterColumn {
        schema: String,
        table: String,
        column: String,
        changes: Vec<ColumnChange>,
        from: Column,
        to: Column,
    },
    AddPrimaryKey {
        schema: String,
        table: String,
        primary_key: PrimaryKey,
    },
    DropPrimaryKey {
        schema: String,
        table: String,
        primary_key: PrimaryKey,
    },
    AddUnique {
        schema: String,
        table: String,
        unique: UniqueConstraint,
    },
    DropUnique {
        schema: String,
        table: String,
        unique: UniqueConstraint,
    },
    AddCheck {
        schema: String,
        table: String,
        check: Check,
    },
    DropCheck {
        schema: String,
        table: String,
        check: Check,
    },
    AddForeignKey {
        schema: String,
        table: String,
        foreign_key: ForeignKey,
    },
    DropForeignKey {
        schema: String,
        table: String,
        foreign_key: ForeignKey,
    },
    /// An index on a table or on a materialized view (`table` names it).
    CreateIndex {
        schema: String,
        table: String,
        index: Index,
    },
    DropIndex {
        schema: String,
        table: String,
        index: Index,
    },
    CreateView {
        schema: String,
        view: View,
    },
    DropView {
        schema: String,
        view: View,
    },
    /// The definition or options changed: `CREATE OR REPLACE VIEW` (the
    /// planner falls back to drop and create where the server refuses).
    ReplaceView {
        schema: String,
        from: View,
        to: View,
    },
    CreateMaterializedView {
        schema: String,
        view: MaterializedView,
    },
    DropMaterializedView {
        schema: String,
        view: MaterializedView,
    },
    CreateFunction {
        schema: String,
        function: Function,
    },
    DropFunction {
        schema: String,
        function: Function,
    },
    ReplaceFunction {
        schema: String,
        from: Function,
        to: Function,
    },
    CreateTrigger {
        schema: String,
        trigger: Trigger,
    },
    DropTrigger {
        schema: String,
        trigger: Trigger,
    },
    /// Dialect options (MySQL engine, PostgreSQL storage parameters, …)
    /// differ; MySQL's `AUTO_INCREMENT` counter never counts.
    AlterTableOptions {
        schema: String,
        table: String,
        from: TableOptions,
        to: TableOptions,
    },
    /// The partitioning strategy or key changed, or a table became
    /// (un)partitioned: a repartition, or a rebuild where the server has none.
    AlterPartitioning {
        schema: String,
        table: String,
        from: Option<Partitioning>,
        to: Option<Partitioning>,
    },
    AddPartition {
        schema: String,
        table: String,
        partition: Partition,
    },
    DropPartition {
        schema: String,
        table: String,
        partition: Partition,
    },
    SetComment {
        target: CommentTarget,
        from: Option<String>,
        to: Option<String>,
    },
}

impl Change {
    /// The stable name of the Change's kind, as its JSON `change` tag
    /// spells it (`add_column`): for plan output, hazard lists and logs.
    pub fn kind(&self) -> &'static str {
        use Change::*;
        match self {
            CreateExtension { .. } => "create_extension",
            DropExtension { .. } => "drop_extension",
            AlterExtension { .. } => "alter_extension",
            CreateSchema { .. } => "create_schema",
            DropSchema { .. } => "drop_schema",
            CreateEnum { .. } => "create_enum",
            DropEnum { .. } => "drop_enum",
            AddEnumValue { .. } => "add_enum_value",
            CreateSequence { .. } => "create_sequence",
            DropSequence { .. } => "drop_sequence",
            AlterSequence { .. } => "alter_sequence",
            CreateTable { .. } => "create_table",
            DropTable { .. } => "drop_table",
            RenameTable { .. } => "rename_table",
            AddColumn { .. } => "add_column",
            DropColumn { .. } => "drop_column",
            RenameColumn { .. } => "rename_column",
            AlterColumn { .. } => "alter_column",
            AddPrimaryKey { .. } => "add_primary_key",
            DropPrimaryKey { .. } => "drop_primary_key",
            AddUnique { .. } => "add_unique",
            DropUnique { .. } => "drop_unique",
            AddCheck { .. } => "add_check",
            DropCheck { .. } => "drop_check",
            AddForeignKey { .. } => "add_foreign_key",
            DropForeignKey { .. } => "drop_foreign_key",
            CreateIndex { .. } => "create_index",
            DropIndex { .. } => "drop_index",
            CreateView { .. } => "create_view",
            DropView { .. } => "drop_view",
            ReplaceView { .. } => "replace_view",
            CreateMaterializedView { .. } => "create_materialized_view",
            DropMaterializedView { .. } => "drop_materialized_view",
            CreateFunction { .. } => "create_function",
            DropFunction { .. } => "drop_function",
            ReplaceFunction { .. } => "replace_function",
            CreateTrigger { .. } => "create_trigger",
            DropTrigger { .. } => "drop_trigger",
            AlterTableOptions { .. } => "alter_table_options",
            AlterPartitioning { .. } => "alter_partitioning",
            AddPartition { .. } => "add_partition",
            DropPartition { .. } => "drop_partition",
            SetComment { .. } => "set_comment",
        }
    }

    /// The schema the change is in, if it is in one.
    pub fn schema(&self) -> Option<&str> {
        use Change::*;
        match self {
            CreateExtension { .. } | DropExtension { .. } | AlterExtension { .. } => None,
            SetComment { target, .. } => match target {
                CommentTarget::Catalog | CommentTarget::Extension { .. } => None,
                CommentTarget::Schema { schema }
                | CommentTarget::Table { schema, .. }
                | CommentTarget::View { schema, .. }
                | CommentTarget::MaterializedView { schema, .. }
                | CommentTarget::Sequence { schema, .. }
                | CommentTarget::Enum { schema, .. }
                | CommentTarget::Function { schema, .. }
                | CommentTarget::Trigger { schema, .. }
                | CommentTarget::Index { schema, .. }
                | CommentTarget::Constraint { schema, .. } => Some(schema),
            },
            CreateSchema { schema, .. }
            | DropSchema { schema }
            | CreateEnum { schema, .. }
            | DropEnum { schema, .. }
            | AddEnumValue { schema, .. }
            | CreateSequence { schema, .. }
            | DropSequence { schema, .. }
            | AlterSequence { schema, .. }
            | CreateTable { schema, .. }
            | DropTable { schema, .. }
            | RenameTable { schema, .. }
            | AddColumn { schema, .. }
            | DropColumn { schema, .. }
            | RenameColumn { schema, .. }
            | AlterColumn { schema, .. }
            | AddPrimaryKey { schema, .. }
            | DropPrimaryKey { schema, .. }
            | AddUnique { schema, .. }
            | DropUnique { schema, .. }
            | AddCheck { schema, .. }
            | DropCheck { schema, .. }
            | AddForeignKey { schema, .. }
            | DropForeignKey { schema, .. }
            | CreateIndex { schema, .. }
            | DropIndex { schema, .. }
            | CreateView { schema, .. }
            | DropView { schema, .. }
            | ReplaceView { schema, .. }
            | CreateMaterializedView { schema, .. }
            | DropMaterializedView { schema, .. }
            | CreateFunction { schema, .. }
            | DropFunction { schema, .. }
            | ReplaceFunction { schema, .. }
            | CreateTrigger { schema, .. }
            | DropTrigger { schema, .. }
            | AlterTableOptions { schema, .. }
            | AlterPartitioning { schema, .. }
            | AddPartition { schema, .. }
            | DropPartition { schema, .. } => Some(schema),
        }
    }

    /// Whether applying the change can lose stored data (a planner's
    /// `DELETES_DATA` hazard starts here).
    pub fn drops_data(&self) -> bool {
        matches!(
            self,
            Change::DropTable { .. }
                | Change::DropColumn { .. }
                | Change::DropPartition { .. }
                | Change::DropSchema { .. }
                | Change::DropMaterializedView { .. }
        )
    }
}

impl ColumnChange {
    /// The change that undoes this one. A position has no inverse of its
    /// own (the old neighbour is not kept): `None`.
    pub fn inverse(&self) -> Option<ColumnChange> {
        use ColumnChange::*;
        Some(match self.clone() {
            Type { from, to, .. } => Type {
                from: to,
                to: from,
                // Narrowing back is never a widening.
                widening: false,
            },
            Nullability { from, to } => Nullability { from: to, to: from },
            Default { from, to } => Default { from: to, to: from },
            Identity { from, to } => Identity { from: to, to: from },
            AutoIncrement { from, to } => AutoIncrement { from: to, to: from },
            Generated { from, to } => Generated { from: to, to: from },
            Charset { from, to } => Charset { from: to, to: from },
            Collation { from, to } => Collation { from: to, to: from },
            OnUpdate { from, to } => OnUpdate { from: to, to: from },
            Comment { from, to } => Comment { from: to, to: from },
            Position { .. } => return None,
        })
    }
}

impl Change {
    /// The Change that undoes this one, for a statement's reverse SQL.
    ///
    /// `None` where the server has no inverse statement: an enum label
    /// cannot be removed in place (the reverse of a whole plan rebuilds the
    /// type instead, from a diff of the two catalogs). A drop's inverse
    /// recreates the object's definition, not its data.
    pub fn inverse(&self) -> Option<Change> {
        use Change::*;
        Some(match self.clone() {
            CreateExtension { extension } => DropExtension { extension },
            DropExtension { extension } => CreateExtension { extension },
            AlterExtension { from, to } => AlterExtension { from: to, to: from },
            CreateSchema { schema, .. } => DropSchema { schema },
            DropSchema { schema } => CreateSchema {
                schema,
                comment: None,
            },
            CreateEnum { schema, enum_type } => DropEnum { schema, enum_type },
            DropEnum { schema, enum_type } => CreateEnum { schema, enum_type },
            AddEnumValue { .. } => return None,
            CreateSequence { schema, sequence } => DropSequence { schema, sequence },
            DropSequence { schema, sequence } => CreateSequence { schema, sequence },
            AlterSequence { schema, from, to } => AlterSequence {
                schema,
                from: to,
                to: from,
            },
            CreateTable { schema, table } => DropTable { schema, table },
            DropTable { schema, table } => CreateTable { schema, table },
            RenameTable { schema, from, to } => RenameTable {
                schema,
                from: to,
                to: from,
            },
            AddColumn {
                schema,
                table,
                column,
            } => DropColumn {
                schema,
                table,
                column,
            },
            DropColumn {
                schema,
                table,
                column,
            } => AddColumn {
                schema,
                table,
                column,
            },
            RenameColumn {
                schema,
                table,
                from,
                to,
            } => RenameColumn {
                schema,
                table,
                from: to,
                to: from,
            },
            AlterColumn {
                schema,
                table,
                column,
                changes,
                from,
                to,
            } => AlterColumn {
                schema,
                table,
                column,
                changes: changes.iter().filter_map(ColumnChange::inverse).collect(),
                from: to,
                to: from,
            },
            AddPrimaryKey {
                schema,
                table,
                primary_key,
            } => DropPrimaryKey {
                schema,
                table,
                primary_key,
            },
            DropPrimaryKey {
                schema,
                table,
                primary_key,
            } => AddPrimaryKey {
                schema,
                table,
                primary_key,
            },
            AddUnique {
                schema,
                table,
                unique,
            } => DropUnique {
                schema,
                table,
                unique,
            },
            DropUnique {
                schema,
                table,
                unique,
            } => AddUnique {
                schema,
                table,
                unique,
            },
            AddCheck {
                schema,
                table,
                check,
            } => DropCheck {
                schema,
                table,
                check,
            },
            DropCheck {
                schema,
                table,
                check,
            } => AddCheck {
                schema,
                table,
                check,
            },
            AddForeignKey {
                schema,
                table,
                foreign_key,
            } => DropForeignKey {
                schema,
                table,
                foreign_key,
            },
            DropForeignKey {
                schema,
                table,
                foreign_key,
            } => AddForeignKey {
                schema,
                table,
                foreign_key,
            },
            CreateIndex {
                schema,
                table,
                index,
            } => DropIndex {
                schema,
                table,
                index,
            },
            DropIndex {
                schema,
                table,
                index,
            } => CreateIndex {
                schema,
                table,
                index,
            },
            CreateView { schema, view } => DropView { schema, view },
            DropView { schema, view } => CreateView { schema, view },
            ReplaceView { schema, from, to } => ReplaceView {
                schema,
                from: to,
                to: from,
            },
            CreateMaterializedView { schema, view } => DropMaterializedView { schema, view },
            DropMaterializedView { schema, view } => CreateMaterializedView { schema, view },
            CreateFunction { schema, function } => DropFunction { schema, function },
            DropFunction { schema, function } => CreateFunction { schema, function },
            ReplaceFunction { schema, from, to } => ReplaceFunction {
                schema,
                from: to,
                to: from,
            },
            CreateTrigger { schema, trigger } => DropTrigger { schema, trigger },
            DropTrigger { schema, trigger } => CreateTrigger { schema, trigger },
            AlterTableOptions {
                schema,
                table,
                from,
                to,
            } => AlterTableOptions {
                schema,
                table,
                from: to,
                to: from,
            },
            AlterPartitioning {
                schema,
                table,
                from,
                to,
            } => AlterPartitioning {
                schema,
                table,
                from: to,
                to: from,
            },
            AddPartition {
                schema,
                table,
                partition,
            } => DropPartition {
                schema,
                table,
                partition,
            },
            DropPartition {
                schema,
                table,
                partition,
            } => AddPartition {
                schema,
                table,
                partition,
            },
            SetComment { target, from, to } => SetComment {
                target,
                from: to,
                to: from,
            },
        })
    }
}
