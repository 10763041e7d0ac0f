//! SQLite inspection of files in a temporary directory.
//!
//! The fixture `fixtures/sqlite/everything.sql` uses every object kind the
//! inspector reads. Its catalog is compared with a reviewed snapshot, is
//! the same when inspected twice and when the script runs in another order,
//! and survives a round trip through the DDL renderer. SQLite keeps `CREATE`
//! texts verbatim, so the rendered texts of a hand-written fixture cannot
//! equal it; the `.schema` check is therefore one step later: the texts of
//! the database built from the rendering (B) and of the one built from B's
//! own rendering (C) agree exactly.

use sluice_engine::{ConnectionConfig, Engine, EngineKind};
use sluice_schema::{
    Catalog, Deferral, GeneratedKind, IndexKey, ReferentialAction, SortOrder, TriggerTiming,
};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AssertSqlSafe, Connection, Row, SqliteConnection};
use std::path::Path;

const FIXTURE: &str = include_str!("fixtures/sqlite/everything.sql");

/// The fixture's statements: one ends with `;` at the end of a line, a
/// trigger with `END;`.
fn statements(script: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in script.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with("--")) {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        let is_trigger = current
            .trim_start()
            .to_ascii_uppercase()
            .starts_with("CREATE TRIGGER");
        let done = if is_trigger {
            trimmed.eq_ignore_ascii_case("END;")
        } else {
            trimmed.ends_with(';')
        };
        if done {
            out.push(current.trim().trim_end_matches(';').to_string());
            current.clear();
        }
    }
    assert!(current.trim().is_empty(), "unterminated: {current}");
    out
}

async fn build(dir: &Path, name: &str, statements: &[String]) {
    let options = SqliteConnectOptions::new()
        .filename(dir.join(format!("{name}.db")))
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    for s in statements {
        sqlx::raw_sql(AssertSqlSafe(s.clone()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{e}\n{s}"));
    }
    conn.close().await.unwrap();
}

fn engine(dir: &Path) -> Engine {
    let mut c = ConnectionConfig::new(EngineKind::Sqlite);
    c.database = dir.to_string_lossy().into_owned();
    Engine::new(c)
}

async fn inspect(dir: &Path, name: &str) -> Catalog {
    engine(dir).inspect(name).await.unwrap()
}

/// The catalog as if the file were named `db`, with the library version
/// left out, so catalogs of different files compare and snapshot alike.
fn renamed(mut c: Catalog) -> Catalog {
    c.name = "db".into();
    if let Some(server) = &mut c.server {
        server.version = "<version>".into();
    }
    c
}

/// Equal catalogs, or a panic showing where their JSON differs.
fn assert_same(a: &Catalog, b: &Catalog) {
    if a == b {
        return;
    }
    let (ja, jb) = (a.to_json_pretty(), b.to_json_pretty());
    let (la, lb): (Vec<&str>, Vec<&str>) = (ja.lines().collect(), jb.lines().collect());
    let first = la
        .iter()
        .zip(&lb)
        .position(|(x, y)| x != y)
        .unwrap_or(la.len().min(lb.len()));
    let from = first.saturating_sub(8);
    panic!(
        "catalogs differ at JSON line {first}:\n--- A\n{}\n--- B\n{}",
        la[from..(first + 8).min(la.len())].join("\n"),
        lb[from..(first + 8).min(lb.len())].join("\n")
    );
}

#[tokio::test]
async fn sqlite_inspect_everything() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), "shop", &statements(FIXTURE)).await;
    let catalog = inspect(dir.path(), "shop").await;
    assert_eq!(catalog.name, "shop");
    let schema = &catalog.schemas[0];
    assert_eq!(schema.name, "main");
    let tables: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        tables,
        [
            "authors",
            "book categories",
            "books",
            "categories",
            "readings"
        ],
        "sqlite_sequence and sluice_history are left out"
    );

    let authors = schema.table("authors").unwrap();
    assert!(authors.column("id").unwrap().auto_increment);
    assert_eq!(
        authors.column("name").unwrap().collation.as_deref(),
        Some("NOCASE")
    );
    assert_eq!(authors.checks.len(), 2);
    assert_eq!(authors.uniques[0].columns, ["email"]);
    let ux = authors.index("ux_authors_email_lower").unwrap();
    assert!(ux.unique);
    assert_eq!(ux.parts[0].key, IndexKey::Expression("lower(email)".into()));

    let books = schema.table("books").unwrap();
    assert!(books.options.sqlite().unwrap().without_rowid);
    let price = books.column("price").unwrap().generated.clone().unwrap();
    assert_eq!(
        (price.expression.as_str(), price.kind),
        ("price_cents / 100.0", GeneratedKind::Virtual)
    );
    let published = books.index("ix_books_published").unwrap();
    assert_eq!(
        published.predicate.as_deref(),
        Some("published IS NOT NULL")
    );
    assert_eq!(published.parts[0].order, SortOrder::Desc);
    assert_eq!(
        books.uniques[0].name.as_deref(),
        Some("uq_books_author_title")
    );
    assert_eq!(books.foreign_keys[0].on_delete, ReferentialAction::Cascade);

    let readings = schema.table("readings").unwrap();
    assert!(readings.options.sqlite().unwrap().strict);
    let fk = &readings.foreign_keys[0];
    assert_eq!(fk.name.as_deref(), Some("fk_readings_book"));
    assert_eq!(fk.deferral, Deferral::InitiallyDeferred);

    let categories = schema.table("categories").unwrap();
    assert!(categories.foreign_keys[0].referenced_columns.is_empty());
    assert_eq!(schema.views.len(), 2);
    assert_eq!(
        schema.view("author_books").unwrap().columns,
        ["author", "title"]
    );
    assert_eq!(schema.triggers.len(), 2);
    assert_eq!(
        schema.triggers_on("author_books").next().unwrap().timing,
        TriggerTiming::InsteadOf
    );
    assert!(
        !schema
            .tables
            .iter()
            .any(|t| t.indexes.iter().any(|i| i.name == "ix_history_applied"))
    );

    let again = inspect(dir.path(), "shop").await;
    assert_eq!(catalog, again, "inspecting twice must give equal catalogs");
    insta::assert_snapshot!("sqlite_everything", renamed(catalog).to_json_pretty());
}

