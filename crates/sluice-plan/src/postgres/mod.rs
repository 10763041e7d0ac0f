//! Plans for PostgreSQL.
//!
//! Each Change becomes the statements PostgreSQL needs for it, in the
//! order the diff gave. With [`crate::PlanOptions::lock_safe`] the planner
//! prefers forms that hold weak locks: indexes built and dropped
//! `CONCURRENTLY`, constraints added `NOT VALID` and validated by a second
//! statement, `SET NOT NULL` through a validated check.
//!
//! Sluice's engine runs a script's transactional statements first, in one
//! transaction, then the ones PostgreSQL refuses inside a transaction
//! block. So a statement only goes `CONCURRENTLY` when nothing later in
//! the plan needs what it does ([`Env::later`]); `psql` running the script
//! as written gets the same result.

mod columns;
mod comments;
mod constraints;
mod enums;
mod env;
mod indexes;
mod locks;
mod objects;
mod repartition;
mod retyped_checks;
mod tables;
mod view_rebuilds;
mod views;

use sluice_schema::{Change, Dialect, render};

use crate::{Ctx, Hazard, Step};
use env::Env;
use view_rebuilds::ViewRebuilds;

/// The statements for `changes`, in order.
pub(crate) fn steps(changes: &[Change], ctx: &Ctx) -> Vec<Step> {
    let env = Env::new(changes, ctx.from, ctx.to, ctx);
    let views = ViewRebuilds::find(&env);
    let mut out = Vec::new();
    if changes.iter().any(creates_routine) {
        // As pg_dump does: a SQL function may name objects created after it.
        out.push(session_setting("SET check_function_bodies = false"));
    }
    for (i, change) in changes.iter().enumerate() {
        if i == views.drop_at {
            out.extend(
                views.drops(|k| with_reverse(&env, &changes[k], render(&env, k, &changes[k]))),
            );
        }
        if i == views.recreate_at {
            out.extend(views.recreates(&env));
        }
        if views.moved.contains(&i) {
            continue;
        }
        let steps = match change {
            Change::ReplaceView { schema, to, .. } if views.replaced.contains(&i) => {
                objects::create_view(i, schema, to)
            }
            _ => render(&env, i, change),
        };
        out.extend(with_reverse(&env, change, steps));
    }
    if views.recreate_at >= changes.len() {
        out.extend(views.recreates(&env));
    }
    out
}

/// The last statement of a Change carries the SQL that undoes the whole
/// Change, or the Irreversible hazard when there is none.
fn with_reverse(env: &Env, change: &Change, mut steps: Vec<Step>) -> Vec<Step> {
    if let Some(last) = steps.last_mut() {
        match change.inverse() {
            Some(inverse) => last.reverse = reverse_sql(env, &inverse),
            None if !last.hazards.contains(&Hazard::Irreversible) => {
                last.hazards.push(Hazard::Irreversible);
            }
            None => {}
        }
    }
    steps
}

fn creates_routine(change: &Change) -> bool {
    matches!(
        change,
        Change::CreateFunction { .. } | Change::ReplaceFunction { .. }
    )
}

fn session_setting(sql: &str) -> Step {
    Step {
        change: None,
        ..Step::new(sql, 0)
    }
}

/// The SQL that undoes a Change: its inverse planned between the same two
/// catalogs the other way round, as one script.
fn reverse_sql(env: &Env, inverse: &Change) -> Option<String> {
    let back = env.reversed(std::slice::from_ref(inverse));
    let sql: Vec<String> = render(&back, 0, inverse)
        .into_iter()
        .map(|s| s.sql)
        .collect();
    (!sql.is_empty()).then(|| sql.join(";\n"))
}

