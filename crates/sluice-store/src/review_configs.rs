//! SQL review configs and where they are attached (environments and
//! projects), and the override of a task's blocking checks.

use crate::backend::query;
use crate::{ReviewConfig, ReviewConfigUse, Store, StoreError, StoreResult, TaskStatus, now_ms};

impl Store {
    pub async fn create_review_config(
        &self,
        id: &str,
        title: &str,
        policy: &str,
    ) -> StoreResult<ReviewConfig> {
        const SQL: &str = "INSERT INTO review_config (id, title, policy, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4)";
        let now = now_ms();
        query!(pool self => |db| sqlx::query(SQL).bind(id).bind(title).bind(policy).bind(now).execute(db).await.map(|r| r.rows_affected()))
            .map_err(StoreError::on_conflict(format!("review config {id}")))?;
        self.review_config(id).await
    }

    pub async fn review_config(&self, id: &str) -> StoreResult<ReviewConfig> {
        const SQL: &str =
            "SELECT id, title, policy, created_at, updated_at FROM review_config WHERE id = $1";
        query!(pool self => |db| sqlx::query_as::<_, ReviewConfig>(SQL).bind(id).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("review config {id}")))
    }

    /// Every review config, by id.
    pub async fn list_review_configs(&self) -> StoreResult<Vec<ReviewConfig>> {
        const SQL: &str =
            "SELECT id, title, policy, created_at, updated_at FROM review_config ORDER BY id";
        Ok(query!(pool self => |db| sqlx::query_as::<_, ReviewConfig>(SQL).fetch_all(db).await)?)
    }

    /// Change a config's title and/or policy; `None` keeps a field.
    pub async fn update_review_config(
        &self,
        id: &str,
        title: Option<&str>,
        policy: Option<&str>,
    ) -> StoreResult<ReviewConfig> {
        const SQL: &str = "UPDATE review_config SET title = COALESCE($1, title), \
             policy = COALESCE($2, policy), updated_at = $3 WHERE id = $4";
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(title).bind(policy).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("review config {id}")));
        }
        self.review_config(id).await
    }

    /// The environments and projects that name a config.
    pub async fn review_config_use(&self, id: &str) -> StoreResult<ReviewConfigUse> {
        const ENVS: &str = "SELECT id FROM environment WHERE review_config_id = $1 ORDER BY id";
        const PROJECTS: &str = "SELECT id FROM project WHERE review_config_id = $1 ORDER BY id";
        Ok(ReviewConfigUse {
            environments: query!(pool self => |db| sqlx::query_scalar(ENVS).bind(id).fetch_all(db).await)?,
            projects: query!(pool self => |db| sqlx::query_scalar(PROJECTS).bind(id).fetch_all(db).await)?,
        })
    }

    /// Delete a config nothing uses. One still attached is refused, naming
    /// where; the check and the delete share a transaction.
    pub async fn delete_review_config(&self, id: &str) -> StoreResult<()> {
        const ENVS: &str = "SELECT id FROM environment WHERE review_config_id = $1 ORDER BY id";
        const PROJECTS: &str = "SELECT id FROM project WHERE review_config_id = $1 ORDER BY id";
        const SQL: &str = "DELETE FROM review_config WHERE id = $1";
        let mut tx = self.begin().await?;
        tx.lock_workspace().await?;
        let envs: Vec<String> =
            query!(tx &mut tx => |db| sqlx::query_scalar(ENVS).bind(id).fetch_all(db).await)?;
        let projects: Vec<String> =
            query!(tx &mut tx => |db| sqlx::query_scalar(PROJECTS).bind(id).fetch_all(db).await)?;
        let used = ReviewConfigUse {
            environments: envs,
            projects,
        };
        if !used.is_empty() {
            return Err(StoreError::FailedPrecondition(format!(
                "review config {id} is attached to {}: detach it first",
                used.describe()
            )));
        }
        let n = query!(tx &mut tx => |db| sqlx::query(SQL).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("review config {id}")));
        }
        tx.commit().await
    }

    /// Attach a review config to an environment, or detach with `None`.
    pub async fn set_environment_review_config(
        &self,
        id: &str,
        config: Option<&str>,
    ) -> StoreResult<crate::Environment> {
        const SQL: &str =
            "UPDATE environment SET review_config_id = $1, updated_at = $2 WHERE id = $3";
        self.attach_check(config).await?;
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(config).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))
            .map_err(missing_config(config))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("environment {id}")));
        }
        self.environment(id).await
    }

    /// Attach a review config to a project, or detach with `None`.
    pub async fn set_project_review_config(
        &self,
        id: &str,
        config: Option<&str>,
    ) -> StoreResult<crate::Project> {
        const SQL: &str = "UPDATE project SET review_config_id = $1, updated_at = $2 WHERE id = $3";
        self.attach_check(config).await?;
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(config).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))
            .map_err(missing_config(config))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("project {id}")));
        }
        self.project(id).await
    }

    async fn attach_check(&self, config: Option<&str>) -> StoreResult<()> {
        if let Some(config) = config {
            self.review_config(config).await?;
        }
        Ok(())
    }

    /// Record that `by` overrode the blocking checks of a task that is not
    /// running and not finished; false when its status was no longer `from`.
    pub async fn override_task_checks(
        &self,
        id: i64,
        from: TaskStatus,
        by: i64,
        reason: &str,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE task SET checks_overridden_by = $1, checks_override_reason = $2, \
             checks_overridden_at = $3, updated_at = $3 WHERE id = $4 AND status = $5";
        match from {
            TaskStatus::NotStarted | TaskStatus::Failed | TaskStatus::Canceled => {}
            TaskStatus::Pending | TaskStatus::Running | TaskStatus::Done | TaskStatus::Skipped => {
                return Err(StoreError::FailedPrecondition(format!(
                    "the checks of a {from} task cannot be overridden"
                )));
            }
        }
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(by).bind(reason).bind(now).bind(id)
            .bind(from.as_str()).execute(db).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }
}

/// A foreign-key failure on attach (the config went meanwhile) as NotFound.
fn missing_config(config: Option<&str>) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |err| match &err {
        sqlx::Error::Database(e) if e.is_foreign_key_violation() => {
            StoreError::NotFound(format!("review config {}", config.unwrap_or_default()))
        }
        _ => err.into(),
    }
}
