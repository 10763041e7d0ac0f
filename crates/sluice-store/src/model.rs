//! The records the store keeps. Plain data; rules about them live in
//! sluice-app.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An upper-case text enumeration kept as TEXT in the store.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parse the upper-case spelling used in the API and the store.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(text: String) -> Result<$name, String> {
                $name::parse(&text).ok_or_else(|| format!("unknown {} {text:?}", stringify!($name)))
            }
        }
    };
}

text_enum!(
    /// Who acts: a person, a CI service account, or the system bot (id 1).
    PrincipalKind { EndUser = "END_USER", ServiceAccount = "SERVICE_ACCOUNT", SystemBot = "SYSTEM_BOT" }
);
text_enum!(
    /// Roles over the whole workspace.
    WorkspaceRole { Owner = "OWNER", Dba = "DBA", Developer = "DEVELOPER" }
);
text_enum!(
    /// Roles inside one project.
    ProjectRole { Owner = "OWNER", Developer = "DEVELOPER" }
);
text_enum!(
    /// The database engines Sluice speaks to.
    Engine { Postgres = "POSTGRES", Mysql = "MYSQL", Mariadb = "MARIADB", Sqlite = "SQLITE" }
);
text_enum!(
    /// What a data source is for: ADMIN runs changes and sync, READ_ONLY queries.
    DataSourceKind { Admin = "ADMIN", ReadOnly = "READ_ONLY" }
);
text_enum!(
    /// Whether to encrypt the connection to an instance.
    TlsMode { Disable = "DISABLE", Prefer = "PREFER", Require = "REQUIRE" }
);
text_enum!(
    /// A browser session or a long-lived service-account token.
    TokenKind { Session = "SESSION", ServiceAccount = "SERVICE_ACCOUNT" }
);
text_enum!(
    /// Whether a database was seen at the last instance sync.
    SyncState { Ok = "OK", NotFound = "NOT_FOUND" }
);
text_enum!(
    /// How an audited action ended.
    Outcome { Success = "SUCCESS", Denied = "DENIED", Failed = "FAILED" }
);

impl Engine {
    /// The port a server of this engine listens on unless told otherwise.
    pub fn default_port(self) -> Option<u16> {
        match self {
            Engine::Postgres => Some(5432),
            Engine::Mysql | Engine::Mariadb => Some(3306),
            Engine::Sqlite => None,
        }
    }
}

