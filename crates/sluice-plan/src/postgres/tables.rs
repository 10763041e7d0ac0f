//! Tables as wholes: create, drop, rename, options and partitions.

use sluice_schema::render;
use sluice_schema::{Dialect, Partition, Partitioning, Schema, Table, TableOptions};

use super::env::Env;
use super::locks::{Mode, takes};
use super::objects::{owned_sequences, release_sequences};
use super::{comments_of, ident, object, qualified};
use crate::{Hazard, Step};

const PG: Dialect = Dialect::Postgres;

/// The table with its partitions, indexes and comments; its foreign keys
/// come later as Changes of their own.
pub(super) fn create(env: &Env, i: usize, schema: &str, table: &Table) -> Vec<Step> {
    let mut out: Vec<Step> = render::create_table(PG, schema, table)
        .into_iter()
        .map(|sql| Step::new(sql, i))
        .collect();
    out.extend(
        table
            .indexes
            .iter()
            .map(|index| Step::new(render::create_index(PG, schema, &table.name, index), i)),
    );
    out.extend(comments_of(
        i,
        Schema {
            tables: vec![Table {
                foreign_keys: Vec::new(),
                ..table.clone()
            }],
            ..Schema::new(schema)
        },
    ));
    if let Some(p) = &table.partitioning {
        out.extend(
            p.partitions
                .iter()
                .flat_map(|part| partition_comments(i, schema, part)),
        );
    }
    out.extend(owned_sequences(env, i, schema, &table.name, None));
    out
}

/// `COMMENT ON TABLE` for a partition and its own partitions that have one.
pub(super) fn partition_comments(i: usize, schema: &str, partition: &Partition) -> Vec<Step> {
    let mut out = Vec::new();
    let mut stack = vec![partition];
    while let Some(p) = stack.pop() {
        if let Some(text) = &p.comment {
            out.push(Step::new(
                format!(
                    "COMMENT ON TABLE {} IS {}",
                    qualified(schema, &p.name),
                    super::literal(text)
                ),
                i,
            ));
        }
        if let Some(sub) = &p.partitioning {
            stack.extend(sub.partitions.iter().rev());
        }
    }
    out
}

pub(super) fn drop(env: &Env, i: usize, schema: &str, table: &Table) -> Vec<Step> {
    let mut out = release_sequences(env, i, schema, &table.name, None);
    let name = object(schema, &table.name);
    let mut step = takes(
        Step::new(format!("DROP TABLE {}", qualified(schema, &table.name)), i),
        Mode::AccessExclusive,
        &name,
    )
    .hazard(Hazard::DeletesData);
    if table.partitioning.is_some() {
        step = step.note("its partitions and their rows go with it");
    }
    out.push(step);
    out
}

pub(super) fn rename(i: usize, schema: &str, from: &str, to: &str) -> Vec<Step> {
    let sql = format!(
        "ALTER TABLE {} RENAME TO {}",
        qualified(schema, from),
        ident(to)
    );
    vec![takes(
        Step::new(sql, i),
        Mode::AccessExclusive,
        &object(schema, from),
    )]
}

