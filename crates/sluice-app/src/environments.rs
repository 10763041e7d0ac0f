//! Environments: the ordered stages of delivery (test, staging, prod).

use crate::{App, AppError, AppResult, Caller, Permission, validate};
use serde_json::json;
use sluice_store::Environment;

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
}
