//! `CREATE TABLE` and what belongs to tables: columns, keys, checks,
//! partitions, indexes and foreign keys.

use super::{Ctx, Stmt};
use crate::dialect::Dialect;
use crate::model::{
    Check, Column, Deferral, ForeignKey, GeneratedKind, Identity, IdentityKind, Index, IndexKey,
    IndexMethod, IndexPart, MatchType, NullsOrder, Partition, Partitioning, PrimaryKey,
    ReferentialAction, SequenceOptions, SortOrder, Table, TableOptions, UniqueConstraint,
};
use crate::quote::{quote_ident, quote_list, quote_literal};

/// `CREATE TABLE` for `table` in `schema`, followed on PostgreSQL by its
/// partitions (`CREATE TABLE ... PARTITION OF`) and row-security switch.
///
/// Columns, primary key, unique constraints and checks are inline
/// everywhere. Foreign keys are inline only on SQLite, which cannot add
/// them later and does not check references at creation time; elsewhere
/// they are added after all tables so reference cycles work. Indexes are
/// inline only on MySQL, where an `AUTO_INCREMENT` column must be a key at
/// creation time and where `SHOW CREATE TABLE` keeps them too.
pub fn create_table(dialect: Dialect, schema: &str, table: &Table) -> Vec<String> {
    create_table_stmts(Ctx::new(dialect), schema, table)
        .into_iter()
        .map(|s| s.sql)
        .collect()
}

pub(super) fn create_table_stmts(ctx: Ctx, schema: &str, table: &Table) -> Vec<Stmt> {
    let d = ctx.dialect;
    let inline_pk_column = sqlite_inline_pk(d, table);
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| column_def(d, c, inline_pk_column == Some(c.name.as_str())))
        .collect();
    if let Some(pk) = &table.primary_key
        && inline_pk_column.is_none()
    {
        lines.push(primary_key(d, pk));
    }
    lines.extend(table.uniques.iter().map(|u| unique(d, u)));
    if d == Dialect::Mysql {
        lines.extend(table.indexes.iter().map(mysql_index_def));
    }
    lines.extend(table.checks.iter().map(|c| check(d, c)));
    if d == Dialect::Sqlite {
        lines.extend(
            table
                .foreign_keys
                .iter()
                .map(|fk| foreign_key_clause(ctx, schema, fk)),
        );
    }

    let pg = table.options.postgres();
    let unlogged = if pg.is_some_and(|o| o.unlogged) {
        "UNLOGGED "
    } else {
        ""
    };
    let mut sql = format!(
        "CREATE {unlogged}TABLE {} (\n    {}\n)",
        ctx.name(schema, &table.name),
        lines.join(",\n    ")
    );
    sql.push_str(&table_suffix(ctx, table));

    let mut out = vec![Stmt::plain(sql)];
    if d == Dialect::Postgres {
        if let Some(p) = &table.partitioning {
            postgres_partitions(ctx, schema, &table.name, p, &mut out);
        }
        if pg.is_some_and(|o| o.row_security) {
            out.push(Stmt::plain(format!(
                "ALTER TABLE {} ENABLE ROW LEVEL SECURITY",
                ctx.name(schema, &table.name)
            )));
        }
    }
    out
}

/// SQLite's `AUTOINCREMENT` is only allowed as `INTEGER PRIMARY KEY
/// AUTOINCREMENT` on the column itself, so such a key is rendered inline.
fn sqlite_inline_pk(d: Dialect, table: &Table) -> Option<&str> {
    if d != Dialect::Sqlite {
        return None;
    }
    let pk = table.primary_key.as_ref()?;
    match pk.columns.as_slice() {
        [only] if table.column(only).is_some_and(|c| c.auto_increment) => Some(only),
        _ => None,
    }
}

