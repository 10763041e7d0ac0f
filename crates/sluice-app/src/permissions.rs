//! Roles are named sets of permissions, kept in the two tables below and
//! nowhere else. A workspace role grants its permissions everywhere; a
//! project role grants its permissions inside that one project.

use crate::Caller;
use sluice_store::{ProjectRole, WorkspaceRole};

macro_rules! permissions {
    ($($variant:ident = $name:literal),+ $(,)?) => {
        /// Something a caller may be allowed to do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Permission { $($variant),+ }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),+];

            /// The permission's stable name, as shown in the API and docs.
            pub fn name(self) -> &'static str {
                match self { $(Permission::$variant => $name),+ }
            }
        }
    };
}

permissions! {
    WorkspaceGet = "workspace.get",
    WorkspaceUpdate = "workspace.update",
    UsersList = "users.list",
    UsersGet = "users.get",
    UsersCreate = "users.create",
    UsersUpdate = "users.update",
    UsersDelete = "users.delete",
    ServiceAccountsList = "service-accounts.list",
    ServiceAccountsCreate = "service-accounts.create",
    EnvironmentsGet = "environments.get",
    EnvironmentsCreate = "environments.create",
    EnvironmentsUpdate = "environments.update",
    EnvironmentsDelete = "environments.delete",
    InstancesGet = "instances.get",
    InstancesCreate = "instances.create",
    InstancesUpdate = "instances.update",
    InstancesDelete = "instances.delete",
    InstancesSync = "instances.sync",
    ProjectsCreate = "projects.create",
    ProjectsGet = "projects.get",
    ProjectsUpdate = "projects.update",
    ProjectsDelete = "projects.delete",
    ProjectMembersGet = "projects.members.get",
    ProjectMembersUpdate = "projects.members.update",
    DatabasesGet = "databases.get",
    DatabasesUpdate = "databases.update",
    DatabasesSync = "databases.sync",
    DatabasesCreate = "databases.create",
    DatabasesDriftAccept = "databases.drift.accept",
    AuditLogsList = "audit-logs.list",
    IssuesGet = "issues.get",
    IssuesCreate = "issues.create",
    IssuesUpdate = "issues.update",
    IssuesComment = "issues.comment",
    ChangelogsGet = "changelogs.get",
    ReviewConfigsGet = "review-configs.get",
    ReviewConfigsManage = "review-configs.manage",
}

use Permission::*;

/// What each workspace role may do anywhere.
#[rustfmt::skip]
pub const WORKSPACE_ROLES: &[(WorkspaceRole, &[Permission])] = &[
    (WorkspaceRole::Owner, &[
        WorkspaceGet, WorkspaceUpdate,
        UsersList, UsersGet, UsersCreate, UsersUpdate, UsersDelete, ServiceAccountsList, ServiceAccountsCreate,
        EnvironmentsGet, EnvironmentsCreate, EnvironmentsUpdate, EnvironmentsDelete,
        InstancesGet, InstancesCreate, InstancesUpdate, InstancesDelete, InstancesSync,
        ProjectsCreate, ProjectsGet, ProjectsUpdate, ProjectsDelete, ProjectMembersGet, ProjectMembersUpdate,
        DatabasesGet, DatabasesUpdate, DatabasesSync, DatabasesCreate, DatabasesDriftAccept,
        AuditLogsList,
        IssuesGet, IssuesCreate, IssuesUpdate, IssuesComment, ChangelogsGet,
        ReviewConfigsGet, ReviewConfigsManage,
    ]),
    (WorkspaceRole::Dba, &[
        WorkspaceGet,
        EnvironmentsGet, EnvironmentsCreate, EnvironmentsUpdate, EnvironmentsDelete,
        InstancesGet, InstancesCreate, InstancesUpdate, InstancesDelete, InstancesSync,
        ProjectsCreate, ProjectsGet, ProjectsUpdate, ProjectsDelete, ProjectMembersGet, ProjectMembersUpdate,
        DatabasesGet, DatabasesUpdate, DatabasesSync, DatabasesCreate, DatabasesDriftAccept,
        AuditLogsList,
        IssuesGet, IssuesCreate, IssuesUpdate, IssuesComment, ChangelogsGet,
        ReviewConfigsGet, ReviewConfigsManage,
    ]),
    (WorkspaceRole::Developer, &[WorkspaceGet, EnvironmentsGet, InstancesGet, ProjectsCreate, ReviewConfigsGet]),
];

/// What each project role may do inside its project.
///
/// Approving an issue and starting, retrying, skipping or cancelling its
/// tasks are not in these tables: the environment's policy names the roles
/// that may (`crate::issues::policy`), on top of `issues.get`.
#[rustfmt::skip]
pub const PROJECT_ROLES: &[(ProjectRole, &[Permission])] = &[
    (ProjectRole::Owner, &[
        ProjectsGet, ProjectsUpdate, ProjectsDelete, ProjectMembersGet, ProjectMembersUpdate,
        DatabasesGet, DatabasesUpdate, DatabasesSync,
        IssuesGet, IssuesCreate, IssuesUpdate, IssuesComment, ChangelogsGet,
    ]),
    (ProjectRole::Developer, &[
        ProjectsGet, ProjectMembersGet, DatabasesGet, DatabasesSync,
        IssuesGet, IssuesCreate, IssuesUpdate, IssuesComment, ChangelogsGet,
    ]),
];

pub fn workspace_grants(role: WorkspaceRole, permission: Permission) -> bool {
    WORKSPACE_ROLES
        .iter()
        .any(|(r, perms)| *r == role && perms.contains(&permission))
}

pub fn project_grants(role: ProjectRole, permission: Permission) -> bool {
    PROJECT_ROLES
        .iter()
        .any(|(r, perms)| *r == role && perms.contains(&permission))
}

/// Whether the caller may do `permission`, in `project` when it is scoped
/// to one. The single place where access is decided.
pub fn allows(caller: &Caller, permission: Permission, project_role: Option<ProjectRole>) -> bool {
    workspace_grants(caller.role(), permission)
        || project_role.is_some_and(|role| project_grants(role, permission))
}
