//! database.drop-empty-database: only empty databases are dropped.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "database.drop-empty-database",
    code: 901,
    title: "Only empty databases may be dropped",
    engines: POSTGRES_MYSQL,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "DROP DATABASE removes every table in it at once, with no undo short of a \
                  restore. Requiring the tables to be dropped (or moved) first turns one \
                  irreversible statement into steps each of which can be reviewed.",
        fix: "Drop or move the tables first, in their own changes; drop the database once it \
              is empty. Without a schema (--schema-from) emptiness cannot be checked and the \
              statement is reported as not checked.",
        bad: "DROP DATABASE analytics;",
        good: "DROP TABLE analytics_del;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::Drop {
        object_type: ObjectType::Database | ObjectType::Schema,
        names,
        ..
    } = statement
    else {
        return Vec::new();
    };
    // `DROP SCHEMA` is a database only in MySQL.
    if matches!(
        statement,
        Statement::Drop {
            object_type: ObjectType::Schema,
            ..
        }
    ) && ctx.dialect != Dialect::Mysql
    {
        return Vec::new();
    }
    let catalog = ctx.schema.catalog();
    names
        .iter()
        .filter_map(|name| {
            let db = last_ident(name)?.value.clone();
            if !ctx.schema.is_known() {
                return Some(
                    ctx.report_at_name(
                        name,
                        format!(
                            "database {db} is dropped, and whether it is empty was not checked: no schema was given"
                        ),
                    )
                    .help("run with --schema-from the database so emptiness can be checked, or drop its tables first"),
                );
            }
            let tables: usize = if catalog.name.eq_ignore_ascii_case(&db) && ctx.dialect == Dialect::Postgres {
                catalog.schemas.iter().map(|s| s.tables.len()).sum()
            } else {
                catalog
                    .schemas
                    .iter()
                    .filter(|s| s.name.eq_ignore_ascii_case(&db))
                    .map(|s| s.tables.len())
                    .sum()
            };
            (tables > 0).then(|| {
                ctx.report_at_name(
                    name,
                    format!("database {db} still holds {tables} table(s): DROP DATABASE would remove them all"),
                )
                .help("drop or move its tables in their own changes first, then drop the empty database")
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
        let catalog = users_catalog(Dialect::Mysql);
        let found = run_with(
            &RULE,
            Dialect::Mysql,
            "DROP DATABASE scratch;",
            None,
            Some(&catalog),
        );
        assert!(found.is_empty(), "{found:?}");
        let found = run_with(
            &RULE,
            Dialect::Mysql,
            "DROP TABLE users; DROP DATABASE app;",
            None,
            Some(&catalog),
        );
        assert!(found.is_empty(), "the script emptied it first: {found:?}");
    }

    #[test]
    fn err() {
        let catalog = users_catalog(Dialect::Mysql);
        let mut found = run_with(
            &RULE,
            Dialect::Mysql,
            "DROP DATABASE app;",
            None,
            Some(&catalog),
        );
        found.extend(run(
            &RULE,
            Dialect::Postgres,
            "DROP DATABASE IF EXISTS analytics;",
        ));
        insta::assert_snapshot!(crate::render_text("migration.sql", &found));
    }
}
