//! A plan as a script for the server's own client.

use std::fmt::Write;

use sluice_schema::Dialect;

use crate::Plan;

/// Comments above each statement say what it does to the live database;
/// MySQL compound statements are wrapped in `DELIMITER` lines, which the
/// `mysql`/`mariadb` clients and Sluice's splitter both understand.
pub(crate) fn render(plan: &Plan) -> String {
    let mut out = String::new();
    if plan.is_empty() {
        out.push_str("-- No differences.\n");
        return out;
    }
    let hazards = plan.hazards();
    let _ = writeln!(
        out,
        "-- Sluice plan: {} change(s), {} statement(s).",
        plan.changes.len(),
        plan.steps.len()
    );
    if !hazards.is_empty() {
        let names: Vec<&str> = hazards.iter().map(|h| h.as_str()).collect();
        let _ = writeln!(out, "-- Hazards: {}.", names.join(", "));
    }
    for step in &plan.steps {
        out.push('\n');
        if let Some(i) = step.change {
            if let Some(change) = plan.changes.get(i) {
                let _ = writeln!(out, "-- change {}: {}", i + 1, change.kind());
            }
        }
        for h in &step.hazards {
            let _ = writeln!(out, "-- HAZARD {h}");
        }
        if let Some(lock) = &step.lock {
            let _ = writeln!(
                out,
                "-- lock: {}; blocks {}",
                one_line(&lock.name),
                one_line(&lock.blocks)
            );
        }
        if !step.transactional {
            out.push_str("-- runs outside a transaction\n");
        }
        for note in &step.notes {
            let _ = writeln!(out, "-- note: {}", one_line(note));
        }
        if step.compound && plan.dialect == Dialect::Mysql {
            let _ = writeln!(out, "DELIMITER ;;\n{};;\nDELIMITER ;", step.sql.trim_end());
        } else {
            let _ = writeln!(out, "{};", step.sql.trim_end());
        }
    }
    out
}

/// Keeps a comment on one line whatever the text holds.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use sluice_schema::{Change, Dialect, Table};

    use crate::{Hazard, Plan, Step};

    fn plan(dialect: Dialect, steps: Vec<Step>) -> Plan {
        Plan {
            dialect,
            changes: vec![Change::DropTable {
                schema: "public".into(),
                table: Table::new("t"),
            }],
            steps,
        }
    }

    #[test]
    fn comments_go_above_each_statement_on_one_line() {
        let step = Step::new("DROP TABLE t", 0)
            .hazard(Hazard::DeletesData)
            .lock("ACCESS EXCLUSIVE on t", "reads\nand writes")
            .note("the rows go with it");
        let sql = plan(Dialect::Postgres, vec![step]).to_sql();
        assert!(sql.contains("-- Hazards: DELETES_DATA."), "{sql}");
        assert!(
            sql.contains(
                "-- change 1: drop_table\n-- HAZARD DELETES_DATA\n\
                 -- lock: ACCESS EXCLUSIVE on t; blocks reads and writes\n\
                 -- note: the rows go with it\nDROP TABLE t;\n"
            ),
            "{sql}"
        );
    }

    #[test]
    fn compound_mysql_statements_change_the_delimiter() {
        let step = Step::new("CREATE PROCEDURE p() BEGIN SELECT 1; END", 0).compound();
        let sql = plan(Dialect::Mysql, vec![step]).to_sql();
        assert!(
            sql.contains("DELIMITER ;;\nCREATE PROCEDURE p() BEGIN SELECT 1; END;;\nDELIMITER ;\n"),
            "{sql}"
        );
    }

    #[test]
    fn an_empty_plan_says_so() {
        let empty = Plan {
            dialect: Dialect::Sqlite,
            changes: Vec::new(),
            steps: Vec::new(),
        };
        assert_eq!(empty.to_sql(), "-- No differences.\n");
        assert!(empty.hazards().is_empty());
    }
}
