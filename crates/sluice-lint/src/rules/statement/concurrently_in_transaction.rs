//! statement.concurrently-in-transaction: CONCURRENTLY never runs inside a
//! transaction block (PostgreSQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.concurrently-in-transaction",
    code: 126,
    title: "CONCURRENTLY must not run inside a transaction block",
    engines: POSTGRES,
    level: Level::Error,
    options: &[OptionSpec {
        key: "single_transaction",
        description: "Whether the script is applied as one transaction (psql \
                      --single-transaction, most migration tools): then a CONCURRENTLY \
                      statement together with any other statement fails too.",
        default: DefaultValue::Bool(true),
    }],
    doc: Doc {
        problem: "CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY and REINDEX … \
                  CONCURRENTLY refuse to run inside a transaction block: after an explicit \
                  BEGIN, or in a script a migration tool applies as one transaction, the \
                  statement fails (and the whole change with it). The tempting fix, removing \
                  CONCURRENTLY, takes a SHARE lock (create) or an ACCESS EXCLUSIVE lock \
                  (drop) on the table instead, blocking its writes or all of its reads and \
                  writes for the whole build. (statement.non-transactional reports every such \
                  statement; this rule only the ones that will fail where they are.)",
        fix: "Ship the CONCURRENTLY statement alone, as its own change, outside BEGIN … \
              COMMIT. Sluice's runner runs it after the rest of the script has committed, so \
              nothing else in the script may depend on it.",
        bad: "BEGIN;\nCREATE INDEX CONCURRENTLY idx_users_email ON users (email);\nCOMMIT;",
        good: "CREATE INDEX CONCURRENTLY idx_users_email ON users (email);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let what = match statement {
        Statement::CreateIndex(c) if c.concurrently => "CREATE INDEX CONCURRENTLY".to_string(),
        Statement::Drop {
            object_type: ObjectType::Index,
            ..
        } if crate::engine::drop_index_concurrently(ctx.source.text).is_some() => {
            "DROP INDEX CONCURRENTLY".to_string()
        }
        _ if !sluice_sql::can_run_in_transaction(ctx.dialect, ctx.source.text)
            && ctx
                .source
                .text
                .to_ascii_uppercase()
                .contains("CONCURRENTLY") =>
        {
            let head = ctx.source.text.split_whitespace().next().unwrap_or("");
            format!("{} … CONCURRENTLY", head.to_ascii_uppercase())
        }
        _ => return Vec::new(),
    };
    let why = if ctx.schema.in_transaction_block() {
        "inside the BEGIN … COMMIT block opened earlier in the script"
    } else if ctx.config.bool("single_transaction") && ctx.statements > 1 {
        "in a script of several statements applied as one transaction"
    } else {
        return Vec::new();
    };
    vec![
        ctx.report_statement(format!(
            "{what} cannot run inside a transaction block and fails here, {why}; without \
             CONCURRENTLY it would take a SHARE or ACCESS EXCLUSIVE lock on the table, blocking \
             its writes or all of its reads and writes"
        ))
        .help("ship this statement alone, as its own change, outside BEGIN … COMMIT"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for sql in [
            "CREATE INDEX CONCURRENTLY i ON t (a);",
            "DROP INDEX CONCURRENTLY i;",
            "BEGIN;\nCREATE INDEX i ON t (a);\nCOMMIT;",
        ] {
            assert!(run(&RULE, Dialect::Postgres, sql).is_empty(), "{sql}");
        }
        // The block is closed before, and the script is not one transaction.
        let sql = "BEGIN;\nUPDATE t SET a = 1 WHERE id = 1;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);";
        let config = Some(r#"{"single_transaction": false}"#);
        assert!(run_with(&RULE, Dialect::Postgres, sql, config, None).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "BEGIN;\nCREATE UNIQUE INDEX CONCURRENTLY uk_t_a ON t (a);\nCOMMIT;\n\
             DROP INDEX CONCURRENTLY ix_t_b;"
        ));
    }
}
