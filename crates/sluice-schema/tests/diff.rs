//! The schema diff: no false differences, one expected Change list per
//! object kind, the dialects' equivalent spellings, declared renames, and
//! consistency checks against the renderer and the reverse diff. Order is
//! tested in `diff_order.rs`.

mod common;
mod diff_support;

use std::collections::BTreeSet;

use diff_support::*;
use sluice_schema::*;

fn fixtures() -> Vec<Catalog> {
    vec![common::postgres(), common::mysql(), common::sqlite()]
}

#[test]
fn identical_catalogs_have_no_changes() {
    for c in fixtures() {
        assert_eq!(d(&c, &c), [], "{}", c.dialect);
    }
}

#[test]
fn shuffled_catalogs_have_no_changes() {
    for c in fixtures() {
        let s = common::scrambled(c.clone());
        assert_ne!(s, c);
        assert_eq!(d(&c, &s), [], "{}", c.dialect);
        assert_eq!(d(&s, &c), [], "{}", c.dialect);
        assert_eq!(d(&s, &s.clone().normalized()), [], "{}", c.dialect);
    }
}

#[test]
fn columns() {
    let from = pg(vec![
        people(),
        Table::new("old").with_column(Column::new("x", "int")),
    ]);
    let mut p = people();
    p.columns.retain(|c| c.name != "gone");
    p.columns[1].data_type = "character varying(20)".into(); // widening
    p.columns[1].nullable = false;
    p.columns[1].collation = Some("C".into());
    p.columns[1].comment = Some("full name".into());
    p.columns[2].data_type = "bigint".into(); // a real type change
    p.columns[2].default = Some("1".into());
    p.columns[0].identity = Some(Identity::default());
    let p = p.with_column(Column::new("born", "date")).with_column(
        Column::new("upper_name", "text").with_generated(Generated {
            expression: "upper(name)".into(),
            kind: GeneratedKind::Stored,
        }),
    );
    let to = pg(vec![
        p,
        Table::new("new").with_column(Column::new("y", "text")),
    ]);
    insta::assert_snapshot!(lines(&d(&from, &to)));
}

#[test]
fn constraints_and_indexes() {
    let parent = Table::new("parent")
        .with_column(Column::new("id", "integer").not_null())
        .with_primary_key(PrimaryKey::new(Some("parent_pkey"), ["id"]));
    let child = Table::new("child")
        .with_column(Column::new("id", "integer").not_null())
        .with_column(Column::new("parent_id", "integer"))
        .with_column(Column::new("code", "text"))
        .with_primary_key(PrimaryKey::new(Some("child_pkey"), ["id"]))
        .with_unique(UniqueConstraint::new(Some("child_code_key"), ["code"]))
        .with_check(Check::new(Some("child_code_check"), "(length(code) > 1)"))
        .with_foreign_key(ForeignKey::new(
            Some("child_parent_fk"),
            ["parent_id"],
            "public",
            "parent",
            ["id"],
        ))
        .with_index(Index::new("child_code_idx").on_columns(["code"]))
        .with_index(Index::new("child_lower_idx").with_part(IndexPart::expression("lower(code)")));
    let from = pg(vec![child.clone(), parent.clone()]);

    let mut c = child;
    c.primary_key = Some(PrimaryKey::new(Some("child_pkey"), ["id", "code"]));
    c.uniques.clear();
    c.checks[0].expression = "(length(code) > 2)".into();
    c.foreign_keys[0].on_delete = ReferentialAction::Cascade;
    c.indexes[0].predicate = Some("code IS NOT NULL".into());
    c.indexes[1].comment = Some("case-insensitive".into());
    let c = c
        .with_unique(UniqueConstraint::new(
            Some("child_parent_key"),
            ["parent_id"],
        ))
        .with_check(Check::new(Some("child_id_check"), "id > 0"))
        .with_index(Index::new("child_parent_idx").on_columns(["parent_id"]));
    let to = pg(vec![c, parent]);
    insta::assert_snapshot!(lines(&d(&from, &to)));
}

