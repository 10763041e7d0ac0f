//! statement.insert.disallow-order-by-rand: no INSERT … SELECT … ORDER BY RAND().

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.insert.disallow-order-by-rand",
    code: 116,
    title: "INSERT … SELECT must not ORDER BY a random value",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "ORDER BY RAND() (random() on PostgreSQL and SQLite) computes a random value \
                  for every source row and sorts them all, however few rows are kept; the \
                  rows inserted differ on every run and on every replica.",
        fix: "Pick the rows by key (a range, or ids chosen in the application) instead of \
              sorting by a random value.",
        bad: "INSERT INTO sample (id) SELECT id FROM users ORDER BY RAND() LIMIT 100;",
        good: "INSERT INTO sample (id) SELECT id FROM users WHERE id % 1000 = 7;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::Insert(insert) = statement else {
        return Vec::new();
    };
    let Some(source) = &insert.source else {
        return Vec::new();
    };
    let Some(order_by) = &source.order_by else {
        return Vec::new();
    };
    let OrderByKind::Expressions(exprs) = &order_by.kind else {
        return Vec::new();
    };
    exprs
        .iter()
        .filter(|o| {
            matches!(&o.expr, Expr::Function(f)
                if f.name.to_string().eq_ignore_ascii_case("rand")
                    || f.name.to_string().eq_ignore_ascii_case("random"))
        })
        .map(|o| {
            ctx.report(
                o.expr.span(),
                format!(
                    "INSERT into {} sorts every source row by {}: the rows inserted differ on every run",
                    insert.table,
                    o.expr
                ),
            )
            .help("select the rows by key instead of sorting by a random value")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            let sql =
                "INSERT INTO a (x) SELECT x FROM b ORDER BY x; SELECT x FROM b ORDER BY random();";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "INSERT INTO sample (id)\nSELECT id FROM users ORDER BY random() LIMIT 10;"
        ));
    }
}
