//! Checks over a column whose type changes. PostgreSQL keeps such a check
//! through `ALTER COLUMN ... TYPE` by parsing its text again, which adds
//! casts for the old type (`(c)::numeric > (3)::numeric`): the schema no
//! longer reads as declared. So each such check is dropped before the
//! first type change it reads and added back, as declared, after the last.

use std::collections::HashSet;

use sluice_schema::render::order::identifiers;
use sluice_schema::{Change, ColumnChange};

use super::constraints;
use super::env::Env;
use crate::Step;

/// The statements Change `i` (a column's type change on `schema.table`)
/// runs before and after its own for the table's checks.
pub(super) fn around(env: &Env, i: usize, schema: &str, table: &str) -> (Vec<Step>, Vec<Step>) {
    let (Some(before), Some(after)) = (
        env.table_before(schema, table),
        env.table_after(schema, table),
    ) else {
        return (Vec::new(), Vec::new());
    };
    // The type changes of this table in the plan: (Change index, column).
    let retypes: Vec<(usize, String)> = env
        .changes
        .iter()
        .enumerate()
        .filter_map(|(k, c)| match c {
            Change::AlterColumn {
                schema: s,
                table: t,
                column,
                changes,
                ..
            } if s == schema
                && t == table
                && changes.iter().any(|x| {
                    matches!(
                        x,
                        ColumnChange::Type { .. } | ColumnChange::Collation { .. }
                    )
                }) =>
            {
                Some((k, column.to_lowercase()))
            }
            _ => None,
        })
        .collect();
    let (mut drop, mut add) = (Vec::new(), Vec::new());
    for check in &after.checks {
        let Some(name) = &check.name else { continue };
        let kept = before.checks.iter().any(|c| c.name.as_ref() == Some(name))
            && !touched_by_plan(env, schema, table, name);
        if !kept {
            continue;
        }
        let read: HashSet<String> = identifiers(&check.expression)
            .into_iter()
            .map(|x| x.to_lowercase())
            .collect();
        let at: Vec<usize> = retypes
            .iter()
            .filter(|(_, c)| read.contains(c))
            .map(|(k, _)| *k)
            .collect();
        if at.iter().min() == Some(&i) {
            drop.extend(constraints::drop_named(i, schema, table, Some(name)));
        }
        if at.iter().max() == Some(&i) {
            add.extend(constraints::add_check(env, i, schema, table, check));
        }
    }
    (drop, add)
}

/// The plan drops or adds the check itself.
fn touched_by_plan(env: &Env, schema: &str, table: &str, name: &str) -> bool {
    env.changes.iter().any(|c| match c {
        Change::AddCheck {
            schema: s,
            table: t,
            check,
        }
        | Change::DropCheck {
            schema: s,
            table: t,
            check,
        } => s == schema && t == table && check.name.as_deref() == Some(name),
        _ => false,
    })
}
