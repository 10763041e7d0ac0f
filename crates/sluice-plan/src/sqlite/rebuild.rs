//! Table rebuilds: how SQLite changes what `ALTER TABLE` cannot.
//!
//! SQLite's documented procedure creates the new table under another
//! name, copies the rows, drops the old table and renames the new one.
//! Sluice runs plans with foreign keys enforced, inside one transaction,
//! where that rename misleads the foreign key machinery: dropping the old
//! table counts every row that references it as a pending violation, and
//! rows copied into a table of another name never settle the count, so
//! the commit fails. Sluice therefore keeps the rows aside instead, for
//! all the plan's rebuilt tables together:
//!
//! 1. copy each table's rows into a TEMP table (with their rowids);
//! 2. drop the tables, referencing ones first;
//! 3. create them again, under their own names, as `ctx.to` has them;
//! 4. copy the rows back (the kept columns, by name), drop the TEMP tables;
//! 5. recreate their unchanged indexes and triggers (the changed ones have
//!    Changes of their own, planned after the rebuild).
//!
//! With `PRAGMA defer_foreign_keys = 1` (before the first statement) the
//! rows that reference a rebuilt table are checked at commit, when the
//! table has its rows back. Nothing is renamed, so views and triggers that
//! name the tables need not be touched: SQLite resolves them when they run.

use std::collections::HashMap;

use sluice_schema::render::create_table;
use sluice_schema::render::order::topological_order;
use sluice_schema::{
    Change, ColumnChange, Dialect, Index, Table, TableOptions, Trigger, quote_ident, quote_literal,
};

use super::grouping::{Grouping, Rebuild};
use super::objects::{lookup, triggers_on};
use super::step;
use crate::{Ctx, Hazard, Step};

const D: Dialect = Dialect::Sqlite;

/// The scratch copy's column holding each row's rowid.
const ROWID_COLUMN: &str = "sluice_rowid";

/// The rebuilds' statements in two parts. `aside` puts the rows aside and
/// drops the tables: it runs before the plan drops tables, so a dropped
/// table's `ON DELETE` actions never reach rows still to be copied, and a
/// foreign key being removed never blocks the drop. `rebuild` creates and
/// refills the tables once the plan's new tables exist.
#[derive(Default)]
pub(super) struct Phases {
    pub aside: Vec<Step>,
    pub rebuild: Vec<Step>,
}

/// A table the plan rebuilds, as it is and as it will be.
struct Member<'a> {
    schema: &'a str,
    source: &'a Table,
    target: &'a Table,
    rebuild: &'a Rebuild,
}

/// Every rebuild of the plan as one group: every table's rows are put
/// aside first, then the tables are dropped (those referencing others
/// first), then created again and refilled (those referenced first).
///
/// A table whose foreign key to a rebuilt table has an `ON DELETE`
/// action is rebuilt with it, unchanged: dropping the referenced table
/// deletes its rows, and the action would run on the referencing rows
/// (deleting them, or setting them to NULL). Those rows are put aside
/// before anything is dropped, so whatever an action does, it does to
/// rows that are copied back.
pub(super) fn steps(grouping: &Grouping, changes: &[Change], ctx: &Ctx) -> Phases {
    let members = members(grouping, ctx);
    if members.is_empty() {
        return Phases::default();
    }
    let plans: Vec<Statements> = members
        .iter()
        .map(|m| {
            statements(
                m.schema,
                m.source,
                m.target,
                &kept_indexes(m, grouping),
                &kept_triggers(m, grouping, ctx),
            )
        })
        .collect();
    let mut out = vec![
        step("PRAGMA defer_foreign_keys = 1", members[0].rebuild.change).note(
            "rows referencing a rebuilt table are checked at commit, once the table has its \
             rows back; the setting ends with the transaction",
        ),
    ];
    let mut heads: Vec<Option<usize>> = vec![None; members.len()];
    let mut push = |out: &mut Vec<Step>, member: usize, sql: &str| {
        if heads[member].is_none() {
            heads[member] = Some(out.len());
        }
        out.push(step(sql, members[member].rebuild.change));
    };
    for (i, plan) in plans.iter().enumerate() {
        for sql in &plan.save {
            push(&mut out, i, sql);
        }
    }
    for i in drop_order(&members) {
        push(&mut out, i, &plans[i].drop);
    }
    let split = out.len();
    // Every table exists again before any row is copied back: a row may
    // reference a table of the group (a cycle), and SQLite checks even a
    // deferred foreign key's table when the row is written.
    let order = create_order(&members);
    for &i in &order {
        for sql in &plans[i].create {
            push(&mut out, i, sql);
        }
    }
    for &i in &order {
        for sql in &plans[i].fill {
            push(&mut out, i, sql);
        }
    }
    for &i in &order {
        for sql in &plans[i].finish {
            push(&mut out, i, sql);
        }
    }
    for (i, member) in members.iter().enumerate() {
        if let Some(at) = heads[i] {
            let head = std::mem::replace(&mut out[at], step("", 0));
            out[at] = describe(head, member, grouping, changes, ctx);
        }
    }
    let rebuild = out.split_off(split);
    Phases {
        aside: out,
        rebuild,
    }
}

