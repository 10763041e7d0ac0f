//! The diff of one table against its other version: columns, keys,
//! checks, foreign keys, indexes, options, partitions, comment.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::Hash;

use super::change::{Change, ColumnChange, CommentTarget};
use super::rules::DialectRules;
use crate::model::{
    Check, Column, ForeignKey, Index, IndexKey, Partitioning, Table, UniqueConstraint,
};

/// A created table: the table without its foreign keys, then each of them.
pub(crate) fn create_table(schema: &str, table: &Table, out: &mut Vec<Change>) {
    let mut bare = table.clone();
    let fks = std::mem::take(&mut bare.foreign_keys);
    out.push(Change::CreateTable {
        schema: schema.into(),
        table: bare,
    });
    for fk in fks {
        out.push(Change::AddForeignKey {
            schema: schema.into(),
            table: table.name.clone(),
            foreign_key: fk,
        });
    }
}

/// A dropped table: its foreign keys first (another dropped table may be
/// referenced, or reference it), then the table without them.
pub(crate) fn drop_table(schema: &str, table: &Table, out: &mut Vec<Change>) {
    let mut bare = table.clone();
    let fks = std::mem::take(&mut bare.foreign_keys);
    for fk in fks {
        out.push(Change::DropForeignKey {
            schema: schema.into(),
            table: table.name.clone(),
            foreign_key: fk,
        });
    }
    out.push(Change::DropTable {
        schema: schema.into(),
        table: bare,
    });
}

/// Pairs two lists by a key: (only in `a`, in both, only in `b`), each in
/// its list's order so the output stays deterministic. Hashing keeps a
/// 2,000-table schema linear.
pub(crate) fn pair<'a, T, K: Hash + Eq>(
    a: &'a [T],
    b: &'a [T],
    key: impl Fn(&T) -> K,
) -> (Vec<&'a T>, Vec<(&'a T, &'a T)>, Vec<&'a T>) {
    let mut by_key: HashMap<K, VecDeque<usize>> = HashMap::with_capacity(b.len());
    for (i, y) in b.iter().enumerate() {
        by_key.entry(key(y)).or_default().push_back(i);
    }
    let mut used = vec![false; b.len()];
    let mut only_a = Vec::new();
    let mut both = Vec::new();
    for x in a {
        match by_key.get_mut(&key(x)).and_then(|q| q.pop_front()) {
            Some(i) => {
                used[i] = true;
                both.push((x, &b[i]));
            }
            None => only_a.push(x),
        }
    }
    let only_b = b
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(y, _)| y)
        .collect();
    (only_a, both, only_b)
}

fn same_opt(a: &Option<String>, b: &Option<String>, eq: impl Fn(&str, &str) -> bool) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => eq(a, b),
        _ => false,
    }
}

fn ci(a: &Option<String>, b: &Option<String>) -> bool {
    same_opt(a, b, |a, b| a.eq_ignore_ascii_case(b))
}

/// A default of bare `NULL` is no default.
fn default_of(c: &Column) -> Option<String> {
    c.default
        .clone()
        .filter(|d| !d.trim().eq_ignore_ascii_case("null"))
}

