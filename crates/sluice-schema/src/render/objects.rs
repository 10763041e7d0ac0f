//! DDL for the objects around tables: schemas, extensions, enum types,
//! sequences, views, materialized views, functions, triggers, comments.

use super::table::{create_index, sequence_options};
use super::{Ctx, Stmt};
use crate::dialect::Dialect;
use crate::model::{
    CheckOption, EnumType, Extension, Function, MaterializedView, RoutineKind, Schema, Sequence,
    Trigger, TriggerEvent, TriggerLevel, TriggerTiming, View, ViewSecurity, Volatility,
};
use crate::quote::{quote_ident, quote_list, quote_literal};

/// `CREATE SCHEMA IF NOT EXISTS` (PostgreSQL only: a MySQL schema is the
/// database itself and SQLite has only `main`).
pub fn create_schema(dialect: Dialect, schema: &Schema) -> Option<String> {
    (dialect == Dialect::Postgres).then(|| {
        format!(
            "CREATE SCHEMA IF NOT EXISTS {}",
            quote_ident(dialect, &schema.name)
        )
    })
}

/// `CREATE EXTENSION IF NOT EXISTS` (PostgreSQL only). `IF NOT EXISTS`
/// because some extensions (plpgsql) exist in every new database.
pub fn create_extension(dialect: Dialect, ext: &Extension) -> Option<String> {
    if dialect != Dialect::Postgres {
        return None;
    }
    let mut s = format!(
        "CREATE EXTENSION IF NOT EXISTS {}",
        quote_ident(dialect, &ext.name)
    );
    if let Some(schema) = &ext.schema {
        s.push_str(&format!(" WITH SCHEMA {}", quote_ident(dialect, schema)));
    }
    if let Some(v) = &ext.version {
        s.push_str(&format!(" VERSION {}", quote_literal(dialect, v)));
    }
    Some(s)
}

/// `CREATE TYPE ... AS ENUM` (PostgreSQL only; MySQL enums are column
/// types).
pub fn create_enum(dialect: Dialect, schema: &str, e: &EnumType) -> Option<String> {
    if dialect != Dialect::Postgres {
        return None;
    }
    let labels: Vec<String> = e.labels.iter().map(|l| quote_literal(dialect, l)).collect();
    Some(format!(
        "CREATE TYPE {} AS ENUM ({})",
        Ctx::new(dialect).name(schema, &e.name),
        labels.join(", ")
    ))
}

/// `CREATE SEQUENCE` (PostgreSQL; MariaDB syntax on MySQL; none on SQLite).
/// `OWNED BY` needs the table, so it is a separate statement:
/// [`sequence_owned_by`].
pub fn create_sequence(dialect: Dialect, schema: &str, seq: &Sequence) -> Option<String> {
    if dialect == Dialect::Sqlite {
        return None;
    }
    let mut s = format!(
        "CREATE SEQUENCE {}",
        Ctx::new(dialect).name(schema, &seq.name)
    );
    if dialect == Dialect::Postgres
        && let Some(t) = &seq.data_type
    {
        s.push_str(&format!(" AS {t}"));
    }
    for opt in sequence_options(&seq.options, dialect) {
        s.push(' ');
        s.push_str(&opt);
    }
    Some(s)
}

/// `ALTER SEQUENCE ... OWNED BY table.column` (PostgreSQL only).
pub fn sequence_owned_by(dialect: Dialect, schema: &str, seq: &Sequence) -> Option<String> {
    let owner = seq.owned_by.as_ref()?;
    if dialect != Dialect::Postgres {
        return None;
    }
    let ctx = Ctx::new(dialect);
    Some(format!(
        "ALTER SEQUENCE {} OWNED BY {}.{}",
        ctx.name(schema, &seq.name),
        ctx.name(schema, &owner.table),
        quote_ident(dialect, &owner.column)
    ))
}

/// The stored query without surrounding blanks or a trailing semicolon
/// (`pg_get_viewdef` ends with one).
fn query_text(definition: &str) -> &str {
    definition.trim().trim_end_matches(';').trim_end()
}

