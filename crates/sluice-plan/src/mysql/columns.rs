//! Columns: added, dropped, renamed, and altered with one `MODIFY COLUMN`
//! carrying the whole new definition.
//!
//! Column placement: every added or moved column is written right after
//! its neighbour in the new table (`AFTER`, or `FIRST`), and the column
//! statements of a table run in the new table's column order. Each such
//! column then stays right after its neighbour (a later statement only
//! places a column after a different one), and the columns that stay
//! put keep their relative order, so the table ends in the new order.

use std::collections::HashMap;

use sluice_schema::render::column_def;
use sluice_schema::{Change, Column, ColumnChange, Dialect, GeneratedKind, Table};

use super::Side;
use super::clause::Clause;
use super::draft::Draft;
use super::online::{Algorithm, has_special_index};
use super::tables::{alter, name};
use crate::Hazard;

/// The column `column` follows in `table` (`None` for the first).
pub(super) fn predecessor(table: &Table, column: &str) -> Option<String> {
    let at = table.columns.iter().position(|c| c.name == column)?;
    at.checked_sub(1).map(|i| table.columns[i].name.clone())
}

fn placement(after: Option<&str>) -> String {
    match after {
        Some(c) => format!(" AFTER {}", name(c)),
        None => " FIRST".into(),
    }
}

/// The `(schema, table, column)` a column addition or alteration places.
fn placed(change: &Change) -> Option<(&str, &str, &str)> {
    match change {
        Change::AddColumn {
            schema,
            table,
            column,
        } => Some((schema, table, &column.name)),
        Change::AlterColumn {
            schema,
            table,
            column,
            ..
        } => Some((schema, table, column)),
        _ => None,
    }
}

/// The order the Changes are applied in: the diff's, except that each run
/// of column additions and alterations is sorted by table, then by the
/// column's place in the new table (see the module docs).
pub(super) fn apply_order(changes: &[Change], side: &Side) -> Vec<usize> {
    let mut order: Vec<usize> = (0..changes.len()).collect();
    let mut start = 0;
    while start < changes.len() {
        if placed(&changes[start]).is_none() {
            start += 1;
            continue;
        }
        let end = (start..changes.len())
            .find(|&i| placed(&changes[i]).is_none())
            .unwrap_or(changes.len());
        let mut tables: HashMap<(&str, &str), usize> = HashMap::new();
        let mut keyed: Vec<((usize, usize), usize)> = Vec::with_capacity(end - start);
        for (i, change) in changes.iter().enumerate().take(end).skip(start) {
            let Some((schema, table, column)) = placed(change) else {
                continue;
            };
            let next = tables.len();
            let group = *tables.entry((schema, table)).or_insert(next);
            let place = side
                .table_after(schema, table)
                .and_then(|t| t.columns.iter().position(|c| c.name == column))
                .unwrap_or(usize::MAX);
            keyed.push(((group, place), i));
        }
        keyed.sort_by_key(|(k, _)| *k);
        for (slot, (_, i)) in keyed.into_iter().enumerate() {
            order[start + slot] = i;
        }
        start = end;
    }
    order
}

pub(super) fn add(side: &Side, schema: &str, table: &str, column: &Column) -> Clause {
    let new_table = side.table_after(schema, table);
    let last = new_table.is_none_or(|t| t.columns.last().is_some_and(|c| c.name == column.name));
    let place = match new_table {
        Some(t) if !last => placement(predecessor(t, &column.name).as_deref()),
        _ => String::new(),
    };
    let before = side.table_before(schema, table);
    let algorithm = if column.auto_increment {
        Algorithm::Copy
    } else if let Some(g) = &column.generated {
        match g.kind {
            GeneratedKind::Stored => Algorithm::Copy,
            GeneratedKind::Virtual => Algorithm::Online { rebuild: false },
        }
    } else if side.server.instant_add_column(last) && !has_special_index(before) {
        Algorithm::Instant
    } else {
        Algorithm::Online { rebuild: true }
    };
    let mut clause = Clause::new(
        format!(
            "ADD COLUMN {}{place}",
            column_def(Dialect::Mysql, column, false)
        ),
        algorithm,
    );
    if !column.nullable
        && column.default.is_none()
        && column.generated.is_none()
        && !column.auto_increment
    {
        clause = clause.note("existing rows get the type's implicit default (0, '', …)");
    }
    if column.generated.is_some() && algorithm == Algorithm::Copy {
        clause = clause.note("a STORED generated column is computed for every row by a table copy");
    }
    clause
}

