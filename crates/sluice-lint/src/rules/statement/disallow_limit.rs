//! statement.disallow-limit: no LIMIT on UPDATE or DELETE (MySQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "statement.disallow-limit",
    code: 114,
    title: "UPDATE and DELETE must not have LIMIT",
    engines: MYSQL,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "UPDATE … LIMIT n and DELETE … LIMIT n change whichever n rows the plan \
                  meets first. Without a total order that is not repeatable: a replica \
                  applying the statement (statement-based replication marks it unsafe) or a \
                  rerun of the script may change different rows.",
        fix: "Select the rows by key (WHERE id IN (…) or a key range) and drop the LIMIT.",
        bad: "DELETE FROM sessions WHERE expired = 1 LIMIT 1000;",
        good: "DELETE FROM sessions WHERE expired = 1 AND id < 100000;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let (verb, table, limit) = match statement {
        Statement::Update(u) => ("UPDATE", u.table.relation.to_string(), &u.limit),
        Statement::Delete(d) => {
            let tables = match &d.from {
                FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
            };
            let table = tables
                .first()
                .map(|t| t.relation.to_string())
                .unwrap_or_default();
            ("DELETE", table, &d.limit)
        }
        _ => return Vec::new(),
    };
    let Some(limit) = limit else {
        return Vec::new();
    };
    vec![
        ctx.report(
            limit.span(),
            format!(
                "{verb} of {table} with LIMIT {limit}: which rows it changes depends on the plan, \
                 so replicas and reruns may change others"
            ),
        )
        .help("select the rows by key in the WHERE clause and drop the LIMIT"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "DELETE FROM t WHERE id < 10; UPDATE t SET a = 1 WHERE id = 2; SELECT a FROM t LIMIT 1;";
        assert!(run(&RULE, Dialect::Mysql, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "UPDATE jobs SET state = 'done' WHERE state = 'run' LIMIT 10;\n\
             DELETE FROM sessions WHERE expired = 1 ORDER BY id LIMIT 1000;"
        ));
    }
}