pub(crate) fn column_changes(r: &dyn DialectRules, a: &Column, b: &Column) -> Vec<ColumnChange> {
    let mut out = Vec::new();
    if !r.same_type(&a.data_type, &b.data_type) {
        out.push(ColumnChange::Type {
            from: a.data_type.clone(),
            to: b.data_type.clone(),
            widening: !r.is_type_change(&a.data_type, &b.data_type),
        });
    }
    if a.nullable != b.nullable {
        out.push(ColumnChange::Nullability {
            from: a.nullable,
            to: b.nullable,
        });
    }
    let (da, db) = (default_of(a), default_of(b));
    if !same_opt(&da, &db, |x, y| r.same_default(x, y)) {
        out.push(ColumnChange::Default { from: da, to: db });
    }
    if a.identity != b.identity {
        out.push(ColumnChange::Identity {
            from: a.identity.clone(),
            to: b.identity.clone(),
        });
    }
    if a.auto_increment != b.auto_increment {
        out.push(ColumnChange::AutoIncrement {
            from: a.auto_increment,
            to: b.auto_increment,
        });
    }
    let same_generated = match (&a.generated, &b.generated) {
        (None, None) => true,
        (Some(x), Some(y)) => x.kind == y.kind && r.same_expression(&x.expression, &y.expression),
        _ => false,
    };
    if !same_generated {
        out.push(ColumnChange::Generated {
            from: a.generated.clone(),
            to: b.generated.clone(),
        });
    }
    if !ci(&a.charset, &b.charset) {
        out.push(ColumnChange::Charset {
            from: a.charset.clone(),
            to: b.charset.clone(),
        });
    }
    if !ci(&a.collation, &b.collation) {
        out.push(ColumnChange::Collation {
            from: a.collation.clone(),
            to: b.collation.clone(),
        });
    }
    if !same_opt(&a.on_update, &b.on_update, |x, y| r.same_default(x, y)) {
        out.push(ColumnChange::OnUpdate {
            from: a.on_update.clone(),
            to: b.on_update.clone(),
        });
    }
    if a.comment != b.comment {
        out.push(ColumnChange::Comment {
            from: a.comment.clone(),
            to: b.comment.clone(),
        });
    }
    out
}

/// The kept columns that changed places: those outside a longest run of
/// kept columns whose relative order is the same in both versions (a
/// longest increasing subsequence, found iteratively in O(n log n)), so a
/// column moved across many others counts as one move, not many.
fn moved_columns<'a>(both: &[(&'a Column, &'a Column)]) -> HashSet<&'a str> {
    // `both` is in `from` order; rank each pair by its place in `to`.
    // The `from` indexes of the kept columns, in `to` order.
    let mut seq: Vec<usize> = (0..both.len()).collect();
    seq.sort_by_key(|&i| both[i].1.position);
    let mut tails: Vec<usize> = Vec::new(); // positions in seq
    let mut prev: Vec<Option<usize>> = vec![None; seq.len()];
    for (k, &v) in seq.iter().enumerate() {
        let at = tails.partition_point(|&t| seq[t] < v);
        prev[k] = at.checked_sub(1).map(|p| tails[p]);
        if at == tails.len() {
            tails.push(k);
        } else {
            tails[at] = k;
        }
    }
    let mut keep = vec![false; seq.len()];
    let mut cur = tails.last().copied();
    while let Some(k) = cur {
        keep[k] = true;
        cur = prev[k];
    }
    seq.iter()
        .zip(keep)
        .filter(|(_, k)| !k)
        .map(|(&i, _)| both[i].1.name.as_str())
        .collect()
}

pub(crate) fn same_index(r: &dyn DialectRules, a: &Index, b: &Index) -> bool {
    a.unique == b.unique
        && a.method == b.method
        && a.include == b.include
        && a.nulls_not_distinct == b.nulls_not_distinct
        && same_opt(&a.predicate, &b.predicate, |x, y| r.same_expression(x, y))
        && a.parts.len() == b.parts.len()
        && a.parts.iter().zip(&b.parts).all(|(p, q)| {
            let key = match (&p.key, &q.key) {
                (IndexKey::Column(x), IndexKey::Column(y)) => x == y,
                (IndexKey::Expression(x), IndexKey::Expression(y)) => r.same_expression(x, y),
                _ => false,
            };
            key && p.order == q.order
                && p.nulls == q.nulls
                && p.prefix_length == q.prefix_length
                && ci(&p.collation, &q.collation)
                && p.opclass == q.opclass
        })
}

fn same_unique(a: &UniqueConstraint, b: &UniqueConstraint) -> bool {
    a.columns == b.columns
        && a.nulls_not_distinct == b.nulls_not_distinct
        && a.deferral == b.deferral
}

fn same_check(r: &dyn DialectRules, a: &Check, b: &Check) -> bool {
    r.same_expression(&a.expression, &b.expression)
        && a.no_inherit == b.no_inherit
        && a.enforced == b.enforced
}

fn same_fk(a: &ForeignKey, b: &ForeignKey) -> bool {
    let (mut a, mut b) = (a.clone(), b.clone());
    a.comment = None;
    b.comment = None;
    a == b
}

