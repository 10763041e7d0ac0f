//! The diff of a schema's objects other than tables' insides: enum types,
//! sequences, tables as wholes, views, materialized views, functions,
//! triggers, and the schema itself.

use super::change::{Change, CommentTarget, EnumPosition};
use super::rules::DialectRules;
use super::table::{create_table, diff_indexes, diff_table, drop_table, pair};
use crate::model::{EnumType, Function, MaterializedView, Schema, Sequence, Trigger, View};

fn comment(out: &mut Vec<Change>, target: CommentTarget, a: &Option<String>, b: &Option<String>) {
    if a != b {
        out.push(Change::SetComment {
            target,
            from: a.clone(),
            to: b.clone(),
        });
    }
}

/// Diffs two versions of a schema; a missing side is an empty schema, so
/// a created or dropped schema lists everything in it as created or
/// dropped (a reverse plan then has every object at hand).
pub(crate) fn diff_schema(
    r: &dyn DialectRules,
    from: Option<&Schema>,
    to: Option<&Schema>,
    out: &mut Vec<Change>,
) {
    let empty = Schema::default();
    let name = to.or(from).map(|s| s.name.clone()).unwrap_or_default();
    let a = from.unwrap_or(&empty);
    let b = to.unwrap_or(&empty);
    let n = name.as_str();
    match (from, to) {
        (None, Some(b)) => out.push(Change::CreateSchema {
            schema: name.clone(),
            comment: b.comment.clone(),
        }),
        (Some(_), None) => out.push(Change::DropSchema {
            schema: name.clone(),
        }),
        _ => comment(
            out,
            CommentTarget::Schema {
                schema: name.clone(),
            },
            &a.comment,
            &b.comment,
        ),
    }
    diff_enums(n, &a.enums, &b.enums, out);
    diff_sequences(r, n, &a.sequences, &b.sequences, out);

    let (gone, both, new) = pair(&a.tables, &b.tables, |t| t.name.clone());
    for t in gone {
        drop_table(n, t, out);
    }
    for t in new {
        create_table(n, t, out);
    }
    for (x, y) in both {
        diff_table(r, n, x, y, out);
    }

    diff_views(r, n, &a.views, &b.views, out);
    diff_materialized_views(r, n, &a.materialized_views, &b.materialized_views, out);
    diff_functions(r, n, &a.functions, &b.functions, out);
    diff_triggers(r, n, &a.triggers, &b.triggers, out);
}

/// Labels only added (old ones keep their order): `ADD VALUE` each, before
/// the next old label, or at the end. Anything else is drop and create.
fn diff_enums(schema: &str, from: &[EnumType], to: &[EnumType], out: &mut Vec<Change>) {
    let (gone, both, new) = pair(from, to, |e| e.name.clone());
    for e in gone {
        out.push(Change::DropEnum {
            schema: schema.into(),
            enum_type: e.clone(),
        });
    }
    for e in new {
        out.push(Change::CreateEnum {
            schema: schema.into(),
            enum_type: e.clone(),
        });
    }
    for (a, b) in both {
        if a.labels != b.labels {
            let kept: Vec<&String> = b.labels.iter().filter(|l| a.labels.contains(l)).collect();
            let only_added =
                kept.len() == a.labels.len() && kept.iter().copied().eq(a.labels.iter());
            if only_added {
                for (k, label) in b.labels.iter().enumerate() {
                    if a.labels.contains(label) {
                        continue;
                    }
                    let position = b.labels[k + 1..]
                        .iter()
                        .find(|l| a.labels.contains(l))
                        .map(|l| EnumPosition::Before(l.clone()))
                        .unwrap_or(EnumPosition::End);
                    out.push(Change::AddEnumValue {
                        schema: schema.into(),
                        name: b.name.clone(),
                        value: label.clone(),
                        position,
                    });
                }
            } else {
                out.push(Change::DropEnum {
                    schema: schema.into(),
                    enum_type: a.clone(),
                });
                out.push(Change::CreateEnum {
                    schema: schema.into(),
                    enum_type: b.clone(),
                });
                continue;
            }
        }
        let target = CommentTarget::Enum {
            schema: schema.into(),
            name: b.name.clone(),
        };
        comment(out, target, &a.comment, &b.comment);
    }
}

fn diff_sequences(
    r: &dyn DialectRules,
    schema: &str,
    from: &[Sequence],
    to: &[Sequence],
    out: &mut Vec<Change>,
) {
    let (gone, both, new) = pair(from, to, |q| q.name.clone());
    for q in gone {
        out.push(Change::DropSequence {
            schema: schema.into(),
            sequence: q.clone(),
        });
    }
    for q in new {
        out.push(Change::CreateSequence {
            schema: schema.into(),
            sequence: q.clone(),
        });
    }
    for (a, b) in both {
        let same_type = match (&a.data_type, &b.data_type) {
            (None, None) => true,
            (Some(x), Some(y)) => r.same_type(x, y),
            _ => false,
        };
        if !same_type || a.options != b.options || a.owned_by != b.owned_by {
            out.push(Change::AlterSequence {
                schema: schema.into(),
                from: a.clone(),
                to: b.clone(),
            });
        }
        let target = CommentTarget::Sequence {
            schema: schema.into(),
            name: b.name.clone(),
        };
        comment(out, target, &a.comment, &b.comment);
    }
}

