//! Plans for MySQL and MariaDB.
//!
//! Each Change becomes one statement (a routine replaced on MySQL becomes
//! two): `ALTER TABLE` with the `ALGORITHM` and `LOCK` clauses the target
//! supports when the plan is lock-safe ([`online`], [`server`]), whole
//! definitions for views, routines and triggers. Changes MySQL accepts
//! only together share one statement ([`merge`]), and partition lists it
//! cannot edit one partition at a time are written whole ([`partitions`]).
//! The schema is the database itself, so schema Changes have no
//! statement; extensions, enum types, sequences and materialized views do
//! not exist here.
//!
//! MySQL commits DDL implicitly and refuses none of it inside a
//! transaction, so every step is `transactional`, as the engine's
//! statement classification says (`sluice_sql::can_run_in_transaction`).

mod bound_keys;
mod clause;
mod columns;
mod draft;
mod merge;
mod objects;
mod online;
mod partitions;
mod server;
mod tables;
#[cfg(test)]
mod tests;

use sluice_schema::{Catalog, Change, ColumnChange, Table};

use crate::{Ctx, Step};
use bound_keys::BoundKeys;
use draft::Draft;
use merge::Merges;
use partitions::PartitionPlan;
use server::Server;

/// The statements for `changes`, in order.
pub(crate) fn steps(changes: &[Change], ctx: &Ctx) -> Vec<Step> {
    let side = Side {
        before: ctx.from,
        after: ctx.to,
        server: Server::new(ctx.server),
        lock_safe: ctx.options.lock_safe,
    };
    let partition_plan = PartitionPlan::find(changes, &side);
    let merges = Merges::find(changes, &side);
    let order = columns::apply_order(changes, &side);
    let bound_keys = BoundKeys::find(changes, &order, &side);
    let mut out = Vec::new();
    for &i in &order {
        for (draft, reverse) in bound_keys.before(i, &side) {
            out.push(with_reverse(draft.into_step(i), reverse));
        }
        if merges.is_absorbed(i) || objects::comment_in_new_definition(&changes[i], changes) {
            continue;
        }
        let (drafts, reverse) = match merges.joined(i) {
            Some(others) => merge::statement(changes, i, others, &side),
            None => (
                render(&changes[i], &side, &partition_plan),
                reverse_sql(&changes[i], &side),
            ),
        };
        // The reverse undoes the whole Change: it goes on its last step.
        let last = drafts.len().saturating_sub(1);
        for (k, draft) in drafts.into_iter().enumerate() {
            let undo = reverse.clone().filter(|_| k == last);
            out.push(with_reverse(draft.into_step(i), undo));
        }
        for (draft, reverse) in bound_keys.after(i, &side) {
            out.push(with_reverse(draft.into_step(i), reverse));
        }
    }
    out
}

fn with_reverse(step: Step, reverse: Option<String>) -> Step {
    match reverse {
        Some(r) => step.reverse(r),
        None => step,
    }
}

/// The two catalogs a statement goes between, and how to write it.
struct Side<'a> {
    pub before: &'a Catalog,
    pub after: &'a Catalog,
    pub server: Server,
    pub lock_safe: bool,
}

impl<'a> Side<'a> {
    /// The same target, the other way round (for reverse SQL).
    fn reversed(&self) -> Side<'a> {
        Side {
            before: self.after,
            after: self.before,
            server: self.server,
            lock_safe: self.lock_safe,
        }
    }

    pub fn table_before(&self, schema: &str, table: &str) -> Option<&'a Table> {
        self.before.schema(schema).and_then(|s| s.table(table))
    }

    pub fn table_after(&self, schema: &str, table: &str) -> Option<&'a Table> {
        self.after.schema(schema).and_then(|s| s.table(table))
    }

    /// The table as a statement finds it: its old version, or the new one
    /// for a table the plan creates.
    pub fn table_now(&self, schema: &str, table: &str) -> Option<&'a Table> {
        self.table_before(schema, table)
            .or_else(|| self.table_after(schema, table))
    }

    /// Created by this plan, so empty while the plan runs.
    pub fn is_new(&self, schema: &str, table: &str) -> bool {
        self.table_before(schema, table).is_none() && self.table_after(schema, table).is_some()
    }
}