/// The plan's rebuilt tables with both their shapes.
fn members<'a>(grouping: &'a Grouping, ctx: &'a Ctx) -> Vec<Member<'a>> {
    grouping
        .rebuilds
        .iter()
        .filter_map(|r| {
            Some(Member {
                schema: &r.schema,
                source: grouping.source(&r.schema, &r.table)?,
                target: lookup(ctx.to, &r.schema, &r.table)?,
                rebuild: r,
            })
        })
        .collect()
}

/// For each member, the members its table references (in `source` before
/// the plan, or in `target` after it), itself left out.
fn parents<'a>(members: &[Member<'a>], before: bool) -> Vec<Vec<usize>> {
    let table = |m: &Member<'a>| -> &'a Table { if before { m.source } else { m.target } };
    let at: HashMap<(&str, String), usize> = members
        .iter()
        .enumerate()
        .map(|(i, m)| ((m.schema, table(m).name.to_lowercase()), i))
        .collect();
    members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut out: Vec<usize> = table(m)
                .foreign_keys
                .iter()
                .filter_map(|fk| at.get(&(m.schema, fk.referenced_table.to_lowercase())))
                .copied()
                .filter(|&p| p != i)
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect()
}

/// Referencing tables first, so no `RESTRICT` rule sees its rows go.
fn drop_order(members: &[Member]) -> Vec<usize> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); members.len()];
    for (child, parents) in parents(members, true).into_iter().enumerate() {
        for p in parents {
            children[p].push(child);
        }
    }
    topological_order(&children)
}

/// Referenced tables first, so copied rows find their parents.
fn create_order(members: &[Member]) -> Vec<usize> {
    topological_order(&parents(members, false))
}

/// The indexes a rebuild recreates: the table's, except those the plan
/// creates with Changes of their own.
fn kept_indexes<'a>(m: &Member<'a>, grouping: &Grouping) -> Vec<&'a Index> {
    m.target
        .indexes
        .iter()
        .filter(|i| !grouping.creates_index(m.schema, &i.name))
        .collect()
}

fn kept_triggers<'a>(m: &Member<'a>, grouping: &Grouping, ctx: &Ctx<'a>) -> Vec<&'a Trigger> {
    triggers_on(ctx.to, m.schema, &m.target.name)
        .filter(|t| !grouping.creates_trigger(m.schema, &t.name))
        .collect()
}

/// The hazards, notes and reverse of a member's first statement.
fn describe(head: Step, m: &Member, grouping: &Grouping, changes: &[Change], ctx: &Ctx) -> Step {
    let old_indexes: Vec<&Index> = m
        .source
        .indexes
        .iter()
        .filter(|i| !grouping.drops_index(m.schema, &i.name))
        .collect();
    let old_triggers: Vec<&Trigger> = triggers_on(ctx.from, m.schema, &m.source.name)
        .filter(|t| !grouping.drops_trigger(m.schema, &t.name))
        .collect();
    let backward = statements(m.schema, m.target, m.source, &old_indexes, &old_triggers);
    let mut head = head
        .hazard(Hazard::TableRewrite)
        .hazard(Hazard::LongLock)
        .reverse(backward.all().join(";\n"));
    let rebuild = m.rebuild;
    if let Some(puller) = &rebuild.pulled_by {
        head = head.note(format!(
            "rebuilds table {} with {puller}: its foreign key to {puller} acts on delete, and \
             the old {puller} is dropped",
            m.target.name
        ));
    }
    if rebuild.changes.is_empty() {
        return head;
    }
    let mut kinds: Vec<&str> = Vec::new();
    for &i in &rebuild.changes {
        if !kinds.contains(&changes[i].kind()) {
            kinds.push(changes[i].kind());
        }
    }
    head = head.note(format!(
        "rebuilds table {} for {}: SQLite's ALTER TABLE cannot do it all in place",
        m.target.name,
        kinds.join(", ")
    ));
    if rebuild.changes.len() > 1 {
        let others: Vec<String> = rebuild.changes[1..]
            .iter()
            .map(|i| (i + 1).to_string())
            .collect();
        head = head.note(format!("also carries out change(s) {}", others.join(", ")));
    }
    let copied = carried(m.source, m.target);
    let lost: Vec<&str> = stored(m.source)
        .filter(|c| !copied.iter().any(|(s, _)| s == c))
        .collect();
    if !lost.is_empty() {
        head = head
            .hazard(Hazard::DeletesData)
            .note(format!("drops the data of column(s) {}", lost.join(", ")));
    }
    if converts_types(rebuild, changes) {
        head = head.hazard(Hazard::TypeConversion);
    }
    if tightens(rebuild, changes) {
        head = head.note(
            "fails if existing rows break the new NOT NULL, UNIQUE, CHECK or PRIMARY KEY rules",
        );
    }
    head.note(
        "run PRAGMA foreign_key_check after the plan where foreign keys are not enforced: \
         nothing else checks the copied rows against the foreign keys",
    )
}

