//! column.current-time-count-limit: few columns default to the current time.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.current-time-count-limit",
    code: 315,
    title: "At most two columns default to the current time, one updates to it",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "A table needs a created time and an updated time; more columns that default \
                  to CURRENT_TIMESTAMP, or more than one ON UPDATE CURRENT_TIMESTAMP, record \
                  the same instant under several names and usually mean a column was meant to \
                  be set by the application.",
        fix: "Keep one DEFAULT CURRENT_TIMESTAMP column for creation and one with ON UPDATE \
              CURRENT_TIMESTAMP for updates; set the others explicitly.",
        bad: "CREATE TABLE t (id int, a datetime DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, \
              b datetime DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP);",
        good: "CREATE TABLE t (id int, created_at datetime DEFAULT CURRENT_TIMESTAMP, \
               updated_at datetime DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP);",
    },
    check,
};

fn is_current_time(expr: &Expr) -> bool {
    let text = expr.to_string().to_ascii_uppercase();
    ["CURRENT_TIMESTAMP", "NOW(", "LOCALTIME", "LOCALTIMESTAMP"]
        .iter()
        .any(|w| text.starts_with(w))
}

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateTable(create) = statement else {
        return Vec::new();
    };
    let table = display_name(&create.name);
    let (mut defaults, mut updates) = (0, 0);
    let mut out = Vec::new();
    for def in &create.columns {
        for option in &def.options {
            match &option.option {
                ColumnOption::Default(e) if is_current_time(e) => {
                    defaults += 1;
                    if defaults == 3 {
                        out.push(
                            ctx.report(
                                def.name.span,
                                format!(
                                    "column {} is the third column of {table} to default to the current time (at most two)",
                                    def.name.value
                                ),
                            )
                            .help("set this column from the application instead"),
                        );
                    }
                }
                ColumnOption::OnUpdate(e) if is_current_time(e) => {
                    updates += 1;
                    if updates == 2 {
                        out.push(
                            ctx.report(
                                def.name.span,
                                format!(
                                    "column {} is the second column of {table} with ON UPDATE CURRENT_TIMESTAMP (at most one)",
                                    def.name.value
                                ),
                            )
                            .help("keep ON UPDATE CURRENT_TIMESTAMP on the one updated-at column"),
                        );
                    }
                }
                _ => {}
            }
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
        let sql = "CREATE TABLE t (a datetime DEFAULT CURRENT_TIMESTAMP, \
                   b timestamp DEFAULT NOW() ON UPDATE CURRENT_TIMESTAMP, c datetime)";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (\n  a datetime DEFAULT CURRENT_TIMESTAMP,\n  \
             b datetime DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n  \
             c datetime DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP\n);"
        ));
    }
}
