//! Drift: the outcome of comparing each database's live schema with the
//! schema Sluice expects of it, and the database's timeline of drift
//! detected, resolved and accepted.
//!
//! The comparison itself happens in sluice-app; the store keeps its result
//! and decides, in one transaction, how it moves the database's drift
//! state, so two syncs racing on one database cannot both announce it.

use crate::backend::{Tx, query};
use crate::changelog::insert_changelog;
use crate::{Changelog, NewChangelog, Page, PageRequest, Store, StoreResult, now_ms};
use serde::{Deserialize, Serialize};

text_enum!(
    /// Whether the live schema matched the expected one at the last check.
    DriftStatus { InSync = "IN_SYNC", Drifted = "DRIFTED" }
);
text_enum!(
    /// An entry of a database's timeline.
    DbEventKind { DriftDetected = "DRIFT_DETECTED", DriftResolved = "DRIFT_RESOLVED", DriftAccepted = "DRIFT_ACCEPTED" }
);

/// The last drift check of a database.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DriftRecord {
    pub db_id: i64,
    #[sqlx(try_from = "String")]
    pub status: DriftStatus,
    /// The changelog entry whose schema was expected.
    pub expected_changelog_id: Option<i64>,
    /// Its version, when it still exists.
    pub expected_version: Option<String>,
    /// What differs, as a JSON array of Changes (expected → live).
    pub changes: String,
    /// The DDL that turns the expected schema into the live one.
    pub ddl: String,
    /// When the drift now recorded was first seen (DRIFTED only).
    pub detected_at: Option<i64>,
    pub checked_at: i64,
}

/// What a check found different; `None` in [`Store::record_drift_check`]
/// means nothing.
#[derive(Debug, Clone)]
pub struct DriftFound {
    pub changes: String,
    pub ddl: String,
    /// One line for the timeline.
    pub summary: String,
}

/// How a check moved a database's drift state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftTransition {
    /// Drift appeared, or became a different drift.
    Detected,
    /// The same drift as before: its detection time stands.
    Unchanged,
    /// The drift is gone.
    Resolved,
    /// In sync before and after.
    InSync,
    /// Sluice recorded a newer expected schema meanwhile: nothing kept.
    Outdated,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DbEvent {
    pub id: i64,
    pub db_id: i64,
    pub principal_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: DbEventKind,
    pub summary: String,
    pub created_at: i64,
}

/// A drifted database, for the metrics page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DriftedDatabase {
    pub instance_id: String,
    pub name: String,
    pub detected_at: Option<i64>,
}

const SELECT_DRIFT: &str = "SELECT f.db_id, f.status, f.expected_changelog_id, c.version AS expected_version, \
     f.changes, f.ddl, f.detected_at, f.checked_at FROM db_drift f \
     LEFT JOIN changelog c ON c.id = f.expected_changelog_id WHERE f.db_id = $1";

/// The changelog entry whose schema after is what Sluice expects.
macro_rules! where_expected_entry {
    () => {
        "WHERE db_id = $1 AND status = 'DONE' AND type IN ('BASELINE', 'MIGRATE') ORDER BY id DESC LIMIT 1"
    };
}

