//! Instances and how Sluice reaches them. Passwords are sealed here, before
//! the store sees them, and never leave this crate in clear.

use crate::{App, AppError, AppResult, Caller, Permission, validate};
use serde_json::json;
use sluice_store::{
    DataSource, DataSourceKind, Engine, Instance, InstanceUpdate, NewInstance, TlsMode,
};

/// A data source as typed by a person; `None` means "not given".
#[derive(Debug, Clone, Default)]
pub struct DataSourceInput {
    pub host: Option<String>,
    pub port: Option<i64>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub database: Option<String>,
    pub tls_mode: Option<TlsMode>,
}

#[derive(Debug, Clone)]
pub struct InstanceInput {
    pub id: String,
    pub title: String,
    pub engine: Engine,
    pub environment: String,
    pub admin: DataSourceInput,
    pub read_only: Option<DataSourceInput>,
}

#[derive(Debug, Clone, Default)]
pub struct InstancePatch {
    pub title: Option<String>,
    pub environment: Option<String>,
    /// Fields of the admin data source to change; a missing password keeps
    /// the stored one, an empty one removes it.
    pub admin: DataSourceInput,
    /// `Some(None)` removes the read-only data source.
    pub read_only: Option<Option<DataSourceInput>>,
    /// How often the background sync visits the instance (60 s to 1 day).
    pub sync_interval_secs: Option<i64>,
}

impl App {
    pub async fn list_instances(
        &self,
        caller: &Caller,
        show_archived: bool,
    ) -> AppResult<Vec<Instance>> {
        self.authorize(caller, Permission::InstancesGet, None)
            .await?;
        Ok(self.store.list_instances(show_archived).await?)
    }

    pub async fn instance(&self, caller: &Caller, id: &str) -> AppResult<Instance> {
        self.authorize(caller, Permission::InstancesGet, None)
            .await?;
        Ok(self.store.instance(id).await?)
    }

    pub async fn create_instance(
        &self,
        caller: &Caller,
        input: InstanceInput,
    ) -> AppResult<Instance> {
        self.authorize(caller, Permission::InstancesCreate, None)
            .await?;
        validate::resource_id("id", &input.id)?;
        let title = validate::title("title", &input.title)?;
        validate::resource_id("environment", &input.environment)?;
        let admin = self.data_source(input.engine, DataSourceKind::Admin, None, &input.admin)?;
        let mut data_sources = vec![admin.clone()];
        if let Some(ro) = &input.read_only {
            data_sources.push(self.data_source(
                input.engine,
                DataSourceKind::ReadOnly,
                Some(&admin),
                ro,
            )?);
        }
        let new = NewInstance {
            id: input.id.clone(),
            title,
            engine: input.engine,
            environment_id: input.environment,
            data_sources,
        };
        let detail = json!({"title": new.title, "engine": new.engine, "environment": new.environment_id, "host": admin.host, "port": admin.port});
        self.audited(
            caller,
            "instances.create",
            &format!("instances/{}", new.id),
            detail,
            async { Ok(self.store.create_instance(&new).await?) },
        )
        .await
    }

    pub async fn update_instance(
        &self,
        caller: &Caller,
        id: &str,
        patch: InstancePatch,
    ) -> AppResult<Instance> {
        self.authorize(caller, Permission::InstancesUpdate, None)
            .await?;
        let current = self.store.instance(id).await?;
        let title = patch
            .title
            .as_deref()
            .map(|t| validate::title("title", t))
            .transpose()?;
        if let Some(secs) = patch.sync_interval_secs
            && !(60..=86_400).contains(&secs)
        {
            return Err(AppError::invalid(
                "sync_interval_secs",
                "must be between 60 and 86400 seconds",
            ));
        }
        if let Some(env) = &patch.environment {
            validate::resource_id("environment", env)?;
        }
        let old_admin = current.data_source(DataSourceKind::Admin).cloned();
        let admin = self.data_source(
            current.engine,
            DataSourceKind::Admin,
            old_admin.as_ref(),
            &patch.admin,
        )?;
        let read_only = match &patch.read_only {
            None => current.data_source(DataSourceKind::ReadOnly).cloned(),
            Some(None) => None,
            Some(Some(ro)) => {
                let base = current
                    .data_source(DataSourceKind::ReadOnly)
                    .cloned()
                    .unwrap_or_else(|| DataSource {
                        kind: DataSourceKind::ReadOnly,
                        password_sealed: String::new(),
                        ..admin.clone()
                    });
                Some(self.data_source(current.engine, DataSourceKind::ReadOnly, Some(&base), ro)?)
            }
        };
        let data_sources = std::iter::once(admin.clone()).chain(read_only).collect();
        let update = InstanceUpdate {
            title,
            environment_id: patch.environment.clone(),
            engine_version: None,
            sync_interval_secs: patch.sync_interval_secs,
            data_sources: Some(data_sources),
        };
        let detail = json!({
            "title": update.title, "environment": update.environment_id, "host": patch.admin.host, "port": patch.admin.port,
            "username": patch.admin.username, "password_changed": patch.admin.password.is_some(),
        });
        self.audited(
            caller,
            "instances.update",
            &format!("instances/{id}"),
            detail,
            async { Ok(self.store.update_instance(id, &update).await?) },
        )
        .await
    }