#[test]
fn types_sequences_extensions_schemas() {
    let mut from = pg(vec![]);
    from.extensions.push(Extension::new("pg_trgm"));
    from.extensions[0].version = Some("1.5".into());
    from.extensions.push(Extension::new("hstore"));
    let public = &mut from.schemas[0];
    public.enums.push(EnumType::new("mood", ["sad", "happy"]));
    public.enums.push(EnumType::new("size", ["s", "m", "l"]));
    public.enums.push(EnumType::new("old_type", ["a"]));
    let mut seq = Sequence::new("counter");
    seq.options.increment = Some(1);
    public.sequences.push(seq.clone());
    public.sequences.push(Sequence::new("old_seq"));
    from.schemas.push(
        Schema::new("legacy").with_table(Table::new("t").with_column(Column::new("a", "int"))),
    );

    let mut to = pg(vec![]);
    to.extensions.push(Extension::new("pg_trgm"));
    to.extensions[0].version = Some("1.6".into());
    to.extensions.push(Extension::new("citext"));
    let public = &mut to.schemas[0];
    public.comment = Some("standard public schema".into());
    public.enums.push(EnumType::new(
        "mood",
        ["meh", "sad", "ok", "happy", "elated"],
    ));
    public.enums.push(EnumType::new("size", ["l", "m", "s"]));
    seq.options.increment = Some(10);
    seq.comment = Some("ticks".into());
    public.sequences.push(seq);
    to.schemas.push(
        Schema::new("reports")
            .with_comment("read side")
            .with_table(Table::new("daily").with_column(Column::new("day", "date"))),
    );
    insta::assert_snapshot!(lines(&d(&from, &to)));
}

#[test]
fn views_functions_triggers_comments() {
    let t = Table::new("t").with_column(Column::new("a", "integer"));
    let mut from = pg(vec![t.clone()]);
    let s = &mut from.schemas[0];
    s.views.push(View::new("v_changed", "SELECT a FROM t"));
    s.views.push(View::new("v_same", " SELECT  a\nFROM t;"));
    s.views.push(View::new("v_gone", "SELECT a FROM t"));
    s.materialized_views
        .push(MaterializedView::new("mv", "SELECT a FROM t"));
    s.materialized_views.push(
        MaterializedView::new("mv_idx", "SELECT a FROM t")
            .with_index(Index::new("mv_idx_a").on_columns(["a"])),
    );
    s.functions.push(function("f_changed", "SELECT 1"));
    s.functions.push(function("f_gone", "SELECT 1"));
    let mut trig = Trigger::new("t_touch", "t");
    trig.events = vec![TriggerEvent::Insert];
    trig.function = Some("public.touch()".into());
    s.triggers.push(trig.clone());

    let mut to = pg(vec![t.with_comment("the table")]);
    let s = &mut to.schemas[0];
    s.views
        .push(View::new("v_changed", "SELECT a + 1 AS a FROM t"));
    let mut same = View::new("v_same", "SELECT a FROM t");
    same.comment = Some("unchanged query".into());
    s.views.push(same);
    s.views.push(View::new("v_new", "SELECT f_new() AS x"));
    s.materialized_views
        .push(MaterializedView::new("mv", "SELECT a * 2 AS a FROM t"));
    s.materialized_views.push(
        MaterializedView::new("mv_idx", "SELECT a FROM t")
            .with_index(Index::new("mv_idx_b").on_columns(["a"]).unique()),
    );
    s.functions.push(function("f_changed", "SELECT 2"));
    s.functions.push(function("f_new", "SELECT 3"));
    trig.events.push(TriggerEvent::Update);
    s.triggers.push(trig);
    insta::assert_snapshot!(lines(&d(&from, &to)));
}

#[test]
fn table_options_and_partitions() {
    let opts = |engine: &str, counter: u64| {
        TableOptions::Mysql(MysqlTableOptions {
            engine: Some(engine.into()),
            auto_increment: Some(counter),
            ..Default::default()
        })
    };
    let part = |names: &[&str]| Partitioning {
        strategy: PartitionStrategy::Range,
        key: "year".into(),
        partitions: names
            .iter()
            .map(|n| Partition::new(*n, Some(&format!("VALUES LESS THAN ({})", &n[1..]))))
            .collect(),
    };
    let mysql = |tables: Vec<Table>| {
        let mut s = Schema::new("app");
        s.tables = tables;
        Catalog::new("app", Dialect::Mysql).with_schema(s)
    };
    let base = |engine: &str, counter: u64, parts: &[&str]| {
        vec![
            Table::new("counter_only")
                .with_column(Column::new("id", "int(11)").not_null().auto_increment())
                .with_options(opts("InnoDB", counter)),
            Table::new("engine")
                .with_column(Column::new("id", "int"))
                .with_options(opts(engine, 1)),
            Table::new("sales")
                .with_column(Column::new("year", "int"))
                .with_partitioning(part(parts)),
        ]
    };
    let from = mysql(base("MyISAM", 1, &["p2020", "p2021"]));
    let to = mysql(base("InnoDB", 500, &["p2021", "p2022"]));
    insta::assert_snapshot!(lines(&d(&from, &to)));

    // A new partition key is one repartition, not partition by partition.
    let mut to2 = from.clone();
    to2.schemas[0].tables[2].partitioning.as_mut().unwrap().key = "year + 1".into();
    assert_eq!(kinds(&d(&from, &to2)), ["alter_partitioning"]);
}

