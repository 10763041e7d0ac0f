//! The planner without a server: which forms it picks for which target,
//! reverse SQL, and the cost of a 2,000-deep foreign-key chain. The
//! oracle in `tests/oracle_mysql.rs` runs plans on MariaDB.

use std::time::Instant;

use sluice_schema::{
    Catalog, Column, Dialect, Flavor, ForeignKey, Function, PrimaryKey, RoutineKind, Schema,
    ServerInfo, Table,
};

use crate::{Hazard, Plan, PlanOptions, plan};

fn catalog(server: Option<(Flavor, &str)>, tables: Vec<Table>) -> Catalog {
    let mut schema = Schema::new("db");
    schema.tables = tables;
    let mut c = Catalog::new("db", Dialect::Mysql).with_schema(schema);
    c.server = server.map(|(flavor, version)| ServerInfo {
        flavor,
        version: version.into(),
    });
    c
}

fn table(name: &str, columns: &[&str]) -> Table {
    columns
        .iter()
        .fold(Table::new(name), |t, c| {
            t.with_column(Column::new(*c, "int"))
        })
        .with_primary_key(PrimaryKey::new(None, [columns[0]]))
}

fn sql(plan: &Plan) -> Vec<&str> {
    plan.steps.iter().map(|s| s.sql.as_str()).collect()
}

const MARIADB: Option<(Flavor, &str)> = Some((Flavor::Mariadb, "10.11.6-MariaDB"));
const MYSQL_8_0_20: Option<(Flavor, &str)> = Some((Flavor::Mysql, "8.0.20"));

#[test]
fn the_server_decides_the_algorithm() {
    let middle = |server| {
        let from = catalog(server, vec![table("t", &["id", "b"])]);
        let to = catalog(server, vec![table("t", &["id", "a", "b", "z"])]);
        plan(&from, &to, &PlanOptions::default())
    };
    assert_eq!(
        sql(&middle(MARIADB))[1..],
        [
            "ALTER TABLE t ADD COLUMN a int AFTER id, ALGORITHM=INSTANT",
            "ALTER TABLE t ADD COLUMN z int, ALGORITHM=INSTANT",
        ]
    );
    assert_eq!(
        sql(&middle(MYSQL_8_0_20))[1..],
        [
            "ALTER TABLE t ADD COLUMN a int AFTER id, ALGORITHM=INPLACE, LOCK=NONE",
            "ALTER TABLE t ADD COLUMN z int, ALGORITHM=INSTANT",
        ]
    );
    // Unknown: what MySQL 8.0.0 and MariaDB 10.6 both accept.
    let unknown = middle(None);
    assert!(
        sql(&unknown)[1..]
            .iter()
            .all(|s| s.ends_with("ALGORITHM=INPLACE, LOCK=NONE"))
    );
    assert_eq!(unknown.hazards(), [Hazard::TableRewrite]);
    assert!(unknown.steps.iter().all(|s| s.transactional));
}

#[test]
fn without_lock_safety_no_clauses() {
    let from = catalog(MARIADB, vec![table("t", &["id", "b"])]);
    let to = catalog(MARIADB, vec![table("t", &["id", "a"])]);
    let options = PlanOptions {
        lock_safe: false,
        ..Default::default()
    };
    let p = plan(&from, &to, &options);
    assert!(
        p.steps.iter().all(|s| !s.sql.contains("ALGORITHM")),
        "{:?}",
        sql(&p)
    );
    let lock = p.steps[1].lock.as_ref().expect("a lock");
    assert!(
        lock.name.contains("expected ALGORITHM=INSTANT"),
        "{}",
        lock.name
    );
}

