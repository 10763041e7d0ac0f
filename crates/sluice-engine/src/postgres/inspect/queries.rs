//! The pg_catalog queries of PostgreSQL inspection: one bulk query per
//! object kind for all user schemas at once, never one per table.
//!
//! They read pg_catalog rather than information_schema: the standard views
//! join through privilege checks and name-based keys and take minutes on
//! thousands of tables (foreign keys on a 2,000-table database took 90 s),
//! while the same facts from pg_catalog, joined on oids, take milliseconds.
//! Object ids are cast to `int8` and names to `text` so rows decode into
//! plain Rust types. Every query runs in one REPEATABLE READ transaction
//! after [`SESSION`], so all of them see one snapshot and print names and
//! constants the same way whatever the database's own settings are.
//!
//! User schemas are all but `pg_catalog`, `information_schema`, the TOAST
//! and temporary schemas, and `sluice`, which holds Sluice's own history
//! table. Objects that belong to an extension (a `pg_depend` row of type
//! `e`) are left out: `CREATE EXTENSION` makes them.

/// The condition on `n.nspname` that selects user schemas.
macro_rules! user_schema {
    () => {
        "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'sluice') \
         AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'"
    };
}

/// The condition that the object `$oid` of catalog `$catalog` is not a
/// member of an extension.
macro_rules! not_in_extension {
    ($catalog:literal, $oid:literal) => {
        concat!(
            "NOT EXISTS (SELECT FROM pg_depend x WHERE x.classid = '",
            $catalog,
            "'::regclass AND x.objid = ",
            $oid,
            " AND x.deptype = 'e')"
        )
    };
}

/// A `LEFT JOIN` of the comment on `$oid` (an object of `$catalog`) as `d`.
macro_rules! comment_join {
    ($catalog:literal, $oid:literal) => {
        concat!(
            " LEFT JOIN pg_description d ON d.objoid = ",
            $oid,
            " AND d.classoid = '",
            $catalog,
            "'::regclass AND d.objsubid = 0 "
        )
    };
}

/// Transaction-local settings that make the deparsing functions print the
/// same text on every server and database, as `pg_dump` does: an empty
/// search path qualifies every name outside `pg_catalog`; fixed time zone,
/// date and interval styles print constants (partition bounds, defaults)
/// alike. `$1` is the statement timeout in milliseconds.
pub const SESSION: &str = "SELECT set_config('search_path', '', true), \
     set_config('statement_timeout', $1, true), \
     set_config('TimeZone', 'UTC', true), \
     set_config('DateStyle', 'ISO, MDY', true), \
     set_config('IntervalStyle', 'postgres', true), \
     set_config('extra_float_digits', '3', true)";

/// A read-only transaction that sees one consistent snapshot of the catalog.
pub const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// How many tables, views, sequences and indexes the user schemas hold:
/// decides whether one connection or three read the catalog.
pub const USER_RELATIONS: &str = "SELECT count(*) FROM pg_catalog.pg_class c \
     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
     AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'";

/// The snapshot id that the other connections of one inspection import.
pub const EXPORT_SNAPSHOT: &str = "SELECT pg_export_snapshot()";

/// The database itself: server version (checked before anything else),
/// encoding, collation and comment.
pub const DATABASE: &str = "SELECT current_setting('server_version_num')::int4 AS version_num, \
     current_setting('server_version') AS version, \
     d.datname::text AS name, \
     pg_encoding_to_char(d.encoding)::text AS encoding, \
     d.datcollate::text AS collation, \
     shobj_description(d.oid, 'pg_database') AS comment \
     FROM pg_database d WHERE d.datname = current_database()";

/// User schemas with their comments.
pub const SCHEMAS: &str = concat!(
    "SELECT n.oid::int8 AS oid, n.nspname::text AS name, d.description AS comment \
     FROM pg_namespace n",
    comment_join!("pg_namespace", "n.oid"),
    "WHERE ",
    user_schema!(),
    " AND ",
    not_in_extension!("pg_namespace", "n.oid")
);

/// Installed extensions (all of them, `plpgsql` included: rendering uses
/// `CREATE EXTENSION IF NOT EXISTS`).
pub const EXTENSIONS: &str = concat!(
    "SELECT e.extname::text AS name, n.nspname::text AS schema, e.extversion AS version, \
     d.description AS comment \
     FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace",
    comment_join!("pg_extension", "e.oid")
);

