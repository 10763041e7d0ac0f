//! statement.disallow-truncate: no TRUNCATE in a reviewed change.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.disallow-truncate",
    code: 102,
    title: "TRUNCATE is not allowed",
    engines: POSTGRES_MYSQL,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "TRUNCATE removes every row at once, bypasses DELETE triggers, and on MySQL \
                  commits implicitly and cannot be rolled back. On PostgreSQL it takes an \
                  ACCESS EXCLUSIVE lock that blocks every read and write of the table.",
        fix: "Delete the rows you mean with DELETE … WHERE, in batches for large tables; or \
              have a DBA run the TRUNCATE outside the review flow.",
        bad: "TRUNCATE TABLE audit_log;",
        good: "DELETE FROM audit_log WHERE created_at < now() - interval '90 days';",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::Truncate(truncate) = statement else {
        return Vec::new();
    };
    let names: Vec<String> = truncate
        .table_names
        .iter()
        .map(|t| display_name(&t.name))
        .collect();
    let lock = match ctx.dialect {
        Dialect::Postgres => {
            " under an ACCESS EXCLUSIVE lock that blocks every read and write until it commits"
        }
        _ => " and commits implicitly: it cannot be rolled back",
    };
    vec![
        ctx.report_statement(format!(
            "TRUNCATE removes every row of {}{lock}",
            names.join(", ")
        ))
        .help("delete the rows you mean with DELETE … WHERE, in batches for large tables"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        assert!(run(&RULE, Dialect::Postgres, "DELETE FROM t WHERE id = 1").is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(&RULE, Dialect::Postgres, "TRUNCATE a, b;"));
        insta::assert_snapshot!("mysql", text(&RULE, Dialect::Mysql, "TRUNCATE TABLE a"));
    }
}
