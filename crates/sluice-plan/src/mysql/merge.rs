//! Changes MySQL only accepts together, in one `ALTER TABLE`.
//!
//! - A primary key replaced: `DROP PRIMARY KEY` alone copies the table
//!   (InnoDB keeps rows in primary-key order), with `ADD PRIMARY KEY` in
//!   the same statement it is rebuilt online; and an `AUTO_INCREMENT`
//!   column must stay the first column of some key throughout.
//! - An `AUTO_INCREMENT` column added or made so, with the key it leads.
//! - A primary key dropped with the `AUTO_INCREMENT` column it keys, or
//!   with that column losing `AUTO_INCREMENT`.
//!
//! The joined Changes run at the place of the first one when everything
//! they name exists there; otherwise each keeps its own statement.

use std::collections::{HashMap, HashSet};

use sluice_schema::{Change, ColumnChange, Index, IndexKey, Table};

use super::Side;
use super::clause::Clause;
use super::draft::Draft;
use super::{columns, tables};

#[derive(Default)]
pub(super) struct Merges {
    /// Change index → the Changes that run in its statement.
    joined: HashMap<usize, Vec<usize>>,
    absorbed: HashSet<usize>,
}

impl Merges {
    pub fn find(changes: &[Change], side: &Side) -> Merges {
        let mut merges = Merges::default();
        let mut by_table: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, c) in changes.iter().enumerate() {
            if let Some((schema, table)) = target(c) {
                by_table.entry((schema, table)).or_default().push(i);
            }
        }
        for ((schema, table), members) in by_table {
            let before = side.table_before(schema, table);
            merges.find_in_table(changes, &members, before);
        }
        merges
    }

    fn join(&mut self, leader: usize, other: usize) {
        if leader == other || self.absorbed.contains(&other) || self.absorbed.contains(&leader) {
            return;
        }
        self.joined.entry(leader).or_default().push(other);
        self.absorbed.insert(other);
    }

    fn find_in_table(&mut self, changes: &[Change], members: &[usize], before: Option<&Table>) {
        let find = |f: &dyn Fn(&Change) -> bool| members.iter().copied().find(|&i| f(&changes[i]));
        let drop_pk = find(&|c| matches!(c, Change::DropPrimaryKey { .. }));
        let add_pk = find(&|c| matches!(c, Change::AddPrimaryKey { .. }));
        let touched: HashSet<&str> = members
            .iter()
            .filter_map(|&i| match &changes[i] {
                Change::AlterColumn { column, .. } => Some(column.as_str()),
                Change::DropColumn { column, .. } => Some(column.name.as_str()),
                _ => None,
            })
            .collect();
        let exists = |c: &str| before.is_some_and(|t| t.column(c).is_some());

        // A primary key replaced by one on columns that stay as they are.
        if let (Some(d), Some(a)) = (drop_pk, add_pk)
            && let Change::AddPrimaryKey { primary_key, .. } = &changes[a]
            && primary_key
                .columns
                .iter()
                .all(|c| exists(c) && !touched.contains(c.as_str()))
        {
            self.join(d, a);
        }

        // An AUTO_INCREMENT column with the key it leads.
        for &i in members {
            let gains = match &changes[i] {
                Change::AddColumn { column, .. } if column.auto_increment => Some(&column.name),
                Change::AlterColumn {
                    column,
                    changes: cc,
                    ..
                } if cc
                    .iter()
                    .any(|c| matches!(c, ColumnChange::AutoIncrement { to: true, .. })) =>
                {
                    Some(column)
                }
                _ => None,
            };
            let Some(auto) = gains else { continue };
            let leads = |cols: &[&str]| {
                cols.first() == Some(&auto.as_str())
                    && cols.iter().all(|c| *c == auto.as_str() || exists(c))
            };
            let key = members.iter().copied().find(|&k| match &changes[k] {
                Change::AddPrimaryKey { primary_key, .. } => leads(
                    &primary_key
                        .columns
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                ),
                Change::CreateIndex { index, .. } => {
                    index_columns(index).is_some_and(|cols| leads(&cols))
                }
                _ => false,
            });
            if let Some(k) = key {
                self.join(i, k);
            }
        }

        // A primary key dropped with the AUTO_INCREMENT column it keys.
        if let Some(d) = drop_pk
            && let Change::DropPrimaryKey { primary_key, .. } = &changes[d]
        {
            for &i in members {
                let loses = match &changes[i] {
                    Change::DropColumn { column, .. } => column.auto_increment,
                    Change::AlterColumn { changes: cc, .. } => {
                        cc.iter()
                            .any(|c| matches!(c, ColumnChange::AutoIncrement { to: false, .. }))
                            && !cc
                                .iter()
                                .any(|c| matches!(c, ColumnChange::Position { .. }))
                    }
                    _ => false,
                };
                let column = match &changes[i] {
                    Change::DropColumn { column, .. } => column.name.as_str(),
                    Change::AlterColumn { column, .. } => column.as_str(),
                    _ => "",
                };
                if loses && primary_key.columns.iter().any(|c| c == column) {
                    self.join(d, i);
                }
            }
        }
    }

    pub fn is_absorbed(&self, change: usize) -> bool {
        self.absorbed.contains(&change)
    }

    /// The Changes that run in `change`'s statement besides it.
    pub fn joined(&self, change: usize) -> Option<&[usize]> {
        self.joined.get(&change).map(Vec::as_slice)
    }
}

