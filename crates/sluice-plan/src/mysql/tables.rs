//! Tables as wholes and what hangs off them: keys, checks, foreign keys,
//! indexes and table options.

use sluice_schema::render::{self, mysql_index_def};
use sluice_schema::{
    Check, Dialect, ForeignKey, Index, IndexKey, IndexMethod, PrimaryKey, Table, TableOptions,
    UniqueConstraint, quote_ident,
};

use super::Side;
use super::clause::Clause;
use super::draft::Draft;
use super::online::Algorithm;
use crate::Hazard;

const D: Dialect = Dialect::Mysql;

pub(super) fn name(ident: &str) -> String {
    quote_ident(D, ident)
}

/// `ALTER TABLE table body` run with `algorithm` (see [`Clause`]).
pub(super) fn alter(
    side: &Side,
    schema: &str,
    table: &str,
    body: &str,
    algorithm: Algorithm,
) -> Draft {
    Clause::new(body, algorithm).into_alter(side, schema, table)
}

/// A new table, its counter left to start afresh.
pub(super) fn create(schema: &str, table: &Table) -> Draft {
    let mut table = table.clone();
    if let TableOptions::Mysql(o) = &mut table.options {
        o.auto_increment = None;
    }
    Draft::new(render::create_table(D, schema, &table).join(";\n"))
}

pub(super) fn drop(table: &str) -> Draft {
    let t = name(table);
    Draft::new(format!("DROP TABLE {t}"))
        .lock(
            format!("exclusive metadata lock on {t}"),
            "reads and writes",
        )
        .hazard(Hazard::DeletesData)
}

pub(super) fn rename(from: &str, to: &str) -> Draft {
    let f = name(from);
    Draft::new(format!("RENAME TABLE {f} TO {}", name(to))).lock(
        format!("exclusive metadata lock on {f}"),
        "reads and writes, briefly",
    )
}

pub(super) fn add_primary_key(pk: &PrimaryKey) -> Clause {
    Clause::new(
        format!("ADD PRIMARY KEY ({})", columns(&pk.columns)),
        Algorithm::Online { rebuild: true },
    )
    .hazard(Hazard::IndexBuild)
    .note("fails if the key columns hold duplicates or NULLs")
}

/// InnoDB rebuilds a table around its primary key: it drops one online
/// only when a new one is added in the same statement (`replaced`),
/// otherwise by copying the table.
pub(super) fn drop_primary_key(replaced: bool) -> Clause {
    let algorithm = if replaced {
        Algorithm::Online { rebuild: true }
    } else {
        Algorithm::Copy
    };
    Clause::new("DROP PRIMARY KEY", algorithm).hazard(Hazard::IndexDropped)
}

pub(super) fn add_unique(u: &UniqueConstraint) -> Clause {
    let index_name = u
        .name
        .as_ref()
        .map(|n| format!("{} ", name(n)))
        .unwrap_or_default();
    Clause::new(
        format!("ADD UNIQUE KEY {index_name}({})", columns(&u.columns)),
        Algorithm::Online { rebuild: false },
    )
    .hazard(Hazard::IndexBuild)
}

pub(super) fn drop_unique(
    side: &Side,
    schema: &str,
    table: &str,
    u: &UniqueConstraint,
) -> Option<Draft> {
    let body = format!("DROP INDEX {}", name(u.name.as_ref()?));
    Some(
        alter(
            side,
            schema,
            table,
            &body,
            Algorithm::Online { rebuild: false },
        )
        .hazard(Hazard::IndexDropped),
    )
}

/// The server checks every row, which it does by copying the table.
pub(super) fn add_check(side: &Side, schema: &str, table: &str, check: &Check) -> Draft {
    let constraint = check
        .name
        .as_ref()
        .map(|n| format!("CONSTRAINT {} ", name(n)))
        .unwrap_or_default();
    let enforced = if check.enforced { "" } else { " NOT ENFORCED" };
    let body = format!("ADD {constraint}CHECK ({}){enforced}", check.expression);
    alter(side, schema, table, &body, Algorithm::Copy)
        .note("the server checks every row; fails if one does not pass")
}

pub(super) fn drop_check(side: &Side, schema: &str, table: &str, check: &Check) -> Option<Draft> {
    let keyword = if side.server.drops_checks_by_check() {
        "CHECK"
    } else {
        "CONSTRAINT"
    };
    let body = format!("DROP {keyword} {}", name(check.name.as_ref()?));
    Some(alter(side, schema, table, &body, Algorithm::ServerChoice))
}

