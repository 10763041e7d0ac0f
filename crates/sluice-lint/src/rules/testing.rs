//! Helpers for the rules' unit tests: run one rule alone, as a user would
//! with a policy that turns on only that rule.

use sluice_schema::{Catalog, Dialect};

use crate::diagnostic::{Diagnostic, render_text};
use crate::engine::Linter;
use crate::policy::Policy;
use crate::rule::Rule;

fn policy(rule: &'static Rule, config: Option<&str>) -> Policy {
    match config {
        Some(json) => Policy::from_json(&format!(r#"{{"rules": {{"{}": {json}}}}}"#, rule.name))
            .expect("test config is valid"),
        None => {
            let mut p = Policy::empty();
            p.set(rule, rule.level.into());
            p
        }
    }
}

/// The diagnostics of `rule` alone on `sql`.
pub fn run(rule: &'static Rule, dialect: Dialect, sql: &str) -> Vec<Diagnostic> {
    Linter::new(dialect, &policy(rule, None)).lint(sql, None)
}

/// Same, with a config object (`{"max": 3}`) and an optional schema.
pub fn run_with(
    rule: &'static Rule,
    dialect: Dialect,
    sql: &str,
    config: Option<&str>,
    catalog: Option<&Catalog>,
) -> Vec<Diagnostic> {
    Linter::new(dialect, &policy(rule, config)).lint(sql, catalog)
}

/// The diagnostics as the user sees them, for snapshots.
pub fn text(rule: &'static Rule, dialect: Dialect, sql: &str) -> String {
    render_text("migration.sql", &run(rule, dialect, sql))
}

/// A one-table catalog for schema-aware tests: `users(id bigint not null,
/// email varchar(255) not null, name text)` with primary key `id`.
pub fn users_catalog(dialect: Dialect) -> Catalog {
    use sluice_schema::{Column, PrimaryKey, Schema, Table};
    let schema = match dialect {
        Dialect::Postgres => "public",
        Dialect::Mysql => "app",
        Dialect::Sqlite => "main",
    };
    Catalog::new("app", dialect).with_schema(
        Schema::new(schema).with_table(
            Table::new("users")
                .with_column(Column::new("id", "bigint").not_null())
                .with_column(Column::new("email", "character varying(255)").not_null())
                .with_column(Column::new("name", "text"))
                .with_primary_key(PrimaryKey::new(Some("users_pkey"), ["id"])),
        ),
    )
}

type Estimate = Box<dyn Fn(&str) -> Option<u64> + Send + Sync>;

/// A stand-in for the live database of [`crate::RowEstimator`]: row
/// estimates and dry-run answers from plain functions of the statement.
pub struct FakeDb {
    pub rows: Estimate,
    pub explain: fn(&str) -> Result<(), String>,
}

impl FakeDb {
    /// Every statement is estimated at `n` rows, and every dry run passes.
    pub fn rows(n: u64) -> Self {
        FakeDb::with(move |_| Some(n))
    }

    /// The planner cannot estimate anything.
    pub fn unknown() -> Self {
        FakeDb::with(|_| None)
    }

    pub fn with(rows: impl Fn(&str) -> Option<u64> + Send + Sync + 'static) -> Self {
        FakeDb {
            rows: Box::new(rows),
            explain: |_| Ok(()),
        }
    }

    /// Dry runs fail for statements mentioning `ghosts` (a relation that
    /// does not exist), as PostgreSQL words it.
    pub fn missing_ghosts() -> Self {
        FakeDb {
            rows: Box::new(|_| Some(1)),
            explain: |sql| {
                if sql.contains("ghosts") {
                    Err("relation \"ghosts\" does not exist".to_string())
                } else {
                    Ok(())
                }
            },
        }
    }
}

impl crate::context::RowEstimator for FakeDb {
    fn estimate_rows(&self, statement: &str) -> Option<u64> {
        (self.rows)(statement)
    }

    fn explain(&self, statement: &str) -> Result<(), String> {
        (self.explain)(statement)
    }
}

/// The diagnostics of `rule` alone on `sql`, with a live database.
pub fn run_live(rule: &'static Rule, dialect: Dialect, sql: &str, db: &FakeDb) -> Vec<Diagnostic> {
    Linter::new(dialect, &policy(rule, None)).lint_with(sql, None, Some(db))
}
