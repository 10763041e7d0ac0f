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
    pub archived: bool,
    pub created_at: i64,
    pub updated_at: i64,
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
