//! statement.insert.must-specify-column: INSERT names its columns.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.insert.must-specify-column",
    code: 104,
    title: "INSERT must name its columns",
    engines: ALL_ENGINES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "An INSERT without a column list fills columns by position. When a column is \
                  added, dropped or reordered, the statement fails, or worse, puts values in \
                  the wrong columns.",
        fix: "Name the columns the values go to.",
        bad: "INSERT INTO users VALUES (1, 'ann@example.com');",
        good: "INSERT INTO users (id, email) VALUES (1, 'ann@example.com');",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::Insert(insert) = statement else {
        return Vec::new();
    };
    if !insert.columns.is_empty() || insert.source.is_none() {
        return Vec::new();
    }
    vec![
        ctx.report_statement(format!(
            "INSERT INTO {} does not name its columns: values are matched by position",
            insert.table
        ))
        .help("name the target columns: INSERT INTO table (col1, col2, …) …"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in Dialect::ALL {
            assert!(run(&RULE, d, "INSERT INTO t (a, b) VALUES (1, 2)").is_empty());
            assert!(run(&RULE, d, "INSERT INTO t (a) SELECT x FROM u").is_empty());
        }
        assert!(run(&RULE, Dialect::Postgres, "INSERT INTO t DEFAULT VALUES").is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "INSERT INTO t VALUES (1, 2);\nINSERT INTO t SELECT a, b FROM u"
        ));
    }
}