fn index_columns(index: &Index) -> Option<Vec<&str>> {
    index
        .parts
        .iter()
        .map(|p| match &p.key {
            IndexKey::Column(c) => Some(c.as_str()),
            IndexKey::Expression(_) => None,
        })
        .collect()
}

/// The table a joinable Change alters.
fn target(change: &Change) -> Option<(&str, &str)> {
    match change {
        Change::AddColumn { schema, table, .. }
        | Change::DropColumn { schema, table, .. }
        | Change::AlterColumn { schema, table, .. }
        | Change::AddPrimaryKey { schema, table, .. }
        | Change::DropPrimaryKey { schema, table, .. }
        | Change::CreateIndex { schema, table, .. }
        | Change::AddUnique { schema, table, .. } => Some((schema, table)),
        _ => None,
    }
}

/// The clause of a joinable Change, and the table it alters.
/// `replaced`: a dropped primary key gets a new one in the same statement.
pub(super) fn clause<'c>(
    change: &'c Change,
    side: &Side,
    replaced: bool,
) -> Option<(&'c str, &'c str, Clause)> {
    let clause = match change {
        Change::AddColumn {
            schema,
            table,
            column,
        } => columns::add(side, schema, table, column),
        Change::DropColumn {
            schema,
            table,
            column,
        } => columns::drop(side, schema, table, column),
        Change::AlterColumn {
            schema,
            table,
            changes,
            to,
            ..
        } => columns::modify(side, schema, table, changes, to),
        Change::AddPrimaryKey { primary_key, .. } => tables::add_primary_key(primary_key),
        Change::DropPrimaryKey { .. } => tables::drop_primary_key(replaced),
        Change::CreateIndex { index, .. } => tables::create_index(index),
        Change::AddUnique { unique, .. } => tables::add_unique(unique),
        _ => return None,
    };
    let (schema, table) = target(change)?;
    Some((schema, table, clause))
}

/// The statement for Change `leader` and the `others` joined to it, with
/// its reverse.
pub(super) fn statement(
    changes: &[Change],
    leader: usize,
    others: &[usize],
    side: &Side,
) -> (Vec<Draft>, Option<String>) {
    let group: Vec<&Change> = std::iter::once(leader)
        .chain(others.iter().copied())
        .map(|i| &changes[i])
        .collect();
    let numbers: Vec<String> = others.iter().map(|k| (k + 1).to_string()).collect();
    let draft = render(&group, side).map(|d| {
        d.note(format!(
            "also applies change {}: MySQL accepts them only together",
            numbers.join(", ")
        ))
    });
    (
        draft.into_iter().collect(),
        reverse(&group, &side.reversed()),
    )
}

/// One statement for `group` (the leader first).
fn render(group: &[&Change], side: &Side) -> Option<Draft> {
    let replaced = group
        .iter()
        .any(|c| matches!(c, Change::AddPrimaryKey { .. }))
        && group
            .iter()
            .any(|c| matches!(c, Change::DropPrimaryKey { .. }));
    let mut clauses = group.iter().filter_map(|c| clause(c, side, replaced));
    let (schema, table, first) = clauses.next()?;
    let all = clauses.fold(first, |acc, (_, _, c)| acc.join(c));
    Some(all.into_alter(side, schema, table))
}

/// The statement that undoes `group`: the inverses, joined the same way.
fn reverse(group: &[&Change], side: &Side) -> Option<String> {
    let inverses: Vec<Change> = group.iter().filter_map(|c| c.inverse()).collect();
    let refs: Vec<&Change> = inverses.iter().collect();
    render(&refs, side).map(|d| d.sql)
}
