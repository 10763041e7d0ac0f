//! The SQLite planner against SQLite itself: for each pair of schemas A
//! and B, a file made from A is planned into B, the plan's script is run
//! as it is (by the `sqlite3` shell, or by Sluice's engine), and then the
//! file's `sqlite_master` equals B's, a new diff finds nothing, and rows
//! survive; the reverse plan then brings A back the same way.

mod sqlite_support;

use sluice_plan::Hazard;
use sqlite_support::{Apply, Case, check};

async fn run(case: Case<'_>) -> (sluice_plan::Plan, sluice_plan::Plan) {
    match check(&case).await {
        Ok(plans) => plans,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn create_and_drop_tables() {
    let (plan, back) = run(Case::new(
        "tables",
        "CREATE TABLE keep (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE gone (id INTEGER, v REAL, PRIMARY KEY (id));
         INSERT INTO keep VALUES (1, 'a');",
        "CREATE TABLE keep (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE fresh (\n    id INTEGER,\n    label TEXT NOT NULL DEFAULT 'x',\n    PRIMARY KEY (id)\n);
         CREATE INDEX fresh_label ON fresh (label);",
    ))
    .await;
    assert!(plan.hazards().contains(&Hazard::DeletesData));
    assert!(back.hazards().contains(&Hazard::DeletesData));
}

#[tokio::test]
async fn add_and_drop_columns_in_place() {
    let (plan, _) = run(Case {
        keep: &["SELECT id, name FROM t ORDER BY id"],
        ..Case::new(
            "columns",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, old TEXT);
             INSERT INTO t VALUES (1, 'a', 'x'), (2, 'b', 'y');",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, age INTEGER NOT NULL DEFAULT 0);",
        )
    })
    .await;
    assert!(
        plan.steps.iter().all(|s| s.sql.starts_with("ALTER TABLE")),
        "{}",
        plan.to_sql()
    );
}

/// A table rebuilt by a plan has the text Sluice renders, so the tables
/// these cases rebuild are written the way Sluice writes them.
#[tokio::test]
async fn column_type_change_rebuilds_and_keeps_rows() {
    let (plan, back) = run(Case {
        keep: &["SELECT id, v + 0 AS v, note FROM t ORDER BY id"],
        ..Case::new(
            "type",
            "CREATE TABLE t (id INTEGER, v TEXT, note TEXT, PRIMARY KEY (id));
             CREATE INDEX t_v ON t (v);
             INSERT INTO t VALUES (1, '10', 'a'), (2, '20', 'b');",
            "CREATE TABLE t (id INTEGER, v INTEGER, note TEXT, PRIMARY KEY (id));
             CREATE INDEX t_v ON t (v);",
        )
    })
    .await;
    for p in [&plan, &back] {
        let hazards = p.hazards();
        assert!(hazards.contains(&Hazard::TableRewrite), "{}", p.to_sql());
        assert!(hazards.contains(&Hazard::TypeConversion), "{}", p.to_sql());
        assert!(!hazards.contains(&Hazard::DeletesData), "{}", p.to_sql());
    }
    let first = plan.steps.iter().find(|s| s.reverse.is_some()).unwrap();
    assert!(first.reverse.as_deref().unwrap().contains("v TEXT"));
}

#[tokio::test]
async fn not_null_and_default_changes() {
    run(Case {
        keep: &["SELECT * FROM t ORDER BY id"],
        ..Case::new(
            "not null",
            "CREATE TABLE t (id INTEGER, name TEXT, status TEXT DEFAULT 'new', PRIMARY KEY (id));
             INSERT INTO t VALUES (1, 'a', 'old'), (2, 'b', 'new');",
            "CREATE TABLE t (id INTEGER, name TEXT NOT NULL, status TEXT DEFAULT 'open', PRIMARY KEY (id));",
        )
    })
    .await;
}

#[tokio::test]
async fn expression_and_partial_indexes() {
    let (plan, _) = run(Case::new(
        "indexes",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, active INTEGER);
         CREATE INDEX t_name ON t (name);
         INSERT INTO t VALUES (1, 'A', 1), (2, 'b', 0);",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, active INTEGER);
         CREATE INDEX t_lower ON t ((lower(name)) DESC);
         CREATE UNIQUE INDEX t_active ON t (name) WHERE active = 1;",
    ))
    .await;
    let hazards = plan.hazards();
    assert!(hazards.contains(&Hazard::IndexBuild) && hazards.contains(&Hazard::IndexDropped));
}