#[test]
fn postgres_spellings_are_no_difference() {
    let t = |ty: [&str; 4], default: [&str; 3]| {
        pg(vec![
            Table::new("t")
                .with_column(Column::new("a", ty[0]).with_default(default[0]))
                .with_column(Column::new("b", ty[1]).with_default(default[1]))
                .with_column(Column::new("c", ty[2]).with_default(default[2]))
                .with_column(Column::new("d", ty[3]))
                .with_check(Check::new(Some("a_check"), "((a > 0))"))
                .with_index(
                    Index::new("i")
                        .with_part(IndexPart::expression("lower((b)::text)"))
                        .with_predicate("(c > '2020-01-01'::date)"),
                ),
        ])
    };
    let catalog = t(
        [
            "integer",
            "character varying(10)",
            "timestamp with time zone",
            "numeric(10,2)",
        ],
        ["0", "'x'::character varying", "now()"],
    );
    let declared = t(
        ["int4", "varchar(10)", "timestamptz", "decimal(10, 2)"],
        ["0", "'x'", "CURRENT_TIMESTAMP"],
    );
    let mut declared = declared;
    let tbl = &mut declared.schemas[0].tables[0];
    tbl.checks[0].expression = "a > 0".into();
    tbl.indexes[0].predicate = Some("c > '2020-01-01'".into());
    tbl.indexes[0].parts[0].key = IndexKey::Expression("LOWER( (b)::text )".into());
    assert_eq!(d(&catalog, &declared), []);
    assert_eq!(d(&declared, &catalog), []);
}

#[test]
fn mysql_spellings_are_no_difference() {
    let t = |ty: [&str; 3], default: [&str; 3], counter: u64| {
        let mut s = Schema::new("app");
        s.tables.push(
            Table::new("t")
                .with_column(Column::new("a", ty[0]).with_default(default[0]))
                .with_column(Column::new("b", ty[1]).with_default(default[1]))
                .with_column(Column::new("c", ty[2]).with_default(default[2]))
                .with_column(Column::new("n", "int").with_default("NULL"))
                .with_options(TableOptions::Mysql(MysqlTableOptions {
                    engine: Some("InnoDB".into()),
                    auto_increment: Some(counter),
                    ..Default::default()
                })),
        );
        Catalog::new("app", Dialect::Mysql).with_schema(s)
    };
    let mariadb = t(
        ["int(11)", "int(10) unsigned", "datetime"],
        ["0", "'5'", "current_timestamp()"],
        1000,
    );
    let mysql8 = t(
        ["int", "INT UNSIGNED", "datetime"],
        ["'0'", "5", "CURRENT_TIMESTAMP"],
        1,
    );
    let mut no_null_default = mysql8.clone();
    no_null_default.schemas[0].tables[0].columns[3].default = None;
    assert_eq!(d(&mariadb, &mysql8), []);
    assert_eq!(d(&mariadb, &no_null_default), []);
}

#[test]
fn sqlite_spellings_are_no_difference() {
    let t = |ty: &str, default: &str| {
        Catalog::new("main", Dialect::Sqlite).with_schema(
            Schema::new("main").with_table(
                Table::new("t")
                    .with_column(Column::new("a", ty).with_default(default))
                    .with_check(Check::new(None, "a <> ''")),
            ),
        )
    };
    assert_eq!(
        d(&t("INTEGER", "(date('now'))"), &t("integer", "date('now')")),
        []
    );
    let changes = d(&t("TEXT", "0"), &t("INTEGER", "0"));
    insta::assert_snapshot!(lines(&changes));
}

#[test]
fn renames_only_when_declared() {
    let parent = |name: &str, id: &str| {
        Table::new(name)
            .with_column(Column::new(id, "integer").not_null())
            .with_primary_key(PrimaryKey::new(Some("p_pkey"), [id]))
            .with_index(Index::new("p_id_idx").on_columns([id]))
    };
    let child = |parent: &str, id: &str| {
        Table::new("child")
            .with_column(Column::new("pid", "integer"))
            .with_foreign_key(ForeignKey::new(
                Some("child_fk"),
                ["pid"],
                "public",
                parent,
                [id],
            ))
    };
    let from = pg(vec![parent("people", "id"), child("people", "id")]);
    let to = pg(vec![
        parent("persons", "person_id"),
        child("persons", "person_id"),
    ]);

    // Undeclared: a drop and a create, never a guess.
    let undeclared = d(&from, &to);
    assert!(kinds(&undeclared).contains(&"drop_table".to_string()));

    let options = DiffOptions {
        renames: vec![
            Rename::Table {
                schema: "public".into(),
                from: "people".into(),
                to: "persons".into(),
            },
            Rename::Column {
                schema: "public".into(),
                table: "persons".into(),
                from: "id".into(),
                to: "person_id".into(),
            },
        ],
    };
    let changes = diff(&from, &to, &options);
    insta::assert_snapshot!(lines(&changes));
    assert_eq!(kinds(&changes), ["rename_table", "rename_column"]);
}