fn table_suffix(ctx: Ctx, table: &Table) -> String {
    let d = ctx.dialect;
    let mut s = String::new();
    match &table.options {
        TableOptions::Postgres(o) => {
            if !o.inherits.is_empty() {
                let parents: Vec<String> = o
                    .inherits
                    .iter()
                    .map(|q| ctx.name(&q.schema, &q.name))
                    .collect();
                s.push_str(&format!("\nINHERITS ({})", parents.join(", ")));
            }
        }
        TableOptions::None | TableOptions::Mysql(_) | TableOptions::Sqlite(_) => {}
    }
    if d == Dialect::Postgres
        && let Some(p) = &table.partitioning
    {
        s.push_str(&format!(
            "\nPARTITION BY {} ({})",
            p.strategy.as_sql(),
            p.key
        ));
    }
    match &table.options {
        TableOptions::Postgres(o) => {
            if !o.storage_parameters.is_empty() {
                s.push_str(&format!("\nWITH ({})", o.storage_parameters.join(", ")));
            }
            if let Some(ts) = &o.tablespace {
                s.push_str(&format!("\nTABLESPACE {}", quote_ident(d, ts)));
            }
        }
        TableOptions::Mysql(o) => {
            let mut opts = Vec::new();
            if let Some(e) = &o.engine {
                opts.push(format!("ENGINE={e}"));
            }
            if let Some(n) = o.auto_increment {
                opts.push(format!("AUTO_INCREMENT={n}"));
            }
            if let Some(cs) = &o.charset {
                opts.push(format!("DEFAULT CHARSET={cs}"));
            }
            if let Some(c) = &o.collation {
                opts.push(format!("COLLATE={c}"));
            }
            if let Some(r) = &o.row_format {
                opts.push(format!("ROW_FORMAT={r}"));
            }
            if let Some(c) = &table.comment {
                opts.push(format!("COMMENT={}", quote_literal(d, c)));
            }
            if !opts.is_empty() {
                s.push(' ');
                s.push_str(&opts.join(" "));
            }
        }
        TableOptions::Sqlite(o) => {
            let mut opts = Vec::new();
            if o.without_rowid {
                opts.push("WITHOUT ROWID");
            }
            if o.strict {
                opts.push("STRICT");
            }
            if !opts.is_empty() {
                s.push(' ');
                s.push_str(&opts.join(", "));
            }
        }
        TableOptions::None => {
            if d == Dialect::Mysql
                && let Some(c) = &table.comment
            {
                s.push_str(&format!(" COMMENT={}", quote_literal(d, c)));
            }
        }
    }
    if d == Dialect::Mysql
        && let Some(p) = &table.partitioning
    {
        s.push('\n');
        s.push_str(&mysql_partitioning(d, p));
    }
    s
}

/// One column's definition as `CREATE TABLE` writes it (also what MySQL's
/// `ADD COLUMN` and `MODIFY COLUMN` take).
pub fn column_def(d: Dialect, c: &Column, sqlite_pk_autoincrement: bool) -> String {
    let mut s = quote_ident(d, &c.name);
    if !c.data_type.is_empty() {
        s.push(' ');
        s.push_str(&c.data_type);
    }
    match d {
        Dialect::Postgres => {
            if let Some(coll) = &c.collation {
                s.push_str(&format!(" COLLATE {}", collation(d, coll)));
            }
            if let Some(id) = &c.identity {
                s.push_str(&identity(id));
            } else if let Some(g) = &c.generated {
                s.push_str(&generated(&g.expression, g.kind));
            } else if let Some(def) = &c.default {
                s.push_str(&format!(" DEFAULT {def}"));
            }
            if !c.nullable {
                s.push_str(" NOT NULL");
            }
        }
        Dialect::Mysql => {
            if let Some(cs) = &c.charset {
                s.push_str(&format!(" CHARACTER SET {cs}"));
            }
            if let Some(coll) = &c.collation {
                s.push_str(&format!(" COLLATE {coll}"));
            }
            if let Some(g) = &c.generated {
                s.push_str(&generated(&g.expression, g.kind));
            }
            if !c.nullable {
                s.push_str(" NOT NULL");
            } else if c.data_type.to_ascii_lowercase().starts_with("timestamp") {
                // Without an explicit NULL, old servers make the first
                // TIMESTAMP column NOT NULL with an automatic default.
                s.push_str(" NULL");
            }
            if c.generated.is_none()
                && let Some(def) = &c.default
            {
                s.push_str(&format!(" DEFAULT {def}"));
            }
            if let Some(u) = &c.on_update {
                s.push_str(&format!(" ON UPDATE {u}"));
            }
            if c.auto_increment {
                s.push_str(" AUTO_INCREMENT");
            }
            if let Some(cm) = &c.comment {
                s.push_str(&format!(" COMMENT {}", quote_literal(d, cm)));
            }
        }
        Dialect::Sqlite => {
            if sqlite_pk_autoincrement {
                s.push_str(" PRIMARY KEY AUTOINCREMENT");
            }
            if !c.nullable {
                s.push_str(" NOT NULL");
            }
            if c.generated.is_none()
                && let Some(def) = &c.default
            {
                s.push_str(&format!(" DEFAULT {def}"));
            }
            if let Some(coll) = &c.collation {
                s.push_str(&format!(" COLLATE {}", quote_ident(d, coll)));
            }
            if let Some(g) = &c.generated {
                s.push_str(&generated(&g.expression, g.kind));
            }
        }
    }
    s
}