impl Store {
    /// The database's last drift check, if it was ever checked.
    pub async fn drift(&self, db_id: i64) -> StoreResult<Option<DriftRecord>> {
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, DriftRecord>(SELECT_DRIFT).bind(db_id).fetch_optional(db).await)?,
        )
    }

    /// The entry whose schema after the database is expected to have: its
    /// latest DONE BASELINE or MIGRATE (DATA changes leave the schema).
    pub async fn expected_schema_entry(&self, db_id: i64) -> StoreResult<Option<Changelog>> {
        const SQL: &str = concat!(
            "SELECT id, db_id, version, type, statement, checksum, schema_before, schema_after, issue_id, \
             task_run_id, creator_id, status, duration_ms, created_at FROM changelog ",
            where_expected_entry!()
        );
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, Changelog>(SQL).bind(db_id).fetch_optional(db).await)?,
        )
    }

    /// The id of [`Store::expected_schema_entry`], without reading schemas.
    pub async fn expected_schema_entry_id(&self, db_id: i64) -> StoreResult<Option<i64>> {
        const SQL: &str = concat!("SELECT id FROM changelog ", where_expected_entry!());
        Ok(
            query!(pool self => |db| sqlx::query_scalar::<_, i64>(SQL).bind(db_id).fetch_optional(db).await)?,
        )
    }

    /// Whether a task is changing the database right now.
    pub async fn database_task_running(&self, db_id: i64) -> StoreResult<bool> {
        const SQL: &str = "SELECT COUNT(*) FROM task WHERE db_id = $1 AND status = 'RUNNING'";
        let n: i64 =
            query!(pool self => |db| sqlx::query_scalar(SQL).bind(db_id).fetch_one(db).await)?;
        Ok(n > 0)
    }

    /// Keep the outcome of a drift check against `expected_changelog_id`:
    /// drift that is new or different gets a new detection time and a
    /// DRIFT_DETECTED entry; the same drift keeps its time; no drift after
    /// drift gets a DRIFT_RESOLVED entry. `principal_id` signs the entries.
    /// A check against an entry that is no longer the expected one (a
    /// change or an accept landed meanwhile) keeps nothing.
    pub async fn record_drift_check(
        &self,
        db_id: i64,
        expected_changelog_id: i64,
        found: Option<&DriftFound>,
        principal_id: i64,
    ) -> StoreResult<DriftTransition> {
        const PRIOR: &str = "SELECT status, changes FROM db_drift WHERE db_id = $1";
        const KEEP: &str = "UPDATE db_drift SET expected_changelog_id = $1, ddl = $2, checked_at = $3 WHERE db_id = $4";
        let now = now_ms();
        let mut tx = self.begin().await?;
        lock_drift_row(&mut tx, db_id, now).await?;
        const EXPECTED: &str = concat!("SELECT id FROM changelog ", where_expected_entry!());
        let expected: Option<i64> = query!(tx &mut tx => |db| sqlx::query_scalar(EXPECTED).bind(db_id)
            .fetch_optional(db).await)?;
        if expected != Some(expected_changelog_id) {
            return Ok(DriftTransition::Outdated);
        }
        let (status, changes): (String, String) =
            query!(tx &mut tx => |db| sqlx::query_as(PRIOR).bind(db_id).fetch_one(db).await)?;
        let was_drifted = status == DriftStatus::Drifted.as_str();
        let transition = match found {
            Some(f) if was_drifted && f.changes == changes => {
                query!(tx &mut tx => |db| sqlx::query(KEEP).bind(expected_changelog_id).bind(&f.ddl).bind(now)
                    .bind(db_id).execute(db).await.map(|r| r.rows_affected()))?;
                DriftTransition::Unchanged
            }
            Some(f) => {
                let state = DriftState::drifted(expected_changelog_id, f, now);
                state.write(&mut tx, db_id).await?;
                insert_event(
                    &mut tx,
                    db_id,
                    principal_id,
                    DbEventKind::DriftDetected,
                    &f.summary,
                )
                .await?;
                DriftTransition::Detected
            }
            None => {
                DriftState::in_sync(expected_changelog_id, now)
                    .write(&mut tx, db_id)
                    .await?;
                if was_drifted {
                    let summary = "the live schema matches the expected schema";
                    insert_event(
                        &mut tx,
                        db_id,
                        principal_id,
                        DbEventKind::DriftResolved,
                        summary,
                    )
                    .await?;
                    DriftTransition::Resolved
                } else {
                    DriftTransition::InSync
                }
            }
        };
        tx.commit().await?;
        Ok(transition)
    }

    /// Accept the live schema: append `baseline` (a BASELINE entry whose
    /// schema after is the live schema), expect it from now on, and put a
    /// DRIFT_ACCEPTED entry on the timeline, all at once.
    pub async fn accept_drift(
        &self,
        baseline: &NewChangelog,
        summary: &str,
    ) -> StoreResult<Changelog> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let id = insert_changelog(&mut tx, baseline).await?;
        lock_drift_row(&mut tx, baseline.db_id, now).await?;
        DriftState::in_sync(id, now)
            .write(&mut tx, baseline.db_id)
            .await?;
        insert_event(
            &mut tx,
            baseline.db_id,
            baseline.creator_id,
            DbEventKind::DriftAccepted,
            summary,
        )
        .await?;
        tx.commit().await?;
        self.changelog(id).await
    }

    /// A database's timeline, newest first.
    pub async fn list_db_events(
        &self,
        db_id: i64,
        page: PageRequest,
    ) -> StoreResult<Page<DbEvent>> {
        const SQL: &str = "SELECT id, db_id, principal_id, kind, summary, created_at FROM db_event \
             WHERE db_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3";
        let rows = query!(pool self => |db| sqlx::query_as::<_, DbEvent>(SQL).bind(db_id)
            .bind(page.fetch_limit()).bind(page.offset).fetch_all(db).await)?;
        Ok(page.page(rows))
    }

    /// Drifted databases of active instances, by instance and name.
    pub async fn list_drifted_databases(&self) -> StoreResult<Vec<DriftedDatabase>> {
        const SQL: &str = "SELECT d.instance_id, d.name, f.detected_at FROM db_drift f \
             JOIN db d ON d.id = f.db_id JOIN instance i ON i.id = d.instance_id \
             WHERE f.status = 'DRIFTED' AND NOT i.archived ORDER BY d.instance_id, d.name";
        Ok(query!(pool self => |db| sqlx::query_as::<_, DriftedDatabase>(SQL).fetch_all(db).await)?)
    }
}