/// `CREATE VIEW`.
pub fn create_view(dialect: Dialect, schema: &str, view: &View) -> String {
    let ctx = Ctx::new(dialect);
    let cols = if view.columns.is_empty() {
        String::new()
    } else {
        format!(" ({})", quote_list(dialect, &view.columns))
    };
    let name = ctx.name(schema, &view.name);
    let query = query_text(&view.definition);
    let check = match view.check_option {
        None => "",
        Some(CheckOption::Local) => "\nWITH LOCAL CHECK OPTION",
        Some(CheckOption::Cascaded) => "\nWITH CASCADED CHECK OPTION",
    };
    match dialect {
        Dialect::Postgres => {
            let with = if view.security == Some(ViewSecurity::Invoker) {
                " WITH (security_invoker = true)"
            } else {
                ""
            };
            format!("CREATE VIEW {name}{cols}{with} AS\n{query}{check}")
        }
        Dialect::Mysql => {
            let security = match view.security {
                None => "",
                Some(ViewSecurity::Definer) => "SQL SECURITY DEFINER ",
                Some(ViewSecurity::Invoker) => "SQL SECURITY INVOKER ",
            };
            format!("CREATE {security}VIEW {name}{cols} AS\n{query}{check}")
        }
        Dialect::Sqlite => format!("CREATE VIEW {name}{cols} AS\n{query}"),
    }
}

/// `CREATE MATERIALIZED VIEW` and its indexes (PostgreSQL only).
pub fn create_materialized_view(
    dialect: Dialect,
    schema: &str,
    mv: &MaterializedView,
) -> Vec<String> {
    if dialect != Dialect::Postgres {
        return Vec::new();
    }
    let ctx = Ctx::new(dialect);
    let cols = if mv.columns.is_empty() {
        String::new()
    } else {
        format!(" ({})", quote_list(dialect, &mv.columns))
    };
    let ts = mv
        .tablespace
        .as_ref()
        .map(|t| format!(" TABLESPACE {}", quote_ident(dialect, t)))
        .unwrap_or_default();
    let data = if mv.with_data {
        "WITH DATA"
    } else {
        "WITH NO DATA"
    };
    let mut out = vec![format!(
        "CREATE MATERIALIZED VIEW {}{cols}{ts} AS\n{}\n{data}",
        ctx.name(schema, &mv.name),
        query_text(&mv.definition)
    )];
    out.extend(
        mv.indexes
            .iter()
            .map(|i| create_index(dialect, schema, &mv.name, i)),
    );
    out
}

/// A dollar-quote tag that does not occur in `body`.
fn dollar_tag(body: &str) -> String {
    let mut tag = "$function$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$function{n}$");
    }
    tag
}

/// `CREATE FUNCTION` / `CREATE PROCEDURE`: the server's own definition
/// when the model has it, otherwise built from the parts. On MySQL a body
/// with semicolons makes it a compound statement that a script must wrap
/// in `DELIMITER`; see [`super::statements`].
pub fn create_function(dialect: Dialect, schema: &str, f: &Function) -> Option<String> {
    function_stmt(dialect, schema, f).map(|s| s.sql)
}

