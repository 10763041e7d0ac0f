//! The order of a diff's Changes: drops before creates, dependencies
//! respected both ways (including objects rebuilt because something under
//! them changes), and 2,000-deep chains without recursion.

mod diff_support;

use diff_support::*;
use sluice_schema::*;

#[test]
fn drops_before_creates_in_dependency_order() {
    let a = Table::new("a")
        .with_column(Column::new("id", "integer"))
        .with_primary_key(PrimaryKey::new(Some("a_pkey"), ["id"]));
    let b = Table::new("b")
        .with_column(Column::new("a_id", "integer"))
        .with_foreign_key(ForeignKey::new(
            Some("b_a_fk"),
            ["a_id"],
            "public",
            "a",
            ["id"],
        ));
    let mut from = pg(vec![a, b]);
    let s = &mut from.schemas[0];
    s.views.push(View::new("va", "SELECT id FROM a"));
    s.views.push(View::new("vb", "SELECT id FROM va"));
    let mut tr = Trigger::new("b_trg", "b");
    tr.function = Some("f()".into());
    s.triggers.push(tr);
    s.enums.push(EnumType::new("e", ["x"]));

    // Everything goes; new objects come with a function a table needs.
    let mut to =
        pg(vec![Table::new("c").with_column(
            Column::new("n", "integer").with_default("next_n()"),
        )]);
    let s = &mut to.schemas[0];
    s.functions.push(function("next_n", "SELECT 1"));
    s.views.push(View::new("v2", "SELECT n FROM v1"));
    s.views.push(View::new("v1", "SELECT n FROM c"));
    let changes = d(&from, &to);
    insta::assert_snapshot!(lines(&changes));
    assert_eq!(
        kinds(&changes),
        [
            "drop_trigger",
            "drop_view",
            "drop_view",
            "drop_foreign_key",
            "drop_table",
            "drop_table",
            "create_function",
            "create_table",
            "drop_enum",
            "create_view",
            "create_view",
        ]
    );
}

const N: usize = 2_000;

#[test]
fn foreign_key_chain_of_2000_tables() {
    let mut schema = Schema::new("public");
    for i in 0..N {
        let mut t = Table::new(format!("t{i:04}"))
            .with_column(Column::new("id", "integer").not_null())
            .with_column(Column::new("next_id", "integer"))
            .with_primary_key(PrimaryKey::new(Some(&format!("t{i:04}_pkey")), ["id"]));
        if i + 1 < N {
            t = t.with_foreign_key(ForeignKey::new(
                Some(&format!("t{i:04}_fk")),
                ["next_id"],
                "public",
                format!("t{:04}", i + 1),
                ["id"],
            ));
        }
        schema.tables.push(t);
    }
    let full = Catalog::new("db", Dialect::Postgres).with_schema(schema);
    let empty = Catalog::new("db", Dialect::Postgres).with_schema(Schema::new("public"));

    let up = d(&empty, &full);
    assert_eq!(up.len(), 2 * N - 1);
    let last_table = up
        .iter()
        .rposition(|c| matches!(c, Change::CreateTable { .. }));
    let first_fk = up
        .iter()
        .position(|c| matches!(c, Change::AddForeignKey { .. }));
    assert!(last_table < first_fk);

    let down = d(&full, &empty);
    assert_eq!(down.len(), 2 * N - 1);
    let last_fk = down
        .iter()
        .rposition(|c| matches!(c, Change::DropForeignKey { .. }));
    let first_drop = down
        .iter()
        .position(|c| matches!(c, Change::DropTable { .. }));
    assert!(last_fk < first_drop);
    assert_eq!(d(&full, &full), []);
}

