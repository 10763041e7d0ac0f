//! `COMMENT ON` for objects that stay (new objects carry their comments).

use sluice_schema::{CommentTarget, RoutineKind};

use super::env::Env;
use super::objects::routine_name;
use super::{ident, literal, qualified};
use crate::Step;

pub(super) fn set(env: &Env, i: usize, target: &CommentTarget, text: Option<&str>) -> Vec<Step> {
    let what = match target {
        // The database the plan runs on is the `from` one.
        CommentTarget::Catalog => format!("DATABASE {}", ident(&env.from.name)),
        CommentTarget::Extension { name } => format!("EXTENSION {}", ident(name)),
        CommentTarget::Schema { schema } => format!("SCHEMA {}", ident(schema)),
        CommentTarget::Table { schema, name } => format!("TABLE {}", qualified(schema, name)),
        CommentTarget::View { schema, name } => format!("VIEW {}", qualified(schema, name)),
        CommentTarget::MaterializedView { schema, name } => {
            format!("MATERIALIZED VIEW {}", qualified(schema, name))
        }
        CommentTarget::Sequence { schema, name } => {
            format!("SEQUENCE {}", qualified(schema, name))
        }
        CommentTarget::Enum { schema, name } => format!("TYPE {}", qualified(schema, name)),
        CommentTarget::Function {
            schema,
            name,
            signature,
        } => {
            let keyword = match routine_kind(env, schema, name, signature) {
                RoutineKind::Function => "FUNCTION",
                RoutineKind::Procedure => "PROCEDURE",
            };
            format!("{keyword} {}", routine_name(schema, name, signature))
        }
        CommentTarget::Trigger {
            schema,
            table,
            name,
        } => format!("TRIGGER {} ON {}", ident(name), qualified(schema, table)),
        CommentTarget::Index { schema, name, .. } => format!("INDEX {}", qualified(schema, name)),
        CommentTarget::Constraint {
            schema,
            table,
            name,
        } => format!("CONSTRAINT {} ON {}", ident(name), qualified(schema, table)),
    };
    let text = text.map(literal).unwrap_or_else(|| "NULL".into());
    vec![Step::new(format!("COMMENT ON {what} IS {text}"), i)]
}

/// A comment names a function or a procedure by its kind.
fn routine_kind(env: &Env, schema: &str, name: &str, signature: &str) -> RoutineKind {
    [env.to, env.from]
        .into_iter()
        .filter_map(|c| c.schema(schema))
        .flat_map(|s| &s.functions)
        .find(|f| f.name == name && f.signature == signature)
        .map(|f| f.kind)
        .unwrap_or_default()
}