/// One rebuild's statements, by phase.
struct Statements {
    /// Rows (and rowids) put aside in a TEMP table (none when no column
    /// survives), and the `AUTOINCREMENT` counter.
    save: Vec<String>,
    drop: String,
    create: Vec<String>,
    /// The rows copied back, and the TEMP table dropped.
    fill: Vec<String>,
    /// The indexes and triggers.
    finish: Vec<String>,
}

impl Statements {
    fn all(&self) -> Vec<String> {
        let mut out: Vec<String> = self.save.clone();
        out.push(self.drop.clone());
        out.extend(self.create.iter().cloned());
        out.extend(self.fill.iter().cloned());
        out.extend(self.finish.iter().cloned());
        out
    }
}

/// The statements that turn `source` into `target` keeping the rows.
fn statements(
    schema: &str,
    source: &Table,
    target: &Table,
    indexes: &[&Index],
    triggers: &[&Trigger],
) -> Statements {
    let table = quote_ident(D, &target.name);
    let scratch = format!(
        "temp.{}",
        quote_ident(D, &format!("sluice_rebuild_{}", target.name))
    );
    let pairs = carried(source, target);
    // A target whose INTEGER PRIMARY KEY is its rowid takes the rowid
    // from that column; naming the rowid too could set it twice.
    let rowid = keeps_rowid(source) && keeps_rowid(target) && !has_rowid_alias(target);
    let copies = rowid || !pairs.is_empty();

    let mut source_list: Vec<String> = pairs.iter().map(|(s, _)| quote_ident(D, s)).collect();
    let mut target_list: Vec<String> = pairs.iter().map(|(_, t)| quote_ident(D, t)).collect();
    if rowid {
        source_list.insert(0, ROWID_COLUMN.to_string());
        target_list.insert(0, "rowid".to_string());
    }
    let mut save = Vec::new();
    let mut fill = Vec::new();
    if copies {
        let mut keep: Vec<String> = pairs.iter().map(|(s, _)| quote_ident(D, s)).collect();
        if rowid {
            keep.insert(0, format!("rowid AS {ROWID_COLUMN}"));
        }
        save.push(format!(
            "CREATE TEMP TABLE {scratch} AS SELECT {} FROM main.{table}",
            keep.join(", ")
        ));
        fill.push(format!(
            "INSERT INTO main.{table} ({}) SELECT {} FROM {scratch}",
            target_list.join(", "),
            source_list.join(", ")
        ));
        fill.push(format!("DROP TABLE {scratch}"));
    }
    if counts(source) && counts(target) {
        // Dropping the table forgets the highest id it ever gave out;
        // without it, ids of deleted rows would be given out again.
        let saved = format!(
            "temp.{}",
            quote_ident(D, &format!("sluice_sequence_{}", target.name))
        );
        let name = quote_literal(D, &target.name);
        save.push(format!(
            "CREATE TEMP TABLE {saved} AS SELECT seq FROM main.sqlite_sequence WHERE name = {name}"
        ));
        fill.push(format!(
            "DELETE FROM main.sqlite_sequence WHERE name = {name} AND EXISTS (SELECT 1 FROM {saved})"
        ));
        fill.push(format!(
            "INSERT INTO main.sqlite_sequence (name, seq) SELECT {name}, seq FROM {saved}"
        ));
        fill.push(format!("DROP TABLE {saved}"));
    }
    let mut finish: Vec<String> = indexes
        .iter()
        .map(|i| sluice_schema::render::create_index(D, schema, &target.name, i))
        .collect();
    finish.extend(
        triggers
            .iter()
            .map(|t| sluice_schema::render::create_trigger(D, schema, t)),
    );
    Statements {
        save,
        drop: format!("DROP TABLE main.{table}"),
        create: create_table(D, schema, target),
        fill,
        finish,
    }
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

/// A table with an `AUTOINCREMENT` key, counted in `sqlite_sequence`.
fn counts(table: &Table) -> bool {
    table.columns.iter().any(|c| c.auto_increment)
}

/// A rowid table whose one-column `INTEGER PRIMARY KEY` is the rowid.
fn has_rowid_alias(table: &Table) -> bool {
    let without_rowid = matches!(&table.options, TableOptions::Sqlite(o) if o.without_rowid);
    let key = table.primary_key.as_ref().map(|pk| pk.columns.as_slice());
    match key {
        Some([only]) if !without_rowid => table
            .column(only)
            .is_some_and(|c| c.data_type.eq_ignore_ascii_case("INTEGER")),
        _ => false,
    }
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