/// The statements for one Change.
fn render(env: &Env, i: usize, change: &Change) -> Vec<Step> {
    use Change::*;
    match change {
        CreateExtension { extension } => objects::create_extension(i, extension),
        DropExtension { extension } => objects::drop_extension(i, extension),
        AlterExtension { from, to } => objects::alter_extension(i, from, to),
        CreateSchema { schema, comment } => objects::create_schema(i, schema, comment),
        DropSchema { schema } => objects::drop_schema(i, schema),
        CreateEnum { schema, enum_type } => enums::create(env, i, schema, enum_type),
        DropEnum { schema, enum_type } => enums::drop(env, i, schema, enum_type),
        AddEnumValue {
            schema,
            name,
            value,
            position,
        } => enums::add_value(env, i, schema, name, value, position),
        CreateSequence { schema, sequence } => objects::create_sequence(env, i, schema, sequence),
        DropSequence { schema, sequence } => objects::drop_sequence(i, schema, sequence),
        AlterSequence { schema, from, to } => objects::alter_sequence(env, i, schema, from, to),
        CreateTable { schema, table } => tables::create(env, i, schema, table),
        DropTable { schema, table } => tables::drop(env, i, schema, table),
        RenameTable { schema, from, to } => tables::rename(i, schema, from, to),
        AddColumn {
            schema,
            table,
            column,
        } => columns::add(env, i, schema, table, column),
        DropColumn {
            schema,
            table,
            column,
        } => columns::drop(env, i, schema, table, column),
        RenameColumn {
            schema,
            table,
            from,
            to,
        } => columns::rename(i, schema, table, from, to),
        AlterColumn {
            schema,
            table,
            changes,
            from,
            to,
            ..
        } => columns::alter(env, i, schema, table, changes, from, to),
        AddPrimaryKey {
            schema,
            table,
            primary_key,
        } => constraints::commented(
            constraints::add_primary_key(i, schema, table, primary_key),
            i,
            schema,
            table,
            primary_key.name.as_deref(),
            primary_key.comment.as_deref(),
        ),
        DropPrimaryKey {
            schema,
            table,
            primary_key,
        } => constraints::drop_named(i, schema, table, primary_key.name.as_deref())
            .into_iter()
            .map(|s| s.hazard(Hazard::IndexDropped))
            .collect(),
        AddUnique {
            schema,
            table,
            unique,
        } => constraints::commented(
            constraints::add_unique(i, schema, table, unique),
            i,
            schema,
            table,
            unique.name.as_deref(),
            unique.comment.as_deref(),
        ),
        DropUnique {
            schema,
            table,
            unique,
        } => constraints::drop_named(i, schema, table, unique.name.as_deref())
            .into_iter()
            .map(|s| s.hazard(Hazard::IndexDropped))
            .collect(),
        AddCheck {
            schema,
            table,
            check,
        } => constraints::commented(
            constraints::add_check(env, i, schema, table, check),
            i,
            schema,
            table,
            check.name.as_deref(),
            check.comment.as_deref(),
        ),
        DropCheck {
            schema,
            table,
            check,
        } => constraints::drop_named(i, schema, table, check.name.as_deref()),
        AddForeignKey {
            schema,
            table,
            foreign_key,
        } => constraints::commented(
            constraints::add_foreign_key(env, i, schema, table, foreign_key),
            i,
            schema,
            table,
            foreign_key.name.as_deref(),
            foreign_key.comment.as_deref(),
        ),
        DropForeignKey {
            schema,
            table,
            foreign_key,
        } => constraints::drop_foreign_key(i, schema, table, foreign_key),
        CreateIndex {
            schema,
            table,
            index,
        } => indexes::create(env, i, schema, table, index),
        DropIndex {
            schema,
            table,
            index,
        } => indexes::drop(env, i, schema, table, index),
        CreateView { schema, view } => objects::create_view(i, schema, view),
        DropView { schema, view } => objects::drop_view(i, schema, view),
        ReplaceView { schema, from, to } => objects::replace_view(i, schema, from, to),
        CreateMaterializedView { schema, view } => {
            objects::create_materialized_view(i, schema, view)
        }
        DropMaterializedView { schema, view } => objects::drop_materialized_view(i, schema, view),
        CreateFunction { schema, function } => objects::create_function(i, schema, function),
        DropFunction { schema, function } => objects::drop_function(i, schema, function),
        ReplaceFunction { schema, from, to } => objects::replace_function(i, schema, from, to),
        CreateTrigger { schema, trigger } => objects::create_trigger(i, schema, trigger),
        DropTrigger { schema, trigger } => objects::drop_trigger(i, schema, trigger),
        AlterTableOptions {
            schema,
            table,
            from,
            to,
        } => tables::alter_options(i, schema, table, from, to),
        AlterPartitioning {
            schema,
            table,
            from,
            to,
        } => tables::repartition(env, i, schema, table, from.as_ref(), to.as_ref()),
        AddPartition {
            schema,
            table,
            partition,
        } => tables::add_partition(i, schema, table, partition),
        DropPartition {
            schema,
            table,
            partition,
        } => tables::drop_partition(i, schema, table, partition),
        SetComment { target, to, .. } => comments::set(env, i, target, to.as_deref()),
    }
}

/// A schema-qualified, quoted name.
fn qualified(schema: &str, name: &str) -> String {
    sluice_schema::quote_qualified(Dialect::Postgres, schema, name)
}

fn ident(name: &str) -> String {
    sluice_schema::quote_ident(Dialect::Postgres, name)
}

fn literal(text: &str) -> String {
    sluice_schema::quote_literal(Dialect::Postgres, text)
}

/// A name as lock descriptions and notes spell it: `public.orders`.
fn object(schema: &str, name: &str) -> String {
    format!("{schema}.{name}")
}

/// The renderer's statements as plain steps of Change `i`.
fn plain(i: usize, sql: impl IntoIterator<Item = String>) -> Vec<Step> {
    sql.into_iter().map(|s| Step::new(s, i)).collect()
}

/// `COMMENT ON` statements for a new object, from the renderer.
fn comments_of(i: usize, schema: sluice_schema::Schema) -> Vec<Step> {
    plain(i, render::comments(Dialect::Postgres, &schema))
}
