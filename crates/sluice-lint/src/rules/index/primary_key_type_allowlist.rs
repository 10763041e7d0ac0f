//! index.primary-key-type-allowlist: primary keys use an allowed type.

use crate::rules::index::primary_key_columns;
use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "index.primary-key-type-allowlist",
    code: 506,
    title: "Primary key columns must have an allowed type",
    engines: ALL_ENGINES,
    level: Level::Warning,
    options: &[OptionSpec {
        key: "allow",
        description: "The types primary key columns may have, without length (compared \
                      case-insensitively after normalizing spellings such as int8).",
        default: DefaultValue::List(&["bigint", "bigint unsigned", "bigserial", "uuid"]),
    }],
    doc: Doc {
        problem: "A primary key's type is the hardest thing to change later: every foreign key \
                  and every client that stores ids has it too. A team that settled on one \
                  (bigint, uuid) wants new tables to follow, and an INT key runs out at 2^31 \
                  rows.",
        fix: "Give the primary key one of the allowed types.",
        bad: "CREATE TABLE events (id int PRIMARY KEY);",
        good: "CREATE TABLE events (id bigint PRIMARY KEY);",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let allow: Vec<String> = ctx
        .config
        .list("allow")
        .iter()
        .map(|t| type_base(&canonical_type(t)))
        .collect();
    primary_key_columns(ctx, statement)
        .into_iter()
        .filter_map(|(table, column, data_type)| {
            let data_type = data_type?;
            let base = type_base(&canonical_type(&data_type));
            if allow.contains(&base) {
                return None;
            }
            Some(
                ctx.report(
                    column.span,
                    format!(
                        "primary key column {} of {} is {data_type}, which is not in the allowed types ({})",
                        column.value,
                        display_name(table),
                        ctx.config.list("allow").join(", ")
                    ),
                )
                .help("change the column to an allowed type; the list is the rule's `allow` option"),
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
            let sql = "CREATE TABLE t (id BIGINT PRIMARY KEY); CREATE TABLE u (id int8, PRIMARY KEY (id));";
            assert!(run(&RULE, d, sql).is_empty(), "{d}");
        }
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Postgres,
            "CREATE TABLE t (id serial PRIMARY KEY);\n\
             CREATE TABLE u (code text, PRIMARY KEY (code));"
        ));
    }

    #[test]
    fn added_to_an_existing_table() {
        let catalog = users_catalog(Dialect::Postgres);
        let found = run_with(
            &RULE,
            Dialect::Postgres,
            "ALTER TABLE users ADD PRIMARY KEY (email);",
            None,
            Some(&catalog),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.contains("character varying(255)"),
            "{found:?}"
        );
    }
}
