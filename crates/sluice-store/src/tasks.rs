//! Tasks and their runs. Every status change is a compare-and-set on the
//! prior status (DESIGN.md section 4): the state machine in the model says
//! whether a move is allowed at all, and the `WHERE status = …` of the
//! UPDATE says whether it still applies, so of two racing movers exactly
//! one wins and the other learns it lost (`false`).
//!
//! Running is claimed, not moved to: a claim sets the worker and a lease
//! expiry with the status, so two workers never run one task. A worker
//! renews its lease while it runs and releases the task with its outcome;
//! a RUNNING task whose lease expired may be taken over by another worker,
//! which must resolve it from the target's history before anything runs.
//! Lease times are read from the claiming server's clock. A partial unique
//! index keeps at most one task RUNNING per database, across issues and
//! servers; `finish_task` writes the outcome, the run and the changelog
//! entry together, and only while the worker still holds the claim.

use crate::backend::query;
use crate::changelog::insert_changelog;
use crate::pipelines::select_task;
use crate::{
    Claim, Store, StoreError, StoreResult, Task, TaskOutcome, TaskRun, TaskRunStatus, TaskStatus,
    now_ms,
};
use std::time::Duration;

macro_rules! select_run {
    ($rest:literal) => {
        concat!(
            "SELECT id, task_id, attempt, status, creator_id, started_at, ended_at, result, log, created_at \
             FROM task_run ",
            $rest
        )
    };
}

fn lease_ms(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX / 2)
}

