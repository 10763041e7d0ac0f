//! The schema diff: two catalogs in, an ordered list of [`Change`]s out.
//!
//! The algorithm is written once for every dialect. Where the same schema
//! can be spelled two ways (type synonyms, casts the server adds to
//! defaults, layout of expressions), it asks the dialect's
//! [`DialectRules`] a narrow yes/no question instead of branching on the
//! dialect, so adding a dialect means answering those questions and
//! nothing else.
//!
//! Objects are matched by their identity (name; functions by kind, name
//! and signature; triggers by table and name). A rename is never guessed:
//! a table or column that disappears and another that appears are a drop
//! and a create unless the caller declares the rename in [`DiffOptions`],
//! because guessing wrong would drop a column's data.
//!
//! The questions ([`DialectRules`]) are: are two types the same
//! (`int4` / `integer`, `int(11)` / `int`), is a type change a conversion
//! or a compatible widening, are two defaults the same (`'x'::text` /
//! `'x'`, `now()` / `CURRENT_TIMESTAMP` / `current_timestamp()`), are two
//! expressions the same (layout, case, redundant parentheses), are two
//! tables' options the same (the MySQL `AUTO_INCREMENT` counter never
//! counts), does the engine bind views to columns (PostgreSQL: views over a
//! changed column are rebuilt), and can it move columns (MySQL `AFTER`).
//!
//! Both catalogs are normalized first, so the order the servers listed
//! objects in never shows up as a difference, and the output follows the
//! canonical order within each step of [`order`].

mod change;
mod dependents;
mod mysql;
mod objects;
pub mod order;
mod postgres;
mod rules;
mod sqlite;
mod table;

pub use change::{Change, ColumnChange, CommentTarget, EnumPosition};
pub use mysql::Mysql;
pub use postgres::Postgres;
pub use rules::{DialectRules, rules_for};
pub use sqlite::Sqlite;

use serde::{Deserialize, Serialize};

use crate::model::{Catalog, IndexKey, Table};
use table::pair;

/// A rename the caller declares; the diff never infers one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Rename {
    Table {
        schema: String,
        from: String,
        to: String,
    },
    /// `table` is the table's name in the `to` catalog.
    Column {
        schema: String,
        table: String,
        from: String,
        to: String,
    },
}

/// How to diff.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiffOptions {
    pub renames: Vec<Rename>,
}

/// The Changes that turn `from` into `to`, in an order that can be
/// applied as it is (see [`order`]). Identical schemas give none.
///
/// Uses the rules of `to`'s dialect; diffing catalogs of two dialects is
/// not meaningful and compares them as if both were `to`'s.
pub fn diff(from: &Catalog, to: &Catalog, options: &DiffOptions) -> Vec<Change> {
    diff_with(rules_for(to.dialect), from, to, options)
}

/// [`diff`] with explicit dialect rules (for a dialect variant or tests).
pub fn diff_with(
    rules: &dyn DialectRules,
    from: &Catalog,
    to: &Catalog,
    options: &DiffOptions,
) -> Vec<Change> {
    let mut a = from.clone();
    let b = to.clone().normalized();
    let mut out = Vec::new();
    apply_renames(&mut a, &options.renames, &mut out);
    a.normalize();

    let (gone, both, new) = pair(&a.extensions, &b.extensions, |e| e.name.clone());
    for e in gone {
        out.push(Change::DropExtension {
            extension: e.clone(),
        });
    }
    for e in new {
        out.push(Change::CreateExtension {
            extension: e.clone(),
        });
    }
    for (x, y) in both {
        if x.version != y.version || x.schema != y.schema {
            out.push(Change::AlterExtension {
                from: x.clone(),
                to: y.clone(),
            });
        }
        if x.comment != y.comment {
            out.push(Change::SetComment {
                target: CommentTarget::Extension {
                    name: y.name.clone(),
                },
                from: x.comment.clone(),
                to: y.comment.clone(),
            });
        }
    }

    let (gone, both, new) = pair(&a.schemas, &b.schemas, |s| s.name.clone());
    for s in gone {
        objects::diff_schema(rules, Some(s), None, &mut out);
    }
    for s in new {
        objects::diff_schema(rules, None, Some(s), &mut out);
    }
    for (x, y) in both {
        objects::diff_schema(rules, Some(x), Some(y), &mut out);
    }
    if a.comment != b.comment {
        out.push(Change::SetComment {
            target: CommentTarget::Catalog,
            from: a.comment.clone(),
            to: b.comment.clone(),
        });
    }
    dependents::rebuild_bound_views(rules, &a, &b, &mut out);
    dependents::rebuild_foreign_keys_on_dropped_keys(&a, &b, &mut out);
    order::order(out, &a, &b)
}