#[tokio::test]
async fn view_on_a_changed_table_and_replaced_views() {
    run(Case {
        keep: &["SELECT * FROM v ORDER BY id"],
        ..Case::new(
            "views",
            "CREATE TABLE t (id INTEGER, name TEXT, PRIMARY KEY (id));
             CREATE VIEW v AS SELECT id, name FROM t;
             CREATE VIEW w AS SELECT count(*) AS n FROM v;
             CREATE VIEW gone AS SELECT 1 AS one;
             INSERT INTO t VALUES (1, 'a'), (2, 'b');",
            "CREATE TABLE t (id INTEGER, name TEXT NOT NULL, extra REAL, PRIMARY KEY (id), CHECK (length(name) > 0));
             CREATE VIEW v AS SELECT id, name FROM t;
             CREATE VIEW w AS SELECT count(*) AS n, max(id) AS top FROM v;
             CREATE VIEW fresh (a, b) AS SELECT id, name FROM v;",
        )
    })
    .await;
}

#[tokio::test]
async fn triggers_on_tables_and_views() {
    run(Case {
        keep: &["SELECT * FROM t ORDER BY id", "SELECT * FROM audit ORDER BY id"],
        ..Case::new(
            "triggers",
            "CREATE TABLE t (id INTEGER, name TEXT, PRIMARY KEY (id));
             CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);
             CREATE VIEW v AS SELECT id, name FROM t;
             CREATE TRIGGER t_kept AFTER INSERT ON t BEGIN INSERT INTO audit (what) VALUES ('ins ' || new.name); END;
             CREATE TRIGGER t_changed AFTER DELETE ON t BEGIN INSERT INTO audit (what) VALUES ('del'); END;
             CREATE TRIGGER v_kept INSTEAD OF DELETE ON v BEGIN DELETE FROM t WHERE id = old.id; END;
             INSERT INTO t VALUES (1, 'a');",
            "CREATE TABLE t (id INTEGER, name TEXT NOT NULL, PRIMARY KEY (id));
             CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);
             CREATE VIEW v AS SELECT id, name, length(name) AS size FROM t;
             CREATE TRIGGER t_kept AFTER INSERT ON t BEGIN INSERT INTO audit (what) VALUES ('ins ' || new.name); END;
             CREATE TRIGGER t_changed AFTER DELETE ON t WHEN old.id > 0 BEGIN INSERT INTO audit (what) VALUES ('del ' || old.id); END;
             CREATE TRIGGER v_kept INSTEAD OF DELETE ON v BEGIN DELETE FROM t WHERE id = old.id; END;
             CREATE TRIGGER v_insert INSTEAD OF INSERT ON v BEGIN INSERT INTO t (id, name) VALUES (new.id, new.name); END;",
        )
    })
    .await;
}

const PARENT_CHILD_A: &str = "
    CREATE TABLE parent (id INTEGER, name TEXT, PRIMARY KEY (id));
    CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), note TEXT);
    CREATE TABLE grandchild (id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL REFERENCES child (id));
    INSERT INTO parent VALUES (1, 'a'), (2, 'b'), (3, 'c');
    INSERT INTO child VALUES (10, 1, 'x'), (11, 1, 'y'), (12, 3, 'z');
    INSERT INTO grandchild VALUES (100, 10), (101, 12);";

const PARENT_CHILD_B: &str = "
    CREATE TABLE parent (id INTEGER, name TEXT NOT NULL DEFAULT '', rank INTEGER, PRIMARY KEY (id), UNIQUE (name));
    CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), note TEXT);
    CREATE TABLE grandchild (id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL REFERENCES child (id));";

