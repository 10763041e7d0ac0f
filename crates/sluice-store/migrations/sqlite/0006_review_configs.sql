-- SQL review configs. A review config is a named SQL review policy (the
-- JSON document `sluice_lint::Policy::from_json` reads). An environment or a
-- project may name one; the environment's wins, and with neither the
-- default follows the environment's `protected` flag. A config in use
-- cannot be deleted (the foreign keys refuse it too).
-- A workspace Owner or DBA may override a task's blocking check with a
-- reason, recorded on the task until its SQL changes.
CREATE TABLE review_config (
    id         TEXT   PRIMARY KEY,
    title      TEXT   NOT NULL,
    policy     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
ALTER TABLE environment ADD COLUMN review_config_id TEXT REFERENCES review_config (id);
ALTER TABLE project ADD COLUMN review_config_id TEXT REFERENCES review_config (id);
ALTER TABLE task ADD COLUMN checks_overridden_by BIGINT REFERENCES principal (id);
ALTER TABLE task ADD COLUMN checks_override_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE task ADD COLUMN checks_overridden_at BIGINT;

-- A new timeline entry, CHECKS_OVERRIDDEN. SQLite cannot change a CHECK
-- constraint in place: the table is rebuilt with the same rows and ids.
CREATE TABLE issue_activity_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id     BIGINT  NOT NULL REFERENCES issue (id),
    principal_id BIGINT  NOT NULL REFERENCES principal (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('CREATED', 'UPDATED', 'CHECKS_DONE', 'APPROVAL_REQUESTED',
                         'APPROVED', 'REJECTED', 'APPROVAL_WITHDRAWN', 'STAGE_STARTED', 'TASK_STARTED',
                         'TASK_FAILED', 'TASK_DONE', 'TASK_SKIPPED', 'TASK_CANCELED', 'DONE', 'CANCELED',
                         'REOPENED', 'COMMENTED', 'CHECKS_OVERRIDDEN')),
    payload      TEXT    NOT NULL DEFAULT '{}',
    created_at   BIGINT  NOT NULL
);
INSERT INTO issue_activity_new (id, issue_id, principal_id, kind, payload, created_at)
    SELECT id, issue_id, principal_id, kind, payload, created_at FROM issue_activity;
DROP TABLE issue_activity;
ALTER TABLE issue_activity_new RENAME TO issue_activity;
CREATE INDEX issue_activity_issue ON issue_activity (issue_id);