/// MySQL validates a new foreign key by copying the table (in place only
/// with `foreign_key_checks` off, which would leave existing rows
/// unchecked). A table the plan creates is empty: nothing to copy.
pub(super) fn add_foreign_key(
    side: &Side,
    schema: &str,
    table: &str,
    fk: &ForeignKey,
) -> Option<Draft> {
    let sql = render::add_foreign_key(D, schema, table, fk)?;
    let body = sql
        .strip_prefix(&format!("ALTER TABLE {} ", name(table)))?
        .to_string();
    let parent = name(&fk.referenced_table);
    if side.is_new(schema, table) {
        let t = name(table);
        return Some(Draft::new(sql).lock(
            format!("metadata lock on {t} (created by this plan) and on {parent}"),
            format!("writes to {parent}, briefly"),
        ));
    }
    Some(
        alter(side, schema, table, &body, Algorithm::Copy)
            .note(format!(
                "the server checks every row against {parent}; fails if one has no parent"
            ))
            .note("MySQL checks a new foreign key by copying the table; gh-ost or pt-online-schema-change avoid the long lock"),
    )
}

pub(super) fn drop_foreign_key(
    side: &Side,
    schema: &str,
    table: &str,
    fk: &ForeignKey,
) -> Option<Draft> {
    let body = format!("DROP FOREIGN KEY {}", name(fk.name.as_ref()?));
    Some(alter(
        side,
        schema,
        table,
        &body,
        Algorithm::Online { rebuild: false },
    ))
}

/// How an index is built: online for B-tree and hash indexes on columns;
/// FULLTEXT and SPATIAL indexes block writes; expression parts (hidden
/// generated columns) are left to the server.
fn index_algorithm(index: &Index) -> Algorithm {
    match index.method {
        IndexMethod::Fulltext | IndexMethod::Spatial => Algorithm::InPlaceShared { rebuild: false },
        _ if index
            .parts
            .iter()
            .any(|p| matches!(p.key, IndexKey::Expression(_))) =>
        {
            Algorithm::ServerChoice
        }
        _ => Algorithm::Online { rebuild: false },
    }
}

pub(super) fn create_index(index: &Index) -> Clause {
    Clause::new(
        format!("ADD {}", mysql_index_def(index)),
        index_algorithm(index),
    )
    .hazard(Hazard::IndexBuild)
}

pub(super) fn drop_index(side: &Side, schema: &str, table: &str, index: &Index) -> Draft {
    let body = format!("DROP INDEX {}", name(&index.name));
    alter(
        side,
        schema,
        table,
        &body,
        Algorithm::Online { rebuild: false },
    )
    .hazard(Hazard::IndexDropped)
}

/// An index comment cannot be altered: the index is dropped and added
/// again in one statement.
pub(super) fn rebuild_index(side: &Side, schema: &str, table: &str, index: &Index) -> Draft {
    let body = format!(
        "DROP INDEX {}, ADD {}",
        name(&index.name),
        mysql_index_def(index)
    );
    alter(side, schema, table, &body, index_algorithm(index))
        .hazard(Hazard::IndexBuild)
        .note("MySQL cannot change an index comment in place: the index is built again")
}

/// Engine, default character set and collation, row format.
pub(super) fn alter_options(
    side: &Side,
    schema: &str,
    table: &str,
    from: &TableOptions,
    to: &TableOptions,
) -> Option<Draft> {
    let empty = Default::default();
    let a = from.mysql().unwrap_or(&empty);
    let b = to.mysql()?;
    let differs = |x: &Option<String>, y: &Option<String>| {
        y.is_some()
            && !x
                .as_deref()
                .unwrap_or("")
                .eq_ignore_ascii_case(y.as_deref().unwrap_or(""))
    };
    let mut options = Vec::new();
    let mut algorithm = Algorithm::Instant;
    let mut notes = Vec::new();
    if differs(&a.engine, &b.engine) {
        options.push(format!("ENGINE={}", b.engine.as_deref().unwrap_or("")));
        algorithm = Algorithm::Copy;
    }
    if differs(&a.charset, &b.charset) || differs(&a.collation, &b.collation) {
        if let Some(cs) = &b.charset {
            options.push(format!("DEFAULT CHARSET={cs}"));
        }
        if let Some(c) = &b.collation {
            options.push(format!("COLLATE={c}"));
        }
        algorithm = algorithm.max(Algorithm::ServerChoice);
        notes.push("a new default for columns added later; existing columns keep theirs");
    }
    if differs(&a.row_format, &b.row_format) {
        options.push(format!(
            "ROW_FORMAT={}",
            b.row_format.as_deref().unwrap_or("")
        ));
        algorithm = algorithm.max(Algorithm::Online { rebuild: true });
    }
    if options.is_empty() {
        return None;
    }
    let draft = alter(side, schema, table, &options.join(" "), algorithm);
    Some(notes.into_iter().fold(draft, Draft::note))
}

fn columns(names: &[String]) -> String {
    sluice_schema::quote::quote_list(D, names)
}