const PARENT_CHILD_KEEP: &[&str] = &[
    "SELECT id, name FROM parent ORDER BY id",
    "SELECT * FROM child ORDER BY id",
    "SELECT * FROM grandchild ORDER BY id",
];

/// Foreign keys enforced, as Sluice runs plans: the rebuilt parent's rows
/// are checked at commit, and no referencing row is lost.
#[tokio::test]
async fn rebuild_of_a_referenced_table_with_rows_through_the_engine() {
    let (plan, _) = run(Case {
        keep: PARENT_CHILD_KEEP,
        how: Apply::Engine,
        ..Case::new("referenced (engine)", PARENT_CHILD_A, PARENT_CHILD_B)
    })
    .await;
    // One rebuild for the table's three Changes: every statement names the
    // first, holds the write lock, and the first carries the rest.
    assert_eq!(plan.changes.len(), 3, "{}", plan.to_sql());
    assert!(plan.steps.iter().all(|s| s.change == Some(0)));
    assert!(plan.steps.iter().all(|s| {
        s.lock
            .as_ref()
            .is_some_and(|l| l.name == "database write lock" && l.blocks == "writes")
    }));
    let head = &plan.steps[1];
    assert!(head.sql.starts_with("CREATE TEMP TABLE"), "{}", head.sql);
    assert!(
        head.notes
            .iter()
            .any(|n| n == "also carries out change(s) 2, 3")
    );
    assert!(
        head.notes
            .iter()
            .any(|n| n.contains("PRAGMA foreign_key_check"))
    );
    assert!(
        head.reverse
            .as_deref()
            .is_some_and(|r| r.contains("name TEXT,"))
    );
    assert!(plan.steps.iter().all(|s| s.transactional));
}

#[tokio::test]
async fn rebuild_of_a_referenced_table_with_rows_in_the_shell() {
    for how in [Apply::Shell, Apply::ShellWithForeignKeys] {
        run(Case {
            keep: PARENT_CHILD_KEEP,
            how,
            ..Case::new("referenced (shell)", PARENT_CHILD_A, PARENT_CHILD_B)
        })
        .await;
    }
}

#[tokio::test]
async fn foreign_key_cycle() {
    // Created together, then both rebuilt to drop the cycle, with rows
    // that reference each other.
    run(Case {
        how: Apply::Engine,
        ..Case::new(
            "cycle created",
            "CREATE TABLE other (id INTEGER PRIMARY KEY);",
            "CREATE TABLE other (id INTEGER PRIMARY KEY);
             CREATE TABLE a (id INTEGER, b_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (b_id) REFERENCES b (id));
             CREATE TABLE b (id INTEGER, a_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (a_id) REFERENCES a (id));",
        )
    })
    .await;
    run(Case {
        how: Apply::Engine,
        keep: &["SELECT * FROM a", "SELECT * FROM b"],
        ..Case::new(
            "cycle rebuilt",
            "CREATE TABLE a (id INTEGER, b_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (b_id) REFERENCES b (id));
             CREATE TABLE b (id INTEGER, a_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (a_id) REFERENCES a (id));
             INSERT INTO a VALUES (1, NULL); INSERT INTO b VALUES (1, 1); UPDATE a SET b_id = 1;",
            "CREATE TABLE a (id INTEGER, b_id INTEGER, PRIMARY KEY (id));
             CREATE TABLE b (id INTEGER, a_id INTEGER NOT NULL, PRIMARY KEY (id), FOREIGN KEY (a_id) REFERENCES a (id) ON DELETE CASCADE);",
        )
    })
    .await;
}