/// The single workspace row.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Workspace {
    pub name: String,
    pub signup_open: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A principal with its workspace role.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Principal {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: PrincipalKind,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub active: bool,
    #[sqlx(try_from = "String")]
    pub role: WorkspaceRole,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A principal to create.
#[derive(Debug, Clone)]
pub struct NewPrincipal {
    pub kind: PrincipalKind,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub role: WorkspaceRole,
}

/// A session or token, found by the SHA-256 of its secret.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthToken {
    pub token_hash: String,
    pub principal_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: TokenKind,
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Environment {
    pub id: String,
    pub title: String,
    pub position: i64,
    pub protected: bool,
    /// The approval and rollout policy as stored: `{}` until one is set.
    /// Read it through [`Environment::policy`].
    #[sqlx(rename = "policy")]
    pub policy_json: String,
    /// The SQL review config attached to the environment, if any.
    pub review_config_id: Option<String>,
    pub archived: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

text_enum!(
    /// Who a policy lets approve or start a rollout: a workspace role, or a
    /// role in the issue's project.
    PolicyRole {
        WorkspaceOwner = "WORKSPACE_OWNER", WorkspaceDba = "WORKSPACE_DBA",
        ProjectOwner = "PROJECT_OWNER", ProjectDeveloper = "PROJECT_DEVELOPER",
    }
);
text_enum!(
    /// Whether an environment's stage starts by itself or by a person.
    Rollout { Automatic = "AUTOMATIC", Manual = "MANUAL" }
);

/// An environment's approval and rollout policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentPolicy {
    pub approval_required: bool,
    /// Who may approve when approval is required.
    pub approver_roles: Vec<PolicyRole>,
    pub rollout: Rollout,
    /// Who may start a MANUAL rollout.
    pub rollout_roles: Vec<PolicyRole>,
}

impl EnvironmentPolicy {
    /// The policy of an environment nobody has set one for: a protected
    /// environment needs a DBA's or Owner's approval and a manual start by
    /// a DBA, Owner or project Owner; any other needs neither.
    pub fn default_for(protected: bool) -> EnvironmentPolicy {
        use PolicyRole::*;
        if protected {
            EnvironmentPolicy {
                approval_required: true,
                approver_roles: vec![WorkspaceOwner, WorkspaceDba],
                rollout: Rollout::Manual,
                rollout_roles: vec![WorkspaceOwner, WorkspaceDba, ProjectOwner],
            }
        } else {
            EnvironmentPolicy {
                approval_required: false,
                approver_roles: vec![WorkspaceOwner, WorkspaceDba, ProjectOwner],
                rollout: Rollout::Automatic,
                rollout_roles: vec![WorkspaceOwner, WorkspaceDba, ProjectOwner, ProjectDeveloper],
            }
        }
    }
}

impl Environment {
    /// The environment's policy: the stored one, or the default for its
    /// protection while none is set (or the stored one cannot be read).
    pub fn policy(&self) -> EnvironmentPolicy {
        serde_json::from_str(&self.policy_json)
            .unwrap_or_else(|_| EnvironmentPolicy::default_for(self.protected))
    }

    /// Whether a policy was set explicitly rather than defaulted.
    pub fn has_custom_policy(&self) -> bool {
        serde_json::from_str::<EnvironmentPolicy>(&self.policy_json).is_ok()
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Instance {
    pub id: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub engine: Engine,
    pub environment_id: String,
    pub engine_version: String,
    /// When the last sync ended, and its error (empty when it succeeded).
    pub synced_at: Option<i64>,
    pub sync_error: String,
    /// How often the background sync visits this instance.
    pub sync_interval_secs: i64,
    pub archived: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Filled from the data_source table, not the instance row.
    #[sqlx(skip)]
    pub data_sources: Vec<DataSource>,
}

impl Instance {
    pub fn data_source(&self, kind: DataSourceKind) -> Option<&DataSource> {
        self.data_sources.iter().find(|ds| ds.kind == kind)
    }
}

/// How to reach an instance. `password_sealed` is ciphertext made by
/// sluice-app's secret box; the store never sees a password in clear.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DataSource {
    #[sqlx(try_from = "String")]
    pub kind: DataSourceKind,
    pub host: String,
    pub port: i64,
    pub username: String,
    pub password_sealed: String,
    pub database_name: String,
    #[sqlx(try_from = "String")]
    pub tls_mode: TlsMode,
}

#[derive(Debug, Clone)]
pub struct NewInstance {
    pub id: String,
    pub title: String,
    pub engine: Engine,
    pub environment_id: String,
    pub data_sources: Vec<DataSource>,
}

/// Fields of an instance to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct InstanceUpdate {
    pub title: Option<String>,
    pub environment_id: Option<String>,
    pub engine_version: Option<String>,
    pub sync_interval_secs: Option<i64>,
    /// Replace the data sources wholesale (the app merges the edits).
    pub data_sources: Option<Vec<DataSource>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Project {
    pub id: String,
    pub title: String,
    pub key: String,
    pub is_default: bool,
    pub archived: bool,
    /// Whether an issue's creator may approve it.
    pub allow_self_approval: bool,
    /// The SQL review config attached to the project, if any (an
    /// environment's own config wins over it).
    pub review_config_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectMember {
    pub project_id: String,
    pub principal_id: i64,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: ProjectRole,
}

/// Labels on a database: key → value, kept sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Labels(pub BTreeMap<String, String>);

impl TryFrom<String> for Labels {
    type Error = serde_json::Error;
    fn try_from(text: String) -> Result<Labels, serde_json::Error> {
        serde_json::from_str(&text)
    }
}

impl Labels {
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".into())
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Database {
    pub id: i64,
    pub instance_id: String,
    pub name: String,
    pub project_id: String,
    #[sqlx(try_from = "String")]
    pub labels: Labels,
    #[sqlx(try_from = "String")]
    pub sync_state: SyncState,
    pub synced_at: Option<i64>,
    /// The error of the last schema sync (empty when it succeeded).
    pub sync_error: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Joined from the instance.
    pub environment_id: String,
    #[sqlx(try_from = "String")]
    pub engine: Engine,
}

/// The last inspected schema of a database.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SchemaSnapshot {
    pub db_id: i64,
    /// The neutral model (sluice-schema's Catalog) as JSON.
    pub catalog: String,
    pub ddl: String,
    pub synced_at: i64,
}

/// Which databases to list; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct DatabaseFilter {
    pub instance_id: Option<String>,
    pub project_id: Option<String>,
    pub environment_id: Option<String>,
    /// Only databases of projects this principal is a member of.
    pub member: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub principal_id: i64,
    pub actor_email: String,
    pub action: String,
    pub resource: String,
    #[sqlx(try_from = "String")]
    pub outcome: Outcome,
    pub detail: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub principal_id: i64,
    pub action: String,
    pub resource: String,
    pub outcome: Outcome,
    /// JSON object with what changed; never secrets.
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub principal_id: Option<i64>,
    pub action: Option<String>,
    pub resource: Option<String>,
}

// ---------------------------------------------------------------- issues and pipelines

text_enum!(
    /// What an issue does.
    IssueType { CreateDatabase = "CREATE_DATABASE", SchemaChange = "SCHEMA_CHANGE", DataChange = "DATA_CHANGE" }
);
text_enum!(
    /// Where an issue stands (DESIGN.md section 4).
    IssueStatus { Open = "OPEN", Done = "DONE", Canceled = "CANCELED" }
);
text_enum!(
    /// Whether an issue needs, awaits or has an approval.
    ApprovalStatus { NotRequired = "NOT_REQUIRED", Pending = "PENDING", Approved = "APPROVED", Rejected = "REJECTED" }
);
text_enum!(
    /// How dangerous an issue's statements are, as computed by the app.
    RiskLevel { Low = "LOW", Moderate = "MODERATE", High = "HIGH" }
);
text_enum!(
    /// What a task does; the same words as the issue types.
    TaskType { CreateDatabase = "CREATE_DATABASE", SchemaChange = "SCHEMA_CHANGE", DataChange = "DATA_CHANGE" }
);
text_enum!(
    /// Where a task stands (DESIGN.md section 4).
    TaskStatus {
        NotStarted = "NOT_STARTED", Pending = "PENDING", Running = "RUNNING", Done = "DONE",
        Failed = "FAILED", Canceled = "CANCELED", Skipped = "SKIPPED",
    }
);
text_enum!(
    /// Where one attempt at a task stands.
    TaskRunStatus { Pending = "PENDING", Running = "RUNNING", Done = "DONE", Failed = "FAILED", Canceled = "CANCELED" }
);
text_enum!(
    /// Which check a plan check run is.
    PlanCheckKind {
        Syntax = "SYNTAX", StatementType = "STATEMENT_TYPE", Risk = "RISK", DryRun = "DRY_RUN",
        SqlReview = "SQL_REVIEW",
    }
);
text_enum!(
    /// Whether a plan check ran to the end (its results say what it found).
    PlanCheckStatus { Running = "RUNNING", Done = "DONE", Failed = "FAILED" }
);
text_enum!(
    /// The worst finding of a plan check; ERROR blocks the task.
    PlanCheckLevel { Success = "SUCCESS", Warning = "WARNING", Error = "ERROR" }
);
text_enum!(
    /// What a changelog entry records.
    ChangelogType { Baseline = "BASELINE", Migrate = "MIGRATE", Data = "DATA" }
);
text_enum!(
    /// Whether a recorded change is applied (PENDING only while it runs on
    /// engines whose DDL commits implicitly).
    ChangelogStatus { Pending = "PENDING", Done = "DONE", Failed = "FAILED" }
);
text_enum!(
    /// An entry of an issue's timeline.
    ActivityKind {
        Created = "CREATED", Updated = "UPDATED", ChecksDone = "CHECKS_DONE",
        ApprovalRequested = "APPROVAL_REQUESTED", Approved = "APPROVED", Rejected = "REJECTED",
        ApprovalWithdrawn = "APPROVAL_WITHDRAWN", StageStarted = "STAGE_STARTED",
        TaskStarted = "TASK_STARTED", TaskFailed = "TASK_FAILED", TaskDone = "TASK_DONE",
        TaskSkipped = "TASK_SKIPPED", TaskCanceled = "TASK_CANCELED", Done = "DONE",
        Canceled = "CANCELED", Reopened = "REOPENED", Commented = "COMMENTED",
        ChecksOverridden = "CHECKS_OVERRIDDEN",
    }
);

// The state machines. Each `match` names every state, without a catch-all
// arm, so a new state does not compile until its moves are decided.

impl IssueStatus {
    /// OPEN → DONE | CANCELED; CANCELED → OPEN (reopen). DONE is final.
    pub fn can_move_to(self, next: IssueStatus) -> bool {
        use IssueStatus::*;
        match self {
            Open => match next {
                Done | Canceled => true,
                Open => false,
            },
            Canceled => match next {
                Open => true,
                Done | Canceled => false,
            },
            Done => match next {
                Open | Done | Canceled => false,
            },
        }
    }
}

impl TaskStatus {
    /// DESIGN.md section 4: NOT_STARTED → PENDING → RUNNING → DONE | FAILED
    /// | CANCELED; FAILED | CANCELED → PENDING (retry); NOT_STARTED | FAILED
    /// | CANCELED → SKIPPED. One addition: PENDING → CANCELED, so a queued
    /// task can be withdrawn before a worker claims it. DONE and SKIPPED
    /// are final.
    pub fn can_move_to(self, next: TaskStatus) -> bool {
        use TaskStatus::*;
        match self {
            NotStarted => match next {
                Pending | Skipped => true,
                NotStarted | Running | Done | Failed | Canceled => false,
            },
            Pending => match next {
                Running | Canceled => true,
                NotStarted | Pending | Done | Failed | Skipped => false,
            },
            Running => match next {
                Done | Failed | Canceled => true,
                NotStarted | Pending | Running | Skipped => false,
            },
            Failed | Canceled => match next {
                Pending | Skipped => true,
                NotStarted | Running | Done | Failed | Canceled => false,
            },
            Done | Skipped => match next {
                NotStarted | Pending | Running | Done | Failed | Canceled | Skipped => false,
            },
        }
    }

    /// No move leaves this state.
    pub fn is_final(self) -> bool {
        TaskStatus::ALL.iter().all(|&next| !self.can_move_to(next))
    }
}

impl TaskRunStatus {
    /// PENDING → RUNNING → DONE | FAILED | CANCELED. One addition: PENDING
    /// → CANCELED, for a run withdrawn before it started.
    pub fn can_move_to(self, next: TaskRunStatus) -> bool {
        use TaskRunStatus::*;
        match self {
            Pending => match next {
                Running | Canceled => true,
                Pending | Done | Failed => false,
            },
            Running => match next {
                Done | Failed | Canceled => true,
                Pending | Running => false,
            },
            Done | Failed | Canceled => match next {
                Pending | Running | Done | Failed | Canceled => false,
            },
        }
    }
}

impl ApprovalStatus {
    /// PENDING → APPROVED | REJECTED; APPROVED | REJECTED → PENDING (the
    /// SQL changed: the approval is withdrawn and asked again); NOT_REQUIRED
    /// ↔ PENDING (the policy that applies changed).
    pub fn can_move_to(self, next: ApprovalStatus) -> bool {
        use ApprovalStatus::*;
        match self {
            NotRequired => match next {
                Pending => true,
                NotRequired | Approved | Rejected => false,
            },
            Pending => match next {
                NotRequired | Approved | Rejected => true,
                Pending => false,
            },
            Approved | Rejected => match next {
                Pending => true,
                NotRequired | Approved | Rejected => false,
            },
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Issue {
    pub id: i64,
    pub project_id: String,
    /// 1, 2, 3, … within the project.
    pub number: i64,
    pub title: String,
    pub description: String,
    #[sqlx(rename = "type", try_from = "String")]
    pub issue_type: IssueType,
    #[sqlx(try_from = "String")]
    pub status: IssueStatus,
    #[sqlx(try_from = "String")]
    pub risk: RiskLevel,
    pub creator_id: i64,
    pub assignee_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub approval_status: ApprovalStatus,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An issue to file with its whole pipeline. The app decides the stages,
/// their order and the tasks; the store writes them as given.
#[derive(Debug, Clone)]
pub struct NewIssue {
    pub project_id: String,
    pub title: String,
    pub description: String,
    pub issue_type: IssueType,
    pub risk: RiskLevel,
    pub creator_id: i64,
    pub assignee_id: Option<i64>,
    pub approval_status: ApprovalStatus,
    pub subscribers: Vec<i64>,
    /// In rollout order; positions are given 1, 2, 3, … in this order.
    pub stages: Vec<NewStage>,
}

#[derive(Debug, Clone)]
pub struct NewStage {
    pub environment_id: String,
    pub tasks: Vec<NewTask>,
}

#[derive(Debug, Clone)]
pub struct NewTask {
    /// None for CREATE_DATABASE.
    pub db_id: Option<i64>,
    pub instance_id: String,
    pub task_type: TaskType,
    pub statement: String,
    pub version: String,
    /// Type-specific options (JSON object).
    pub payload: serde_json::Value,
    /// NOT_STARTED, or PENDING when the task may start at once.
    pub status: TaskStatus,
}

/// Which issues to list; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct IssueFilter {
    pub project_id: Option<String>,
    pub status: Option<IssueStatus>,
    pub issue_type: Option<IssueType>,
    pub creator_id: Option<i64>,
    /// Only issues with a task on this database.
    pub db_id: Option<i64>,
    /// Only issues of projects this principal is a member of.
    pub member: Option<i64>,
}

/// Fields of an issue to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct IssueUpdate {
    pub title: Option<String>,
    pub description: Option<String>,
    pub risk: Option<RiskLevel>,
    /// `Some(None)` clears the assignee.
    pub assignee_id: Option<Option<i64>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pipeline {
    pub id: i64,
    pub issue_id: i64,
    pub created_at: i64,
    /// Filled from the stage table, in order.
    #[sqlx(skip)]
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Stage {
    pub id: i64,
    pub pipeline_id: i64,
    pub environment_id: String,
    pub position: i64,
    /// Filled from the task table, by id.
    #[sqlx(skip)]
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub pipeline_id: i64,
    pub stage_id: i64,
    /// Joined from the pipeline and the stage.
    pub issue_id: i64,
    pub environment_id: String,
    pub db_id: Option<i64>,
    pub instance_id: String,
    /// Joined from the database (None for CREATE_DATABASE).
    pub database_name: Option<String>,
    #[sqlx(rename = "type", try_from = "String")]
    pub task_type: TaskType,
    pub statement: String,
    pub version: String,
    /// JSON object.
    pub payload: String,
    #[sqlx(try_from = "String")]
    pub status: TaskStatus,
    pub skip_reason: String,
    /// Who asked for the task to run (1, the system bot, for automatic
    /// starts); None while nobody has.
    pub run_requested_by: Option<i64>,
    /// Who overrode the task's blocking checks, why and when; cleared when
    /// its SQL changes.
    pub checks_overridden_by: Option<i64>,
    pub checks_override_reason: String,
    pub checks_overridden_at: Option<i64>,
    pub claimed_by: Option<String>,
    pub lease_expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a claim on a task got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The task was PENDING and is now RUNNING under this worker's lease.
    Started,
    /// The task was RUNNING under a lease that expired; this worker holds
    /// it now and must resolve it from the target's history before
    /// anything runs again.
    TakenOver,
    /// Another task is RUNNING on the same database; try again later.
    Busy,
    /// Another worker holds it, or it is in no state to be claimed.
    Lost,
}

/// A worker's end of a task: the task's outcome, its run's result and
/// log, and the changelog entry of what was applied, written together.
#[derive(Debug, Clone)]
pub struct TaskOutcome {
    pub task_id: i64,
    pub worker: String,
    pub run_id: i64,
    /// DONE, FAILED or CANCELED; the run ends with the same word.
    pub status: TaskStatus,
    pub result: String,
    pub log: serde_json::Value,
    pub changelog: Option<NewChangelog>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskRun {
    pub id: i64,
    pub task_id: i64,
    pub attempt: i64,
    #[sqlx(try_from = "String")]
    pub status: TaskRunStatus,
    pub creator_id: i64,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub result: String,
    /// Statement-level log, a JSON array.
    pub log: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanCheckRun {
    pub id: i64,
    pub task_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: PlanCheckKind,
    #[sqlx(try_from = "String")]
    pub status: PlanCheckStatus,
    #[sqlx(try_from = "String")]
    pub level: PlanCheckLevel,
    /// JSON array of findings.
    pub results: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewPlanCheckRun {
    pub task_id: i64,
    pub kind: PlanCheckKind,
    pub status: PlanCheckStatus,
    pub level: PlanCheckLevel,
    pub results: serde_json::Value,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Changelog {
    pub id: i64,
    pub db_id: i64,
    pub version: String,
    #[sqlx(rename = "type", try_from = "String")]
    pub changelog_type: ChangelogType,
    pub statement: String,
    pub checksum: String,
    pub schema_before: String,
    pub schema_after: String,
    pub issue_id: Option<i64>,
    pub task_run_id: Option<i64>,
    pub creator_id: i64,
    #[sqlx(try_from = "String")]
    pub status: ChangelogStatus,
    pub duration_ms: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewChangelog {
    pub db_id: i64,
    pub version: String,
    pub changelog_type: ChangelogType,
    pub statement: String,
    pub checksum: String,
    pub schema_before: String,
    pub schema_after: String,
    pub issue_id: Option<i64>,
    pub task_run_id: Option<i64>,
    pub creator_id: i64,
    pub status: ChangelogStatus,
    pub duration_ms: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IssueComment {
    pub id: i64,
    pub issue_id: i64,
    pub principal_id: i64,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IssueActivity {
    pub id: i64,
    pub issue_id: i64,
    pub principal_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: ActivityKind,
    /// JSON object.
    pub payload: String,
    pub created_at: i64,
}

/// A named SQL review policy that environments and projects may use.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReviewConfig {
    pub id: String,
    pub title: String,
    /// The policy document (`sluice_lint::Policy::from_json`), validated by
    /// the app before it is stored.
    pub policy: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Where a review config is in use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewConfigUse {
    /// Environment ids, archived ones included.
    pub environments: Vec<String>,
    /// Project ids, archived ones included.
    pub projects: Vec<String>,
}

impl ReviewConfigUse {
    pub fn is_empty(&self) -> bool {
        self.environments.is_empty() && self.projects.is_empty()
    }

    /// "environments prod, staging and project shop".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match self.environments.as_slice() {
            [] => {}
            [one] => parts.push(format!("environment {one}")),
            many => parts.push(format!("environments {}", many.join(", "))),
        }
        match self.projects.as_slice() {
            [] => {}
            [one] => parts.push(format!("project {one}")),
            many => parts.push(format!("projects {}", many.join(", "))),
        }
        parts.join(" and ")
    }
}
