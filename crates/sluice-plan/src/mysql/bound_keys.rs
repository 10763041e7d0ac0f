//! Foreign keys over columns whose type changes.
//!
//! MySQL refuses to change the type, character set or collation of a
//! column a foreign key uses (on either side), since both sides must stay
//! alike. Such a key is dropped before the first of those column changes
//! and added back, as the new schema defines it, after the last one.

use sluice_schema::{Change, ColumnChange, ForeignKey};

use super::Side;
use super::draft::Draft;
use super::tables;

/// A foreign key as `(schema, table, key)`.
type Key<'a> = (&'a str, &'a str, &'a ForeignKey);

#[derive(Default)]
pub(super) struct BoundKeys<'a> {
    keys: Vec<Key<'a>>,
    /// The first and last Change (by index) that changes such a column.
    first: usize,
    last: usize,
}

/// The column a Change converts to another type, if it does.
fn converted(change: &Change) -> Option<(&str, &str, &str)> {
    match change {
        Change::AlterColumn {
            schema,
            table,
            column,
            changes,
            ..
        } if changes.iter().any(|c| {
            matches!(
                c,
                ColumnChange::Type { .. }
                    | ColumnChange::Charset { .. }
                    | ColumnChange::Collation { .. }
            )
        }) =>
        {
            Some((schema, table, column))
        }
        _ => None,
    }
}

impl<'a> BoundKeys<'a> {
    /// `order` is the order the Changes run in.
    pub fn find(changes: &[Change], order: &[usize], side: &Side<'a>) -> BoundKeys<'a> {
        let runs: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| converted(&changes[i]).is_some())
            .collect();
        let (Some(&first), Some(&last)) = (runs.first(), runs.last()) else {
            return BoundKeys::default();
        };
        let dropped_by_plan = |schema: &str, table: &str, fk: &ForeignKey| {
            changes.iter().any(|c| {
                matches!(c, Change::DropForeignKey { schema: s, table: t, foreign_key }
                    if s == schema && t == table && foreign_key.name == fk.name)
            })
        };
        let uses = |schema: &str, table: &str, fk: &ForeignKey| {
            runs.iter().any(|&i| {
                let Some((s, t, column)) = converted(&changes[i]) else {
                    return false;
                };
                let child = s == schema && t == table && fk.columns.iter().any(|c| c == column);
                let parent = s == fk.referenced_schema
                    && t == fk.referenced_table
                    && fk.referenced_columns.iter().any(|c| c == column);
                child || parent
            })
        };
        let mut keys = Vec::new();
        for s in &side.before.schemas {
            for t in &s.tables {
                for fk in &t.foreign_keys {
                    if fk.name.is_some()
                        && uses(&s.name, &t.name, fk)
                        && !dropped_by_plan(&s.name, &t.name, fk)
                    {
                        keys.push((s.name.as_str(), t.name.as_str(), fk));
                    }
                }
            }
        }
        BoundKeys { keys, first, last }
    }

    /// Drops to run before Change `change`.
    pub fn before(&self, change: usize, side: &Side) -> Vec<(Draft, Option<String>)> {
        if self.keys.is_empty() || change != self.first {
            return Vec::new();
        }
        self.keys
            .iter()
            .filter_map(|&(schema, table, fk)| {
                let drop = tables::drop_foreign_key(side, schema, table, fk)?;
                let undo = tables::add_foreign_key(side, schema, table, fk).map(|d| d.sql);
                Some((
                    drop.note("dropped while its columns change type; added back after"),
                    undo,
                ))
            })
            .collect()
    }

    /// Adds to run after Change `change`: each key as the new schema has it.
    pub fn after(&self, change: usize, side: &Side) -> Vec<(Draft, Option<String>)> {
        if self.keys.is_empty() || change != self.last {
            return Vec::new();
        }
        self.keys
            .iter()
            .filter_map(|&(schema, table, fk)| {
                let new = side
                    .table_after(schema, table)?
                    .foreign_keys
                    .iter()
                    .find(|f| f.name == fk.name)?;
                let add = tables::add_foreign_key(side, schema, table, new)?;
                let undo = tables::drop_foreign_key(side, schema, table, new).map(|d| d.sql);
                Some((
                    add.note("added back now that both sides have their new types"),
                    undo,
                ))
            })
            .collect()
    }
}
