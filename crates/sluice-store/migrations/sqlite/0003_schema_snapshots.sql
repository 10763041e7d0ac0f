-- The last inspected schema of each database: the neutral model as JSON and
-- its DDL dump. One row per database, replaced at each sync.
CREATE TABLE db_schema (
    db_id     BIGINT PRIMARY KEY REFERENCES db (id),
    catalog   TEXT   NOT NULL,
    ddl       TEXT   NOT NULL,
    synced_at BIGINT NOT NULL
);
-- The error of the last schema sync of a database (empty when it succeeded).
ALTER TABLE db ADD COLUMN sync_error TEXT NOT NULL DEFAULT '';
-- How often the background sync visits an instance, in seconds.
ALTER TABLE instance ADD COLUMN sync_interval_secs BIGINT NOT NULL DEFAULT 600;
