//! Inspection of a SQLite database file into the neutral model.
//!
//! `sqlite_schema` is read once, then each kind of fact comes from one
//! query that joins the pragma table-valued functions to it for all tables
//! at once ([`queries`]). What the pragmas do not report (checks, generated
//! expressions, collations, constraint names, `AUTOINCREMENT`,
//! `WITHOUT ROWID`, `STRICT`, index expressions and predicates) is read from
//! the `CREATE` texts SQLite keeps verbatim ([`parse`]); expressions stay
//! exactly as written. The catalog has one schema, `main`.

mod parse;
mod queries;

use std::collections::HashMap;

use sluice_schema::{
    Catalog, Check, Column, Dialect, Flavor, ForeignKey, Generated, GeneratedKind, Index, IndexKey,
    IndexPart, MatchType, PrimaryKey, ReferentialAction, Schema, ServerInfo, SortOrder,
    SqliteTableOptions, Table, TableOptions, Trigger, TriggerEvent, TriggerLevel, TriggerTiming,
    UniqueConstraint, View,
};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{Connection, Row};

use super::{Sqlite, error};
use crate::EngineError;

/// The SQLite schema every catalog holds.
const MAIN: &str = "main";

impl Sqlite {
    /// Reads database `name` (a file of the instance) into a normalized
    /// [`Catalog`] with the one schema `main`.
    pub async fn inspect(&self, name: &str) -> Result<Catalog, EngineError> {
        let path = self.path_of(name)?;
        let mut conn = self.connect_file(&path).await?;
        let result = inspect_on(&mut conn, name)
            .await
            .map_err(|e| error(e, &path));
        let _ = conn.close().await;
        result
    }
}

async fn all(
    conn: &mut SqliteConnection,
    sql: &'static str,
) -> Result<Vec<SqliteRow>, sqlx::Error> {
    sqlx::query(sql).fetch_all(&mut *conn).await
}

async fn inspect_on(conn: &mut SqliteConnection, name: &str) -> Result<Catalog, sqlx::Error> {
    let version: String = sqlx::query_scalar(queries::VERSION)
        .fetch_one(&mut *conn)
        .await?;
    let encoding: String = sqlx::query_scalar(queries::ENCODING)
        .fetch_one(&mut *conn)
        .await?;
    let objects = all(conn, queries::SCHEMA).await?;
    let columns = all(conn, queries::COLUMNS).await?;
    let indexes = all(conn, queries::INDEXES).await?;
    let index_columns = all(conn, queries::INDEX_COLUMNS).await?;
    let foreign_keys = all(conn, queries::FOREIGN_KEYS).await?;

    let mut b = Builder::default();
    for row in &objects {
        b.object(row);
    }
    for row in &columns {
        b.column(row);
    }
    for row in &indexes {
        b.index(row);
    }
    for row in &index_columns {
        b.index_column(row);
    }
    for row in &foreign_keys {
        b.foreign_key(row);
    }

    let mut catalog = Catalog::new(name, Dialect::Sqlite);
    catalog.server = Some(ServerInfo {
        flavor: Flavor::Sqlite,
        version,
    });
    catalog.charset = Some(encoding);
    catalog.schemas.push(b.finish());
    catalog.normalize();
    Ok(catalog)
}

fn text(row: &SqliteRow, i: usize) -> String {
    opt(row, i).unwrap_or_default()
}

fn opt(row: &SqliteRow, i: usize) -> Option<String> {
    row.try_get::<Option<String>, _>(i).ok().flatten()
}

fn int(row: &SqliteRow, i: usize) -> i64 {
    row.try_get::<Option<i64>, _>(i).ok().flatten().unwrap_or(0)
}

/// One table while its rows arrive: the model table, what its `CREATE`
/// text says, and its indexes' texts by name.
struct Pending {
    table: Table,
    text: parse::TableText,
    /// Primary-key columns by their position in the key.
    pk: Vec<(i64, String)>,
    /// Unique constraints' auto-indexes, filled with columns later.
    unique_indexes: Vec<String>,
}

#[derive(Default)]
struct Builder {
    tables: Vec<Pending>,
    by_name: HashMap<String, usize>,
    /// `CREATE INDEX` texts by index name.
    index_sql: HashMap<String, String>,
    views: Vec<View>,
    triggers: Vec<Trigger>,
}

