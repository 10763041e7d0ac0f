//! Statements for the Changes SQLite runs as they are: tables, indexes,
//! views and triggers created or dropped, renames, and the columns
//! `ALTER TABLE` adds and drops.

use sluice_schema::render::{column_def, create_index, create_table, create_trigger, create_view};
use sluice_schema::{Change, Dialect, Index, Table, Trigger, View, quote_ident};

use super::alter;
use super::grouping::Grouping;
use super::step;
use crate::{Ctx, Hazard, Step};

const D: Dialect = Dialect::Sqlite;

fn q(name: &str) -> String {
    quote_ident(D, name)
}

/// The statements of Change `i`, which runs on its own.
pub(super) fn steps(i: usize, change: &Change, ctx: &Ctx, grouping: &Grouping) -> Vec<Step> {
    use Change::*;
    match change {
        CreateTable { schema, table } => {
            // The Change leaves foreign keys out; SQLite declares them in
            // CREATE TABLE only, so the whole table comes from `to`.
            let full = lookup(ctx.to, schema, &table.name).unwrap_or(table);
            let mut out: Vec<Step> = create_table(D, schema, full)
                .into_iter()
                .map(|sql| step(sql, i).reverse(drop_table(&full.name)))
                .collect();
            if !full.foreign_keys.is_empty()
                && let Some(first) = out.first_mut()
            {
                first.notes.push(
                    "foreign keys are declared inline: SQLite cannot add them to an existing table"
                        .into(),
                );
            }
            out.extend(
                full.indexes
                    .iter()
                    .map(|index| index_step(i, schema, &full.name, index)),
            );
            out
        }
        DropTable { schema, table } => {
            let full = lookup(ctx.from, schema, &table.name).unwrap_or(table);
            vec![
                step(drop_table(&table.name), i)
                    .hazard(Hazard::DeletesData)
                    .reverse(table_script(schema, full))
                    .note("the reverse recreates the table empty"),
            ]
        }
        RenameTable { from, to, .. } => vec![
            step(format!("ALTER TABLE {} RENAME TO {}", q(from), q(to)), i)
                .reverse(format!("ALTER TABLE {} RENAME TO {}", q(to), q(from)))
                .note("SQLite renames the table in views, triggers and foreign keys too"),
        ],
        RenameColumn {
            table, from, to, ..
        } => vec![
            step(
                format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    q(table),
                    q(from),
                    q(to)
                ),
                i,
            )
            .reverse(format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                q(table),
                q(to),
                q(from)
            )),
        ],
        AddColumn { table, column, .. } => vec![
            step(
                format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    q(table),
                    column_def(D, column, false)
                ),
                i,
            )
            .reverse(drop_column(table, &column.name)),
        ],
        DropColumn { table, column, .. } => {
            let drop = step(drop_column(table, &column.name), i)
                .hazard(Hazard::DeletesData)
                .hazard(Hazard::TableRewrite)
                .hazard(Hazard::LongLock)
                .note("SQLite rewrites the table to drop the column");
            vec![if alter::addable(column) {
                drop.reverse(format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    q(table),
                    column_def(D, column, false)
                ))
                .note("the reverse adds the column back empty")
            } else {
                drop.note(
                    "no ALTER TABLE adds the column back: the reverse plan rebuilds the table",
                )
            }]
        }
        CreateIndex {
            schema,
            table,
            index,
        } => vec![index_step(i, schema, table, index)],
        DropIndex {
            schema,
            table,
            index,
        } => vec![
            step(format!("DROP INDEX {}", q(&index.name)), i)
                .hazard(Hazard::IndexDropped)
                .reverse(create_index(D, schema, table, index)),
        ],
        CreateView { schema, view } => vec![create_view_step(i, schema, view)],
        DropView { schema, view } => vec![drop_view_step(i, schema, view)],
        ReplaceView { schema, from, to } => {
            // SQLite has no CREATE OR REPLACE VIEW; dropping the view drops
            // its triggers, so the unchanged ones come back after it.
            let mut out = vec![
                drop_view_step(i, schema, from),
                create_view_step(i, schema, to),
            ];
            out.extend(
                triggers_on(ctx.to, schema, &to.name)
                    .filter(|t| !grouping.creates_trigger(schema, &t.name))
                    .map(|t| {
                        trigger_step(i, schema, t).note("recreated: dropping the view dropped it")
                    }),
            );
            out
        }
        CreateTrigger { schema, trigger } => vec![trigger_step(i, schema, trigger)],
        DropTrigger { schema, trigger } => vec![
            step(format!("DROP TRIGGER {}", q(&trigger.name)), i)
                .reverse(create_trigger(D, schema, trigger)),
        ],
        // Nothing in SQLite for the rest: one schema, no comments, no
        // sequences, types or routines. Table-level changes that reach
        // this point belong to tables created or dropped in the same plan.
        _ => Vec::new(),
    }
}

pub(super) fn lookup<'a>(
    catalog: &'a sluice_schema::Catalog,
    schema: &str,
    name: &str,
) -> Option<&'a Table> {
    catalog.schema(schema).and_then(|s| s.table(name))
}

pub(super) fn triggers_on<'a>(
    catalog: &'a sluice_schema::Catalog,
    schema: &str,
    table: &'a str,
) -> impl Iterator<Item = &'a Trigger> + 'a {
    catalog
        .schema(schema)
        .into_iter()
        .flat_map(move |s| s.triggers_on(table))
}

fn drop_table(name: &str) -> String {
    format!("DROP TABLE {}", q(name))
}

fn drop_column(table: &str, column: &str) -> String {
    format!("ALTER TABLE {} DROP COLUMN {}", q(table), q(column))
}

/// `CREATE TABLE` and its indexes, as one script.
fn table_script(schema: &str, table: &Table) -> String {
    let mut statements = create_table(D, schema, table);
    statements.extend(
        table
            .indexes
            .iter()
            .map(|index| create_index(D, schema, &table.name, index)),
    );
    statements.join(";\n")
}

pub(super) fn index_step(i: usize, schema: &str, table: &str, index: &Index) -> Step {
    step(create_index(D, schema, table, index), i)
        .hazard(Hazard::IndexBuild)
        .hazard(Hazard::LongLock)
        .reverse(format!("DROP INDEX {}", q(&index.name)))
}

pub(super) fn trigger_step(i: usize, schema: &str, trigger: &Trigger) -> Step {
    step(create_trigger(D, schema, trigger), i)
        .reverse(format!("DROP TRIGGER {}", q(&trigger.name)))
}

fn create_view_step(i: usize, schema: &str, view: &View) -> Step {
    step(create_view(D, schema, view), i).reverse(format!("DROP VIEW {}", q(&view.name)))
}

fn drop_view_step(i: usize, schema: &str, view: &View) -> Step {
    step(format!("DROP VIEW {}", q(&view.name)), i).reverse(create_view(D, schema, view))
}
