-- Issues and their rollout: issue, subscribers, comments and activity;
-- pipeline (one per issue), stages (one per environment), tasks (one per
-- target database, or per instance for CREATE_DATABASE), task runs (one per
-- attempt), plan check runs; and the changelog of every database.
-- Statuses follow the state machines of DESIGN.md section 4; the store moves
-- them only by compare-and-set.

CREATE TABLE issue (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id      TEXT    NOT NULL REFERENCES project (id),
    -- Handed out as MAX + 1 inside the creating transaction.
    number          BIGINT  NOT NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    type            TEXT    NOT NULL CHECK (type IN ('CREATE_DATABASE', 'SCHEMA_CHANGE', 'DATA_CHANGE')),
    status          TEXT    NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'DONE', 'CANCELED')),
    risk            TEXT    NOT NULL DEFAULT 'LOW' CHECK (risk IN ('LOW', 'MODERATE', 'HIGH')),
    creator_id      BIGINT  NOT NULL REFERENCES principal (id),
    assignee_id     BIGINT  REFERENCES principal (id),
    approval_status TEXT    NOT NULL DEFAULT 'NOT_REQUIRED'
                    CHECK (approval_status IN ('NOT_REQUIRED', 'PENDING', 'APPROVED', 'REJECTED')),
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (project_id, number)
);
CREATE INDEX issue_creator ON issue (creator_id);

CREATE TABLE issue_subscriber (
    issue_id     BIGINT NOT NULL REFERENCES issue (id),
    principal_id BIGINT NOT NULL REFERENCES principal (id),
    PRIMARY KEY (issue_id, principal_id)
);

CREATE TABLE issue_comment (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id     BIGINT  NOT NULL REFERENCES issue (id),
    principal_id BIGINT  NOT NULL REFERENCES principal (id),
    body         TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);
CREATE INDEX issue_comment_issue ON issue_comment (issue_id);

-- The timeline of an issue, each entry by a principal (1 = the system bot).
CREATE TABLE issue_activity (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id     BIGINT  NOT NULL REFERENCES issue (id),
    principal_id BIGINT  NOT NULL REFERENCES principal (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('CREATED', 'UPDATED', 'CHECKS_DONE', 'APPROVAL_REQUESTED',
                         'APPROVED', 'REJECTED', 'APPROVAL_WITHDRAWN', 'STAGE_STARTED', 'TASK_STARTED',
                         'TASK_FAILED', 'TASK_DONE', 'TASK_SKIPPED', 'TASK_CANCELED', 'DONE', 'CANCELED',
                         'REOPENED', 'COMMENTED')),
    payload      TEXT    NOT NULL DEFAULT '{}',
    created_at   BIGINT  NOT NULL
);
CREATE INDEX issue_activity_issue ON issue_activity (issue_id);

CREATE TABLE pipeline (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    issue_id   BIGINT  NOT NULL UNIQUE REFERENCES issue (id),
    created_at BIGINT  NOT NULL
);

CREATE TABLE stage (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline_id    BIGINT  NOT NULL REFERENCES pipeline (id),
    environment_id TEXT    NOT NULL REFERENCES environment (id),
    position       BIGINT  NOT NULL,
    UNIQUE (pipeline_id, position),
    UNIQUE (pipeline_id, environment_id)
);

CREATE TABLE task (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline_id      BIGINT  NOT NULL REFERENCES pipeline (id),
    stage_id         BIGINT  NOT NULL REFERENCES stage (id),
    -- NULL for CREATE_DATABASE, whose database does not exist yet.
    db_id            BIGINT  REFERENCES db (id),
    instance_id      TEXT    NOT NULL REFERENCES instance (id),
    type             TEXT    NOT NULL CHECK (type IN ('CREATE_DATABASE', 'SCHEMA_CHANGE', 'DATA_CHANGE')),
    statement        TEXT    NOT NULL,
    version          TEXT    NOT NULL DEFAULT '',
    -- Type-specific options as JSON (for CREATE_DATABASE: name, owner, ...).
    payload          TEXT    NOT NULL DEFAULT '{}',
    status           TEXT    NOT NULL DEFAULT 'NOT_STARTED'
                     CHECK (status IN ('NOT_STARTED', 'PENDING', 'RUNNING', 'DONE', 'FAILED', 'CANCELED', 'SKIPPED')),
    skip_reason      TEXT    NOT NULL DEFAULT '',
    -- The worker running the task and until when its claim holds.
    claimed_by       TEXT,
    lease_expires_at BIGINT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX task_pipeline ON task (pipeline_id);
CREATE INDEX task_status ON task (status);
CREATE INDEX task_db ON task (db_id);
-- At most one task runs on a database at a time, whichever issue it
-- belongs to: a second claim fails here, atomically on both backends.
CREATE UNIQUE INDEX task_one_running_per_db ON task (db_id) WHERE status = 'RUNNING';

CREATE TABLE task_run (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    BIGINT  NOT NULL REFERENCES task (id),
    attempt    BIGINT  NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'DONE', 'FAILED', 'CANCELED')),
    -- Who started it: a user, or the system bot (1) for automatic starts.
    creator_id BIGINT  NOT NULL REFERENCES principal (id),
    started_at BIGINT,
    ended_at   BIGINT,
    result     TEXT    NOT NULL DEFAULT '',
    -- Statement-level log as a JSON array.
    log        TEXT    NOT NULL DEFAULT '[]',
    created_at BIGINT  NOT NULL,
    UNIQUE (task_id, attempt)
);

-- The latest result of each kind of check on a task.
CREATE TABLE plan_check_run (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    BIGINT  NOT NULL REFERENCES task (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('SYNTAX', 'STATEMENT_TYPE', 'RISK', 'DRY_RUN', 'SQL_REVIEW')),
    status     TEXT    NOT NULL CHECK (status IN ('RUNNING', 'DONE', 'FAILED')),
    -- The worst level among the results, so blocking needs no JSON parsing.
    level      TEXT    NOT NULL DEFAULT 'SUCCESS' CHECK (level IN ('SUCCESS', 'WARNING', 'ERROR')),
    results    TEXT    NOT NULL DEFAULT '[]',
    created_at BIGINT  NOT NULL,
    UNIQUE (task_id, kind)
);

CREATE TABLE changelog (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    db_id         BIGINT  NOT NULL REFERENCES db (id),
    version       TEXT    NOT NULL,
    type          TEXT    NOT NULL CHECK (type IN ('BASELINE', 'MIGRATE', 'DATA')),
    statement     TEXT    NOT NULL,
    checksum      TEXT    NOT NULL,
    schema_before TEXT    NOT NULL DEFAULT '',
    schema_after  TEXT    NOT NULL DEFAULT '',
    issue_id      BIGINT  REFERENCES issue (id),
    task_run_id   BIGINT  REFERENCES task_run (id),
    creator_id    BIGINT  NOT NULL REFERENCES principal (id),
    status        TEXT    NOT NULL CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    duration_ms   BIGINT  NOT NULL DEFAULT 0,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX changelog_db_version ON changelog (db_id, version);