impl Builder {
    fn pending(&mut self, table: &str) -> Option<&mut Pending> {
        let at = *self.by_name.get(table)?;
        Some(&mut self.tables[at])
    }

    /// A `sqlite_schema` row.
    fn object(&mut self, row: &SqliteRow) {
        let (kind, name, table, sql) = (text(row, 0), text(row, 1), text(row, 2), text(row, 3));
        match kind.as_str() {
            "table" => {
                // Virtual tables (FTS, R-tree) have no columns of their own
                // to model; their shadow tables are ordinary tables.
                if is_virtual(&sql) {
                    return;
                }
                let text = parse::create_table(&sql);
                let mut t = Table::new(&name);
                t.options = TableOptions::Sqlite(SqliteTableOptions {
                    without_rowid: text.without_rowid,
                    strict: text.strict,
                });
                t.checks = text
                    .checks
                    .iter()
                    .map(|(n, e)| Check::new(n.as_deref(), e))
                    .collect();
                self.by_name.insert(name, self.tables.len());
                self.tables.push(Pending {
                    table: t,
                    text,
                    pk: Vec::new(),
                    unique_indexes: Vec::new(),
                });
            }
            "index" if !sql.is_empty() => {
                self.index_sql.insert(name, sql);
            }
            "view" => {
                let (columns, query) = parse::create_view(&sql);
                let mut v = View::new(&name, query);
                v.columns = columns;
                self.views.push(v);
            }
            "trigger" => self.triggers.push(trigger(&name, &table, &sql)),
            _ => {}
        }
    }

