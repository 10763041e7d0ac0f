-- The foundation of the metadata store: workspace, principals and roles,
-- sessions and tokens, environments, instances and data sources, projects
-- and members, databases, audit log. Timestamps are Unix milliseconds (UTC);
-- enumerations are upper-case TEXT checked here; JSON is TEXT.

CREATE TABLE workspace (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    name        TEXT    NOT NULL,
    signup_open BOOLEAN NOT NULL DEFAULT FALSE,
    settings    TEXT    NOT NULL DEFAULT '{}',
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
INSERT INTO workspace (id, name, created_at, updated_at)
VALUES (1, 'Sluice', CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));

CREATE TABLE principal (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL CHECK (kind IN ('END_USER', 'SERVICE_ACCOUNT', 'SYSTEM_BOT')),
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
-- Principal 1 is the system bot: it signs automatic actions and has no
-- password, so it can never log in.
INSERT INTO principal (id, kind, email, name, password_hash, active, created_at, updated_at)
VALUES (1, 'SYSTEM_BOT', 'sluice-bot@sluice.local', 'Sluice', NULL, TRUE,
        CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));

CREATE TABLE workspace_role_binding (
    principal_id INTEGER PRIMARY KEY REFERENCES principal (id),
    role         TEXT    NOT NULL CHECK (role IN ('OWNER', 'DBA', 'DEVELOPER'))
);
INSERT INTO workspace_role_binding (principal_id, role) VALUES (1, 'OWNER');

-- Login sessions and API tokens; only a SHA-256 of the token is kept.
CREATE TABLE auth_token (
    token_hash   TEXT    PRIMARY KEY,
    principal_id INTEGER NOT NULL REFERENCES principal (id),
    kind         TEXT    NOT NULL CHECK (kind IN ('SESSION', 'SERVICE_ACCOUNT')),
    csrf_token   TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT
);
CREATE INDEX auth_token_principal ON auth_token (principal_id);

CREATE TABLE environment (
    id         TEXT    PRIMARY KEY,
    title      TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    protected  BOOLEAN NOT NULL DEFAULT FALSE,
    -- Rollout, approval and SQL review policies arrive with the pipeline.
    policy     TEXT    NOT NULL DEFAULT '{}',
    archived   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE instance (
    id             TEXT    PRIMARY KEY,
    title          TEXT    NOT NULL,
    engine         TEXT    NOT NULL CHECK (engine IN ('POSTGRES', 'MYSQL', 'MARIADB', 'SQLITE')),
    environment_id TEXT    NOT NULL REFERENCES environment (id),
    engine_version TEXT    NOT NULL DEFAULT '',
    options        TEXT    NOT NULL DEFAULT '{}',
    archived       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);

-- How Sluice reaches an instance: ADMIN for changes and sync, READ_ONLY for
-- queries. The password is sealed by the server's secret key.
CREATE TABLE data_source (
    instance_id     TEXT    NOT NULL REFERENCES instance (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('ADMIN', 'READ_ONLY')),
    host            TEXT    NOT NULL DEFAULT '',
    port            INTEGER NOT NULL DEFAULT 0,
    username        TEXT    NOT NULL DEFAULT '',
    password_sealed TEXT    NOT NULL DEFAULT '',
    database_name   TEXT    NOT NULL DEFAULT '',
    tls_mode        TEXT    NOT NULL DEFAULT 'PREFER' CHECK (tls_mode IN ('DISABLE', 'PREFER', 'REQUIRE')),
    PRIMARY KEY (instance_id, kind)
);

CREATE TABLE project (
    id         TEXT    PRIMARY KEY,
    title      TEXT    NOT NULL,
    key        TEXT    NOT NULL UNIQUE,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    archived   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
-- The default project holds databases not yet assigned to a team.
INSERT INTO project (id, title, key, is_default, created_at, updated_at)
VALUES ('default', 'Default project', 'DEFAULT', TRUE,
        CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));

CREATE TABLE project_member (
    project_id   TEXT    NOT NULL REFERENCES project (id),
    principal_id INTEGER NOT NULL REFERENCES principal (id),
    role         TEXT    NOT NULL CHECK (role IN ('OWNER', 'DEVELOPER')),
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (project_id, principal_id)
);
CREATE INDEX project_member_principal ON project_member (principal_id);

CREATE TABLE db (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id TEXT    NOT NULL REFERENCES instance (id),
    name        TEXT    NOT NULL,
    project_id  TEXT    NOT NULL REFERENCES project (id),
    labels      TEXT    NOT NULL DEFAULT '{}',
    sync_state  TEXT    NOT NULL DEFAULT 'OK' CHECK (sync_state IN ('OK', 'NOT_FOUND')),
    synced_at   BIGINT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    UNIQUE (instance_id, name)
);
CREATE INDEX db_project ON db (project_id);

-- Issues, pipelines, stages, tasks and task runs get their own migration,
-- referencing project (id) and db (id).

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    principal_id INTEGER NOT NULL REFERENCES principal (id),
    action       TEXT    NOT NULL,
    resource     TEXT    NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('SUCCESS', 'DENIED', 'FAILED')),
    detail       TEXT    NOT NULL DEFAULT '{}',
    created_at   BIGINT  NOT NULL
);
CREATE INDEX audit_log_created ON audit_log (created_at);
