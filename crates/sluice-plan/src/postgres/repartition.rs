//! Rebuilding a table PostgreSQL cannot alter in place: a table that
//! becomes partitioned, stops being partitioned, or changes its partition
//! key.
//!
//! The rows are copied aside, the table dropped and created in its new
//! shape (with what the plan does not add by later Changes), the rows
//! copied back. Whatever else depends on the table (a view, a foreign key
//! from another table) makes the `DROP` fail, so the whole transaction
//! rolls back rather than losing it silently.

use std::collections::HashSet;

use sluice_schema::{Change, Dialect, Table, render};

use super::env::Env;
use super::locks::{Mode, takes};
use super::{ident, object, qualified};
use crate::{Hazard, Step};

const PG: Dialect = Dialect::Postgres;

pub(super) fn rebuild(env: &Env, i: usize, schema: &str, name: &str) -> Vec<Step> {
    let Some(new) = env.table_after(schema, name) else {
        return Vec::new();
    };
    let later = added_later(env, i, schema, name);
    let shape = without(new, &later);
    let aside = aside_name(name);
    let target = qualified(schema, name);
    let held = qualified(schema, &aside);
    let lock = object(schema, name);
    let owned: Vec<_> = env
        .to
        .schema(schema)
        .map(|s| {
            s.sequences
                .iter()
                .filter(|q| q.owned_by.as_ref().is_some_and(|o| o.table == name))
                .collect()
        })
        .unwrap_or_default();
    let columns: Vec<String> = new
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .map(|c| ident(&c.name))
        .collect();
    let columns = columns.join(", ");

    let mut out = vec![
        takes(
            Step::new(format!("CREATE TABLE {held} AS TABLE {target}"), i),
            Mode::Share,
            &lock,
        )
        .hazard(Hazard::TableRewrite)
        .hazard(Hazard::LongLock)
        .note("PostgreSQL cannot repartition a table in place: its rows are copied aside, the table is created anew and the rows copied back"),
    ];
    for q in &owned {
        out.push(Step::new(
            format!(
                "ALTER SEQUENCE {} OWNED BY NONE",
                qualified(schema, &q.name)
            ),
            i,
        ));
    }
    out.push(takes(
        Step::new(format!("DROP TABLE {target}"), i),
        Mode::AccessExclusive,
        &lock,
    ));
    out.extend(
        render::create_table(PG, schema, &shape)
            .into_iter()
            .chain(
                shape
                    .indexes
                    .iter()
                    .map(|x| render::create_index(PG, schema, name, x)),
            )
            .map(|sql| Step::new(sql, i)),
    );
    out.extend(
        owned
            .iter()
            .filter_map(|q| render::sequence_owned_by(PG, schema, q).map(|sql| Step::new(sql, i))),
    );
    out.push(
        takes(
            Step::new(
                format!(
                    "INSERT INTO {target} ({columns}) OVERRIDING SYSTEM VALUE SELECT {columns} FROM {held}"
                ),
                i,
            ),
            Mode::AccessExclusive,
            &lock,
        )
        .hazard(Hazard::TableRewrite)
        .hazard(Hazard::LongLock)
        .note("identity columns keep their values; their counters start again"),
    );
    out.push(Step::new(format!("DROP TABLE {held}"), i));
    out.extend(
        shape
            .foreign_keys
            .iter()
            .filter_map(|fk| render::add_foreign_key(PG, schema, name, fk))
            .map(|sql| Step::new(sql, i)),
    );
    let schema_after = env.to.schema(schema);
    for t in schema_after
        .into_iter()
        .flat_map(|s| s.triggers_on(name))
        .filter(|t| !later.contains(&t.name))
    {
        out.push(Step::new(render::create_trigger(PG, schema, t), i));
    }
    if let Some(p) = &shape.partitioning {
        out.extend(
            p.partitions
                .iter()
                .flat_map(|part| super::tables::partition_comments(i, schema, part)),
        );
    }
    out.extend(super::comments_of(
        i,
        sluice_schema::Schema {
            tables: vec![Table {
                foreign_keys: Vec::new(),
                ..shape.clone()
            }],
            ..sluice_schema::Schema::new(schema)
        },
    ));
    out
}

/// Names of the keys, checks, indexes, foreign keys and triggers that
/// later Changes add to the table: the rebuilt table leaves them out.
fn added_later(env: &Env, i: usize, schema: &str, name: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    for c in env.later(i) {
        let (s, t, n) = match c {
            Change::AddPrimaryKey {
                schema,
                table,
                primary_key,
            } => (schema, table, primary_key.name.clone()),
            Change::AddUnique {
                schema,
                table,
                unique,
            } => (schema, table, unique.name.clone()),
            Change::AddCheck {
                schema,
                table,
                check,
            } => (schema, table, check.name.clone()),
            Change::AddForeignKey {
                schema,
                table,
                foreign_key,
            } => (schema, table, foreign_key.name.clone()),
            Change::CreateIndex {
                schema,
                table,
                index,
            } => (schema, table, Some(index.name.clone())),
            Change::CreateTrigger { schema, trigger } => {
                (schema, &trigger.table, Some(trigger.name.clone()))
            }
            _ => continue,
        };
        if s == schema
            && t == name
            && let Some(n) = n
        {
            out.insert(n);
        }
    }
    out
}

/// The table without what later Changes add.
fn without(table: &Table, later: &HashSet<String>) -> Table {
    let kept = |n: &Option<String>| n.as_ref().is_none_or(|n| !later.contains(n));
    let mut t = table.clone();
    t.primary_key = t.primary_key.filter(|pk| kept(&pk.name));
    t.uniques.retain(|u| kept(&u.name));
    t.checks.retain(|c| kept(&c.name));
    t.foreign_keys.retain(|fk| kept(&fk.name));
    t.indexes.retain(|x| !later.contains(&x.name));
    t
}

/// A name for the copy of the rows, within PostgreSQL's 63 bytes.
fn aside_name(name: &str) -> String {
    let suffix = "_sluice_rows";
    let mut head = name.to_string();
    while head.len() + suffix.len() > 63 {
        head.pop();
    }
    format!("{head}{suffix}")
}
