//! Projects and their members.

use crate::{App, AppError, AppResult, Caller, Permission, validate};
use serde_json::json;
use sluice_store::{Project, ProjectMember, ProjectRole};

impl App {
    /// The projects the caller may see: all for those who may get any
    /// project (Owner, DBA), otherwise those they belong to.
    pub async fn list_projects(
        &self,
        caller: &Caller,
        show_archived: bool,
    ) -> AppResult<Vec<Project>> {
        let member = (!caller.can_everywhere(Permission::ProjectsGet)).then(|| caller.id());
        Ok(self.store.list_projects(show_archived, member).await?)
    }

    pub async fn project(&self, caller: &Caller, id: &str) -> AppResult<Project> {
        let project = self.store.project(id).await?;
        self.authorize(caller, Permission::ProjectsGet, Some(id))
            .await?;
        Ok(project)
    }

    /// Create a project; its creator becomes its Owner.
    pub async fn create_project(
        &self,
        caller: &Caller,
        id: &str,
        title: &str,
        key: &str,
    ) -> AppResult<Project> {
        self.authorize(caller, Permission::ProjectsCreate, None)
            .await?;
        validate::resource_id("id", id)?;
        let title = validate::title("title", title)?;
        let key = validate::project_key("key", key)?;
        self.audited(
            caller,
            "projects.create",
            &format!("projects/{id}"),
            json!({"title": title, "key": key}),
            async {
                Ok(self
                    .store
                    .create_project(id, &title, &key, caller.id())
                    .await?)
            },
        )
        .await
    }

    pub async fn update_project(
        &self,
        caller: &Caller,
        id: &str,
        title: Option<&str>,
        key: Option<&str>,
    ) -> AppResult<Project> {
        self.store.project(id).await?;
        self.authorize(caller, Permission::ProjectsUpdate, Some(id))
            .await?;
        let title = title.map(|t| validate::title("title", t)).transpose()?;
        let key = key.map(|k| validate::project_key("key", k)).transpose()?;
        self.audited(
            caller,
            "projects.update",
            &format!("projects/{id}"),
            json!({"title": title, "key": key}),
            async {
                Ok(self
                    .store
                    .update_project(id, title.as_deref(), key.as_deref())
                    .await?)
            },
        )
        .await
    }

    /// Let (or stop letting) creators approve their own issues.
    pub async fn set_project_self_approval(
        &self,
        caller: &Caller,
        id: &str,
        allow: bool,
    ) -> AppResult<Project> {
        self.store.project(id).await?;
        self.authorize(caller, Permission::ProjectsUpdate, Some(id))
            .await?;
        self.audited(
            caller,
            "projects.update",
            &format!("projects/{id}"),
            json!({"allow_self_approval": allow}),
            async { Ok(self.store.set_project_self_approval(id, allow).await?) },
        )
        .await
    }

    pub async fn archive_project(
        &self,
        caller: &Caller,
        id: &str,
        archived: bool,
    ) -> AppResult<Project> {
        self.store.project(id).await?;
        self.authorize(caller, Permission::ProjectsDelete, Some(id))
            .await?;
        let action = if archived {
            "projects.delete"
        } else {
            "projects.undelete"
        };
        self.audited(
            caller,
            action,
            &format!("projects/{id}"),
            json!({}),
            async { Ok(self.store.set_project_archived(id, archived).await?) },
        )
        .await
    }

    pub async fn project_members(
        &self,
        caller: &Caller,
        id: &str,
    ) -> AppResult<Vec<ProjectMember>> {
        self.store.project(id).await?;
        self.authorize(caller, Permission::ProjectMembersGet, Some(id))
            .await?;
        Ok(self.store.project_members(id).await?)
    }

    /// Add a member by email or change their role. A project keeps at least
    /// one Owner.
    pub async fn set_project_member(
        &self,
        caller: &Caller,
        id: &str,
        email: &str,
        role: ProjectRole,
    ) -> AppResult<Vec<ProjectMember>> {
        self.store.project(id).await?;
        self.authorize(caller, Permission::ProjectMembersUpdate, Some(id))
            .await?;
        let email = validate::email("email", email)?;
        self.audited(
            caller,
            "projects.members.update",
            &format!("projects/{id}"),
            json!({"email": email, "role": role}),
            async {
                let principal = self
                    .store
                    .principal_by_email(&email)
                    .await?
                    .filter(|p| p.active)
                    .ok_or_else(|| {
                        AppError::invalid(
                            "email",
                            format!("no active user or service account has email {email}"),
                        )
                    })?;
                let members = self.store.project_members(id).await?;
                if role != ProjectRole::Owner {
                    ensure_other_owner(&members, principal.id)?;
                }
                self.store
                    .set_project_member(id, principal.id, role)
                    .await?;
                Ok(self.store.project_members(id).await?)
            },
        )
        .await
    }

    pub async fn remove_project_member(
        &self,
        caller: &Caller,
        id: &str,
        email: &str,
    ) -> AppResult<Vec<ProjectMember>> {
        self.store.project(id).await?;
        self.authorize(caller, Permission::ProjectMembersUpdate, Some(id))
            .await?;
        let email = validate::email("email", email)?;
        self.audited(
            caller,
            "projects.members.delete",
            &format!("projects/{id}"),
            json!({"email": email}),
            async {
                let members = self.store.project_members(id).await?;
                let member = members
                    .iter()
                    .find(|m| m.email == email)
                    .ok_or_else(|| AppError::NotFound(format!("member {email} of project {id}")))?;
                ensure_other_owner(&members, member.principal_id)?;
                self.store
                    .remove_project_member(id, member.principal_id)
                    .await?;
                Ok(self.store.project_members(id).await?)
            },
        )
        .await
    }
}

/// Refuse to leave a project without an Owner when `principal` stops being one.
fn ensure_other_owner(members: &[ProjectMember], principal: i64) -> AppResult<()> {
    let is_owner = members
        .iter()
        .any(|m| m.principal_id == principal && m.role == ProjectRole::Owner);
    let others = members
        .iter()
        .filter(|m| m.principal_id != principal && m.role == ProjectRole::Owner)
        .count();
    if is_owner && others == 0 {
        return Err(AppError::FailedPrecondition(
            "a project needs at least one Owner: add another Owner first".into(),
        ));
    }
    Ok(())
}