/// Diffs indexes by name (tables and materialized views share this).
pub(crate) fn diff_indexes(
    r: &dyn DialectRules,
    schema: &str,
    table: &str,
    from: &[Index],
    to: &[Index],
    out: &mut Vec<Change>,
) {
    let s = || schema.to_string();
    let t = || table.to_string();
    let (gone, both, new) = pair(from, to, |i| i.name.clone());
    for i in gone {
        out.push(Change::DropIndex {
            schema: s(),
            table: t(),
            index: i.clone(),
        });
    }
    for (a, b) in both {
        if !same_index(r, a, b) {
            out.push(Change::DropIndex {
                schema: s(),
                table: t(),
                index: a.clone(),
            });
            out.push(Change::CreateIndex {
                schema: s(),
                table: t(),
                index: b.clone(),
            });
        } else if a.comment != b.comment {
            out.push(Change::SetComment {
                target: CommentTarget::Index {
                    schema: s(),
                    table: t(),
                    name: a.name.clone(),
                },
                from: a.comment.clone(),
                to: b.comment.clone(),
            });
        }
    }
    for i in new {
        out.push(Change::CreateIndex {
            schema: s(),
            table: t(),
            index: i.clone(),
        });
    }
}

/// Diffs two versions of one table (renames already applied to `from`).
pub(crate) fn diff_table(
    r: &dyn DialectRules,
    schema: &str,
    from: &Table,
    to: &Table,
    out: &mut Vec<Change>,
) {
    let s = || schema.to_string();
    let t = || to.name.clone();
    let constraint_comment = |name: &Option<String>, a: &Option<String>, b: &Option<String>| {
        (a != b && name.is_some()).then(|| Change::SetComment {
            target: CommentTarget::Constraint {
                schema: schema.into(),
                table: to.name.clone(),
                name: name.clone().unwrap_or_default(),
            },
            from: a.clone(),
            to: b.clone(),
        })
    };

    // Columns.
    let (gone, both, new) = pair(&from.columns, &to.columns, |c| c.name.clone());
    for c in gone {
        out.push(Change::DropColumn {
            schema: s(),
            table: t(),
            column: c.clone(),
        });
    }
    for c in new {
        out.push(Change::AddColumn {
            schema: s(),
            table: t(),
            column: c.clone(),
        });
    }
    let moved = if r.column_order_matters() {
        moved_columns(&both)
    } else {
        HashSet::new()
    };
    for (a, b) in both {
        let mut changes = column_changes(r, a, b);
        if moved.contains(b.name.as_str()) {
            let at = to
                .columns
                .iter()
                .position(|c| c.name == b.name)
                .unwrap_or(0);
            changes.push(ColumnChange::Position {
                after: at.checked_sub(1).map(|i| to.columns[i].name.clone()),
            });
        }
        if !changes.is_empty() {
            out.push(Change::AlterColumn {
                schema: s(),
                table: t(),
                column: b.name.clone(),
                changes,
                from: a.clone(),
                to: b.clone(),
            });
        }
    }

    // Primary key: a different name or column list is a new key.
    match (&from.primary_key, &to.primary_key) {
        (Some(a), Some(b)) if a.name == b.name && a.columns == b.columns => {
            out.extend(constraint_comment(&b.name, &a.comment, &b.comment));
        }
        (a, b) => {
            if let Some(a) = a {
                out.push(Change::DropPrimaryKey {
                    schema: s(),
                    table: t(),
                    primary_key: a.clone(),
                });
            }
            if let Some(b) = b {
                out.push(Change::AddPrimaryKey {
                    schema: s(),
                    table: t(),
                    primary_key: b.clone(),
                });
            }
        }
    }

    // Unique constraints, by name (unnamed ones by their columns).
    let (gone, both, new) = pair(&from.uniques, &to.uniques, |u| {
        (u.name.clone(), u.name.is_none().then(|| u.columns.clone()))
    });
    let mut drops = Vec::new();
    let mut adds = Vec::new();
    drops.extend(gone.into_iter().cloned());
    adds.extend(new.into_iter().cloned());
    for (a, b) in both {
        if !same_unique(a, b) {
            drops.push(a.clone());
            adds.push(b.clone());
        } else {
            out.extend(constraint_comment(&b.name, &a.comment, &b.comment));
        }
    }
    for u in drops {
        out.push(Change::DropUnique {
            schema: s(),
            table: t(),
            unique: u,
        });
    }
    for u in adds {
        out.push(Change::AddUnique {
            schema: s(),
            table: t(),
            unique: u,
        });
    }

    // Checks, by name (unnamed ones by their expression).
    let rc = r;
    let (gone, both, new) = pair(&from.checks, &to.checks, |c| {
        (
            c.name.clone(),
            c.name
                .is_none()
                .then(|| super::rules::canonical(&c.expression)),
        )
    });
    let mut drops: Vec<Check> = gone.into_iter().cloned().collect();
    let mut adds: Vec<Check> = new.into_iter().cloned().collect();
    for (a, b) in both {
        if !same_check(rc, a, b) {
            drops.push(a.clone());
            adds.push(b.clone());
        } else {
            out.extend(constraint_comment(&b.name, &a.comment, &b.comment));
        }
    }
    for c in drops {
        out.push(Change::DropCheck {
            schema: s(),
            table: t(),
            check: c,
        });
    }
    for c in adds {
        out.push(Change::AddCheck {
            schema: s(),
            table: t(),
            check: c,
        });
    }

    // Foreign keys: a changed key is dropped and added again.
    let (gone, both, new) = pair(&from.foreign_keys, &to.foreign_keys, |f| {
        (f.name.clone(), f.name.is_none().then(|| f.columns.clone()))
    });
    let mut drops: Vec<ForeignKey> = gone.into_iter().cloned().collect();
    let mut adds: Vec<ForeignKey> = new.into_iter().cloned().collect();
    for (a, b) in both {
        if !same_fk(a, b) {
            drops.push(a.clone());
            adds.push(b.clone());
        } else {
            out.extend(constraint_comment(&b.name, &a.comment, &b.comment));
        }
    }
    for f in drops {
        out.push(Change::DropForeignKey {
            schema: s(),
            table: t(),
            foreign_key: f,
        });
    }
    for f in adds {
        out.push(Change::AddForeignKey {
            schema: s(),
            table: t(),
            foreign_key: f,
        });
    }

    diff_indexes(r, schema, &to.name, &from.indexes, &to.indexes, out);

    if !r.same_table_options(&from.options, &to.options) {
        out.push(Change::AlterTableOptions {
            schema: s(),
            table: t(),
            from: from.options.clone(),
            to: to.options.clone(),
        });
    }
    diff_partitioning(
        r,
        schema,
        &to.name,
        &from.partitioning,
        &to.partitioning,
        out,
    );
    if from.comment != to.comment {
        out.push(Change::SetComment {
            target: CommentTarget::Table {
                schema: s(),
                name: t(),
            },
            from: from.comment.clone(),
            to: to.comment.clone(),
        });
    }
}

