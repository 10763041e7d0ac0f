//! Views that must be dropped and created rather than replaced, and the
//! views that read them.
//!
//! `CREATE OR REPLACE VIEW` cannot change or remove a view's columns, so
//! such a view is dropped and created; likewise a function whose result
//! type or parameters change. PostgreSQL refuses to drop a view or
//! function that views read, or anything a view still reads, or to change
//! the type of a column a view reads (an enum type rebuilt), so:
//!
//! - the rebuilt views, and every view or materialized view that reads
//!   them, a rebuilt function or a table whose columns move to a rebuilt
//!   enum type (directly or not), are dropped together before the plan
//!   drops anything else, readers first;
//! - a rebuilt view is created at its own Change, once what it reads
//!   exists;
//! - readers the plan does not change otherwise are created again, with
//!   their triggers and comments, after the plan's views and functions.
//!
//! Dependencies are found as the diff finds them, by the names a
//! definition mentions; the walk uses an explicit queue.

use std::collections::{HashSet, VecDeque};

use sluice_schema::render::order::{references, topological_order};
use sluice_schema::{Catalog, Change, Schema};

use super::env::Env;
use super::views::only_appends_columns;
use super::{enums, objects};
use crate::Step;

/// Why a view is among the early drops.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Its own `ReplaceView`, planned as drop and create.
    Rebuilt,
    /// Its own `DropView`, moved here.
    Dropped,
    /// It reads a rebuilt view and comes back after it.
    Reader,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    View,
    MatView,
}

/// A view or materialized view of one catalog.
#[derive(Clone, PartialEq, Eq)]
struct Node {
    kind: Kind,
    schema: String,
    name: String,
}

/// What the planner does differently because of rebuilt views.
#[derive(Default)]
pub(super) struct ViewRebuilds {
    /// `ReplaceView` Changes planned as drop and create.
    pub replaced: HashSet<usize>,
    /// `DropView` and `DropMaterializedView` Changes whose statement moved
    /// into the early drops.
    pub moved: HashSet<usize>,
    /// The Change before which the early drops run, and what they are: a
    /// Change index and the object to drop, readers first.
    pub drop_at: usize,
    drops: Vec<(usize, Node, Role)>,
    /// The Change before which the readers come back.
    pub recreate_at: usize,
    recreates: Vec<(usize, Node)>,
}

