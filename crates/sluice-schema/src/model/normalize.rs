//! Normalization: one canonical form per schema, whatever order the
//! catalogs returned things in, so equal schemas compare equal and
//! serialize byte for byte the same.

use super::catalog::{Catalog, Schema};
use super::index::{Index, NullsOrder, SortOrder};
use super::table::{Partitioning, Table};
use crate::dialect::Dialect;

impl Catalog {
    /// Sorts every collection by its identity and canonicalizes values that
    /// have several spellings of one meaning:
    ///
    /// - schemas, extensions, tables, views, sequences, enums by name;
    ///   functions by (name, signature); triggers by (table, name);
    /// - columns by position, then renumbered 1..=n (dropped columns leave
    ///   gaps in PostgreSQL's `attnum` that are no schema difference);
    /// - constraints by name (unnamed SQLite ones by their columns or
    ///   expression after the named ones); indexes by name;
    /// - trigger events sorted and deduplicated, `UPDATE OF` columns sorted;
    /// - PostgreSQL index nulls order cleared when it is the default for the
    ///   sort order; PostgreSQL partitions by name (MySQL partitions keep
    ///   their declared order, which RANGE depends on).
    ///
    /// Enum labels, column order, index key parts and `INCLUDE` columns
    /// keep their order: it carries meaning.
    pub fn normalize(&mut self) {
        let dialect = self.dialect;
        self.extensions.sort_by(|a, b| a.name.cmp(&b.name));
        self.schemas.sort_by(|a, b| a.name.cmp(&b.name));
        for schema in &mut self.schemas {
            normalize_schema(schema, dialect);
        }
    }
}

fn normalize_schema(schema: &mut Schema, dialect: Dialect) {
    schema.tables.sort_by(|a, b| a.name.cmp(&b.name));
    for table in &mut schema.tables {
        normalize_table(table, dialect);
    }
    schema.views.sort_by(|a, b| a.name.cmp(&b.name));
    schema
        .materialized_views
        .sort_by(|a, b| a.name.cmp(&b.name));
    for mv in &mut schema.materialized_views {
        normalize_indexes(&mut mv.indexes, dialect);
    }
    schema.sequences.sort_by(|a, b| a.name.cmp(&b.name));
    schema.enums.sort_by(|a, b| a.name.cmp(&b.name));
    schema
        .functions
        .sort_by(|a, b| (&a.name, &a.signature, a.kind).cmp(&(&b.name, &b.signature, b.kind)));
    schema
        .triggers
        .sort_by(|a, b| (&a.table, &a.name).cmp(&(&b.table, &b.name)));
    for trigger in &mut schema.triggers {
        trigger.events.sort();
        trigger.events.dedup();
        trigger.update_columns.sort();
        trigger.update_columns.dedup();
    }
}

fn normalize_table(table: &mut Table, dialect: Dialect) {
    // Stable sort: columns with equal positions keep their relative order.
    table.columns.sort_by_key(|c| c.position);
    for (i, column) in table.columns.iter_mut().enumerate() {
        column.position = i as u32 + 1;
    }
    // `None` sorts before `Some`; unnamed constraints go last by reversing
    // on the presence flag, then by their content.
    table
        .uniques
        .sort_by(|a, b| named_key(&a.name, &a.columns).cmp(&named_key(&b.name, &b.columns)));
    table
        .foreign_keys
        .sort_by(|a, b| named_key(&a.name, &a.columns).cmp(&named_key(&b.name, &b.columns)));
    table.checks.sort_by(|a, b| {
        (a.name.is_none(), &a.name, &a.expression).cmp(&(b.name.is_none(), &b.name, &b.expression))
    });
    normalize_indexes(&mut table.indexes, dialect);
    if let Some(partitioning) = &mut table.partitioning {
        normalize_partitioning(partitioning, dialect);
    }
}

fn named_key<'a>(
    name: &'a Option<String>,
    columns: &'a [String],
) -> (bool, &'a Option<String>, &'a [String]) {
    (name.is_none(), name, columns)
}

fn normalize_indexes(indexes: &mut [Index], dialect: Dialect) {
    indexes.sort_by(|a, b| a.name.cmp(&b.name));
    if dialect == Dialect::Postgres {
        for part in indexes.iter_mut().flat_map(|i| i.parts.iter_mut()) {
            let default = match part.order {
                SortOrder::Asc => NullsOrder::Last,
                SortOrder::Desc => NullsOrder::First,
            };
            if part.nulls == Some(default) {
                part.nulls = None;
            }
        }
    }
}

/// Partitioning nests only as deep as sub-partitioning goes (one level in
/// MySQL, a few in practice in PostgreSQL), but walk it with an explicit
/// stack anyway so no input can exhaust the call stack.
fn normalize_partitioning(root: &mut Partitioning, dialect: Dialect) {
    let mut stack: Vec<&mut Partitioning> = vec![root];
    while let Some(p) = stack.pop() {
        if dialect == Dialect::Postgres {
            p.partitions.sort_by(|a, b| a.name.cmp(&b.name));
        }
        for part in &mut p.partitions {
            if let Some(sub) = part.partitioning.as_deref_mut() {
                stack.push(sub);
            }
        }
    }
}