/// Ordinary and partitioned tables, partitions included (they are folded
/// into their parent's partitioning): persistence, storage parameters,
/// tablespace, row security, partition key and bound, parents in
/// `INHERITS` order (a partition's one parent is its partitioned table).
pub const TABLES: &str = concat!(
    "SELECT c.oid::int8 AS oid, c.relnamespace::int8 AS schema_oid, c.relname::text AS name, \
     c.relpersistence::text AS persistence, c.relispartition AS is_partition, \
     c.relrowsecurity AS row_security, \
     coalesce(c.reloptions, '{}')::text[] AS storage_parameters, \
     t.spcname::text AS tablespace, \
     p.partstrat::text AS partition_strategy, \
     CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key, \
     pg_get_expr(c.relpartbound, c.oid) AS partition_bound, \
     ARRAY(SELECT i.inhparent::int8 FROM pg_inherits i \
           WHERE i.inhrelid = c.oid ORDER BY i.inhseqno) AS parents, \
     d.description AS comment \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace \
     LEFT JOIN pg_partitioned_table p ON p.partrelid = c.oid",
    comment_join!("pg_class", "c.oid"),
    "WHERE c.relkind IN ('r', 'p') AND ",
    user_schema!(),
    " AND ",
    not_in_extension!("pg_class", "c.oid")
);

/// Columns of tables (not of partitions, which share their parent's):
/// type as `format_type` prints it, default or generation expression,
/// identity, collation when it is not the type's own, comment. A default
/// cannot name columns, so it is printed without its table (relation 0),
/// which spares opening every table: a third of this query's time on
/// 2,000 tables. Generation expressions do name columns and need it.
pub const COLUMNS: &str = concat!(
    "SELECT a.attrelid::int8 AS table_oid, a.attnum AS position, a.attname::text AS name, \
     format_type(a.atttypid, a.atttypmod) AS data_type, a.attnotnull AS not_null, \
     pg_get_expr(ad.adbin, CASE WHEN a.attgenerated = '' THEN 0 ELSE ad.adrelid END) \
         AS default_expr, \
     a.attidentity::text AS identity, a.attgenerated::text AS generated, \
     CASE WHEN a.attcollation <> ty.typcollation THEN \
         CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname::text \
              ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END \
     END AS collation, \
     d.description AS comment \
     FROM pg_attribute a \
     JOIN pg_class c ON c.oid = a.attrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     JOIN pg_type ty ON ty.oid = a.atttypid \
     LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
     LEFT JOIN pg_collation co ON co.oid = a.attcollation \
     LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace \
     LEFT JOIN pg_description d ON d.objoid = a.attrelid \
         AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum \
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition \
     AND a.attnum > 0 AND NOT a.attisdropped AND ",
    user_schema!(),
    " AND ",
    not_in_extension!("pg_class", "c.oid")
);

/// Sequences with their parameters and owner: `i` for an identity
/// column's own sequence (it goes to the column), `a` for `OWNED BY`.
pub const SEQUENCES: &str = concat!(
    "SELECT c.relnamespace::int8 AS schema_oid, c.relname::text AS name, \
     format_type(s.seqtypid, NULL) AS data_type, \
     s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value, \
     s.seqmax AS max_value, s.seqcache AS cache, s.seqcycle AS cycle, \
     o.deptype::text AS owner_kind, o.refobjid::int8 AS owner_table_oid, \
     oc.relname::text AS owner_table, a.attname::text AS owner_column, \
     d.description AS comment \
     FROM pg_sequence s \
     JOIN pg_class c ON c.oid = s.seqrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_depend o ON o.classid = 'pg_class'::regclass AND o.objid = c.oid \
         AND o.refclassid = 'pg_class'::regclass AND o.refobjsubid > 0 \
         AND o.deptype IN ('a', 'i') \
     LEFT JOIN pg_class oc ON oc.oid = o.refobjid \
     LEFT JOIN pg_attribute a ON a.attrelid = o.refobjid AND a.attnum = o.refobjsubid",
    comment_join!("pg_class", "c.oid"),
    "WHERE ",
    user_schema!(),
    " AND ",
    not_in_extension!("pg_class", "c.oid")
);

