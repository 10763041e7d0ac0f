//! DDL rendering: a catalog as a script its own server runs as is to
//! recreate the schema in an empty database.
//!
//! Order follows dependencies: schemas, extensions, enum types, sequences,
//! (PostgreSQL functions used by table expressions), tables with their
//! inline constraints and partitions, sequence ownership, indexes, foreign
//! keys as `ALTER TABLE ... ADD CONSTRAINT` (so reference cycles work),
//! then views, materialized views and functions together in the order of
//! the names their definitions mention, triggers, and comments.
//!
//! Schemas come before extensions, unlike some lists, because an extension
//! may be installed into a schema of the dump. PostgreSQL scripts start
//! with `SET check_function_bodies = false` (as `pg_dump` does) so a SQL
//! function may name objects created after it.
//!
//! Names are schema-qualified on PostgreSQL and left bare on MySQL and
//! SQLite, whose catalogs have one schema: the dump then applies to a
//! database of any name.

mod objects;
pub mod order;
mod table;

pub use objects::{
    comments, create_enum, create_extension, create_function, create_materialized_view,
    create_schema, create_sequence, create_trigger, create_view, extension_comment,
    sequence_owned_by,
};
pub use table::{
    add_foreign_key, column_def, create_index, create_table, mysql_index_def, mysql_partitioning,
};
// Constraint clauses and sequence options as `CREATE TABLE` writes them,
// for planners that add them to an existing table.
pub use table::{
    check as check_clause, primary_key as primary_key_clause, sequence_options,
    unique as unique_clause,
};

use crate::dialect::Dialect;
use crate::model::{Catalog, Function, IndexKey, Schema, Table};
use crate::quote::{quote_ident, quote_qualified};

/// How names are written for a dialect.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctx {
    pub dialect: Dialect,
}

impl Ctx {
    pub fn new(dialect: Dialect) -> Self {
        Ctx { dialect }
    }

    /// An object name: qualified on PostgreSQL, bare elsewhere.
    pub fn name(&self, schema: &str, name: &str) -> String {
        match self.dialect {
            Dialect::Postgres => quote_qualified(self.dialect, schema, name),
            Dialect::Mysql | Dialect::Sqlite => quote_ident(self.dialect, name),
        }
    }

    /// A name in another schema than the current one (a cross-database
    /// foreign key on MySQL): always qualified, except on SQLite.
    pub fn foreign_name(&self, schema: &str, name: &str) -> String {
        match self.dialect {
            Dialect::Postgres | Dialect::Mysql => quote_qualified(self.dialect, schema, name),
            Dialect::Sqlite => quote_ident(self.dialect, name),
        }
    }
}

/// One statement of a dump. `compound` marks a MySQL routine or trigger
/// whose body has semicolons: a script must change the delimiter around it.
#[derive(Clone, Debug)]
pub(crate) struct Stmt {
    pub sql: String,
    pub compound: bool,
}

impl Stmt {
    pub fn plain(sql: String) -> Self {
        Stmt {
            sql,
            compound: false,
        }
    }

    pub fn routine(dialect: Dialect, sql: String) -> Self {
        let compound = dialect == Dialect::Mysql && sql.contains(';');
        Stmt { sql, compound }
    }
}

