//! Databases: which project each belongs to, and its labels.

use crate::{App, AppError, AppResult, Caller, Permission, validate};
use serde_json::json;
use sluice_store::{Database, DatabaseFilter, Labels, Page, PageRequest};

impl App {
    /// Databases the caller may see: all for Owner and DBA, otherwise those
    /// of the caller's projects.
    pub async fn list_databases(
        &self,
        caller: &Caller,
        mut filter: DatabaseFilter,
        page: PageRequest,
    ) -> AppResult<Page<Database>> {
        filter.member = (!caller.can_everywhere(Permission::DatabasesGet)).then(|| caller.id());
        Ok(self.store.list_databases(&filter, page).await?)
    }

    pub async fn database(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
    ) -> AppResult<Database> {
        let db = self.store.database(instance, name).await?;
        self.authorize(caller, Permission::DatabasesGet, Some(&db.project_id))
            .await?;
        Ok(db)
    }

    /// Move a database to another project (the caller must be allowed to
    /// manage databases in both) and/or replace its labels.
    pub async fn update_database(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
        project: Option<&str>,
        labels: Option<Labels>,
    ) -> AppResult<Database> {
        let db = self.store.database(instance, name).await?;
        self.authorize(caller, Permission::DatabasesUpdate, Some(&db.project_id))
            .await?;
        if let Some(project) = project {
            validate::resource_id("project", project)?;
            let target = self.store.project(project).await.map_err(|_| {
                AppError::invalid("project", format!("project {project} does not exist"))
            })?;
            if target.archived {
                return Err(AppError::invalid(
                    "project",
                    format!("project {project} is archived"),
                ));
            }
            self.authorize(caller, Permission::DatabasesUpdate, Some(project))
                .await?;
        }
        if let Some(labels) = &labels {
            validate_labels(labels)?;
        }
        let detail = json!({"project": project, "labels": labels});
        self.audited(
            caller,
            "databases.update",
            &format!("instances/{instance}/databases/{name}"),
            detail,
            async {
                Ok(self
                    .store
                    .update_database(instance, name, project, labels.as_ref())
                    .await?)
            },
        )
        .await
    }
}

/// At most 64 labels; keys like resource ids (63 chars), values up to 255.
fn validate_labels(labels: &Labels) -> AppResult<()> {
    if labels.0.len() > 64 {
        return Err(AppError::invalid("labels", "at most 64 labels"));
    }
    for (key, value) in &labels.0 {
        validate::resource_id("labels", key)?;
        validate::text(&format!("labels.{key}"), value, 255)?;
    }
    Ok(())
}

impl App {
    /// A database's changelog, newest first.
    pub async fn list_changelogs(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
        page: PageRequest,
    ) -> AppResult<Page<sluice_store::Changelog>> {
        let db = self.store.database(instance, name).await?;
        self.authorize(caller, Permission::ChangelogsGet, Some(&db.project_id))
            .await?;
        Ok(self.store.list_changelogs(db.id, page).await?)
    }

    /// One changelog entry of a database.
    pub async fn changelog(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
        id: i64,
    ) -> AppResult<sluice_store::Changelog> {
        let db = self.store.database(instance, name).await?;
        self.authorize(caller, Permission::ChangelogsGet, Some(&db.project_id))
            .await?;
        let entry = self.store.changelog(id).await?;
        if entry.db_id != db.id {
            return Err(AppError::NotFound(format!(
                "changelog entry {id} of database {name}"
            )));
        }
        Ok(entry)
    }
}
