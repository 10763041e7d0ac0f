//! Everything that is not a table: extensions, schemas, enum types,
//! sequences, views, materialized views, functions and triggers.

use sluice_schema::render::{self, sequence_options};
use sluice_schema::{
    ColumnRef, Dialect, Extension, Function, MaterializedView, RoutineKind, Schema, Sequence,
    SequenceOptions, Trigger, View,
};

use super::env::Env;
use super::locks::{Mode, takes};
use super::{comments_of, ident, literal, object, plain, qualified};
use crate::{Hazard, Step};

const PG: Dialect = Dialect::Postgres;

pub(super) fn create_extension(i: usize, e: &Extension) -> Vec<Step> {
    let mut sql: Vec<String> = render::create_extension(PG, e).into_iter().collect();
    sql.extend(render::extension_comment(PG, e));
    plain(i, sql)
}

pub(super) fn drop_extension(i: usize, e: &Extension) -> Vec<Step> {
    vec![
        Step::new(format!("DROP EXTENSION {}", ident(&e.name)), i)
            .note("the extension's own objects go with it"),
    ]
}

pub(super) fn alter_extension(i: usize, from: &Extension, to: &Extension) -> Vec<Step> {
    let name = ident(&to.name);
    let mut out = Vec::new();
    if from.schema != to.schema
        && let Some(schema) = &to.schema
    {
        out.push(Step::new(
            format!("ALTER EXTENSION {name} SET SCHEMA {}", ident(schema)),
            i,
        ));
    }
    if from.version != to.version
        && let Some(version) = &to.version
    {
        out.push(Step::new(
            format!("ALTER EXTENSION {name} UPDATE TO {}", literal(version)),
            i,
        ));
    }
    out
}

pub(super) fn create_schema(i: usize, schema: &str, comment: &Option<String>) -> Vec<Step> {
    let mut out = vec![Step::new(format!("CREATE SCHEMA {}", ident(schema)), i)];
    out.extend(comments_of(
        i,
        Schema {
            comment: comment.clone(),
            ..Schema::new(schema)
        },
    ));
    out
}

pub(super) fn drop_schema(i: usize, schema: &str) -> Vec<Step> {
    // No CASCADE: the plan drops what the schema holds first, so anything
    // left is something the model does not know, and must not go silently.
    vec![Step::new(format!("DROP SCHEMA {}", ident(schema)), i).hazard(Hazard::DeletesData)]
}

pub(super) fn create_sequence(env: &Env, i: usize, schema: &str, seq: &Sequence) -> Vec<Step> {
    let mut out = plain(i, render::create_sequence(PG, schema, seq));
    out.extend(comments_of(
        i,
        Schema {
            sequences: vec![seq.clone()],
            ..Schema::new(schema)
        },
    ));
    // The owning column may come later in the plan; its Change sets the
    // ownership then (see `owned_sequences`).
    if let Some(owner) = &seq.owned_by
        && env
            .table_before(schema, &owner.table)
            .is_some_and(|t| t.column(&owner.column).is_some())
    {
        out.extend(plain(i, render::sequence_owned_by(PG, schema, seq)));
    }
    out
}

/// `OWNED BY` for the sequences this plan creates or gives a new owner
/// that belong to a column of `table` that did not exist before: set once
/// the column exists.
pub(super) fn owned_sequences(
    env: &Env,
    i: usize,
    schema: &str,
    table: &str,
    column: Option<&str>,
) -> Vec<Step> {
    let Some(s) = env.to.schema(schema) else {
        return Vec::new();
    };
    let new_owner = |q: &Sequence| {
        env.from
            .schema(schema)
            .and_then(|s| s.sequences.iter().find(|old| old.name == q.name))
            .is_none_or(|old| old.owned_by != q.owned_by)
    };
    s.sequences
        .iter()
        .filter(|q| {
            q.owned_by.as_ref().is_some_and(|o: &ColumnRef| {
                o.table == table && column.is_none_or(|c| o.column == c)
            }) && new_owner(q)
        })
        .flat_map(|q| plain(i, render::sequence_owned_by(PG, schema, q)))
        .collect()
}

/// `OWNED BY NONE` for the sequences a dropped table or column owns that
/// the plan keeps: PostgreSQL would drop them with their owner.
pub(super) fn release_sequences(
    env: &Env,
    i: usize,
    schema: &str,
    table: &str,
    column: Option<&str>,
) -> Vec<Step> {
    let (Some(before), Some(after)) = (env.from.schema(schema), env.to.schema(schema)) else {
        return Vec::new();
    };
    before
        .sequences
        .iter()
        .filter(|q| {
            q.owned_by
                .as_ref()
                .is_some_and(|o| o.table == table && column.is_none_or(|c| o.column == c))
                && after.sequences.iter().any(|kept| kept.name == q.name)
        })
        .map(|q| {
            Step::new(
                format!(
                    "ALTER SEQUENCE {} OWNED BY NONE",
                    qualified(schema, &q.name)
                ),
                i,
            )
            .note("kept by the plan: released before its owner goes")
        })
        .collect()
}