pub(super) fn drop(side: &Side, schema: &str, table: &str, column: &Column) -> Clause {
    let before = side.table_before(schema, table);
    let indexed = before.is_some_and(|t| is_indexed(t, &column.name));
    let algorithm = if side.server.instant_drop_column() && !indexed && !has_special_index(before) {
        Algorithm::Instant
    } else {
        Algorithm::Online { rebuild: true }
    };
    Clause::new(format!("DROP COLUMN {}", name(&column.name)), algorithm)
        .hazard(Hazard::DeletesData)
}

fn is_indexed(table: &Table, column: &str) -> bool {
    let in_parts = table.indexes.iter().any(|i| {
        i.parts
            .iter()
            .any(|p| matches!(&p.key, sluice_schema::IndexKey::Column(c) if c == column))
    });
    in_parts
        || table
            .primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.iter().any(|c| c == column))
        || table
            .uniques
            .iter()
            .any(|u| u.columns.iter().any(|c| c == column))
}

pub(super) fn rename(side: &Side, schema: &str, table: &str, from: &str, to: &str) -> Draft {
    let algorithm = if side.server.instant_rename_column() {
        Algorithm::Instant
    } else {
        Algorithm::Online { rebuild: false }
    };
    let body = format!("RENAME COLUMN {} TO {}", name(from), name(to));
    alter(side, schema, table, &body, algorithm)
}

/// All of a column's changes as one `MODIFY COLUMN` with its new
/// definition, run the cheapest way the worst of them allows.
pub(super) fn modify(
    side: &Side,
    schema: &str,
    table: &str,
    changes: &[ColumnChange],
    to: &Column,
) -> Clause {
    let before = side.table_before(schema, table);
    let mut algorithm = Algorithm::Instant;
    let mut hazards = Vec::new();
    let mut notes = Vec::new();
    let mut place = String::new();
    for change in changes {
        let (a, note) = change_algorithm(side, before, change);
        algorithm = algorithm.max(a);
        if let Some(n) = note {
            notes.push(n);
        }
        match change {
            ColumnChange::Type {
                widening: false, ..
            }
            | ColumnChange::Charset { .. }
            | ColumnChange::Collation { .. } => hazards.push(Hazard::TypeConversion),
            ColumnChange::Position { after } => place = placement(after.as_deref()),
            _ => {}
        }
    }
    let body = format!(
        "MODIFY COLUMN {}{place}",
        column_def(Dialect::Mysql, to, false)
    );
    let clause = Clause::new(body, algorithm).hazards(hazards);
    notes.into_iter().fold(clause, Clause::note)
}

/// The algorithm one column change needs, and what a reviewer should know.
fn change_algorithm(
    side: &Side,
    table: Option<&Table>,
    change: &ColumnChange,
) -> (Algorithm, Option<&'static str>) {
    let server = side.server;
    let metadata = if server.instant_metadata() {
        Algorithm::Instant
    } else {
        Algorithm::Online { rebuild: false }
    };
    let reshape = if server.instant_reshape_column() && !has_special_index(table) {
        Algorithm::Instant
    } else {
        Algorithm::Online { rebuild: true }
    };
    match change {
        ColumnChange::Type { to, widening, .. } => {
            let t = to.trim_start().to_ascii_lowercase();
            match widening {
                true if t.starts_with("enum") || t.starts_with("set") => (metadata, None),
                true if t.starts_with("varchar") || t.starts_with("varbinary") => (
                    Algorithm::ServerChoice,
                    Some(
                        "in place while the length keeps its length bytes (up to 255 bytes, or over 255 on both sides); otherwise a table copy",
                    ),
                ),
                _ => (
                    Algorithm::Copy,
                    Some(
                        "a type change copies the table; gh-ost or pt-online-schema-change avoid the long lock",
                    ),
                ),
            }
        }
        ColumnChange::Nullability { to: false, .. } => (
            Algorithm::Online { rebuild: true },
            Some("fails if a row holds NULL"),
        ),
        // MariaDB makes a column nullable instantly only in the REDUNDANT
        // row format, which the model does not tell apart.
        ColumnChange::Nullability { to: true, .. } => (Algorithm::Online { rebuild: true }, None),
        ColumnChange::Default { .. } => (metadata, None),
        ColumnChange::Comment { .. } if server.instant_comment() => (Algorithm::Instant, None),
        ColumnChange::Comment { .. } | ColumnChange::OnUpdate { .. } => {
            (Algorithm::ServerChoice, None)
        }
        ColumnChange::Position { .. } => (reshape, None),
        ColumnChange::Charset { .. } | ColumnChange::Collation { .. } => (
            Algorithm::Copy,
            Some("values are converted; characters the new set lacks are lost or refused"),
        ),
        ColumnChange::AutoIncrement { .. }
        | ColumnChange::Generated { .. }
        | ColumnChange::Identity { .. } => (Algorithm::Copy, None),
    }
}
