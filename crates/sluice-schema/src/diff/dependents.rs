//! Objects that must be rebuilt because something they depend on is: views
//! over a changed table, and foreign keys on a key that is dropped.
//!
//! PostgreSQL binds a view to the columns it reads: `ALTER COLUMN ... TYPE`
//! and `DROP COLUMN` fail while a view uses the column, and so does
//! dropping a view that other views read. So when a table loses a column
//! or changes a column's type, every view and materialized view that reads
//! it, and every view reading those, is dropped before and created again
//! after (with the triggers on them), even if its own definition did not
//! change. Engines that do not bind views answer
//! [`DialectRules::views_bind_columns`] with `false` and keep the plan
//! minimal.
//!
//! Dependencies are found as the renderer finds them, by the names a
//! definition mentions; the walk over dependents uses an explicit queue.

use std::collections::{HashSet, VecDeque};

use super::change::{Change, ColumnChange, CommentTarget};
use super::rules::DialectRules;
use crate::model::{Catalog, ForeignKey, Table};
use crate::render::order::{identifiers, references};

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    View,
    MatView,
}

/// Adds drop-and-create Changes for the views under changed tables.
pub(crate) fn rebuild_bound_views(
    rules: &dyn DialectRules,
    from: &Catalog,
    to: &Catalog,
    out: &mut Vec<Change>,
) {
    if !rules.views_bind_columns() {
        return;
    }
    let changed: HashSet<(String, String)> = out
        .iter()
        .filter_map(|c| match c {
            Change::DropColumn { schema, table, .. } => {
                Some((schema.clone(), table.to_lowercase()))
            }
            Change::AlterColumn {
                schema,
                table,
                changes,
                ..
            } if changes.iter().any(|c| {
                matches!(
                    c,
                    ColumnChange::Type { .. } | ColumnChange::Collation { .. }
                )
            }) =>
            {
                Some((schema.clone(), table.to_lowercase()))
            }
            _ => None,
        })
        .collect();
    if changed.is_empty() {
        return;
    }

    // The views of `from`, with the tables and other views they read.
    let mut nodes: Vec<(Kind, &str, &str, &str)> = Vec::new();
    for s in &from.schemas {
        for v in &s.views {
            nodes.push((Kind::View, &s.name, &v.name, &v.definition));
        }
        for v in &s.materialized_views {
            nodes.push((Kind::MatView, &s.name, &v.name, &v.definition));
        }
    }
    if nodes.is_empty() {
        return;
    }
    let names: Vec<&str> = nodes.iter().map(|n| n.2).collect();
    let reads = references(&names, nodes.iter().map(|n| n.3));
    let mut readers: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, deps) in reads.iter().enumerate() {
        for &d in deps {
            if d != i {
                readers[d].push(i);
            }
        }
    }
    let changed_names: HashSet<&str> = changed.iter().map(|(_, t)| t.as_str()).collect();
    let mut queue: VecDeque<usize> = (0..nodes.len())
        .filter(|&i| {
            identifiers(nodes[i].3)
                .iter()
                .any(|id| changed_names.contains(id.to_lowercase().as_str()))
        })
        .collect();
    let mut affected = vec![false; nodes.len()];
    for &i in &queue {
        affected[i] = true;
    }
    while let Some(i) = queue.pop_front() {
        for &r in &readers[i] {
            if !affected[r] {
                affected[r] = true;
                queue.push_back(r);
            }
        }
    }

    for (i, &(kind, schema, name, _)) in nodes.iter().enumerate() {
        if affected[i] {
            rebuild(kind, schema, name, from, to, out);
        }
    }
}

/// Turns whatever the diff said about one view into drop and create.
fn rebuild(
    kind: Kind,
    schema: &str,
    name: &str,
    from: &Catalog,
    to: &Catalog,
    out: &mut Vec<Change>,
) {
    let (Some(a), Some(b)) = (from.schema(schema), to.schema(schema)) else {
        return;
    };
    let already_dropped = out.iter().any(|c| match c {
        Change::DropView { schema: s, view } => {
            kind == Kind::View && s == schema && view.name == name
        }
        Change::DropMaterializedView { schema: s, view } => {
            kind == Kind::MatView && s == schema && view.name == name
        }
        _ => false,
    });
    if already_dropped {
        return;
    }
    match kind {
        Kind::View => {
            let (Some(old), Some(new)) = (a.view(name), b.view(name)) else {
                return;
            };
            out.retain(|c| match c {
                Change::ReplaceView { schema: s, to, .. } => !(s == schema && to.name == name),
                Change::SetComment {
                    target: CommentTarget::View { schema: s, name: n },
                    ..
                } => !(s == schema && n == name),
                _ => true,
            });
            out.push(Change::DropView {
                schema: schema.into(),
                view: old.clone(),
            });
            out.push(Change::CreateView {
                schema: schema.into(),
                view: new.clone(),
            });
        }
        Kind::MatView => {
            let find = |c: &'_ Catalog| {
                c.schema(schema)
                    .and_then(|s| s.materialized_views.iter().find(|v| v.name == name))
                    .cloned()
            };
            let (Some(old), Some(new)) = (find(from), find(to)) else {
                return;
            };
            // Its indexes and comment come with the new definition.
            out.retain(|c| match c {
                Change::CreateIndex {
                    schema: s, table, ..
                }
                | Change::DropIndex {
                    schema: s, table, ..
                } => !(s == schema && table == name),
                Change::SetComment {
                    target: CommentTarget::MaterializedView { schema: s, name: n },
                    ..
                }
                | Change::SetComment {
                    target:
                        CommentTarget::Index {
                            schema: s,
                            table: n,
                            ..
                        },
                    ..
                } => !(s == schema && n == name),
                _ => true,
            });
            out.push(Change::DropMaterializedView {
                schema: schema.into(),
                view: old,
            });
            out.push(Change::CreateMaterializedView {
                schema: schema.into(),
                view: new,
            });
        }
    }
    // Triggers on the view go with it and come back with it.
    for t in a.triggers_on(name) {
        let dropped = out.iter().any(|c| {
            matches!(c, Change::DropTrigger { schema: s, trigger }
                if s == schema && trigger.table == t.table && trigger.name == t.name)
        });
        if !dropped {
            out.push(Change::DropTrigger {
                schema: schema.into(),
                trigger: t.clone(),
            });
        }
    }
    for t in b.triggers_on(name) {
        let created = out.iter().any(|c| {
            matches!(c, Change::CreateTrigger { schema: s, trigger }
                if s == schema && trigger.table == t.table && trigger.name == t.name)
        });
        if !created {
            out.push(Change::CreateTrigger {
                schema: schema.into(),
                trigger: t.clone(),
            });
        }
    }
}

