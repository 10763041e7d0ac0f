//! Enum types. PostgreSQL adds labels in place but cannot remove or
//! reorder them: such a type is dropped and created, and when columns use
//! it, it is renamed aside instead, the new type created, the columns
//! converted through `text`, and the old type dropped.

use sluice_schema::{Change, Column, Dialect, EnumPosition, EnumType, Schema, render};

use super::env::Env;
use super::locks::{Mode, takes};
use super::{comments_of, ident, literal, object, plain, qualified};
use crate::{Hazard, Step};

const PG: Dialect = Dialect::Postgres;

pub(super) fn create(env: &Env, i: usize, schema: &str, e: &EnumType) -> Vec<Step> {
    let mut out = plain(i, render::create_enum(PG, schema, e));
    out.extend(comments_of(
        i,
        Schema {
            enums: vec![e.clone()],
            ..Schema::new(schema)
        },
    ));
    let users = users(env, schema, &e.name);
    if rebuilt(env, schema, &e.name) && !users.is_empty() {
        for (table_schema, table, from, to) in users {
            out.extend(convert(i, &table_schema, &table, from, to));
        }
        out.push(Step::new(
            format!("DROP TYPE {}", qualified(schema, &aside(&e.name))),
            i,
        ));
    }
    out
}

pub(super) fn drop(env: &Env, i: usize, schema: &str, e: &EnumType) -> Vec<Step> {
    if rebuilt(env, schema, &e.name) && !users(env, schema, &e.name).is_empty() {
        let sql = format!(
            "ALTER TYPE {} RENAME TO {}",
            qualified(schema, &e.name),
            ident(&aside(&e.name))
        );
        return vec![Step::new(sql, i).note(
            "renamed aside: the columns that use it move to the new type, then it is dropped",
        )];
    }
    vec![Step::new(
        format!("DROP TYPE {}", qualified(schema, &e.name)),
        i,
    )]
}

pub(super) fn add_value(
    env: &Env,
    i: usize,
    schema: &str,
    name: &str,
    value: &str,
    position: &EnumPosition,
) -> Vec<Step> {
    let place = match position {
        EnumPosition::End => String::new(),
        EnumPosition::Before(l) => format!(" BEFORE {}", literal(l)),
        EnumPosition::After(l) => format!(" AFTER {}", literal(l)),
    };
    let sql = format!(
        "ALTER TYPE {} ADD VALUE {}{place}",
        qualified(schema, name),
        literal(value)
    );
    let mut step = Step::new(sql, i)
        .hazard(Hazard::Irreversible)
        .note("PostgreSQL cannot remove an enum label; the new label is usable once the transaction that adds it commits");
    if used_later(env, i, value) {
        step = step.note(
            "a later statement uses the new label: run the plan statement by statement (psql), \
             as one transaction refuses it",
        );
    }
    vec![step]
}

/// Whether a later Change spells `label` as a literal (a default, a
/// check, a view): searched in the Changes as data, whatever their kind.
fn used_later(env: &Env, i: usize, label: &str) -> bool {
    let needle = literal(label);
    env.later(i)
        .iter()
        .any(|c| serde_json::to_string(c).is_ok_and(|json| json.contains(&needle)))
}

/// The tables whose columns move to a rebuilt type, with the index of the
/// `CreateEnum` Change that moves them: views reading them must be out of
/// the way (see [`super::view_rebuilds`]).
pub(super) fn converted_tables(env: &Env) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for (i, c) in env.changes.iter().enumerate() {
        if let Change::CreateEnum { schema, enum_type } = c
            && rebuilt(env, schema, &enum_type.name)
        {
            for (s, t, _, _) in users(env, schema, &enum_type.name) {
                out.push((i, s, t));
            }
        }
    }
    out
}

/// The type is dropped and created again by this plan.
fn rebuilt(env: &Env, schema: &str, name: &str) -> bool {
    let dropped = env.changes.iter().any(|c| {
        matches!(c, Change::DropEnum { schema: s, enum_type } if s == schema && enum_type.name == name)
    });
    let created = env.changes.iter().any(|c| {
        matches!(c, Change::CreateEnum { schema: s, enum_type } if s == schema && enum_type.name == name)
    });
    dropped && created
}

/// Columns of type `schema.name` (or arrays of it) before the plan that
/// keep that type after it: (schema, table, before, after).
fn users(env: &Env, schema: &str, name: &str) -> Vec<(String, String, Column, Column)> {
    let mut out = Vec::new();
    for s in &env.from.schemas {
        for t in &s.tables {
            for c in t
                .columns
                .iter()
                .filter(|c| names(&c.data_type, schema, name))
            {
                if let Some(after) = env
                    .table_after(&s.name, &t.name)
                    .and_then(|t| t.column(&c.name))
                    .filter(|a| names(&a.data_type, schema, name))
                {
                    out.push((s.name.clone(), t.name.clone(), c.clone(), after.clone()));
                }
            }
        }
    }
    out
}

/// Whether a column type is the enum `schema.name` or an array of it
/// (`mood`, `public.mood`, `"Mood"[]`).
fn names(data_type: &str, schema: &str, name: &str) -> bool {
    let mut t = data_type.trim();
    while let Some(rest) = t.strip_suffix("[]") {
        t = rest.trim_end();
    }
    let unquote = |x: &str| x.trim().trim_matches('"').replace("\"\"", "\"");
    match t.rsplit_once('.') {
        Some((s, n)) => unquote(s) == schema && unquote(n) == name,
        None => unquote(t) == name,
    }
}

/// A column moved to the new type through its text, its default set again
/// (the old one names the old type).
fn convert(i: usize, schema: &str, table: &str, from: Column, to: Column) -> Vec<Step> {
    let col = ident(&to.name);
    let alter = |action: String| {
        takes(
            Step::new(
                format!(
                    "ALTER TABLE {} ALTER COLUMN {col} {action}",
                    qualified(schema, table)
                ),
                i,
            ),
            Mode::AccessExclusive,
            &object(schema, table),
        )
    };
    let text = if to.data_type.trim_end().ends_with("[]") {
        "text[]"
    } else {
        "text"
    };
    let mut out = Vec::new();
    if from.default.is_some() {
        out.push(alter("DROP DEFAULT".into()));
    }
    out.push(
        alter(format!(
            "TYPE {ty} USING {col}::{text}::{ty}",
            ty = to.data_type
        ))
        .hazard(Hazard::TypeConversion)
        .hazard(Hazard::TableRewrite)
        .hazard(Hazard::LongLock)
        .note("fails if a row holds a label the new type lacks"),
    );
    if let Some(d) = &to.default {
        out.push(alter(format!("SET DEFAULT {d}")));
    }
    out
}

/// The old type's name while its columns move, within 63 bytes.
fn aside(name: &str) -> String {
    let suffix = "_sluice_old";
    let mut head = name.to_string();
    while head.len() + suffix.len() > 63 {
        head.pop();
    }
    format!("{head}{suffix}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn enum_type_names() {
        assert!(super::names("mood", "public", "mood"));
        assert!(super::names("public.mood[]", "public", "mood"));
        assert!(super::names("\"Mood\"", "x", "Mood"));
        assert!(!super::names("other.mood", "public", "mood"));
    }
}
