//! index.total-number-limit: a table has a bounded number of indexes.

use crate::rules::index::keys_of;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "index.total-number-limit",
    code: 504,
    title: "Tables must not have more indexes than the limit",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[OptionSpec {
        key: "max",
        description: "The most indexes a table may have, counting its primary key and \
                      unique constraints.",
        default: DefaultValue::Int(5),
    }],
    doc: Doc {
        problem: "Every index is updated by every INSERT and by each UPDATE of its columns, \
                  takes disk and buffer cache, and gives the planner one more choice to get \
                  wrong. Past a handful, a table's writes slow down for indexes that rarely \
                  serve a query.",
        fix: "Drop indexes that no query needs (check the statistics of index use), or merge \
              them into a composite index that serves several queries.",
        bad: "CREATE TABLE t (a int PRIMARY KEY, b int, c int, d int, e int, f int);\n\
              CREATE INDEX ix_b ON t (b); CREATE INDEX ix_c ON t (c); CREATE INDEX ix_d ON t (d);\n\
              CREATE INDEX ix_e ON t (e); CREATE INDEX ix_f ON t (f);",
        good: "CREATE TABLE t (a int PRIMARY KEY, b int, c int);\n\
               CREATE INDEX ix_b_c ON t (b, c);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let max = ctx.config.int("max");
    let keys: Vec<_> = keys_of(statement)
        .into_iter()
        .filter(|k| !k.what.starts_with("foreign key"))
        .collect();
    let Some(first) = keys.first() else {
        return Vec::new();
    };
    let mut count: i64 = match statement {
        Statement::CreateTable(create) => create
            .columns
            .iter()
            .flat_map(|c| &c.options)
            .filter(|o| {
                matches!(
                    o.option,
                    ColumnOption::PrimaryKey(_) | ColumnOption::Unique(_)
                )
            })
            .count() as i64,
        _ => ctx.table(first.table).map_or(0, |t| {
            (t.indexes.len() + t.uniques.len() + usize::from(t.primary_key.is_some())) as i64
        }),
    };
    let mut out = Vec::new();
    for key in keys {
        count += 1;
        if max > 0 && count == max + 1 {
            let span = key.name.map_or(key.table.span(), |n| n.span);
            out.push(
                ctx.report(
                    span,
                    format!(
                        "{} makes {count} indexes on {}, more than {max}",
                        key.what,
                        display_name(key.table)
                    ),
                )
                .help("drop an index no query needs, or merge several into one composite index"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            let sql = "CREATE TABLE t (a int PRIMARY KEY, b int UNIQUE, c int);\
                       CREATE INDEX ix_c ON t (c); CREATE INDEX ix_b_c ON t (b, c);\
                       CREATE INDEX ix_c_b ON t (c, b);";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE t (a int PRIMARY KEY, b int, c int, UNIQUE (b), UNIQUE (c));\n\
             CREATE INDEX ix_t_a_b ON t (a, b);\nCREATE INDEX ix_t_b_c ON t (b, c);\n\
             CREATE INDEX ix_t_c_a ON t (c, a);"
        ));
    }
}