    pub async fn archive_instance(
        &self,
        caller: &Caller,
        id: &str,
        archived: bool,
    ) -> AppResult<Instance> {
        self.authorize(caller, Permission::InstancesDelete, None)
            .await?;
        let action = if archived {
            "instances.delete"
        } else {
            "instances.undelete"
        };
        self.audited(
            caller,
            action,
            &format!("instances/{id}"),
            json!({}),
            async {
                if !archived {
                    let instance = self.store.instance(id).await?;
                    let env = self.store.environment(&instance.environment_id).await?;
                    if env.archived {
                        return Err(AppError::FailedPrecondition(format!(
                            "environment {} is archived: restore it first",
                            env.id
                        )));
                    }
                }
                Ok(self.store.set_instance_archived(id, archived).await?)
            },
        )
        .await
    }

    /// The password of a data source in clear, for the engines only.
    pub fn data_source_password(&self, ds: &DataSource) -> AppResult<String> {
        self.secrets
            .open(&ds.password_sealed)
            .map_err(AppError::Internal)
    }

    /// Merge typed fields onto `base` (or the engine's defaults), validate,
    /// and seal the password.
    pub(crate) fn data_source(
        &self,
        engine: Engine,
        kind: DataSourceKind,
        base: Option<&DataSource>,
        input: &DataSourceInput,
    ) -> AppResult<DataSource> {
        let prefix = match kind {
            DataSourceKind::Admin => "",
            DataSourceKind::ReadOnly => "read_only.",
        };
        let field = |name: &str| format!("{prefix}{name}");
        let mut ds = base.cloned().unwrap_or(DataSource {
            kind,
            host: String::new(),
            port: 0,
            username: String::new(),
            password_sealed: String::new(),
            database_name: String::new(),
            tls_mode: TlsMode::Prefer,
        });
        ds.kind = kind;
        if let Some(host) = &input.host {
            ds.host = validate::text(&field("host"), host, 255)?;
        }
        if let Some(port) = input.port {
            if !(1..=65535).contains(&port) {
                return Err(AppError::invalid(
                    &field("port"),
                    format!("{port} is not a port: use 1 to 65535"),
                ));
            }
            ds.port = port;
        }
        if let Some(username) = &input.username {
            ds.username = validate::text(&field("username"), username, 255)?;
        }
        if let Some(database) = &input.database {
            ds.database_name = validate::text(&field("database"), database, 1024)?;
        }
        if let Some(tls) = input.tls_mode {
            ds.tls_mode = tls;
        }
        if let Some(password) = &input.password {
            if password.chars().count() > 1024 {
                return Err(AppError::invalid(
                    &field("password"),
                    "must be at most 1024 characters",
                ));
            }
            ds.password_sealed = self.secrets.seal(password).map_err(AppError::Internal)?;
        }
        match engine.default_port() {
            Some(default_port) => {
                if ds.host.is_empty() {
                    return Err(AppError::invalid(
                        &field("host"),
                        format!("is required for {engine}"),
                    ));
                }
                if ds.host.contains(['/', ' ', '@']) {
                    return Err(AppError::invalid(
                        &field("host"),
                        "must be a host name or IP address",
                    ));
                }
                if ds.port == 0 {
                    ds.port = i64::from(default_port);
                }
            }
            None => {
                if !ds.host.is_empty() || ds.port != 0 {
                    return Err(AppError::invalid(
                        &field("host"),
                        "SQLite instances have no host or port: give the file path as database",
                    ));
                }
                if ds.database_name.is_empty() {
                    return Err(AppError::invalid(
                        &field("database"),
                        "is required for SQLITE: the path of the database file",
                    ));
                }
            }
        }
        Ok(ds)
    }
}