/// PostgreSQL collation names are identifiers (`"C"`, `"en_US"`); a name
/// already quoted or qualified by the inspector is kept as given.
fn collation(d: Dialect, name: &str) -> String {
    if name.contains('"') || name.contains('.') {
        name.to_string()
    } else {
        // Collation names are case-sensitive: quote unless plain lowercase.
        quote_ident(d, name)
    }
}

fn identity(id: &Identity) -> String {
    let kind = match id.kind {
        IdentityKind::Always => "ALWAYS",
        IdentityKind::ByDefault => "BY DEFAULT",
    };
    let opts = sequence_options(&id.sequence, Dialect::Postgres);
    if opts.is_empty() {
        format!(" GENERATED {kind} AS IDENTITY")
    } else {
        format!(" GENERATED {kind} AS IDENTITY ({})", opts.join(" "))
    }
}

/// The option clauses shared by `CREATE SEQUENCE` and identity columns,
/// only those that are set (unset means the server default).
pub fn sequence_options(o: &SequenceOptions, d: Dialect) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(x) = o.start {
        v.push(format!("START WITH {x}"));
    }
    if let Some(x) = o.increment {
        v.push(format!("INCREMENT BY {x}"));
    }
    if let Some(x) = o.min_value {
        v.push(format!("MINVALUE {x}"));
    }
    if let Some(x) = o.max_value {
        v.push(format!("MAXVALUE {x}"));
    }
    if let Some(x) = o.cache {
        v.push(format!("CACHE {x}"));
    }
    match (o.cycle, d) {
        (true, _) => v.push("CYCLE".into()),
        (false, Dialect::Mysql) => v.push("NOCYCLE".into()),
        (false, _) => v.push("NO CYCLE".into()),
    }
    v
}

fn generated(expr: &str, kind: GeneratedKind) -> String {
    let kind = match kind {
        GeneratedKind::Stored => "STORED",
        GeneratedKind::Virtual => "VIRTUAL",
    };
    format!(" GENERATED ALWAYS AS ({expr}) {kind}")
}

fn constraint_name(d: Dialect, name: &Option<String>) -> String {
    match name {
        Some(n) => format!("CONSTRAINT {} ", quote_ident(d, n)),
        None => String::new(),
    }
}

pub fn primary_key(d: Dialect, pk: &PrimaryKey) -> String {
    // MySQL always names the key PRIMARY and rejects another name.
    let name = if d == Dialect::Mysql {
        String::new()
    } else {
        constraint_name(d, &pk.name)
    };
    format!("{name}PRIMARY KEY ({})", quote_list(d, &pk.columns))
}

pub fn unique(d: Dialect, u: &UniqueConstraint) -> String {
    if d == Dialect::Mysql {
        let name = u
            .name
            .as_ref()
            .map(|n| format!("{} ", quote_ident(d, n)))
            .unwrap_or_default();
        return format!("UNIQUE KEY {name}({})", quote_list(d, &u.columns));
    }
    let nnd = if u.nulls_not_distinct {
        "NULLS NOT DISTINCT "
    } else {
        ""
    };
    format!(
        "{}UNIQUE {nnd}({}){}",
        constraint_name(d, &u.name),
        quote_list(d, &u.columns),
        deferral(u.deferral)
    )
}

pub fn check(d: Dialect, c: &Check) -> String {
    let mut s = format!("{}CHECK ({})", constraint_name(d, &c.name), c.expression);
    if d == Dialect::Postgres && c.no_inherit {
        s.push_str(" NO INHERIT");
    }
    if d == Dialect::Mysql && !c.enforced {
        s.push_str(" NOT ENFORCED");
    }
    s
}

fn deferral(d: Deferral) -> &'static str {
    match d {
        Deferral::NotDeferrable => "",
        Deferral::InitiallyImmediate => " DEFERRABLE INITIALLY IMMEDIATE",
        Deferral::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
    }
}

