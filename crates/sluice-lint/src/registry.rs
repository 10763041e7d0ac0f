//! The one table of rules.
//!
//! Every rule is listed here exactly once. Names and codes are stable
//! identities: a released rule keeps both forever, and a retired rule's
//! code is kept in [`RETIRED_CODES`] so it is never given to another rule.
//! Codes are grouped by category: 1 syntax, 1xx statement, 2xx table,
//! 3xx column, 4xx naming, 5xx index, 6xx schema, 7xx engine, 8xx system,
//! 9xx database.

use crate::diagnostic::Level;
use crate::rule::{ALL_ENGINES, Doc, Rule};
use crate::rules::*;

/// Statements that do not parse. Emitted by the engine itself (the check
/// never runs); listed so policies can set its level like any rule's.
pub const SYNTAX: Rule = Rule {
    name: "syntax",
    code: 1,
    title: "The statement must parse",
    engines: ALL_ENGINES,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "A statement that does not parse cannot be checked by any other rule, and \
                  usually fails on the server too. Some valid statements are beyond the parser \
                  (PostgreSQL `DO` blocks, MySQL procedures with BEGIN … END, VACUUM \
                  ANALYZE); they are reported here as well.",
        fix: "Fix the syntax at the reported position. If the server accepts the statement, \
              set this rule to WARNING in the policy so it is shown but does not block.",
        bad: "SELEC 1;",
        good: "SELECT 1;",
    },
    check: |_, _| Vec::new(),
};

/// Codes of retired rules: never to be reused.
pub const RETIRED_CODES: &[u32] = &[];

/// Every rule, in the order `--list-rules` shows them.
pub static RULES: &[&Rule] = &[
    &SYNTAX,
    &statement::where_require_update_delete::RULE,
    &statement::disallow_truncate::RULE,
    &statement::select_no_select_all::RULE,
    &statement::insert_must_specify_column::RULE,
    &statement::disallow_commit::RULE,
    &statement::add_check_not_valid::RULE,
    &statement::add_foreign_key_not_valid::RULE,
    &statement::disallow_add_not_null::RULE,
    &statement::disallow_on_del_cascade::RULE,
    &statement::disallow_rm_tbl_cascade::RULE,
    &statement::where_require_select::RULE,
    &statement::where_no_leading_wildcard_like::RULE,
    &statement::where_disallow_functions_and_calculations::RULE,
    &statement::disallow_limit::RULE,
    &statement::disallow_order_by::RULE,
    &statement::insert_disallow_order_by_rand::RULE,
    &statement::insert_row_limit::RULE,
    &statement::disallow_add_column_with_default::RULE,
    &statement::create_specify_schema::RULE,
    &statement::merge_alter_table::RULE,
    &statement::non_transactional::RULE,
    &statement::require_algorithm_option::RULE,
    &statement::require_lock_option::RULE,
    &statement::affected_row_limit::RULE,
    &statement::dml_dry_run::RULE,
    &statement::concurrently_in_transaction::RULE,
    &statement::require_lock_timeout::RULE,
    &table::require_pk::RULE,
    &table::no_foreign_key::RULE,
    &table::drop_naming_convention::RULE,
    &table::comment::RULE,
    &table::disallow_partition::RULE,
    &table::disallow_trigger::RULE,
    &table::no_duplicate_index::RULE,
    &table::require_charset::RULE,
    &table::require_collation::RULE,
    &table::add_unique_needs_index::RULE,
    &column::no_null::RULE,
    &column::require_default::RULE,
    &column::type_disallow_list::RULE,
    &column::maximum_varchar_length::RULE,
    &column::disallow_change_type::RULE,
    &column::required::RULE,
    &column::set_default_for_not_null::RULE,
    &column::comment::RULE,
    &column::maximum_character_length::RULE,
    &column::auto_increment_must_integer::RULE,
    &column::auto_increment_must_unsigned::RULE,
    &column::auto_increment_initial_value::RULE,
    &column::disallow_drop_in_index::RULE,
    &column::disallow_changing_order::RULE,
    &column::current_time_count_limit::RULE,
    &column::default_disallow_volatile::RULE,
    &column::set_not_null_needs_check::RULE,
    &column::primary_key_bigint::RULE,
    &naming::table::RULE,
    &naming::column::RULE,
    &naming::index_idx::RULE,
    &naming::index_uk::RULE,
    &naming::index_fk::RULE,
    &naming::index_pk::RULE,
    &naming::auto_increment_column::RULE,
    &naming::table_no_keyword::RULE,
    &naming::identifier_no_keyword::RULE,
    &index::no_duplicate_column::RULE,
    &index::key_number_limit::RULE,
    &index::create_concurrently::RULE,
    &index::total_number_limit::RULE,
    &index::pk_type_limit::RULE,
    &index::primary_key_type_allowlist::RULE,
    &index::type_no_blob::RULE,
    &index::drop_concurrently::RULE,
    &schema::backward_compatibility::RULE,
    &engine::mysql_use_innodb::RULE,
    &system::function_disallow_create::RULE,
    &system::procedure_disallow_create::RULE,
    &system::charset_allowlist::RULE,
    &system::collation_allowlist::RULE,
    &database::drop_empty_database::RULE,
];