pub(super) fn drop_sequence(i: usize, schema: &str, seq: &Sequence) -> Vec<Step> {
    // An owned sequence goes with its column, which the plan may have
    // dropped already.
    let if_exists = if seq.owned_by.is_some() {
        "IF EXISTS "
    } else {
        ""
    };
    vec![Step::new(
        format!("DROP SEQUENCE {if_exists}{}", qualified(schema, &seq.name)),
        i,
    )]
}

pub(super) fn alter_sequence(
    env: &Env,
    i: usize,
    schema: &str,
    from: &Sequence,
    to: &Sequence,
) -> Vec<Step> {
    let name = qualified(schema, &to.name);
    let mut clauses = Vec::new();
    if from.data_type != to.data_type {
        clauses.push(format!(
            "AS {}",
            to.data_type.as_deref().unwrap_or("bigint")
        ));
    }
    clauses.extend(changed_sequence_options(&from.options, &to.options));
    let mut out = Vec::new();
    if !clauses.is_empty() {
        out.push(Step::new(
            format!("ALTER SEQUENCE {name} {}", clauses.join(" ")),
            i,
        ));
    }
    // An owner column the plan adds gets the sequence once it exists
    // (`owned_sequences`).
    let owner_exists = |o: &ColumnRef| {
        env.table_before(schema, &o.table)
            .is_some_and(|t| t.column(&o.column).is_some())
    };
    if from.owned_by != to.owned_by && to.owned_by.as_ref().is_none_or(owner_exists) {
        let owner = match &to.owned_by {
            Some(o) => format!("{}.{}", qualified(schema, &o.table), ident(&o.column)),
            None => "NONE".into(),
        };
        out.push(Step::new(
            format!("ALTER SEQUENCE {name} OWNED BY {owner}"),
            i,
        ));
    }
    out
}

/// The option clauses of `ALTER SEQUENCE` that take a sequence from one
/// set of options to another; an option back to the server's default is
/// spelled `NO MINVALUE` and the like.
pub(super) fn changed_sequence_options(
    from: &SequenceOptions,
    to: &SequenceOptions,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut each = |a: Option<i64>, b: Option<i64>, set: &str, unset: Option<&str>| {
        if a != b {
            match (b, unset) {
                (Some(v), _) => out.push(format!("{set} {v}")),
                (None, Some(u)) => out.push(u.to_string()),
                (None, None) => {}
            }
        }
    };
    each(from.start, to.start, "START WITH", None);
    each(from.increment, to.increment, "INCREMENT BY", None);
    each(
        from.min_value,
        to.min_value,
        "MINVALUE",
        Some("NO MINVALUE"),
    );
    each(
        from.max_value,
        to.max_value,
        "MAXVALUE",
        Some("NO MAXVALUE"),
    );
    each(from.cache, to.cache, "CACHE", None);
    if from.cycle != to.cycle {
        out.push(if to.cycle { "CYCLE" } else { "NO CYCLE" }.into());
    }
    out
}

/// Every option of a new sequence or identity, as `CREATE` takes them.
pub(super) fn all_sequence_options(o: &SequenceOptions) -> Vec<String> {
    sequence_options(o, PG)
}

pub(super) fn create_view(i: usize, schema: &str, view: &View) -> Vec<Step> {
    let mut out = vec![Step::new(render::create_view(PG, schema, view), i)];
    out.extend(view_comment(i, schema, view));
    out
}

fn view_comment(i: usize, schema: &str, view: &View) -> Vec<Step> {
    comments_of(
        i,
        Schema {
            views: vec![view.clone()],
            ..Schema::new(schema)
        },
    )
}

pub(super) fn drop_view(i: usize, schema: &str, view: &View) -> Vec<Step> {
    vec![Step::new(
        format!("DROP VIEW {}", qualified(schema, &view.name)),
        i,
    )]
}

/// `CREATE OR REPLACE VIEW` where PostgreSQL accepts it (the old columns
/// stay as they are and new ones are only appended), else drop and create.
pub(super) fn replace_view(i: usize, schema: &str, from: &View, to: &View) -> Vec<Step> {
    let create = render::create_view(PG, schema, to);
    let mut out = if super::views::only_appends_columns(from, to) {
        let sql = create.replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1);
        vec![takes(
            Step::new(sql, i),
            Mode::AccessExclusive,
            &object(schema, &to.name),
        )]
    } else {
        let mut v = drop_view(i, schema, from);
        v.push(Step::new(create, i).note(
            "dropped and created: CREATE OR REPLACE VIEW cannot change or remove existing columns",
        ));
        v
    };
    if from.comment != to.comment || !out.iter().any(|s| s.sql.contains("OR REPLACE")) {
        out.extend(view_comment(i, schema, to));
    }
    out
}

