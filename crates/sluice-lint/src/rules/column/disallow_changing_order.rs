//! column.disallow-changing-order: CHANGE and MODIFY keep the column's place.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.disallow-changing-order",
    code: 314,
    title: "Column order must not change",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Moving a column with FIRST or AFTER makes MySQL rebuild the whole table, \
                  copying every row, for no change in what it stores. Code that depends on \
                  column order (SELECT *, INSERT without a column list, positional result \
                  mapping) changes behaviour silently.",
        fix: "Leave the column where it is: drop the FIRST / AFTER clause.",
        bad: "ALTER TABLE users MODIFY COLUMN email varchar(320) NOT NULL AFTER id;",
        good: "ALTER TABLE users MODIFY COLUMN email varchar(320) NOT NULL;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::AlterTable(alter) = statement else {
        return Vec::new();
    };
    alter
        .operations
        .iter()
        .filter_map(|op| {
            let (verb, column, position) = match op {
                AlterTableOperation::ChangeColumn {
                    old_name,
                    column_position: Some(p),
                    ..
                } => ("CHANGE", old_name, p),
                AlterTableOperation::ModifyColumn {
                    col_name,
                    column_position: Some(p),
                    ..
                } => ("MODIFY", col_name, p),
                _ => return None,
            };
            let place = match position {
                MySQLColumnPosition::First => "FIRST".to_string(),
                MySQLColumnPosition::After(other) => format!("AFTER {}", other.value),
            };
            Some(
                ctx.report(
                    column.span,
                    format!(
                        "{verb} COLUMN moves column {} of {} ({place}): MySQL rebuilds the table, copying every row",
                        column.value,
                        display_name(&alter.name)
                    ),
                )
                .help(format!("drop the {place} clause and keep the column where it is")),
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
        let sql = "ALTER TABLE t MODIFY COLUMN a bigint; ALTER TABLE t CHANGE COLUMN a b int;";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "ALTER TABLE t MODIFY COLUMN a int AFTER b,\n  CHANGE COLUMN c d int FIRST;"
        ));
    }
}