impl ViewRebuilds {
    pub fn find(env: &Env) -> ViewRebuilds {
        let changes = env.changes;
        let mut replaced: HashSet<usize> = changes
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                matches!(c, Change::ReplaceView { from, to, .. } if !only_appends_columns(from, to))
            })
            .map(|(i, _)| i)
            .collect();
        let functions: Vec<usize> = changes
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                matches!(c, Change::ReplaceFunction { from, to, .. } if !objects::replaceable(from, to))
            })
            .map(|(i, _)| i)
            .collect();
        let tables = enums::converted_tables(env);
        if replaced.is_empty() && functions.is_empty() && tables.is_empty() {
            return ViewRebuilds::default();
        }
        let nodes = nodes(env.from);
        let readers = readers_of(env.from, &nodes);
        let mentioned: Vec<&str> = functions
            .iter()
            .filter_map(|&i| match &changes[i] {
                Change::ReplaceFunction { to, .. } => Some(to.name.as_str()),
                _ => None,
            })
            .chain(tables.iter().map(|(_, _, t)| t.as_str()))
            .collect();
        let mention_readers = mentioning(env.from, &nodes, &mentioned);
        // The Changes, besides the replaced views, that the readers wait for.
        let awaited: Vec<usize> = functions
            .into_iter()
            .chain(tables.iter().map(|(i, _, _)| *i))
            .collect();
        // A reader with its own `CREATE OR REPLACE` is rebuilt as well
        // (it is gone by then); repeat until nothing new joins.
        let affected = loop {
            let affected = reached(&nodes, &readers, &replaced, &mention_readers, changes);
            let more: Vec<usize> = changes
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    !replaced.contains(i)
                        && matches!(c, Change::ReplaceView { schema, to, .. }
                            if affected.iter().any(|&n| is(&nodes[n], Kind::View, schema, &to.name)))
                })
                .map(|(i, _)| i)
                .collect();
            if more.is_empty() {
                break affected;
            }
            replaced.extend(more);
        };
        let rebuilt = || replaced.iter().chain(&awaited).copied();
        let first = rebuilt().min().unwrap_or(0);
        let last = rebuilt().max().unwrap_or(0);

        let mut moved = HashSet::new();
        let mut drops = Vec::new();
        let mut recreates = Vec::new();
        // Readers first: the reverse of the dependency order.
        for &n in topological_order(&dependencies(&nodes, &readers))
            .iter()
            .rev()
        {
            if !affected.contains(&n) {
                continue;
            }
            let node = &nodes[n];
            match own_change(changes, node) {
                Some((i, Change::ReplaceView { .. })) => {
                    drops.push((i, node.clone(), Role::Rebuilt))
                }
                Some((i, Change::DropView { .. } | Change::DropMaterializedView { .. })) => {
                    moved.insert(i);
                    drops.push((i, node.clone(), Role::Dropped));
                }
                Some(_) => {}
                None => {
                    drops.push((first, node.clone(), Role::Reader));
                    recreates.push((first, node.clone()));
                }
            }
        }
        recreates.reverse();
        let drop_at = changes
            .iter()
            .position(|c| {
                !matches!(
                    c,
                    Change::RenameTable { .. }
                        | Change::RenameColumn { .. }
                        | Change::DropTrigger { .. }
                )
            })
            .unwrap_or(0);
        let recreate_at = (last + 1..changes.len())
            .find(|&k| after_programmables(env.to, &changes[k]))
            .unwrap_or(changes.len());
        ViewRebuilds {
            replaced,
            moved,
            drop_at,
            drops,
            recreate_at,
            recreates,
        }
    }

    /// The early drops: a moved Change's own statements, else a plain drop.
    pub fn drops(&self, own: impl Fn(usize) -> Vec<Step>) -> Vec<Step> {
        let mut out = Vec::new();
        for (i, node, role) in &self.drops {
            if *role == Role::Dropped {
                out.extend(own(*i));
                continue;
            }
            let what = match node.kind {
                Kind::View => "VIEW",
                Kind::MatView => "MATERIALIZED VIEW",
            };
            let mut step = Step::new(
                format!("DROP {what} {}", super::qualified(&node.schema, &node.name)),
                *i,
            );
            step = step.note(match role {
                Role::Reader => {
                    "reads a view, function or column that changes under it: created again after"
                }
                _ => "dropped and created: CREATE OR REPLACE VIEW cannot change or remove existing columns",
            });
            out.push(step);
        }
        out
    }

    /// The readers created again, with their triggers and comments, and the
    /// triggers of the rebuilt views themselves.
    pub fn recreates(&self, env: &Env) -> Vec<Step> {
        let mut out = Vec::new();
        for (i, node) in &self.recreates {
            let Some(schema) = env.to.schema(&node.schema) else {
                continue;
            };
            out.extend(recreate(*i, schema, node));
        }
        let created_later = |schema: &str, table: &str, name: &str| {
            env.changes.iter().any(|c| {
                matches!(c, Change::CreateTrigger { schema: s, trigger }
                    if s == schema && trigger.table == table && trigger.name == name)
            })
        };
        let mut rebuilt: Vec<(usize, &str, &str)> = Vec::new();
        for &i in &self.replaced {
            if let Some(Change::ReplaceView { schema, to, .. }) = env.changes.get(i) {
                rebuilt.push((i, schema, &to.name));
            }
        }
        rebuilt.extend(
            self.recreates
                .iter()
                .map(|(i, n)| (*i, n.schema.as_str(), n.name.as_str())),
        );
        rebuilt.sort();
        for (i, schema, name) in rebuilt {
            for t in env
                .to
                .schema(schema)
                .into_iter()
                .flat_map(|s| s.triggers_on(name))
                .filter(|t| !created_later(schema, &t.table, &t.name))
            {
                out.extend(objects::create_trigger(i, schema, t));
            }
        }
        out
    }
}

fn recreate(i: usize, schema: &Schema, node: &Node) -> Vec<Step> {
    match node.kind {
        Kind::View => schema
            .views
            .iter()
            .find(|v| v.name == node.name)
            .map(|v| objects::create_view(i, &schema.name, v))
            .unwrap_or_default(),
        Kind::MatView => schema
            .materialized_views
            .iter()
            .find(|v| v.name == node.name)
            .map(|v| objects::create_materialized_view(i, &schema.name, v))
            .unwrap_or_default(),
    }
}

