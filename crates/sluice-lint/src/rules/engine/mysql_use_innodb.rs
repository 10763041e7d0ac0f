//! engine.mysql.use-innodb: MySQL tables use InnoDB.

use crate::rules::prelude::*;

pub const RULE: Rule = Rule {
    name: "engine.mysql.use-innodb",
    code: 701,
    title: "MySQL tables must use InnoDB",
    engines: MYSQL,
    level: Level::Error,
    options: &[],
    doc: Doc {
        problem: "Engines other than InnoDB lack transactions, crash recovery or row locks \
                  (MyISAM locks the whole table on every write and can lose data on a crash), \
                  and tables on them are skipped by backups and replication setups that assume \
                  InnoDB.",
        fix: "Omit ENGINE (InnoDB is the default) or write ENGINE=InnoDB.",
        bad: "CREATE TABLE hits (id bigint PRIMARY KEY) ENGINE=MyISAM;",
        good: "CREATE TABLE hits (id bigint PRIMARY KEY) ENGINE=InnoDB;",
    },
    check,
};

fn check(ctx: &Context<'_>, statement: &Statement) -> Vec<Diagnostic> {
    let Statement::CreateTable(create) = statement else {
        return Vec::new();
    };
    let options = match &create.table_options {
        CreateTableOptions::Plain(o)
        | CreateTableOptions::With(o)
        | CreateTableOptions::Options(o)
        | CreateTableOptions::TableProperties(o) => o.as_slice(),
        CreateTableOptions::None => &[],
    };
    options
        .iter()
        .filter_map(|o| match o {
            SqlOption::NamedParenthesizedList(list)
                if list.key.value.eq_ignore_ascii_case("ENGINE") =>
            {
                list.name.as_ref()
            }
            _ => None,
        })
        .filter(|engine| !engine.value.eq_ignore_ascii_case("InnoDB"))
        .map(|engine| {
            ctx.report(
                engine.span,
                format!(
                    "table {} uses the {} engine, not InnoDB",
                    display_name(&create.name),
                    engine.value
                ),
            )
            .help("remove the ENGINE option or write ENGINE=InnoDB")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn ok() {
        assert!(
            run(
                &RULE,
                Dialect::Mysql,
                "CREATE TABLE t (id int) ENGINE = innodb"
            )
            .is_empty()
        );
        assert!(run(&RULE, Dialect::Mysql, "CREATE TABLE t (id int)").is_empty());
    }

    #[test]
    fn err() {
        insta::assert_snapshot!(text(
            &RULE,
            Dialect::Mysql,
            "CREATE TABLE t (id int)\n  ENGINE=MyISAM DEFAULT CHARSET=utf8mb4;"
        ));
    }
}
