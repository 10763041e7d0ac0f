//! The PostgreSQL planner's oracle, on the real server at 127.0.0.1:5432.
//!
//! For each pair of schemas (A, B): database `a` is made from A's SQL and
//! `b` from B's; the plan from `a`'s catalog to `b`'s runs through `psql
//! -v ON_ERROR_STOP=1`, exactly as printed; then `pg_dump --schema-only`
//! of `a` must equal that of `b` (normalized only for statement order and
//! ownership) and the diff of the two catalogs must be empty. Then the
//! plan back to A's catalog runs and must give A's dump again. Every
//! database is dropped at the end, also when a case fails.

mod pg_support;

use std::sync::Arc;

use pg_support::*;
use sluice_plan::{Hazard, PlanOptions, plan};
use sluice_schema::{DiffOptions, Rename, diff};

/// One pair of schemas, and what the forward plan must say.
struct Case {
    name: &'static str,
    a: &'static str,
    b: &'static str,
    /// Text the forward plan's script must contain.
    sql: &'static [&'static str],
    hazards: &'static [Hazard],
}

const EVERYTHING: &str = include_str!("../../sluice-engine/tests/fixtures/postgres/everything.sql");

const CASES: &[Case] = &[
    Case {
        name: "column_type",
        a: "CREATE TABLE t (id int PRIMARY KEY, qty int, code varchar(20), label varchar(20),
                price numeric(8,2) NOT NULL DEFAULT 0, n text DEFAULT '7');",
        b: "CREATE TABLE t (id int PRIMARY KEY, qty bigint, code varchar(10), label text,
                price numeric(12,3) NOT NULL DEFAULT 0, n integer DEFAULT 7);",
        sql: &["USING n::integer", "ALTER COLUMN label TYPE text"],
        hazards: &[Hazard::TypeConversion, Hazard::TableRewrite, Hazard::LongLock],
    },
    Case {
        name: "not_null_added",
        a: "CREATE TABLE t (id int PRIMARY KEY, email text, age int, nick text NOT NULL);",
        b: "CREATE TABLE t (id int PRIMARY KEY, email text NOT NULL, age int NOT NULL DEFAULT 0, nick text);",
        sql: &[
            "ADD CONSTRAINT email_not_null CHECK (email IS NOT NULL) NOT VALID",
            "VALIDATE CONSTRAINT email_not_null",
            "ALTER COLUMN email SET NOT NULL",
            "DROP CONSTRAINT email_not_null",
        ],
        hazards: &[],
    },
    Case {
        name: "default_changed",
        a: "CREATE TABLE t (id int PRIMARY KEY, a text DEFAULT 'x', b int, c timestamptz DEFAULT now(),
                d numeric DEFAULT 1.5);",
        b: "CREATE TABLE t (id int PRIMARY KEY, a text DEFAULT 'y', b int DEFAULT 42, c timestamptz,
                d numeric DEFAULT 2.5);",
        sql: &["SET DEFAULT 42", "DROP DEFAULT"],
        hazards: &[],
    },
    Case {
        name: "expression_index",
        a: "CREATE TABLE t (id int PRIMARY KEY, email text, name text);
            CREATE INDEX t_old_idx ON t (upper(name));",
        b: "CREATE TABLE t (id int PRIMARY KEY, email text, name text);
            CREATE UNIQUE INDEX t_email_idx ON t (lower(email));
            CREATE INDEX t_name_idx ON t ((name || email) text_pattern_ops DESC NULLS LAST);",
        sql: &[
            "CREATE UNIQUE INDEX CONCURRENTLY t_email_idx",
            "DROP INDEX CONCURRENTLY public.t_old_idx",
        ],
        hazards: &[Hazard::IndexBuild, Hazard::IndexDropped],
    },
    Case {
        name: "expression_index_over_retyped_column",
        a: "CREATE TABLE t (id int PRIMARY KEY, c varchar(20), n int CHECK (n > 3));
            CREATE INDEX t_c_idx ON t (lower(c)) WHERE n > 5;",
        b: "CREATE TABLE t (id int PRIMARY KEY, c text, n numeric(12,2) CHECK (n > 3));
            CREATE INDEX t_c_idx ON t (lower(c)) WHERE n > 5;",
        sql: &["DROP CONSTRAINT t_n_check"],
        hazards: &[Hazard::TypeConversion],
    },
    Case {
        name: "partial_index",
        a: "CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz, state text);
            CREATE INDEX t_live_idx ON t (id) WHERE deleted_at IS NULL;",
        b: "CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz, state text);
            CREATE INDEX t_live_idx ON t (id) WHERE deleted_at IS NULL AND state <> 'gone';
            CREATE INDEX t_open_idx ON t (state) INCLUDE (id) WHERE state IN ('a', 'b');",
        sql: &["WHERE ((deleted_at IS NULL) AND (state <> 'gone'::text))"],
        hazards: &[Hazard::IndexBuild, Hazard::IndexDropped],
    },
    Case {
        name: "view_on_changed_table",
        a: "CREATE TABLE t (id int PRIMARY KEY, amount int, gone text);
            CREATE VIEW v AS SELECT id, amount FROM t;
            CREATE VIEW w AS SELECT id FROM v WHERE amount > 10;
            COMMENT ON VIEW w IS 'big ones';",
        b: "CREATE TABLE t (id int PRIMARY KEY, amount bigint);
            CREATE VIEW v AS SELECT id, amount FROM t;
            CREATE VIEW w AS SELECT id FROM v WHERE amount > 10;
            COMMENT ON VIEW w IS 'big ones';",
        sql: &["DROP VIEW public.w", "DROP VIEW public.v"],
        hazards: &[Hazard::DeletesData],
    },
    Case {
        name: "function_used_by_view",
        a: "CREATE TABLE t (id int PRIMARY KEY, price numeric);
            CREATE FUNCTION gross(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p * 1.2 $$;
            CREATE VIEW v AS SELECT id, gross(price) AS g FROM t;",
        b: "CREATE TABLE t (id int PRIMARY KEY, price numeric);
            CREATE FUNCTION gross(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p * 1.25 $$;
            CREATE FUNCTION net(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p $$;
            CREATE VIEW v AS SELECT id, gross(price) AS g, net(price) AS n FROM t;",
        sql: &["CREATE OR REPLACE FUNCTION public.gross", "CREATE OR REPLACE VIEW"],
        hazards: &[],
    },
    Case {
        name: "function_result_type_changed",
        a: "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;
            COMMENT ON FUNCTION f(int) IS 'identity';",
        b: "CREATE FUNCTION f(a int) RETURNS bigint LANGUAGE sql AS $$ SELECT a::bigint $$;
            COMMENT ON FUNCTION f(int) IS 'identity';",
        sql: &["DROP FUNCTION public.f(a integer)"],
        hazards: &[],
    },
    Case {
        name: "function_result_type_changed_under_views",
        a: "CREATE TABLE t (id int PRIMARY KEY, price numeric);
            CREATE FUNCTION label(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT p $$;
            CREATE VIEW v AS SELECT id, label(price) AS l FROM t;
            CREATE VIEW w AS SELECT l FROM v;
            COMMENT ON VIEW w IS 'labels';",
        b: "CREATE TABLE t (id int PRIMARY KEY, price numeric);
            CREATE FUNCTION label(p numeric) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT p::text $$;
            CREATE VIEW v AS SELECT id, label(price) AS l FROM t;
            CREATE VIEW w AS SELECT l FROM v;
            COMMENT ON VIEW w IS 'labels';",
        sql: &["DROP VIEW public.w", "DROP FUNCTION public.label(p numeric)"],
        hazards: &[],
    },
    Case {
        name: "procedure_dropped",
        a: "CREATE TABLE log (at timestamptz);
            CREATE PROCEDURE purge(before timestamptz) LANGUAGE sql AS $$ DELETE FROM log WHERE at < before $$;
            CREATE FUNCTION keep() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
        b: "CREATE TABLE log (at timestamptz);
            CREATE FUNCTION keep() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
        sql: &["DROP PROCEDURE public.purge(IN before timestamp with time zone)"],
        hazards: &[],
    },
    Case {
        name: "enum_value_added",
        a: "CREATE TYPE mood AS ENUM ('sad', 'happy');
            CREATE TABLE t (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'sad');",
        b: "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic');
            CREATE TABLE t (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'sad', n mood DEFAULT 'ok');",
        sql: &[
            "ADD VALUE 'ok' BEFORE 'happy'",
            "ADD VALUE 'ecstatic'",
            "a later statement uses the new label",
        ],
        hazards: &[Hazard::Irreversible],
    },
    Case {
        name: "enum_rebuilt",
        a: "CREATE TYPE color AS ENUM ('red', 'green', 'blue');",
        b: "CREATE TYPE color AS ENUM ('blue', 'red');",
        sql: &["DROP TYPE public.color"],
        hazards: &[],
    },
    Case {
        name: "foreign_key_cycle",
        a: "CREATE TABLE keep (id int PRIMARY KEY);",
        b: "CREATE TABLE keep (id int PRIMARY KEY, b_id int);
            CREATE TABLE a (id int PRIMARY KEY, b_id int);
            CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));
            ALTER TABLE a ADD CONSTRAINT a_b_fkey FOREIGN KEY (b_id) REFERENCES b (id) DEFERRABLE INITIALLY DEFERRED;
            ALTER TABLE keep ADD CONSTRAINT keep_b_fkey FOREIGN KEY (b_id) REFERENCES b (id) ON DELETE SET NULL;
            COMMENT ON CONSTRAINT keep_b_fkey ON keep IS 'to b';",
        sql: &[
            "FOREIGN KEY (b_id) REFERENCES public.b (id) ON DELETE SET NULL NOT VALID",
            "VALIDATE CONSTRAINT keep_b_fkey",
        ],
        hazards: &[],
    },
    Case {
        name: "foreign_key_on_a_new_unique_index",
        a: "CREATE TABLE p (id int PRIMARY KEY, code text NOT NULL);
            CREATE TABLE c (id int PRIMARY KEY, code text);",
        b: "CREATE TABLE p (id int PRIMARY KEY, code text NOT NULL);
            CREATE UNIQUE INDEX p_code_idx ON p (code);
            CREATE TABLE c (id int PRIMARY KEY, code text REFERENCES p (code));",
        // The foreign key needs the index inside the transaction.
        sql: &["CREATE UNIQUE INDEX p_code_idx"],
        hazards: &[Hazard::IndexBuild],
    },
    Case {
        name: "partitions",
        a: "CREATE TABLE m (id int NOT NULL, at date NOT NULL, v text) PARTITION BY RANGE (at);
            CREATE TABLE m_2023 PARTITION OF m FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
            CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE INDEX m_at_idx ON m (at);
            CREATE TABLE l (k text NOT NULL, v int) PARTITION BY LIST (k);
            CREATE TABLE l_ab PARTITION OF l FOR VALUES IN ('a', 'b');",
        b: "CREATE TABLE m (id int NOT NULL, at date NOT NULL, v text) PARTITION BY RANGE (at);
            CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
            CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
                PARTITION BY LIST (id);
            CREATE TABLE m_2025_1 PARTITION OF m_2025 FOR VALUES IN (1);
            CREATE TABLE m_rest PARTITION OF m DEFAULT;
            CREATE INDEX m_at_idx ON m (at);
            CREATE INDEX m_v_idx ON m (v);
            CREATE TABLE l (k text NOT NULL, v int) PARTITION BY LIST (k);
            CREATE TABLE l_ab PARTITION OF l FOR VALUES IN ('a', 'b', 'c');",
        sql: &[
            "DETACH PARTITION public.m_2023",
            "CREATE TABLE public.m_2025_1 PARTITION OF public.m_2025",
        ],
        hazards: &[Hazard::DeletesData],
    },
    Case {
        name: "repartitioned",
        a: "CREATE TABLE r (id int NOT NULL, at date NOT NULL, CONSTRAINT r_pkey PRIMARY KEY (id, at));
            CREATE INDEX r_at_idx ON r (at);",
        b: "CREATE TABLE r (id int NOT NULL, at date NOT NULL, CONSTRAINT r_pkey PRIMARY KEY (id, at))
                PARTITION BY RANGE (at);
            CREATE TABLE r_all PARTITION OF r DEFAULT;
            CREATE INDEX r_at_idx ON r (at);",
        sql: &["INSERT INTO public.r"],
        hazards: &[Hazard::TableRewrite],
    },
    Case {
        name: "trigger_on_view",
        a: "CREATE TABLE t (id int PRIMARY KEY, v text);
            CREATE VIEW tv AS SELECT id, v FROM t;",
        b: "CREATE TABLE t (id int PRIMARY KEY, v text);
            CREATE VIEW tv AS SELECT id, v FROM t;
            CREATE FUNCTION tv_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO t VALUES (NEW.id, NEW.v); RETURN NEW; END $$;
            CREATE TRIGGER tv_insert INSTEAD OF INSERT ON tv FOR EACH ROW EXECUTE FUNCTION tv_insert();
            COMMENT ON TRIGGER tv_insert ON tv IS 'writes through';",
        sql: &["INSTEAD OF INSERT ON public.tv"],
        hazards: &[],
    },
    Case {
        name: "sequences_and_identity",
        a: "CREATE SEQUENCE s1 INCREMENT 1;
            CREATE SEQUENCE gone;
            CREATE TABLE t (id int NOT NULL, n bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 5), m int,
                x int GENERATED ALWAYS AS IDENTITY);",
        b: "CREATE SEQUENCE s1 INCREMENT 5 MAXVALUE 1000 CYCLE;
            CREATE SEQUENCE s2 AS integer START 10;
            CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY, n bigint GENERATED ALWAYS AS IDENTITY (START WITH 5 INCREMENT BY 3), m int,
                x int NOT NULL, k serial);
            ALTER SEQUENCE s2 OWNED BY t.m;",
        sql: &["ADD GENERATED ALWAYS AS IDENTITY", "DROP IDENTITY"],
        hazards: &[Hazard::TableRewrite],
    },
    Case {
        name: "sequence_owner_moves",
        a: "CREATE SEQUENCE s;
            CREATE TABLE t (id int);
            ALTER SEQUENCE s OWNED BY t.id;
            CREATE TABLE gone (id int);
            CREATE SEQUENCE kept;
            ALTER SEQUENCE kept OWNED BY gone.id;",
        b: "CREATE SEQUENCE s;
            CREATE TABLE t (id int, n bigint DEFAULT nextval('s'));
            ALTER SEQUENCE s OWNED BY t.n;
            CREATE SEQUENCE kept;",
        sql: &["ALTER SEQUENCE public.kept OWNED BY NONE", "ALTER SEQUENCE public.s OWNED BY public.t.n"],
        hazards: &[Hazard::TableRewrite],
    },
    Case {
        name: "generated_columns",
        a: "CREATE TABLE t (id int PRIMARY KEY, a int, b int GENERATED ALWAYS AS (a * 2) STORED);",
        b: "CREATE TABLE t (id int PRIMARY KEY, a int, b int, c int GENERATED ALWAYS AS (a + 1) STORED);",
        sql: &["DROP EXPRESSION"],
        hazards: &[Hazard::TableRewrite],
    },
    Case {
        name: "extensions_and_schemas",
        a: "CREATE SCHEMA old; CREATE TABLE old.t (id int); CREATE VIEW old.v AS SELECT id FROM old.t;",
        b: "CREATE EXTENSION citext; CREATE SCHEMA app; COMMENT ON SCHEMA app IS 'the app';
            CREATE TABLE app.u (id int PRIMARY KEY, email citext);",
        sql: &["CREATE EXTENSION IF NOT EXISTS citext", "DROP SCHEMA old"],
        hazards: &[Hazard::DeletesData],
    },
    Case {
        name: "comments",
        a: "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, a int CHECK (a > 0));
            CREATE INDEX t_a_idx ON t (a);
            COMMENT ON TABLE t IS 'old';
            COMMENT ON COLUMN t.a IS 'gone soon';
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
            CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$;",
        b: "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY, a int CHECK (a > 0));
            CREATE INDEX t_a_idx ON t (a);
            COMMENT ON TABLE t IS 'new';
            COMMENT ON CONSTRAINT t_pk ON t IS 'the key';
            COMMENT ON CONSTRAINT t_a_check ON t IS 'positive';
            COMMENT ON INDEX t_a_idx IS 'by a';
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
            CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$;
            COMMENT ON FUNCTION f() IS 'one';
            COMMENT ON PROCEDURE p() IS 'nothing';",
        sql: &["COMMENT ON COLUMN public.t.a IS NULL", "COMMENT ON PROCEDURE"],
        hazards: &[],
    },
    Case {
        name: "materialized_views",
        a: "CREATE TABLE t (id int PRIMARY KEY, k text);
            CREATE MATERIALIZED VIEW mv AS SELECT k, count(*) AS n FROM t GROUP BY k;
            CREATE MATERIALIZED VIEW gone AS SELECT 1 AS one;",
        b: "CREATE TABLE t (id int PRIMARY KEY, k text);
            CREATE MATERIALIZED VIEW mv AS SELECT k, count(*) AS n FROM t GROUP BY k;
            CREATE UNIQUE INDEX mv_k_idx ON mv (k);
            CREATE MATERIALIZED VIEW fresh AS SELECT k FROM t WITH NO DATA;
            COMMENT ON MATERIALIZED VIEW fresh IS 'filled later';",
        sql: &["CREATE UNIQUE INDEX CONCURRENTLY mv_k_idx"],
        hazards: &[Hazard::DeletesData, Hazard::IndexBuild],
    },
    Case {
        name: "table_options",
        a: "CREATE TABLE t (id int PRIMARY KEY) WITH (fillfactor = 70, autovacuum_enabled = false);
            CREATE TABLE u (id int);",
        b: "CREATE TABLE t (id int PRIMARY KEY) WITH (fillfactor = 90);
            CREATE UNLOGGED TABLE u (id int);
            ALTER TABLE u ENABLE ROW LEVEL SECURITY;",
        sql: &["RESET (autovacuum_enabled)", "SET UNLOGGED"],
        hazards: &[Hazard::TableRewrite],
    },
    Case {
        name: "keys_and_checks",
        a: "CREATE TABLE t (id int NOT NULL, a int, b int, CONSTRAINT t_a_key UNIQUE (a),
                CONSTRAINT t_b_check CHECK (b > 0));",
        b: "CREATE TABLE t (id int NOT NULL, a int, b int, CONSTRAINT t_pkey PRIMARY KEY (id),
                CONSTRAINT t_ab_key UNIQUE NULLS NOT DISTINCT (a, b),
                CONSTRAINT t_b_check CHECK (b > 1), CONSTRAINT t_a_check CHECK (a <> 0) NO INHERIT);
            COMMENT ON CONSTRAINT t_a_check ON t IS 'not zero';
            COMMENT ON CONSTRAINT t_ab_key ON t IS 'a pair';",
        sql: &["CHECK ((b > 1)) NOT VALID", "VALIDATE CONSTRAINT t_b_check"],
        hazards: &[Hazard::IndexBuild, Hazard::IndexDropped],
    },
    Case {
        name: "views_replaced",
        a: "CREATE TABLE t (id int PRIMARY KEY, a int, b int);
            CREATE VIEW grows AS SELECT id, a FROM t;
            CREATE VIEW shrinks AS SELECT id, a, b FROM t;
            CREATE VIEW on_top AS SELECT id FROM grows;",
        b: "CREATE TABLE t (id int PRIMARY KEY, a int, b int);
            CREATE VIEW grows AS SELECT id, a, b FROM t WHERE a > 0;
            CREATE VIEW shrinks AS SELECT id, b FROM t;
            CREATE VIEW on_top AS SELECT id FROM grows;",
        sql: &["CREATE OR REPLACE VIEW public.grows", "DROP VIEW public.shrinks"],
        hazards: &[],
    },
    Case {
        name: "everything_created",
        a: "",
        b: EVERYTHING,
        sql: &["CREATE TABLE audit.events_2025 PARTITION OF audit.events"],
        hazards: &[],
    },
    Case {
        name: "tables_and_columns",
        a: "CREATE TABLE keep (id int PRIMARY KEY, old text, v varchar(5));
            CREATE TABLE gone (id int PRIMARY KEY, keep_id int REFERENCES keep (id));",
        b: "CREATE TABLE keep (id int PRIMARY KEY, v varchar(5), fresh text NOT NULL DEFAULT 'x',
                u uuid DEFAULT gen_random_uuid());
            CREATE TABLE fresh (id bigint PRIMARY KEY, keep_id int REFERENCES keep (id) ON DELETE CASCADE,
                note text COLLATE \"C\");
            CREATE INDEX fresh_keep_idx ON fresh (keep_id);",
        sql: &["ADD COLUMN u uuid DEFAULT gen_random_uuid()", "DROP TABLE public.gone"],
        hazards: &[Hazard::DeletesData, Hazard::TableRewrite],
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plans_turn_a_into_b_and_back() {
    let scratch = Arc::new(Scratch::new("oracle"));
    // `ORACLE_CASE=name` runs one case while working on it.
    let only = std::env::var("ORACLE_CASE").ok();
    let cases = CASES
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| o == c.name));
    let each = [Transaction::Each; 2];
    let failures = run_cases(&scratch, cases, PlanOptions::default(), each, check_case).await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// What the forward plan of a case must say.