#[test]
fn reverse_sql_undoes_each_step() {
    let from = catalog(MARIADB, vec![table("t", &["id", "a", "b", "c"])]);
    let to = catalog(MARIADB, vec![table("t", &["id", "c", "a", "n"])]);
    let p = plan(&from, &to, &PlanOptions::default());
    let reverse: Vec<(&str, Option<&str>)> = p
        .steps
        .iter()
        .skip(1)
        .map(|s| (s.sql.as_str(), s.reverse.as_deref()))
        .collect();
    assert_eq!(
        reverse,
        [
            (
                "ALTER TABLE t DROP COLUMN b, ALGORITHM=INSTANT",
                Some("ALTER TABLE t ADD COLUMN b int AFTER a, ALGORITHM=INSTANT")
            ),
            (
                "ALTER TABLE t MODIFY COLUMN c int AFTER id, ALGORITHM=INSTANT",
                Some("ALTER TABLE t MODIFY COLUMN c int AFTER b, ALGORITHM=INSTANT")
            ),
            (
                "ALTER TABLE t ADD COLUMN n int, ALGORITHM=INSTANT",
                Some("ALTER TABLE t DROP COLUMN n, ALGORITHM=INSTANT")
            ),
        ]
    );
    assert_eq!(p.steps[1].hazards, [Hazard::DeletesData]);
}

#[test]
fn mysql_replaces_a_routine_in_two_statements() {
    let f = |body: &str| Function {
        kind: RoutineKind::Function,
        name: "f".into(),
        signature: "int".into(),
        arguments: "x int".into(),
        returns: Some("int".into()),
        language: "SQL".into(),
        body: body.into(),
        ..Default::default()
    };
    let with = |server, body: &str| {
        let mut c = catalog(server, Vec::new());
        c.schemas[0].functions.push(f(body));
        c
    };
    let p = plan(
        &with(MYSQL_8_0_20, "RETURN x + 1"),
        &with(MYSQL_8_0_20, "RETURN x + 2"),
        &PlanOptions::default(),
    );
    assert_eq!(p.steps.len(), 3);
    assert_eq!(p.steps[1].sql, "DROP FUNCTION f");
    assert!(p.steps[2].sql.starts_with("CREATE FUNCTION f(x int)"));
    assert_eq!((p.steps[1].change, p.steps[2].change), (Some(0), Some(0)));
    let maria = plan(
        &with(MARIADB, "RETURN x + 1"),
        &with(MARIADB, "RETURN x + 2"),
        &PlanOptions::default(),
    );
    assert!(
        maria.steps[1]
            .sql
            .starts_with("CREATE OR REPLACE FUNCTION f")
    );
}

/// Table `i` of the chain references table `i - 1`.
fn chain(depth: usize) -> Vec<Table> {
    (0..depth)
        .map(|i| {
            let t = table(&format!("t{i:04}"), &["id", "up"]);
            match i {
                0 => t,
                _ => t.with_foreign_key(ForeignKey::new(
                    Some(&format!("fk_{i:04}")),
                    ["up"],
                    "db",
                    format!("t{:04}", i - 1),
                    ["id"],
                )),
            }
        })
        .collect()
}

#[test]
fn a_2000_deep_chain_plans_in_order_both_ways() {
    let empty = catalog(MARIADB, Vec::new());
    let deep = catalog(MARIADB, chain(2000));
    let started = Instant::now();
    let there = plan(&empty, &deep, &PlanOptions::default());
    let back = plan(&deep, &empty, &PlanOptions::default());
    let took = started.elapsed();
    eprintln!("2,000-deep chain planned both ways in {took:?}");
    assert!(took.as_secs() < 10, "{took:?}");

    let last_create = there
        .steps
        .iter()
        .rposition(|s| s.sql.starts_with("CREATE TABLE"));
    let first_fk = there
        .steps
        .iter()
        .position(|s| s.sql.contains("FOREIGN KEY"));
    assert_eq!(there.steps.len(), 1 + 2000 + 1999);
    assert!(last_create < first_fk);

    let last_fk_drop = back
        .steps
        .iter()
        .rposition(|s| s.sql.contains("DROP FOREIGN KEY"));
    let first_drop = back
        .steps
        .iter()
        .position(|s| s.sql.starts_with("DROP TABLE"));
    assert_eq!(back.steps.len(), 1 + 1999 + 2000);
    assert!(last_fk_drop < first_drop);
    assert!(back.hazards().contains(&Hazard::DeletesData));
}
