//! The MySQL planner's oracle, on the real MariaDB at 127.0.0.1:3306.
//!
//! For each pair of schemas (A, B): database `a` is made from A's SQL and
//! `b` from B's; the plan from `a`'s catalog to `b`'s runs as a script
//! through the `mariadb` client, exactly as printed; then `mariadb-dump`
//! of `a` must equal that of `b` (normalized only for statement order,
//! `AUTO_INCREMENT` counters and the database name) and the diff of the
//! two catalogs must be empty. Then the plan back to A's catalog runs and
//! must give A's dump again. Every database is dropped at the end, also
//! when a case fails.
//!
//! Cases run four at a time: DDL on this server spends most of its time
//! waiting for the disk. `SLUICE_ORACLE_CASE=name` runs one case and
//! `SLUICE_ORACLE_PRINT=1` prints each forward plan.

mod mysql_support;

use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use mysql_support::*;
use sluice_plan::{Hazard, Plan, PlanOptions, plan};
use sluice_schema::{Catalog, Change, DiffOptions, Rename, diff};

/// One pair of schemas, and what its forward plan must say.
struct Case {
    name: &'static str,
    a: &'static str,
    b: &'static str,
    /// Text the forward plan's script must contain.
    sql: &'static [&'static str],
    hazards: &'static [Hazard],
}

const EVERYTHING: &str = include_str!("../../sluice-engine/tests/fixtures/mysql/everything.sql");

