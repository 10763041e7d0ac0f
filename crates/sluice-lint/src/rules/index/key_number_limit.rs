//! index.key-number-limit: keys have a bounded number of columns.

use crate::rules::index::keys_of;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "index.key-number-limit",
    code: 502,
    title: "Index keys must not have too many columns",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[OptionSpec {
        key: "max",
        description: "The most columns one index, primary key or unique key may have.",
        default: DefaultValue::Int(5),
    }],
    doc: Doc {
        problem: "An index over many columns is large, slow to maintain on every write, and \
                  rarely used past its first few columns: queries can only use a leading prefix.",
        fix: "Keep the columns queries filter and sort on, most selective first; use INCLUDE \
              (PostgreSQL) for columns only read.",
        bad: "CREATE INDEX idx_t_a_b_c_d_e_f ON t (a, b, c, d, e, f);",
        good: "CREATE INDEX idx_t_a_b ON t (a, b);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let max = ctx.config.int("max").max(0) as usize;
    keys_of(statement)
        .into_iter()
        .filter(|k| k.columns.len() > max && !k.what.starts_with("foreign key"))
        .map(|k| {
            let span = k.name.map_or(k.table.span(), |n| n.span);
            ctx.report(
                span,
                format!(
                    "{} on {} has {} columns, more than the limit of {max}",
                    k.what,
                    display_name(k.table),
                    k.columns.len()
                ),
            )
            .help(format!(
                "keep at most {max} key columns; move read-only columns to INCLUDE"
            ))
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
            assert!(run(&RULE, d, "CREATE INDEX i ON t (a, b, c, d, e)").is_empty());
        }
    }

    #[test]
    fn err() {
        let found = run_with(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE t (a int, b int, c int, PRIMARY KEY (a, b, c));",
            Some(r#"{"max": 2}"#),
            None,
        );
        insta::assert_snapshot!(crate::render_text("migration.sql", &found));
    }
}
