//! Who may approve an issue or start its tasks, and when a task may run.
//! Both are decided by the policy of the environment a task's stage
//! rolls out to, on top of the `issues.get` permission.

use crate::Caller;
use sluice_store::{
    ApprovalStatus, Environment, EnvironmentPolicy, Issue, IssueStatus, PlanCheckKind,
    PlanCheckLevel, PlanCheckRun, PlanCheckStatus, PolicyRole, ProjectRole, Stage, Task,
    TaskStatus, TaskType, WorkspaceRole,
};

/// Whether the caller holds one of `roles`, given their role in the
/// issue's project.
pub fn holds_any(caller: &Caller, project_role: Option<ProjectRole>, roles: &[PolicyRole]) -> bool {
    roles.iter().any(|role| match role {
        PolicyRole::WorkspaceOwner => caller.role() == WorkspaceRole::Owner,
        PolicyRole::WorkspaceDba => caller.role() == WorkspaceRole::Dba,
        PolicyRole::ProjectOwner => project_role == Some(ProjectRole::Owner),
        PolicyRole::ProjectDeveloper => project_role == Some(ProjectRole::Developer),
    })
}

/// "a WORKSPACE_DBA or WORKSPACE_OWNER".
pub fn describe_roles(roles: &[PolicyRole]) -> String {
    match roles {
        [] => "nobody (the policy names no role)".into(),
        [one] => one.as_str().to_string(),
        [init @ .., last] => format!(
            "{} or {}",
            init.iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            last.as_str()
        ),
    }
}

/// The kinds of check a task must pass before it runs.
pub fn required_checks(task_type: TaskType) -> &'static [PlanCheckKind] {
    use PlanCheckKind::*;
    match task_type {
        TaskType::CreateDatabase => &[],
        TaskType::SchemaChange | TaskType::DataChange => {
            &[Syntax, StatementType, Risk, DryRun, SqlReview]
        }
    }
}

/// Why a task cannot run yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    IssueClosed(IssueStatus),
    /// The named earlier stage has tasks not DONE or SKIPPED.
    EarlierStage(String),
    /// Checks still running.
    Checks,
    /// A check found an error.
    CheckFailed(PlanCheckKind),
    Approval,
    /// Everything else holds; the environment waits for a person.
    ManualStart,
}

impl std::fmt::Display for Waiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Waiting::IssueClosed(status) => write!(f, "the issue is {status}"),
            Waiting::EarlierStage(env) => write!(f, "waiting for stage {env} to finish"),
            Waiting::Checks => f.write_str("waiting for plan checks"),
            Waiting::CheckFailed(kind) => write!(f, "blocked by the {kind} check"),
            Waiting::Approval => f.write_str("waiting for approval"),
            Waiting::ManualStart => f.write_str("waiting for someone to start it"),
        }
    }
}

/// Whether the checks of a task let it run: all done, none with an ERROR
/// unless the task's checks were overridden.
pub fn checks_state(task: &Task, checks: &[PlanCheckRun]) -> Result<(), Waiting> {
    for kind in required_checks(task.task_type) {
        match checks
            .iter()
            .find(|c| c.task_id == task.id && c.kind == *kind)
        {
            None => return Err(Waiting::Checks),
            Some(c) if c.status == PlanCheckStatus::Running => return Err(Waiting::Checks),
            Some(c) if c.level == PlanCheckLevel::Error || c.status == PlanCheckStatus::Failed => {
                // A workspace Owner or DBA overrode the blocking checks of
                // this SQL (new SQL clears the override).
                if task.checks_overridden_at.is_none() {
                    return Err(Waiting::CheckFailed(*kind));
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Whether a task may be queued now, and if not why. `stages` is the
/// whole pipeline in order. A MANUAL environment answers `ManualStart`
/// when everything else holds: a person may then start it.
pub fn readiness(
    issue: &Issue,
    stages: &[Stage],
    task: &Task,
    environment: &Environment,
    checks: &[PlanCheckRun],
) -> Result<(), Waiting> {
    if issue.status != IssueStatus::Open {
        return Err(Waiting::IssueClosed(issue.status));
    }
    for stage in stages.iter().take_while(|s| s.id != task.stage_id) {
        if stage
            .tasks
            .iter()
            .any(|t| !matches!(t.status, TaskStatus::Done | TaskStatus::Skipped))
        {
            return Err(Waiting::EarlierStage(stage.environment_id.clone()));
        }
    }
    checks_state(task, checks)?;
    let policy = environment.policy();
    if policy.approval_required && issue.approval_status != ApprovalStatus::Approved {
        return Err(Waiting::Approval);
    }
    if policy.rollout == sluice_store::Rollout::Manual {
        return Err(Waiting::ManualStart);
    }
    Ok(())
}

/// Whether `waiting` lets a person start the task by hand.
pub fn may_start_by_hand(waiting: &Result<(), Waiting>) -> bool {
    matches!(waiting, Ok(()) | Err(Waiting::ManualStart))
}

/// The policies that ask for an approval, among the environments an issue
/// rolls out to.
pub fn approval_policies<'a>(
    environments: impl IntoIterator<Item = &'a Environment>,
) -> Vec<(&'a Environment, EnvironmentPolicy)> {
    environments
        .into_iter()
        .map(|e| (e, e.policy()))
        .filter(|(_, p)| p.approval_required)
        .collect()
}
