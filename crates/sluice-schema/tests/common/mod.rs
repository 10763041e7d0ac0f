//! Fixture catalogs that use every object kind of each dialect, built the
//! way an inspector would fill them (types and expressions as the server
//! spells them).

#![allow(dead_code)]

use sluice_schema::*;

pub fn postgres() -> Catalog {
    let mut c = Catalog::new("shop", Dialect::Postgres);
    c.server = Some(ServerInfo {
        flavor: Flavor::Postgres,
        version: "15.4".into(),
    });
    c.charset = Some("UTF8".into());
    c.collation = Some("C.UTF-8".into());
    let mut trgm = Extension::new("pg_trgm");
    trgm.schema = Some("public".into());
    trgm.version = Some("1.6".into());
    trgm.comment = Some("text similarity measurement".into());

    let identity = Identity {
        kind: IdentityKind::Always,
        sequence: SequenceOptions {
            start: Some(1),
            increment: Some(1),
            min_value: Some(1),
            max_value: Some(9223372036854775807),
            cache: Some(1),
            cycle: false,
        },
    };
    let customers = Table::new("customers")
        .with_column(Column::new("id", "bigint").with_identity(identity.clone()))
        .with_column(
            Column::new("email", "text")
                .not_null()
                .with_collation("C")
                .with_comment("login, unique"),
        )
        .with_column(Column::new("Mixed Case", "character varying(100)"))
        .with_column(Column::new("mood", "mood").with_default("'ok'::mood"))
        .with_column(
            Column::new("created_at", "timestamp with time zone")
                .not_null()
                .with_default("now()"),
        )
        .with_column(
            Column::new("lower_email", "text").with_generated(Generated {
                expression: "lower(email)".into(),
                kind: GeneratedKind::Stored,
            }),
        )
        .with_primary_key(PrimaryKey::new(Some("customers_pkey"), ["id"]))
        .with_unique(UniqueConstraint::new(
            Some("customers_email_key"),
            ["email"],
        ))
        .with_check(Check::new(
            Some("customers_email_check"),
            "is_valid_email(email)",
        ))
        .with_index(
            Index::new("customers_name_idx").with_part(
                IndexPart::column("Mixed Case")
                    .desc()
                    .nulls(NullsOrder::Last),
            ),
        )
        .with_index(
            Index::new("customers_lower_email_idx")
                .with_part(IndexPart::expression("lower(email)"))
                .with_predicate(
                    "(created_at > '2020-01-01 00:00:00+00'::timestamp with time zone)",
                ),
        )
        .with_index(
            Index::new("customers_email_trgm")
                .with_method("gin")
                .with_part(IndexPart::column("email").with_opclass("public.gin_trgm_ops")),
        )
        .with_comment("People who order things.");

    let mut by_default = identity.clone();
    by_default.kind = IdentityKind::ByDefault;
    let mut orders_fk = ForeignKey::new(
        Some("orders_customer_fk"),
        ["customer_id"],
        "public",
        "customers",
        ["id"],
    )
    .on_delete(ReferentialAction::Cascade)
    .with_deferral(Deferral::InitiallyDeferred);
    orders_fk.comment = Some("an order's customer".into());
    let mut order_no_unique = UniqueConstraint::new(Some("orders_order_no_key"), ["order_no"]);
    order_no_unique.nulls_not_distinct = true;
    let orders = Table::new("orders")
        .with_column(Column::new("id", "bigint").with_identity(by_default))
        .with_column(Column::new("customer_id", "bigint").not_null())
        .with_column(
            Column::new("order_no", "bigint").with_default("nextval('order_no_seq'::regclass)"),
        )
        .with_column(
            Column::new("total", "numeric(10,2)")
                .not_null()
                .with_default("0"),
        )
        .with_column(Column::new("status", "text"))
        .with_column(Column::new("updated_at", "timestamp with time zone"))
        .with_primary_key(PrimaryKey::new(Some("orders_pkey"), ["id"]))
        .with_unique(order_no_unique)
        .with_foreign_key(orders_fk)
        .with_index(
            Index::new("orders_customer_idx")
                .on_columns(["customer_id"])
                .with_include(["total"])
                .with_comment("covering lookup by customer"),
        );

    let sub = Partitioning {
        strategy: PartitionStrategy::List,
        key: "kind".into(),
        partitions: vec![
            Partition::new("events_2025_other", Some("DEFAULT")),
            Partition::new("events_2025_a", Some("FOR VALUES IN ('a')")),
        ],
    };
    let mut p2025 = Partition::new(
        "events_2025",
        Some("FOR VALUES FROM ('2025-01-01 00:00:00+00') TO ('2026-01-01 00:00:00+00')"),
    );
    p2025.partitioning = Some(Box::new(sub));
    let events = Table::new("events")
        .with_column(Column::new("id", "bigint").not_null())
        .with_column(Column::new("at", "timestamp with time zone").not_null())
        .with_column(Column::new("kind", "text").not_null())
        .with_primary_key(PrimaryKey::new(Some("events_pkey"), ["id", "at", "kind"]))
        .with_partitioning(Partitioning {
            strategy: PartitionStrategy::Range,
            key: "at".into(),
            partitions: vec![
                p2025,
                Partition::new(
                    "events_2024",
                    Some(
                        "FOR VALUES FROM ('2024-01-01 00:00:00+00') TO ('2025-01-01 00:00:00+00')",
                    ),
                ),
            ],
        });

    let cache = Table::new("cache_entries")
        .with_column(Column::new("key", "text").not_null())
        .with_column(Column::new("value", "jsonb"))
        .with_primary_key(PrimaryKey::new(Some("cache_entries_pkey"), ["key"]))
        .with_options(TableOptions::Postgres(PostgresTableOptions {
            unlogged: true,
            storage_parameters: vec!["fillfactor=70".into()],
            row_security: true,
            ..Default::default()
        }));

    // The child sorts before its parent by name: rendering must still
    // create the parent first.
    let base_log = Table::new("z_base_log")
        .with_column(Column::new("id", "bigint").not_null())
        .with_column(Column::new("message", "text"))
        .with_check(Check {
            no_inherit: true,
            ..Check::new(Some("z_base_log_no_rows"), "false")
        });
    let child_log = Table::new("a_child_log")
        .with_column(Column::new("id", "bigint").not_null())
        .with_column(Column::new("message", "text"))
        .with_column(Column::new("level", "smallint"))
        .with_options(TableOptions::Postgres(PostgresTableOptions {
            inherits: vec![QualifiedName::new("public", "z_base_log")],
            ..Default::default()
        }));

    let odd = Table::new("select")
        .with_column(Column::new("a\"b", "integer"))
        .with_column(Column::new("Ünïcode", "text").with_default("'it''s'::text"));

    let mut order_no_seq = Sequence::new("order_no_seq");
    order_no_seq.data_type = Some("bigint".into());
    order_no_seq.options = SequenceOptions {
        start: Some(1000),
        increment: Some(1),
        min_value: Some(1),
        max_value: Some(9223372036854775807),
        cache: Some(1),
        cycle: false,
    };
    order_no_seq.owned_by = Some(ColumnRef {
        table: "orders".into(),
        column: "order_no".into(),
    });

    let mut totals = View::new(
        "customer_totals",
        " SELECT c.id,\n    order_total(c.id) AS total\n   FROM customers c;",
    );
    totals.comment = Some("per-customer totals".into());
    // Sorts first, depends on customer_totals.
    let mut top = View::new(
        "a_top_customers",
        " SELECT id, total FROM customer_totals WHERE total > 1000::numeric;",
    );
    top.columns = vec!["customer_id".into(), "total".into()];
    top.security = Some(ViewSecurity::Invoker);
    let mut open = View::new(
        "open_orders",
        " SELECT orders.id, orders.status FROM orders WHERE orders.status = 'open'::text;",
    );
    open.check_option = Some(CheckOption::Local);

    let summary = MaterializedView::new(
        "sales_summary",
        " SELECT a_top_customers.customer_id, a_top_customers.total FROM a_top_customers;",
    )
    .with_index(
        Index::new("sales_summary_customer_idx")
            .unique()
            .on_columns(["customer_id"]),
    );

    let mut valid_email = Function::new(RoutineKind::Function, "is_valid_email");
    valid_email.signature = "text".into();
    valid_email.arguments = "address text".into();
    valid_email.returns = Some("boolean".into());
    valid_email.language = "sql".into();
    valid_email.volatility = Some(Volatility::Immutable);
    valid_email.body = "SELECT position('@' in address) > 1".into();

    let mut order_total = Function::new(RoutineKind::Function, "order_total");
    order_total.signature = "bigint".into();
    order_total.arguments = "customer bigint".into();
    order_total.returns = Some("numeric".into());
    order_total.language = "sql".into();
    order_total.volatility = Some(Volatility::Stable);
    order_total.body =
        "\n  SELECT coalesce(sum(total), 0) FROM public.orders WHERE customer_id = customer\n"
            .into();
    order_total.comment = Some("sum of a customer's orders".into());

    let mut touch = Function::new(RoutineKind::Function, "touch");
    touch.returns = Some("trigger".into());
    touch.language = "plpgsql".into();
    touch.volatility = Some(Volatility::Volatile);
    touch.security_definer = true;
    touch.body = "\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n".into();

    let mut archive = Function::new(RoutineKind::Procedure, "archive_orders");
    archive.signature = "timestamp with time zone".into();
    archive.arguments = "before timestamp with time zone".into();
    archive.language = "plpgsql".into();
    archive.definition = Some(
        "CREATE OR REPLACE PROCEDURE public.archive_orders(IN before timestamp with time zone)\n LANGUAGE plpgsql\nAS $procedure$\nBEGIN\n  DELETE FROM public.orders WHERE updated_at < before;\nEND;\n$procedure$\n"
            .into(),
    );

    let mut trig = Trigger::new("orders_touch", "orders");
    trig.timing = TriggerTiming::Before;
    trig.events = vec![TriggerEvent::Update, TriggerEvent::Insert];
    trig.update_columns = vec!["status".into()];
    trig.condition = Some("new.status IS NOT NULL".into());
    trig.function = Some("public.touch()".into());
    trig.comment = Some("keeps updated_at".into());
    let mut stmt_trig = Trigger::new("events_truncate", "events");
    stmt_trig.timing = TriggerTiming::After;
    stmt_trig.events = vec![TriggerEvent::Truncate];
    stmt_trig.level = TriggerLevel::Statement;
    stmt_trig.function = Some("public.touch()".into());

    let public = Schema::new("public")
        .with_comment("standard public schema")
        .with_enum(EnumType::new("mood", ["sad", "ok", "happy"]))
        .with_sequence(order_no_seq)
        .with_table(customers)
        .with_table(orders)
        .with_table(events)
        .with_table(cache)
        .with_table(base_log)
        .with_table(child_log)
        .with_table(odd)
        .with_view(totals)
        .with_view(top)
        .with_view(open)
        .with_materialized_view(summary)
        .with_function(valid_email)
        .with_function(order_total)
        .with_function(touch)
        .with_function(archive)
        .with_trigger(trig)
        .with_trigger(stmt_trig);

    // A foreign-key cycle across two tables of another schema.
    let app = Schema::new("app")
        .with_comment("application internals")
        .with_table(
            Table::new("b")
                .with_column(Column::new("id", "integer").not_null())
                .with_column(Column::new("a_id", "integer"))
                .with_primary_key(PrimaryKey::new(Some("b_pkey"), ["id"]))
                .with_foreign_key(ForeignKey::new(
                    Some("b_a_fk"),
                    ["a_id"],
                    "app",
                    "a",
                    ["id"],
                )),
        )
        .with_table(
            Table::new("a")
                .with_column(Column::new("id", "integer").not_null())
                .with_column(Column::new("b_id", "integer"))
                .with_column(Column::new("customer_id", "bigint"))
                .with_primary_key(PrimaryKey::new(Some("a_pkey"), ["id"]))
                .with_foreign_key(
                    ForeignKey::new(Some("a_b_fk"), ["b_id"], "app", "b", ["id"])
                        .with_match(MatchType::Full)
                        .on_update(ReferentialAction::SetNull),
                )
                .with_foreign_key(ForeignKey::new(
                    Some("a_customer_fk"),
                    ["customer_id"],
                    "public",
                    "customers",
                    ["id"],
                )),
        );

    c.with_extension(trgm).with_schema(public).with_schema(app)
}

