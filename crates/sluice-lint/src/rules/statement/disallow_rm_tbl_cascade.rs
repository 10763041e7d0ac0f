//! statement.disallow-rm-tbl-cascade: no DROP or TRUNCATE … CASCADE.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.disallow-rm-tbl-cascade",
    code: 110,
    title: "DROP and TRUNCATE … CASCADE are not allowed",
    engines: POSTGRES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "DROP … CASCADE also drops every view, foreign key and other object that depends \
                  on what is dropped; TRUNCATE … CASCADE also empties every table that references \
                  it. Neither names what else goes, so review cannot see it.",
        fix: "Drop or truncate the dependent objects explicitly first, then the object itself \
              without CASCADE.",
        bad: "DROP TABLE users CASCADE;",
        good: "DROP VIEW active_users;\nDROP TABLE users;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let (what, names) = match statement {
        Statement::Drop {
            object_type,
            names,
            cascade: true,
            ..
        } => (
            format!("DROP {object_type} … CASCADE also drops every object that depends on"),
            names.iter().map(display_name).collect::<Vec<_>>(),
        ),
        Statement::Truncate(t) if matches!(t.cascade, Some(CascadeOption::Cascade)) => (
            "TRUNCATE … CASCADE also empties every table that references".to_string(),
            t.table_names
                .iter()
                .map(|n| display_name(&n.name))
                .collect(),
        ),
        _ => return Vec::new(),
    };
    vec![
        ctx.report_statement(format!("{what} {}", names.join(", ")))
            .help("remove the dependent objects explicitly first, then run the statement without CASCADE"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        assert!(
            run(
                &RULE,
                Dialect::Postgres,
                "DROP TABLE t; TRUNCATE t RESTRICT"
            )
            .is_empty()
        );
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "DROP TABLE a, b CASCADE;\nTRUNCATE c CASCADE;"
        ));
    }
}