#[tokio::test]
async fn keys_checks_and_table_options() {
    run(Case {
        keep: &[
            "SELECT * FROM t ORDER BY code",
            "SELECT * FROM s ORDER BY id",
            "SELECT id, v FROM auto ORDER BY id",
            "SELECT seq FROM sqlite_sequence WHERE name = 'auto'",
        ],
        how: Apply::Engine,
        ..Case::new(
            "keys",
            "CREATE TABLE t (code TEXT NOT NULL, n INTEGER, PRIMARY KEY (code), CONSTRAINT n_positive CHECK (n > 0));
             CREATE TABLE s (id INTEGER, label TEXT, UNIQUE (label));
             CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
             INSERT INTO t VALUES ('a', 1), ('b', 2);
             INSERT INTO s VALUES (1, 'x'), (2, 'y');
             INSERT INTO auto (v) VALUES ('a'), ('b'), ('c');
             DELETE FROM auto WHERE id = 3;",
            "CREATE TABLE t (code TEXT NOT NULL, n INTEGER, PRIMARY KEY (code), CONSTRAINT n_small CHECK (n < 100)) WITHOUT ROWID;
             CREATE TABLE s (id INTEGER, label TEXT, PRIMARY KEY (id)) STRICT;
             CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL, w TEXT COLLATE NOCASE);",
        )
    })
    .await;
}

#[tokio::test]
async fn generated_columns_and_columns_in_the_middle() {
    run(Case {
        keep: &["SELECT a, b FROM t ORDER BY a"],
        ..Case::new(
            "generated",
            "CREATE TABLE t (a INTEGER, b INTEGER, PRIMARY KEY (a));
             INSERT INTO t VALUES (1, 2), (3, 4);",
            "CREATE TABLE t (a INTEGER, mid TEXT, b INTEGER, total INTEGER GENERATED ALWAYS AS (a + b) STORED, half INTEGER GENERATED ALWAYS AS (a / 2) VIRTUAL, PRIMARY KEY (a));",
        )
    })
    .await;
}

/// Rows of tables whose foreign keys act on delete survive a rebuild of
/// the table they reference, with foreign keys enforced.
#[tokio::test]
async fn rebuild_under_cascading_foreign_keys() {
    let (plan, _) = run(Case {
        how: Apply::Engine,
        keep: &[
            "SELECT id, name FROM parent ORDER BY id",
            "SELECT * FROM cascade_child ORDER BY id",
            "SELECT * FROM null_child ORDER BY id",
            "SELECT * FROM restrict_child ORDER BY id",
            "SELECT * FROM deep ORDER BY id",
        ],
        ..Case::new(
            "cascade",
            "CREATE TABLE parent (id INTEGER, name TEXT, PRIMARY KEY (id));
             CREATE TABLE cascade_child (id INTEGER, parent_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE);
             CREATE TABLE null_child (id INTEGER, parent_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE SET NULL);
             CREATE TABLE restrict_child (id INTEGER, parent_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE RESTRICT);
             CREATE TABLE deep (id INTEGER, child_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (child_id) REFERENCES cascade_child (id) ON DELETE CASCADE);
             CREATE TRIGGER cascade_child_log AFTER DELETE ON cascade_child BEGIN SELECT 1; END;
             INSERT INTO parent VALUES (1, 'a'), (2, 'b');
             INSERT INTO cascade_child VALUES (1, 1), (2, 2);
             INSERT INTO null_child VALUES (1, 1);
             INSERT INTO restrict_child VALUES (1, 2);
             INSERT INTO deep VALUES (1, 1), (2, 2);",
            "CREATE TABLE parent (id INTEGER, name TEXT NOT NULL, PRIMARY KEY (id));
             CREATE TABLE cascade_child (id INTEGER, parent_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE);
             CREATE TABLE null_child (id INTEGER, parent_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE SET NULL);
             CREATE TABLE restrict_child (id INTEGER, parent_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE RESTRICT);
             CREATE TABLE deep (id INTEGER, child_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (child_id) REFERENCES cascade_child (id) ON DELETE CASCADE);
             CREATE TRIGGER cascade_child_log AFTER DELETE ON cascade_child BEGIN SELECT 1; END;",
        )
    })
    .await;
    let script = plan.to_sql();
    for pulled in ["cascade_child", "null_child", "restrict_child", "deep"] {
        assert!(
            script.contains(&format!("DROP TABLE main.{pulled}")),
            "{pulled}:\n{script}"
        );
    }
}

