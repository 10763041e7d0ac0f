//! The catalog queries of SQLite inspection. `sqlite_schema` is read once;
//! the pragmas are joined to it as table-valued functions, so each kind of
//! fact (columns, indexes, index keys, foreign keys) is one query for all
//! tables, never one per table.
//!
//! Internal `sqlite_%` objects and Sluice's own `sluice_history` table
//! (with anything on it) are left out by every query.

/// The library version that reads the file.
pub const VERSION: &str = "SELECT sqlite_version()";

/// The text encoding of the database (`UTF-8`, `UTF-16le`, `UTF-16be`).
pub const ENCODING: &str = "SELECT encoding FROM pragma_encoding";

/// Every table, index, view and trigger with its `CREATE` text (NULL for
/// indexes SQLite makes itself for UNIQUE and PRIMARY KEY constraints).
pub const SCHEMA: &str = "\
SELECT type, name, tbl_name, sql
FROM sqlite_schema
WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  AND tbl_name <> 'sluice_history'
ORDER BY type, name";

/// Columns of every table, hidden and generated ones included
/// (`table_xinfo`; `hidden` is 2 for VIRTUAL and 3 for STORED generated
/// columns). `pk` is the column's position in the primary key, 0 if none.
pub const COLUMNS: &str = "\
SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden
FROM sqlite_schema m
JOIN pragma_table_xinfo(m.name) p
WHERE m.type = 'table'
  AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  AND m.name <> 'sluice_history'
ORDER BY m.name, p.cid";

/// Indexes of every table. `origin` is `c` for `CREATE INDEX`, `u` for a
/// UNIQUE constraint, `pk` for the primary key.
pub const INDEXES: &str = "\
SELECT m.name, il.name, il.\"unique\", il.origin, il.partial
FROM sqlite_schema m
JOIN pragma_index_list(m.name) il
WHERE m.type = 'table'
  AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  AND m.name <> 'sluice_history'
ORDER BY m.name, il.name";

/// Key parts of every index in order (`key = 1` leaves out the trailing
/// rowid or primary-key columns every index carries). `cid` is -2 for an
/// expression, whose text only the index's `sql` has.
pub const INDEX_COLUMNS: &str = "\
SELECT m.name, il.name, ix.seqno, ix.cid, ix.name, ix.\"desc\", ix.coll
FROM sqlite_schema m
JOIN pragma_index_list(m.name) il
JOIN pragma_index_xinfo(il.name) ix
WHERE m.type = 'table'
  AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  AND m.name <> 'sluice_history'
  AND ix.key = 1
ORDER BY m.name, il.name, ix.seqno";

/// Foreign keys of every table, one row per column pair, grouped by `id`.
/// `to` is NULL when the reference names no columns (the parent's primary
/// key is meant).
pub const FOREIGN_KEYS: &str = "\
SELECT m.name, fk.id, fk.seq, fk.\"table\", fk.\"from\", fk.\"to\",
       fk.on_update, fk.on_delete, fk.\"match\"
FROM sqlite_schema m
JOIN pragma_foreign_key_list(m.name) fk
WHERE m.type = 'table'
  AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  AND m.name <> 'sluice_history'
ORDER BY m.name, fk.id, fk.seq";
