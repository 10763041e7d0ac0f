//! What the API answers: JSON views of the records. Secrets have no field
//! here, so no answer can carry one.

use serde::Serialize;
use sluice_store::{
    AuditEntry, Changelog, DataSource, Database, Environment, Instance, IssueActivity,
    IssueComment, PolicyRole, Principal, Project, ProjectMember, Workspace,
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
    /// The approval and rollout policy in force.
    pub policy: PolicyView,
    /// True while no policy was set: `policy` is then the default for
    /// `protected` and follows it.
    pub policy_is_default: bool,
    /// The SQL review config attached here, if any.
    pub review_config: Option<String>,
    pub archived: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// An environment's approval and rollout policy.
#[derive(Serialize, ToSchema)]
pub struct PolicyView {
    pub approval_required: bool,
    /// Who may approve: WORKSPACE_OWNER, WORKSPACE_DBA, PROJECT_OWNER, PROJECT_DEVELOPER.
    pub approver_roles: Vec<String>,
    /// AUTOMATIC or MANUAL.
    pub rollout: String,
    /// Who may start, retry, skip or cancel tasks (the same role words).
    pub rollout_roles: Vec<String>,
}

fn role_names(roles: &[PolicyRole]) -> Vec<String> {
    roles.iter().map(|r| r.as_str().to_string()).collect()
}

impl From<&Environment> for EnvironmentView {
    fn from(e: &Environment) -> EnvironmentView {
        let policy = e.policy();
        EnvironmentView {
            id: e.id.clone(),
            title: e.title.clone(),
            order: e.position,
            protected: e.protected,
            policy: PolicyView {
                approval_required: policy.approval_required,
                approver_roles: role_names(&policy.approver_roles),
                rollout: policy.rollout.to_string(),
                rollout_roles: role_names(&policy.rollout_roles),
            },
            policy_is_default: !e.has_custom_policy(),
            review_config: e.review_config_id.clone(),
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
    /// Whether an issue's creator may approve it.
    pub allow_self_approval: bool,
    /// The SQL review config attached to the project, if any.
    pub review_config: Option<String>,
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
            allow_self_approval: p.allow_self_approval,
            review_config: p.review_config_id.clone(),
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

/// Who did something: a person, a service account or the system bot.
#[derive(Serialize, ToSchema)]
pub struct PrincipalView {
    pub id: i64,
    pub name: String,
    pub email: String,
}

impl From<&sluice_app::issues::PrincipalRef> for PrincipalView {
    fn from(p: &sluice_app::issues::PrincipalRef) -> PrincipalView {
        PrincipalView {
            id: p.id,
            name: p.name.clone(),
            email: p.email.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CommentView {
    pub id: i64,
    pub author: PrincipalView,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
}

impl CommentView {
    pub fn new(c: &IssueComment, author: &sluice_app::issues::PrincipalRef) -> CommentView {
        CommentView {
            id: c.id,
            author: author.into(),
            body: c.body.clone(),
            created_at: timestamp(c.created_at),
            updated_at: timestamp(c.updated_at),
        }
    }
}

/// One step of an issue's timeline.
#[derive(Serialize, ToSchema)]
pub struct ActivityView {
    pub id: i64,
    /// CREATED, UPDATED, CHECKS_DONE, APPROVAL_REQUESTED, APPROVED,
    /// APPROVAL_WITHDRAWN, STAGE_STARTED, TASK_STARTED, TASK_FAILED,
    /// TASK_DONE, TASK_SKIPPED, TASK_CANCELED, CANCELED, DONE, COMMENTED, ...
    pub kind: String,
    /// What happened, by kind (e.g. `{task_id, target, reason}`).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub actor: PrincipalView,
    pub created_at: String,
}

impl ActivityView {
    pub fn new(a: &IssueActivity, actor: &sluice_app::issues::PrincipalRef) -> ActivityView {
        let payload = serde_json::from_str(&a.payload)
            .ok()
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| serde_json::json!({}));
        ActivityView {
            id: a.id,
            kind: a.kind.to_string(),
            payload,
            actor: actor.into(),
            created_at: timestamp(a.created_at),
        }
    }
}

/// A changelog entry in a list (without its SQL and schemas).
#[derive(Serialize, ToSchema)]
pub struct ChangelogSummaryView {
    pub id: i64,
    pub version: String,
    /// BASELINE, MIGRATE or DATA.
    #[serde(rename = "type")]
    pub changelog_type: String,
    /// PENDING, DONE or FAILED.
    pub status: String,
    /// Of the statement as applied.
    pub checksum: String,
    /// The internal id of the issue that made the change, if any.
    pub issue_id: Option<i64>,
    pub task_run_id: Option<i64>,
    /// The principal who asked for the change.
    pub creator_id: i64,
    pub duration_ms: i64,
    pub created_at: String,
}

impl From<&Changelog> for ChangelogSummaryView {
    fn from(c: &Changelog) -> ChangelogSummaryView {
        ChangelogSummaryView {
            id: c.id,
            version: c.version.clone(),
            changelog_type: c.changelog_type.to_string(),
            status: c.status.to_string(),
            checksum: c.checksum.clone(),
            issue_id: c.issue_id,
            task_run_id: c.task_run_id,
            creator_id: c.creator_id,
            duration_ms: c.duration_ms,
            created_at: timestamp(c.created_at),
        }
    }
}

/// A whole changelog entry.
#[derive(Serialize, ToSchema)]
pub struct ChangelogView {
    #[serde(flatten)]
    pub summary: ChangelogSummaryView,
    pub statement: String,
    /// The database's schema before and after the change, as stored.
    pub schema_before: String,
    pub schema_after: String,
    /// The plan that undoes a schema change, when one was computed.
    pub reverse: Option<super::rollback::ReverseView>,
}

impl From<&Changelog> for ChangelogView {
    fn from(c: &Changelog) -> ChangelogView {
        ChangelogView {
            summary: c.into(),
            statement: c.statement.clone(),
            schema_before: c.schema_before.clone(),
            schema_after: c.schema_after.clone(),
            reverse: None,
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
list_view!(CommentList, comments, CommentView);
list_view!(ActivityList, activity, ActivityView);
list_view!(ChangelogList, changelogs, ChangelogSummaryView);