/// Table names a rendered script creates (partitions aside).
fn rendered_tables(c: &Catalog) -> BTreeSet<String> {
    render::statements(c)
        .iter()
        .filter(|s| s.starts_with("CREATE ") && s.contains("TABLE ") && !s.contains("PARTITION OF"))
        .filter(|s| !s.starts_with("CREATE INDEX") && !s.starts_with("CREATE UNIQUE"))
        .filter_map(|s| {
            let after = &s[s.find("TABLE ")? + 6..];
            let name = after.split(['(', '\n']).next()?.trim();
            let last = name.rsplit('.').next()?;
            Some(last.trim_matches(['"', '`']).to_string())
        })
        .collect()
}

#[test]
fn changes_take_the_table_set_to_the_rendered_one() {
    for base in fixtures() {
        let schema = base.schemas[0].name.clone();
        let mut to = base.clone();
        let s = &mut to.schemas[0];
        let dropped = s.tables.remove(0).name;
        s.tables
            .push(Table::new("added").with_column(Column::new("x", "integer")));
        // Nothing may still point at the dropped table.
        s.triggers.retain(|t| t.table != dropped);
        for t in &mut s.tables {
            t.foreign_keys.retain(|f| f.referenced_table != dropped);
        }
        let renamed_from = s.tables[0].name.clone();
        s.tables[0].name = "renamed".into();
        for t in &mut s.tables {
            for f in &mut t.foreign_keys {
                if f.referenced_table == renamed_from {
                    f.referenced_table = "renamed".into();
                }
            }
        }
        for t in &mut s.triggers {
            if t.table == renamed_from {
                t.table = "renamed".into();
            }
        }
        let options = DiffOptions {
            renames: vec![Rename::Table {
                schema: schema.clone(),
                from: renamed_from.clone(),
                to: "renamed".into(),
            }],
        };
        for (from, to, options) in [(&base, &to, options), (&to, &base, DiffOptions::default())] {
            let mut tables = rendered_tables(from);
            for c in diff(from, to, &options) {
                match c {
                    Change::CreateTable { table, .. } => assert!(tables.insert(table.name)),
                    Change::DropTable { table, .. } => assert!(tables.remove(&table.name)),
                    Change::RenameTable { from, to, .. } => {
                        assert!(tables.remove(&from));
                        assert!(tables.insert(to));
                    }
                    _ => {}
                }
            }
            assert_eq!(tables, rendered_tables(to), "{}", base.dialect);
        }
    }
}

#[test]
fn a_moved_column_is_one_position_change_on_mysql_only() {
    let catalog = |dialect: Dialect, names: &[&str]| {
        let mut t = Table::new("t");
        for n in names {
            t = t.with_column(Column::new(*n, "int"));
        }
        Catalog::new("db", dialect).with_schema(Schema::new("app").with_table(t))
    };
    let from = ["a", "b", "c", "d", "e"];
    let to = ["b", "c", "d", "a", "new", "e"];
    let changes = d(
        &catalog(Dialect::Mysql, &from),
        &catalog(Dialect::Mysql, &to),
    );
    insta::assert_snapshot!(lines(&changes));
    let pg = d(
        &catalog(Dialect::Postgres, &from),
        &catalog(Dialect::Postgres, &to),
    );
    assert_eq!(kinds(&pg), ["add_column"]);
}

