//! What people do to an issue once it is filed: approve it, start, retry,
//! skip or cancel its tasks, cancel it. Each action is a compare-and-set
//! in the store, so two people (or a person and the runner) acting at once
//! cannot both win; the loser is told what changed.

use super::policy::{self, Waiting};
use crate::{App, AppError, AppResult, Caller};
use serde_json::json;
use sluice_store::{
    ActivityKind, ApprovalStatus, Environment, Issue, IssueStatus, Pipeline, Task, TaskStatus,
};
use std::collections::HashMap;

/// What an action does to one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskAction {
    /// Queue a NOT_STARTED task.
    Run,
    /// Queue a FAILED or CANCELED task again.
    Retry,
    Skip,
    Cancel,
}

impl TaskAction {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskAction::Run => "run",
            TaskAction::Retry => "retry",
            TaskAction::Skip => "skip",
            TaskAction::Cancel => "cancel",
        }
    }

    /// The statuses the action applies to.
    pub fn applies_to(self, status: TaskStatus) -> bool {
        match self {
            TaskAction::Run => status == TaskStatus::NotStarted,
            TaskAction::Retry => matches!(status, TaskStatus::Failed | TaskStatus::Canceled),
            TaskAction::Skip => {
                matches!(
                    status,
                    TaskStatus::NotStarted | TaskStatus::Failed | TaskStatus::Canceled
                )
            }
            TaskAction::Cancel => matches!(status, TaskStatus::Pending | TaskStatus::Running),
        }
    }
}

impl App {
    /// Approve an issue: the caller must hold an approver role of every
    /// environment of the issue that asks for approval, and may not be its
    /// creator unless the project allows that.
    pub async fn approve_issue(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
    ) -> AppResult<Issue> {
        let issue = self.visible_issue(caller, project, number).await?;
        let resource = format!("projects/{project}/issues/{number}");
        let pipeline = self.store.pipeline_of_issue(issue.id).await?;
        let environments = self.pipeline_environments(&pipeline).await?;
        let role = self.store.project_role(project, caller.id()).await?;
        let asking = policy::approval_policies(environments.values());
        let mut refusal = None;
        if issue.status != IssueStatus::Open {
            refusal = Some(AppError::FailedPrecondition(format!(
                "issue {number} is {}",
                issue.status
            )));
        } else if issue.approval_status == ApprovalStatus::Approved {
            refusal = Some(AppError::FailedPrecondition(format!(
                "issue {number} is already approved"
            )));
        } else if asking.is_empty() {
            refusal = Some(AppError::FailedPrecondition(format!(
                "issue {number} needs no approval: none of its environments asks for one"
            )));
        } else if let Some((env, p)) = asking
            .iter()
            .find(|(_, p)| !policy::holds_any(caller, role, &p.approver_roles))
        {
            refusal = Some(AppError::PermissionDenied(format!(
                "approving a change to {} needs a {}",
                env.id,
                policy::describe_roles(&p.approver_roles)
            )));
        } else if issue.creator_id == caller.id()
            && !self.store.project(project).await?.allow_self_approval
        {
            refusal = Some(AppError::PermissionDenied(
                "you filed this issue, and project policy does not let creators approve their own issues".into(),
            ));
        }
        self.audited(caller, "issues.approve", &resource, json!({}), async {
            if let Some(err) = refusal {
                return Err(err);
            }
            if issue.approval_status != ApprovalStatus::Pending {
                self.store
                    .move_issue_approval(issue.id, issue.approval_status, ApprovalStatus::Pending)
                    .await?;
            }
            if !self
                .store
                .move_issue_approval(issue.id, ApprovalStatus::Pending, ApprovalStatus::Approved)
                .await?
            {
                return Err(AppError::FailedPrecondition(format!(
                    "the approval of issue {number} changed meanwhile: reload and try again"
                )));
            }
            self.store
                .append_issue_activity(issue.id, caller.id(), ActivityKind::Approved, &json!({}))
                .await?;
            self.wake_runner();
            Ok(self.store.issue(issue.id).await?)
        })
        .await
    }