/// The schema as a script: statements separated by blank lines, each
/// ended by `;`. MySQL routines and triggers with bodies are wrapped in
/// `DELIMITER ;;` ... `DELIMITER ;` as `mysqldump` does, which the `mysql`
/// and `mariadb` clients and Sluice's statement splitter understand.
pub fn ddl(catalog: &Catalog) -> String {
    let mut out = String::new();
    for stmt in plan(catalog) {
        if stmt.compound {
            out.push_str("DELIMITER ;;\n");
            out.push_str(&stmt.sql);
            out.push_str(";;\nDELIMITER ;\n\n");
        } else {
            out.push_str(&stmt.sql);
            out.push_str(";\n\n");
        }
    }
    if out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The same statements as [`ddl`], one per element, without terminators or
/// delimiter changes: for executing one by one through a driver.
pub fn statements(catalog: &Catalog) -> Vec<String> {
    plan(catalog).into_iter().map(|s| s.sql).collect()
}

/// Which object a programmable node is.
#[derive(Clone, Copy)]
enum Prog<'a> {
    Function(&'a Schema, &'a Function),
    View(&'a Schema, usize),
    MatView(&'a Schema, usize),
}

fn plan(catalog: &Catalog) -> Vec<Stmt> {
    let d = catalog.dialect;
    let mut c = catalog.clone();
    c.normalize();
    let catalog = &c;
    let mut out: Vec<Stmt> = Vec::new();
    let push = |out: &mut Vec<Stmt>, s: Option<String>| {
        if let Some(s) = s {
            out.push(Stmt::plain(s));
        }
    };

    let has_functions = catalog.schemas.iter().any(|s| !s.functions.is_empty());
    if d == Dialect::Postgres && has_functions {
        out.push(Stmt::plain("SET check_function_bodies = false".into()));
    }
    if d == Dialect::Mysql && (catalog.charset.is_some() || catalog.collation.is_some()) {
        let mut s = "ALTER DATABASE".to_string();
        if let Some(cs) = &catalog.charset {
            s.push_str(&format!(" CHARACTER SET {cs}"));
        }
        if let Some(co) = &catalog.collation {
            s.push_str(&format!(" COLLATE {co}"));
        }
        out.push(Stmt::plain(s));
    }
    for s in &catalog.schemas {
        push(&mut out, create_schema(d, s));
    }
    for e in &catalog.extensions {
        push(&mut out, create_extension(d, e));
    }
    for s in &catalog.schemas {
        for e in &s.enums {
            push(&mut out, create_enum(d, &s.name, e));
        }
    }
    for s in &catalog.schemas {
        for q in &s.sequences {
            push(&mut out, create_sequence(d, &s.name, q));
        }
    }

    let early = early_functions(catalog);
    for (s, f) in &early {
        out.extend(objects::function_stmt(d, &s.name, f));
    }

    for (s, t) in tables_in_order(catalog) {
        out.extend(table::create_table_stmts(Ctx::new(d), &s.name, t));
    }
    for s in &catalog.schemas {
        for q in &s.sequences {
            push(&mut out, sequence_owned_by(d, &s.name, q));
        }
    }
    if d != Dialect::Mysql {
        for s in &catalog.schemas {
            for t in &s.tables {
                for i in &t.indexes {
                    out.push(Stmt::plain(create_index(d, &s.name, &t.name, i)));
                }
            }
        }
    }
    for s in &catalog.schemas {
        for t in &s.tables {
            for fk in &t.foreign_keys {
                push(&mut out, add_foreign_key(d, &s.name, &t.name, fk));
            }
        }
    }

    for node in programmables_in_order(catalog, &early) {
        match node {
            Prog::Function(s, f) => out.extend(objects::function_stmt(d, &s.name, f)),
            Prog::View(s, i) => out.push(Stmt::plain(create_view(d, &s.name, &s.views[i]))),
            Prog::MatView(s, i) => out.extend(
                create_materialized_view(d, &s.name, &s.materialized_views[i])
                    .into_iter()
                    .map(Stmt::plain),
            ),
        }
    }
    for s in &catalog.schemas {
        for t in &s.triggers {
            out.push(objects::trigger_stmt(d, &s.name, t));
        }
    }
    for e in &catalog.extensions {
        push(&mut out, extension_comment(d, e));
    }
    for s in &catalog.schemas {
        out.extend(comments(d, s).into_iter().map(Stmt::plain));
    }
    out
}

/// Tables in canonical order, except that a PostgreSQL table comes after
/// the tables it `INHERITS` from.
fn tables_in_order(catalog: &Catalog) -> Vec<(&Schema, &Table)> {
    let all: Vec<(&Schema, &Table)> = catalog
        .schemas
        .iter()
        .flat_map(|s| s.tables.iter().map(move |t| (s, t)))
        .collect();
    let index_of = |schema: &str, name: &str| {
        all.iter()
            .position(|(s, t)| s.name == schema && t.name == name)
    };
    let any_inherits = all
        .iter()
        .any(|(_, t)| t.options.postgres().is_some_and(|o| !o.inherits.is_empty()));
    if !any_inherits {
        return all;
    }
    let deps: Vec<Vec<usize>> = all
        .iter()
        .map(|(_, t)| {
            t.options
                .postgres()
                .map(|o| {
                    o.inherits
                        .iter()
                        .filter_map(|q| index_of(&q.schema, &q.name))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    order::topological_order(&deps)
        .into_iter()
        .map(|i| all[i])
        .collect()
}

/// PostgreSQL functions named in table expressions (defaults, generated
/// columns, checks, index expressions and predicates, partition keys):
/// they must exist before the tables. Functions whose signature names a
/// table (a row type) cannot go first and stay in the later group.
fn early_functions(catalog: &Catalog) -> Vec<(&Schema, &Function)> {
    if catalog.dialect != Dialect::Postgres {
        return Vec::new();
    }
    let funcs: Vec<(&Schema, &Function)> = catalog
        .schemas
        .iter()
        .flat_map(|s| s.functions.iter().map(move |f| (s, f)))
        .collect();
    if funcs.is_empty() {
        return Vec::new();
    }
    let mut text = String::new();
    let mut table_names: Vec<&str> = Vec::new();
    for s in &catalog.schemas {
        for t in &s.tables {
            table_names.push(&t.name);
            for c in &t.columns {
                for e in [
                    &c.default,
                    &c.generated.as_ref().map(|g| g.expression.clone()),
                ]
                .into_iter()
                .flatten()
                {
                    text.push_str(e);
                    text.push('\n');
                }
            }
            for ch in &t.checks {
                text.push_str(&ch.expression);
                text.push('\n');
            }
            for i in &t.indexes {
                for p in &i.parts {
                    if let IndexKey::Expression(e) = &p.key {
                        text.push_str(e);
                        text.push('\n');
                    }
                }
                if let Some(p) = &i.predicate {
                    text.push_str(p);
                    text.push('\n');
                }
            }
            if let Some(p) = &t.partitioning {
                text.push_str(&p.key);
                text.push('\n');
            }
        }
    }
    let names: Vec<&str> = funcs.iter().map(|(_, f)| f.name.as_str()).collect();
    let used = order::references(&names, [text.as_str()]).remove(0);
    used.into_iter()
        .map(|i| funcs[i])
        .filter(|(_, f)| {
            let sig = format!("{} {}", f.arguments, f.returns.as_deref().unwrap_or(""));
            order::references(&table_names, [sig.as_str()])[0].is_empty()
        })
        .collect()
}

/// Views, materialized views and functions in one dependency order, since
/// each kind may use the others. Ties go functions first, then views, then
/// materialized views, each by schema and name.
fn programmables_in_order<'a>(
    catalog: &'a Catalog,
    early: &[(&'a Schema, &'a Function)],
) -> Vec<Prog<'a>> {
    let d = catalog.dialect;
    let mut nodes: Vec<Prog<'a>> = Vec::new();
    for s in &catalog.schemas {
        if d != Dialect::Sqlite {
            for f in &s.functions {
                if !early
                    .iter()
                    .any(|(es, ef)| std::ptr::eq(*es, s) && std::ptr::eq(*ef, f))
                {
                    nodes.push(Prog::Function(s, f));
                }
            }
        }
    }
    for s in &catalog.schemas {
        nodes.extend((0..s.views.len()).map(|i| Prog::View(s, i)));
    }
    if d == Dialect::Postgres {
        for s in &catalog.schemas {
            nodes.extend((0..s.materialized_views.len()).map(|i| Prog::MatView(s, i)));
        }
    }
    let names: Vec<&str> = nodes
        .iter()
        .map(|n| match *n {
            Prog::Function(_, f) => f.name.as_str(),
            Prog::View(s, i) => s.views[i].name.as_str(),
            Prog::MatView(s, i) => s.materialized_views[i].name.as_str(),
        })
        .collect();
    let texts: Vec<String> = nodes
        .iter()
        .map(|n| match *n {
            Prog::Function(_, f) => match &f.definition {
                Some(def) => def.clone(),
                None => format!(
                    "{}\n{}\n{}",
                    f.arguments,
                    f.returns.as_deref().unwrap_or(""),
                    f.body
                ),
            },
            Prog::View(s, i) => s.views[i].definition.clone(),
            Prog::MatView(s, i) => s.materialized_views[i].definition.clone(),
        })
        .collect();
    let mut deps = order::references(&names, texts.iter().map(String::as_str));
    // A function's own name in its definition is no dependency, and an
    // overload naming its sibling is not one either: functions with the
    // same name never wait for each other.
    for (i, dep) in deps.iter_mut().enumerate() {
        dep.retain(|&j| j != i && names[j] != names[i]);
    }
    order::topological_order(&deps)
        .into_iter()
        .map(|i| nodes[i])
        .collect()
}
