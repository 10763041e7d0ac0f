//! The order Changes are applied in.
//!
//! Declared renames come first: the rest of the diff names renamed tables
//! and columns by their new names (it compares the renamed `from` with
//! `to`), drops included.
//!
//! Drops come next, in reverse dependency order: triggers, then views,
//! materialized views and functions (dependents before what they read, in
//! the reverse of their order in the `from` catalog), foreign keys,
//! indexes and constraints, primary keys, partitions, columns, tables,
//! sequences, types, schemas, extensions. One exception: a sequence, enum
//! type or function dropped for good from a schema that stays, and that a
//! kept column may still use (its default's `nextval`, its type, a
//! function in its default), is dropped right after the column
//! alterations; one dropped to be created again keeps its early place,
//! before its new version.
//!
//! Then creates and alterations in dependency order: schemas (before
//! extensions, which may be installed into a new schema), extensions,
//! types, sequences, functions used by table expressions, tables, table
//! options, columns, partitioning (whose key may name a new column), keys
//! and checks, indexes, foreign keys (after every table exists, so cycles
//! work), views, materialized views and functions in their real dependency
//! order in the `to` catalog, indexes of materialized views, triggers,
//! comments.
//!
//! Within a step the diff's canonical order is kept (a stable sort), so the
//! output is deterministic. Dependencies between views and functions come
//! from [`crate::render::order`]: names found in definitions, sorted by
//! Kahn's algorithm without recursion, so 2,000-deep chains cost no stack.

use std::collections::{HashMap, HashSet};

use super::change::Change;
use crate::model::{Catalog, IndexKey};
use crate::render::order::{identifiers, references, topological_order};

/// Identity of a view, materialized view or function.
type ProgKey = (u8, String, String, String);

fn view_key(schema: &str, name: &str) -> ProgKey {
    (0, schema.into(), name.into(), String::new())
}

fn matview_key(schema: &str, name: &str) -> ProgKey {
    (1, schema.into(), name.into(), String::new())
}

fn function_key(schema: &str, name: &str, signature: &str) -> ProgKey {
    (2, schema.into(), name.into(), signature.into())
}

/// The position of every view, materialized view and function of a
/// catalog in dependency order.
fn programmable_ranks(catalog: &Catalog) -> HashMap<ProgKey, usize> {
    let mut keys = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    for s in &catalog.schemas {
        for v in &s.views {
            keys.push(view_key(&s.name, &v.name));
            names.push(&v.name);
            texts.push(&v.definition);
        }
        for v in &s.materialized_views {
            keys.push(matview_key(&s.name, &v.name));
            names.push(&v.name);
            texts.push(&v.definition);
        }
        for f in &s.functions {
            keys.push(function_key(&s.name, &f.name, &f.signature));
            names.push(&f.name);
            texts.push(f.definition.as_deref().unwrap_or(&f.body));
        }
    }
    if keys.is_empty() {
        return HashMap::new();
    }
    let deps = references(&names, texts.iter().copied());
    topological_order(&deps)
        .into_iter()
        .enumerate()
        .map(|(rank, node)| (keys[node].clone(), rank))
        .collect()
}

/// Lowercased names mentioned by table expressions (defaults, generated
/// columns, checks, index expressions and predicates): functions with
/// these names must exist before the tables.
fn names_in_table_expressions(catalog: &Catalog) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut add = |text: &str| {
        out.extend(identifiers(text).into_iter().map(|i| i.to_lowercase()));
    };
    for s in &catalog.schemas {
        for t in &s.tables {
            for c in &t.columns {
                c.default.as_deref().map(&mut add);
                if let Some(g) = &c.generated {
                    add(&g.expression);
                }
            }
            for c in &t.checks {
                add(&c.expression);
            }
            for i in &t.indexes {
                i.predicate.as_deref().map(&mut add);
                for p in &i.parts {
                    if let IndexKey::Expression(e) = &p.key {
                        add(e);
                    }
                }
            }
        }
    }
    out
}