    /// Start every not-started task of a stage (an environment).
    pub async fn run_stage(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
        environment: &str,
    ) -> AppResult<Vec<Task>> {
        let issue = self.visible_issue(caller, project, number).await?;
        let pipeline = self.store.pipeline_of_issue(issue.id).await?;
        let stage = pipeline
            .stages
            .iter()
            .find(|s| s.environment_id == environment)
            .ok_or_else(|| AppError::NotFound(format!("stage {environment} of issue {number}")))?;
        let ids: Vec<i64> = stage
            .tasks
            .iter()
            .filter(|t| t.status == TaskStatus::NotStarted)
            .map(|t| t.id)
            .collect();
        let resource = format!("projects/{project}/issues/{number}/stages/{environment}");
        if ids.is_empty() {
            let err = AppError::FailedPrecondition(format!(
                "stage {environment} has no task waiting to start"
            ));
            return self
                .audited(caller, "issues.run", &resource, json!({}), async {
                    Err(err)
                })
                .await;
        }
        let mut started = Vec::new();
        for id in ids {
            started.push(
                self.task_action(caller, &issue, &pipeline, id, TaskAction::Run, "")
                    .await?,
            );
        }
        Ok(started)
    }

    /// Act on one task of an issue.
    pub async fn act_on_task(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
        task_id: i64,
        action: TaskAction,
        reason: &str,
    ) -> AppResult<Task> {
        let issue = self.visible_issue(caller, project, number).await?;
        let pipeline = self.store.pipeline_of_issue(issue.id).await?;
        self.task_action(caller, &issue, &pipeline, task_id, action, reason)
            .await
    }

    async fn task_action(
        &self,
        caller: &Caller,
        issue: &Issue,
        pipeline: &Pipeline,
        task_id: i64,
        action: TaskAction,
        reason: &str,
    ) -> AppResult<Task> {
        let project = &issue.project_id;
        let number = issue.number;
        let task = pipeline
            .stages
            .iter()
            .flat_map(|s| &s.tasks)
            .find(|t| t.id == task_id)
            .ok_or_else(|| AppError::NotFound(format!("task {task_id} of issue {number}")))?
            .clone();
        let resource = format!("projects/{project}/issues/{number}/tasks/{task_id}");
        let environment = self.store.environment(&task.environment_id).await?;
        let role = self.store.project_role(project, caller.id()).await?;
        let policy = environment.policy();
        let refusal = if issue.status != IssueStatus::Open {
            Some(AppError::FailedPrecondition(format!(
                "issue {number} is {}: its tasks can no longer change",
                issue.status
            )))
        } else if !policy::holds_any(caller, role, &policy.rollout_roles) {
            Some(AppError::PermissionDenied(format!(
                "to {} a task in {} you need to be a {}",
                action.as_str(),
                environment.id,
                policy::describe_roles(&policy.rollout_roles)
            )))
        } else if !action.applies_to(task.status) {
            Some(AppError::FailedPrecondition(format!(
                "task {task_id} is {}: it cannot {}",
                task.status,
                action.as_str()
            )))
        } else if action == TaskAction::Skip && reason.trim().is_empty() {
            Some(AppError::invalid("reason", "say why the task is skipped"))
        } else if matches!(action, TaskAction::Run | TaskAction::Retry) {
            let checks = self.store.list_plan_check_runs(task.id).await?;
            // A retry is judged like a first run: the stage's turn, the
            // checks and the approval must hold.
            let mut probe = task.clone();
            probe.status = TaskStatus::NotStarted;
            match policy::readiness(issue, &pipeline.stages, &probe, &environment, &checks) {
                Ok(()) | Err(Waiting::ManualStart) => None,
                Err(waiting) => Some(AppError::FailedPrecondition(format!(
                    "task {task_id} cannot start: {waiting}"
                ))),
            }
        } else {
            None
        };
        let detail = json!({"action": action.as_str(), "reason": reason});
        let action_name = match action {
            TaskAction::Run | TaskAction::Retry => "issues.run",
            TaskAction::Skip => "issues.skip",
            TaskAction::Cancel => "issues.cancel-task",
        };
        self.audited(caller, action_name, &resource, detail, async {
            if let Some(err) = refusal {
                return Err(err);
            }
            let moved = match action {
                TaskAction::Run | TaskAction::Retry => {
                    self.store
                        .queue_task(task.id, task.status, caller.id())
                        .await?
                }
                TaskAction::Skip => {
                    self.store
                        .skip_task(task.id, task.status, reason.trim())
                        .await?
                }
                TaskAction::Cancel => {
                    self.store
                        .move_task(task.id, task.status, TaskStatus::Canceled)
                        .await?
                }
            };
            if !moved {
                let now = self.store.task(task.id).await?;
                return Err(AppError::FailedPrecondition(format!(
                    "task {task_id} became {} meanwhile: reload and try again",
                    now.status
                )));
            }
            let kind = match action {
                TaskAction::Run | TaskAction::Retry => None,
                TaskAction::Skip => Some(ActivityKind::TaskSkipped),
                TaskAction::Cancel => Some(ActivityKind::TaskCanceled),
            };
            if let Some(kind) = kind {
                let payload =
                    json!({"task_id": task.id, "target": target(&task), "reason": reason.trim()});
                self.store
                    .append_issue_activity(issue.id, caller.id(), kind, &payload)
                    .await?;
            }
            if action == TaskAction::Skip {
                self.complete_issue_if_done(issue.id).await?;
            }
            self.wake_runner();
            Ok(self.store.task(task.id).await?)
        })
        .await
    }