/// Primary keys, unique, check and foreign key constraints of tables, with
/// column names in key order (one index scan per key, which costs less
/// than unnesting and joining); the definition is read for checks (their
/// expression) and unique constraints (`NULLS NOT DISTINCT`). Constraints
/// inherited from a parent table (`NOT conislocal`) or cloned onto
/// partitions and partitions of a referenced table (`conparentid <> 0`)
/// are the parent's, not repeated.
pub const CONSTRAINTS: &str = concat!(
    "SELECT k.conrelid::int8 AS table_oid, k.conname::text AS name, k.contype::text AS kind, \
     k.condeferrable AS deferrable, k.condeferred AS deferred, k.connoinherit AS no_inherit, \
     ARRAY(SELECT a.attname::text FROM pg_attribute a \
           WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey) \
           ORDER BY array_position(k.conkey, a.attnum)) AS columns, \
     fn.nspname::text AS ref_schema, fc.relname::text AS ref_table, \
     ARRAY(SELECT a.attname::text FROM pg_attribute a \
           WHERE a.attrelid = k.confrelid AND a.attnum = ANY (k.confkey) \
           ORDER BY array_position(k.confkey, a.attnum)) AS ref_columns, \
     k.confupdtype::text AS on_update, k.confdeltype::text AS on_delete, \
     k.confmatchtype::text AS match_type, \
     CASE WHEN k.contype IN ('c', 'u') THEN pg_get_constraintdef(k.oid) END AS definition, \
     d.description AS comment \
     FROM pg_constraint k \
     JOIN pg_class c ON c.oid = k.conrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_class fc ON fc.oid = k.confrelid \
     LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace",
    comment_join!("pg_constraint", "k.oid"),
    "WHERE k.contype IN ('p', 'u', 'c', 'f') AND k.conislocal AND k.conparentid = 0 \
     AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND ",
    user_schema!(),
    " AND ",
    not_in_extension!("pg_class", "c.oid")
);

/// The index query for a server, given how it reads
/// `indnullsnotdistinct` (PostgreSQL 15 and newer) or `false` before.
macro_rules! index_keys {
    ($nulls_not_distinct:literal) => {
        concat!(
            "SELECT i.indexrelid::int8 AS oid, i.indrelid::int8 AS table_oid, \
             ic.relname::text AS name, i.indisunique AS is_unique, am.amname::text AS method, \
             pg_indexam_has_property(am.oid, 'can_order') AS can_order, \
             i.indnkeyatts::int4 AS key_count, k.ord::int4 AS position, \
             a.attname::text AS column_name, \
             CASE WHEN k.attnum = 0 \
                  THEN pg_get_indexdef(i.indexrelid, k.ord::int4, true) END AS expression, \
             coalesce(k.option, 0)::int4 AS option, \
             CASE WHEN oc.opcdefault THEN NULL \
                  WHEN ocn.nspname = 'pg_catalog' THEN quote_ident(oc.opcname) \
                  ELSE quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname) END \
                 AS opclass, \
             CASE WHEN cn.nspname = 'pg_catalog' THEN co.collname::text \
                  ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END \
                 AS collation, \
             CASE WHEN k.ord = 1 THEN pg_get_expr(i.indpred, i.indrelid) END AS predicate, ",
            $nulls_not_distinct,
            " AS nulls_not_distinct, d.description AS comment \
             FROM pg_index i \
             JOIN pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_class c ON c.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_am am ON am.oid = ic.relam \
             CROSS JOIN LATERAL unnest(i.indkey::int2[], i.indoption::int2[], \
                 i.indclass::oid[], i.indcollation::oid[]) \
                 WITH ORDINALITY AS k(attnum, option, opclass, coll, ord) \
             LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
             LEFT JOIN pg_opclass oc ON oc.oid = k.opclass \
             LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace \
             LEFT JOIN pg_collation co ON co.oid = k.coll AND k.coll <> a.attcollation \
             LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace",
            comment_join!("pg_class", "ic.oid"),
            "WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition AND ",
            user_schema!(),
            " AND ",
            not_in_extension!("pg_class", "c.oid"),
            " AND NOT EXISTS (SELECT FROM pg_constraint x WHERE x.conindid = i.indexrelid \
             AND x.contype IN ('p', 'u', 'x'))"
        )
    };
}

/// Indexes of tables and materialized views, one row per key part, except
/// those that back a primary key, unique or exclusion constraint (the model
/// holds those as constraints). The four per-key vectors of `pg_index` are
/// unnested side by side: the column (none for an expression, whose text
/// comes from `pg_get_indexdef(oid, n, true)`), `indoption` (bit 1 DESC,
/// bit 2 NULLS FIRST), the operator class unless it is the default, the
/// collation unless it is the column's. Parts past `indnkeyatts` are
/// `INCLUDE` columns. Flat joins rather than per-index subqueries: on 4,000
/// indexes, subqueries cost several times more.
pub const INDEXES: &str = index_keys!("i.indnullsnotdistinct");