fn check_case(case: &Case, outcome: &Outcome) -> Vec<String> {
    let mut failures = Vec::new();
    let script = outcome.forward.to_sql();
    for want in case.sql {
        if !script.contains(want) {
            failures.push(format!("{}: the plan lacks {want:?}:\n{script}", case.name));
        }
    }
    let hazards = outcome.forward.hazards();
    for h in case.hazards {
        if !hazards.contains(h) {
            failures.push(format!("{}: hazard {h} missing: {hazards:?}", case.name));
        }
    }
    failures
}

/// Runs the oracle on `cases`, a few at a time (the server spends most of
/// its time waiting for the disk), and collects every failure.
async fn run_cases(
    scratch: &Arc<Scratch>,
    cases: impl Iterator<Item = &'static Case>,
    options: PlanOptions,
    apply: [Transaction; 2],
    check: fn(&Case, &Outcome) -> Vec<String>,
) -> Vec<String> {
    let permits = Arc::new(tokio::sync::Semaphore::new(3));
    let mut tasks = tokio::task::JoinSet::new();
    for case in cases {
        let (scratch, permits, options) = (scratch.clone(), permits.clone(), options.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire().await;
            match oracle_with(&scratch, case.name, case.a, case.b, &options, apply).await {
                Ok(outcome) => check(case, &outcome),
                Err(e) => vec![format!("{}: {e}", case.name)],
            }
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(f) => failures.extend(f),
            Err(e) => failures.push(format!("a case panicked: {e}")),
        }
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_plans_also_apply() {
    // Without lock-safe forms every statement is transactional.
    let scratch = Arc::new(Scratch::new("plain"));
    let options = PlanOptions {
        lock_safe: false,
        ..PlanOptions::default()
    };
    let plain = [
        "not_null_added",
        "expression_index",
        "foreign_key_cycle",
        "keys_and_checks",
    ];
    let cases = CASES.iter().filter(|c| plain.contains(&c.name));
    let each = [Transaction::Each; 2];
    let failures = run_cases(&scratch, cases, options, each, |case, outcome| {
        outcome
            .forward
            .steps
            .iter()
            .filter(|s| !s.transactional)
            .map(|s| format!("{}: {} is not transactional", case.name, s.sql))
            .collect()
    })
    .await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Sluice's engine runs the transactional statements first, in one
/// transaction, then the concurrent ones: lock-safe plans must work that
/// way too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_runs_lock_safe_plans() {
    let scratch = Arc::new(Scratch::new("engine"));
    let engine = [
        "expression_index",
        "partial_index",
        "materialized_views",
        "foreign_key_on_a_new_unique_index",
        "not_null_added",
        "keys_and_checks",
    ];
    let cases = CASES.iter().filter(|c| engine.contains(&c.name));
    let both = [Transaction::Engine; 2];
    let failures = run_cases(&scratch, cases, PlanOptions::default(), both, |_, _| {
        Vec::new()
    })
    .await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Declared renames rename in place (the rows stay), and so does the plan
/// back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_renames() {
    let scratch = Scratch::new("rename");
    let options = PlanOptions {
        diff: DiffOptions {
            renames: vec![
                Rename::Table {
                    schema: "public".into(),
                    from: "people".into(),
                    to: "persons".into(),
                },
                Rename::Column {
                    schema: "public".into(),
                    table: "pets".into(),
                    from: "name".into(),
                    to: "title".into(),
                },
            ],
        },
        ..PlanOptions::default()
    };
    let a = "CREATE TABLE people (id int PRIMARY KEY, email text);
             CREATE TABLE pets (id int PRIMARY KEY, owner int REFERENCES people (id), name text);
             CREATE INDEX pets_name_idx ON pets (name);";
    let b = "CREATE TABLE persons (id int PRIMARY KEY, email text);
             CREATE TABLE pets (id int PRIMARY KEY, owner int REFERENCES persons (id), title text);
             CREATE INDEX pets_name_idx ON pets (title);";
    let outcome = oracle(&scratch, "rename", a, b, &options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let script = outcome.forward.to_sql();
    assert!(
        script.contains("ALTER TABLE public.people RENAME TO persons"),
        "{script}"
    );
    assert!(script.contains("RENAME COLUMN name TO title"), "{script}");
    assert!(
        !outcome.forward.hazards().contains(&Hazard::DeletesData),
        "{script}"
    );
}

/// What a reviewer reads: the lock-safe plan of a NOT NULL, a check, a
/// foreign key and an index on tables in use.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_safe_plan_script() {
    let scratch = Scratch::new("script");
    let a = "CREATE TABLE p (id int PRIMARY KEY);
             CREATE TABLE c (id int PRIMARY KEY, p_id int, qty int, email text);";
    let b = "CREATE TABLE p (id int PRIMARY KEY);
             CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p (id), qty int CHECK (qty > 0),
                 email text NOT NULL);
             CREATE INDEX c_email_idx ON c (lower(email));";
    let outcome = oracle(&scratch, "script", a, b, &PlanOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    insta::assert_snapshot!(outcome.forward.to_sql());
}

/// The same fixture loaded twice, and a database and a `pg_dump` restore
/// of itself, diff to nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_false_differences() {
    let scratch = Scratch::new("same");
    let one = scratch.loaded("one", EVERYTHING).await.unwrap();
    let two = scratch.loaded("two", EVERYTHING).await.unwrap();
    // pg_dump restores with an empty search path, where this trigger's
    // condition on citext columns binds to text's operator instead: a real
    // change of meaning, not a false difference.
    psql(&one, "DROP TRIGGER customers_audit ON shop.customers").unwrap();
    psql(&two, "DROP TRIGGER customers_audit ON shop.customers").unwrap();
    let (a, b) = (inspect(&one).await, inspect(&two).await);
    let changes = diff(&a, &b, &DiffOptions::default());
    assert!(changes.is_empty(), "loaded twice: {changes:#?}");
    assert!(plan(&a, &b, &PlanOptions::default()).is_empty());

    let out = std::process::Command::new("/usr/bin/pg_dump")
        .args([
            "--schema-only",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            &one,
        ])
        .output()
        .expect("pg_dump runs");
    assert!(out.status.success());
    let restored = scratch.database("restored").await;
    psql(&restored, &String::from_utf8_lossy(&out.stdout)).unwrap();
    let c = inspect(&restored).await;
    let changes = diff(&a, &c, &DiffOptions::default());
    assert!(changes.is_empty(), "restored: {changes:#?}");
}

/// A 2,000-deep chain of foreign keys (each table references the one
/// before) and a chain of views reading each other: created from nothing
/// and dropped again, in an order the server accepts, without recursion.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_chains() {
    const TABLES: usize = 2_000;
    const VIEWS: usize = 200;
    let mut b = String::from("CREATE TABLE t0 (id int PRIMARY KEY);\n");
    for k in 1..TABLES {
        b.push_str(&format!(
            "CREATE TABLE t{k} (id int PRIMARY KEY, up int REFERENCES t{} (id));\n",
            k - 1
        ));
    }
    b.push_str("CREATE VIEW v0 AS SELECT id FROM t0;\n");
    for k in 1..VIEWS {
        b.push_str(&format!("CREATE VIEW v{k} AS SELECT id FROM v{};\n", k - 1));
    }
    let scratch = Scratch::new("deep");
    // Thousands of statements: one transaction each would wait on the
    // disk thousands of times. Dropping them all in one transaction takes
    // more locks than the server's lock table holds, so the reverse runs
    // statement by statement.
    let outcome = oracle_with(
        &scratch,
        "chain",
        "CREATE TABLE keep (id int);",
        &b,
        &PlanOptions::default(),
        [Transaction::One, Transaction::Each],
    )
    .await
    .unwrap_or_else(|e| panic!("{}", &e[..e.len().min(4_000)]));
    let steps = &outcome.forward.steps;
    assert!(steps.iter().all(|s| s.transactional));
    let position = |sql: &str| steps.iter().position(|s| s.sql.starts_with(sql));
    assert!(position("CREATE VIEW public.v1 ") > position("CREATE VIEW public.v0 "));
}