/// One of everything SQLite has, written the way people write it.
const EVERYTHING: &str = "
    CREATE TABLE account (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
        created TEXT DEFAULT (datetime('now')),
        score REAL,
        domain TEXT GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) VIRTUAL
    );
    CREATE TABLE [order] (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES account (id) ON DELETE CASCADE,
        total NUMERIC(10, 2) CONSTRAINT total_positive CHECK (total >= 0),
        \"note text\" TEXT
    );
    CREATE TABLE tag (name TEXT PRIMARY KEY, weight INTEGER) WITHOUT ROWID;
    CREATE TABLE typed (id INTEGER PRIMARY KEY, payload BLOB, n ANY) STRICT;
    CREATE TABLE pair (a INTEGER, b INTEGER, PRIMARY KEY (a, b), FOREIGN KEY (a) REFERENCES pair2 (x) DEFERRABLE INITIALLY DEFERRED);
    CREATE TABLE pair2 (x INTEGER PRIMARY KEY, y INTEGER REFERENCES pair (a));
    CREATE INDEX order_account ON [order] (account_id, total DESC);
    CREATE INDEX account_lower ON account (lower(email));
    CREATE UNIQUE INDEX account_open ON account (email) WHERE status = 'active';
    CREATE VIEW account_orders AS SELECT a.email, count(o.id) AS n FROM account a LEFT JOIN [order] o ON o.account_id = a.id GROUP BY a.email;
    CREATE VIEW big (email) AS SELECT email FROM account_orders WHERE n > 10;
    CREATE TRIGGER account_closed AFTER UPDATE OF status ON account WHEN new.status = 'closed'
    BEGIN
        DELETE FROM [order] WHERE account_id = new.id;
    END;
    CREATE TRIGGER big_insert INSTEAD OF INSERT ON big BEGIN SELECT raise(ABORT, 'read only'); END;
    INSERT INTO account (email, score) VALUES ('a@x.org', 1.5), ('b@y.org', NULL);
    INSERT INTO [order] (account_id, total) VALUES (1, 10), (2, 20.5);
";

#[tokio::test]
async fn the_same_schema_twice_has_no_differences() {
    let dir = sqlite_support::Dir::new();
    dir.create("x", EVERYTHING);
    dir.create("y", EVERYTHING);
    let (x, y) = (dir.inspect("x").await, dir.inspect("y").await);
    let plan = sluice_plan::plan(&x, &y, &sluice_plan::PlanOptions::default());
    assert!(plan.is_empty(), "{}", plan.to_sql());
    assert_eq!(plan.to_sql(), "-- No differences.\n");
}

#[tokio::test]
async fn a_dump_restored_has_no_differences() {
    let dir = sqlite_support::Dir::new();
    dir.create("x", EVERYTHING);
    let dump = dir.shell("x", ".dump").unwrap();
    dir.create("y", &dump);
    let (x, y) = (dir.inspect("x").await, dir.inspect("y").await);
    let plan = sluice_plan::plan(&x, &y, &sluice_plan::PlanOptions::default());
    assert!(plan.is_empty(), "{}", plan.to_sql());
    assert_eq!(dir.master("x"), dir.master("y"));
}

/// Every object kind, created from nothing and dropped again.
#[tokio::test]
async fn everything_from_nothing_and_back() {
    let dir = sqlite_support::Dir::new();
    dir.create("empty", "");
    dir.create("full", EVERYTHING);
    let (empty, full) = (dir.inspect("empty").await, dir.inspect("full").await);
    for how in [Apply::Shell, Apply::Engine] {
        dir.create("target", "");
        let forward = sluice_plan::plan(&empty, &full, &sluice_plan::PlanOptions::default());
        dir.apply("target", &forward.to_sql(), how).await.unwrap();
        let now = dir.inspect("target").await;
        let left = sluice_schema::diff(&now, &full, &Default::default());
        assert!(left.is_empty(), "{how:?}: {left:#?}\n{}", forward.to_sql());
        let back = sluice_plan::plan(&now, &empty, &sluice_plan::PlanOptions::default());
        dir.apply("target", &back.to_sql(), how).await.unwrap();
        assert!(
            dir.master("target").is_empty(),
            "{how:?}\n{}",
            back.to_sql()
        );
    }
}

