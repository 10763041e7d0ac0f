//! Views that must be rebuilt because a table under them changes.
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
use crate::model::Catalog;
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
