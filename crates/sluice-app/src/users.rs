//! People and service accounts, and the workspace settings (Owner only).

use crate::identity::hash_password;
use crate::{App, AppError, AppResult, Caller, Permission, Session, validate};
use serde_json::json;
use sluice_store::{
    NewPrincipal, Page, PageRequest, Principal, PrincipalKind, Workspace, WorkspaceRole,
};

impl App {
    pub async fn workspace(&self, caller: &Caller) -> AppResult<Workspace> {
        self.authorize(caller, Permission::WorkspaceGet, None)
            .await?;
        Ok(self.store.workspace().await?)
    }

    pub async fn update_workspace(
        &self,
        caller: &Caller,
        name: Option<&str>,
        signup_open: Option<bool>,
    ) -> AppResult<Workspace> {
        self.authorize(caller, Permission::WorkspaceUpdate, None)
            .await?;
        let name = name.map(|n| validate::title("name", n)).transpose()?;
        self.audited(
            caller,
            "workspace.update",
            "workspace",
            json!({"name": name, "signup_open": signup_open}),
            async {
                Ok(self
                    .store
                    .update_workspace(name.as_deref(), signup_open)
                    .await?)
            },
        )
        .await
    }

    pub async fn list_users(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> AppResult<Page<Principal>> {
        self.authorize(caller, Permission::UsersList, None).await?;
        Ok(self
            .store
            .list_principals(PrincipalKind::EndUser, page)
            .await?)
    }

    /// A user by id: Owners see anyone; everyone sees themselves.
    pub async fn user(&self, caller: &Caller, id: i64) -> AppResult<Principal> {
        if id != caller.id() {
            self.authorize(caller, Permission::UsersGet, None).await?;
        }
        Ok(self.store.principal(id).await?)
    }

    pub async fn create_user(
        &self,
        caller: &Caller,
        email: &str,
        name: &str,
        password: &str,
        role: WorkspaceRole,
    ) -> AppResult<Principal> {
        self.authorize(caller, Permission::UsersCreate, None)
            .await?;
        let email = validate::email("email", email)?;
        let name = validate::title("name", name)?;
        validate::password("password", password)?;
        let hash = hash_password(password).await?;
        let new = NewPrincipal {
            kind: PrincipalKind::EndUser,
            email: email.clone(),
            name,
            password_hash: Some(hash),
            role,
        };
        self.audited(
            caller,
            "users.create",
            &format!("users/{email}"),
            json!({"email": email, "role": role}),
            async { Ok(self.store.create_principal(&new).await?) },
        )
        .await
    }

    /// Change a user's role or name. The last active Owner cannot be demoted.
    pub async fn update_user(
        &self,
        caller: &Caller,
        id: i64,
        role: Option<WorkspaceRole>,
        name: Option<&str>,
    ) -> AppResult<Principal> {
        self.authorize(caller, Permission::UsersUpdate, None)
            .await?;
        let name = name.map(|n| validate::title("name", n)).transpose()?;
        let target = self.modifiable_principal(id).await?;
        self.audited(
            caller,
            "users.update",
            &format!("users/{id}"),
            json!({"role": role, "name": name}),
            async {
                if let Some(role) = role {
                    if target.role == WorkspaceRole::Owner
                        && role != WorkspaceRole::Owner
                        && target.active
                    {
                        self.ensure_another_owner().await?;
                    }
                    self.store.set_principal_role(id, role).await?;
                }
                Ok(self
                    .store
                    .update_principal(id, name.as_deref(), None, None)
                    .await?)
            },
        )
        .await
    }

    /// Deactivate a user or service account: it can no longer log in and
    /// its sessions and tokens end at once. Its history stays.
    pub async fn deactivate_user(&self, caller: &Caller, id: i64) -> AppResult<Principal> {
        self.authorize(caller, Permission::UsersDelete, None)
            .await?;
        let target = self.modifiable_principal(id).await?;
        self.audited(
            caller,
            "users.delete",
            &format!("users/{id}"),
            json!({"email": target.email}),
            async {
                if target.role == WorkspaceRole::Owner
                    && target.active
                    && target.kind == PrincipalKind::EndUser
                {
                    self.ensure_another_owner().await?;
                }
                let principal = self
                    .store
                    .update_principal(id, None, Some(false), None)
                    .await?;
                self.store.delete_tokens_of(id).await?;
                Ok(principal)
            },
        )
        .await
    }

    /// Reactivate a deactivated user.
    pub async fn reactivate_user(&self, caller: &Caller, id: i64) -> AppResult<Principal> {
        self.authorize(caller, Permission::UsersUpdate, None)
            .await?;
        self.modifiable_principal(id).await?;
        self.audited(
            caller,
            "users.undelete",
            &format!("users/{id}"),
            json!({}),
            async {
                Ok(self
                    .store
                    .update_principal(id, None, Some(true), None)
                    .await?)
            },
        )
        .await
    }

    pub async fn list_service_accounts(
        &self,
        caller: &Caller,
        page: PageRequest,
    ) -> AppResult<Page<Principal>> {
        self.authorize(caller, Permission::ServiceAccountsList, None)
            .await?;
        Ok(self
            .store
            .list_principals(PrincipalKind::ServiceAccount, page)
            .await?)
    }

    /// Create a service account and its token, which is shown only now.
    pub async fn create_service_account(
        &self,
        caller: &Caller,
        email: &str,
        name: &str,
        role: WorkspaceRole,
    ) -> AppResult<Session> {
        self.authorize(caller, Permission::ServiceAccountsCreate, None)
            .await?;
        let email = validate::email("email", email)?;
        let name = validate::title("name", name)?;
        let new = NewPrincipal {
            kind: PrincipalKind::ServiceAccount,
            email: email.clone(),
            name,
            password_hash: None,
            role,
        };
        self.audited(
            caller,
            "service-accounts.create",
            &format!("users/{email}"),
            json!({"email": email, "role": role}),
            async {
                let principal = self.store.create_principal(&new).await?;
                self.issue_service_token(principal).await
            },
        )
        .await
    }

    /// The system bot is nobody's to edit.
    async fn modifiable_principal(&self, id: i64) -> AppResult<Principal> {
        let target = self.store.principal(id).await?;
        if target.kind == PrincipalKind::SystemBot {
            return Err(AppError::FailedPrecondition(
                "the system bot cannot be changed".into(),
            ));
        }
        Ok(target)
    }

    async fn ensure_another_owner(&self) -> AppResult<()> {
        if self.store.count_active_owners().await? <= 1 {
            return Err(AppError::FailedPrecondition(
                "this is the last active workspace Owner: make someone else Owner first".into(),
            ));
        }
        Ok(())
    }
}
