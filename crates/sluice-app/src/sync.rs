//! Reaching instances: testing a connection and syncing the list of
//! databases. The sealed password is opened here, handed to the engine for
//! one call, and dropped.

use crate::instances::InstanceInput;
use crate::{App, AppError, AppResult, Caller, Permission, validate};
use serde::Serialize;
use serde_json::json;
use sluice_engine::{ConnectionConfig, Engine, EngineError, EngineKind, ErrorKind, Tls};
use sluice_store::{DataSource, DataSourceKind, DatabaseFilter, PageRequest, SyncState, TlsMode};
use std::collections::BTreeSet;

/// The answer to "can Sluice reach this instance?", meant for people.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectionVerdict {
    pub ok: bool,
    /// What kind of failure, when it failed (UNREACHABLE, TLS, AUTHENTICATION_FAILED, ...).
    pub kind: Option<ErrorKind>,
    pub message: String,
    /// The detected flavour and version, when it connected.
    pub flavor: Option<EngineKind>,
    pub version: Option<String>,
}

impl ConnectionVerdict {
    fn from(result: Result<sluice_engine::ServerInfo, EngineError>) -> ConnectionVerdict {
        match result {
            Ok(info) => ConnectionVerdict {
                ok: true,
                kind: None,
                message: format!("connected: {} {}", flavor_name(info.flavor), info.version),
                flavor: Some(info.flavor),
                version: Some(info.version),
            },
            Err(err) => ConnectionVerdict {
                ok: false,
                kind: Some(err.kind),
                message: err.message,
                flavor: None,
                version: None,
            },
        }
    }
}

fn flavor_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::Postgres => "PostgreSQL",
        EngineKind::Mysql => "MySQL",
        EngineKind::Mariadb => "MariaDB",
        EngineKind::Sqlite => "SQLite",
    }
}

/// What an instance sync found.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    pub version: String,
    /// Databases seen for the first time (they land in the default project).
    pub added: Vec<String>,
    /// Databases Sluice knew that the instance no longer has.
    pub missing: Vec<String>,
    /// All databases the instance has now.
    pub databases: Vec<String>,
}

impl App {
    /// How the engines reach a data source, with its password opened.
    pub fn connection_config(
        &self,
        engine: sluice_store::Engine,
        ds: &DataSource,
    ) -> AppResult<ConnectionConfig> {
        let kind = match engine {
            sluice_store::Engine::Postgres => EngineKind::Postgres,
            sluice_store::Engine::Mysql => EngineKind::Mysql,
            sluice_store::Engine::Mariadb => EngineKind::Mariadb,
            sluice_store::Engine::Sqlite => EngineKind::Sqlite,
        };
        let mut config = ConnectionConfig::new(kind);
        config.host = ds.host.clone();
        config.port = u16::try_from(ds.port).unwrap_or(0);
        config.username = ds.username.clone();
        config.password = self.data_source_password(ds)?;
        config.database = ds.database_name.clone();
        config.tls = match ds.tls_mode {
            TlsMode::Disable => Tls::Disable,
            TlsMode::Prefer => Tls::Prefer,
            TlsMode::Require => Tls::Require,
        };
        Ok(config)
    }

    /// The engine that reaches an instance through its admin data source.
    pub async fn admin_engine(&self, instance: &sluice_store::Instance) -> AppResult<Engine> {
        let ds = instance.data_source(DataSourceKind::Admin).ok_or_else(|| {
            AppError::FailedPrecondition(format!(
                "instance {} has no admin data source",
                instance.id
            ))
        })?;
        Ok(Engine::new(self.connection_config(instance.engine, ds)?))
    }

