//! Environments: the ordered stages of delivery (test, staging, prod).

use crate::{App, AppError, AppResult, Caller, Permission, validate};
use serde_json::json;
use sluice_store::{Environment, EnvironmentPolicy, PolicyRole, Rollout};

/// Fields of an environment's policy to change; the rest stay.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyPatch {
    pub approval_required: Option<bool>,
    pub approver_roles: Option<Vec<PolicyRole>>,
    pub rollout: Option<Rollout>,
    pub rollout_roles: Option<Vec<PolicyRole>>,
}

impl PolicyPatch {
    pub fn is_empty(&self) -> bool {
        self.approval_required.is_none()
            && self.approver_roles.is_none()
            && self.rollout.is_none()
            && self.rollout_roles.is_none()
    }
}

impl App {
    pub async fn list_environments(
        &self,
        caller: &Caller,
        show_archived: bool,
    ) -> AppResult<Vec<Environment>> {
        self.authorize(caller, Permission::EnvironmentsGet, None)
            .await?;
        Ok(self.store.list_environments(show_archived).await?)
    }

    pub async fn environment(&self, caller: &Caller, id: &str) -> AppResult<Environment> {
        self.authorize(caller, Permission::EnvironmentsGet, None)
            .await?;
        Ok(self.store.environment(id).await?)
    }

    pub async fn create_environment(
        &self,
        caller: &Caller,
        id: &str,
        title: &str,
        protected: bool,
    ) -> AppResult<Environment> {
        self.authorize(caller, Permission::EnvironmentsCreate, None)
            .await?;
        validate::resource_id("id", id)?;
        let title = validate::title("title", title)?;
        self.audited(
            caller,
            "environments.create",
            &format!("environments/{id}"),
            json!({"title": title, "protected": protected}),
            async { Ok(self.store.create_environment(id, &title, protected).await?) },
        )
        .await
    }

    pub async fn update_environment(
        &self,
        caller: &Caller,
        id: &str,
        title: Option<&str>,
        protected: Option<bool>,
    ) -> AppResult<Environment> {
        self.authorize(caller, Permission::EnvironmentsUpdate, None)
            .await?;
        let title = title.map(|t| validate::title("title", t)).transpose()?;
        self.audited(
            caller,
            "environments.update",
            &format!("environments/{id}"),
            json!({"title": title, "protected": protected}),
            async {
                Ok(self
                    .store
                    .update_environment(id, title.as_deref(), protected)
                    .await?)
            },
        )
        .await
    }

    /// Archive an environment. One that still holds instances cannot go:
    /// its instances would have nowhere to belong.
    pub async fn archive_environment(&self, caller: &Caller, id: &str) -> AppResult<Environment> {
        self.authorize(caller, Permission::EnvironmentsDelete, None)
            .await?;
        self.audited(caller, "environments.delete", &format!("environments/{id}"), json!({}), async {
            self.store.environment(id).await?;
            let instances = self.store.count_instances_in(id).await?;
            if instances > 0 {
                return Err(AppError::FailedPrecondition(format!(
                    "environment {id} still has {instances} instance(s): move or archive them first"
                )));
            }
            Ok(self.store.set_environment_archived(id, true).await?)
        })
        .await
    }

    pub async fn restore_environment(&self, caller: &Caller, id: &str) -> AppResult<Environment> {
        self.authorize(caller, Permission::EnvironmentsDelete, None)
            .await?;
        self.audited(
            caller,
            "environments.undelete",
            &format!("environments/{id}"),
            json!({}),
            async { Ok(self.store.set_environment_archived(id, false).await?) },
        )
        .await
    }

    pub async fn reorder_environments(
        &self,
        caller: &Caller,
        ids: &[String],
    ) -> AppResult<Vec<Environment>> {
        self.authorize(caller, Permission::EnvironmentsUpdate, None)
            .await?;
        self.audited(
            caller,
            "environments.reorder",
            "environments",
            json!({"ids": ids}),
            async {
                self.store
                    .reorder_environments(ids)
                    .await
                    .map_err(|e| match e {
                        sluice_store::StoreError::FailedPrecondition(why) => {
                            AppError::invalid("ids", why)
                        }
                        other => other.into(),
                    })
            },
        )
        .await
    }

    /// Change an environment's approval and rollout policy. A policy that
    /// would leave nobody able to approve or start a rollout is refused.
    pub async fn update_environment_policy(
        &self,
        caller: &Caller,
        id: &str,
        patch: &PolicyPatch,
    ) -> AppResult<Environment> {
        self.authorize(caller, Permission::EnvironmentsUpdate, None)
            .await?;
        let current = self.store.environment(id).await?.policy();
        let roles = |field: &str,
                     given: &Option<Vec<PolicyRole>>,
                     now: &[PolicyRole]|
         -> AppResult<Vec<PolicyRole>> {
            let mut roles = given.clone().unwrap_or_else(|| now.to_vec());
            roles.sort_by_key(|r| r.as_str());
            roles.dedup();
            if roles.is_empty() {
                return Err(AppError::invalid(
                    field,
                    "name at least one role, or nobody could act",
                ));
            }
            Ok(roles)
        };
        let policy = EnvironmentPolicy {
            approval_required: patch.approval_required.unwrap_or(current.approval_required),
            approver_roles: roles(
                "approver_roles",
                &patch.approver_roles,
                &current.approver_roles,
            )?,
            rollout: patch.rollout.unwrap_or(current.rollout),
            rollout_roles: roles(
                "rollout_roles",
                &patch.rollout_roles,
                &current.rollout_roles,
            )?,
        };
        self.audited(
            caller,
            "environments.update-policy",
            &format!("environments/{id}"),
            json!({"policy": policy}),
            async {
                let env = self.store.set_environment_policy(id, Some(&policy)).await?;
                self.wake_runner();
                Ok(env)
            },
        )
        .await
    }
}
