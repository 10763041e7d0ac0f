//! statement.require-lock-timeout: set lock_timeout before DDL on live
//! tables (PostgreSQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.require-lock-timeout",
    code: 127,
    title: "Set lock_timeout before DDL on existing tables",
    engines: POSTGRES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "DDL waits for its lock behind every transaction that touches the table, and \
                  while it waits, every later query on the table queues behind it: an ALTER \
                  TABLE stuck behind one long report holds up all reads and writes of the table \
                  (ACCESS EXCLUSIVE), a CREATE INDEX all writes (SHARE), for as long as the \
                  report runs. A lock_timeout makes it give up instead. Sluice's runner sets the \
                  instance's lock_timeout on its session; this rule is for scripts applied by \
                  other tools, or to make the limit part of the change. Tables created in the \
                  same script are exempt.",
        fix: "Start the script with SET lock_timeout = '5s' (or SET LOCAL inside a \
              transaction) and retry the change if it times out.",
        bad: "ALTER TABLE users ADD COLUMN nickname text;",
        good: "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN nickname text;",
    },
    check,
};

/// The lock a statement waits for, and what queues behind it.
const ALL: (&str, &str) = ("an ACCESS EXCLUSIVE", "every read and write of");
const WRITES: (&str, &str) = ("a SHARE", "every INSERT, UPDATE and DELETE on");

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    if ctx.schema.lock_timeout_set() {
        return Vec::new();
    }
    let live = |name: &ObjectName| ctx.table_state(name).may_have_rows();
    let (what, table, (lock, blocked)) = match statement {
        Statement::AlterTable(alter) if live(&alter.name) => {
            // VALIDATE CONSTRAINT alone takes SHARE UPDATE EXCLUSIVE, which
            // lets reads and writes go on.
            if alter
                .operations
                .iter()
                .all(|op| matches!(op, AlterTableOperation::ValidateConstraint { .. }))
            {
                return Vec::new();
            }
            let t = display_name(&alter.name);
            (format!("ALTER TABLE {t}"), t, ALL)
        }
        Statement::CreateIndex(create) if !create.concurrently && live(&create.table_name) => {
            let t = display_name(&create.table_name);
            (format!("CREATE INDEX on {t}"), t, WRITES)
        }
        Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => match names.iter().find(|n| live(n)) {
            Some(name) => (
                format!("DROP TABLE {}", display_name(name)),
                display_name(name),
                ALL,
            ),
            None => return Vec::new(),
        },
        Statement::Drop {
            object_type: ObjectType::Index,
            names,
            table,
            ..
        } if crate::engine::drop_index_concurrently(ctx.source.text).is_none() => {
            match names.iter().find(|n| {
                ctx.schema
                    .index_table_state(n, table.as_ref())
                    .may_have_rows()
            }) {
                Some(name) => (
                    format!("DROP INDEX {}", display_name(name)),
                    "its table".to_string(),
                    ALL,
                ),
                None => return Vec::new(),
            }
        }
        Statement::Truncate(truncate) => {
            match truncate.table_names.iter().find(|t| live(&t.name)) {
                Some(t) => (format!("TRUNCATE {}", t.name), display_name(&t.name), ALL),
                None => return Vec::new(),
            }
        }
        Statement::RenameTable(renames) => match renames.iter().find(|r| live(&r.old_name)) {
            Some(r) => (
                format!("RENAME TABLE {}", r.old_name),
                display_name(&r.old_name),
                ALL,
            ),
            None => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    vec![
        ctx.report_statement(format!(
            "{what} runs with no lock_timeout set: it waits for {lock} lock on {table}, and \
             while it waits behind a running transaction, {blocked} {table} queues behind it"
        ))
        .help("set a lock_timeout first (SET lock_timeout = '5s';) and retry the change if it times out"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN a int;\n\
                   CREATE INDEX i ON users (a);\nDROP TABLE old;";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
        let sql = "SET LOCAL lock_timeout TO '2s'; DROP INDEX ix;";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
        // New tables, concurrent builds and validation block nothing.
        let sql = "CREATE TABLE n (a int);\nALTER TABLE n ADD COLUMN b int;\n\
                   CREATE INDEX CONCURRENTLY i ON users (a);\n\
                   ALTER TABLE users VALIDATE CONSTRAINT c;\nDROP INDEX CONCURRENTLY j;";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        // A timeout of 0 turns the limit off again.
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "SET lock_timeout = 0;\nALTER TABLE users\n  ADD COLUMN nickname text;\n\
             CREATE INDEX idx_users_email ON users (email);\nDROP INDEX idx_old;\nTRUNCATE sessions;"
        ));
    }
}
