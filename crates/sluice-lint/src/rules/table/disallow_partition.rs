//! table.disallow-partition: no partitioned tables.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "table.disallow-partition",
    code: 205,
    title: "Partitioned tables are not allowed",
    // MySQL's PARTITION BY clause is beyond the parser (such statements
    // are reported by `syntax`); PostgreSQL's is checked.
    engines: POSTGRES,
    level: Level::Warning,
    options: &[],
    doc: Doc {
        problem: "Partitioning changes how every query on the table is planned: without the \
                  partition key in the WHERE clause each one scans every partition, unique \
                  constraints must include the key, and rows do not move between partitions \
                  on UPDATE everywhere. It is worth it for very large, time-ordered data; as a \
                  default it mostly costs.",
        fix: "Create a plain table with the right indexes; partition only with a plan for \
              the partition key and the maintenance of partitions.",
        bad: "CREATE TABLE events (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);",
        good: "CREATE TABLE events (id bigint, at timestamptz NOT NULL);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateTable(create) = statement else {
        return Vec::new();
    };
    let table = display_name(&create.name);
    if let Some(parent) = &create.partition_of {
        return vec![
            ctx.report_at_name(
                &create.name,
                format!(
                    "table {table} is created as a partition of {}",
                    display_name(parent)
                ),
            )
            .help("partitioned tables are not allowed here; store the rows in a plain table"),
        ];
    }
    if create.partition_by.is_some() {
        return vec![
            ctx.report_at_name(&create.name, format!("table {table} is partitioned"))
                .help("drop the PARTITION BY clause and index the table instead"),
        ];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        assert!(run(&RULE, Dialect::Postgres, "CREATE TABLE t (id int, at date)").is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\n\
             CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"
        ));
    }
}
