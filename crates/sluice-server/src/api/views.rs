//! What the API answers: JSON views of the records. Secrets have no field
//! here, so no answer can carry one.

use serde::Serialize;
use sluice_store::{
    AuditEntry, DataSource, Database, Environment, Instance, Principal, Project, ProjectMember,
    Workspace,
};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// RFC 3339 (UTC, milliseconds) from the store's Unix milliseconds.
pub fn timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// END_USER, SERVICE_ACCOUNT or SYSTEM_BOT.
    pub kind: String,
    /// OWNER, DBA or DEVELOPER.
    pub role: String,
    pub active: bool,
    pub created_at: String,
}

impl From<&Principal> for UserView {
    fn from(p: &Principal) -> UserView {
        UserView {
            id: p.id,
            email: p.email.clone(),
            name: p.name.clone(),
            kind: p.kind.to_string(),
            role: p.role.to_string(),
            active: p.active,
            created_at: timestamp(p.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    /// Send as `Authorization: Bearer <token>`. Shown only once.
    pub token: String,
    pub user: UserView,
}

#[derive(Serialize, ToSchema)]
pub struct WorkspaceView {
    pub name: String,
    pub signup_open: bool,
}

impl From<&Workspace> for WorkspaceView {
    fn from(w: &Workspace) -> WorkspaceView {
        WorkspaceView {
            name: w.name.clone(),
            signup_open: w.signup_open,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct EnvironmentView {
    pub id: String,
    pub title: String,
    pub order: i64,
    pub protected: bool,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Environment> for EnvironmentView {
    fn from(e: &Environment) -> EnvironmentView {
        EnvironmentView {
            id: e.id.clone(),
            title: e.title.clone(),
            order: e.position,
            protected: e.protected,
            archived: e.archived,
            created_at: timestamp(e.created_at),
            updated_at: timestamp(e.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DataSourceView {
    /// ADMIN or READ_ONLY.
    pub kind: String,
    pub host: String,
    pub port: i64,
    pub username: String,
    pub database: String,
    pub tls_mode: String,
    /// Whether a password is stored (it is never returned).
    pub has_password: bool,
}

impl From<&DataSource> for DataSourceView {
    fn from(ds: &DataSource) -> DataSourceView {
        DataSourceView {
            kind: ds.kind.to_string(),
            host: ds.host.clone(),
            port: ds.port,
            username: ds.username.clone(),
            database: ds.database_name.clone(),
            tls_mode: ds.tls_mode.to_string(),
            has_password: !ds.password_sealed.is_empty(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstanceView {
    pub id: String,
    pub title: String,
    pub engine: String,
    pub environment: String,
    pub engine_version: String,
    /// When the last sync or connection test ended, and its error if it failed.
    pub synced_at: Option<String>,
    pub sync_error: String,
    pub sync_interval_secs: i64,
    pub data_sources: Vec<DataSourceView>,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Instance> for InstanceView {
    fn from(i: &Instance) -> InstanceView {
        InstanceView {
            id: i.id.clone(),
            title: i.title.clone(),
            engine: i.engine.to_string(),
            environment: i.environment_id.clone(),
            engine_version: i.engine_version.clone(),
            synced_at: i.synced_at.map(timestamp),
            sync_error: i.sync_error.clone(),
            sync_interval_secs: i.sync_interval_secs,
            data_sources: i.data_sources.iter().map(DataSourceView::from).collect(),
            archived: i.archived,
            created_at: timestamp(i.created_at),
            updated_at: timestamp(i.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProjectView {
    pub id: String,
    pub title: String,
    pub key: String,
    pub is_default: bool,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Project> for ProjectView {
    fn from(p: &Project) -> ProjectView {
        ProjectView {
            id: p.id.clone(),
            title: p.title.clone(),
            key: p.key.clone(),
            is_default: p.is_default,
            archived: p.archived,
            created_at: timestamp(p.created_at),
            updated_at: timestamp(p.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    /// OWNER or DEVELOPER.
    pub role: String,
}

impl From<&ProjectMember> for MemberView {
    fn from(m: &ProjectMember) -> MemberView {
        MemberView {
            user_id: m.principal_id,
            email: m.email.clone(),
            name: m.name.clone(),
            role: m.role.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DatabaseView {
    pub instance: String,
    pub name: String,
    pub project: String,
    pub environment: String,
    pub engine: String,
    pub labels: BTreeMap<String, String>,
    /// OK or NOT_FOUND (gone at the last instance sync).
    pub sync_state: String,
    pub synced_at: Option<String>,
    /// The error of the last schema sync; empty when it succeeded.
    pub sync_error: String,
}

impl From<&Database> for DatabaseView {
    fn from(d: &Database) -> DatabaseView {
        DatabaseView {
            instance: d.instance_id.clone(),
            name: d.name.clone(),
            project: d.project_id.clone(),
            environment: d.environment_id.clone(),
            engine: d.engine.to_string(),
            labels: d.labels.0.clone(),
            sync_state: d.sync_state.to_string(),
            synced_at: d.synced_at.map(timestamp),
            sync_error: d.sync_error.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditLogView {
    pub id: i64,
    pub actor: i64,
    pub actor_email: String,
    pub action: String,
    pub resource: String,
    /// SUCCESS, DENIED or FAILED.
    pub outcome: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub created_at: String,
}

impl From<&AuditEntry> for AuditLogView {
    fn from(a: &AuditEntry) -> AuditLogView {
        AuditLogView {
            id: a.id,
            actor: a.principal_id,
            actor_email: a.actor_email.clone(),
            action: a.action.clone(),
            resource: a.resource.clone(),
            outcome: a.outcome.to_string(),
            detail: serde_json::from_str(&a.detail).unwrap_or_default(),
            created_at: timestamp(a.created_at),
        }
    }
}

/// Whether Sluice can reach an instance, in words.
#[derive(Serialize, ToSchema)]
pub struct ConnectionVerdictView {
    pub ok: bool,
    /// UNREACHABLE, TLS, AUTHENTICATION_FAILED, DATABASE_MISSING, PERMISSION_DENIED, UNSUPPORTED_VERSION, ...
    pub kind: Option<String>,
    pub message: String,
    /// The detected flavour: POSTGRES, MYSQL, MARIADB or SQLITE.
    pub flavor: Option<String>,
    pub version: Option<String>,
}

impl From<sluice_app::ConnectionVerdict> for ConnectionVerdictView {
    fn from(v: sluice_app::ConnectionVerdict) -> ConnectionVerdictView {
        let name = |value: serde_json::Value| value.as_str().map(str::to_string);
        ConnectionVerdictView {
            ok: v.ok,
            kind: v
                .kind
                .and_then(|k| name(serde_json::to_value(k).unwrap_or_default())),
            message: v.message,
            flavor: v
                .flavor
                .and_then(|f| name(serde_json::to_value(f).unwrap_or_default())),
            version: v.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SyncReportView {
    pub version: String,
    /// Databases seen for the first time; they land in the default project.
    pub added: Vec<String>,
    /// Databases that disappeared from the instance (marked NOT_FOUND).
    pub missing: Vec<String>,
    pub databases: Vec<String>,
}

impl From<sluice_app::SyncReport> for SyncReportView {
    fn from(r: sluice_app::SyncReport) -> SyncReportView {
        SyncReportView {
            version: r.version,
            added: r.added,
            missing: r.missing,
            databases: r.databases,
        }
    }
}

macro_rules! list_view {
    ($name:ident, $field:ident, $item:ty) => {
        #[derive(Serialize, ToSchema)]
        pub struct $name {
            pub $field: Vec<$item>,
            /// Pass as `page_token` for the next page; empty on the last.
            pub next_page_token: String,
        }
    };
}

list_view!(UserList, users, UserView);
list_view!(ServiceAccountList, service_accounts, UserView);
list_view!(EnvironmentList, environments, EnvironmentView);
list_view!(InstanceList, instances, InstanceView);
list_view!(ProjectList, projects, ProjectView);
list_view!(MemberList, members, MemberView);
list_view!(DatabaseList, databases, DatabaseView);
list_view!(AuditLogList, audit_logs, AuditLogView);
