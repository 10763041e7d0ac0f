//! Snapshots of the fixture catalogs as JSON and as DDL, per dialect.
//! The DDL snapshots were checked by running them on an empty database of
//! each engine.

mod common;

use sluice_schema::render;

#[test]
fn postgres_json() {
    insta::assert_snapshot!(common::postgres().to_json_pretty());
}

#[test]
fn postgres_ddl() {
    insta::assert_snapshot!(render::ddl(&common::postgres()));
}

#[test]
fn mysql_json() {
    insta::assert_snapshot!(common::mysql().to_json_pretty());
}

#[test]
fn mysql_ddl() {
    insta::assert_snapshot!(render::ddl(&common::mysql()));
}

#[test]
fn sqlite_json() {
    insta::assert_snapshot!(common::sqlite().to_json_pretty());
}

#[test]
fn sqlite_ddl() {
    insta::assert_snapshot!(render::ddl(&common::sqlite()));
}

#[test]
fn statements_match_the_script() {
    for catalog in [common::postgres(), common::mysql(), common::sqlite()] {
        let script = render::ddl(&catalog);
        for stmt in render::statements(&catalog) {
            assert!(script.contains(&stmt), "{stmt}");
        }
    }
}

#[test]
fn mysql_expression_and_prefix_key_parts() {
    use sluice_schema::{Dialect, Index, IndexPart};
    // MySQL 8 functional key parts need their own parentheses.
    let index = Index::new("i")
        .with_part(IndexPart::expression("lower(`name`)"))
        .with_part(IndexPart::column("code").prefix(4).desc());
    assert_eq!(
        render::create_index(Dialect::Mysql, "shop", "t", &index),
        "CREATE INDEX i ON t ((lower(`name`)), code(4) DESC)"
    );
}

#[test]
fn sqlite_cannot_add_foreign_keys_later() {
    use sluice_schema::{Dialect, ForeignKey};
    let fk = ForeignKey::new(None, ["a"], "main", "t", ["id"]);
    assert_eq!(
        render::add_foreign_key(Dialect::Sqlite, "main", "u", &fk),
        None
    );
    let fk = ForeignKey::new(None, ["a"], "shop", "t", ["id"]);
    assert_eq!(
        render::add_foreign_key(Dialect::Mysql, "shop", "u", &fk).unwrap(),
        "ALTER TABLE u ADD FOREIGN KEY (a) REFERENCES t (id)"
    );
    // A reference into another MySQL database is qualified.
    let other = ForeignKey::new(Some("fk"), ["a"], "billing", "t", ["id"]);
    assert_eq!(
        render::add_foreign_key(Dialect::Mysql, "shop", "u", &other).unwrap(),
        "ALTER TABLE u ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES billing.t (id)"
    );
}
