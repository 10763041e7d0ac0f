//! column.default-disallow-volatile: no volatile default on a column added
//! to an existing table (PostgreSQL).

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "column.default-disallow-volatile",
    code: 316,
    title: "Columns added to existing tables must not have a volatile default",
    engines: POSTGRES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "Since PostgreSQL 11, ADD COLUMN with a constant default (or a stable one \
                  like now()) only records the value in the catalog. A volatile default \
                  (random(), gen_random_uuid(), clock_timestamp(), nextval()) must be computed \
                  per row, so the whole table is rewritten while ADD COLUMN holds an ACCESS \
                  EXCLUSIVE lock: every SELECT, INSERT, UPDATE and DELETE on the table waits \
                  until the rewrite ends.",
        fix: "Add the column without a default (or with a constant one), backfill it in \
              batches, then SET DEFAULT for new rows.",
        bad: "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
        good: "ALTER TABLE users ADD COLUMN token uuid;\n\
               ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();",
    },
    check,
};

/// Built-in volatile functions that show up as column defaults.
const VOLATILE: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
    "setseed",
];

/// The first volatile function called in `expr`, by name.
fn volatile_call(expr: &Expr) -> Option<&'static str> {
    let text = expr.to_string().to_ascii_lowercase();
    VOLATILE.iter().copied().find(|f| {
        text.match_indices(f).any(|(at, _)| {
            let before = text[..at].chars().last();
            let after = &text[at + f.len()..];
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                && after.trim_start().starts_with('(')
        })
    })
}

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
            let AlterTableOperation::AddColumn { column_def, .. } = op else {
                return None;
            };
            column_def.options.iter().find_map(|o| {
                let ColumnOption::Default(expr) = &o.option else {
                    return None;
                };
                volatile_call(expr)?;
                Some(
                    ctx.report(
                        expr.span(),
                        format!(
                            "adding column {} to {table} with the volatile default {expr} rewrites the whole table \
                             under an ACCESS EXCLUSIVE lock: every read and write of {table} waits until it ends",
                            column_def.name.value
                        ),
                    )
                    .help(format!(
                        "add the column without a default, backfill it in batches, then \
                         ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT {expr} for new rows",
                        column_def.name.value
                    )),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        let sql = "ALTER TABLE t ADD COLUMN a timestamptz DEFAULT now();\
                   ALTER TABLE t ADD COLUMN b int DEFAULT 0;\
                   ALTER TABLE t ADD COLUMN my_random_thing int DEFAULT 1;\
                   CREATE TABLE n (id int); ALTER TABLE n ADD COLUMN c uuid DEFAULT gen_random_uuid();";
        let found = run(&RULE, Dialect::Postgres, sql);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "ALTER TABLE users\n  ADD COLUMN token uuid DEFAULT gen_random_uuid(),\n  \
             ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();"
        ));
    }
}
