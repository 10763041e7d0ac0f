//! Helpers shared by the diff tests.

#![allow(dead_code)]

use sluice_schema::*;

/// One Change per line as JSON: short enough to read in a snapshot,
/// complete enough to check every field.
pub fn lines(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn kinds(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            let tag = serde_json::to_value(c).unwrap()["change"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(c.kind(), tag);
            tag
        })
        .collect()
}

pub fn d(from: &Catalog, to: &Catalog) -> Vec<Change> {
    diff(from, to, &DiffOptions::default())
}

pub fn pg(tables: Vec<Table>) -> Catalog {
    let mut s = Schema::new("public");
    s.tables = tables;
    Catalog::new("db", Dialect::Postgres).with_schema(s)
}

pub fn people() -> Table {
    Table::new("people")
        .with_column(Column::new("id", "integer").not_null())
        .with_column(Column::new("name", "character varying(10)"))
        .with_column(Column::new("age", "integer").with_default("0"))
        .with_column(Column::new("gone", "text"))
        .with_primary_key(PrimaryKey::new(Some("people_pkey"), ["id"]))
}

pub fn function(name: &str, body: &str) -> Function {
    let mut f = Function::new(RoutineKind::Function, name);
    f.returns = Some("integer".into());
    f.language = "sql".into();
    f.body = body.into();
    f
}
