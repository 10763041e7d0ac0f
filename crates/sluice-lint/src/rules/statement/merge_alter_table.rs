//! statement.merge-alter-table: one ALTER TABLE per table per script.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.merge-alter-table",
    code: 120,
    title: "ALTER TABLE statements on the same table must be merged",
    engines: POSTGRES_MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Each ALTER TABLE takes the table's strongest lock again (MySQL's exclusive \
                  metadata lock, PostgreSQL's ACCESS EXCLUSIVE lock for most forms), waits \
                  behind every running transaction to get it, and may rebuild the table. Two \
                  ALTERs of one table pay all of that twice.",
        fix: "Merge the changes into one ALTER TABLE with comma-separated operations.",
        bad: "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;",
        good: "ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::AlterTable(alter) = statement else {
        return Vec::new();
    };
    let before = ctx.schema.times_altered(&alter.name);
    if before == 0 {
        return Vec::new();
    }
    let lock = match ctx.dialect {
        Dialect::Mysql => "its exclusive metadata lock again",
        _ => "an ACCESS EXCLUSIVE lock again (as most ALTER TABLE forms do)",
    };
    vec![
        ctx.report_at_name(
            &alter.name,
            format!(
                "table {} was already altered {} earlier in this script: this ALTER takes {lock}, \
                 blocking reads and writes of the table while it waits and runs",
                display_name(&alter.name),
                if before == 1 {
                    "once".to_string()
                } else {
                    format!("{before} times")
                }
            ),
        )
        .help("merge the operations into the earlier ALTER TABLE, separated by commas"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        for d in [Dialect::Postgres, Dialect::Mysql] {
            let sql =
                "ALTER TABLE a ADD COLUMN x int, ADD COLUMN y int; ALTER TABLE b ADD COLUMN x int;";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn postgres() {
        let found = run(
            &RULE,
            Dialect::Postgres,
            "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE public.users ADD COLUMN b int;",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].line, found[0].column), (2, 13));
        assert!(found[0].message.contains("ACCESS EXCLUSIVE"), "{found:?}");
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE Users ADD COLUMN b int;\n\
             ALTER TABLE users DROP COLUMN c;"
        ));
    }
}