// Routine parameters are written as the server reports them (`int(11)`):
// inspection rebuilds a routine's header from information_schema, while
// the dump prints it as first written.
const CASES: &[Case] = &[
    Case {
        name: "column_type",
        a: "CREATE TABLE t (id int NOT NULL, qty int DEFAULT NULL, code varchar(20) DEFAULT NULL,
                price decimal(8,2) NOT NULL DEFAULT 0.00, label varchar(20) DEFAULT NULL,
                PRIMARY KEY (id)) ENGINE=InnoDB;",
        b: "CREATE TABLE t (id int NOT NULL, qty bigint DEFAULT NULL, code varchar(10) DEFAULT NULL,
                price decimal(12,3) NOT NULL DEFAULT 0.000, label varchar(40) DEFAULT NULL,
                PRIMARY KEY (id)) ENGINE=InnoDB;",
        sql: &["ALGORITHM=COPY, LOCK=SHARED"],
        hazards: &[Hazard::TypeConversion, Hazard::TableRewrite, Hazard::LongLock],
    },
    Case {
        name: "foreign_key_columns_widened",
        a: "CREATE TABLE p (id int NOT NULL PRIMARY KEY, code char(3) NOT NULL, UNIQUE KEY uq_code (code));
            CREATE TABLE c (id int NOT NULL PRIMARY KEY, p_id int, p_code char(3),
                CONSTRAINT fk_c_p FOREIGN KEY (p_id) REFERENCES p (id),
                CONSTRAINT fk_c_code FOREIGN KEY (p_code) REFERENCES p (code) ON UPDATE CASCADE);",
        b: "CREATE TABLE p (id bigint NOT NULL PRIMARY KEY, code char(3) NOT NULL, UNIQUE KEY uq_code (code));
            CREATE TABLE c (id int NOT NULL PRIMARY KEY, p_id bigint, p_code char(3),
                CONSTRAINT fk_c_p FOREIGN KEY (p_id) REFERENCES p (id),
                CONSTRAINT fk_c_code FOREIGN KEY (p_code) REFERENCES p (code) ON UPDATE CASCADE);",
        sql: &["DROP FOREIGN KEY fk_c_p", "ADD CONSTRAINT fk_c_p FOREIGN KEY"],
        hazards: &[Hazard::TableRewrite],
    },
    Case {
        name: "not_null_added",
        a: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, email varchar(100) DEFAULT NULL,
                age int DEFAULT NULL, nick varchar(20) NOT NULL);",
        b: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, email varchar(100) NOT NULL,
                age int NOT NULL DEFAULT 0, nick varchar(20) DEFAULT NULL);",
        sql: &["MODIFY COLUMN email varchar(100) NOT NULL"],
        hazards: &[Hazard::TableRewrite],
    },
    Case {
        name: "default_changed",
        a: "CREATE TABLE t (id int NOT NULL PRIMARY KEY,
                status varchar(10) NOT NULL DEFAULT 'new',
                created_at datetime NOT NULL DEFAULT current_timestamp(),
                n int DEFAULT 1);",
        b: "CREATE TABLE t (id int NOT NULL PRIMARY KEY,
                status varchar(10) NOT NULL DEFAULT 'open',
                created_at datetime NOT NULL,
                n int DEFAULT 2);",
        sql: &["ALGORITHM=INSTANT"],
        hazards: &[],
    },
    Case {
        name: "index_prefix",
        a: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(100), bio text,
                email varchar(200), KEY ix_old (email));",
        b: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(100), bio text,
                email varchar(200), KEY ix_name (name(10)), KEY ix_bio (bio(20)),
                UNIQUE KEY uq_email (email), KEY ix_multi (name(5), id DESC) COMMENT 'recent',
                FULLTEXT KEY ft_bio (bio));",
        sql: &["ALGORITHM=INPLACE, LOCK=NONE"],
        hazards: &[Hazard::IndexBuild, Hazard::IndexDropped],
    },
    Case {
        name: "index_comment",
        a: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, a int, KEY ix_a (a) COMMENT 'old');",
        b: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, a int, KEY ix_a (a) COMMENT 'new');",
        sql: &["DROP INDEX ix_a, ADD KEY ix_a"],
        hazards: &[Hazard::IndexBuild],
    },
    Case {
        name: "view_on_changed_table",
        a: "CREATE TABLE t (a int, b int, c int);
            CREATE VIEW v AS SELECT a, b FROM t;
            CREATE VIEW w AS SELECT a FROM v;",
        b: "CREATE TABLE t (a int, c int, d int);
            CREATE VIEW v AS SELECT a, d FROM t;
            CREATE VIEW w AS SELECT a FROM v;",
        sql: &["CREATE OR REPLACE SQL SECURITY DEFINER VIEW v"],
        hazards: &[Hazard::DeletesData],
    },
    Case {
        name: "function_used_by_view",
        a: "CREATE TABLE t (a int);
            CREATE FUNCTION f(x int(11)) RETURNS int DETERMINISTIC RETURN x + 1;
            CREATE VIEW v AS SELECT f(a) AS fa FROM t;",
        b: "CREATE TABLE t (a int);
            CREATE FUNCTION f(x int(11)) RETURNS int DETERMINISTIC RETURN x + 2;
            CREATE FUNCTION g(x int(11)) RETURNS int DETERMINISTIC RETURN f(x) * 2;
            CREATE VIEW v AS SELECT f(a) AS fa, a FROM t;
            CREATE VIEW vg AS SELECT g(a) AS ga FROM t;",
        sql: &["CREATE OR REPLACE FUNCTION f"],
        hazards: &[],
    },
    Case {
        name: "procedure_dropped",
        a: "CREATE TABLE t (a int);
            DELIMITER ;;
            CREATE PROCEDURE p(IN n int(11))
            BEGIN
                INSERT INTO t VALUES (n);
                DELETE FROM t WHERE a < 0;
            END;;
            DELIMITER ;
            CREATE FUNCTION keep_me(x int(11)) RETURNS int DETERMINISTIC RETURN x;",
        b: "CREATE TABLE t (a int);
            CREATE FUNCTION keep_me(x int(11)) RETURNS int DETERMINISTIC RETURN x;",
        sql: &["DROP PROCEDURE p"],
        hazards: &[],
    },
    Case {
        name: "procedure_changed",
        a: "CREATE TABLE t (a int);
            DELIMITER ;;
            CREATE PROCEDURE p(IN n int(11))
            BEGIN
                INSERT INTO t VALUES (n);
            END;;
            DELIMITER ;
            CREATE FUNCTION twice(x int(11)) RETURNS int(11) DETERMINISTIC COMMENT 'old' RETURN x * 2;",
        b: "CREATE TABLE t (a int);
            DELIMITER ;;
            CREATE PROCEDURE p(IN n int(11))
            BEGIN
                INSERT INTO t VALUES (n);
                INSERT INTO t VALUES (n + 1);
            END;;
            DELIMITER ;
            CREATE FUNCTION twice(x int(11)) RETURNS int(11) DETERMINISTIC COMMENT 'new' RETURN x * 2;",
        sql: &["DELIMITER ;;\nCREATE OR REPLACE PROCEDURE p", "COMMENT 'new'"],
        hazards: &[],
    },
    Case {
        name: "enum_gains_value",
        a: "CREATE TABLE t (id int NOT NULL PRIMARY KEY,
                status enum('a','b') NOT NULL DEFAULT 'a', kinds set('x','y'),
                mood enum('happy','sad'));",
        b: "CREATE TABLE t (id int NOT NULL PRIMARY KEY,
                status enum('a','b','c') NOT NULL DEFAULT 'a', kinds set('x','y','z'),
                mood enum('sad','happy'));",
        sql: &["enum('a','b','c') NOT NULL DEFAULT 'a', ALGORITHM=INSTANT"],
        hazards: &[Hazard::TypeConversion],
    },
    Case {
        name: "foreign_key_cycle",
        a: "CREATE TABLE p (id int NOT NULL PRIMARY KEY);
            CREATE TABLE c (id int NOT NULL PRIMARY KEY, p_id int, KEY ix_c_p (p_id));",
        b: "CREATE TABLE p (id int NOT NULL PRIMARY KEY);
            CREATE TABLE c (id int NOT NULL PRIMARY KEY, p_id int, KEY ix_c_p (p_id),
                CONSTRAINT fk_c_p FOREIGN KEY (p_id) REFERENCES p (id));
            CREATE TABLE x (id int NOT NULL PRIMARY KEY, y_id int, KEY ix_x_y (y_id));
            CREATE TABLE y (id int NOT NULL PRIMARY KEY, x_id int, KEY ix_y_x (x_id),
                CONSTRAINT fk_y_x FOREIGN KEY (x_id) REFERENCES x (id) ON DELETE CASCADE);
            ALTER TABLE x ADD CONSTRAINT fk_x_y FOREIGN KEY (y_id) REFERENCES y (id)
                ON DELETE SET NULL ON UPDATE CASCADE;",
        sql: &["ADD CONSTRAINT fk_x_y FOREIGN KEY"],
        hazards: &[Hazard::TableRewrite, Hazard::LongLock],
    },
    Case {
        name: "partitions",
        a: "CREATE TABLE r (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d))
                PARTITION BY RANGE (year(d))
                (PARTITION p2023 VALUES LESS THAN (2024), PARTITION p2024 VALUES LESS THAN (2025));
            CREATE TABLE l (id int NOT NULL, zone int NOT NULL, PRIMARY KEY (id, zone))
                PARTITION BY LIST (zone)
                (PARTITION p_east VALUES IN (1,2), PARTITION p_west VALUES IN (3,4));
            CREATE TABLE h (id int NOT NULL PRIMARY KEY)
                PARTITION BY KEY (id) (PARTITION p0, PARTITION p1, PARTITION p2, PARTITION p3);
            CREATE TABLE m (id int NOT NULL PRIMARY KEY)
                PARTITION BY RANGE (id)
                (PARTITION p1 VALUES LESS THAN (10), PARTITION p3 VALUES LESS THAN (30));
            CREATE TABLE u (id int NOT NULL PRIMARY KEY);
            CREATE TABLE e (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d))
                PARTITION BY RANGE COLUMNS (d)
                (PARTITION p2024 VALUES LESS THAN ('2025-01-01'), PARTITION pmax VALUES LESS THAN (MAXVALUE));
            CREATE TABLE k (id int NOT NULL PRIMARY KEY)
                PARTITION BY HASH (id) (PARTITION a, PARTITION b);
            CREATE TABLE s (id int NOT NULL PRIMARY KEY)
                PARTITION BY KEY (id) (PARTITION p0, PARTITION p1, PARTITION p2);",
        b: "CREATE TABLE r (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d))
                PARTITION BY RANGE (year(d))
                (PARTITION p2024 VALUES LESS THAN (2025), PARTITION p2025 VALUES LESS THAN (2026) COMMENT = 'next');
            CREATE TABLE l (id int NOT NULL, zone int NOT NULL, PRIMARY KEY (id, zone))
                PARTITION BY LIST (zone)
                (PARTITION p_east VALUES IN (1,2), PARTITION p_north VALUES IN (5,6));
            CREATE TABLE h (id int NOT NULL PRIMARY KEY)
                PARTITION BY KEY (id) (PARTITION p0, PARTITION p1, PARTITION p2, PARTITION p3,
                PARTITION p4, PARTITION p5);
            CREATE TABLE m (id int NOT NULL PRIMARY KEY)
                PARTITION BY RANGE (id)
                (PARTITION p1 VALUES LESS THAN (10), PARTITION p2 VALUES LESS THAN (20),
                 PARTITION p3 VALUES LESS THAN (30));
            CREATE TABLE u (id int NOT NULL PRIMARY KEY)
                PARTITION BY HASH (id) PARTITIONS 2;
            CREATE TABLE e (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d))
                PARTITION BY RANGE COLUMNS (d)
                (PARTITION p2024 VALUES LESS THAN ('2025-01-01'),
                 PARTITION p2025 VALUES LESS THAN ('2026-01-01'),
                 PARTITION p2026 VALUES LESS THAN ('2027-01-01'),
                 PARTITION pmax VALUES LESS THAN (MAXVALUE));
            CREATE TABLE k (id int NOT NULL PRIMARY KEY)
                PARTITION BY HASH (id) (PARTITION c, PARTITION d, PARTITION e);
            CREATE TABLE s (id int NOT NULL PRIMARY KEY)
                PARTITION BY KEY (id) (PARTITION p0);",
        sql: &[
            "DROP PARTITION p2023",
            "ADD PARTITION (PARTITION p2025",
            "REORGANIZE PARTITION p3 INTO (PARTITION p2 VALUES LESS THAN (20), PARTITION p3",
            "REORGANIZE PARTITION pmax INTO (PARTITION p2025",
            "COALESCE PARTITION 2",
            "ADD PARTITION (PARTITION p4, PARTITION p5)",
            "ALTER TABLE k PARTITION BY HASH",
        ],
        hazards: &[Hazard::DeletesData, Hazard::TableRewrite],
    },
    Case {
        name: "trigger",
        a: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, v int, note varchar(100));
            CREATE TABLE log (msg varchar(100));
            CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.v = NEW.v + 1;
            CREATE TRIGGER t_bd BEFORE DELETE ON t FOR EACH ROW SET @gone = OLD.id;",
        b: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, v int, note varchar(100));
            CREATE TABLE log (msg varchar(100));
            CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.v = NEW.v * 2;
            DELIMITER ;;
            CREATE TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW
            BEGIN
                INSERT INTO log VALUES (concat('added ', NEW.id));
                INSERT INTO log VALUES (NEW.note);
            END;;
            DELIMITER ;",
        sql: &["DELIMITER ;;", "DROP TRIGGER t_bd"],
        hazards: &[],
    },
    Case {
        name: "columns_moved",
        a: "CREATE TABLE t (a int, b int, c int, d int, e int);",
        b: "CREATE TABLE t (d int, a int, x int DEFAULT 7, c int, b int, y varchar(5));",
        sql: &["AFTER", "FIRST", "ALGORITHM=INSTANT"],
        hazards: &[Hazard::DeletesData],
    },
    Case {
        name: "reserved_names",
        a: "CREATE TABLE `order` (`key` int NOT NULL PRIMARY KEY, `select` int, `drop` int);
            CREATE TABLE `group` (id int NOT NULL PRIMARY KEY, `order` int,
                CONSTRAINT `check` FOREIGN KEY (`order`) REFERENCES `order` (`key`));",
        b: "CREATE TABLE `order` (`select` int, `key` int NOT NULL PRIMARY KEY,
                `from` varchar(5), KEY `index` (`from`), CONSTRAINT `where` CHECK (`select` > 0));
            CREATE TABLE `group` (id int NOT NULL PRIMARY KEY, `order` int, `desc` int);",
        sql: &["MODIFY COLUMN `select` int(11) FIRST", "ADD CONSTRAINT `where` CHECK"],
        hazards: &[Hazard::DeletesData],
    },
    Case {
        name: "other_engines_and_fulltext",
        a: "CREATE TABLE m (id int NOT NULL PRIMARY KEY, a int DEFAULT 1, b int) ENGINE=MyISAM;
            CREATE TABLE r (id int NOT NULL PRIMARY KEY, a int) ENGINE=Aria;
            CREATE TABLE f (id int NOT NULL PRIMARY KEY, body text, old int,
                FULLTEXT KEY ft_body (body)) ENGINE=InnoDB;",
        b: "CREATE TABLE m (id int NOT NULL PRIMARY KEY, a int DEFAULT 2, c int, KEY ix_a (a))
                ENGINE=MyISAM;
            CREATE TABLE r (id int NOT NULL PRIMARY KEY, z int, a int NOT NULL) ENGINE=Aria;
            CREATE TABLE f (id int NOT NULL PRIMARY KEY, title varchar(20), body text,
                FULLTEXT KEY ft_body (body)) ENGINE=InnoDB;",
        sql: &[
            "ALTER TABLE m ADD COLUMN c int(11);",
            "ALTER TABLE f DROP COLUMN old, ALGORITHM=INPLACE, LOCK=SHARED;",
        ],
        hazards: &[Hazard::DeletesData, Hazard::TableRewrite, Hazard::LongLock],
    },
    Case {
        name: "table_options",
        a: "CREATE TABLE t1 (id int NOT NULL PRIMARY KEY) ENGINE=InnoDB
                DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='old';
            CREATE TABLE t2 (id int NOT NULL PRIMARY KEY) ENGINE=InnoDB ROW_FORMAT=DYNAMIC;
            CREATE TABLE t3 (id int NOT NULL PRIMARY KEY, v varchar(10)) ENGINE=MyISAM;",
        b: "CREATE TABLE t1 (id int NOT NULL PRIMARY KEY) ENGINE=InnoDB
                DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci COMMENT='new';
            CREATE TABLE t2 (id int NOT NULL PRIMARY KEY) ENGINE=InnoDB ROW_FORMAT=COMPACT;
            CREATE TABLE t3 (id int NOT NULL PRIMARY KEY, v varchar(10)) ENGINE=InnoDB;",
        sql: &["ENGINE=InnoDB", "COMMENT = 'new'"],
        hazards: &[Hazard::TableRewrite, Hazard::LongLock],
    },
    Case {
        name: "tables_created_and_dropped",
        a: "CREATE TABLE p (id int NOT NULL PRIMARY KEY);
            CREATE TABLE c (id int NOT NULL PRIMARY KEY, p_id int,
                CONSTRAINT fk_c_p FOREIGN KEY (p_id) REFERENCES p (id));
            CREATE TABLE old (id int NOT NULL PRIMARY KEY, c_id int,
                CONSTRAINT fk_old_c FOREIGN KEY (c_id) REFERENCES c (id));",
        b: "CREATE TABLE p (id int NOT NULL PRIMARY KEY);
            CREATE TABLE c (id int NOT NULL PRIMARY KEY, p_id int,
                CONSTRAINT fk_c_p FOREIGN KEY (p_id) REFERENCES p (id));
            CREATE TABLE fresh (id int NOT NULL AUTO_INCREMENT, p_id int NOT NULL,
                PRIMARY KEY (id), UNIQUE KEY uq_fresh_p (p_id),
                CONSTRAINT ck_fresh_p CHECK (p_id > 0),
                CONSTRAINT fk_fresh_p FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE)
                AUTO_INCREMENT=500 COMMENT='new table';",
        sql: &["DROP TABLE old", "CREATE TABLE fresh"],
        hazards: &[Hazard::DeletesData],
    },
    Case {
        name: "checks_and_uniques",
        a: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, a int, b int,
                CONSTRAINT ck_a CHECK (a > 0), UNIQUE KEY uq_b (b));",
        b: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, a int, b int,
                CONSTRAINT ck_b CHECK (b < 100), UNIQUE KEY uq_ab (a, b));",
        sql: &["DROP CONSTRAINT ck_a", "ADD CONSTRAINT ck_b CHECK"],
        hazards: &[Hazard::IndexBuild, Hazard::IndexDropped],
    },
    Case {
        name: "primary_key_changed",
        a: "CREATE TABLE t (id int NOT NULL AUTO_INCREMENT, code varchar(10) NOT NULL,
                PRIMARY KEY (id));
            CREATE TABLE u (id int NOT NULL, v int);",
        b: "CREATE TABLE t (id int NOT NULL AUTO_INCREMENT, code varchar(10) NOT NULL,
                PRIMARY KEY (id, code));
            CREATE TABLE u (id int NOT NULL, v int, PRIMARY KEY (id));",
        sql: &["DROP PRIMARY KEY, ADD PRIMARY KEY (id, code), ALGORITHM=INPLACE, LOCK=NONE"],
        hazards: &[Hazard::IndexBuild, Hazard::IndexDropped],
    },
    Case {
        name: "auto_increment_columns",
        a: "CREATE TABLE t (v int);
            CREATE TABLE u (id int NOT NULL, v int);",
        b: "CREATE TABLE t (id int NOT NULL AUTO_INCREMENT, v int, PRIMARY KEY (id));
            CREATE TABLE u (id int NOT NULL AUTO_INCREMENT, v int, PRIMARY KEY (id));",
        sql: &[
            "ADD COLUMN id int(11) NOT NULL AUTO_INCREMENT FIRST, ADD PRIMARY KEY (id)",
            "MODIFY COLUMN id int(11) NOT NULL AUTO_INCREMENT, ADD PRIMARY KEY (id)",
        ],
        hazards: &[Hazard::TableRewrite, Hazard::LongLock],
    },
    Case {
        name: "column_details",
        a: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(50) COMMENT 'old',
                c varchar(20) CHARACTER SET latin1, n int, u datetime DEFAULT NULL);",
        b: "CREATE TABLE t (id int NOT NULL PRIMARY KEY, name varchar(50) COMMENT 'new',
                c varchar(20) CHARACTER SET utf8mb4, n int,
                u datetime DEFAULT NULL ON UPDATE current_timestamp(),
                g int GENERATED ALWAYS AS (n * 2) VIRTUAL,
                s int GENERATED ALWAYS AS (n + 1) STORED);",
        sql: &["GENERATED ALWAYS AS"],
        hazards: &[Hazard::TypeConversion],
    },
    Case {
        name: "everything_created",
        a: "",
        b: EVERYTHING,
        sql: &["CREATE TABLE customers", "CREATE PROCEDURE close_customer"],
        hazards: &[],
    },
    Case {
        name: "everything_changed",
        a: EVERYTHING,
        b: "CREATE TABLE customers (id int unsigned NOT NULL AUTO_INCREMENT,
                email varchar(255) NOT NULL, PRIMARY KEY (id));
            CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT, customer_id int unsigned NOT NULL,
                placed_on date NOT NULL, PRIMARY KEY (id),
                CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id));
            CREATE VIEW active_customers AS SELECT id, email FROM customers;",
        sql: &["DROP TABLE measurements", "DROP PROCEDURE close_customer"],
        hazards: &[Hazard::DeletesData],
    },
];

