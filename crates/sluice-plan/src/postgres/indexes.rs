//! Indexes: built and dropped `CONCURRENTLY` where that is safe.
//!
//! A concurrent build or drop cannot run in a transaction, so Sluice's
//! engine runs it after the transactional statements of the script. It
//! is chosen only when nothing later in the plan needs the index (a
//! foreign key on its columns), nothing later reuses its name, and the
//! table is neither new (a plain build on an empty table is instant) nor
//! partitioned (PostgreSQL refuses both forms there).

use sluice_schema::{Change, Dialect, Index, IndexKey, render};

use super::env::Env;
use super::locks::{Mode, takes};
use super::{object, qualified};
use crate::{Hazard, Step};

const PG: Dialect = Dialect::Postgres;

pub(super) fn create(env: &Env, i: usize, schema: &str, table: &str, index: &Index) -> Vec<Step> {
    let sql = render::create_index(PG, schema, table, index);
    let lock = object(schema, table);
    let existed = env.existed(schema, table);
    let concurrent = env.lock_safe
        && existed
        && !env.partitioned(schema, table)
        && !needed_later(env, i, schema, table, index);
    let mut step = if concurrent {
        let sql = sql.replacen(" INDEX ", " INDEX CONCURRENTLY ", 1);
        takes(Step::new(sql, i), Mode::ShareUpdateExclusive, &lock)
            .outside_transaction()
            .note("if it fails it leaves an INVALID index to drop before retrying")
    } else if existed {
        takes(Step::new(sql, i), Mode::Share, &lock)
            .hazard(Hazard::LongLock)
            .note("writes to the table wait until the index is built")
    } else {
        Step::new(sql, i)
    };
    step = step.hazard(Hazard::IndexBuild);
    let mut out = vec![step];
    if let Some(text) = &index.comment {
        let comment = Step::new(
            format!(
                "COMMENT ON INDEX {} IS {}",
                qualified(schema, &index.name),
                super::literal(text)
            ),
            i,
        );
        // After the index, wherever the index is built.
        out.push(if concurrent {
            comment.outside_transaction()
        } else {
            comment
        });
    }
    out
}

pub(super) fn drop(env: &Env, i: usize, schema: &str, table: &str, index: &Index) -> Vec<Step> {
    let name = qualified(schema, &index.name);
    let lock = object(schema, table);
    let concurrent = env.lock_safe
        && env.table_after(schema, table).is_some()
        && env.table_before(schema, table).is_some()
        && !env.partitioned(schema, table)
        && !touched_later(env, i, schema, table, &index.name);
    let step = if concurrent {
        takes(
            Step::new(format!("DROP INDEX CONCURRENTLY {name}"), i),
            Mode::ShareUpdateExclusive,
            &lock,
        )
        .outside_transaction()
    } else {
        takes(
            Step::new(format!("DROP INDEX {name}"), i),
            Mode::AccessExclusive,
            &lock,
        )
    };
    vec![step.hazard(Hazard::IndexDropped)]
}

/// A later foreign key that references exactly the index's columns may
/// rely on it as its unique key.
fn needed_later(env: &Env, i: usize, schema: &str, table: &str, index: &Index) -> bool {
    if !index.unique {
        return false;
    }
    let columns: Option<Vec<&str>> = index
        .parts
        .iter()
        .map(|p| match &p.key {
            IndexKey::Column(c) => Some(c.as_str()),
            IndexKey::Expression(_) => None,
        })
        .collect();
    let Some(mut columns) = columns else {
        return false;
    };
    columns.sort_unstable();
    env.later(i).iter().any(|c| match c {
        Change::AddForeignKey { foreign_key, .. } => {
            let mut referenced: Vec<&str> = foreign_key
                .referenced_columns
                .iter()
                .map(String::as_str)
                .collect();
            referenced.sort_unstable();
            foreign_key.referenced_schema == schema
                && foreign_key.referenced_table == table
                && referenced == columns
        }
        _ => false,
    })
}

/// A later Change that alters the table's columns (the index may go with
/// a dropped column, or be rebuilt by a type change) or creates a relation
/// or constraint of the same name: the drop must come before it, in the
/// transaction.
fn touched_later(env: &Env, i: usize, schema: &str, table: &str, name: &str) -> bool {
    env.later(i).iter().any(|c| match c {
        Change::DropColumn {
            schema: s,
            table: t,
            ..
        }
        | Change::AlterColumn {
            schema: s,
            table: t,
            ..
        }
        | Change::RenameColumn {
            schema: s,
            table: t,
            ..
        }
        | Change::AlterPartitioning {
            schema: s,
            table: t,
            ..
        } => s == schema && t == table,
        Change::CreateIndex {
            schema: s, index, ..
        } => s == schema && index.name == name,
        Change::AddUnique {
            schema: s, unique, ..
        } => s == schema && unique.name.as_deref() == Some(name),
        Change::AddPrimaryKey {
            schema: s,
            primary_key,
            ..
        } => s == schema && primary_key.name.as_deref() == Some(name),
        Change::CreateTable {
            schema: s,
            table: t,
        } => s == schema && t.name == name,
        Change::CreateMaterializedView { schema: s, view } => s == schema && view.name == name,
        Change::CreateView { schema: s, view } => s == schema && view.name == name,
        Change::CreateSequence {
            schema: s,
            sequence,
        } => s == schema && sequence.name == name,
        Change::DropTable {
            schema: s,
            table: t,
        } => s == schema && t.name == table,
        _ => false,
    })
}
