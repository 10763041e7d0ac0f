//! Table constraints: primary keys, unique constraints, checks and foreign
//! keys.
//!
//! On a table that exists before the plan, a check or foreign key is added
//! `NOT VALID` (a brief lock, no scan) and validated by a second statement
//! whose lock blocks neither reads nor writes. A table the plan creates is
//! empty: the plain form costs nothing there.

use sluice_schema::render::{self, check_clause, primary_key_clause, unique_clause};
use sluice_schema::{Check, Dialect, ForeignKey, PrimaryKey, UniqueConstraint};

use super::env::Env;
use super::locks::{Mode, takes};
use super::{ident, object, qualified};
use crate::{Hazard, Step};

const PG: Dialect = Dialect::Postgres;

fn add(i: usize, schema: &str, table: &str, clause: String) -> Step {
    takes(
        Step::new(
            format!("ALTER TABLE {} ADD {clause}", qualified(schema, table)),
            i,
        ),
        Mode::AccessExclusive,
        &object(schema, table),
    )
}

pub(super) fn add_primary_key(i: usize, schema: &str, table: &str, pk: &PrimaryKey) -> Vec<Step> {
    vec![
        add(i, schema, table, primary_key_clause(PG, pk))
            .hazard(Hazard::IndexBuild)
            .hazard(Hazard::LongLock)
            .note(
                "builds the key's unique index while holding the lock; the columns become NOT NULL",
            ),
    ]
}

pub(super) fn add_unique(i: usize, schema: &str, table: &str, u: &UniqueConstraint) -> Vec<Step> {
    vec![
        add(i, schema, table, unique_clause(PG, u))
            .hazard(Hazard::IndexBuild)
            .hazard(Hazard::LongLock)
            .note("builds the constraint's unique index while holding the lock"),
    ]
}

/// `DROP CONSTRAINT` by name; an unnamed constraint (never the case on
/// PostgreSQL, whose catalog names them all) has no statement.
pub(super) fn drop_named(i: usize, schema: &str, table: &str, name: Option<&str>) -> Vec<Step> {
    name.map(|n| {
        takes(
            Step::new(
                format!(
                    "ALTER TABLE {} DROP CONSTRAINT {}",
                    qualified(schema, table),
                    ident(n)
                ),
                i,
            ),
            Mode::AccessExclusive,
            &object(schema, table),
        )
    })
    .into_iter()
    .collect()
}

/// Checks and foreign keys on a table that exists may go `NOT VALID` then
/// `VALIDATE`; PostgreSQL refuses `NOT VALID` foreign keys on partitioned
/// tables.
fn validate_later(env: &Env, schema: &str, table: &str) -> bool {
    env.lock_safe && env.table_before(schema, table).is_some() && !env.partitioned(schema, table)
}

fn validate(i: usize, schema: &str, table: &str, name: &str, also: Option<&str>) -> Step {
    let mut step = takes(
        Step::new(
            format!(
                "ALTER TABLE {} VALIDATE CONSTRAINT {}",
                qualified(schema, table),
                ident(name)
            ),
            i,
        ),
        Mode::ShareUpdateExclusive,
        &object(schema, table),
    )
    .note("scans the existing rows; reads and writes go on meanwhile");
    if let Some(other) = also {
        step = step.note(format!("ROW SHARE on {other}: blocks nothing"));
    }
    step
}

pub(super) fn add_check(
    env: &Env,
    i: usize,
    schema: &str,
    table: &str,
    check: &Check,
) -> Vec<Step> {
    let clause = check_clause(PG, check);
    match &check.name {
        Some(name) if validate_later(env, schema, table) => vec![
            add(i, schema, table, format!("{clause} NOT VALID")).note(
                "NOT VALID: existing rows are checked by the next statement, under a weaker lock",
            ),
            validate(i, schema, table, name, None),
        ],
        _ => {
            let step = add(i, schema, table, clause);
            let step = if env.table_before(schema, table).is_some() {
                step.hazard(Hazard::LongLock)
                    .note("scans the whole table under the lock")
            } else {
                step
            };
            vec![step]
        }
    }
}

pub(super) fn add_foreign_key(
    env: &Env,
    i: usize,
    schema: &str,
    table: &str,
    fk: &ForeignKey,
) -> Vec<Step> {
    let Some(sql) = render::add_foreign_key(PG, schema, table, fk) else {
        return Vec::new();
    };
    let referenced = object(&fk.referenced_schema, &fk.referenced_table);
    let lock = |step: Step| {
        takes(step, Mode::ShareRowExclusive, &object(schema, table)).note(format!(
            "SHARE ROW EXCLUSIVE on {referenced}: blocks its writes"
        ))
    };
    match &fk.name {
        Some(name) if validate_later(env, schema, table) => vec![
            lock(Step::new(format!("{sql} NOT VALID"), i)).note(
                "NOT VALID: existing rows are checked by the next statement, under a weaker lock",
            ),
            validate(i, schema, table, name, Some(&referenced)),
        ],
        _ => {
            let step = lock(Step::new(sql, i));
            let step = if env.table_before(schema, table).is_some() {
                step.hazard(Hazard::LongLock)
                    .note("checks every existing row under the lock")
            } else {
                step
            };
            vec![step]
        }
    }
}

pub(super) fn drop_foreign_key(i: usize, schema: &str, table: &str, fk: &ForeignKey) -> Vec<Step> {
    let referenced = object(&fk.referenced_schema, &fk.referenced_table);
    drop_named(i, schema, table, fk.name.as_deref())
        .into_iter()
        .map(|s| s.note(format!("also locks {referenced} briefly")))
        .collect()
}

/// `steps`, then the new constraint's comment if it has one.
pub(super) fn commented(
    mut steps: Vec<Step>,
    i: usize,
    schema: &str,
    table: &str,
    name: Option<&str>,
    comment: Option<&str>,
) -> Vec<Step> {
    if let (Some(name), Some(text)) = (name, comment) {
        steps.push(Step::new(
            format!(
                "COMMENT ON CONSTRAINT {} ON {} IS {}",
                ident(name),
                qualified(schema, table),
                super::literal(text)
            ),
            i,
        ));
    }
    steps
}
