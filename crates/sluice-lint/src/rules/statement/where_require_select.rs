//! statement.where.require-select: SELECT from a table has a WHERE clause.

use std::ops::ControlFlow;

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.where.require-select",
    code: 111,
    title: "SELECT must have a WHERE clause",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "A SELECT without WHERE reads the whole table. Run from a change script or a \
                  console against production it scans every row, fills the buffer cache with \
                  cold data and, on a large table, returns more than the client can hold.",
        fix: "Add a WHERE clause selecting the rows needed (and a LIMIT when exploring).",
        bad: "SELECT id, email FROM users;",
        good: "SELECT id, email FROM users WHERE id = 42;",
    },
    check,
};

struct Finder<F>(F);

impl<F: FnMut(&Select)> Visitor for Finder<F> {
    type Break = ();

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        (self.0)(select);
        ControlFlow::Continue(())
    }
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let _ = statement.visit(&mut Finder(|select: &Select| {
        let Some(from) = select.from.first() else {
            return;
        };
        if select.selection.is_some() {
            return;
        }
        let table = match &from.relation {
            TableFactor::Table { name, .. } => display_name(name),
            // Derived tables and functions are checked where they select.
            _ => return,
        };
        out.push(
            ctx.report(
                from.relation.span(),
                format!("SELECT from {table} has no WHERE clause: it reads every row of {table}"),
            )
            .help("add a WHERE clause selecting the rows needed"),
        );
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            let sql = "SELECT 1; SELECT a FROM t WHERE id = 1; \
                       SELECT x FROM (SELECT a AS x FROM t WHERE a > 0) AS s WHERE x < 9;";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "SELECT id FROM users;\nSELECT a FROM t WHERE a IN (SELECT b FROM public.u);"
        ));
    }
}