    /// Test an instance's admin (and read-only, if any) data source; on
    /// success the engine version is stored.
    pub async fn test_instance(&self, caller: &Caller, id: &str) -> AppResult<ConnectionVerdict> {
        self.authorize(caller, Permission::InstancesSync, None)
            .await?;
        let instance = self.store.instance(id).await?;
        let mut verdict = ConnectionVerdict::from(self.admin_engine(&instance).await?.test().await);
        if verdict.ok
            && let Some(ro) = instance.data_source(DataSourceKind::ReadOnly)
        {
            let ro = ConnectionVerdict::from(
                Engine::new(self.connection_config(instance.engine, ro)?)
                    .test()
                    .await,
            );
            if !ro.ok {
                verdict = ConnectionVerdict {
                    message: format!(
                        "admin connects, but the read-only data source fails: {}",
                        ro.message
                    ),
                    ..ro
                };
            }
        }
        // A test is not a sync: it records the version, not a sync time,
        // so the background sync still comes when it is due.
        if let (true, Some(version)) = (verdict.ok, &verdict.version) {
            let update = sluice_store::InstanceUpdate {
                engine_version: Some(version.clone()),
                ..Default::default()
            };
            self.store.update_instance(id, &update).await?;
        }
        self.record(
            caller,
            "instances.test",
            &format!("instances/{id}"),
            outcome(verdict.ok),
            json!({"ok": verdict.ok, "kind": verdict.kind}),
        )
        .await;
        Ok(verdict)
    }

    /// Test connection settings before an instance is created.
    pub async fn test_connection(
        &self,
        caller: &Caller,
        input: &InstanceInput,
    ) -> AppResult<ConnectionVerdict> {
        self.authorize(caller, Permission::InstancesCreate, None)
            .await?;
        let admin = self.data_source(input.engine, DataSourceKind::Admin, None, &input.admin)?;
        Ok(ConnectionVerdict::from(
            Engine::new(self.connection_config(input.engine, &admin)?)
                .test()
                .await,
        ))
    }

    /// Discover the instance's databases: new ones land in the default
    /// project, ones that disappeared are marked NOT_FOUND (never deleted:
    /// their history stays).
    pub async fn sync_instance(&self, caller: &Caller, id: &str) -> AppResult<SyncReport> {
        self.authorize(caller, Permission::InstancesSync, None)
            .await?;
        let instance = self.store.instance(id).await?;
        if instance.archived {
            return Err(AppError::FailedPrecondition(format!(
                "instance {id} is archived: restore it first"
            )));
        }
        self.audited(
            caller,
            "instances.sync",
            &format!("instances/{id}"),
            json!({}),
            async {
                let engine = self.admin_engine(&instance).await?;
                let found = async {
                    Ok::<_, EngineError>((engine.test().await?, engine.list_databases().await?))
                }
                .await;
                let (info, names) = match found {
                    Ok(found) => found,
                    Err(err) => {
                        self.store
                            .record_instance_sync(id, None, &err.message)
                            .await?;
                        return Err(AppError::Upstream(format!(
                            "cannot sync instance {id}: {}",
                            err.message
                        )));
                    }
                };
                let filter = DatabaseFilter {
                    instance_id: Some(id.to_string()),
                    ..Default::default()
                };
                let known = self
                    .store
                    .list_databases(&filter, PageRequest::ALL)
                    .await?
                    .items;
                let known_names: BTreeSet<&str> = known.iter().map(|d| d.name.as_str()).collect();
                let now: BTreeSet<&str> = names.iter().map(String::as_str).collect();
                let mut report = SyncReport {
                    version: info.version.clone(),
                    added: Vec::new(),
                    missing: Vec::new(),
                    databases: names.clone(),
                };
                for name in &names {
                    validate::text("database", name, 1024)?;
                    if !known_names.contains(name.as_str()) {
                        report.added.push(name.clone());
                    }
                    self.store.upsert_database(id, name).await?;
                }
                for db in &known {
                    if !now.contains(db.name.as_str()) {
                        report.missing.push(db.name.clone());
                        self.store
                            .set_database_sync_state(id, &db.name, SyncState::NotFound)
                            .await?;
                    }
                }
                self.store
                    .record_instance_sync(id, Some(&info.version), "")
                    .await?;
                Ok(report)
            },
        )
        .await
    }
}

fn outcome(ok: bool) -> sluice_store::Outcome {
    if ok {
        sluice_store::Outcome::Success
    } else {
        sluice_store::Outcome::Failed
    }
}