/// Runs `f` on every item, four at a time; the failures, by name.
fn run_all<T: Sync>(items: &[T], name: impl Fn(&T) -> String + Sync, f: impl Fn(&T) + Sync) {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let started = Instant::now();
                    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| f(item)));
                    eprintln!("{}: {:?}", name(item), started.elapsed());
                    if let Err(e) = outcome {
                        let message = e
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        failures
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(format!("{}: {message}", name(item)));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(f)
}

fn describe(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| format!("{c:?}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Applies `plan` to `database` with the client, then checks the result
/// against `wanted` (its dump and catalog).
fn apply_and_compare(
    what: &str,
    database: &str,
    plan: &Plan,
    wanted_dump: &[String],
    wanted: &Catalog,
) {
    let script = plan.to_sql();
    if let Err(e) = client(database, &script) {
        panic!("{what} plan failed: {e}\n--- script\n{script}");
    }
    let now = dump(database);
    if now != wanted_dump {
        panic!(
            "{what}: dumps differ\n{}\n--- script\n{script}",
            dump_difference(&now, wanted_dump)
        );
    }
    let left = diff(
        &block_on(inspect(database)),
        wanted,
        &DiffOptions::default(),
    );
    assert!(
        left.is_empty(),
        "{what}: the diff after the plan is not empty:\n{}\n--- script\n{script}",
        describe(&left)
    );
}

/// How plans are made: lock-safe for the server the catalogs name (the
/// default), plain statements, or lock-safe for an unknown server (the
/// forms every supported version accepts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    LockSafe,
    Plain,
    UnknownServer,
}

impl Mode {
    fn plan(self, from: &Catalog, to: &Catalog) -> Plan {
        let options = PlanOptions {
            lock_safe: self != Mode::Plain,
            ..Default::default()
        };
        let (mut from, mut to) = (from.clone(), to.clone());
        if self == Mode::UnknownServer {
            from.server = None;
            to.server = None;
        }
        plan(&from, &to, &options)
    }
}

/// The oracle for one pair of schemas (see the module docs); `sql` and
/// `hazards` are checked on lock-safe plans.
fn oracle_pair(a_sql: &str, b_sql: &str, mode: Mode, sql: &[&str], hazards: &[Hazard]) {
    let a = TempDb::create("a");
    let b = TempDb::create("b");
    load(&a.name, a_sql);
    load(&b.name, b_sql);
    let original = block_on(inspect(&a.name));
    let original_dump = dump(&a.name);
    let wanted = renamed(block_on(inspect(&b.name)), &a.name);
    let wanted_dump = dump(&b.name);

    let forward = mode.plan(&original, &wanted);
    assert!(!forward.is_empty(), "no changes found");
    let script = forward.to_sql();
    if std::env::var_os("SLUICE_ORACLE_PRINT").is_some() {
        eprintln!("{script}");
    }
    if mode == Mode::LockSafe {
        for text in sql {
            assert!(script.contains(text), "the plan lacks {text:?}:\n{script}");
        }
        let found = forward.hazards();
        for h in hazards {
            assert!(found.contains(h), "the plan lacks hazard {h}:\n{script}");
        }
    }
    if mode == Mode::Plain {
        let clause = forward.steps.iter().any(|s| s.sql.contains("ALGORITHM="));
        assert!(!clause, "a plain plan with an ALGORITHM clause:\n{script}");
    }
    apply_and_compare("forward", &a.name, &forward, &wanted_dump, &wanted);

    let back = mode.plan(&block_on(inspect(&a.name)), &original);
    apply_and_compare("reverse", &a.name, &back, &original_dump, &original);
}

/// Every case in `modes`; `SLUICE_ORACLE_CASE` picks one.
fn run_cases(modes: &[Mode]) {
    let only = std::env::var("SLUICE_ORACLE_CASE").ok();
    let runs: Vec<(&Case, Mode)> = CASES
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| o == c.name))
        .flat_map(|c| modes.iter().map(move |m| (c, *m)))
        .collect();
    assert!(!runs.is_empty(), "no case named {only:?}");
    run_all(
        &runs,
        |(c, m)| format!("{} ({m:?})", c.name),
        |(c, m)| oracle_pair(c.a, c.b, *m, c.sql, c.hazards),
    );
}