#[test]
fn everything_created_is_what_the_reverse_drops() {
    let pairs = [
        ("create_table", "drop_table"),
        ("create_view", "drop_view"),
        ("create_materialized_view", "drop_materialized_view"),
        ("create_function", "drop_function"),
        ("create_trigger", "drop_trigger"),
        ("create_sequence", "drop_sequence"),
        ("create_enum", "drop_enum"),
        ("create_schema", "drop_schema"),
        ("create_extension", "drop_extension"),
        ("add_foreign_key", "drop_foreign_key"),
    ];
    for full in fixtures() {
        let empty = Catalog::new(full.name.clone(), full.dialect);
        let up = kinds(&d(&empty, &full));
        let down = kinds(&d(&full, &empty));
        assert!(!up.is_empty());
        assert_eq!(up.len(), down.len(), "{}", full.dialect);
        let count = |v: &[String], k: &str| v.iter().filter(|x| *x == k).count();
        for (create, drop) in pairs {
            assert_eq!(
                count(&up, create),
                count(&down, drop),
                "{} {create}",
                full.dialect
            );
        }
        // Creates: schemas first, foreign keys after every table, triggers
        // after views and functions; drops: the mirror image.
        let last = |v: &[String], k: &str| v.iter().rposition(|x| x == k);
        let first = |v: &[String], k: &str| v.iter().position(|x| x == k);
        assert_eq!(first(&up, "create_schema"), Some(0));
        assert!(last(&up, "create_table") < first(&up, "add_foreign_key"));
        assert!(last(&up, "create_view") < first(&up, "create_trigger"));
        assert!(last(&down, "drop_trigger") < first(&down, "drop_view"));
        assert!(last(&down, "drop_foreign_key") < first(&down, "drop_table"));
        let ends_with = if full.extensions.is_empty() {
            "drop_schema"
        } else {
            "drop_extension"
        };
        assert_eq!(down.last().map(String::as_str), Some(ends_with));
    }
}

/// Every column of every table, for rewriting spellings.
fn columns_mut(c: &mut Catalog) -> impl Iterator<Item = &mut Column> {
    c.schemas
        .iter_mut()
        .flat_map(|s| s.tables.iter_mut())
        .flat_map(|t| t.columns.iter_mut())
}

#[test]
fn the_fixtures_spelled_another_way_have_no_changes() {
    // PostgreSQL as a hand-written schema would spell it.
    let catalog = common::postgres();
    let mut declared = catalog.clone();
    for c in columns_mut(&mut declared) {
        c.data_type = match c.data_type.as_str() {
            "integer" => "int4".into(),
            "bigint" => "int8".into(),
            "smallint" => "int2".into(),
            "timestamp with time zone" => "timestamptz".into(),
            "numeric(10,2)" => "decimal(10, 2)".into(),
            t => t.replace("character varying", "varchar"),
        };
        c.default = c.default.as_deref().map(|d| match d {
            "now()" => "CURRENT_TIMESTAMP".into(),
            d => d.replace("'::mood", "'").replace("'::text", "'"),
        });
    }
    assert_ne!(declared, catalog);
    assert_eq!(d(&catalog, &declared), []);

    // MariaDB's spellings read back by MySQL 8, after some inserts.
    let catalog = common::mysql();
    let mut mysql8 = catalog.clone();
    for c in columns_mut(&mut mysql8) {
        for int in ["int(11)", "bigint(20)"] {
            if let Some(rest) = c.data_type.strip_prefix(int) {
                c.data_type = format!("{}{rest}", &int[..int.find('(').unwrap()]);
            }
        }
        if c.default.as_deref() == Some("current_timestamp()") {
            c.default = Some("CURRENT_TIMESTAMP".into());
        }
        if c.default.as_deref() == Some("NULL") {
            c.default = None;
        }
    }
    for t in mysql8.schemas.iter_mut().flat_map(|s| s.tables.iter_mut()) {
        if let TableOptions::Mysql(o) = &mut t.options {
            o.auto_increment = o.auto_increment.map(|n| n + 1_000);
        }
    }
    assert_ne!(mysql8, catalog);
    assert_eq!(d(&catalog, &mysql8), []);

    // SQLite with the declared types in lower case.
    let catalog = common::sqlite();
    let mut lower = catalog.clone();
    for c in columns_mut(&mut lower) {
        c.data_type = c.data_type.to_lowercase();
    }
    assert_ne!(lower, catalog);
    assert_eq!(d(&catalog, &lower), []);
}

#[test]
fn changes_round_trip_through_json() {
    for full in fixtures() {
        let empty = Catalog::new(full.name.clone(), full.dialect);
        let mut changed = full.clone();
        for t in changed.schemas.iter_mut().flat_map(|s| s.tables.iter_mut()) {
            t.columns[0].comment = Some("changed".into());
            t.comment = Some("changed".into());
        }
        for changes in [d(&empty, &full), d(&full, &empty), d(&full, &changed)] {
            assert!(!changes.is_empty());
            let json = serde_json::to_string(&changes).unwrap();
            let back: Vec<Change> = serde_json::from_str(&json).unwrap();
            assert_eq!(back, changes, "{}", full.dialect);
        }
    }
}