/// `CREATE TABLE ... PARTITION OF` for each partition, depth first with an
/// explicit stack so that sub-partitions follow their parent.
fn postgres_partitions(
    ctx: Ctx,
    schema: &str,
    table: &str,
    root: &Partitioning,
    out: &mut Vec<Stmt>,
) {
    let mut stack: Vec<(&str, &Partition)> =
        root.partitions.iter().rev().map(|p| (table, p)).collect();
    while let Some((parent, part)) = stack.pop() {
        let bound = part.bound.as_deref().unwrap_or("DEFAULT");
        let mut sql = format!(
            "CREATE TABLE {} PARTITION OF {}\n{bound}",
            ctx.name(schema, &part.name),
            ctx.name(schema, parent)
        );
        if let Some(sub) = &part.partitioning {
            sql.push_str(&format!(
                "\nPARTITION BY {} ({})",
                sub.strategy.as_sql(),
                sub.key
            ));
            stack.extend(sub.partitions.iter().rev().map(|p| (part.name.as_str(), p)));
        }
        out.push(Stmt::plain(sql));
    }
}

/// MySQL's `PARTITION BY ...` clause with its partition list.
pub fn mysql_partitioning(d: Dialect, p: &Partitioning) -> String {
    let mut s = format!("PARTITION BY {} ({})", p.strategy.as_sql(), p.key);
    // MySQL declares sub-partitioning once for the table.
    if let Some(sub) = p.partitions.iter().find_map(|x| x.partitioning.as_deref()) {
        s.push_str(&format!(
            "\nSUBPARTITION BY {} ({})",
            sub.strategy.as_sql(),
            sub.key
        ));
    }
    if p.partitions.is_empty() {
        return s;
    }
    let parts: Vec<String> = p
        .partitions
        .iter()
        .map(|part| {
            let mut x = format!("PARTITION {}", quote_ident(d, &part.name));
            if let Some(b) = &part.bound {
                x.push(' ');
                x.push_str(b);
            }
            if let Some(c) = &part.comment {
                x.push_str(&format!(" COMMENT = {}", quote_literal(d, c)));
            }
            if let Some(sub) = &part.partitioning
                && !sub.partitions.is_empty()
            {
                let subs: Vec<String> = sub
                    .partitions
                    .iter()
                    .map(|sp| format!("SUBPARTITION {}", quote_ident(d, &sp.name)))
                    .collect();
                x.push_str(&format!(" ({})", subs.join(", ")));
            }
            x
        })
        .collect();
    s.push_str(&format!("\n({})", parts.join(",\n ")));
    s
}

fn index_part(d: Dialect, p: &IndexPart) -> String {
    let mut s = match &p.key {
        IndexKey::Column(c) => quote_ident(d, c),
        IndexKey::Expression(e) => format!("({e})"),
    };
    if let Some(n) = p.prefix_length
        && d == Dialect::Mysql
    {
        s.push_str(&format!("({n})"));
    }
    if let Some(c) = &p.collation {
        s.push_str(&format!(" COLLATE {}", collation(d, c)));
    }
    if let Some(op) = &p.opclass
        && d == Dialect::Postgres
    {
        s.push(' ');
        s.push_str(op);
    }
    if p.order == SortOrder::Desc {
        s.push_str(" DESC");
    }
    if let Some(n) = p.nulls
        && d == Dialect::Postgres
    {
        s.push_str(match n {
            NullsOrder::First => " NULLS FIRST",
            NullsOrder::Last => " NULLS LAST",
        });
    }
    s
}

