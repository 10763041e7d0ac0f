//! Columns: add, drop, rename, and every kind of alteration.

use sluice_schema::{Column, ColumnChange, Dialect, Generated, Identity, IdentityKind, render};

use super::env::Env;
use super::locks::{Mode, takes};
use super::objects::{
    all_sequence_options, changed_sequence_options, owned_sequences, release_sequences,
};
use super::retyped_checks;
use super::{ident, literal, object, qualified};
use crate::{Hazard, Step};

const PG: Dialect = Dialect::Postgres;

/// Functions whose value changes from row to row: a default calling one
/// is computed for every existing row, so adding the column rewrites the
/// table. Anything else (constants, `now()`) is stored once in the catalog.
const VOLATILE: &[&str] = &[
    "random(",
    "clock_timestamp(",
    "timeofday(",
    "gen_random_uuid(",
    "uuid_generate_",
    "nextval(",
    "txid_current(",
];

fn volatile(expr: &str) -> bool {
    let e = expr.to_ascii_lowercase();
    VOLATILE.iter().any(|f| e.contains(f))
}

/// `ALTER TABLE schema.table ` with the lock every column statement takes.
fn alter_table(i: usize, schema: &str, table: &str, action: String) -> Step {
    takes(
        Step::new(
            format!("ALTER TABLE {} {action}", qualified(schema, table)),
            i,
        ),
        Mode::AccessExclusive,
        &object(schema, table),
    )
}

pub(super) fn add(env: &Env, i: usize, schema: &str, table: &str, column: &Column) -> Vec<Step> {
    let def = render::column_def(PG, column, false);
    let mut step = alter_table(i, schema, table, format!("ADD COLUMN {def}"));
    let fills_rows = column.identity.is_some()
        || column.generated.is_some()
        || column.default.as_deref().is_some_and(volatile);
    if fills_rows {
        step = step
            .hazard(Hazard::TableRewrite)
            .hazard(Hazard::LongLock)
            .note("the value is computed for every existing row: the table is rewritten");
    } else if !column.nullable && column.default.is_none() {
        step = step.note("fails if the table has rows: a NOT NULL column needs a default");
    }
    let mut out = vec![step];
    if let Some(c) = &column.comment {
        out.push(Step::new(
            column_comment(schema, table, &column.name, Some(c)),
            i,
        ));
    }
    out.extend(owned_sequences(env, i, schema, table, Some(&column.name)));
    out
}

pub(super) fn drop(env: &Env, i: usize, schema: &str, table: &str, column: &Column) -> Vec<Step> {
    let mut out = release_sequences(env, i, schema, table, Some(&column.name));
    out.push(
        alter_table(
            i,
            schema,
            table,
            format!("DROP COLUMN {}", ident(&column.name)),
        )
        .hazard(Hazard::DeletesData),
    );
    out
}

pub(super) fn rename(i: usize, schema: &str, table: &str, from: &str, to: &str) -> Vec<Step> {
    vec![alter_table(
        i,
        schema,
        table,
        format!("RENAME COLUMN {} TO {}", ident(from), ident(to)),
    )]
}

fn column_comment(schema: &str, table: &str, column: &str, text: Option<&str>) -> String {
    format!(
        "COMMENT ON COLUMN {}.{} IS {}",
        qualified(schema, table),
        ident(column),
        text.map(literal).unwrap_or_else(|| "NULL".into())
    )
}