#[test]
fn view_chain_2000_deep() {
    // v0000 reads the table, v{i} reads v{i-1}; names sort against the
    // dependency order so only a real sort gets it right.
    let name = |i: usize| format!("v{:04}", N - 1 - i);
    let mut schema = Schema::new("public")
        .with_table(Table::new("base").with_column(Column::new("x", "integer")));
    for i in (0..N).rev() {
        let src = if i == 0 {
            "base".to_string()
        } else {
            name(i - 1)
        };
        schema
            .views
            .push(View::new(name(i), format!("SELECT x FROM {src}")));
    }
    let full = Catalog::new("db", Dialect::Postgres).with_schema(schema.clone());
    schema.views.clear();
    let bare = Catalog::new("db", Dialect::Postgres).with_schema(schema);

    let up = d(&bare, &full);
    let created: Vec<String> = up
        .iter()
        .filter_map(|c| match c {
            Change::CreateView { view, .. } => Some(view.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(created, (0..N).map(name).collect::<Vec<_>>());

    let down = d(&full, &bare);
    let dropped: Vec<String> = down
        .iter()
        .filter_map(|c| match c {
            Change::DropView { view, .. } => Some(view.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(dropped, (0..N).rev().map(name).collect::<Vec<_>>());
}

#[test]
fn views_over_a_changed_column_are_rebuilt_on_postgres_only() {
    let catalog = |dialect: Dialect, ty: &str| {
        let mut s = Schema::new("app")
            .with_table(Table::new("t").with_column(Column::new("a", ty)))
            .with_table(Table::new("other").with_column(Column::new("b", "integer")));
        s.views.push(View::new("v2", "SELECT a FROM v1"));
        s.views.push(View::new("v1", "SELECT a FROM t"));
        s.views.push(View::new("v_other", "SELECT b FROM other"));
        let mut tr = Trigger::new("v2_write", "v2");
        tr.timing = TriggerTiming::InsteadOf;
        tr.events = vec![TriggerEvent::Insert];
        tr.function = Some("app.write_v2()".into());
        s.triggers.push(tr);
        Catalog::new("db", dialect).with_schema(s)
    };
    let pg = d(
        &catalog(Dialect::Postgres, "integer"),
        &catalog(Dialect::Postgres, "bigint"),
    );
    insta::assert_snapshot!(lines(&pg));
    assert_eq!(
        kinds(&pg),
        [
            "drop_trigger",
            "drop_view",
            "drop_view",
            "alter_column",
            "create_view",
            "create_view",
            "create_trigger",
        ]
    );
    let my = d(
        &catalog(Dialect::Mysql, "int"),
        &catalog(Dialect::Mysql, "bigint"),
    );
    assert_eq!(kinds(&my), ["alter_column"]);
}

#[test]
fn a_type_change_under_a_2000_deep_view_chain() {
    let name = |i: usize| format!("v{i:04}");
    let catalog = |ty: &str| {
        let mut s =
            Schema::new("public").with_table(Table::new("base").with_column(Column::new("x", ty)));
        for i in 0..N {
            let src = if i == 0 {
                "base".to_string()
            } else {
                name(i - 1)
            };
            s.views
                .push(View::new(name(i), format!("SELECT x FROM {src}")));
        }
        Catalog::new("db", Dialect::Postgres).with_schema(s)
    };
    let changes = d(&catalog("integer"), &catalog("bigint"));
    assert_eq!(changes.len(), 2 * N + 1);
    let names: Vec<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropView { view, .. } | Change::CreateView { view, .. } => {
                Some(view.name.as_str())
            }
            _ => None,
        })
        .collect();
    let expected: Vec<String> = (0..N).rev().map(name).chain((0..N).map(name)).collect();
    assert_eq!(names, expected);
    assert!(matches!(changes[N], Change::AlterColumn { .. }));
}

#[test]
fn a_type_or_sequence_a_column_stops_using_is_dropped_after_the_column_changes() {
    let catalog = |ty: &str, default: Option<&str>, with_objects: bool| {
        let mut column = Column::new("a", ty);
        column.default = default.map(str::to_string);
        let mut s = Schema::new("public").with_table(Table::new("t").with_column(column));
        if with_objects {
            s.enums.push(EnumType::new("state", ["on", "off"]));
            s.sequences.push(Sequence::new("t_seq"));
        }
        Catalog::new("db", Dialect::Postgres).with_schema(s)
    };
    let from = catalog("state", Some("nextval('t_seq'::regclass)"), true);
    let to = catalog("text", None, false);
    assert_eq!(
        kinds(&d(&from, &to)),
        ["alter_column", "drop_sequence", "drop_enum"]
    );
    // Recreated objects keep their early drop, before the new version.
    let mut changed = from.clone();
    changed.schemas[0].enums[0].labels.reverse();
    assert_eq!(kinds(&d(&from, &changed)), ["drop_enum", "create_enum"]);
}

#[test]
fn a_foreign_key_on_a_changed_key_is_dropped_first_and_added_again() {
    let catalog = |pk: &[&str]| {
        pg(vec![
            Table::new("parent")
                .with_column(Column::new("id", "integer").not_null())
                .with_column(Column::new("k", "integer").not_null())
                .with_primary_key(PrimaryKey::new(Some("parent_pkey"), pk.to_vec())),
            Table::new("child")
                .with_column(Column::new("pid", "integer"))
                .with_foreign_key(ForeignKey::new(
                    Some("child_fk"),
                    ["pid"],
                    "public",
                    "parent",
                    ["id"],
                )),
        ])
    };
    let mut to = catalog(&["k"]);
    to.schemas[0].tables[0]
        .uniques
        .push(UniqueConstraint::new(Some("parent_id_key"), ["id"]));
    assert_eq!(
        kinds(&d(&catalog(&["id"]), &to)),
        [
            "drop_foreign_key",
            "drop_primary_key",
            "add_primary_key",
            "add_unique",
            "add_foreign_key",
        ]
    );
}

/// The benchmark's shape (2,000 tables, 200 drifted), checked for
/// correctness here; its time is measured by the benchmark, not a test.
#[test]
fn two_thousand_tables_with_two_hundred_drifted() {
    let catalog = |drift: bool| {
        let mut s = Schema::new("public");
        for i in 0..N {
            let mut t = Table::new(format!("t{i:04}"))
                .with_column(Column::new("id", "bigint").not_null())
                .with_column(Column::new("name", "character varying(50)"))
                .with_column(Column::new("at", "timestamp with time zone").with_default("now()"))
                .with_primary_key(PrimaryKey::new(Some(&format!("t{i:04}_pkey")), ["id"]))
                .with_index(Index::new(format!("t{i:04}_name_idx")).on_columns(["name"]));
            if drift && i % 10 == 0 {
                t.columns[1].data_type = "text".into();
            }
            s.tables.push(t);
        }
        Catalog::new("db", Dialect::Postgres).with_schema(s)
    };
    let (a, b) = (catalog(false), catalog(true));
    let started = std::time::Instant::now();
    let changes = d(&a, &b);
    eprintln!("2,000-table diff: {:?} (debug build)", started.elapsed());
    assert_eq!(changes.len(), N / 10);
    assert!(kinds(&changes).iter().all(|k| k == "alter_column"));
}

#[test]
fn a_function_a_default_stops_using_is_dropped_after_the_column_changes() {
    let catalog = |default: Option<&str>, with_function: bool| {
        let mut column = Column::new("n", "integer");
        column.default = default.map(str::to_string);
        let mut s = Schema::new("public").with_table(Table::new("t").with_column(column));
        if with_function {
            s.functions.push(function("next_n", "SELECT 1"));
        }
        Catalog::new("db", Dialect::Postgres).with_schema(s)
    };
    let changes = d(&catalog(Some("next_n()"), true), &catalog(None, false));
    assert_eq!(kinds(&changes), ["alter_column", "drop_function"]);
}

#[test]
fn declared_renames_come_before_the_changes_that_use_the_new_names() {
    let from = pg(vec![people()]);
    let mut p = people();
    p.name = "persons".into();
    p.columns.retain(|c| c.name != "gone");
    p.columns[1].name = "full_name".into();
    p.columns[1].data_type = "text".into();
    let to = pg(vec![p]);
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
                from: "name".into(),
                to: "full_name".into(),
            },
        ],
    };
    let changes = diff(&from, &to, &options);
    assert_eq!(
        kinds(&changes),
        [
            "rename_table",
            "rename_column",
            "drop_column",
            "alter_column"
        ]
    );
    assert!(matches!(&changes[2], Change::DropColumn { table, .. } if table == "persons"));
}