fn is(node: &Node, kind: Kind, schema: &str, name: &str) -> bool {
    node.kind == kind && node.schema == schema && node.name == name
}

fn is_replaced_node(changes: &[Change], i: usize, node: &Node) -> bool {
    matches!(changes.get(i), Some(Change::ReplaceView { schema, to, .. })
        if is(node, Kind::View, schema, &to.name))
}

/// The Change of the plan about this view, if any.
fn own_change<'c>(changes: &'c [Change], node: &Node) -> Option<(usize, &'c Change)> {
    changes.iter().enumerate().find(|(_, c)| match c {
        Change::ReplaceView { schema, to, .. } => is(node, Kind::View, schema, &to.name),
        Change::DropView { schema, view } | Change::CreateView { schema, view } => {
            is(node, Kind::View, schema, &view.name)
        }
        Change::DropMaterializedView { schema, view }
        | Change::CreateMaterializedView { schema, view } => {
            is(node, Kind::MatView, schema, &view.name)
        }
        _ => false,
    })
}

/// Changes that run after views and functions are in place: a rebuilt
/// view's readers come back before them.
fn after_programmables(to: &Catalog, change: &Change) -> bool {
    match change {
        Change::CreateTrigger { .. } | Change::SetComment { .. } => true,
        Change::CreateIndex { schema, table, .. } => to
            .schema(schema)
            .is_some_and(|s| s.materialized_views.iter().any(|v| v.name == *table)),
        _ => false,
    }
}

fn nodes(catalog: &Catalog) -> Vec<Node> {
    let mut out = Vec::new();
    for s in &catalog.schemas {
        for v in &s.views {
            out.push(Node {
                kind: Kind::View,
                schema: s.name.clone(),
                name: v.name.clone(),
            });
        }
        for v in &s.materialized_views {
            out.push(Node {
                kind: Kind::MatView,
                schema: s.name.clone(),
                name: v.name.clone(),
            });
        }
    }
    out
}

/// The definitions of the views and materialized views, in [`nodes`] order.
fn definitions(catalog: &Catalog) -> Vec<&str> {
    catalog
        .schemas
        .iter()
        .flat_map(|s| {
            s.views
                .iter()
                .map(|v| v.definition.as_str())
                .chain(s.materialized_views.iter().map(|v| v.definition.as_str()))
        })
        .collect()
}

/// For each node, the nodes whose definitions mention it.
fn readers_of(catalog: &Catalog, nodes: &[Node]) -> Vec<Vec<usize>> {
    let definitions = definitions(catalog);
    let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    let mut readers = vec![Vec::new(); nodes.len()];
    for (reader, read) in references(&names, definitions).into_iter().enumerate() {
        for r in read {
            if r != reader {
                readers[r].push(reader);
            }
        }
    }
    readers
}

/// `deps[i]`: the nodes `i` reads (for the topological sort).
fn dependencies(nodes: &[Node], readers: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut deps = vec![Vec::new(); nodes.len()];
    for (read, rs) in readers.iter().enumerate() {
        for &r in rs {
            deps[r].push(read);
        }
    }
    deps
}

/// The views whose definitions mention one of `names` (of functions
/// dropped and created, of tables whose columns change type).
fn mentioning(catalog: &Catalog, nodes: &[Node], names: &[&str]) -> Vec<usize> {
    if names.is_empty() {
        return Vec::new();
    }
    references(names, definitions(catalog))
        .into_iter()
        .enumerate()
        .filter(|(_, found)| !found.is_empty())
        .map(|(k, _)| k)
        .filter(|&k| k < nodes.len())
        .collect()
}

/// The rebuilt views, the readers of rebuilt functions, and everything
/// that reads them.
fn reached(
    nodes: &[Node],
    readers: &[Vec<usize>],
    replaced: &HashSet<usize>,
    mention_readers: &[usize],
    changes: &[Change],
) -> HashSet<usize> {
    let mut queue: VecDeque<usize> = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| replaced.iter().any(|&i| is_replaced_node(changes, i, n)))
        .map(|(k, _)| k)
        .chain(mention_readers.iter().copied())
        .collect();
    let mut seen: HashSet<usize> = queue.iter().copied().collect();
    while let Some(n) = queue.pop_front() {
        for &r in &readers[n] {
            if seen.insert(r) {
                queue.push_back(r);
            }
        }
    }
    seen
}
