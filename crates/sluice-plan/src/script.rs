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