/// Sorts Changes into an order that applies (see the module docs).
pub fn order(changes: Vec<Change>, from: &Catalog, to: &Catalog) -> Vec<Change> {
    use Change::*;
    let has_prog = |c: &Change| {
        matches!(
            c,
            CreateView { .. }
                | DropView { .. }
                | ReplaceView { .. }
                | CreateMaterializedView { .. }
                | DropMaterializedView { .. }
                | CreateFunction { .. }
                | DropFunction { .. }
                | ReplaceFunction { .. }
        )
    };
    let any_prog = changes.iter().any(has_prog);
    let (from_ranks, to_ranks) = if any_prog {
        (programmable_ranks(from), programmable_ranks(to))
    } else {
        Default::default()
    };
    let early: HashSet<String> = if changes
        .iter()
        .any(|c| matches!(c, CreateFunction { .. } | ReplaceFunction { .. }))
    {
        names_in_table_expressions(to)
    } else {
        HashSet::new()
    };
    let matviews: HashSet<(&str, &str)> = to
        .schemas
        .iter()
        .flat_map(|s| {
            s.materialized_views
                .iter()
                .map(move |v| (s.name.as_str(), v.name.as_str()))
        })
        .collect();
    // A sequence or enum type that is dropped for good, in a schema that
    // stays, goes after the column alterations: a column may still use it
    // (a default's `nextval`, the column's type) until altered.
    let dropped_schemas: HashSet<String> = changes
        .iter()
        .filter_map(|c| match c {
            DropSchema { schema } => Some(schema.clone()),
            _ => None,
        })
        .collect();
    let lives_on = |schema: &str, name: &str, enum_type: bool| {
        to.schema(schema).is_some_and(|s| {
            if enum_type {
                s.enums.iter().any(|e| e.name == name)
            } else {
                s.sequences.iter().any(|q| q.name == name)
            }
        })
    };
    let late_drop = |schema: &str, name: &str, enum_type: bool| {
        !dropped_schemas.contains(schema) && !lives_on(schema, name, enum_type)
    };
    // Likewise a function dropped for good that a kept table's default or
    // generated column names: it goes once the column no longer uses it.
    let used_by_tables: HashSet<String> =
        if changes.iter().any(|c| matches!(c, DropFunction { .. })) {
            names_in_table_expressions(from)
        } else {
            HashSet::new()
        };
    let late_function_drop = |schema: &str, f: &crate::model::Function| {
        used_by_tables.contains(&f.name.to_lowercase())
            && !dropped_schemas.contains(schema)
            && !to.schema(schema).is_some_and(|s| {
                s.functions
                    .iter()
                    .any(|g| g.name == f.name && g.signature == f.signature && g.kind == f.kind)
            })
    };
    let late = usize::MAX;
    let rank_from = |k: ProgKey| late - from_ranks.get(&k).copied().unwrap_or(0);
    let rank_to = |k: ProgKey| to_ranks.get(&k).copied().unwrap_or(late);

    let key = |c: &Change| -> (u8, usize) {
        match c {
            RenameTable { .. } => (0, 0),
            RenameColumn { .. } => (0, 1),
            DropTrigger { .. } => (0, 2),
            DropView { schema, view } => (1, rank_from(view_key(schema, &view.name))),
            DropMaterializedView { schema, view } => {
                (1, rank_from(matview_key(schema, &view.name)))
            }
            DropFunction { schema, function } if late_function_drop(schema, function) => {
                (29, late - 2)
            }
            DropFunction { schema, function } => (
                1,
                rank_from(function_key(schema, &function.name, &function.signature)),
            ),
            DropForeignKey { .. } => (2, 0),
            DropIndex { .. } | DropUnique { .. } | DropCheck { .. } => (3, 0),
            DropPrimaryKey { .. } => (4, 0),
            DropPartition { .. } => (5, 0),
            DropColumn { .. } => (6, 0),
            DropTable { .. } => (7, 0),
            DropSequence { schema, sequence } if late_drop(schema, &sequence.name, false) => {
                (29, late - 1)
            }
            DropEnum { schema, enum_type } if late_drop(schema, &enum_type.name, true) => {
                (29, late)
            }
            DropSequence { .. } => (8, 0),
            DropEnum { .. } => (9, 0),
            DropSchema { .. } => (10, 0),
            DropExtension { .. } => (11, 0),
            CreateSchema { .. } => (20, 0),
            CreateExtension { .. } | AlterExtension { .. } => (21, 0),
            CreateEnum { .. } | AddEnumValue { .. } => (22, 0),
            CreateSequence { .. } | AlterSequence { .. } => (23, 0),
            CreateFunction { schema, function }
                if early.contains(&function.name.to_lowercase()) =>
            {
                (
                    24,
                    rank_to(function_key(schema, &function.name, &function.signature)),
                )
            }
            ReplaceFunction { schema, to: f, .. } if early.contains(&f.name.to_lowercase()) => {
                (24, rank_to(function_key(schema, &f.name, &f.signature)))
            }
            CreateTable { .. } => (26, 0),
            AlterTableOptions { .. } => (27, 0),
            AddColumn { .. } | AlterColumn { .. } => (29, 0),
            AlterPartitioning { .. } | AddPartition { .. } => (29, 1),
            AddPrimaryKey { .. } | AddUnique { .. } | AddCheck { .. } => (30, 0),
            CreateIndex { schema, table, .. }
                if matviews.contains(&(schema.as_str(), table.as_str())) =>
            {
                (34, 0)
            }
            CreateIndex { .. } => (31, 0),
            AddForeignKey { .. } => (32, 0),
            CreateView { schema, view } => (33, rank_to(view_key(schema, &view.name))),
            ReplaceView { schema, to: v, .. } => (33, rank_to(view_key(schema, &v.name))),
            CreateMaterializedView { schema, view } => {
                (33, rank_to(matview_key(schema, &view.name)))
            }
            CreateFunction { schema, function } => (
                33,
                rank_to(function_key(schema, &function.name, &function.signature)),
            ),
            ReplaceFunction { schema, to: f, .. } => {
                (33, rank_to(function_key(schema, &f.name, &f.signature)))
            }
            CreateTrigger { .. } => (35, 0),
            SetComment { .. } => (36, 0),
        }
    };
    let mut keyed: Vec<((u8, usize), Change)> = changes.into_iter().map(|c| (key(&c), c)).collect();
    keyed.sort_by_key(|(k, _)| *k);
    keyed.into_iter().map(|(_, c)| c).collect()
}
