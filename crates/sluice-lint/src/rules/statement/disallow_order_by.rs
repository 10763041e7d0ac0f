//! statement.disallow-order-by: no ORDER BY on UPDATE or DELETE (MySQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.disallow-order-by",
    code: 115,
    title: "UPDATE and DELETE must not have ORDER BY",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "ORDER BY on UPDATE or DELETE makes MySQL sort the matching rows before \
                  changing them, holding their locks meanwhile, and it is there only to pair \
                  with LIMIT, whose batch of rows is better chosen by key.",
        fix: "Drop ORDER BY (and LIMIT); select the rows by key range instead.",
        bad: "UPDATE jobs SET state = 'queued' WHERE state = 'new' ORDER BY created_at;",
        good: "UPDATE jobs SET state = 'queued' WHERE state = 'new';",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let (verb, table, order_by) = match statement {
        Statement::Update(u) => ("UPDATE", u.table.relation.to_string(), &u.order_by),
        Statement::Delete(d) => {
            let tables = match &d.from {
                FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
            };
            let table = tables
                .first()
                .map(|t| t.relation.to_string())
                .unwrap_or_default();
            ("DELETE", table, &d.order_by)
        }
        _ => return Vec::new(),
    };
    let Some(first) = order_by.first() else {
        return Vec::new();
    };
    let span = order_by
        .iter()
        .fold(first.expr.span(), |s, o| s.union(&o.expr.span()));
    vec![
        ctx.report(
            span,
            format!("{verb} of {table} sorts the rows it changes (ORDER BY), locking them while it sorts"),
        )
        .help("drop ORDER BY and select the rows by key in the WHERE clause"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "DELETE FROM t WHERE id < 10; SELECT a FROM t ORDER BY a;";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "DELETE FROM sessions WHERE expired = 1\n  ORDER BY created_at, id LIMIT 1000;"
        ));
    }
}
