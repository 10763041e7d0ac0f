-- Drift detection. Each schema sync compares the live schema of a database
-- with the one Sluice expects (the schema after its latest DONE BASELINE
-- or MIGRATE changelog entry) and keeps the outcome here, one row per
-- database: what differs as Changes (JSON) and as DDL, and since when.
-- No row means the database was never compared (no changelog entry yet).
CREATE TABLE db_drift (
    db_id                 BIGINT PRIMARY KEY REFERENCES db (id),
    status                TEXT   NOT NULL CHECK (status IN ('IN_SYNC', 'DRIFTED')),
    expected_changelog_id BIGINT REFERENCES changelog (id),
    changes               TEXT   NOT NULL DEFAULT '[]',
    ddl                   TEXT   NOT NULL DEFAULT '',
    detected_at           BIGINT,
    checked_at            BIGINT NOT NULL
);
CREATE INDEX db_drift_status ON db_drift (status);

-- A database's timeline: drift detected, resolved, accepted as baseline.
CREATE TABLE db_event (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    db_id        BIGINT  NOT NULL REFERENCES db (id),
    principal_id BIGINT  NOT NULL REFERENCES principal (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('DRIFT_DETECTED', 'DRIFT_RESOLVED', 'DRIFT_ACCEPTED')),
    summary      TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL
);
CREATE INDEX db_event_db ON db_event (db_id, id);
