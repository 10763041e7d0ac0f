//! The SQLite planner against SQLite itself: for each pair of schemas A
//! and B, a file made from A is planned into B, the plan's script is run
//! as it is (by the `sqlite3` shell, or by Sluice's engine), and then the
//! file's `sqlite_master` equals B's, a new diff finds nothing, and rows
//! survive; the reverse plan then brings A back the same way.

mod sqlite_support;

use sluice_plan::Hazard;
use sqlite_support::{Case, check};

async fn run(case: Case<'_>) -> (sluice_plan::Plan, sluice_plan::Plan) {
    match check(&case).await {
        Ok(plans) => plans,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn create_and_drop_tables() {
    let (plan, back) = run(Case::new(
        "tables",
        "CREATE TABLE keep (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE gone (id INTEGER, v REAL, PRIMARY KEY (id));
         INSERT INTO keep VALUES (1, 'a');",
        "CREATE TABLE keep (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE fresh (\n    id INTEGER,\n    label TEXT NOT NULL DEFAULT 'x',\n    PRIMARY KEY (id)\n);
         CREATE INDEX fresh_label ON fresh (label);",
    ))
    .await;
    assert!(plan.hazards().contains(&Hazard::DeletesData));
    assert!(back.hazards().contains(&Hazard::DeletesData));
}

#[tokio::test]
async fn add_and_drop_columns_in_place() {
    let (plan, _) = run(Case {
        keep: &["SELECT id, name FROM t ORDER BY id"],
        ..Case::new(
            "columns",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, old TEXT);
             INSERT INTO t VALUES (1, 'a', 'x'), (2, 'b', 'y');",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, age INTEGER NOT NULL DEFAULT 0);",
        )
    })
    .await;
    assert!(
        plan.steps.iter().all(|s| s.sql.starts_with("ALTER TABLE")),
        "{}",
        plan.to_sql()
    );
}
