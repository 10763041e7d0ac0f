//! Plans for SQLite.
//!
//! SQLite's `ALTER TABLE` renames tables and columns, adds a column (one
//! without a key, with a constant default, NOT NULL only with a default)
//! and drops a column no key uses. Every other change to an existing table
//! is a rebuild ([`rebuild`]): all of one table's Changes become one
//! rebuild to the table as `ctx.to` has it. Its rows are put aside before
//! the plan drops tables, and the table is created again after the new
//! tables exist and before anything that needs the new shape (indexes,
//! views, triggers). [`grouping`] decides which Changes a rebuild takes
//! over.
//!
//! SQLite has one write lock for the whole database, so every statement
//! reports it.

mod alter;
mod grouping;
mod objects;
mod rebuild;

use sluice_schema::Change;

use crate::{Ctx, Step};
use grouping::Grouping;

/// The statements for `changes`, in order.
pub(crate) fn steps(changes: &[Change], ctx: &Ctx) -> Vec<Step> {
    let grouping = Grouping::new(changes, ctx);
    let rebuild::Phases { aside, rebuild } = rebuild::steps(&grouping, changes, ctx);
    let mut aside = Some(aside);
    let mut rebuild = Some(rebuild);
    let mut out = Vec::new();
    let mut dropped = false;
    for (i, change) in changes.iter().enumerate() {
        let drops_table = matches!(change, Change::DropTable { .. });
        if drops_table || needs_final_tables(change) {
            out.extend(aside.take().into_iter().flatten());
        }
        if needs_final_tables(change) {
            out.extend(rebuild.take().into_iter().flatten());
        }
        if drops_table {
            // All of them at once, referencing tables first.
            if !dropped {
                for &d in &grouping.table_drops {
                    out.extend(objects::steps(d, &changes[d], ctx, &grouping));
                }
                dropped = true;
            }
            continue;
        }
        if !grouping.is_absorbed(i) {
            out.extend(objects::steps(i, change, ctx, &grouping));
        }
    }
    out.extend(aside.into_iter().flatten());
    out.extend(rebuild.into_iter().flatten());
    out
}

/// Changes the diff orders after every table exists: rebuilt tables must
/// have their new shape before these run.
fn needs_final_tables(change: &Change) -> bool {
    use Change::*;
    matches!(
        change,
        AddColumn { .. }
            | AlterColumn { .. }
            | AlterPartitioning { .. }
            | AddPartition { .. }
            | AddPrimaryKey { .. }
            | AddUnique { .. }
            | AddCheck { .. }
            | CreateIndex { .. }
            | AddForeignKey { .. }
            | CreateView { .. }
            | ReplaceView { .. }
            | CreateMaterializedView { .. }
            | CreateTrigger { .. }
            | SetComment { .. }
    )
}

/// A statement of Change `change`, holding SQLite's database write lock.
fn step(sql: impl Into<String>, change: usize) -> Step {
    Step::new(sql, change).lock("database write lock", "writes")
}