    /// Override the blocking checks of a task, saying why: a workspace
    /// Owner or DBA takes responsibility for running SQL a check refused.
    /// The override is recorded on the task (until its SQL changes), in the
    /// timeline (CHECKS_OVERRIDDEN) and in the audit log; the task then
    /// waits only for what else holds it (its stage's turn, approval, a
    /// manual start).
    pub async fn override_checks(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
        task_id: i64,
        reason: &str,
    ) -> AppResult<Task> {
        let issue = self.visible_issue(caller, project, number).await?;
        let pipeline = self.store.pipeline_of_issue(issue.id).await?;
        let task = pipeline
            .stages
            .iter()
            .flat_map(|s| &s.tasks)
            .find(|t| t.id == task_id)
            .ok_or_else(|| AppError::NotFound(format!("task {task_id} of issue {number}")))?
            .clone();
        let resource = format!("projects/{project}/issues/{number}/tasks/{task_id}");
        let reason = reason.trim();
        let checks = self.store.list_plan_check_runs(task.id).await?;
        let blocking: Vec<&str> = checks
            .iter()
            .filter(|c| {
                c.level == sluice_store::PlanCheckLevel::Error
                    || c.status == sluice_store::PlanCheckStatus::Failed
            })
            .map(|c| c.kind.as_str())
            .collect();
        let refusal = if !matches!(
            caller.role(),
            sluice_store::WorkspaceRole::Owner | sluice_store::WorkspaceRole::Dba
        ) {
            Some(AppError::PermissionDenied(
                "overriding a task's checks needs a workspace OWNER or DBA".into(),
            ))
        } else if issue.status != IssueStatus::Open {
            Some(AppError::FailedPrecondition(format!(
                "issue {number} is {}: its tasks can no longer change",
                issue.status
            )))
        } else if !matches!(
            task.status,
            TaskStatus::NotStarted | TaskStatus::Failed | TaskStatus::Canceled
        ) {
            Some(AppError::FailedPrecondition(format!(
                "task {task_id} is {}: its checks no longer decide anything",
                task.status
            )))
        } else if reason.is_empty() {
            Some(AppError::invalid(
                "reason",
                "say why the checks are overridden",
            ))
        } else if reason.chars().count() > 1000 {
            Some(AppError::invalid("reason", "at most 1000 characters"))
        } else {
            None
        };
        let detail = json!({"reason": reason, "blocking": blocking});
        self.audited(caller, "issues.override-checks", &resource, detail, async {
            if let Some(err) = refusal {
                return Err(err);
            }
            if !self
                .store
                .override_task_checks(task.id, task.status, caller.id(), reason)
                .await?
            {
                let now = self.store.task(task.id).await?;
                return Err(AppError::FailedPrecondition(format!(
                    "task {task_id} became {} meanwhile: reload and try again",
                    now.status
                )));
            }
            let payload = json!({
                "task_id": task.id, "target": target(&task), "reason": reason,
                "checks": blocking,
            });
            self.store
                .append_issue_activity(
                    issue.id,
                    caller.id(),
                    ActivityKind::ChecksOverridden,
                    &payload,
                )
                .await?;
            self.wake_runner();
            Ok(self.store.task(task.id).await?)
        })
        .await
    }

