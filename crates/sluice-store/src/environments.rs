use crate::backend::query;
use crate::{Environment, Store, StoreError, StoreResult, now_ms};

impl Store {
    /// Create an environment, placed after the last one. Positions are
    /// handed out under the workspace lock, so concurrent creates get
    /// distinct places on PostgreSQL too.
    pub async fn create_environment(
        &self,
        id: &str,
        title: &str,
        protected: bool,
    ) -> StoreResult<Environment> {
        const SQL: &str = "INSERT INTO environment (id, title, position, protected, created_at, updated_at) \
             SELECT $1, $2, COALESCE(MAX(position), 0) + 1, $3, $4, $4 FROM environment";
        let now = now_ms();
        let mut tx = self.begin().await?;
        tx.lock_workspace().await?;
        query!(tx &mut tx => |db| sqlx::query(SQL).bind(id).bind(title).bind(protected).bind(now).execute(db).await.map(|r| r.rows_affected()))
            .map_err(StoreError::on_conflict(format!("environment {id}")))?;
        tx.commit().await?;
        self.environment(id).await
    }

    pub async fn environment(&self, id: &str) -> StoreResult<Environment> {
        const SQL: &str = "SELECT id, title, position, protected, policy, review_config_id, archived, created_at, updated_at \
             FROM environment WHERE id = $1";
        query!(pool self => |db| sqlx::query_as::<_, Environment>(SQL).bind(id).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("environment {id}")))
    }

    /// Environments in pipeline order; archived ones only when asked.
    pub async fn list_environments(&self, show_archived: bool) -> StoreResult<Vec<Environment>> {
        const SQL: &str = "SELECT id, title, position, protected, policy, review_config_id, archived, created_at, updated_at \
             FROM environment WHERE ($1 OR NOT archived) ORDER BY archived, position, id";
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, Environment>(SQL).bind(show_archived).fetch_all(db).await)?,
        )
    }

    pub async fn update_environment(
        &self,
        id: &str,
        title: Option<&str>,
        protected: Option<bool>,
    ) -> StoreResult<Environment> {
        const SQL: &str = "UPDATE environment SET title = COALESCE($1, title), \
             protected = COALESCE($2, protected), updated_at = $3 WHERE id = $4";
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(title).bind(protected).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("environment {id}")));
        }
        self.environment(id).await
    }

    /// Archive or restore. A restored environment goes to the end of the order.
    pub async fn set_environment_archived(
        &self,
        id: &str,
        archived: bool,
    ) -> StoreResult<Environment> {
        const SQL: &str = "UPDATE environment SET archived = $1, updated_at = $2, \
             position = CASE WHEN $1 THEN position ELSE (SELECT COALESCE(MAX(position), 0) + 1 FROM environment) END \
             WHERE id = $3";
        let now = now_ms();
        let mut tx = self.begin().await?;
        tx.lock_workspace().await?;
        let n = query!(tx &mut tx => |db| sqlx::query(SQL).bind(archived).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("environment {id}")));
        }
        tx.commit().await?;
        self.environment(id).await
    }

    /// Put the active environments in the given order. `ids` must name each
    /// active environment exactly once.
    pub async fn reorder_environments(&self, ids: &[String]) -> StoreResult<Vec<Environment>> {
        const ACTIVE: &str = "SELECT id FROM environment WHERE NOT archived";
        const MOVE: &str = "UPDATE environment SET position = $1, updated_at = $2 WHERE id = $3";
        let now = now_ms();
        let mut tx = self.begin().await?;
        tx.lock_workspace().await?;
        let mut active: Vec<String> =
            query!(tx &mut tx => |db| sqlx::query_scalar(ACTIVE).fetch_all(db).await)?;
        let mut given = ids.to_vec();
        active.sort();
        given.sort();
        if active != given {
            return Err(StoreError::FailedPrecondition(format!(
                "ids must list every active environment exactly once: {}",
                active.join(", ")
            )));
        }
        for (position, id) in ids.iter().enumerate() {
            let position = position as i64 + 1;
            query!(tx &mut tx => |db| sqlx::query(MOVE).bind(position).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        }
        tx.commit().await?;
        self.list_environments(false).await
    }

    /// Set an environment's approval and rollout policy; `None` goes back
    /// to the default for its protection.
    pub async fn set_environment_policy(
        &self,
        id: &str,
        policy: Option<&crate::EnvironmentPolicy>,
    ) -> StoreResult<Environment> {
        const SQL: &str = "UPDATE environment SET policy = $1, updated_at = $2 WHERE id = $3";
        let json = match policy {
            Some(p) => serde_json::to_string(p)
                .map_err(|e| StoreError::Corrupt(format!("policy of environment {id}: {e}")))?,
            None => "{}".to_string(),
        };
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(&json).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("environment {id}")));
        }
        self.environment(id).await
    }
}