/// Storage options, logging, tablespace, inheritance and row security.
pub(super) fn alter_options(
    i: usize,
    schema: &str,
    table: &str,
    from: &TableOptions,
    to: &TableOptions,
) -> Vec<Step> {
    let none = Default::default();
    let a = from.postgres().unwrap_or(&none);
    let b = to.postgres().unwrap_or(&none);
    let name = qualified(schema, table);
    let lock = object(schema, table);
    let alter = |action: String| {
        takes(
            Step::new(format!("ALTER TABLE {name} {action}"), i),
            Mode::AccessExclusive,
            &lock,
        )
    };
    let mut out = Vec::new();
    if a.unlogged != b.unlogged {
        let action = if b.unlogged {
            "SET UNLOGGED"
        } else {
            "SET LOGGED"
        };
        out.push(
            alter(action.into())
                .hazard(Hazard::TableRewrite)
                .hazard(Hazard::LongLock),
        );
    }
    if a.tablespace != b.tablespace {
        let ts = b.tablespace.as_deref().unwrap_or("pg_default");
        out.push(
            alter(format!("SET TABLESPACE {}", ident(ts)))
                .hazard(Hazard::TableRewrite)
                .hazard(Hazard::LongLock),
        );
    }
    let key = |p: &String| p.split('=').next().unwrap_or(p).trim().to_string();
    let removed: Vec<String> = a
        .storage_parameters
        .iter()
        .filter(|p| !b.storage_parameters.iter().any(|q| key(q) == key(p)))
        .map(key)
        .collect();
    if !removed.is_empty() {
        out.push(alter(format!("RESET ({})", removed.join(", "))));
    }
    let set: Vec<&String> = b
        .storage_parameters
        .iter()
        .filter(|p| !a.storage_parameters.contains(p))
        .collect();
    if !set.is_empty() {
        let list: Vec<&str> = set.iter().map(|s| s.as_str()).collect();
        out.push(alter(format!("SET ({})", list.join(", "))));
    }
    for parent in a.inherits.iter().filter(|p| !b.inherits.contains(p)) {
        out.push(alter(format!(
            "NO INHERIT {}",
            qualified(&parent.schema, &parent.name)
        )));
    }
    for parent in b.inherits.iter().filter(|p| !a.inherits.contains(p)) {
        out.push(alter(format!(
            "INHERIT {}",
            qualified(&parent.schema, &parent.name)
        )));
    }
    if a.row_security != b.row_security {
        let action = if b.row_security {
            "ENABLE ROW LEVEL SECURITY"
        } else {
            "DISABLE ROW LEVEL SECURITY"
        };
        out.push(alter(action.into()));
    }
    out
}

/// `CREATE TABLE ... PARTITION OF` for a partition and, depth first, its
/// own partitions.
pub(super) fn add_partition(
    i: usize,
    schema: &str,
    table: &str,
    partition: &Partition,
) -> Vec<Step> {
    let mut out = Vec::new();
    let mut stack: Vec<(&str, &Partition)> = vec![(table, partition)];
    while let Some((parent, part)) = stack.pop() {
        let mut sql = format!(
            "CREATE TABLE {} PARTITION OF {}\n{}",
            qualified(schema, &part.name),
            qualified(schema, parent),
            part.bound.as_deref().unwrap_or("DEFAULT")
        );
        if let Some(sub) = &part.partitioning {
            sql.push_str(&format!(
                "\nPARTITION BY {} ({})",
                sub.strategy.as_sql(),
                sub.key
            ));
            stack.extend(sub.partitions.iter().rev().map(|p| (part.name.as_str(), p)));
        }
        out.push(takes(
            Step::new(sql, i),
            Mode::AccessExclusive,
            &object(schema, parent),
        ));
    }
    if let Some(first) = out.first_mut() {
        first
            .notes
            .push("a default partition, if any, is scanned for rows that now belong here".into());
    }
    out
}

/// Detach, then drop: the parent is locked only for the detach, and the
/// rows go with the detached table.
pub(super) fn drop_partition(
    i: usize,
    schema: &str,
    table: &str,
    partition: &Partition,
) -> Vec<Step> {
    let detach = format!(
        "ALTER TABLE {} DETACH PARTITION {}",
        qualified(schema, table),
        qualified(schema, &partition.name)
    );
    let drop = format!("DROP TABLE {}", qualified(schema, &partition.name));
    vec![
        takes(
            Step::new(detach, i),
            Mode::AccessExclusive,
            &object(schema, table),
        ),
        takes(
            Step::new(drop, i),
            Mode::AccessExclusive,
            &object(schema, &partition.name),
        )
        .hazard(Hazard::DeletesData),
    ]
}

/// PostgreSQL cannot change how a table is partitioned in place: the
/// table is rebuilt (see [`super::repartition`]).
pub(super) fn repartition(
    env: &Env,
    i: usize,
    schema: &str,
    table: &str,
    _from: Option<&Partitioning>,
    _to: Option<&Partitioning>,
) -> Vec<Step> {
    super::repartition::rebuild(env, i, schema, table)
}
