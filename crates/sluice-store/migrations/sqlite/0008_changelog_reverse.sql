-- Reverse migrations. When a schema change is DONE, Sluice plans the way
-- back (the schema after the change → the schema before it) and keeps the
-- plan with the changelog entry: the script, the hazards it carries (a
-- JSON array of names such as "DELETES_DATA") and the plan as JSON. When no
-- reverse could be made, `statement` is empty and `note` says why.
CREATE TABLE changelog_reverse (
    changelog_id BIGINT NOT NULL PRIMARY KEY REFERENCES changelog (id),
    statement    TEXT   NOT NULL DEFAULT '',
    hazards      TEXT   NOT NULL DEFAULT '[]',
    plan         TEXT   NOT NULL DEFAULT '',
    note         TEXT   NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