pub fn mysql() -> Catalog {
    let mut c = Catalog::new("shop", Dialect::Mysql);
    c.server = Some(ServerInfo {
        flavor: Flavor::Mariadb,
        version: "10.11.6-MariaDB".into(),
    });
    c.charset = Some("utf8mb4".into());
    c.collation = Some("utf8mb4_general_ci".into());
    let innodb = |ai: Option<u64>| {
        TableOptions::Mysql(MysqlTableOptions {
            engine: Some("InnoDB".into()),
            charset: Some("utf8mb4".into()),
            collation: Some("utf8mb4_general_ci".into()),
            row_format: Some("DYNAMIC".into()),
            auto_increment: ai,
        })
    };

    let customers = Table::new("customers")
        .with_column(
            Column::new("id", "bigint(20) unsigned")
                .not_null()
                .auto_increment(),
        )
        .with_column(
            Column::new("email", "varchar(255)")
                .not_null()
                .with_charset("utf8mb4")
                .with_collation("utf8mb4_bin"),
        )
        .with_column(
            Column::new("name", "varchar(100)")
                .with_default("NULL")
                .with_comment("display name, it's free text"),
        )
        .with_column(
            Column::new("status", "enum('new','active')")
                .not_null()
                .with_default("'new'"),
        )
        .with_column(
            Column::new("created", "timestamp")
                .not_null()
                .with_default("current_timestamp()")
                .with_on_update("current_timestamp()"),
        )
        .with_column(
            Column::new("email_domain", "varchar(255)").with_generated(Generated {
                expression: "substring_index(`email`,'@',-1)".into(),
                kind: GeneratedKind::Virtual,
            }),
        )
        .with_column(Column::new("bio", "text"))
        .with_primary_key(PrimaryKey::new(Some("PRIMARY"), ["id"]))
        .with_index(Index::new("customers_email").unique().on_columns(["email"]))
        .with_index(Index::new("name_prefix").with_part(IndexPart::column("name").prefix(10)))
        .with_index(
            Index::new("ft_bio")
                .with_method("fulltext")
                .on_columns(["bio"]),
        )
        .with_index(
            Index::new("created_desc")
                .with_part(IndexPart::column("created").desc())
                .with_comment("newest first"),
        )
        .with_check(Check::new(Some("chk_email"), "`email` <> ''"))
        .with_options(innodb(Some(1001)))
        .with_comment("People who order things.");

    let orders = Table::new("orders")
        .with_column(Column::new("id", "bigint(20)").not_null().auto_increment())
        .with_column(Column::new("customer_id", "bigint(20) unsigned").not_null())
        .with_column(
            Column::new("total", "decimal(10,2)")
                .not_null()
                .with_default("0.00"),
        )
        .with_column(Column::new("note", "varchar(50)").with_default("'a\\\\b'"))
        .with_primary_key(PrimaryKey::new(Some("PRIMARY"), ["id"]))
        .with_index(Index::new("orders_customer_fk").on_columns(["customer_id"]))
        // MariaDB, the server these fixtures are checked on, has no
        // expression indexes; a prefix index stands in.
        .with_index(
            Index::new("orders_note_prefix").with_part(IndexPart::column("note").prefix(5).desc()),
        )
        .with_foreign_key(
            ForeignKey::new(
                Some("orders_customer_fk"),
                ["customer_id"],
                "shop",
                "customers",
                ["id"],
            )
            .on_delete(ReferentialAction::Cascade)
            .on_update(ReferentialAction::Restrict),
        )
        .with_options(innodb(None));

    let mut p2024 = Partition::new("p2024", Some("VALUES LESS THAN (2025)"));
    p2024.partitioning = Some(Box::new(Partitioning {
        strategy: PartitionStrategy::Hash,
        key: "month(`at`)".into(),
        partitions: vec![
            Partition::new("p2024a", None),
            Partition::new("p2024b", None),
        ],
    }));
    let mut pmax = Partition::new("pmax", Some("VALUES LESS THAN MAXVALUE"));
    pmax.comment = Some("everything later".into());
    pmax.partitioning = Some(Box::new(Partitioning {
        strategy: PartitionStrategy::Hash,
        key: "month(`at`)".into(),
        partitions: vec![Partition::new("pmaxa", None), Partition::new("pmaxb", None)],
    }));
    let metrics = Table::new("metrics")
        .with_column(Column::new("id", "bigint(20)").not_null())
        .with_column(Column::new("at", "datetime").not_null())
        .with_column(Column::new("value", "double"))
        .with_primary_key(PrimaryKey::new(Some("PRIMARY"), ["id", "at"]))
        .with_options(innodb(None))
        // RANGE partitions keep their declared order: pmax stays last.
        .with_partitioning(Partitioning {
            strategy: PartitionStrategy::Range,
            key: "year(`at`)".into(),
            partitions: vec![p2024, pmax],
        });

    let places = Table::new("places")
        .with_column(Column::new("id", "int(11)").not_null())
        .with_column(Column::new("location", "point").not_null())
        .with_column(Column::new("code", "char(3)").not_null())
        .with_primary_key(PrimaryKey::new(Some("PRIMARY"), ["id"]))
        .with_index(
            Index::new("places_location")
                .with_method("spatial")
                .on_columns(["location"]),
        )
        .with_index(Index::new("places_code").unique().on_columns(["code"]))
        .with_options(innodb(None));
    // HASH indexes are real only in MEMORY tables.
    let lookup = Table::new("lookup")
        .with_column(Column::new("code", "char(3)").not_null())
        .with_index(
            Index::new("lookup_code")
                .with_method("hash")
                .unique()
                .on_columns(["code"]),
        )
        .with_options(TableOptions::Mysql(MysqlTableOptions {
            engine: Some("MEMORY".into()),
            ..Default::default()
        }));
    let odd = Table::new("select")
        .with_column(Column::new("a`b", "int(11)"))
        .with_column(Column::new("Mixed Case", "int(11)"))
        .with_options(innodb(None));

    let mut seq = Sequence::new("invoice_seq");
    seq.options = SequenceOptions {
        start: Some(1000),
        increment: Some(1),
        min_value: Some(1),
        max_value: Some(9223372036854775806),
        cache: Some(1000),
        cycle: false,
    };

    let mut totals = View::new(
        "order_totals",
        "select `o`.`customer_id` AS `customer_id`,sum(`o`.`total`) AS `total` from `orders` `o` group by `o`.`customer_id`",
    );
    totals.security = Some(ViewSecurity::Definer);
    let mut big = View::new(
        "a_big_spenders",
        "select `order_totals`.`customer_id` AS `customer_id` from `order_totals` where `order_totals`.`total` > 1000",
    );
    big.security = Some(ViewSecurity::Invoker);
    let mut cheap = View::new(
        "cheap_orders",
        "select `orders`.`id` AS `id`,`orders`.`total` AS `total` from `orders` where `orders`.`total` < 10",
    );
    cheap.check_option = Some(CheckOption::Cascaded);

    let mut count = Function::new(RoutineKind::Function, "order_count");
    count.arguments = "`cid` bigint".into();
    count.returns = Some("int(11)".into());
    count.language = "SQL".into();
    count.volatility = Some(Volatility::Stable);
    count.security_definer = true;
    count.comment = Some("orders of a customer".into());
    count.body = "BEGIN\n  DECLARE n INT;\n  SELECT COUNT(*) INTO n FROM orders WHERE customer_id = cid;\n  RETURN n;\nEND".into();
    let mut purge = Function::new(RoutineKind::Procedure, "purge_cheap");
    purge.language = "SQL".into();
    purge.security_definer = false;
    purge.body = "DELETE FROM orders WHERE total < 1".into();

    let mut t1 = Trigger::new("orders_bi", "orders");
    t1.events = vec![TriggerEvent::Insert];
    t1.body = Some("SET NEW.total = GREATEST(NEW.total, 0)".into());
    let mut t2 = Trigger::new("customers_au", "customers");
    t2.timing = TriggerTiming::After;
    t2.events = vec![TriggerEvent::Update];
    t2.body = Some("BEGIN\n  IF NEW.status <> OLD.status THEN\n    UPDATE orders SET note = 'status' WHERE customer_id = NEW.id;\n  END IF;\nEND".into());

    let shop = Schema::new("shop")
        .with_sequence(seq)
        .with_table(orders)
        .with_table(customers)
        .with_table(metrics)
        .with_table(places)
        .with_table(lookup)
        .with_table(odd)
        .with_view(totals)
        .with_view(big)
        .with_view(cheap)
        .with_function(count)
        .with_function(purge)
        .with_trigger(t1)
        .with_trigger(t2);
    c.with_schema(shop)
}

