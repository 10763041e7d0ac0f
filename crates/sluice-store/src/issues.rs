//! Issues: filing one with its whole pipeline in one transaction, reading
//! and listing them, their status and approval as compare-and-set moves,
//! subscribers, comments and the activity timeline.

use crate::backend::{Tx, query};
use crate::{
    ActivityKind, ApprovalStatus, Issue, IssueActivity, IssueComment, IssueFilter, IssueStatus,
    IssueUpdate, NewIssue, Page, PageRequest, RiskLevel, Store, StoreError, StoreResult,
    TaskStatus, now_ms,
};

macro_rules! select_issue {
    ($rest:literal) => {
        concat!(
            "SELECT i.id, i.project_id, i.number, i.title, i.description, i.type, i.status, i.risk, i.creator_id, \
             i.assignee_id, i.approval_status, i.created_at, i.updated_at FROM issue i ",
            $rest
        )
    };
}

impl Store {
    /// File an issue with its pipeline, stages and tasks, its subscribers
    /// and a CREATED activity by its creator, all in one transaction. Its
    /// number is the project's highest plus one, read under a lock on the
    /// project row (BEGIN IMMEDIATE on SQLite), so concurrent filings get
    /// distinct numbers; UNIQUE (project_id, number) backs that up.
    pub async fn create_issue(&self, new: &NewIssue) -> StoreResult<Issue> {
        const LOCK: &str = "UPDATE project SET updated_at = updated_at WHERE id = $1";
        const NUMBER: &str = "SELECT COALESCE(MAX(number), 0) + 1 FROM issue WHERE project_id = $1";
        const ISSUE: &str = "INSERT INTO issue (project_id, number, title, description, type, status, risk, \
             creator_id, assignee_id, approval_status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'OPEN', $6, $7, $8, $9, $10, $10) RETURNING id";
        const SUBSCRIBE: &str = "INSERT INTO issue_subscriber (issue_id, principal_id) VALUES ($1, $2) \
             ON CONFLICT (issue_id, principal_id) DO NOTHING";
        const PIPELINE: &str =
            "INSERT INTO pipeline (issue_id, created_at) VALUES ($1, $2) RETURNING id";
        const STAGE: &str = "INSERT INTO stage (pipeline_id, environment_id, position) VALUES ($1, $2, $3) RETURNING id";
        const TASK: &str = "INSERT INTO task (pipeline_id, stage_id, db_id, instance_id, type, statement, version, \
             payload, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)";
        for task in new.stages.iter().flat_map(|s| &s.tasks) {
            match task.status {
                TaskStatus::NotStarted | TaskStatus::Pending => {}
                TaskStatus::Running
                | TaskStatus::Done
                | TaskStatus::Failed
                | TaskStatus::Canceled
                | TaskStatus::Skipped => {
                    return Err(StoreError::FailedPrecondition(format!(
                        "a new task starts NOT_STARTED or PENDING, not {}",
                        task.status
                    )));
                }
            }
        }
        let now = now_ms();
        let mut tx = self.begin().await?;
        let n = query!(tx &mut tx => |db| sqlx::query(LOCK).bind(&new.project_id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("project {}", new.project_id)));
        }
        let number: i64 = query!(tx &mut tx => |db| sqlx::query_scalar(NUMBER).bind(&new.project_id).fetch_one(db).await)?;
        let issue_id: i64 = query!(tx &mut tx => |db| sqlx::query_scalar(ISSUE)
            .bind(&new.project_id).bind(number).bind(&new.title).bind(&new.description)
            .bind(new.issue_type.as_str()).bind(new.risk.as_str()).bind(new.creator_id).bind(new.assignee_id)
            .bind(new.approval_status.as_str()).bind(now).fetch_one(db).await)
        .map_err(StoreError::on_conflict(format!("issue {number} in project {}", new.project_id)))?;
        for principal in &new.subscribers {
            query!(tx &mut tx => |db| sqlx::query(SUBSCRIBE).bind(issue_id).bind(principal)
                .execute(db).await.map(|r| r.rows_affected()))
            .map_err(StoreError::on_conflict(format!("subscriber {principal}")))?;
        }
        let pipeline_id: i64 = query!(tx &mut tx => |db| sqlx::query_scalar(PIPELINE).bind(issue_id).bind(now).fetch_one(db).await)?;
        for (position, stage) in (1i64..).zip(&new.stages) {
            let stage_id: i64 = query!(tx &mut tx => |db| sqlx::query_scalar(STAGE)
                .bind(pipeline_id).bind(&stage.environment_id).bind(position).fetch_one(db).await)
            .map_err(StoreError::on_conflict(format!(
                "stage for environment {}",
                stage.environment_id
            )))?;
            for task in &stage.tasks {
                let payload = task.payload.to_string();
                query!(tx &mut tx => |db| sqlx::query(TASK)
                    .bind(pipeline_id).bind(stage_id).bind(task.db_id).bind(&task.instance_id)
                    .bind(task.task_type.as_str()).bind(&task.statement).bind(&task.version).bind(&payload)
                    .bind(task.status.as_str()).bind(now).execute(db).await.map(|r| r.rows_affected()))
                .map_err(StoreError::on_conflict(format!("task on instance {}", task.instance_id)))?;
            }
        }
        insert_activity(
            &mut tx,
            issue_id,
            new.creator_id,
            ActivityKind::Created,
            &serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        self.issue(issue_id).await
    }