pub(super) fn function_stmt(dialect: Dialect, schema: &str, f: &Function) -> Option<Stmt> {
    if dialect == Dialect::Sqlite {
        return None;
    }
    if let Some(def) = &f.definition {
        let sql = def.trim().trim_end_matches(';').trim_end().to_string();
        return Some(Stmt::routine(dialect, sql));
    }
    let ctx = Ctx::new(dialect);
    let kind = match f.kind {
        RoutineKind::Function => "FUNCTION",
        RoutineKind::Procedure => "PROCEDURE",
    };
    let mut s = format!(
        "CREATE {kind} {}({})",
        ctx.name(schema, &f.name),
        f.arguments
    );
    if let Some(r) = &f.returns {
        s.push_str(&format!("\nRETURNS {r}"));
    }
    match dialect {
        Dialect::Postgres => {
            if !f.language.is_empty() {
                s.push_str(&format!("\nLANGUAGE {}", f.language));
            }
            if let Some(v) = f.volatility {
                s.push_str(match v {
                    Volatility::Immutable => "\nIMMUTABLE",
                    Volatility::Stable => "\nSTABLE",
                    Volatility::Volatile => "\nVOLATILE",
                });
            }
            if f.security_definer {
                s.push_str("\nSECURITY DEFINER");
            }
            let tag = dollar_tag(&f.body);
            s.push_str(&format!("\nAS {tag}{}{tag}", f.body));
        }
        Dialect::Mysql => {
            if f.kind == RoutineKind::Function {
                s.push_str(match f.volatility {
                    Some(Volatility::Immutable) => "\nDETERMINISTIC",
                    _ => "\nNOT DETERMINISTIC",
                });
            }
            s.push_str(if f.security_definer {
                "\nSQL SECURITY DEFINER"
            } else {
                "\nSQL SECURITY INVOKER"
            });
            if let Some(c) = &f.comment {
                s.push_str(&format!("\nCOMMENT {}", quote_literal(dialect, c)));
            }
            s.push('\n');
            s.push_str(f.body.trim().trim_end_matches(';'));
        }
        Dialect::Sqlite => {}
    }
    Some(Stmt::routine(dialect, s))
}

/// `CREATE TRIGGER`: the server's own definition when known, otherwise
/// built from the parts.
pub fn create_trigger(dialect: Dialect, schema: &str, t: &Trigger) -> String {
    trigger_stmt(dialect, schema, t).sql
}

pub(super) fn trigger_stmt(dialect: Dialect, schema: &str, t: &Trigger) -> Stmt {
    if let Some(def) = &t.definition {
        let sql = def.trim().trim_end_matches(';').trim_end().to_string();
        // A SQLite trigger ends in `END`, whose inner `;` are its own.
        return Stmt::routine(dialect, sql);
    }
    let ctx = Ctx::new(dialect);
    let timing = match t.timing {
        TriggerTiming::Before => "BEFORE",
        TriggerTiming::After => "AFTER",
        TriggerTiming::InsteadOf => "INSTEAD OF",
    };
    let events: Vec<String> = t
        .events
        .iter()
        .map(|e| match e {
            TriggerEvent::Insert => "INSERT".to_string(),
            TriggerEvent::Update if !t.update_columns.is_empty() => {
                format!("UPDATE OF {}", quote_list(dialect, &t.update_columns))
            }
            TriggerEvent::Update => "UPDATE".to_string(),
            TriggerEvent::Delete => "DELETE".to_string(),
            TriggerEvent::Truncate => "TRUNCATE".to_string(),
        })
        .collect();
    let mut s = format!(
        "CREATE TRIGGER {} {timing} {} ON {}",
        quote_ident(dialect, &t.name),
        events.join(" OR "),
        ctx.name(schema, &t.table)
    );
    match (dialect, t.level) {
        (_, TriggerLevel::Row) => s.push_str("\nFOR EACH ROW"),
        (Dialect::Postgres, TriggerLevel::Statement) => s.push_str("\nFOR EACH STATEMENT"),
        // MySQL and SQLite have row triggers only.
        (_, TriggerLevel::Statement) => {}
    }
    if let Some(c) = &t.condition
        && dialect != Dialect::Mysql
    {
        s.push_str(&format!("\nWHEN ({c})"));
    }
    match dialect {
        Dialect::Postgres => {
            let f = t.function.as_deref().unwrap_or("");
            s.push_str(&format!("\nEXECUTE FUNCTION {f}"));
        }
        Dialect::Mysql => {
            s.push('\n');
            s.push_str(t.body.as_deref().unwrap_or("").trim().trim_end_matches(';'));
        }
        Dialect::Sqlite => {
            let body = t.body.as_deref().unwrap_or("").trim();
            s.push('\n');
            if body.to_ascii_uppercase().starts_with("BEGIN") {
                s.push_str(body.trim_end_matches(';'));
            } else {
                let stmt = body.trim_end_matches(';');
                s.push_str(&format!("BEGIN\n    {stmt};\nEND"));
            }
        }
    }
    Stmt::routine(dialect, s)
}

