//! Normalization gives one canonical form: catalogs read in different
//! orders are equal and serialize byte for byte the same.

mod common;

use sluice_schema::*;

#[test]
fn catalogs_built_in_different_orders_are_equal_once_normalized() {
    for build in [common::postgres, common::mysql, common::sqlite] {
        let a = build().normalized();
        let b = common::scrambled(build()).normalized();
        assert_ne!(
            build(),
            common::scrambled(build()),
            "the scramble changes something"
        );
        assert_eq!(a, b);
        assert_eq!(
            serde_json::to_string_pretty(&a).unwrap(),
            serde_json::to_string_pretty(&b).unwrap()
        );
        assert_eq!(render::ddl(&a), render::ddl(&common::scrambled(build())));
    }
}

#[test]
fn json_round_trips() {
    for build in [common::postgres, common::mysql, common::sqlite] {
        let c = build().normalized();
        let json = serde_json::to_string(&c).unwrap();
        let back: Catalog = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
    }
}

#[test]
fn normalize_renumbers_column_positions_densely() {
    let mut t = Table::new("t");
    for (name, position) in [("c", 7), ("a", 2), ("b", 4)] {
        let mut col = Column::new(name, "integer");
        col.position = position;
        t.columns.push(col);
    }
    let c = Catalog::new("db", Dialect::Postgres)
        .with_schema(Schema::new("public").with_table(t))
        .normalized();
    let cols: Vec<(&str, u32)> = c.schemas[0].tables[0]
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.position))
        .collect();
    assert_eq!(cols, [("a", 1), ("b", 2), ("c", 3)]);
}

#[test]
fn postgres_default_nulls_order_is_dropped() {
    let index = Index::new("i")
        .with_part(IndexPart::column("a").nulls(NullsOrder::Last))
        .with_part(IndexPart::column("b").desc().nulls(NullsOrder::First))
        .with_part(IndexPart::column("c").nulls(NullsOrder::First));
    let c = Catalog::new("db", Dialect::Postgres)
        .with_schema(Schema::new("public").with_table(Table::new("t").with_index(index)))
        .normalized();
    let nulls: Vec<_> = c.schemas[0].tables[0].indexes[0]
        .parts
        .iter()
        .map(|p| p.nulls)
        .collect();
    assert_eq!(nulls, [None, None, Some(NullsOrder::First)]);
}

#[test]
fn enum_labels_and_mysql_partitions_keep_their_order() {
    let c = common::postgres().normalized();
    let mood = &c.schema("public").unwrap().enums[0];
    assert_eq!(mood.labels, ["sad", "ok", "happy"]);
    let m = common::mysql().normalized();
    let metrics = m.schemas[0].table("metrics").unwrap();
    let names: Vec<&str> = metrics
        .partitioning
        .as_ref()
        .unwrap()
        .partitions
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["p2024", "pmax"]);
}

#[test]
fn unnamed_constraints_sort_after_named_ones() {
    let c = common::sqlite().normalized();
    let checks: Vec<_> = c.schemas[0]
        .table("customers")
        .unwrap()
        .checks
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(checks, [Some("name_not_blank".to_string()), None]);
}