/// The 2,000-deep chain of foreign keys, each acting on delete: created
/// from nothing, then its root rebuilt with rows everywhere, which pulls
/// every table of the chain into the rebuild.
#[tokio::test]
async fn a_two_thousand_deep_foreign_key_chain() {
    const DEPTH: usize = 2000;
    let table = |i: usize, extra: &str| {
        if i == 0 {
            format!("CREATE TABLE c0 (id INTEGER, v TEXT{extra}, PRIMARY KEY (id));\n")
        } else {
            format!(
                "CREATE TABLE c{i} (id INTEGER, up INTEGER, PRIMARY KEY (id), \
                 FOREIGN KEY (up) REFERENCES c{} (id) ON DELETE CASCADE);\n",
                i - 1
            )
        }
    };
    let chain = |extra: &str| (0..DEPTH).map(|i| table(i, extra)).collect::<String>();
    let rows: String = (0..DEPTH)
        .map(|i| {
            if i == 0 {
                "INSERT INTO c0 VALUES (1, 'root');\n".to_string()
            } else {
                format!("INSERT INTO c{i} VALUES (1, 1);\n")
            }
        })
        .collect();
    let last = format!("SELECT * FROM c{}", DEPTH - 1);
    let keep = ["SELECT id, v FROM c0", "SELECT * FROM c1000", last.as_str()];
    run(Case {
        how: Apply::Engine,
        ..Case::new("chain created", "", &chain(""))
    })
    .await;
    let (plan, _) = run(Case {
        how: Apply::Engine,
        keep: &keep,
        ..Case::new(
            "chain rebuilt",
            &format!("{}{rows}", chain("")),
            &chain(" NOT NULL"),
        )
    })
    .await;
    assert!(plan.steps.len() > 4 * DEPTH, "{}", plan.steps.len());
}

