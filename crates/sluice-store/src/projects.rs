use crate::backend::query;
use crate::{Project, ProjectMember, ProjectRole, Store, StoreError, StoreResult, now_ms};

impl Store {
    /// Create a project with `owner` as its first project Owner.
    pub async fn create_project(
        &self,
        id: &str,
        title: &str,
        key: &str,
        owner: i64,
    ) -> StoreResult<Project> {
        const SQL: &str = "INSERT INTO project (id, title, key, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)";
        const KEY_TAKEN: &str = "SELECT id FROM project WHERE key = $1";
        const MEMBER: &str = "INSERT INTO project_member (project_id, principal_id, role, created_at) \
             VALUES ($1, $2, 'OWNER', $3)";
        let now = now_ms();
        let mut tx = self.begin().await?;
        let taken: Option<String> = query!(tx &mut tx => |db| sqlx::query_scalar(KEY_TAKEN).bind(key).fetch_optional(db).await)?;
        if let Some(other) = taken {
            return Err(StoreError::AlreadyExists(format!(
                "project key {key} (used by project {other})"
            )));
        }
        query!(tx &mut tx => |db| sqlx::query(SQL).bind(id).bind(title).bind(key).bind(now).execute(db).await.map(|r| r.rows_affected()))
            .map_err(StoreError::on_conflict(format!("project {id}")))?;
        query!(tx &mut tx => |db| sqlx::query(MEMBER).bind(id).bind(owner).bind(now).execute(db).await.map(|r| r.rows_affected()))
            .map_err(StoreError::on_conflict(format!("owner {owner} of project {id}")))?;
        tx.commit().await?;
        self.project(id).await
    }

    pub async fn project(&self, id: &str) -> StoreResult<Project> {
        const SQL: &str = "SELECT id, title, key, is_default, archived, allow_self_approval, review_config_id, created_at, updated_at FROM project WHERE id = $1";
        query!(pool self => |db| sqlx::query_as::<_, Project>(SQL).bind(id).fetch_optional(db).await)?
            .ok_or_else(|| StoreError::NotFound(format!("project {id}")))
    }

    /// Projects by id; with `member`, only those the principal belongs to.
    pub async fn list_projects(
        &self,
        show_archived: bool,
        member: Option<i64>,
    ) -> StoreResult<Vec<Project>> {
        const SQL: &str = "SELECT id, title, key, is_default, archived, allow_self_approval, review_config_id, created_at, updated_at FROM project p \
             WHERE ($1 OR NOT archived) AND ($2 IS NULL OR EXISTS \
               (SELECT 1 FROM project_member m WHERE m.project_id = p.id AND m.principal_id = $2)) \
             ORDER BY archived, is_default DESC, id";
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, Project>(SQL).bind(show_archived).bind(member).fetch_all(db).await)?,
        )
    }

    pub async fn update_project(
        &self,
        id: &str,
        title: Option<&str>,
        key: Option<&str>,
    ) -> StoreResult<Project> {
        const SQL: &str = "UPDATE project SET title = COALESCE($1, title), key = COALESCE($2, key), updated_at = $3 \
             WHERE id = $4";
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(title).bind(key).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))
            .map_err(StoreError::on_conflict(format!("project key {}", key.unwrap_or_default())))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("project {id}")));
        }
        self.project(id).await
    }

    /// Let (or stop letting) an issue's creator approve it in this project.
    pub async fn set_project_self_approval(&self, id: &str, allow: bool) -> StoreResult<Project> {
        const SQL: &str =
            "UPDATE project SET allow_self_approval = $1, updated_at = $2 WHERE id = $3";
        let now = now_ms();
        let n = query!(pool self => |db| sqlx::query(SQL).bind(allow).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("project {id}")));
        }
        self.project(id).await
    }

    pub async fn set_project_archived(&self, id: &str, archived: bool) -> StoreResult<Project> {
        const SQL: &str =
            "UPDATE project SET archived = $1, updated_at = $2 WHERE id = $3 AND NOT is_default";
        let now = now_ms();
        let project = self.project(id).await?;
        if project.is_default {
            return Err(StoreError::FailedPrecondition(
                "the default project cannot be archived".into(),
            ));
        }
        query!(pool self => |db| sqlx::query(SQL).bind(archived).bind(now).bind(id).execute(db).await.map(|r| r.rows_affected()))?;
        self.project(id).await
    }

    pub async fn project_members(&self, project_id: &str) -> StoreResult<Vec<ProjectMember>> {
        const SQL: &str = "SELECT m.project_id, m.principal_id, p.email, p.name, m.role FROM project_member m \
             JOIN principal p ON p.id = m.principal_id WHERE m.project_id = $1 ORDER BY m.role DESC, p.email";
        Ok(
            query!(pool self => |db| sqlx::query_as::<_, ProjectMember>(SQL).bind(project_id).fetch_all(db).await)?,
        )
    }

    /// Add a member or change their role.
    pub async fn set_project_member(
        &self,
        project_id: &str,
        principal_id: i64,
        role: ProjectRole,
    ) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO project_member (project_id, principal_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (project_id, principal_id) DO UPDATE SET role = excluded.role";
        let now = now_ms();
        query!(pool self => |db| sqlx::query(SQL).bind(project_id).bind(principal_id).bind(role.as_str()).bind(now)
            .execute(db).await.map(|r| r.rows_affected()))
        .map_err(StoreError::on_conflict(format!("member of project {project_id}")))?;
        Ok(())
    }

    /// Remove a member; NotFound when they were not one.
    pub async fn remove_project_member(
        &self,
        project_id: &str,
        principal_id: i64,
    ) -> StoreResult<()> {
        const SQL: &str = "DELETE FROM project_member WHERE project_id = $1 AND principal_id = $2";
        let n = query!(pool self => |db| sqlx::query(SQL).bind(project_id).bind(principal_id).execute(db).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "member {principal_id} of project {project_id}"
            )));
        }
        Ok(())
    }

    /// The principal's role in a project, if a member.
    pub async fn project_role(
        &self,
        project_id: &str,
        principal_id: i64,
    ) -> StoreResult<Option<ProjectRole>> {
        const SQL: &str =
            "SELECT role FROM project_member WHERE project_id = $1 AND principal_id = $2";
        let role: Option<String> = query!(pool self => |db| sqlx::query_scalar(SQL).bind(project_id).bind(principal_id).fetch_optional(db).await)?;
        role.map(|r| ProjectRole::try_from(r).map_err(StoreError::Corrupt))
            .transpose()
    }
}