pub fn sqlite() -> Catalog {
    let mut c = Catalog::new("main", Dialect::Sqlite);
    c.server = Some(ServerInfo {
        flavor: Flavor::Sqlite,
        version: "3.40.1".into(),
    });
    c.charset = Some("UTF-8".into());
    let customers = Table::new("customers")
        .with_column(Column::new("id", "INTEGER").not_null().auto_increment())
        .with_column(
            Column::new("email", "TEXT")
                .not_null()
                .with_collation("NOCASE"),
        )
        .with_column(Column::new("name", "TEXT"))
        .with_column(Column::new("created_at", "TEXT").with_default("CURRENT_TIMESTAMP"))
        .with_column(
            Column::new("email_lower", "TEXT").with_generated(Generated {
                expression: "lower(email)".into(),
                kind: GeneratedKind::Virtual,
            }),
        )
        .with_primary_key(PrimaryKey::new(None, ["id"]))
        .with_unique(UniqueConstraint::new(None, ["email"]))
        .with_check(Check::new(None, "length(email) > 3"))
        .with_check(Check::new(Some("name_not_blank"), "name <> ''"));
    let orders = Table::new("orders")
        .with_column(Column::new("id", "INTEGER").not_null())
        .with_column(Column::new("customer_id", "INTEGER").not_null())
        .with_column(Column::new("total", "REAL").with_default("0"))
        .with_column(Column::new("note", "TEXT").with_default("'it''s'"))
        .with_primary_key(PrimaryKey::new(None, ["id"]))
        .with_foreign_key(
            ForeignKey::new(None, ["customer_id"], "main", "customers", ["id"])
                .on_delete(ReferentialAction::Cascade)
                .with_deferral(Deferral::InitiallyDeferred),
        )
        .with_index(
            Index::new("orders_big")
                .with_part(IndexPart::column("total").desc())
                .with_predicate("total > 100"),
        )
        .with_index(Index::new("orders_note_lower").with_part(IndexPart::expression("lower(note)")))
        .with_index(
            Index::new("orders_customer")
                .unique()
                .on_columns(["customer_id", "id"]),
        );
    let kv = Table::new("kv")
        .with_column(Column::new("key", "TEXT").not_null())
        .with_column(Column::new("value", "ANY"))
        .with_primary_key(PrimaryKey::new(None, ["key"]))
        .with_options(TableOptions::Sqlite(SqliteTableOptions {
            without_rowid: true,
            strict: true,
        }));
    let log = Table::new("log").with_column(Column::new("msg", "TEXT"));
    let cycle_a = Table::new("a")
        .with_column(Column::new("id", "INTEGER").not_null())
        .with_column(Column::new("b_id", "INTEGER"))
        .with_primary_key(PrimaryKey::new(None, ["id"]))
        .with_foreign_key(ForeignKey::new(
            Some("a_b_fk"),
            ["b_id"],
            "main",
            "b",
            ["id"],
        ));
    let cycle_b = Table::new("b")
        .with_column(Column::new("id", "INTEGER").not_null())
        .with_column(Column::new("a_id", "INTEGER"))
        .with_primary_key(PrimaryKey::new(None, ["id"]))
        .with_foreign_key(ForeignKey::new(
            None,
            ["a_id"],
            "main",
            "a",
            Vec::<String>::new(),
        ));
    let odd = Table::new("select")
        .with_column(Column::new("a\"b", "INTEGER"))
        .with_column(Column::new("Mixed Case", ""));

    let v_orders = View::new(
        "v_orders",
        "SELECT o.id, o.total, c.email FROM orders o JOIN customers c ON c.id = o.customer_id",
    );
    let mut top = View::new(
        "a_top",
        "SELECT email, total FROM v_orders WHERE total > 100",
    );
    top.columns = vec!["email".into(), "total".into()];

    let mut t = Trigger::new("customers_ai", "customers");
    t.timing = TriggerTiming::After;
    t.events = vec![TriggerEvent::Insert];
    t.body =
        Some("BEGIN\n  INSERT INTO log (msg) VALUES ('new customer ' || NEW.email);\nEND".into());
    let mut t2 = Trigger::new("v_orders_insert", "v_orders");
    t2.timing = TriggerTiming::InsteadOf;
    t2.events = vec![TriggerEvent::Insert];
    t2.condition = Some("NEW.total > 0".into());
    t2.body =
        Some("INSERT INTO orders (id, customer_id, total) VALUES (NEW.id, 1, NEW.total)".into());

    let main = Schema::new("main")
        .with_table(orders)
        .with_table(customers)
        .with_table(kv)
        .with_table(log)
        .with_table(cycle_b)
        .with_table(cycle_a)
        .with_table(odd)
        .with_view(v_orders)
        .with_view(top)
        .with_trigger(t)
        .with_trigger(t2);
    c.with_schema(main)
}

/// Reverses every collection of the catalog, columns included (their
/// positions are kept), as a catalog read in another order would be.
pub fn scrambled(mut c: Catalog) -> Catalog {
    c.extensions.reverse();
    c.schemas.reverse();
    for s in &mut c.schemas {
        s.tables.reverse();
        s.views.reverse();
        s.materialized_views.reverse();
        s.sequences.reverse();
        s.enums.reverse();
        s.functions.reverse();
        s.triggers.reverse();
        for t in &mut s.tables {
            t.columns.reverse();
            t.indexes.reverse();
            t.uniques.reverse();
            t.checks.reverse();
            t.foreign_keys.reverse();
            if let Some(p) = &mut t.partitioning
                && c.dialect == Dialect::Postgres
            {
                p.partitions.reverse();
            }
        }
        for t in &mut s.triggers {
            t.events.reverse();
        }
        for m in &mut s.materialized_views {
            m.indexes.reverse();
        }
    }
    c
}