#[test]
fn mysql_plans_apply_and_reverse() {
    run_cases(&[Mode::LockSafe]);
}

#[test]
fn mysql_plain_and_unknown_server_plans_apply_and_reverse() {
    run_cases(&[Mode::Plain, Mode::UnknownServer]);
}

/// A chain of foreign keys `depth` tables long, created from nothing and
/// dropped again; the in-memory test of the planner covers 2,000 tables.
#[test]
fn mysql_foreign_key_chain() {
    let depth = 40;
    let mut chain = String::from("CREATE TABLE t000 (id int NOT NULL PRIMARY KEY);\n");
    for i in 1..depth {
        chain.push_str(&format!(
            "CREATE TABLE t{i:03} (id int NOT NULL PRIMARY KEY, up int, KEY ix_t{i:03}_up (up),
                CONSTRAINT fk_t{i:03}_up FOREIGN KEY (up) REFERENCES t{:03} (id));\n",
            i - 1
        ));
    }
    let started = Instant::now();
    oracle_pair(
        "",
        &chain,
        Mode::LockSafe,
        &["ADD CONSTRAINT fk_t039_up"],
        &[],
    );
    eprintln!("{depth}-deep chain there and back: {:?}", started.elapsed());
}

/// The same fixture loaded twice, and a database and a restore of its own
/// dump: no differences, no statements.
#[test]
fn mysql_no_false_differences() {
    // mariadb-dump restores views in name order, and a view WITH CHECK
    // OPTION over a view it restores later fails: that clause stays out.
    let fixture = EVERYTHING.replace("\n    WITH CASCADED CHECK OPTION", "");
    let a = TempDb::create("same_a");
    let b = TempDb::create("same_b");
    let restored = TempDb::create("restored");
    load(&a.name, &fixture);
    load(&b.name, &fixture);
    let ca = block_on(inspect(&a.name));
    let cb = renamed(block_on(inspect(&b.name)), &a.name);
    let twice = plan(&ca, &cb, &PlanOptions::default());
    assert!(
        twice.is_empty(),
        "the fixture loaded twice differs:\n{}",
        describe(&twice.changes)
    );

    let out = std::process::Command::new("mariadb-dump")
        .args([
            "-h127.0.0.1",
            "-P3306",
            "-uroot",
            "--no-data",
            "--routines",
            "--triggers",
        ])
        .arg(&a.name)
        .output()
        .expect("mariadb-dump must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    load(&restored.name, &String::from_utf8_lossy(&out.stdout));
    let cr = renamed(block_on(inspect(&restored.name)), &a.name);
    let restore = plan(&ca, &cr, &PlanOptions::default());
    assert!(
        restore.is_empty(),
        "a restore of the dump differs:\n{}",
        describe(&restore.changes)
    );
    assert_eq!(restore.to_sql(), "-- No differences.\n");
}

/// Declared renames are renames, not a drop and a create: no data lost,
/// and the plan back renames again.
#[test]
fn mysql_declared_renames() {
    let a = TempDb::create("rename_a");
    let b = TempDb::create("rename_b");
    load(
        &a.name,
        "CREATE TABLE t (id int NOT NULL PRIMARY KEY, b int, KEY ix_b (b));",
    );
    load(
        &b.name,
        "CREATE TABLE u (id int NOT NULL PRIMARY KEY, c int, KEY ix_b (c));",
    );
    let original = block_on(inspect(&a.name));
    let original_dump = dump(&a.name);
    let wanted = renamed(block_on(inspect(&b.name)), &a.name);
    let wanted_dump = dump(&b.name);
    let renames = |table: (&str, &str), column: (&str, &str, &str)| PlanOptions {
        diff: DiffOptions {
            renames: vec![
                Rename::Table {
                    schema: a.name.clone(),
                    from: table.0.into(),
                    to: table.1.into(),
                },
                Rename::Column {
                    schema: a.name.clone(),
                    table: column.0.into(),
                    from: column.1.into(),
                    to: column.2.into(),
                },
            ],
        },
        ..Default::default()
    };

    let forward = plan(&original, &wanted, &renames(("t", "u"), ("u", "b", "c")));
    let script = forward.to_sql();
    assert!(script.contains("RENAME TABLE t TO u"), "{script}");
    assert!(script.contains("RENAME COLUMN b TO c"), "{script}");
    assert!(forward.hazards().is_empty(), "{script}");
    apply_and_compare("forward", &a.name, &forward, &wanted_dump, &wanted);

    let back = plan(
        &block_on(inspect(&a.name)),
        &original,
        &renames(("u", "t"), ("t", "c", "b")),
    );
    apply_and_compare("reverse", &a.name, &back, &original_dump, &original);
}
