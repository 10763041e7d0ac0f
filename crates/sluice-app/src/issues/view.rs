//! An issue as people read it: its pipeline with each task's checks,
//! latest run and what holds it back, its approval, and which actions the
//! viewer may take. One shape for the API, the UI and the CLI.

use super::actions::{TaskAction, target};
use super::policy::{self, Waiting};
use crate::{App, AppResult, Caller, Permission};
use serde::Serialize;
use sluice_store::{
    ActivityKind, ApprovalStatus, Environment, Issue, IssueActivity, IssueStatus, IssueType,
    PlanCheckKind, PlanCheckLevel, PlanCheckRun, PlanCheckStatus, PolicyRole, RiskLevel, Rollout,
    TaskRun, TaskRunStatus, TaskStatus, TaskType,
};
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct PrincipalRef {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// An issue in a list.
#[derive(Debug, Clone, Serialize)]
pub struct IssueSummary {
    pub number: i64,
    pub project: String,
    pub title: String,
    #[serde(rename = "type")]
    pub issue_type: IssueType,
    pub status: IssueStatus,
    pub risk: RiskLevel,
    pub approval: ApprovalStatus,
    pub creator: PrincipalRef,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: i64,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: i64,
}

/// Serializes as the summary's fields with `approval` the whole
/// [`ApprovalView`] rather than the summary's status word (a flattened
/// summary would write the key twice).
#[derive(Debug, Clone)]
pub struct IssueView {
    pub summary: IssueSummary,
    pub description: String,
    pub approval: ApprovalView,
    pub pipeline: PipelineView,
    /// What the viewer may do to the issue as a whole.
    pub can_approve: bool,
    pub can_update: bool,
    pub can_cancel: bool,
}

impl Serialize for IssueView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        /// The fields of `IssueView` besides its summary.
        #[derive(Serialize)]
        struct Rest<'a> {
            description: &'a str,
            approval: &'a ApprovalView,
            pipeline: &'a PipelineView,
            can_approve: bool,
            can_update: bool,
            can_cancel: bool,
        }
        let rest = Rest {
            description: &self.description,
            approval: &self.approval,
            pipeline: &self.pipeline,
            can_approve: self.can_approve,
            can_update: self.can_update,
            can_cancel: self.can_cancel,
        };
        let mut whole = serde_json::to_value(&self.summary).map_err(S::Error::custom)?;
        if let (serde_json::Value::Object(whole), serde_json::Value::Object(rest)) = (
            &mut whole,
            serde_json::to_value(&rest).map_err(S::Error::custom)?,
        ) {
            whole.extend(rest);
        }
        whole.serialize(serializer)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ApprovalView {
    pub status: ApprovalStatus,
    /// The environments whose policy asks for approval.
    pub required_by: Vec<String>,
    /// Who may approve (the roles every such environment accepts).
    pub approver_roles: Vec<PolicyRole>,
    pub approved_by: Option<PrincipalRef>,
    #[serde(serialize_with = "rfc3339_opt")]
    pub approved_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PipelineView {
    pub stages: Vec<StageView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageView {
    pub environment: String,
    pub environment_title: String,
    pub status: TaskStatus,
    pub rollout: Rollout,
    pub approval_required: bool,
    /// Whether the viewer may start the stage's waiting tasks now.
    pub can_run: bool,
    pub tasks: Vec<TaskView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskView {
    pub id: i64,
    pub target: String,
    pub instance: String,
    pub database: Option<String>,
    #[serde(rename = "type")]
    pub task_type: TaskType,
    pub status: TaskStatus,
    pub statement: String,
    pub version: String,
    pub skip_reason: String,
    /// Why a NOT_STARTED task has not started.
    pub waiting_for: Option<String>,
    /// The worst level among its checks (RUNNING while any runs).
    pub checks_level: String,
    pub checks: Vec<CheckView>,
    pub latest_run: Option<RunView>,
    /// Who overrode the task's blocking checks, why and when (until its
    /// SQL changes).
    pub checks_overridden: Option<OverrideView>,
    /// The actions the viewer may take now: run, retry, skip, cancel,
    /// override-checks.
    pub actions: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OverrideView {
    pub by: PrincipalRef,
    pub reason: String,
    #[serde(serialize_with = "rfc3339")]
    pub at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    pub kind: PlanCheckKind,
    pub status: PlanCheckStatus,
    pub level: PlanCheckLevel,
    pub results: serde_json::Value,
    #[serde(serialize_with = "rfc3339")]
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub id: i64,
    pub attempt: i64,
    pub status: TaskRunStatus,
    pub creator: PrincipalRef,
    #[serde(serialize_with = "rfc3339_opt")]
    pub started_at: Option<i64>,
    #[serde(serialize_with = "rfc3339_opt")]
    pub ended_at: Option<i64>,
    pub result: String,
    /// Statement by statement, as the runner wrote it.
    pub log: serde_json::Value,
}

impl App {
    /// Principals by id, looked up once each. A `Vec` rather than any
    /// iterator: an iterator with a closure held across the awaits below
    /// makes callers' futures fail the `Send` check axum handlers need.
    pub(crate) async fn principal_refs(
        &self,
        ids: Vec<i64>,
    ) -> AppResult<HashMap<i64, PrincipalRef>> {
        let mut out = HashMap::new();
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(id) {
                let p = self.store.principal(id).await?;
                slot.insert(PrincipalRef {
                    id,
                    name: p.name,
                    email: p.email,
                });
            }
        }
        Ok(out)
    }

    pub async fn issue_summaries(&self, issues: &[Issue]) -> AppResult<Vec<IssueSummary>> {
        let people = self
            .principal_refs(issues.iter().map(|i| i.creator_id).collect())
            .await?;
        Ok(issues.iter().map(|i| summary(i, &people)).collect())
    }

    /// The whole issue as `caller` sees it.
    pub async fn issue_view(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
    ) -> AppResult<IssueView> {
        let issue = self.visible_issue(caller, project, number).await?;
        let pipeline = self.store.pipeline_of_issue(issue.id).await?;
        let checks = self
            .store
            .list_pipeline_plan_check_runs(pipeline.id)
            .await?;
        let runs = self.store.list_pipeline_task_runs(pipeline.id).await?;
        let environments = self.pipeline_environments(&pipeline).await?;
        let activity = self
            .store
            .list_issue_activity(issue.id, sluice_store::PageRequest::ALL)
            .await?
            .items;
        let approved = activity
            .iter()
            .rev()
            .find(|a| a.kind == ActivityKind::Approved);
        let mut ids: Vec<i64> = vec![issue.creator_id];
        ids.extend(runs.iter().map(|r| r.creator_id));
        ids.extend(approved.map(|a| a.principal_id));
        ids.extend(
            pipeline
                .stages
                .iter()
                .flat_map(|s| &s.tasks)
                .filter_map(|t| t.checks_overridden_by),
        );
        let people = self.principal_refs(ids).await?;
        let role = self.store.project_role(project, caller.id()).await?;
        let may_update = crate::permissions::allows(caller, Permission::IssuesUpdate, role);
        let may_override = matches!(
            caller.role(),
            sluice_store::WorkspaceRole::Owner | sluice_store::WorkspaceRole::Dba
        );

        let asking = policy::approval_policies(
            pipeline
                .stages
                .iter()
                .filter_map(|s| environments.get(&s.environment_id)),
        );
        let approver_roles: Vec<PolicyRole> = PolicyRole::ALL
            .iter()
            .copied()
            .filter(|r| asking.iter().all(|(_, p)| p.approver_roles.contains(r)))
            .collect();
        let open = issue.status == IssueStatus::Open;
        let can_approve = open
            && !asking.is_empty()
            && issue.approval_status != ApprovalStatus::Approved
            && asking
                .iter()
                .all(|(_, p)| policy::holds_any(caller, role, &p.approver_roles))
            && (issue.creator_id != caller.id()
                || self.store.project(project).await?.allow_self_approval);
        let approval = ApprovalView {
            status: issue.approval_status,
            required_by: asking.iter().map(|(e, _)| e.id.clone()).collect(),
            approver_roles,
            approved_by: approved
                .filter(|_| issue.approval_status == ApprovalStatus::Approved)
                .and_then(|a| people.get(&a.principal_id).cloned()),
            approved_at: approved
                .filter(|_| issue.approval_status == ApprovalStatus::Approved)
                .map(|a| a.created_at),
        };

        // Grouped once: an issue may have thousands of tasks.
        let mut checks_by_task: HashMap<i64, Vec<PlanCheckRun>> = HashMap::new();
        for check in checks {
            checks_by_task.entry(check.task_id).or_default().push(check);
        }
        let mut latest_runs: HashMap<i64, &TaskRun> = HashMap::new();
        for run in &runs {
            let slot = latest_runs.entry(run.task_id).or_insert(run);
            if run.attempt > slot.attempt {
                *slot = run;
            }
        }
        let no_checks = Vec::new();
        let mut stages = Vec::new();
        for stage in &pipeline.stages {
            let env: &Environment = &environments[&stage.environment_id];
            let env_policy = env.policy();
            let may_roll = policy::holds_any(caller, role, &env_policy.rollout_roles);
            let mut tasks = Vec::new();
            for task in &stage.tasks {
                let checks = checks_by_task.get(&task.id).unwrap_or(&no_checks);
                let task_checks: Vec<&PlanCheckRun> = checks.iter().collect();
                let readiness = policy::readiness(&issue, &pipeline.stages, task, env, checks);
                let waiting_for = match (&readiness, task.status) {
                    (Err(w), TaskStatus::NotStarted) => Some(w.to_string()),
                    _ => None,
                };
                let mut actions = Vec::new();
                if open && may_roll {
                    for action in [
                        TaskAction::Run,
                        TaskAction::Retry,
                        TaskAction::Skip,
                        TaskAction::Cancel,
                    ] {
                        if !action.applies_to(task.status) {
                            continue;
                        }
                        let startable = match action {
                            TaskAction::Run => policy::may_start_by_hand(&readiness),
                            TaskAction::Retry => {
                                let mut probe = task.clone();
                                probe.status = TaskStatus::NotStarted;
                                policy::may_start_by_hand(&policy::readiness(
                                    &issue,
                                    &pipeline.stages,
                                    &probe,
                                    env,
                                    checks,
                                ))
                            }
                            TaskAction::Skip | TaskAction::Cancel => true,
                        };
                        if startable {
                            actions.push(action.as_str());
                        }
                    }
                }
                // A workspace Owner or DBA may override a check that
                // blocks a task waiting to start.
                if open
                    && may_override
                    && task.status == TaskStatus::NotStarted
                    && matches!(readiness, Err(Waiting::CheckFailed(_)))
                {
                    actions.push("override-checks");
                }
                let latest = latest_runs.get(&task.id).copied();
                let checks_overridden = match (task.checks_overridden_by, task.checks_overridden_at)
                {
                    (Some(by), Some(at)) => people.get(&by).map(|by| OverrideView {
                        by: by.clone(),
                        reason: task.checks_override_reason.clone(),
                        at,
                    }),
                    _ => None,
                };
                tasks.push(TaskView {
                    id: task.id,
                    target: target(task),
                    instance: task.instance_id.clone(),
                    database: task.database_name.clone(),
                    task_type: task.task_type,
                    status: task.status,
                    statement: task.statement.clone(),
                    version: task.version.clone(),
                    skip_reason: task.skip_reason.clone(),
                    waiting_for,
                    checks_level: checks_level(&task_checks),
                    checks: task_checks.iter().map(|c| check_view(c)).collect(),
                    latest_run: latest.map(|r| run_view(r, &people)),
                    checks_overridden,
                    actions,
                });
            }
            stages.push(StageView {
                environment: env.id.clone(),
                environment_title: env.title.clone(),
                status: stage_status(stage.tasks.iter().map(|t| t.status)),
                rollout: env_policy.rollout,
                approval_required: env_policy.approval_required,
                can_run: tasks
                    .iter()
                    .any(|t| t.status == TaskStatus::NotStarted && t.actions.contains(&"run")),
                tasks,
            });
        }
        Ok(IssueView {
            summary: summary(&issue, &people),
            description: issue.description.clone(),
            approval,
            pipeline: PipelineView { stages },
            can_approve,
            can_update: open && may_update,
            can_cancel: open && may_update,
        })
    }

    /// The runs of one task with their logs, by attempt.
    pub async fn task_runs(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
        task_id: i64,
    ) -> AppResult<Vec<RunView>> {
        let issue = self.visible_issue(caller, project, number).await?;
        let task = self.store.task(task_id).await?;
        if task.issue_id != issue.id {
            return Err(crate::AppError::NotFound(format!(
                "task {task_id} of issue {number}"
            )));
        }
        let runs = self.store.list_task_runs(task_id).await?;
        let people = self
            .principal_refs(runs.iter().map(|r| r.creator_id).collect())
            .await?;
        Ok(runs.iter().map(|r| run_view(r, &people)).collect())
    }

    /// The timeline of an issue, oldest first, with who did each thing.
    pub async fn issue_activity(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
    ) -> AppResult<Vec<(IssueActivity, PrincipalRef)>> {
        let issue = self.visible_issue(caller, project, number).await?;
        let activity = self
            .store
            .list_issue_activity(issue.id, sluice_store::PageRequest::ALL)
            .await?
            .items;
        let people = self
            .principal_refs(activity.iter().map(|a| a.principal_id).collect())
            .await?;
        Ok(activity
            .into_iter()
            .map(|a| {
                let who = people[&a.principal_id].clone();
                (a, who)
            })
            .collect())
    }

    /// Issues of a project as summaries, newest first, filtered the way
    /// people write filters: `filter` gives the status and type, `creator`
    /// is a principal id or an email, `database` is "instance/database". A
    /// creator or database that does not exist matches nothing.
    pub async fn find_issues(
        &self,
        caller: &Caller,
        project: &str,
        mut filter: sluice_store::IssueFilter,
        creator: Option<&str>,
        database: Option<&str>,
        page: sluice_store::PageRequest,
    ) -> AppResult<sluice_store::Page<IssueSummary>> {
        self.authorize(caller, Permission::IssuesGet, Some(project))
            .await?;
        self.store.project(project).await?;
        let nothing = || sluice_store::Page {
            items: Vec::new(),
            next_offset: None,
        };
        filter.creator_id = None;
        filter.db_id = None;
        if let Some(creator) = creator.map(str::trim) {
            let id = match creator.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) if creator.contains('@') => {
                    self.store.principal_by_email(creator).await?.map(|p| p.id)
                }
                Err(_) => {
                    return Err(crate::AppError::invalid(
                        "creator",
                        format!("{creator:?} is neither a principal id nor an email"),
                    ));
                }
            };
            match id {
                Some(id) => filter.creator_id = Some(id),
                None => return Ok(nothing()),
            }
        }
        if let Some(database) = database {
            let Some((instance, name)) = database
                .split_once('/')
                .filter(|(i, d)| !i.is_empty() && !d.is_empty())
            else {
                return Err(crate::AppError::invalid(
                    "database",
                    format!("{database:?} is not a database: write it as \"instance/database\""),
                ));
            };
            match self.store.database(instance, name).await {
                Ok(db) => filter.db_id = Some(db.id),
                Err(sluice_store::StoreError::NotFound(_)) => return Ok(nothing()),
                Err(e) => return Err(e.into()),
            }
        }
        let found = self.list_issues(caller, project, filter, page).await?;
        Ok(sluice_store::Page {
            items: self.issue_summaries(&found.items).await?,
            next_offset: found.next_offset,
        })
    }

    /// The comments of an issue, oldest first, each with its author.
    pub async fn issue_comments(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
        page: sluice_store::PageRequest,
    ) -> AppResult<sluice_store::Page<(sluice_store::IssueComment, PrincipalRef)>> {
        let comments = self
            .list_issue_comments(caller, project, number, page)
            .await?;
        let people = self
            .principal_refs(comments.items.iter().map(|c| c.principal_id).collect())
            .await?;
        Ok(sluice_store::Page {
            items: comments
                .items
                .into_iter()
                .map(|c| {
                    let who = people[&c.principal_id].clone();
                    (c, who)
                })
                .collect(),
            next_offset: comments.next_offset,
        })
    }
}

fn summary(issue: &Issue, people: &HashMap<i64, PrincipalRef>) -> IssueSummary {
    IssueSummary {
        number: issue.number,
        project: issue.project_id.clone(),
        title: issue.title.clone(),
        issue_type: issue.issue_type,
        status: issue.status,
        risk: issue.risk,
        approval: issue.approval_status,
        creator: people
            .get(&issue.creator_id)
            .cloned()
            .unwrap_or(PrincipalRef {
                id: issue.creator_id,
                name: String::new(),
                email: String::new(),
            }),
        created_at: issue.created_at,
        updated_at: issue.updated_at,
    }
}

fn check_view(c: &PlanCheckRun) -> CheckView {
    CheckView {
        kind: c.kind,
        status: c.status,
        level: c.level,
        results: serde_json::from_str(&c.results).unwrap_or(serde_json::Value::Null),
        created_at: c.created_at,
    }
}

fn run_view(r: &TaskRun, people: &HashMap<i64, PrincipalRef>) -> RunView {
    RunView {
        id: r.id,
        attempt: r.attempt,
        status: r.status,
        creator: people.get(&r.creator_id).cloned().unwrap_or(PrincipalRef {
            id: r.creator_id,
            name: String::new(),
            email: String::new(),
        }),
        started_at: r.started_at,
        ended_at: r.ended_at,
        result: r.result.clone(),
        log: serde_json::from_str(&r.log).unwrap_or(serde_json::Value::Array(vec![])),
    }
}

/// "RUNNING" while a check runs, else the worst level, "" when none.
fn checks_level(checks: &[&PlanCheckRun]) -> String {
    if checks.is_empty() {
        return String::new();
    }
    if checks.iter().any(|c| c.status == PlanCheckStatus::Running) {
        return "RUNNING".into();
    }
    let worst = if checks
        .iter()
        .any(|c| c.level == PlanCheckLevel::Error || c.status == PlanCheckStatus::Failed)
    {
        PlanCheckLevel::Error
    } else if checks.iter().any(|c| c.level == PlanCheckLevel::Warning) {
        PlanCheckLevel::Warning
    } else {
        PlanCheckLevel::Success
    };
    worst.as_str().into()
}

/// A stage reads as its most telling task: RUNNING if any runs, FAILED if
/// any failed, DONE when all are done or skipped.
pub fn stage_status(statuses: impl Iterator<Item = TaskStatus> + Clone) -> TaskStatus {
    use TaskStatus::*;
    for status in [Running, Failed, Canceled, Pending] {
        if statuses.clone().any(|s| s == status) {
            return status;
        }
    }
    if statuses.clone().all(|s| s == Skipped) {
        return Skipped;
    }
    if statuses.clone().all(|s| matches!(s, Done | Skipped)) {
        return Done;
    }
    NotStarted
}

/// Times are Unix milliseconds inside Sluice and RFC 3339 in its API, like
/// every other resource.
fn rfc3339<S: serde::Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&timestamp(*ms))
}

fn rfc3339_opt<S: serde::Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_str(&timestamp(*ms)),
        None => s.serialize_none(),
    }
}

/// A Unix time in milliseconds as RFC 3339 UTC.
pub fn timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}