/// [`INDEXES`] before PostgreSQL 15, which has no `NULLS NOT DISTINCT`.
pub const INDEXES_BEFORE_15: &str = index_keys!("false");

/// Views and materialized views: the query as `pg_get_viewdef` prints it,
/// options (`check_option`, `security_invoker`), whether a materialized
/// view is populated, its tablespace.
pub const VIEWS: &str = concat!(
    "SELECT c.oid::int8 AS oid, c.relnamespace::int8 AS schema_oid, c.relname::text AS name, \
     c.relkind::text AS kind, pg_get_viewdef(c.oid) AS definition, \
     coalesce(c.reloptions, '{}')::text[] AS options, c.relispopulated AS populated, \
     t.spcname::text AS tablespace, d.description AS comment \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     LEFT JOIN pg_tablespace t ON t.oid = c.reltablespace",
    comment_join!("pg_class", "c.oid"),
    "WHERE c.relkind IN ('v', 'm') AND ",
    user_schema!(),
    " AND ",
    not_in_extension!("pg_class", "c.oid")
);

/// Enum types with their labels in sort order (`enumsortorder`, which
/// `ALTER TYPE ... ADD VALUE BEFORE` keeps right; oids do not).
pub const ENUMS: &str = concat!(
    "SELECT t.typnamespace::int8 AS schema_oid, t.typname::text AS name, \
     ARRAY(SELECT e.enumlabel::text FROM pg_enum e \
           WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels, \
     d.description AS comment \
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace",
    comment_join!("pg_type", "t.oid"),
    "WHERE t.typtype = 'e' AND ",
    user_schema!(),
    " AND ",
    not_in_extension!("pg_type", "t.oid")
);

/// Functions and procedures (not aggregates or window functions): the full
/// `CREATE` text from `pg_get_functiondef`, signature, arguments, result,
/// language, body, volatility, security.
pub const FUNCTIONS: &str = concat!(
    "SELECT p.pronamespace::int8 AS schema_oid, p.proname::text AS name, p.prokind::text AS kind, \
     pg_get_function_identity_arguments(p.oid) AS signature, \
     pg_get_function_arguments(p.oid) AS arguments, \
     CASE WHEN p.prokind = 'f' THEN pg_get_function_result(p.oid) END AS returns, \
     l.lanname::text AS language, p.prosrc AS body, p.provolatile::text AS volatility, \
     p.prosecdef AS security_definer, pg_get_functiondef(p.oid) AS definition, \
     d.description AS comment \
     FROM pg_proc p \
     JOIN pg_namespace n ON n.oid = p.pronamespace \
     JOIN pg_language l ON l.oid = p.prolang",
    comment_join!("pg_proc", "p.oid"),
    "WHERE p.prokind IN ('f', 'p') AND ",
    user_schema!(),
    " AND ",
    not_in_extension!("pg_proc", "p.oid")
);

/// User triggers on tables and views: `tgtype` bits, `UPDATE OF` columns
/// and the full text from `pg_get_triggerdef`. Internal triggers (foreign
/// key enforcement) and the clones a partitioned table's trigger makes on
/// its partitions (a `pg_depend` row of type `P`) are left out.
pub const TRIGGERS: &str = concat!(
    "SELECT t.tgrelid::int8 AS table_oid, t.tgname::text AS name, t.tgtype::int4 AS type_bits, \
     ARRAY(SELECT a.attname::text FROM unnest(t.tgattr::int2[]) u(attnum) \
           JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = u.attnum) \
         AS update_columns, \
     pg_get_triggerdef(t.oid) AS definition, \
     d.description AS comment \
     FROM pg_trigger t \
     JOIN pg_class c ON c.oid = t.tgrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace",
    comment_join!("pg_trigger", "t.oid"),
    "WHERE NOT t.tgisinternal AND ",
    user_schema!(),
    " AND ",
    not_in_extension!("pg_class", "c.oid"),
    " AND NOT EXISTS (SELECT FROM pg_depend p WHERE p.classid = 'pg_trigger'::regclass \
     AND p.objid = t.oid AND p.deptype = 'P')"
);