/// The statements for one column's changes, in an order that works: what
/// stands in the way goes first (a default that may not cast, an identity,
/// a generation expression), then the type, then nullability, then what
/// is added back, then the comment.
pub(super) fn alter(
    env: &Env,
    i: usize,
    schema: &str,
    table: &str,
    changes: &[ColumnChange],
    from: &Column,
    to: &Column,
) -> Vec<Step> {
    let col = ident(&to.name);
    let a = |action: String| alter_table(i, schema, table, format!("ALTER COLUMN {col} {action}"));
    let retyped = changes.iter().any(|c| {
        matches!(
            c,
            ColumnChange::Type { .. } | ColumnChange::Collation { .. }
        )
    });
    let default_changed = changes
        .iter()
        .any(|c| matches!(c, ColumnChange::Default { .. }));
    let mut first = Vec::new();
    let mut middle = Vec::new();
    let mut last = Vec::new();
    if retyped {
        let (drop, add) = retyped_checks::around(env, i, schema, table);
        first.extend(drop);
        last.extend(add);
    }

    // A default that may not cast to the new type is set again after it.
    let default_in_the_way = retyped && from.default.is_some() && from.identity.is_none();
    if default_in_the_way || (default_changed && to.default.is_none() && from.default.is_some()) {
        first.push(a("DROP DEFAULT".into()));
    }
    if (default_in_the_way || default_changed)
        && let Some(d) = &to.default
    {
        last.push(a(format!("SET DEFAULT {d}")));
    }

    for change in changes {
        match change {
            ColumnChange::Type { widening, .. } => {
                middle.push(retype(&a, &col, to, *widening));
            }
            ColumnChange::Collation { .. }
                if !changes
                    .iter()
                    .any(|c| matches!(c, ColumnChange::Type { .. })) =>
            {
                middle.push(retype(&a, &col, to, true));
            }
            ColumnChange::Collation { .. } => {}
            ColumnChange::Nullability { to: nullable, .. } => {
                if *nullable {
                    middle.push(a("DROP NOT NULL".into()));
                } else {
                    middle.extend(set_not_null(env, i, schema, table, &to.name));
                }
            }
            ColumnChange::Default { .. } => {}
            ColumnChange::Identity { from: old, to: new } => {
                let (f, l) = identity(&a, old.as_ref(), new.as_ref());
                first.extend(f);
                last.extend(l);
            }
            ColumnChange::Generated { from: old, to: new } => {
                let (f, l) = generated(env, i, schema, table, old.as_ref(), new.as_ref(), to);
                first.extend(f);
                last.extend(l);
            }
            ColumnChange::Comment { to: text, .. } => {
                last.push(Step::new(
                    column_comment(schema, table, &to.name, text.as_deref()),
                    i,
                ));
            }
            // MySQL's column attributes and order: nothing to do here.
            ColumnChange::AutoIncrement { .. }
            | ColumnChange::Charset { .. }
            | ColumnChange::OnUpdate { .. }
            | ColumnChange::Position { .. } => {}
        }
    }
    first.extend(middle);
    first.extend(last);
    first
}

/// `ALTER COLUMN ... TYPE`: a widening keeps the stored values (a brief
/// lock); anything else converts every row.
fn retype(a: &impl Fn(String) -> Step, col: &str, to: &Column, widening: bool) -> Step {
    let collate = to
        .collation
        .as_ref()
        .map(|c| format!(" COLLATE {}", collation(c)))
        .unwrap_or_default();
    if widening {
        a(format!("TYPE {}{collate}", to.data_type))
            .note("a widening: the stored values stay as they are, no rewrite")
    } else {
        a(format!("TYPE {}{collate} USING {col}::{}", to.data_type, to.data_type))
            .hazard(Hazard::TableRewrite)
            .hazard(Hazard::LongLock)
            .hazard(Hazard::TypeConversion)
            .note("every row is converted and the table and its indexes rewritten; fails if a value does not convert")
    }
}

fn collation(name: &str) -> String {
    if name.contains('"') || name.contains('.') {
        name.to_string()
    } else {
        ident(name)
    }
}

/// `SET NOT NULL` without a long lock: a `NOT VALID` check, validated
/// under a lock that blocks nothing, lets `SET NOT NULL` skip its scan
/// (PostgreSQL 12+); then the check goes.
fn set_not_null(env: &Env, i: usize, schema: &str, table: &str, column: &str) -> Vec<Step> {
    let name = qualified(schema, table);
    let lock = object(schema, table);
    let plain = || {
        takes(
            Step::new(
                format!(
                    "ALTER TABLE {name} ALTER COLUMN {} SET NOT NULL",
                    ident(column)
                ),
                i,
            ),
            Mode::AccessExclusive,
            &lock,
        )
    };
    if !env.lock_safe || !env.at_least(12) || env.partitioned(schema, table) {
        return vec![
            plain()
                .hazard(Hazard::LongLock)
                .note("scans the whole table under the lock"),
        ];
    }
    let taken = constraint_names(env, schema, table);
    let check = ident(&not_null_check_name(column, &taken));
    vec![
        takes(
            Step::new(
                format!(
                    "ALTER TABLE {name} ADD CONSTRAINT {check} CHECK ({} IS NOT NULL) NOT VALID",
                    ident(column)
                ),
                i,
            ),
            Mode::AccessExclusive,
            &lock,
        )
        .note("NOT VALID: existing rows are checked by the next statement, under a weaker lock"),
        takes(
            Step::new(format!("ALTER TABLE {name} VALIDATE CONSTRAINT {check}"), i),
            Mode::ShareUpdateExclusive,
            &lock,
        ),
        plain().note("the validated check proves it: no scan"),
        takes(
            Step::new(format!("ALTER TABLE {name} DROP CONSTRAINT {check}"), i),
            Mode::AccessExclusive,
            &lock,
        ),
    ]
}

/// `<column>_not_null` (then `_not_null2`, …) unless the table has a
/// constraint of that name, cut to PostgreSQL's 63 bytes.
fn not_null_check_name(column: &str, taken: &[&str]) -> String {
    (1..)
        .map(|n: u32| {
            let suffix = if n == 1 {
                "_not_null".to_string()
            } else {
                format!("_not_null{n}")
            };
            let mut head = column.to_string();
            while head.len() + suffix.len() > 63 {
                head.pop();
            }
            format!("{head}{suffix}")
        })
        .find(|name| !taken.contains(&name.as_str()))
        .unwrap_or_default()
}

