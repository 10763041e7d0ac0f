//! statement.where.disallow-functions-and-calculations: WHERE compares
//! columns as they are stored.

use std::ops::ControlFlow;

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.where.disallow-functions-and-calculations",
    code: 113,
    title: "WHERE must not apply functions or calculations to columns",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "An index stores a column's values as they are. A condition on a function of \
                  the column (DATE(created_at) = …, lower(email) = …) or a calculation on it \
                  (price * 2 > …) cannot use that index, so the table is scanned; functions \
                  and calculations on constants alone are fine.",
        fix: "Move the work to the constant side (created_at >= '2026-01-01' AND created_at < \
              '2026-01-02', price > 50), or index the expression itself.",
        bad: "SELECT id FROM orders WHERE DATE(created_at) = '2026-01-01';",
        good: "SELECT id FROM orders WHERE created_at >= '2026-01-01' AND created_at < '2026-01-02';",
    },
    check,
};

/// Whether `expr` refers to a column.
fn has_column(expr: &Expr) -> bool {
    let mut found = false;
    let _ = visit_expressions(expr, |e| {
        if matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) {
            found = true;
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    found
}

/// The outermost functions and calculations on columns in a condition.
fn offenders<'a>(expr: &'a Expr, out: &mut Vec<(&'a Expr, &'static str)>) {
    match expr {
        Expr::Function(_) if has_column(expr) => out.push((expr, "a function")),
        Expr::BinaryOp { left, op, right } => match op {
            BinaryOperator::Plus
            | BinaryOperator::Minus
            | BinaryOperator::Multiply
            | BinaryOperator::Divide
            | BinaryOperator::Modulo
            | BinaryOperator::StringConcat
                if has_column(expr) =>
            {
                out.push((expr, "a calculation"))
            }
            _ => {
                offenders(left, out);
                offenders(right, out);
            }
        },
        Expr::Nested(inner) | Expr::UnaryOp { expr: inner, .. } => offenders(inner, out),
        Expr::IsNull(inner) | Expr::IsNotNull(inner) => offenders(inner, out),
        Expr::In { expr: inner, .. } => offenders(inner, out),
        Expr::Between { expr: inner, .. } => offenders(inner, out),
        Expr::Like { expr: inner, .. } | Expr::ILike { expr: inner, .. } => offenders(inner, out),
        _ => {}
    }
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let selection = match statement {
        Statement::Query(query) => match query.body.as_ref() {
            SetExpr::Select(select) => select.selection.as_ref(),
            _ => None,
        },
        Statement::Update(update) => update.selection.as_ref(),
        Statement::Delete(delete) => delete.selection.as_ref(),
        _ => None,
    };
    let Some(selection) = selection else {
        return Vec::new();
    };
    let mut found = Vec::new();
    offenders(selection, &mut found);
    found
        .into_iter()
        .map(|(expr, what)| {
            ctx.report(
                expr.span(),
                format!("WHERE applies {what} to a column ({expr}): an index on the column cannot serve it"),
            )
            .help("rewrite the condition so the column stands alone on one side, or index the expression")
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
            let sql = "SELECT a FROM t WHERE a = 1 + 2 AND b > now() AND c IN (1, 2) AND d IS NULL";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "SELECT id FROM orders\nWHERE DATE(created_at) = '2026-01-01' AND (price * 2 > 100 OR id = 1);\n\
             UPDATE t SET a = 1 WHERE lower(email) = 'x';"
        ));
    }
}
