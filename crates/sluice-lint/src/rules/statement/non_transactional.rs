//! statement.non-transactional: no statements that cannot run in a
//! transaction (PostgreSQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.non-transactional",
    code: 121,
    title: "Statements that cannot run in a transaction are not allowed",
    engines: POSTGRES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "CREATE and DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM and CREATE or DROP \
                  DATABASE refuse to run inside a transaction block. A change runner \
                  that wraps the script in one fails on them, and one that does not loses \
                  the all-or-nothing rollback for the whole script. (This conflicts with \
                  index.create-concurrently and index.drop-concurrently by design: a policy \
                  enables one or the other; statement.concurrently-in-transaction reports only \
                  the statements that will fail where they are.)",
        fix: "Ship the statement as its own change, run outside a transaction.",
        bad: "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
        good: "CREATE INDEX idx_users_email ON users (email);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let text = ctx
        .source
        .text
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase();
    let what = match statement {
        Statement::CreateIndex(c) if c.concurrently => "CREATE INDEX CONCURRENTLY",
        Statement::Drop {
            object_type: ObjectType::Index,
            ..
        } if crate::engine::drop_index_concurrently(ctx.source.text).is_some() => {
            "DROP INDEX CONCURRENTLY"
        }
        Statement::Vacuum(_) => "VACUUM",
        Statement::CreateDatabase { .. } => "CREATE DATABASE",
        Statement::Drop {
            object_type: ObjectType::Database,
            ..
        } => "DROP DATABASE",
        _ if text.starts_with("REINDEX") && text.contains("CONCURRENTLY") => "REINDEX CONCURRENTLY",
        _ => return Vec::new(),
    };
    vec![
        ctx.report_statement(format!(
            "{what} cannot run inside a transaction block: the script cannot be applied (or rolled back) as one transaction"
        ))
        .help("ship this statement as its own change, run outside a transaction"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "CREATE INDEX ix ON t (a); DROP INDEX ix; CREATE TABLE t2 (a int);";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE UNIQUE INDEX CONCURRENTLY uk_t_a ON t (a);\n\
             VACUUM t;\nCREATE DATABASE analytics;"
        ));
    }
}
