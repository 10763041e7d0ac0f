-- Rollout policy. An environment's approval and rollout policy lives in its
-- `policy` column as JSON ('{}' until someone sets one: the defaults then
-- follow `protected`). A project may let creators approve their own issues.
-- A task remembers who asked for it to run (1, the system bot, for an
-- automatic start) so that its run is attributed to them.
ALTER TABLE project ADD COLUMN allow_self_approval BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE task ADD COLUMN run_requested_by BIGINT REFERENCES principal (id);