/// Tables first in reverse order (SQLite checks references only when
/// rows change), then the rest as written.
fn reordered(statements: &[String]) -> Vec<String> {
    let (mut tables, rest): (Vec<String>, Vec<String>) = statements
        .iter()
        .cloned()
        .partition(|s| s.to_ascii_uppercase().starts_with("CREATE TABLE"));
    tables.reverse();
    tables.extend(rest);
    tables
}

#[tokio::test]
async fn sqlite_inspect_statement_order_makes_no_difference() {
    let dir = tempfile::tempdir().unwrap();
    let script = statements(FIXTURE);
    build(dir.path(), "a", &script).await;
    build(dir.path(), "b", &reordered(&script)).await;
    assert_same(
        &renamed(inspect(dir.path(), "a").await),
        &renamed(inspect(dir.path(), "b").await),
    );
}

/// `.schema`: every `CREATE` text SQLite keeps, by name.
async fn schema_texts(dir: &Path, name: &str) -> Vec<(String, String, String)> {
    let url = format!("sqlite://{}", dir.join(format!("{name}.db")).display());
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    let rows = sqlx::query(
        "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY type, name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

#[tokio::test]
async fn sqlite_inspect_round_trip_through_rendered_ddl() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), "a", &statements(FIXTURE)).await;
    let ca = inspect(dir.path(), "a").await;
    build(dir.path(), "b", &sluice_schema::render::statements(&ca)).await;
    let cb = inspect(dir.path(), "b").await;
    if renamed(ca.clone()) != renamed(cb.clone()) {
        eprintln!("rendered DDL:\n{}", sluice_schema::render::ddl(&ca));
    }
    assert_same(&renamed(ca), &renamed(cb.clone()));

    build(dir.path(), "c", &sluice_schema::render::statements(&cb)).await;
    let (tb, tc) = (
        schema_texts(dir.path(), "b").await,
        schema_texts(dir.path(), "c").await,
    );
    assert_eq!(tb, tc);
    // Nothing of A is lost on the way: the same objects exist (minus the
    // history table, which is not part of the user's schema).
    let ta = schema_texts(dir.path(), "a").await;
    let names = |t: &[(String, String, String)]| {
        t.iter()
            .filter(|(_, n, _)| !n.contains("sluice_history") && n != "ix_history_applied")
            .map(|(k, n, _)| format!("{k} {n}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&ta), names(&tb));
}
