//! statement.select.no-select-all: name the columns you read.

use std::ops::ControlFlow;

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.select.no-select-all",
    code: 103,
    title: "SELECT * is not allowed",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "`SELECT *` reads every column, including ones added later: a query, view or \
                  INSERT … SELECT silently changes meaning (or breaks) when the table changes, \
                  and it reads more data than needed.",
        fix: "List the columns the statement needs.",
        bad: "SELECT * FROM users;",
        good: "SELECT id, email FROM users;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let _ = statement.visit(&mut Finder(|select: &Select| {
        for item in &select.projection {
            let (span, what) = match item {
                SelectItem::Wildcard(options) => (options.wildcard_token.0.span, "*".to_string()),
                SelectItem::QualifiedWildcard(kind, options) => (
                    options.wildcard_token.0.span.union(&kind.span()),
                    kind.to_string(),
                ),
                _ => continue,
            };
            out.push(
                ctx.report(
                    span,
                    format!("{what} selects every column, including ones added later"),
                )
                .help("list the columns the statement needs"),
            );
        }
    }));
    out
}

/// Calls the closure on every SELECT, including subqueries and the
/// queries inside INSERT, CREATE VIEW and CREATE TABLE AS.
struct Finder<F>(F);

impl<F: FnMut(&Select)> Visitor for Finder<F> {
    type Break = ();

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        (self.0)(select);
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            assert!(run(&RULE, d, "SELECT id, count(*) FROM t GROUP BY id").is_empty());
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "SELECT id FROM t\nWHERE id IN (SELECT * FROM u);\nINSERT INTO a SELECT t.* FROM t;"
        ));
    }
}