/// Same strategy and key: partitions added and dropped by name (a changed
/// bound is both). Otherwise one [`Change::AlterPartitioning`].
fn diff_partitioning(
    r: &dyn DialectRules,
    schema: &str,
    table: &str,
    from: &Option<Partitioning>,
    to: &Option<Partitioning>,
    out: &mut Vec<Change>,
) {
    let (a, b) = match (from, to) {
        (None, None) => return,
        (Some(a), Some(b)) if a.strategy == b.strategy && r.same_expression(&a.key, &b.key) => {
            (a, b)
        }
        _ => {
            out.push(Change::AlterPartitioning {
                schema: schema.into(),
                table: table.into(),
                from: from.clone(),
                to: to.clone(),
            });
            return;
        }
    };
    let (gone, both, new) = pair(&a.partitions, &b.partitions, |p| p.name.clone());
    let mut drops: Vec<_> = gone.into_iter().cloned().collect();
    let mut adds: Vec<_> = new.into_iter().cloned().collect();
    for (x, y) in both {
        let bound = same_opt(&x.bound, &y.bound, |p, q| r.same_expression(p, q));
        if !bound || x.partitioning != y.partitioning {
            drops.push(x.clone());
            adds.push(y.clone());
        }
    }
    for p in drops {
        out.push(Change::DropPartition {
            schema: schema.into(),
            table: table.into(),
            partition: p,
        });
    }
    for p in adds {
        out.push(Change::AddPartition {
            schema: schema.into(),
            table: table.into(),
            partition: p,
        });
    }
}