/// A foreign key needs the referenced table's primary key or a unique
/// constraint or index on exactly its columns; dropping that key fails
/// while the foreign key exists. So a kept foreign key on a key that is
/// dropped (to be changed or removed) is dropped first and added again
/// after the new key exists.
pub(crate) fn rebuild_foreign_keys_on_dropped_keys(
    from: &Catalog,
    to: &Catalog,
    out: &mut Vec<Change>,
) {
    let mut dropped: Vec<(&str, &str, Vec<String>)> = Vec::new();
    for c in out.iter() {
        match c {
            Change::DropPrimaryKey {
                schema,
                table,
                primary_key,
            } => dropped.push((schema, table, sorted(&primary_key.columns))),
            Change::DropUnique {
                schema,
                table,
                unique,
            } => dropped.push((schema, table, sorted(&unique.columns))),
            Change::DropIndex {
                schema,
                table,
                index,
            } if index.unique && index.predicate.is_none() => {
                let columns: Option<Vec<String>> = index
                    .parts
                    .iter()
                    .map(|p| match &p.key {
                        crate::model::IndexKey::Column(c) => Some(c.clone()),
                        crate::model::IndexKey::Expression(_) => None,
                    })
                    .collect();
                if let Some(columns) = columns {
                    dropped.push((schema, table, sorted(&columns)));
                }
            }
            _ => {}
        }
    }
    if dropped.is_empty() {
        return;
    }
    let dropped: HashSet<(String, String, Vec<String>)> = dropped
        .into_iter()
        .map(|(s, t, c)| (s.to_string(), t.to_string(), c))
        .collect();
    let is_fk = |c: &Change, drop: bool, schema: &str, table: &str, fk: &ForeignKey| match c {
        Change::DropForeignKey {
            schema: s,
            table: t,
            foreign_key,
        } if drop => s == schema && t == table && same_identity(foreign_key, fk),
        Change::AddForeignKey {
            schema: s,
            table: t,
            foreign_key,
        } if !drop => s == schema && t == table && same_identity(foreign_key, fk),
        _ => false,
    };
    let mut extra = Vec::new();
    for s in &from.schemas {
        for t in &s.tables {
            for fk in &t.foreign_keys {
                let key = (
                    fk.referenced_schema.clone(),
                    fk.referenced_table.clone(),
                    sorted(&fk.referenced_columns),
                );
                if !dropped.contains(&key)
                    || out.iter().any(|c| is_fk(c, true, &s.name, &t.name, fk))
                {
                    continue;
                }
                extra.push(Change::DropForeignKey {
                    schema: s.name.clone(),
                    table: t.name.clone(),
                    foreign_key: fk.clone(),
                });
                let kept = to
                    .schema(&s.name)
                    .and_then(|s| s.table(&t.name))
                    .and_then(|t: &Table| t.foreign_keys.iter().find(|f| same_identity(f, fk)));
                if let Some(new) = kept
                    && !out.iter().any(|c| is_fk(c, false, &s.name, &t.name, new))
                {
                    extra.push(Change::AddForeignKey {
                        schema: s.name.clone(),
                        table: t.name.clone(),
                        foreign_key: new.clone(),
                    });
                }
            }
        }
    }
    out.extend(extra);
}

fn sorted(columns: &[String]) -> Vec<String> {
    let mut c = columns.to_vec();
    c.sort();
    c
}

/// The diff's identity of a foreign key: its name, or its columns if it
/// has none.
fn same_identity(a: &ForeignKey, b: &ForeignKey) -> bool {
    a.name == b.name && (a.name.is_some() || a.columns == b.columns)
}
