//! Views, routines, triggers and comments.
//!
//! Views are replaced in place (`CREATE OR REPLACE VIEW`). Routines are
//! too on MariaDB (`CREATE OR REPLACE`); MySQL has no such statement, so a
//! changed routine is dropped and created again. Routine and trigger
//! bodies with semicolons are compound statements, which a script wraps
//! in `DELIMITER` lines.

use sluice_schema::render;
use sluice_schema::{
    Change, CommentTarget, Dialect, Function, RoutineKind, Trigger, View, quote_literal,
};

use super::Side;
use super::draft::Draft;
use super::online::Algorithm;
use super::tables::{alter, name, rebuild_index};

const D: Dialect = Dialect::Mysql;

/// `CREATE …` as `CREATE OR REPLACE …`.
fn or_replace(create: &str) -> String {
    let text = create.trim_start();
    match text.get(..6) {
        Some(head) if head.eq_ignore_ascii_case("CREATE") => {
            format!("CREATE OR REPLACE{}", &text[6..])
        }
        _ => text.to_string(),
    }
}

fn view_lock(draft: Draft, view: &str) -> Draft {
    draft.lock(
        format!("exclusive metadata lock on view {}", name(view)),
        "queries of the view, briefly",
    )
}

pub(super) fn create_view(schema: &str, view: &View) -> Draft {
    Draft::new(render::create_view(D, schema, view))
}

pub(super) fn replace_view(schema: &str, view: &View) -> Draft {
    let sql = or_replace(&render::create_view(D, schema, view));
    view_lock(Draft::new(sql), &view.name)
}

pub(super) fn drop_view(view: &View) -> Draft {
    view_lock(
        Draft::new(format!("DROP VIEW {}", name(&view.name))),
        &view.name,
    )
}

fn kind(f: &Function) -> &'static str {
    match f.kind {
        RoutineKind::Function => "FUNCTION",
        RoutineKind::Procedure => "PROCEDURE",
    }
}

pub(super) fn create_routine(schema: &str, f: &Function) -> Option<Draft> {
    let sql = render::create_function(D, schema, f)?;
    Some(Draft::new(sql).compound_if_needed())
}

pub(super) fn drop_routine(f: &Function) -> Draft {
    Draft::new(format!("DROP {} {}", kind(f), name(&f.name)))
}

pub(super) fn replace_routine(
    side: &Side,
    schema: &str,
    from: &Function,
    to: &Function,
) -> Vec<Draft> {
    let Some(create) = render::create_function(D, schema, to) else {
        return Vec::new();
    };
    if side.server.replaces_routines() {
        return vec![Draft::new(or_replace(&create)).compound_if_needed()];
    }
    vec![
        drop_routine(from).note(format!(
            "MySQL cannot replace a {} in place: calls fail until the next statement creates it again",
            kind(from).to_lowercase()
        )),
        Draft::new(create).compound_if_needed(),
    ]
}

fn trigger_lock(draft: Draft, t: &Trigger) -> Draft {
    draft.lock(
        format!("exclusive metadata lock on {}", name(&t.table)),
        "reads and writes, briefly",
    )
}

pub(super) fn create_trigger(schema: &str, t: &Trigger) -> Draft {
    let sql = render::create_trigger(D, schema, t);
    trigger_lock(Draft::new(sql).compound_if_needed(), t)
}

pub(super) fn drop_trigger(t: &Trigger) -> Draft {
    trigger_lock(Draft::new(format!("DROP TRIGGER {}", name(&t.name))), t)
}

/// A routine's comment set by the plan's own `CREATE` of it, which
/// carries the comment: no statement of its own.
pub(super) fn comment_in_new_definition(change: &Change, changes: &[Change]) -> bool {
    let Change::SetComment {
        target:
            CommentTarget::Function {
                schema,
                name,
                signature,
            },
        ..
    } = change
    else {
        return false;
    };
    changes.iter().any(|c| match c {
        Change::CreateFunction {
            schema: s,
            function: f,
        }
        | Change::ReplaceFunction {
            schema: s, to: f, ..
        } => s == schema && f.name == *name && f.signature == *signature,
        _ => false,
    })
}

/// Comments MySQL keeps apart from a definition: tables', indexes' and
/// routines'. Columns' are part of their definition (a `MODIFY COLUMN`);
/// views, triggers, constraints and databases have none.
pub(super) fn set_comment(side: &Side, target: &CommentTarget, to: Option<&str>) -> Option<Draft> {
    let text = quote_literal(D, to.unwrap_or(""));
    match target {
        CommentTarget::Table {
            schema,
            name: table,
        } => Some(alter(
            side,
            schema,
            table,
            &format!("COMMENT = {text}"),
            Algorithm::ServerChoice,
        )),
        CommentTarget::Index {
            schema,
            table,
            name: index,
        } => {
            let index = side.table_after(schema, table)?.index(index)?;
            Some(rebuild_index(side, schema, table, index))
        }
        CommentTarget::Function {
            schema,
            name: function,
            signature,
        } => {
            let f = side
                .after
                .schema(schema)?
                .functions
                .iter()
                .find(|f| f.name == *function && f.signature == *signature)?;
            Some(Draft::new(format!(
                "ALTER {} {} COMMENT {text}",
                kind(f),
                name(&f.name)
            )))
        }
        _ => None,
    }
}