fn same_view(r: &dyn DialectRules, a: &View, b: &View) -> bool {
    r.same_expression(&a.definition, &b.definition)
        && a.columns == b.columns
        && a.check_option == b.check_option
        && a.security == b.security
}

fn diff_views(
    r: &dyn DialectRules,
    schema: &str,
    from: &[View],
    to: &[View],
    out: &mut Vec<Change>,
) {
    let (gone, both, new) = pair(from, to, |v| v.name.clone());
    for v in gone {
        out.push(Change::DropView {
            schema: schema.into(),
            view: v.clone(),
        });
    }
    for v in new {
        out.push(Change::CreateView {
            schema: schema.into(),
            view: v.clone(),
        });
    }
    for (a, b) in both {
        if !same_view(r, a, b) {
            out.push(Change::ReplaceView {
                schema: schema.into(),
                from: a.clone(),
                to: b.clone(),
            });
        }
        let target = CommentTarget::View {
            schema: schema.into(),
            name: b.name.clone(),
        };
        comment(out, target, &a.comment, &b.comment);
    }
}

/// A materialized view cannot be altered in place: any change to its query
/// or storage is drop and create (its indexes go with it); otherwise only
/// its indexes and comment are diffed.
fn diff_materialized_views(
    r: &dyn DialectRules,
    schema: &str,
    from: &[MaterializedView],
    to: &[MaterializedView],
    out: &mut Vec<Change>,
) {
    let (gone, both, new) = pair(from, to, |v| v.name.clone());
    let drop = |v: &MaterializedView| Change::DropMaterializedView {
        schema: schema.into(),
        view: v.clone(),
    };
    let create = |v: &MaterializedView| Change::CreateMaterializedView {
        schema: schema.into(),
        view: v.clone(),
    };
    out.extend(gone.into_iter().map(drop));
    out.extend(new.into_iter().map(create));
    for (a, b) in both {
        let same = r.same_expression(&a.definition, &b.definition)
            && a.columns == b.columns
            && a.with_data == b.with_data
            && a.tablespace == b.tablespace;
        if !same {
            out.push(drop(a));
            out.push(create(b));
            continue;
        }
        diff_indexes(r, schema, &b.name, &a.indexes, &b.indexes, out);
        let target = CommentTarget::MaterializedView {
            schema: schema.into(),
            name: b.name.clone(),
        };
        comment(out, target, &a.comment, &b.comment);
    }
}

fn same_function(r: &dyn DialectRules, a: &Function, b: &Function) -> bool {
    if let (Some(x), Some(y)) = (&a.definition, &b.definition) {
        return r.same_expression(x, y);
    }
    a.arguments
        .split_whitespace()
        .eq(b.arguments.split_whitespace())
        && a.returns == b.returns
        && a.language.eq_ignore_ascii_case(&b.language)
        && r.same_expression(&a.body, &b.body)
        && a.volatility == b.volatility
        && a.security_definer == b.security_definer
}

fn diff_functions(
    r: &dyn DialectRules,
    schema: &str,
    from: &[Function],
    to: &[Function],
    out: &mut Vec<Change>,
) {
    let (gone, both, new) = pair(from, to, |f| (f.kind, f.name.clone(), f.signature.clone()));
    for f in gone {
        out.push(Change::DropFunction {
            schema: schema.into(),
            function: f.clone(),
        });
    }
    for f in new {
        out.push(Change::CreateFunction {
            schema: schema.into(),
            function: f.clone(),
        });
    }
    for (a, b) in both {
        if !same_function(r, a, b) {
            out.push(Change::ReplaceFunction {
                schema: schema.into(),
                from: a.clone(),
                to: b.clone(),
            });
        }
        let target = CommentTarget::Function {
            schema: schema.into(),
            name: b.name.clone(),
            signature: b.signature.clone(),
        };
        comment(out, target, &a.comment, &b.comment);
    }
}

fn same_trigger(r: &dyn DialectRules, a: &Trigger, b: &Trigger) -> bool {
    let expr = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (None, None) => true,
        (Some(x), Some(y)) => r.same_expression(x, y),
        _ => false,
    };
    if let (Some(x), Some(y)) = (&a.definition, &b.definition) {
        return r.same_expression(x, y);
    }
    a.timing == b.timing
        && a.events == b.events
        && a.update_columns == b.update_columns
        && a.level == b.level
        && expr(&a.function, &b.function)
        && expr(&a.body, &b.body)
        && expr(&a.condition, &b.condition)
}

/// A changed trigger is dropped and created again: no engine alters one.
fn diff_triggers(
    r: &dyn DialectRules,
    schema: &str,
    from: &[Trigger],
    to: &[Trigger],
    out: &mut Vec<Change>,
) {
    let (gone, both, new) = pair(from, to, |t| (t.table.clone(), t.name.clone()));
    let drop = |t: &Trigger| Change::DropTrigger {
        schema: schema.into(),
        trigger: t.clone(),
    };
    let create = |t: &Trigger| Change::CreateTrigger {
        schema: schema.into(),
        trigger: t.clone(),
    };
    out.extend(gone.into_iter().map(drop));
    out.extend(new.into_iter().map(create));
    for (a, b) in both {
        if !same_trigger(r, a, b) {
            out.push(drop(a));
            out.push(create(b));
            continue;
        }
        let target = CommentTarget::Trigger {
            schema: schema.into(),
            table: b.table.clone(),
            name: b.name.clone(),
        };
        comment(out, target, &a.comment, &b.comment);
    }
}
