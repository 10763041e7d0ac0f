//! Table rebuilds: how SQLite changes what `ALTER TABLE` cannot.
//!
//! SQLite's documented procedure creates the new table under another
//! name, copies the rows, drops the old table and renames the new one.
//! Sluice runs plans with foreign keys enforced, inside one transaction,
//! where that rename misleads the foreign key machinery: dropping the old
//! table counts every row that references it as a pending violation, and
//! rows copied into a table of another name never settle the count, so
//! the commit fails. Sluice therefore keeps the rows aside instead:
//!
//! 1. copy the rows into a TEMP table (with their rowids);
//! 2. drop the table;
//! 3. create it again, under its own name, as `ctx.to` has it;
//! 4. copy the rows back (the kept columns, by name);
//! 5. drop the TEMP table;
//! 6. recreate its unchanged indexes and triggers (the changed ones have
//!    Changes of their own, planned after the rebuild).
//!
//! With `PRAGMA defer_foreign_keys = ON` (once, before the first rebuild)
//! the rows that reference the table are checked at commit, when the
//! table has its rows back. Nothing is renamed, so views and triggers that
//! name the table need not be touched: SQLite resolves them when they run.

use sluice_schema::render::create_table;
use sluice_schema::{
    Change, ColumnChange, Dialect, Index, ReferentialAction, Table, TableOptions, Trigger,
    quote_ident,
};

use super::grouping::{Grouping, Rebuild};
use super::objects::{lookup, triggers_on};
use super::step;
use crate::{Ctx, Hazard, Step};

const D: Dialect = Dialect::Sqlite;

/// The scratch copy's column holding each row's rowid.
const ROWID_COLUMN: &str = "sluice_rowid";

/// Every rebuild of the plan, in the order of their first Changes.
pub(super) fn steps(grouping: &Grouping, changes: &[Change], ctx: &Ctx) -> Vec<Step> {
    let mut out = Vec::new();
    for rebuild in &grouping.rebuilds {
        let steps = one(rebuild, grouping, changes, ctx);
        if out.is_empty() && !steps.is_empty() {
            out.push(
                step("PRAGMA defer_foreign_keys = ON", rebuild.changes[0]).note(
                    "rows referencing a rebuilt table are checked at commit, once the table \
                     has its rows back; the setting ends with the transaction",
                ),
            );
        }
        out.extend(steps);
    }
    out
}

/// The steps of one rebuild: the first carries its hazards, notes and the
/// reverse (the rebuild back to the `from` table).
fn one(rebuild: &Rebuild, grouping: &Grouping, changes: &[Change], ctx: &Ctx) -> Vec<Step> {
    let schema = rebuild.schema.as_str();
    let (Some(source), Some(target)) = (
        grouping.source(schema, &rebuild.table),
        lookup(ctx.to, schema, &rebuild.table),
    ) else {
        return Vec::new();
    };
    let first = rebuild.changes[0];
    let indexes: Vec<&Index> = target
        .indexes
        .iter()
        .filter(|i| !grouping.creates_index(schema, &i.name))
        .collect();
    let triggers: Vec<&Trigger> = triggers_on(ctx.to, schema, &target.name)
        .filter(|t| !grouping.creates_trigger(schema, &t.name))
        .collect();
    let forward = statements(schema, source, target, &indexes, &triggers);

    let old_indexes: Vec<&Index> = source
        .indexes
        .iter()
        .filter(|i| !grouping.drops_index(schema, &i.name))
        .collect();
    let old_triggers: Vec<&Trigger> = triggers_on(ctx.from, schema, &source.name)
        .filter(|t| !grouping.drops_trigger(schema, &t.name))
        .collect();
    let backward = statements(schema, target, source, &old_indexes, &old_triggers);

    let mut head = step(forward[0].clone(), first)
        .hazard(Hazard::TableRewrite)
        .hazard(Hazard::LongLock)
        .reverse(backward.join(";\n"));
    let kinds: Vec<&str> = {
        let mut k: Vec<&str> = rebuild.changes.iter().map(|&i| changes[i].kind()).collect();
        k.dedup();
        k
    };
    head = head.note(format!(
        "rebuilds table {}: SQLite's ALTER TABLE cannot do {}",
        target.name,
        kinds.join(", ")
    ));
    if rebuild.changes.len() > 1 {
        let others: Vec<String> = rebuild.changes[1..]
            .iter()
            .map(|i| (i + 1).to_string())
            .collect();
        head = head.note(format!("also carries out change(s) {}", others.join(", ")));
    }
    let lost: Vec<&str> = stored(source)
        .filter(|c| !carried(source, target).iter().any(|(s, _)| s == c))
        .collect();
    if !lost.is_empty() {
        head = head
            .hazard(Hazard::DeletesData)
            .note(format!("drops the data of column(s) {}", lost.join(", ")));
    }
    if converts_types(rebuild, changes) {
        head = head.hazard(Hazard::TypeConversion);
    }
    let acting = referencing_with_actions(ctx, schema, &target.name);
    if !acting.is_empty() {
        head = head.hazard(Hazard::DeletesData).note(format!(
            "with foreign keys enforced, dropping the old table runs the ON DELETE actions of {} \
             on their rows",
            acting.join(", ")
        ));
    }
    if tightens(rebuild, changes) {
        head = head.note(
            "fails if existing rows break the new NOT NULL, UNIQUE, CHECK or PRIMARY KEY rules",
        );
    }
    head = head.note(
        "run PRAGMA foreign_key_check after the plan where foreign keys are not enforced: \
         nothing else checks the copied rows against the foreign keys",
    );

    let mut out = vec![head];
    out.extend(forward[1..].iter().map(|sql| step(sql.clone(), first)));
    out
}