pub(super) fn create_materialized_view(
    i: usize,
    schema: &str,
    view: &MaterializedView,
) -> Vec<Step> {
    let mut out: Vec<Step> = render::create_materialized_view(PG, schema, view)
        .into_iter()
        .map(|sql| Step::new(sql, i))
        .collect();
    if let Some(first) = out.first_mut()
        && view.with_data
    {
        first
            .notes
            .push("runs the query and stores its rows".into());
    }
    for step in out.iter_mut().skip(1) {
        step.hazards.push(Hazard::IndexBuild);
    }
    out.extend(comments_of(
        i,
        Schema {
            materialized_views: vec![view.clone()],
            ..Schema::new(schema)
        },
    ));
    out
}

pub(super) fn drop_materialized_view(i: usize, schema: &str, view: &MaterializedView) -> Vec<Step> {
    vec![
        Step::new(
            format!("DROP MATERIALIZED VIEW {}", qualified(schema, &view.name)),
            i,
        )
        .hazard(Hazard::DeletesData),
    ]
}

fn routine_keyword(kind: RoutineKind) -> &'static str {
    match kind {
        RoutineKind::Function => "FUNCTION",
        RoutineKind::Procedure => "PROCEDURE",
    }
}

/// `name(signature)`, how `DROP` and `COMMENT ON` name a routine.
pub(super) fn routine_name(schema: &str, name: &str, signature: &str) -> String {
    format!("{}({signature})", qualified(schema, name))
}

fn function_comment(i: usize, schema: &str, f: &Function) -> Vec<Step> {
    comments_of(
        i,
        Schema {
            functions: vec![f.clone()],
            ..Schema::new(schema)
        },
    )
}

pub(super) fn create_function(i: usize, schema: &str, f: &Function) -> Vec<Step> {
    let mut out = plain(i, render::create_function(PG, schema, f));
    out.extend(function_comment(i, schema, f));
    out
}

pub(super) fn drop_function(i: usize, schema: &str, f: &Function) -> Vec<Step> {
    vec![Step::new(
        format!(
            "DROP {} {}",
            routine_keyword(f.kind),
            routine_name(schema, &f.name, &f.signature)
        ),
        i,
    )]
}

/// `CREATE OR REPLACE` keeps the routine's identity (what depends on it
/// stays); PostgreSQL refuses it when the result type or the parameter
/// names change, so those are dropped and created.
pub(super) fn replace_function(
    i: usize,
    schema: &str,
    from: &Function,
    to: &Function,
) -> Vec<Step> {
    let replaceable = replaceable(from, to);
    let Some(create) = render::create_function(PG, schema, to) else {
        return Vec::new();
    };
    let mut out = if replaceable {
        vec![Step::new(or_replace(&create), i)]
    } else {
        let mut v = drop_function(i, schema, from);
        v.push(
            Step::new(create, i)
                .note("dropped and created: CREATE OR REPLACE cannot change a routine's result type or parameters"),
        );
        v
    };
    if from.comment != to.comment || !replaceable {
        out.extend(function_comment(i, schema, to));
    }
    out
}

/// Whether `CREATE OR REPLACE` can turn `from` into `to`.
pub(super) fn replaceable(from: &Function, to: &Function) -> bool {
    from.kind == to.kind
        && from.returns == to.returns
        && from
            .arguments
            .split_whitespace()
            .eq(to.arguments.split_whitespace())
}

/// `CREATE FUNCTION` → `CREATE OR REPLACE FUNCTION` (a definition read from
/// the server has it already).
fn or_replace(create: &str) -> String {
    let trimmed = create.trim_start();
    let upper = trimmed.to_ascii_uppercase();
    if upper.starts_with("CREATE OR REPLACE") {
        trimmed.to_string()
    } else if upper.starts_with("CREATE ") {
        format!("CREATE OR REPLACE {}", &trimmed["CREATE ".len()..])
    } else {
        trimmed.to_string()
    }
}

pub(super) fn create_trigger(i: usize, schema: &str, t: &Trigger) -> Vec<Step> {
    let mut out = vec![takes(
        Step::new(render::create_trigger(PG, schema, t), i),
        Mode::ShareRowExclusive,
        &object(schema, &t.table),
    )];
    out.extend(comments_of(
        i,
        Schema {
            triggers: vec![t.clone()],
            ..Schema::new(schema)
        },
    ));
    out
}

pub(super) fn drop_trigger(i: usize, schema: &str, t: &Trigger) -> Vec<Step> {
    let sql = format!(
        "DROP TRIGGER {} ON {}",
        ident(&t.name),
        qualified(schema, &t.table)
    );
    vec![takes(
        Step::new(sql, i),
        Mode::AccessExclusive,
        &object(schema, &t.table),
    )]
}

#[cfg(test)]
mod tests {
    #[test]
    fn or_replace_is_added_once() {
        assert_eq!(
            super::or_replace("CREATE FUNCTION f() RETURNS int"),
            "CREATE OR REPLACE FUNCTION f() RETURNS int"
        );
        assert_eq!(
            super::or_replace("CREATE OR REPLACE FUNCTION f()"),
            "CREATE OR REPLACE FUNCTION f()"
        );
    }
}