/// The statements for one Change.
fn render(change: &Change, side: &Side, partition_plan: &PartitionPlan) -> Vec<Draft> {
    use Change::*;
    if let Some((schema, table, clause)) = merge::clause(change, side, false) {
        return vec![clause.into_alter(side, schema, table)];
    }
    match change {
        CreateTable { schema, table } => vec![tables::create(schema, table)],
        DropTable { table, .. } => vec![tables::drop(&table.name)],
        RenameTable { from, to, .. } => vec![tables::rename(from, to)],
        RenameColumn {
            schema,
            table,
            from,
            to,
        } => vec![columns::rename(side, schema, table, from, to)],
        DropUnique {
            schema,
            table,
            unique,
        } => tables::drop_unique(side, schema, table, unique)
            .into_iter()
            .collect(),
        AddCheck {
            schema,
            table,
            check,
        } => vec![tables::add_check(side, schema, table, check)],
        DropCheck {
            schema,
            table,
            check,
        } => tables::drop_check(side, schema, table, check)
            .into_iter()
            .collect(),
        AddForeignKey {
            schema,
            table,
            foreign_key,
        } => tables::add_foreign_key(side, schema, table, foreign_key)
            .into_iter()
            .collect(),
        DropForeignKey {
            schema,
            table,
            foreign_key,
        } => tables::drop_foreign_key(side, schema, table, foreign_key)
            .into_iter()
            .collect(),
        DropIndex {
            schema,
            table,
            index,
        } => vec![tables::drop_index(side, schema, table, index)],
        AlterTableOptions {
            schema,
            table,
            from,
            to,
        } => tables::alter_options(side, schema, table, from, to)
            .into_iter()
            .collect(),
        AlterPartitioning {
            schema, table, to, ..
        } => vec![partitions::repartition(side, schema, table, to.as_ref())],
        AddPartition {
            schema,
            table,
            partition,
        } => partitions::add(side, partition_plan, schema, table, partition),
        DropPartition {
            schema,
            table,
            partition,
        } => partitions::drop(side, partition_plan, schema, table, partition),
        CreateView { schema, view } => vec![objects::create_view(schema, view)],
        DropView { view, .. } => vec![objects::drop_view(view)],
        ReplaceView { schema, to, .. } => vec![objects::replace_view(schema, to)],
        CreateFunction { schema, function } => objects::create_routine(schema, function)
            .into_iter()
            .collect(),
        DropFunction { function, .. } => vec![objects::drop_routine(function)],
        ReplaceFunction { schema, from, to } => objects::replace_routine(side, schema, from, to),
        CreateTrigger { schema, trigger } => vec![objects::create_trigger(schema, trigger)],
        DropTrigger { trigger, .. } => vec![objects::drop_trigger(trigger)],
        SetComment { target, to, .. } => objects::set_comment(side, target, to.as_deref())
            .into_iter()
            .collect(),
        // Written as clauses above.
        AddColumn { .. }
        | DropColumn { .. }
        | AlterColumn { .. }
        | AddPrimaryKey { .. }
        | DropPrimaryKey { .. }
        | AddUnique { .. }
        | CreateIndex { .. } => Vec::new(),
        // The schema is the database; the rest does not exist on MySQL.
        CreateSchema { .. }
        | DropSchema { .. }
        | CreateExtension { .. }
        | DropExtension { .. }
        | AlterExtension { .. }
        | CreateEnum { .. }
        | DropEnum { .. }
        | AddEnumValue { .. }
        | CreateSequence { .. }
        | DropSequence { .. }
        | AlterSequence { .. }
        | CreateMaterializedView { .. }
        | DropMaterializedView { .. } => Vec::new(),
    }
}

/// The SQL that undoes `change`: its inverse, written the same way with
/// the catalogs swapped. A moved column moves back to its old place.
fn reverse_sql(change: &Change, side: &Side) -> Option<String> {
    let mut inverse = change.inverse()?;
    let back = side.reversed();
    if let (
        Change::AlterColumn {
            changes: forward, ..
        },
        Change::AlterColumn {
            schema,
            table,
            column,
            changes,
            ..
        },
    ) = (change, &mut inverse)
        && forward
            .iter()
            .any(|c| matches!(c, ColumnChange::Position { .. }))
    {
        let after = back
            .table_after(schema, table)
            .and_then(|t| columns::predecessor(t, column));
        changes.push(ColumnChange::Position { after });
    }
    let drafts = render(&inverse, &back, &PartitionPlan::default());
    if drafts.is_empty() {
        return None;
    }
    let statements: Vec<String> = drafts.into_iter().map(|d| d.sql).collect();
    Some(statements.join(";\n"))
}