    /// A `table_xinfo` row.
    fn column(&mut self, row: &SqliteRow) {
        let Some(p) = self.pending(&text(row, 0)) else {
            return;
        };
        let name = text(row, 2);
        let said = p
            .text
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(&name));
        let mut c = Column::new(&name, text(row, 3));
        c.position = int(row, 1) as u32 + 1;
        c.nullable = int(row, 4) == 0;
        c.default = opt(row, 5).map(|d| parse::default_expression(&d));
        c.collation = said.and_then(|s| s.collation.clone());
        c.auto_increment = said.is_some_and(|s| s.autoincrement);
        let kind = match int(row, 7) {
            2 => Some(GeneratedKind::Virtual),
            3 => Some(GeneratedKind::Stored),
            _ => None,
        };
        if let Some(kind) = kind {
            c.generated = Some(Generated {
                expression: said.and_then(|s| s.generated.clone()).unwrap_or_default(),
                kind,
            });
        }
        let pk = int(row, 6);
        if pk > 0 {
            p.pk.push((pk, name));
        }
        p.table.columns.push(c);
    }

    /// An `index_list` row. Primary-key indexes are the primary key;
    /// UNIQUE constraints' indexes are unique constraints.
    fn index(&mut self, row: &SqliteRow) {
        let index_name = text(row, 1);
        let origin = text(row, 3);
        let sql = self.index_sql.get(&index_name).cloned();
        let Some(p) = self.pending(&text(row, 0)) else {
            return;
        };
        match origin.as_str() {
            "pk" => {}
            "u" => p.unique_indexes.push(index_name),
            _ => {
                let mut index = Index::new(&index_name);
                index.unique = int(row, 2) == 1;
                if int(row, 4) == 1 {
                    index.predicate = sql.and_then(|s| parse::create_index(&s).predicate);
                }
                p.table.indexes.push(index);
            }
        }
    }

    /// An `index_xinfo` key row.
    fn index_column(&mut self, row: &SqliteRow) {
        let index_name = text(row, 1);
        let seqno = int(row, 2) as usize;
        let part_text = self
            .index_sql
            .get(&index_name)
            .map(|s| parse::create_index(s))
            .and_then(|mut t| (seqno < t.parts.len()).then(|| t.parts.swap_remove(seqno)));
        let Some(p) = self.pending(&text(row, 0)) else {
            return;
        };
        let column = opt(row, 4);
        if p.unique_indexes.contains(&index_name) {
            let at = match p
                .table
                .uniques
                .iter()
                .position(|u| u.name.as_deref() == Some(index_name.as_str()))
            {
                Some(at) => at,
                None => {
                    // Named by the index for now; see `finish`.
                    p.table.uniques.push(UniqueConstraint::new(
                        Some(&index_name),
                        Vec::<String>::new(),
                    ));
                    p.table.uniques.len() - 1
                }
            };
            p.table.uniques[at].columns.extend(column);
            return;
        }
        let Some(index) = p.table.indexes.iter_mut().find(|i| i.name == index_name) else {
            return;
        };
        let mut part = match (int(row, 3), column) {
            (-2, _) | (_, None) => IndexPart {
                key: IndexKey::Expression(
                    part_text
                        .as_ref()
                        .map(|t| t.expression.clone())
                        .unwrap_or_default(),
                ),
                ..Default::default()
            },
            (_, Some(c)) => IndexPart::column(c),
        };
        if int(row, 5) == 1 {
            part.order = SortOrder::Desc;
        }
        part.collation = part_text.and_then(|t| t.collation);
        index.parts.push(part);
    }

    /// A `foreign_key_list` row: one column pair of foreign key `id`.
    fn foreign_key(&mut self, row: &SqliteRow) {
        let Some(p) = self.pending(&text(row, 0)) else {
            return;
        };
        let id = int(row, 1);
        let seq = int(row, 2);
        if seq == 0 {
            let mut fk = ForeignKey::new(
                Some(&format!("#{id}")),
                Vec::<String>::new(),
                MAIN,
                text(row, 3),
                Vec::<String>::new(),
            )
            .on_update(action(&text(row, 6)))
            .on_delete(action(&text(row, 7)));
            fk.match_type = match text(row, 8).to_ascii_uppercase().as_str() {
                "FULL" => MatchType::Full,
                "PARTIAL" => MatchType::Partial,
                _ => MatchType::Simple,
            };
            p.table.foreign_keys.push(fk);
        }
        let fk = p.table.foreign_keys.last_mut().expect("seq 0 comes first");
        fk.columns.push(text(row, 4));
        if let Some(to) = opt(row, 5) {
            fk.referenced_columns.push(to);
        }
    }

    fn finish(self) -> Schema {
        let mut schema = Schema::new(MAIN);
        for mut p in self.tables {
            p.pk.sort();
            if !p.pk.is_empty() {
                let columns = p.pk.into_iter().map(|(_, c)| c);
                p.table.primary_key =
                    Some(PrimaryKey::new(p.text.primary_key_name.as_deref(), columns));
            }
            // Constraint names come from the text, matched by columns;
            // SQLite's own index and key ids are no names.
            for u in &mut p.table.uniques {
                u.name = p
                    .text
                    .unique_names
                    .iter()
                    .find(|(_, cols)| same_columns(cols, &u.columns))
                    .map(|(n, _)| n.clone());
            }
            for fk in &mut p.table.foreign_keys {
                let said = p
                    .text
                    .foreign_keys
                    .iter()
                    .find(|f| same_columns(&f.columns, &fk.columns));
                fk.name = said.and_then(|f| f.name.clone());
                fk.deferral = said.map(|f| f.deferral).unwrap_or_default();
            }
            schema.tables.push(p.table);
        }
        schema.views = self.views;
        schema.triggers = self.triggers;
        schema
    }
}

fn is_virtual(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split_whitespace()
        .take(2)
        .map(str::to_ascii_uppercase)
        .collect();
    words.get(1).is_some_and(|w| w == "VIRTUAL")
}

fn same_columns(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

fn action(rule: &str) -> ReferentialAction {
    match rule.to_ascii_uppercase().as_str() {
        "CASCADE" => ReferentialAction::Cascade,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        "RESTRICT" => ReferentialAction::Restrict,
        _ => ReferentialAction::NoAction,
    }
}

/// A trigger from its text. The text itself is kept as the definition,
/// which is what rendering emits: SQLite stores it verbatim.
fn trigger(name: &str, table: &str, sql: &str) -> Trigger {
    let t = parse::create_trigger(sql);
    let mut out = Trigger::new(name, table);
    out.timing = match t.timing.as_str() {
        "AFTER" => TriggerTiming::After,
        "INSTEAD OF" => TriggerTiming::InsteadOf,
        _ => TriggerTiming::Before,
    };
    out.events = match t.event.as_str() {
        "INSERT" => vec![TriggerEvent::Insert],
        "UPDATE" => vec![TriggerEvent::Update],
        "DELETE" => vec![TriggerEvent::Delete],
        _ => Vec::new(),
    };
    out.update_columns = t.update_columns;
    out.level = TriggerLevel::Row;
    out.condition = t.condition;
    out.body = Some(t.body);
    out.definition = Some(sql.to_string());
    out
}