    pub async fn issue(&self, id: i64) -> StoreResult<Issue> {
        const SQL: &str = select_issue!("WHERE i.id = $1");
        query!(pool self => |db| sqlx::query_as::<_, Issue>(SQL).bind(id).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("issue {id}")))
    }

    /// An issue by its number in its project.
    pub async fn issue_by_number(&self, project_id: &str, number: i64) -> StoreResult<Issue> {
        const SQL: &str = select_issue!("WHERE i.project_id = $1 AND i.number = $2");
        query!(pool self => |db| sqlx::query_as::<_, Issue>(SQL).bind(project_id).bind(number).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("issue {number} in project {project_id}")))
    }

    /// Issues, newest first.
    pub async fn list_issues(
        &self,
        filter: &IssueFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Issue>> {
        const SQL: &str = select_issue!(
            "WHERE ($1 IS NULL OR i.project_id = $1) AND ($2 IS NULL OR i.status = $2) \
             AND ($3 IS NULL OR i.type = $3) AND ($4 IS NULL OR i.creator_id = $4) \
             AND ($5 IS NULL OR EXISTS (SELECT 1 FROM pipeline p JOIN task t ON t.pipeline_id = p.id \
                  WHERE p.issue_id = i.id AND t.db_id = $5)) \
             AND ($6 IS NULL OR EXISTS (SELECT 1 FROM project_member m WHERE m.project_id = i.project_id \
                  AND m.principal_id = $6)) \
             ORDER BY i.id DESC LIMIT $7 OFFSET $8"
        );
        let status = filter.status.map(IssueStatus::as_str);
        let issue_type = filter.issue_type.map(|t| t.as_str());
        let rows = query!(pool self => |db| sqlx::query_as::<_, Issue>(SQL)
            .bind(&filter.project_id).bind(status).bind(issue_type).bind(filter.creator_id).bind(filter.db_id)
            .bind(filter.member)
            .bind(page.fetch_limit()).bind(page.offset).fetch_all(db).await)?;
        Ok(page.page(rows))
    }

    /// Change the fields of an issue that `update` names.
    pub async fn update_issue(&self, id: i64, update: &IssueUpdate) -> StoreResult<Issue> {
        const SQL: &str = "UPDATE issue SET title = COALESCE($1, title), description = COALESCE($2, description), \
             risk = COALESCE($3, risk), assignee_id = CASE WHEN $4 THEN $5 ELSE assignee_id END, updated_at = $6 \
             WHERE id = $7";
        let now = now_ms();
        let risk = update.risk.map(RiskLevel::as_str);
        let set_assignee = update.assignee_id.is_some();
        let assignee = update.assignee_id.flatten();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(&update.title).bind(&update.description).bind(risk)
            .bind(set_assignee).bind(assignee).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))
        .map_err(StoreError::on_conflict(format!("assignee of issue {id}")))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("issue {id}")));
        }
        self.issue(id).await
    }

    /// Move an issue's status by compare-and-set: true when it was `from`
    /// and is now `to`, false when it was no longer `from`. A move the
    /// state machine forbids is refused before the store is touched.
    pub async fn move_issue(
        &self,
        id: i64,
        from: IssueStatus,
        to: IssueStatus,
    ) -> StoreResult<bool> {
        const SQL: &str =
            "UPDATE issue SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4";
        if !from.can_move_to(to) {
            return Err(StoreError::FailedPrecondition(format!(
                "an issue cannot move from {from} to {to}"
            )));
        }
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(to.as_str()).bind(now).bind(id).bind(from.as_str())
            .execute(db).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Move an issue's approval by compare-and-set, like `move_issue`.
    pub async fn move_issue_approval(
        &self,
        id: i64,
        from: ApprovalStatus,
        to: ApprovalStatus,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE issue SET approval_status = $1, updated_at = $2 WHERE id = $3 AND approval_status = $4";
        if !from.can_move_to(to) {
            return Err(StoreError::FailedPrecondition(format!(
                "an approval cannot move from {from} to {to}"
            )));
        }
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(to.as_str()).bind(now).bind(id).bind(from.as_str())
            .execute(db).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    pub async fn subscribe_issue(&self, issue_id: i64, principal_id: i64) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO issue_subscriber (issue_id, principal_id) VALUES ($1, $2) \
             ON CONFLICT (issue_id, principal_id) DO NOTHING";
        query!(pool self => |db| sqlx::query(SQL).bind(issue_id).bind(principal_id).execute(db).await.map(|r| r.rows_affected()))
            .map_err(StoreError::on_conflict(format!("subscriber {principal_id} of issue {issue_id}")))?;
        Ok(())
    }

    pub async fn unsubscribe_issue(&self, issue_id: i64, principal_id: i64) -> StoreResult<()> {
        const SQL: &str = "DELETE FROM issue_subscriber WHERE issue_id = $1 AND principal_id = $2";
        query!(pool self => |db| sqlx::query(SQL).bind(issue_id).bind(principal_id).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The ids of an issue's subscribers, ascending.
    pub async fn issue_subscribers(&self, issue_id: i64) -> StoreResult<Vec<i64>> {
        const SQL: &str =
            "SELECT principal_id FROM issue_subscriber WHERE issue_id = $1 ORDER BY principal_id";
        Ok(query!(pool self => |db| sqlx::query_scalar(SQL).bind(issue_id).fetch_all(db).await)?)
    }

    /// Add a comment. The COMMENTED activity is the caller's to append.
    pub async fn add_issue_comment(
        &self,
        issue_id: i64,
        principal_id: i64,
        body: &str,
    ) -> StoreResult<IssueComment> {
        const SQL: &str = "INSERT INTO issue_comment (issue_id, principal_id, body, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id, issue_id, principal_id, body, created_at, updated_at";
        let now = now_ms();
        query!(pool self => |db| sqlx::query_as::<_, IssueComment>(SQL).bind(issue_id).bind(principal_id)
            .bind(body).bind(now).fetch_one(db).await)
        .map_err(StoreError::on_conflict(format!("comment on issue {issue_id}")))
    }

    /// An issue's comments, oldest first.
    pub async fn list_issue_comments(
        &self,
        issue_id: i64,
        page: PageRequest,
    ) -> StoreResult<Page<IssueComment>> {
        const SQL: &str = "SELECT id, issue_id, principal_id, body, created_at, updated_at FROM issue_comment \
             WHERE issue_id = $1 ORDER BY id LIMIT $2 OFFSET $3";
        let rows = query!(pool self => |db| sqlx::query_as::<_, IssueComment>(SQL).bind(issue_id)
            .bind(page.fetch_limit()).bind(page.offset).fetch_all(db).await)?;
        Ok(page.page(rows))
    }

    /// Append an entry to an issue's timeline.
    pub async fn append_issue_activity(
        &self,
        issue_id: i64,
        principal_id: i64,
        kind: ActivityKind,
        payload: &serde_json::Value,
    ) -> StoreResult<IssueActivity> {
        let mut tx = self.begin().await?;
        let id = insert_activity(&mut tx, issue_id, principal_id, kind, payload).await?;
        tx.commit().await?;
        const SQL: &str = "SELECT id, issue_id, principal_id, kind, payload, created_at FROM issue_activity WHERE id = $1";
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, IssueActivity>(SQL).bind(id).fetch_one(db).await)?,
        )
    }

    /// An issue's timeline, oldest first.
    pub async fn list_issue_activity(
        &self,
        issue_id: i64,
        page: PageRequest,
    ) -> StoreResult<Page<IssueActivity>> {
        const SQL: &str = "SELECT id, issue_id, principal_id, kind, payload, created_at FROM issue_activity \
             WHERE issue_id = $1 ORDER BY id LIMIT $2 OFFSET $3";
        let rows = query!(pool self => |db| sqlx::query_as::<_, IssueActivity>(SQL).bind(issue_id)
            .bind(page.fetch_limit()).bind(page.offset).fetch_all(db).await)?;
        Ok(page.page(rows))
    }
}

async fn insert_activity(
    tx: &mut Tx,
    issue_id: i64,
    principal_id: i64,
    kind: ActivityKind,
    payload: &serde_json::Value,
) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO issue_activity (issue_id, principal_id, kind, payload, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let now = now_ms();
    let payload = payload.to_string();
    query!(tx tx => |db| sqlx::query_scalar(SQL).bind(issue_id).bind(principal_id).bind(kind.as_str())
        .bind(&payload).bind(now).fetch_one(db).await)
    .map_err(StoreError::on_conflict(format!("activity on issue {issue_id}")))
}
