//! table.add-unique-needs-index: add UNIQUE and PRIMARY KEY constraints to
//! live tables USING INDEX (PostgreSQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "table.add-unique-needs-index",
    code: 210,
    title: "Add UNIQUE and PRIMARY KEY constraints to existing tables USING INDEX",
    engines: POSTGRES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "ALTER TABLE … ADD UNIQUE (…) or ADD PRIMARY KEY (…) builds the index behind \
                  the constraint while holding an ACCESS EXCLUSIVE lock on the table: every \
                  read and write of it waits until the whole index is built.",
        fix: "Build the unique index first with CREATE UNIQUE INDEX CONCURRENTLY (its own \
              change, outside a transaction block), then attach it: ADD CONSTRAINT … UNIQUE \
              USING INDEX (or PRIMARY KEY USING INDEX), which only takes the lock for an \
              instant. Tables created in the same change are exempt.",
        bad: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
        good: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::AlterTable(alter) = statement else {
        return Vec::new();
    };
    if !ctx.table_state(&alter.name).may_have_rows() {
        return Vec::new();
    }
    let table = display_name(&alter.name);
    alter
        .operations
        .iter()
        .filter_map(|op| {
            let AlterTableOperation::AddConstraint { constraint, .. } = op else {
                return None;
            };
            let (kind, name, span) = match constraint {
                TableConstraint::Unique(u) => ("UNIQUE", u.name.as_ref(), u.span()),
                TableConstraint::PrimaryKey(pk) => ("PRIMARY KEY", pk.name.as_ref(), pk.span()),
                _ => return None,
            };
            let label = name
                .map(|n| format!("{kind} constraint {}", n.value))
                .unwrap_or_else(|| format!("a {kind} constraint"));
            let span = name.map_or(span, |n| n.span);
            Some(
                ctx.report(
                    span,
                    format!(
                        "adding {label} to {table} builds its index under an ACCESS EXCLUSIVE \
                         lock on {table}: every read and write of {table} waits until the index \
                         is built"
                    ),
                )
                .help(format!(
                    "build it first with CREATE UNIQUE INDEX CONCURRENTLY (its own change), then \
                     ADD CONSTRAINT … {kind} USING INDEX"
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
        let sql = "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_idx;\n\
                   ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_id_idx;\n\
                   CREATE TABLE n (a int);\nALTER TABLE n ADD UNIQUE (a);";
        assert!(run(&RULE, Dialect::Postgres, sql).is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "ALTER TABLE users\n  ADD CONSTRAINT users_email_key UNIQUE (email);\n\
             ALTER TABLE orders ADD PRIMARY KEY (id);"
        ));
    }
}