impl Store {
    pub async fn task(&self, id: i64) -> StoreResult<Task> {
        const SQL: &str = select_task!("WHERE t.id = $1");
        query!(pool self => |db| sqlx::query_as::<_, Task>(SQL).bind(id).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("task {id}")))
    }

    /// Tasks of open issues in a status, oldest first, at most `limit`
    /// (the runner's queue).
    pub async fn list_tasks_with_status(
        &self,
        status: TaskStatus,
        limit: i64,
    ) -> StoreResult<Vec<Task>> {
        const SQL: &str = select_task!(
            "WHERE t.status = $1 AND EXISTS (SELECT 1 FROM issue i WHERE i.id = p.issue_id AND i.status = 'OPEN') \
             ORDER BY t.id LIMIT $2"
        );
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, Task>(SQL).bind(status.as_str()).bind(limit).fetch_all(db).await)?,
        )
    }

    /// How many tasks of an issue are neither DONE nor SKIPPED.
    pub async fn count_unfinished_tasks(&self, issue_id: i64) -> StoreResult<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM task t JOIN pipeline p ON p.id = t.pipeline_id \
             WHERE p.issue_id = $1 AND t.status NOT IN ('DONE', 'SKIPPED')";
        Ok(query!(pool self => |db| sqlx::query_scalar(SQL).bind(issue_id).fetch_one(db).await)?)
    }

    /// RUNNING tasks whose lease expired before `now` (a crashed worker's).
    pub async fn list_expired_tasks(&self, now: i64) -> StoreResult<Vec<Task>> {
        const SQL: &str =
            select_task!("WHERE t.status = 'RUNNING' AND t.lease_expires_at < $1 ORDER BY t.id");
        Ok(query!(pool self => |db| sqlx::query_as::<_, Task>(SQL).bind(now).fetch_all(db).await)?)
    }

    /// Move a task from `from` to `to` by compare-and-set: true when it
    /// moved, false when its status was no longer `from`. Refused before
    /// the store is touched when the state machine forbids the move, and
    /// for RUNNING, which only `claim_task` enters. Leaving RUNNING (a user
    /// cancels) drops the claim, so the worker's `release_task` then fails.
    pub async fn move_task(&self, id: i64, from: TaskStatus, to: TaskStatus) -> StoreResult<bool> {
        self.move_task_with_reason(id, from, to, "").await
    }

    /// Queue a task to run (NOT_STARTED, FAILED or CANCELED → PENDING by
    /// compare-and-set), remembering who asked: a user, or 1 for the
    /// system bot's automatic start.
    pub async fn queue_task(
        &self,
        id: i64,
        from: TaskStatus,
        requested_by: i64,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE task SET status = 'PENDING', run_requested_by = $1, skip_reason = '', \
             updated_at = $2 WHERE id = $3 AND status = $4";
        if !from.can_move_to(TaskStatus::Pending) {
            return Err(StoreError::FailedPrecondition(format!(
                "a task cannot move from {from} to PENDING"
            )));
        }
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(requested_by).bind(now).bind(id)
            .bind(from.as_str()).execute(db).await.map(|r| r.rows_affected()))
        .map_err(StoreError::on_conflict(format!("principal {requested_by}")))?;
        Ok(n == 1)
    }

    /// Skip a task with a reason (a compare-and-set from `from`).
    pub async fn skip_task(&self, id: i64, from: TaskStatus, reason: &str) -> StoreResult<bool> {
        self.move_task_with_reason(id, from, TaskStatus::Skipped, reason)
            .await
    }

    async fn move_task_with_reason(
        &self,
        id: i64,
        from: TaskStatus,
        to: TaskStatus,
        reason: &str,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE task SET status = $1, skip_reason = $2, claimed_by = NULL, lease_expires_at = NULL, \
             updated_at = $3 WHERE id = $4 AND status = $5";
        if !from.can_move_to(to) {
            return Err(StoreError::FailedPrecondition(format!(
                "a task cannot move from {from} to {to}"
            )));
        }
        if to == TaskStatus::Running {
            return Err(StoreError::FailedPrecondition(
                "a task becomes RUNNING only by a worker's claim".into(),
            ));
        }
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(to.as_str()).bind(reason).bind(now).bind(id)
            .bind(from.as_str()).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Claim a task for `worker` until `lease` from now: a PENDING task
    /// starts RUNNING (`Claim::Started`); a RUNNING task whose lease has
    /// expired changes hands (`Claim::TakenOver`); a PENDING task whose
    /// database already has a RUNNING task stays PENDING (`Claim::Busy`,
    /// enforced by a partial unique index); otherwise `Claim::Lost`. Each
    /// step is one conditional UPDATE, so of racing claims one wins.
    pub async fn claim_task(&self, id: i64, worker: &str, lease: Duration) -> StoreResult<Claim> {
        const START: &str = "UPDATE task SET status = 'RUNNING', claimed_by = $1, lease_expires_at = $2, \
             updated_at = $3 WHERE id = $4 AND status = 'PENDING'";
        const TAKE_OVER: &str = "UPDATE task SET claimed_by = $1, lease_expires_at = $2, updated_at = $3 \
             WHERE id = $4 AND status = 'RUNNING' AND lease_expires_at < $3";
        let now = now_ms();
        let until = now.saturating_add(lease_ms(lease));
        let started = query!(pool self => |db| sqlx::query(START).bind(worker).bind(until).bind(now).bind(id)
            .execute(db).await.map(|r| r.rows_affected()));
        let started = match started {
            Ok(n) => n,
            // task_one_running_per_db: another task runs on this database.
            Err(err)
                if err
                    .as_database_error()
                    .is_some_and(|e| e.is_unique_violation()) =>
            {
                return Ok(Claim::Busy);
            }
            Err(err) => return Err(err.into()),
        };
        if started == 1 {
            return Ok(Claim::Started);
        }
        let taken = query!(pool self => |db| sqlx::query(TAKE_OVER).bind(worker).bind(until).bind(now).bind(id)
            .execute(db).await.map(|r| r.rows_affected()))?;
        Ok(if taken == 1 {
            Claim::TakenOver
        } else {
            Claim::Lost
        })
    }

    /// Extend `worker`'s lease on a RUNNING task; false when the worker no
    /// longer holds it (taken over, or canceled).
    pub async fn renew_lease(&self, id: i64, worker: &str, lease: Duration) -> StoreResult<bool> {
        const SQL: &str = "UPDATE task SET lease_expires_at = $1, updated_at = $2 \
             WHERE id = $3 AND status = 'RUNNING' AND claimed_by = $4";
        let now = now_ms();
        let until = now.saturating_add(lease_ms(lease));
        let n = query!(pool self => |db| sqlx::query(SQL).bind(until).bind(now).bind(id).bind(worker)
            .execute(db).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// End `worker`'s claim with the task's outcome (DONE, FAILED or
    /// CANCELED); false when the worker no longer holds it.
    pub async fn release_task(&self, id: i64, worker: &str, to: TaskStatus) -> StoreResult<bool> {
        const SQL: &str = "UPDATE task SET status = $1, claimed_by = NULL, lease_expires_at = NULL, updated_at = $2 \
             WHERE id = $3 AND status = 'RUNNING' AND claimed_by = $4";
        if !TaskStatus::Running.can_move_to(to) {
            return Err(StoreError::FailedPrecondition(format!(
                "a running task cannot end {to}"
            )));
        }
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(to.as_str()).bind(now).bind(id).bind(worker)
            .execute(db).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Replace a task's statement and version while it is in `from` (a
    /// status in which it is not running and not finished); false when its
    /// status was no longer `from`. An override of its checks is cleared:
    /// it was given for the old SQL.
    pub async fn update_task_statement(
        &self,
        id: i64,
        from: TaskStatus,
        statement: &str,
        version: &str,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE task SET statement = $1, version = $2, updated_at = $3, \
             checks_overridden_by = NULL, checks_override_reason = '', checks_overridden_at = NULL \
             WHERE id = $4 AND status = $5";
        match from {
            TaskStatus::NotStarted
            | TaskStatus::Pending
            | TaskStatus::Failed
            | TaskStatus::Canceled => {}
            TaskStatus::Running | TaskStatus::Done | TaskStatus::Skipped => {
                return Err(StoreError::FailedPrecondition(format!(
                    "the statement of a {from} task cannot change"
                )));
            }
        }
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(statement).bind(version).bind(now).bind(id)
            .bind(from.as_str()).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// End a task as its claim holder, in one transaction: the task moves
    /// from RUNNING to the outcome, its run from RUNNING to the same word,
    /// and the changelog entry (if any) is appended. False, with nothing
    /// written, when the worker no longer holds the task or the run has
    /// already ended: another worker or a user got there first.
    pub async fn finish_task(&self, outcome: &TaskOutcome) -> StoreResult<bool> {
        const TASK: &str = "UPDATE task SET status = $1, claimed_by = NULL, lease_expires_at = NULL, \
             updated_at = $2 WHERE id = $3 AND status = 'RUNNING' AND claimed_by = $4";
        const RUN: &str = "UPDATE task_run SET status = $1, result = $2, log = $3, ended_at = $4 \
             WHERE id = $5 AND task_id = $6 AND status = 'RUNNING'";
        let run_status = match outcome.status {
            TaskStatus::Done => TaskRunStatus::Done,
            TaskStatus::Failed => TaskRunStatus::Failed,
            TaskStatus::Canceled => TaskRunStatus::Canceled,
            TaskStatus::NotStarted
            | TaskStatus::Pending
            | TaskStatus::Running
            | TaskStatus::Skipped => {
                return Err(StoreError::FailedPrecondition(format!(
                    "a running task cannot end {}",
                    outcome.status
                )));
            }
        };
        let now = now_ms();
        let log = outcome.log.to_string();
        let mut tx = self.begin().await?;
        let moved = query!(tx &mut tx => |db| sqlx::query(TASK).bind(outcome.status.as_str()).bind(now)
            .bind(outcome.task_id).bind(&outcome.worker).execute(db).await.map(|r| r.rows_affected()))?;
        if moved == 0 {
            return Ok(false); // dropping the transaction rolls it back
        }
        let ended = query!(tx &mut tx => |db| sqlx::query(RUN).bind(run_status.as_str()).bind(&outcome.result)
            .bind(&log).bind(now).bind(outcome.run_id).bind(outcome.task_id).execute(db).await.map(|r| r.rows_affected()))?;
        if ended == 0 {
            return Ok(false);
        }
        if let Some(entry) = &outcome.changelog {
            insert_changelog(&mut tx, entry).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Start a run of a task: attempt is the task's highest plus one, read
    /// under a lock on the task row; the run starts RUNNING, now.
    pub async fn start_task_run(&self, task_id: i64, creator_id: i64) -> StoreResult<TaskRun> {
        const LOCK: &str = "UPDATE task SET updated_at = updated_at WHERE id = $1";
        const ATTEMPT: &str =
            "SELECT COALESCE(MAX(attempt), 0) + 1 FROM task_run WHERE task_id = $1";
        const INSERT: &str = "INSERT INTO task_run (task_id, attempt, status, creator_id, started_at, created_at) \
             VALUES ($1, $2, 'RUNNING', $3, $4, $4) RETURNING id";
        let now = now_ms();
        let mut tx = self.begin().await?;
        let n = query!(tx &mut tx => |db| sqlx::query(LOCK).bind(task_id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("task {task_id}")));
        }
        let attempt: i64 = query!(tx &mut tx => |db| sqlx::query_scalar(ATTEMPT).bind(task_id).fetch_one(db).await)?;
        let id: i64 =
            query!(tx &mut tx => |db| sqlx::query_scalar(INSERT).bind(task_id).bind(attempt)
            .bind(creator_id).bind(now).fetch_one(db).await)
            .map_err(StoreError::on_conflict(format!(
                "run {attempt} of task {task_id}"
            )))?;
        tx.commit().await?;
        self.task_run(id).await
    }

    /// Replace the statement-level log of a RUNNING run as it grows; false
    /// when the run has ended.
    pub async fn set_task_run_log(&self, id: i64, log: &serde_json::Value) -> StoreResult<bool> {
        const SQL: &str = "UPDATE task_run SET log = $1 WHERE id = $2 AND status = 'RUNNING'";
        let log = log.to_string();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(&log).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// End a RUNNING run with its status, result and log (compare-and-set).
    pub async fn finish_task_run(
        &self,
        id: i64,
        to: TaskRunStatus,
        result: &str,
        log: &serde_json::Value,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE task_run SET status = $1, result = $2, log = $3, ended_at = $4 \
             WHERE id = $5 AND status = 'RUNNING'";
        if !TaskRunStatus::Running.can_move_to(to) {
            return Err(StoreError::FailedPrecondition(format!(
                "a running task run cannot end {to}"
            )));
        }
        let now = now_ms();
        let log = log.to_string();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(to.as_str()).bind(result).bind(&log).bind(now)
            .bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn task_run(&self, id: i64) -> StoreResult<TaskRun> {
        const SQL: &str = select_run!("WHERE id = $1");
        query!(pool self => |db| sqlx::query_as::<_, TaskRun>(SQL).bind(id).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("task run {id}")))
    }

    /// The runs of every task of a pipeline in one query, by task then
    /// attempt.
    pub async fn list_pipeline_task_runs(&self, pipeline_id: i64) -> StoreResult<Vec<TaskRun>> {
        const SQL: &str = select_run!(
            "WHERE task_id IN (SELECT id FROM task WHERE pipeline_id = $1) ORDER BY task_id, attempt"
        );
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, TaskRun>(SQL).bind(pipeline_id).fetch_all(db).await)?,
        )
    }

    /// A task's runs by attempt.
    pub async fn list_task_runs(&self, task_id: i64) -> StoreResult<Vec<TaskRun>> {
        const SQL: &str = select_run!("WHERE task_id = $1 ORDER BY attempt");
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, TaskRun>(SQL).bind(task_id).fetch_all(db).await)?,
        )
    }
}