/// Applies declared renames to the `from` catalog (the table's or column's
/// name, and every reference to it: keys, indexes, foreign keys of other
/// tables, triggers, sequence ownership), recording a rename Change for
/// each that applies, so the rest of the diff compares like with like.
fn apply_renames(catalog: &mut Catalog, renames: &[Rename], out: &mut Vec<Change>) {
    for rename in renames {
        match rename {
            Rename::Table { schema, from, to } => {
                let Some(s) = catalog.schema_mut(schema) else {
                    continue;
                };
                let Some(t) = s.table_mut(from) else { continue };
                t.name = to.clone();
                for t in &mut s.tables {
                    for fk in &mut t.foreign_keys {
                        if fk.referenced_schema == *schema && fk.referenced_table == *from {
                            fk.referenced_table = to.clone();
                        }
                    }
                }
                for tr in &mut s.triggers {
                    if tr.table == *from {
                        tr.table = to.clone();
                    }
                }
                for q in &mut s.sequences {
                    if let Some(o) = q.owned_by.as_mut().filter(|o| o.table == *from) {
                        o.table = to.clone();
                    }
                }
                // References from other schemas.
                for other in &mut catalog.schemas {
                    for t in &mut other.tables {
                        for fk in &mut t.foreign_keys {
                            if fk.referenced_schema == *schema && fk.referenced_table == *from {
                                fk.referenced_table = to.clone();
                            }
                        }
                    }
                }
                out.push(Change::RenameTable {
                    schema: schema.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
            Rename::Column {
                schema,
                table,
                from,
                to,
            } => {
                let Some(s) = catalog.schema_mut(schema) else {
                    continue;
                };
                let Some(t) = s.table_mut(table) else {
                    continue;
                };
                let Some(c) = t.columns.iter_mut().find(|c| c.name == *from) else {
                    continue;
                };
                c.name = to.clone();
                rename_column_refs(t, from, to);
                for other in &mut s.tables {
                    for fk in &mut other.foreign_keys {
                        if fk.referenced_schema == *schema && fk.referenced_table == *table {
                            swap(&mut fk.referenced_columns, from, to);
                        }
                    }
                }
                for tr in s.triggers.iter_mut().filter(|tr| tr.table == *table) {
                    swap(&mut tr.update_columns, from, to);
                }
                for q in &mut s.sequences {
                    if let Some(o) = q.owned_by.as_mut()
                        && o.table == *table
                        && o.column == *from
                    {
                        o.column = to.clone();
                    }
                }
                out.push(Change::RenameColumn {
                    schema: schema.clone(),
                    table: table.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        }
    }
}

fn swap(names: &mut [String], from: &str, to: &str) {
    for n in names.iter_mut().filter(|n| *n == from) {
        *n = to.to_string();
    }
}

/// A column's new name in its table's own keys and indexes. Expressions
/// are left as they are: the server rewrites them on rename, and a
/// difference there shows up as a changed index or check.
fn rename_column_refs(t: &mut Table, from: &str, to: &str) {
    if let Some(pk) = &mut t.primary_key {
        swap(&mut pk.columns, from, to);
    }
    for u in &mut t.uniques {
        swap(&mut u.columns, from, to);
    }
    for fk in &mut t.foreign_keys {
        swap(&mut fk.columns, from, to);
    }
    for i in &mut t.indexes {
        swap(&mut i.include, from, to);
        for p in &mut i.parts {
            if let IndexKey::Column(c) = &mut p.key
                && c == from
            {
                *c = to.to_string();
            }
        }
    }
}