/// The last inspected schema of a database.
#[derive(Debug, Clone)]
pub struct DatabaseSchema {
    pub catalog: sluice_schema::Catalog,
    pub ddl: String,
    pub synced_at: i64,
}

impl App {
    /// Inspect a database's schema now and keep it (model and DDL dump).
    pub async fn sync_database(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
    ) -> AppResult<DatabaseSchema> {
        let db = self.store.database(instance, name).await?;
        self.authorize(caller, Permission::DatabasesSync, Some(&db.project_id))
            .await?;
        let inst = self.store.instance(instance).await?;
        self.audited(
            caller,
            "databases.sync",
            &format!("instances/{instance}/databases/{name}"),
            json!({}),
            async {
                let engine = self.admin_engine(&inst).await?;
                let drift_probe = self.drift_probe(db.id).await;
                let catalog = match engine.inspect(name).await {
                    Ok(catalog) => catalog,
                    Err(err) => {
                        self.store
                            .record_schema_sync(db.id, Err(&err.message))
                            .await?;
                        return Err(AppError::Upstream(format!(
                            "cannot inspect {name} on {instance}: {}",
                            err.message
                        )));
                    }
                };
                let json = serde_json::to_string(&catalog)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let ddl = sluice_schema::render::ddl(&catalog);
                self.store
                    .record_schema_sync(db.id, Ok((&json, &ddl)))
                    .await?;
                self.check_drift(caller, &db, &catalog, drift_probe).await;
                Ok(DatabaseSchema {
                    catalog,
                    ddl,
                    synced_at: sluice_store::now_ms(),
                })
            },
        )
        .await
    }

    /// The schema kept at the last sync; NotFound when never synced.
    pub async fn database_schema(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
    ) -> AppResult<DatabaseSchema> {
        let db = self.database(caller, instance, name).await?;
        let snapshot = self.store.schema_snapshot(db.id).await?.ok_or_else(|| {
            AppError::NotFound(format!(
                "a synced schema of database {name} (sync it first)"
            ))
        })?;
        let catalog = serde_json::from_str(&snapshot.catalog)
            .map_err(|e| AppError::Internal(format!("stored schema: {e}")))?;
        Ok(DatabaseSchema {
            catalog,
            ddl: snapshot.ddl,
            synced_at: snapshot.synced_at,
        })
    }

    /// Create a database on an instance; it lands in the default project.
    pub async fn create_database(
        &self,
        caller: &Caller,
        instance: &str,
        name: &str,
        options: &sluice_engine::CreateDatabaseOptions,
    ) -> AppResult<sluice_store::Database> {
        self.authorize(caller, Permission::DatabasesCreate, None)
            .await?;
        let inst = self.store.instance(instance).await?;
        if inst.archived {
            return Err(AppError::FailedPrecondition(format!(
                "instance {instance} is archived"
            )));
        }
        validate::text("name", name, 64)?;
        if name.trim().is_empty() || name != name.trim() {
            return Err(AppError::invalid(
                "name",
                "must not be empty or start or end with spaces",
            ));
        }
        let detail = json!({"name": name, "options": options});
        self.audited(
            caller,
            "databases.create",
            &format!("instances/{instance}/databases/{name}"),
            detail,
            async {
                let engine = self.admin_engine(&inst).await?;
                engine
                    .create_database(name, options)
                    .await
                    .map_err(|err| match err.kind {
                        ErrorKind::InvalidInput => AppError::invalid("options", err.message),
                        ErrorKind::Query => AppError::FailedPrecondition(format!(
                            "cannot create database {name}: {}",
                            err.message
                        )),
                        ErrorKind::PermissionDenied => AppError::FailedPrecondition(format!(
                            "the instance's admin user may not create databases: {}",
                            err.message
                        )),
                        _ => AppError::Upstream(format!(
                            "cannot create database {name} on {instance}: {}",
                            err.message
                        )),
                    })?;
                Ok(self.store.upsert_database(instance, name).await?)
            },
        )
        .await
    }
}
