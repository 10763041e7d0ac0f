use crate::backend::query;
use crate::{Store, StoreResult, Workspace, now_ms};

impl Store {
    pub async fn workspace(&self) -> StoreResult<Workspace> {
        const SQL: &str =
            "SELECT name, signup_open, created_at, updated_at FROM workspace WHERE id = 1";
        Ok(query!(pool self => |db| sqlx::query_as::<_, Workspace>(SQL).fetch_one(db).await)?)
    }

    /// Change the workspace settings; `None` keeps a value.
    pub async fn update_workspace(
        &self,
        name: Option<&str>,
        signup_open: Option<bool>,
    ) -> StoreResult<Workspace> {
        const SQL: &str = "UPDATE workspace SET name = COALESCE($1, name), \
             signup_open = COALESCE($2, signup_open), updated_at = $3 WHERE id = 1";
        let now = now_ms();
        query!(pool self => |db| sqlx::query(SQL).bind(name).bind(signup_open).bind(now).execute(db).await.map(|r| r.rows_affected()))?;
        self.workspace().await
    }
}
