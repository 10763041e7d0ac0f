//! table.drop-naming-convention: only tables marked for deletion are dropped.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "table.drop-naming-convention",
    code: 203,
    title: "Only tables named for deletion may be dropped",
    engines: ALL_ENGINES,
    level: Level::Error,
    options: &[OptionSpec {
        key: "format",
        description: "A regular expression the name of a dropped table must match.",
        default: DefaultValue::Pattern("_del$"),
    }],
    doc: Doc {
        problem: "DROP TABLE cannot be undone without a restore, and the code still reading the \
                  table fails at once. Renaming first (orders → orders_del) makes every \
                  remaining reader fail loudly while the data is still there to rename back; \
                  the drop follows in a later change, once nothing broke.",
        fix: "Rename the table to a name matching the convention, ship that, and drop it in \
              a later change.",
        bad: "DROP TABLE orders;",
        good: "DROP TABLE orders_del;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::Drop {
        object_type: ObjectType::Table,
        names,
        ..
    } = statement
    else {
        return Vec::new();
    };
    let format = ctx.config.text("format");
    // Validated when the policy is loaded; a pattern that still fails
    // checks nothing rather than panic.
    let Ok(regex) = regex::Regex::new(format) else {
        return Vec::new();
    };
    names
        .iter()
        .filter_map(|name| {
            let table = last_ident(name)?;
            if regex.is_match(&table.value) {
                return None;
            }
            Some(
                ctx.report_at_name(
                    name,
                    format!(
                        "table {} is dropped, but only tables whose name matches {format} may be dropped",
                        display_name(name)
                    ),
                )
                .help(format!(
                    "rename it first (ALTER TABLE {0} RENAME TO {1}_del), ship that, and drop \
                     {1}_del in a later change once nothing reads it",
                    display_name(name),
                    table.value
                )),
            )
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
            let sql = "DROP TABLE orders_del; DROP TABLE IF EXISTS a_del, b_del; DROP VIEW v;";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "DROP TABLE IF EXISTS old_orders_del, public.users;\nDROP TABLE sessions CASCADE;"
        ));
    }
}
