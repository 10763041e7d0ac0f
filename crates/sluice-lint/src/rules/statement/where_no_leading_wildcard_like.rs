//! statement.where.no-leading-wildcard-like: no LIKE '%…'.

use std::ops::ControlFlow;

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.where.no-leading-wildcard-like",
    code: 112,
    title: "LIKE patterns must not start with a wildcard",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "A B-tree index finds LIKE 'abc%' by its prefix, but a pattern that starts \
                  with % or _ has no prefix: every row is read and matched, however the column \
                  is indexed.",
        fix: "Anchor the pattern at the start, or use full-text search (a trigram index on \
              PostgreSQL, FULLTEXT on MySQL) for substring search.",
        bad: "SELECT id FROM users WHERE email LIKE '%@example.com';",
        good: "SELECT id FROM users WHERE email LIKE 'alice%';",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let _ = visit_expressions(statement, |expr| {
        let (subject, pattern, op) = match expr {
            Expr::Like {
                expr,
                pattern,
                negated,
                ..
            } => (expr, pattern, if *negated { "NOT LIKE" } else { "LIKE" }),
            Expr::ILike {
                expr,
                pattern,
                negated,
                ..
            } => (expr, pattern, if *negated { "NOT ILIKE" } else { "ILIKE" }),
            _ => return ControlFlow::<()>::Continue(()),
        };
        if let Expr::Value(v) = pattern.as_ref()
            && let Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) = &v.value
            && (s.starts_with('%') || s.starts_with('_'))
        {
            out.push(
                ctx.report(
                    pattern.span(),
                    format!(
                        "{subject} {op} '{s}' starts with a wildcard: no index on {subject} can serve it, so every row is read"
                    ),
                )
                .help("anchor the pattern at the start, or use full-text or trigram search for substrings"),
            );
        }
        ControlFlow::Continue(())
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            let sql = "SELECT a FROM t WHERE a LIKE 'x%' AND b LIKE 'a_c'";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "SELECT id FROM users\nWHERE email ILIKE '%@example.com' OR name NOT LIKE '_lice';\n\
             DELETE FROM t WHERE a LIKE '%x%';"
        ));
    }
}