    /// Cancel an open issue: its queued and running tasks are cancelled
    /// (a running statement is interrupted on the server by its runner).
    pub async fn cancel_issue(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
    ) -> AppResult<Issue> {
        let issue = self.visible_issue(caller, project, number).await?;
        self.authorize(caller, crate::Permission::IssuesUpdate, Some(project))
            .await?;
        self.audited(
            caller,
            "issues.cancel",
            &format!("projects/{project}/issues/{number}"),
            json!({}),
            async {
                if !self
                    .store
                    .move_issue(issue.id, IssueStatus::Open, IssueStatus::Canceled)
                    .await?
                {
                    return Err(AppError::FailedPrecondition(format!(
                        "issue {number} is {}: only an open issue can be cancelled",
                        self.store.issue(issue.id).await?.status
                    )));
                }
                let pipeline = self.store.pipeline_of_issue(issue.id).await?;
                for task in pipeline.stages.iter().flat_map(|s| &s.tasks) {
                    if matches!(task.status, TaskStatus::Pending | TaskStatus::Running) {
                        self.store
                            .move_task(task.id, task.status, TaskStatus::Canceled)
                            .await?;
                    }
                }
                self.store
                    .append_issue_activity(
                        issue.id,
                        caller.id(),
                        ActivityKind::Canceled,
                        &json!({}),
                    )
                    .await?;
                self.wake_runner();
                Ok(self.store.issue(issue.id).await?)
            },
        )
        .await
    }

    /// Close an issue whose every task is DONE or SKIPPED (as the system
    /// bot). True when this call closed it.
    pub async fn complete_issue_if_done(&self, issue_id: i64) -> AppResult<bool> {
        let done = self.store.count_unfinished_tasks(issue_id).await? == 0;
        if !done
            || !self
                .store
                .move_issue(issue_id, IssueStatus::Open, IssueStatus::Done)
                .await?
        {
            return Ok(false);
        }
        self.store
            .append_issue_activity(issue_id, 1, ActivityKind::Done, &json!({}))
            .await?;
        Ok(true)
    }

    /// Queue, as the system bot, every NOT_STARTED task of an open issue
    /// that may run now in an AUTOMATIC environment. Returns how many.
    pub async fn queue_ready_tasks(&self, limit: i64) -> AppResult<usize> {
        let waiting = self
            .store
            .list_tasks_with_status(TaskStatus::NotStarted, limit)
            .await?;
        let mut by_issue: HashMap<i64, Vec<Task>> = HashMap::new();
        for task in waiting {
            by_issue.entry(task.issue_id).or_default().push(task);
        }
        let mut queued = 0;
        let mut environments: HashMap<String, Environment> = HashMap::new();
        for (issue_id, mut tasks) in by_issue {
            // Only automatic environments queue by themselves: tasks of
            // manual ones need no further look (nor their check results).
            for task in &tasks {
                if !environments.contains_key(&task.environment_id) {
                    let env = self.store.environment(&task.environment_id).await?;
                    environments.insert(env.id.clone(), env);
                }
            }
            tasks.retain(|t| {
                environments[&t.environment_id].policy().rollout == sluice_store::Rollout::Automatic
            });
            if tasks.is_empty() {
                continue;
            }
            let issue = self.store.issue(issue_id).await?;
            if issue.status != IssueStatus::Open {
                continue;
            }
            let pipeline = self.store.pipeline_of_issue(issue_id).await?;
            let checks = self
                .store
                .list_pipeline_plan_check_runs(pipeline.id)
                .await?;
            let mut stage_started = Vec::new();
            for task in tasks {
                let env = &environments[&task.environment_id];
                if policy::readiness(&issue, &pipeline.stages, &task, env, &checks).is_ok()
                    && self
                        .store
                        .queue_task(task.id, TaskStatus::NotStarted, 1)
                        .await?
                {
                    queued += 1;
                    if !stage_started.contains(&task.environment_id) {
                        stage_started.push(task.environment_id.clone());
                    }
                }
            }
            for env in stage_started {
                self.store
                    .append_issue_activity(
                        issue_id,
                        1,
                        ActivityKind::StageStarted,
                        &json!({"environment": env}),
                    )
                    .await?;
            }
        }
        Ok(queued)
    }

    /// The environments of a pipeline's stages, by id.
    pub(crate) async fn pipeline_environments(
        &self,
        pipeline: &Pipeline,
    ) -> AppResult<HashMap<String, Environment>> {
        let mut out = HashMap::new();
        for stage in &pipeline.stages {
            out.insert(
                stage.environment_id.clone(),
                self.store.environment(&stage.environment_id).await?,
            );
        }
        Ok(out)
    }
}

/// "instance/database" (or the instance alone for CREATE_DATABASE).
pub fn target(task: &Task) -> String {
    match &task.database_name {
        Some(db) => format!("{}/{db}", task.instance_id),
        None => task.instance_id.clone(),
    }
}