/// The rule named `name`.
pub fn find(name: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::engine::Linter;
    use crate::policy::Policy;
    use crate::rules::testing::FakeDb;

    #[test]
    fn names_and_codes_are_unique_and_well_formed() {
        let mut names = HashSet::new();
        let mut codes = HashSet::new();
        for rule in RULES {
            assert!(names.insert(rule.name), "duplicate name {}", rule.name);
            assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
            assert!(
                !RETIRED_CODES.contains(&rule.code),
                "{} reuses a retired code",
                rule.name
            );
            assert!(
                rule.name.split('.').all(|part| !part.is_empty()
                    && part.chars().all(|c| c.is_ascii_lowercase() || c == '-')),
                "{} is not category.rule in kebab case",
                rule.name
            );
            assert!(
                !rule.engines.is_empty(),
                "{} applies to no engine",
                rule.name
            );
            for o in rule.options {
                assert!(
                    !o.description.is_empty(),
                    "{}.{} has no description",
                    rule.name,
                    o.key
                );
            }
        }
    }

    /// The README states how many rules there are (the syntax check
    /// aside); it must not drift from the table.
    #[test]
    fn readme_states_the_rule_count() {
        let readme = include_str!("../../../README.md");
        let stated = format!("({} rules;", RULES.len() - 1);
        assert!(readme.contains(&stated), "README.md should say {stated}");
    }

    /// Rules whose doc examples assume a config other than the default
    /// (the doc says so): a limit of 1000 rows is not shown in an example.
    const EXAMPLE_CONFIG: &[(&str, &str)] = &[(
        "statement.insert.row-limit",
        r#"{"level": "WARNING", "max": 2}"#,
    )];

    /// The live database the doc examples of rules that need one assume:
    /// large estimates except for a batch by id, no table `ghosts`.
    fn example_db(rule: &str) -> Option<FakeDb> {
        match rule {
            "statement.affected-row-limit" => Some(FakeDb::with(|sql| {
                Some(if sql.contains("BETWEEN") {
                    1000
                } else {
                    250_000
                })
            })),
            "statement.dml-dry-run" => Some(FakeDb::missing_ghosts()),
            _ => None,
        }
    }

    /// The doc's bad SQL is reported by its own rule and the good SQL is
    /// not, on every engine the rule applies to: the docs cannot drift
    /// from what the rule does.
    #[test]
    fn doc_examples_hold() {
        for rule in RULES {
            let policy = match EXAMPLE_CONFIG.iter().find(|(name, _)| *name == rule.name) {
                Some((_, config)) => {
                    Policy::from_json(&format!(r#"{{"rules": {{"{}": {config}}}}}"#, rule.name))
                        .expect("example config is valid")
                }
                None => {
                    let mut policy = Policy::empty();
                    policy.set(rule, rule.level.into());
                    policy
                }
            };
            let db = example_db(rule.name);
            for &dialect in rule.engines {
                let linter = Linter::new(dialect, &policy);
                let lint = |sql| match &db {
                    Some(db) => linter.lint_with(sql, None, Some(db)),
                    None => linter.lint(sql, None),
                };
                if db.is_some() {
                    // Without a connection such a rule checks nothing.
                    assert!(linter.lint(rule.doc.bad, None).is_empty(), "{}", rule.name);
                }
                let bad = lint(rule.doc.bad);
                assert!(
                    bad.iter().any(|d| d.rule == rule.name),
                    "{} ({dialect}): bad example not reported: {bad:?}",
                    rule.name
                );
                let good = lint(rule.doc.good);
                assert!(
                    good.is_empty(),
                    "{} ({dialect}): good example reported: {good:?}",
                    rule.name
                );
            }
        }
    }
}