fn index_parts(d: Dialect, index: &Index) -> String {
    index
        .parts
        .iter()
        .map(|p| index_part(d, p))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An index as a `CREATE TABLE` line on MySQL: `UNIQUE KEY`, `FULLTEXT
/// KEY`, `SPATIAL KEY` or `KEY`. MySQL wraps expression parts in a second
/// pair of parentheses: `((lower(name)))`.
pub fn mysql_index_def(index: &Index) -> String {
    let d = Dialect::Mysql;
    let kind = match (&index.method, index.unique) {
        (IndexMethod::Fulltext, _) => "FULLTEXT KEY",
        (IndexMethod::Spatial, _) => "SPATIAL KEY",
        (_, true) => "UNIQUE KEY",
        (_, false) => "KEY",
    };
    let mut s = format!(
        "{kind} {} ({})",
        quote_ident(d, &index.name),
        index_parts(d, index)
    );
    if index.method == IndexMethod::Hash {
        s.push_str(" USING HASH");
    }
    if let Some(c) = &index.comment {
        s.push_str(&format!(" COMMENT {}", quote_literal(d, c)));
    }
    s
}

/// `CREATE INDEX` for PostgreSQL and SQLite, or `CREATE ... INDEX` for
/// MySQL when an index is added on its own (a materialized view's index,
/// a diff's new index).
pub fn create_index(dialect: Dialect, schema: &str, table: &str, index: &Index) -> String {
    let ctx = Ctx::new(dialect);
    let d = dialect;
    let on = ctx.name(schema, table);
    let name = quote_ident(d, &index.name);
    match d {
        Dialect::Mysql => {
            let kind = match (&index.method, index.unique) {
                (IndexMethod::Fulltext, _) => "FULLTEXT ",
                (IndexMethod::Spatial, _) => "SPATIAL ",
                (_, true) => "UNIQUE ",
                (_, false) => "",
            };
            let using = if index.method == IndexMethod::Hash {
                " USING HASH"
            } else {
                ""
            };
            let mut s = format!(
                "CREATE {kind}INDEX {name} ON {on} ({}){using}",
                index_parts(d, index)
            );
            if let Some(c) = &index.comment {
                s.push_str(&format!(" COMMENT {}", quote_literal(d, c)));
            }
            s
        }
        Dialect::Postgres | Dialect::Sqlite => {
            let unique = if index.unique { "UNIQUE " } else { "" };
            let using = if d == Dialect::Postgres && !index.method.is_btree() {
                format!(" USING {}", index.method.as_str())
            } else {
                String::new()
            };
            let mut s = format!(
                "CREATE {unique}INDEX {name} ON {on}{using} ({})",
                index_parts(d, index)
            );
            if d == Dialect::Postgres {
                if !index.include.is_empty() {
                    s.push_str(&format!(" INCLUDE ({})", quote_list(d, &index.include)));
                }
                if index.nulls_not_distinct {
                    s.push_str(" NULLS NOT DISTINCT");
                }
            }
            if let Some(p) = &index.predicate {
                s.push_str(&format!(" WHERE {p}"));
            }
            s
        }
    }
}

/// `FOREIGN KEY (...) REFERENCES ...` with its actions, as used inline
/// (SQLite) and after `ADD CONSTRAINT`.
fn foreign_key_clause(ctx: Ctx, schema: &str, fk: &ForeignKey) -> String {
    let d = ctx.dialect;
    let target = if fk.referenced_schema == schema || fk.referenced_schema.is_empty() {
        ctx.name(schema, &fk.referenced_table)
    } else {
        ctx.foreign_name(&fk.referenced_schema, &fk.referenced_table)
    };
    let mut s = format!(
        "{}FOREIGN KEY ({}) REFERENCES {target}",
        constraint_name(d, &fk.name),
        quote_list(d, &fk.columns)
    );
    if !fk.referenced_columns.is_empty() {
        s.push_str(&format!(" ({})", quote_list(d, &fk.referenced_columns)));
    }
    if d != Dialect::Mysql {
        match fk.match_type {
            MatchType::Simple => {}
            MatchType::Full => s.push_str(" MATCH FULL"),
            MatchType::Partial => s.push_str(" MATCH PARTIAL"),
        }
    }
    if fk.on_update != ReferentialAction::NoAction {
        s.push_str(&format!(" ON UPDATE {}", fk.on_update.as_sql()));
    }
    if fk.on_delete != ReferentialAction::NoAction {
        s.push_str(&format!(" ON DELETE {}", fk.on_delete.as_sql()));
    }
    if d != Dialect::Mysql {
        s.push_str(deferral(fk.deferral));
    }
    s
}

/// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY` (PostgreSQL, MySQL).
/// SQLite cannot add a foreign key to an existing table; for it the clause
/// is rendered inside `CREATE TABLE` and this returns `None`.
pub fn add_foreign_key(
    dialect: Dialect,
    schema: &str,
    table: &str,
    fk: &ForeignKey,
) -> Option<String> {
    if dialect == Dialect::Sqlite {
        return None;
    }
    let ctx = Ctx::new(dialect);
    Some(format!(
        "ALTER TABLE {} ADD {}",
        ctx.name(schema, table),
        foreign_key_clause(ctx, schema, fk)
    ))
}