/// Declared renames run first, as `ALTER TABLE ... RENAME`, and a rebuild
/// of the renamed table copies the rows under the new names.
#[tokio::test]
async fn declared_renames_then_a_rebuild() {
    use sluice_schema::{DiffOptions, Rename};
    let rename = |from: &str, to: &str| DiffOptions {
        renames: vec![
            Rename::Table {
                schema: "main".into(),
                from: from.into(),
                to: to.into(),
            },
            Rename::Column {
                schema: "main".into(),
                table: to.into(),
                from: if from == "person" {
                    "name"
                } else {
                    "full_name"
                }
                .into(),
                to: if from == "person" {
                    "full_name"
                } else {
                    "name"
                }
                .into(),
            },
        ],
    };
    let (plan, _) = run(Case {
        how: Apply::Engine,
        keep: &[
            "SELECT count(*) AS n FROM everyone WHERE id = 1 AND 'Ada' IN (SELECT * FROM names)",
            "SELECT * FROM pet",
        ],
        renames: (rename("person", "people"), rename("people", "person")),
        same_text: false,
        ..Case::new(
            "renames",
            "CREATE TABLE person (id INTEGER, name TEXT, PRIMARY KEY (id));
             CREATE TABLE pet (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES person (id));
             CREATE VIEW names AS SELECT name FROM person;
             CREATE VIEW everyone AS SELECT * FROM person;
             INSERT INTO person VALUES (1, 'Ada');
             INSERT INTO pet VALUES (1, 1);",
            "CREATE TABLE people (id INTEGER, full_name TEXT NOT NULL, PRIMARY KEY (id));
             CREATE TABLE pet (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES \"people\" (id));
             CREATE VIEW names AS SELECT full_name FROM people;
             CREATE VIEW everyone AS SELECT * FROM \"people\";",
        )
    })
    .await;
    assert!(plan.steps[0].sql.contains("RENAME TO"), "{}", plan.to_sql());
}

/// Before SQLite 3.35 a column is dropped by a rebuild.
#[test]
fn old_servers_rebuild_to_drop_a_column() {
    use sluice_schema::{Catalog, Column, Dialect, Flavor, PrimaryKey, Schema, ServerInfo, Table};
    let table = |extra: bool| {
        let mut t = Table::new("t").with_column(Column::new("id", "INTEGER"));
        if extra {
            t = t.with_column(Column::new("old", "TEXT"));
        }
        t.with_primary_key(PrimaryKey::new(None, ["id"]))
    };
    let catalog =
        |t| Catalog::new("main", Dialect::Sqlite).with_schema(Schema::new("main").with_table(t));
    let (from, to) = (catalog(table(true)), catalog(table(false)));
    let mut options = sluice_plan::PlanOptions::default();
    let sql = |options: &sluice_plan::PlanOptions| {
        let plan = sluice_plan::plan(&from, &to, options);
        plan.steps.iter().map(|s| s.sql.clone()).collect::<Vec<_>>()
    };
    assert_eq!(sql(&options), ["ALTER TABLE t DROP COLUMN old"]);
    options.server = Some(ServerInfo {
        flavor: Flavor::Sqlite,
        version: "3.31.1".into(),
    });
    let old = sql(&options);
    assert!(
        old.iter().any(|s| s.starts_with("CREATE TEMP TABLE")),
        "{old:#?}"
    );
    assert!(!old.iter().any(|s| s.contains("DROP COLUMN")), "{old:#?}");
}

/// A table dropped while a rebuilt table stops referencing it (its rows
/// must not feel the old `ON DELETE CASCADE`), and a new table reusing
/// the index name of a dropped one.
#[tokio::test]
async fn dropped_parent_of_a_rebuilt_table_and_reused_index_names() {
    run(Case {
        how: Apply::Engine,
        keep: &["SELECT * FROM child ORDER BY id"],
        // The reverse brings back an empty parent the rows cannot reference.
        reversible: false,
        ..Case::new(
            "dropped parent",
            "CREATE TABLE legacy (id INTEGER, PRIMARY KEY (id));
             CREATE INDEX shared_name ON legacy (id DESC);
             CREATE TABLE child (id INTEGER, legacy_id INTEGER, PRIMARY KEY (id), FOREIGN KEY (legacy_id) REFERENCES legacy (id) ON DELETE CASCADE);
             INSERT INTO legacy VALUES (1), (2);
             INSERT INTO child VALUES (1, 1), (2, 2);",
            "CREATE TABLE child (id INTEGER, legacy_id INTEGER NOT NULL, PRIMARY KEY (id));
             CREATE TABLE modern (id INTEGER, PRIMARY KEY (id));
             CREATE INDEX shared_name ON modern (id DESC);",
        )
    })
    .await;
}

/// The rowid survives a rebuild; where the new table's INTEGER PRIMARY
/// KEY is the rowid, that column gives it.
#[tokio::test]
async fn rowids_and_primary_keys_that_move() {
    run(Case {
        how: Apply::Engine,
        keep: &[
            "SELECT rowid, * FROM plain ORDER BY rowid",
            "SELECT id, n FROM moved ORDER BY id",
        ],
        ..Case::new(
            "rowid",
            "CREATE TABLE plain (code TEXT, n INTEGER);
             CREATE TABLE moved (id INTEGER, n INTEGER, PRIMARY KEY (id));
             INSERT INTO plain VALUES ('a', 1), ('b', 2), ('c', 3);
             DELETE FROM plain WHERE code = 'b';
             INSERT INTO moved VALUES (1, 30), (2, 20), (3, 10);",
            "CREATE TABLE plain (code TEXT NOT NULL, n INTEGER);
             CREATE TABLE moved (id INTEGER, n INTEGER, PRIMARY KEY (n));",
        )
    })
    .await;
}
