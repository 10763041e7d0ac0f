-- Sync state of an instance: when it was last synced and the last error.
ALTER TABLE instance ADD COLUMN synced_at BIGINT;
ALTER TABLE instance ADD COLUMN sync_error TEXT NOT NULL DEFAULT '';
