//! The changelog of each database: every change applied to it, with its
//! version, statement, checksum and the schema before and after, and for a
//! schema change the reverse plan kept beside it.

use crate::backend::{Tx, query};
use crate::{
    Changelog, ChangelogStatus, NewChangelog, Page, PageRequest, Store, StoreError, StoreResult,
    now_ms,
};

macro_rules! select_changelog {
    ($rest:literal) => {
        concat!(
            "SELECT id, db_id, version, type, statement, checksum, schema_before, schema_after, issue_id, \
             task_run_id, creator_id, status, duration_ms, created_at FROM changelog ",
            $rest
        )
    };
}

impl Store {
    pub async fn append_changelog(&self, new: &NewChangelog) -> StoreResult<Changelog> {
        let mut tx = self.begin().await?;
        let id = insert_changelog(&mut tx, new).await?;
        tx.commit().await?;
        self.changelog(id).await
    }

    pub async fn changelog(&self, id: i64) -> StoreResult<Changelog> {
        const SQL: &str = select_changelog!("WHERE id = $1");
        query!(pool self => |db| sqlx::query_as::<_, Changelog>(SQL).bind(id).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("changelog {id}")))
    }

    /// End a PENDING entry (engines whose DDL commits implicitly record the
    /// change before running it) with its status, schema after and
    /// duration; false when it was no longer PENDING.
    pub async fn finish_changelog(
        &self,
        id: i64,
        status: ChangelogStatus,
        schema_after: &str,
        duration_ms: i64,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE changelog SET status = $1, schema_after = $2, duration_ms = $3 \
             WHERE id = $4 AND status = 'PENDING'";
        match status {
            ChangelogStatus::Done | ChangelogStatus::Failed => {}
            ChangelogStatus::Pending => {
                return Err(StoreError::FailedPrecondition(
                    "a changelog entry ends DONE or FAILED".into(),
                ));
            }
        }
        let n = query!(pool self => |db| sqlx::query(SQL).bind(status.as_str()).bind(schema_after).bind(duration_ms)
            .bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// A database's changelog, newest first.
    pub async fn list_changelogs(
        &self,
        db_id: i64,
        page: PageRequest,
    ) -> StoreResult<Page<Changelog>> {
        const SQL: &str = select_changelog!("WHERE db_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3");
        let rows = query!(pool self => |db| sqlx::query_as::<_, Changelog>(SQL).bind(db_id)
            .bind(page.fetch_limit()).bind(page.offset).fetch_all(db).await)?;
        Ok(page.page(rows))
    }

    /// The entry a task run wrote, if it wrote one.
    pub async fn changelog_of_run(&self, task_run_id: i64) -> StoreResult<Option<Changelog>> {
        const SQL: &str = select_changelog!("WHERE task_run_id = $1 ORDER BY id DESC LIMIT 1");
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, Changelog>(SQL).bind(task_run_id)
            .fetch_optional(db).await)?,
        )
    }

    /// The newest DONE entry that changed or recorded the database's schema
    /// (MIGRATE or BASELINE): what a schema rollback must be the undoing of.
    pub async fn latest_schema_changelog(&self, db_id: i64) -> StoreResult<Option<Changelog>> {
        const SQL: &str = select_changelog!(
            "WHERE db_id = $1 AND status = 'DONE' AND type IN ('MIGRATE', 'BASELINE') \
             ORDER BY id DESC LIMIT 1"
        );
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, Changelog>(SQL).bind(db_id)
            .fetch_optional(db).await)?,
        )
    }

    /// Keep the reverse plan of an entry, replacing any kept before.
    pub async fn set_changelog_reverse(&self, reverse: &ChangelogReverse) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO changelog_reverse (changelog_id, statement, hazards, plan, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (changelog_id) DO UPDATE SET \
             statement = excluded.statement, hazards = excluded.hazards, plan = excluded.plan, \
             note = excluded.note, created_at = excluded.created_at";
        query!(pool self => |db| sqlx::query(SQL).bind(reverse.changelog_id).bind(&reverse.statement)
            .bind(&reverse.hazards).bind(&reverse.plan).bind(&reverse.note).bind(now_ms())
            .execute(db).await.map(|_| ()))?;
        Ok(())
    }

    /// The reverse plan kept with an entry; None when none was computed
    /// (not a schema change, or recorded before reverses were kept).
    pub async fn changelog_reverse(
        &self,
        changelog_id: i64,
    ) -> StoreResult<Option<ChangelogReverse>> {
        const SQL: &str = "SELECT changelog_id, statement, hazards, plan, note, created_at \
             FROM changelog_reverse WHERE changelog_id = $1";
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, ChangelogReverse>(SQL).bind(changelog_id)
            .fetch_optional(db).await)?,
        )
    }

    /// The entry that applied `version` to the database (status DONE), if
    /// any: a task carrying an applied version is refused with it named.
    pub async fn applied_version(
        &self,
        db_id: i64,
        version: &str,
    ) -> StoreResult<Option<Changelog>> {
        const SQL: &str = select_changelog!(
            "WHERE db_id = $1 AND version = $2 AND status = 'DONE' ORDER BY id DESC LIMIT 1"
        );
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, Changelog>(SQL).bind(db_id).bind(version).fetch_optional(db).await)?,
        )
    }
}

/// The way back from a schema change: the plan from the schema after it to
/// the schema before it, as Sluice computed it when the change was DONE.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ChangelogReverse {
    pub changelog_id: i64,
    /// The script that undoes the change; empty when there is none.
    pub statement: String,
    /// The hazards of the script, a JSON array of names ("DELETES_DATA").
    pub hazards: String,
    /// The reverse plan (its changes and steps) as JSON; empty without one.
    pub plan: String,
    /// Why there is no script, when there is none.
    pub note: String,
    /// When it was computed (Unix ms); set by the store.
    pub created_at: i64,
}

pub(crate) async fn insert_changelog(tx: &mut Tx, new: &NewChangelog) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO changelog (db_id, version, type, statement, checksum, schema_before, \
         schema_after, issue_id, task_run_id, creator_id, status, duration_ms, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
    let now = now_ms();
    query!(tx tx => |db| sqlx::query_scalar(SQL).bind(new.db_id).bind(&new.version)
        .bind(new.changelog_type.as_str()).bind(&new.statement).bind(&new.checksum).bind(&new.schema_before)
        .bind(&new.schema_after).bind(new.issue_id).bind(new.task_run_id).bind(new.creator_id)
        .bind(new.status.as_str()).bind(new.duration_ms).bind(now).fetch_one(db).await)
    .map_err(StoreError::on_conflict(format!("changelog of database {}", new.db_id)))
}