/// `COMMENT ON ...` for everything in `schema` that has a comment
/// (PostgreSQL only; MySQL comments are part of the definitions, SQLite has
/// none).
pub fn comments(dialect: Dialect, schema: &Schema) -> Vec<String> {
    if dialect != Dialect::Postgres {
        return Vec::new();
    }
    let d = dialect;
    let ctx = Ctx::new(d);
    let s = schema.name.as_str();
    let mut out = Vec::new();
    let mut add = |what: String, text: &Option<String>| {
        if let Some(t) = text {
            out.push(format!("COMMENT ON {what} IS {}", quote_literal(d, t)));
        }
    };
    add(format!("SCHEMA {}", quote_ident(d, s)), &schema.comment);
    for e in &schema.enums {
        add(format!("TYPE {}", ctx.name(s, &e.name)), &e.comment);
    }
    for q in &schema.sequences {
        add(format!("SEQUENCE {}", ctx.name(s, &q.name)), &q.comment);
    }
    for t in &schema.tables {
        let tn = ctx.name(s, &t.name);
        add(format!("TABLE {tn}"), &t.comment);
        for c in &t.columns {
            add(
                format!("COLUMN {tn}.{}", quote_ident(d, &c.name)),
                &c.comment,
            );
        }
        let named = |n: &Option<String>| n.as_ref().map(|n| quote_ident(d, n));
        if let Some(pk) = &t.primary_key
            && let Some(n) = named(&pk.name)
        {
            add(format!("CONSTRAINT {n} ON {tn}"), &pk.comment);
        }
        for u in &t.uniques {
            if let Some(n) = named(&u.name) {
                add(format!("CONSTRAINT {n} ON {tn}"), &u.comment);
            }
        }
        for c in &t.checks {
            if let Some(n) = named(&c.name) {
                add(format!("CONSTRAINT {n} ON {tn}"), &c.comment);
            }
        }
        for fk in &t.foreign_keys {
            if let Some(n) = named(&fk.name) {
                add(format!("CONSTRAINT {n} ON {tn}"), &fk.comment);
            }
        }
        for i in &t.indexes {
            add(format!("INDEX {}", ctx.name(s, &i.name)), &i.comment);
        }
    }
    for v in &schema.views {
        add(format!("VIEW {}", ctx.name(s, &v.name)), &v.comment);
    }
    for m in &schema.materialized_views {
        add(
            format!("MATERIALIZED VIEW {}", ctx.name(s, &m.name)),
            &m.comment,
        );
        for i in &m.indexes {
            add(format!("INDEX {}", ctx.name(s, &i.name)), &i.comment);
        }
    }
    for f in &schema.functions {
        let kind = match f.kind {
            RoutineKind::Function => "FUNCTION",
            RoutineKind::Procedure => "PROCEDURE",
        };
        add(
            format!("{kind} {}({})", ctx.name(s, &f.name), f.signature),
            &f.comment,
        );
    }
    for t in &schema.triggers {
        add(
            format!(
                "TRIGGER {} ON {}",
                quote_ident(d, &t.name),
                ctx.name(s, &t.table)
            ),
            &t.comment,
        );
    }
    out
}

/// `COMMENT ON EXTENSION` (PostgreSQL only).
pub fn extension_comment(dialect: Dialect, ext: &Extension) -> Option<String> {
    let c = ext.comment.as_ref()?;
    (dialect == Dialect::Postgres).then(|| {
        format!(
            "COMMENT ON EXTENSION {} IS {}",
            quote_ident(dialect, &ext.name),
            quote_literal(dialect, c)
        )
    })
}