/// Make sure the database has a drift row and hold it until the
/// transaction ends (on PostgreSQL the upsert locks it; SQLite already
/// holds the write lock), so racing checks take turns.
async fn lock_drift_row(tx: &mut Tx, db_id: i64, now: i64) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO db_drift (db_id, status, checked_at) VALUES ($1, 'IN_SYNC', $2) \
         ON CONFLICT (db_id) DO UPDATE SET checked_at = db_drift.checked_at";
    query!(tx tx => |db| sqlx::query(SQL).bind(db_id).bind(now).execute(db).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A whole drift row, as written.
struct DriftState<'a> {
    status: DriftStatus,
    expected_changelog_id: i64,
    changes: &'a str,
    ddl: &'a str,
    detected_at: Option<i64>,
    checked_at: i64,
}

impl<'a> DriftState<'a> {
    fn drifted(expected_changelog_id: i64, found: &'a DriftFound, now: i64) -> DriftState<'a> {
        DriftState {
            status: DriftStatus::Drifted,
            expected_changelog_id,
            changes: &found.changes,
            ddl: &found.ddl,
            detected_at: Some(now),
            checked_at: now,
        }
    }

    fn in_sync(expected_changelog_id: i64, now: i64) -> DriftState<'static> {
        DriftState {
            status: DriftStatus::InSync,
            expected_changelog_id,
            changes: "[]",
            ddl: "",
            detected_at: None,
            checked_at: now,
        }
    }

    async fn write(&self, tx: &mut Tx, db_id: i64) -> StoreResult<()> {
        const SQL: &str = "UPDATE db_drift SET status = $1, expected_changelog_id = $2, changes = $3, ddl = $4, \
             detected_at = $5, checked_at = $6 WHERE db_id = $7";
        query!(tx tx => |db| sqlx::query(SQL).bind(self.status.as_str()).bind(self.expected_changelog_id)
            .bind(self.changes).bind(self.ddl).bind(self.detected_at).bind(self.checked_at).bind(db_id)
            .execute(db).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

async fn insert_event(
    tx: &mut Tx,
    db_id: i64,
    principal_id: i64,
    kind: DbEventKind,
    summary: &str,
) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO db_event (db_id, principal_id, kind, summary, created_at) VALUES ($1, $2, $3, $4, $5)";
    query!(tx tx => |db| sqlx::query(SQL).bind(db_id).bind(principal_id).bind(kind.as_str()).bind(summary)
        .bind(now_ms()).execute(db).await.map(|r| r.rows_affected()))?;
    Ok(())
}