/// The statements that turn `source` into `target` keeping the rows.
fn statements(
    schema: &str,
    source: &Table,
    target: &Table,
    indexes: &[&Index],
    triggers: &[&Trigger],
) -> Vec<String> {
    let table = quote_ident(D, &target.name);
    let scratch = format!(
        "temp.{}",
        quote_ident(D, &format!("sluice_rebuild_{}", target.name))
    );
    let pairs = carried(source, target);
    let rowid = keeps_rowid(source) && keeps_rowid(target);
    let copies = rowid || !pairs.is_empty();

    let mut source_list: Vec<String> = pairs.iter().map(|(s, _)| quote_ident(D, s)).collect();
    let mut target_list: Vec<String> = pairs.iter().map(|(_, t)| quote_ident(D, t)).collect();
    if rowid {
        source_list.insert(0, ROWID_COLUMN.to_string());
        target_list.insert(0, "rowid".to_string());
    }
    let mut out = Vec::new();
    if copies {
        let mut keep: Vec<String> = pairs.iter().map(|(s, _)| quote_ident(D, s)).collect();
        if rowid {
            keep.insert(0, format!("rowid AS {ROWID_COLUMN}"));
        }
        out.push(format!(
            "CREATE TEMP TABLE {scratch} AS SELECT {} FROM main.{table}",
            keep.join(", ")
        ));
    }
    out.push(format!("DROP TABLE main.{table}"));
    out.extend(create_table(D, schema, target));
    if copies {
        out.push(format!(
            "INSERT INTO main.{table} ({}) SELECT {} FROM {scratch}",
            target_list.join(", "),
            source_list.join(", ")
        ));
        out.push(format!("DROP TABLE {scratch}"));
    }
    out.extend(
        indexes
            .iter()
            .map(|i| sluice_schema::render::create_index(D, schema, &target.name, i)),
    );
    out.extend(
        triggers
            .iter()
            .map(|t| sluice_schema::render::create_trigger(D, schema, t)),
    );
    out
}

/// Columns that hold stored values (generated ones are computed again).
fn stored(table: &Table) -> impl Iterator<Item = &str> {
    table
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .map(|c| c.name.as_str())
}

/// The (source, target) names of the columns whose values are copied:
/// stored in both, matched by name as SQLite does (without case).
fn carried<'a>(source: &'a Table, target: &'a Table) -> Vec<(&'a str, &'a str)> {
    stored(target)
        .filter_map(|t| {
            stored(source)
                .find(|s| s.eq_ignore_ascii_case(t))
                .map(|s| (s, t))
        })
        .collect()
}

/// A rowid table whose rowid is not hidden behind a column of that name.
fn keeps_rowid(table: &Table) -> bool {
    let without_rowid = matches!(&table.options, TableOptions::Sqlite(o) if o.without_rowid);
    !without_rowid
        && !table.columns.iter().any(|c| {
            ["rowid", "oid", "_rowid_", ROWID_COLUMN]
                .iter()
                .any(|n| c.name.eq_ignore_ascii_case(n))
        })
}

fn converts_types(rebuild: &Rebuild, changes: &[Change]) -> bool {
    rebuild.changes.iter().any(|&i| match &changes[i] {
        Change::AlterColumn { changes, .. } => changes.iter().any(|c| {
            matches!(
                c,
                ColumnChange::Type {
                    widening: false,
                    ..
                }
            )
        }),
        _ => false,
    })
}

/// Whether the new table is stricter than the rows may be.
fn tightens(rebuild: &Rebuild, changes: &[Change]) -> bool {
    rebuild.changes.iter().any(|&i| match &changes[i] {
        Change::AlterColumn { changes, .. } => changes
            .iter()
            .any(|c| matches!(c, ColumnChange::Nullability { to: false, .. })),
        Change::AddUnique { .. }
        | Change::AddCheck { .. }
        | Change::AddPrimaryKey { .. }
        | Change::AddForeignKey { .. } => true,
        _ => false,
    })
}

/// Other tables whose foreign keys to `table` act on delete.
fn referencing_with_actions(ctx: &Ctx, schema: &str, table: &str) -> Vec<String> {
    let Some(s) = ctx.from.schema(schema) else {
        return Vec::new();
    };
    s.tables
        .iter()
        .filter(|t| t.name != table)
        .filter(|t| {
            t.foreign_keys.iter().any(|fk| {
                fk.referenced_table.eq_ignore_ascii_case(table)
                    && fk.on_delete != ReferentialAction::NoAction
            })
        })
        .map(|t| t.name.clone())
        .collect()
}