/// The names of a table's constraints and indexes, before and after.
fn constraint_names<'a>(env: &Env<'a>, schema: &str, table: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    for t in [
        env.table_before(schema, table),
        env.table_after(schema, table),
    ]
    .into_iter()
    .flatten()
    {
        out.extend(t.primary_key.iter().filter_map(|k| k.name.as_deref()));
        out.extend(t.uniques.iter().filter_map(|u| u.name.as_deref()));
        out.extend(t.checks.iter().filter_map(|c| c.name.as_deref()));
        out.extend(t.foreign_keys.iter().filter_map(|f| f.name.as_deref()));
        out.extend(t.indexes.iter().map(|x| x.name.as_str()));
    }
    out
}

/// Identity changes: (statements before the type and nullability, after).
fn identity(
    a: &impl Fn(String) -> Step,
    from: Option<&Identity>,
    to: Option<&Identity>,
) -> (Vec<Step>, Vec<Step>) {
    let kind = |k: IdentityKind| match k {
        IdentityKind::Always => "ALWAYS",
        IdentityKind::ByDefault => "BY DEFAULT",
    };
    match (from, to) {
        (None, None) => (Vec::new(), Vec::new()),
        (Some(_), None) => (vec![a("DROP IDENTITY".into())], Vec::new()),
        (None, Some(new)) => {
            let opts = all_sequence_options(&new.sequence);
            let opts = if opts.is_empty() {
                String::new()
            } else {
                format!(" ({})", opts.join(" "))
            };
            (
                Vec::new(),
                vec![
                    a(format!(
                        "ADD GENERATED {} AS IDENTITY{opts}",
                        kind(new.kind)
                    ))
                    .note("new rows draw from a new sequence; existing values are kept"),
                ],
            )
        }
        (Some(old), Some(new)) => {
            let mut sets = Vec::new();
            if old.kind != new.kind {
                sets.push(format!("SET GENERATED {}", kind(new.kind)));
            }
            sets.extend(
                changed_sequence_options(&old.sequence, &new.sequence)
                    .into_iter()
                    .map(|o| format!("SET {o}")),
            );
            let step = (!sets.is_empty()).then(|| a(sets.join(" ")));
            (Vec::new(), step.into_iter().collect())
        }
    }
}

/// Generation expression changes. Dropping one keeps the values (`DROP
/// EXPRESSION`, PostgreSQL 13+); changing one rewrites the column in place
/// from PostgreSQL 17 (`SET EXPRESSION`). Otherwise the column is dropped
/// and added again (it moves to the end of the table).
fn generated(
    env: &Env,
    i: usize,
    schema: &str,
    table: &str,
    from: Option<&Generated>,
    to: Option<&Generated>,
    column: &Column,
) -> (Vec<Step>, Vec<Step>) {
    let col = ident(&column.name);
    let a = |action: String| alter_table(i, schema, table, format!("ALTER COLUMN {col} {action}"));
    match (from, to) {
        (None, None) => (Vec::new(), Vec::new()),
        (Some(_), None) if env.at_least(13) => (vec![a("DROP EXPRESSION".into())], Vec::new()),
        (Some(_), Some(g)) if env.at_least(17) => (
            Vec::new(),
            vec![
                a(format!("SET EXPRESSION AS ({})", g.expression))
                    .hazard(Hazard::TableRewrite)
                    .hazard(Hazard::LongLock),
            ],
        ),
        (_, _) => {
            let def = render::column_def(PG, column, false);
            (
                vec![
                    alter_table(i, schema, table, format!("DROP COLUMN {col}")).hazard(Hazard::DeletesData),
                ],
                vec![alter_table(i, schema, table, format!("ADD COLUMN {def}"))
                    .hazard(Hazard::TableRewrite)
                    .hazard(Hazard::LongLock)
                    .note("the column is dropped and added again (it moves to the end of the table): generated values are computed anew, a column no longer generated starts empty")],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn not_null_check_names_avoid_taken_ones() {
        assert_eq!(super::not_null_check_name("email", &[]), "email_not_null");
        assert_eq!(
            super::not_null_check_name("email", &["email_not_null"]),
            "email_not_null2"
        );
        assert_eq!(super::not_null_check_name(&"x".repeat(70), &[]).len(), 63);
    }

    #[test]
    fn volatile_defaults() {
        assert!(super::volatile("gen_random_uuid()"));
        assert!(super::volatile("nextval('s'::regclass)"));
        assert!(!super::volatile("now()"));
        assert!(!super::volatile("'x'::text"));
    }
}
