//! Filing an issue: its targets resolved, its SQL checked against its type,
//! its pipeline derived (a stage per environment in order, a task per
//! database), then edited, commented on and listed.

use super::{analyze, dialect_of, policy};
use crate::{App, AppError, AppResult, Caller, Permission, validate};
use serde::Deserialize;
use serde_json::json;
use sluice_engine::CreateDatabaseOptions;
use sluice_store::{
    ActivityKind, ApprovalStatus, Environment, Issue, IssueComment, IssueFilter, IssueStatus,
    IssueType, IssueUpdate, NewIssue, NewStage, NewTask, Page, PageRequest, RiskLevel, TaskStatus,
    TaskType,
};
use std::collections::BTreeMap;

/// Longest SQL an issue holds (the API refuses bodies above 1 MiB anyway).
const MAX_STATEMENT_BYTES: usize = 512 * 1024;

/// An issue to file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type")]
    pub issue_type: IssueType,
    /// The SQL (unused for CREATE_DATABASE).
    #[serde(default)]
    pub statement: String,
    /// "{instance}/{database}" for changes; "{instance}" for
    /// CREATE_DATABASE.
    pub targets: Vec<String>,
    /// The change's version; a timestamp when absent.
    #[serde(default)]
    pub version: Option<String>,
    /// For CREATE_DATABASE: the database to create on each instance.
    #[serde(default)]
    pub database: Option<NewDatabaseInput>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct NewDatabaseInput {
    pub name: String,
    #[serde(default)]
    pub options: CreateDatabaseOptions,
}

/// Fields of an issue to change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuePatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub statement: Option<String>,
}

/// A resolved target: where a task runs.
struct Target {
    db_id: Option<i64>,
    instance_id: String,
    /// The database name, or the one to create.
    database: String,
    engine: sluice_store::Engine,
    environment_id: String,
}

/// The default version: the time of filing to the millisecond, so that
/// versions sort in filing order.
fn default_version() -> String {
    chrono::Utc::now().format("%Y%m%d%H%M%S%3f").to_string()
}

fn check_version(version: &str) -> AppResult<String> {
    let version = version.trim();
    if version.is_empty() {
        return Err(AppError::invalid("version", "must not be empty"));
    }
    if version.len() > 255
        || !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(AppError::invalid(
            "version",
            format!(
                "{version:?} is not a valid version: use at most 255 letters, digits, '.', '_' and '-'"
            ),
        ));
    }
    Ok(version.to_string())
}

fn description(value: &str) -> AppResult<String> {
    validate::multiline_text("description", value, 64 * 1024)
}

/// The SQL each task runs: the issue's one script, or a script per target
/// (a schema sync plans every target on its own).
#[derive(Clone, Copy)]
enum Scripts<'a> {
    Shared(&'a str),
    PerTarget(&'a [String]),
}

impl App {
    /// File an issue in `project` and start its plan checks.
    pub async fn create_issue(
        &self,
        caller: &Caller,
        project: &str,
        input: &IssueInput,
    ) -> AppResult<Issue> {
        self.file_issue(caller, project, input, Scripts::Shared(&input.statement))
            .await
    }

    /// File a schema or data change whose tasks run different SQL:
    /// `scripts[i]` is the script of `input.targets[i]` (`input.statement`
    /// is not used). Each script is checked against its target's dialect.
    pub async fn create_issue_with_scripts(
        &self,
        caller: &Caller,
        project: &str,
        input: &IssueInput,
        scripts: &[String],
    ) -> AppResult<Issue> {
        if input.issue_type == IssueType::CreateDatabase {
            return Err(AppError::invalid(
                "type",
                "a CREATE_DATABASE issue runs no SQL of its own",
            ));
        }
        if scripts.len() != input.targets.len() {
            return Err(AppError::invalid(
                "statements",
                format!(
                    "one script per target: {} target(s), {} script(s)",
                    input.targets.len(),
                    scripts.len()
                ),
            ));
        }
        self.file_issue(caller, project, input, Scripts::PerTarget(scripts))
            .await
    }

    async fn file_issue(
        &self,
        caller: &Caller,
        project: &str,
        input: &IssueInput,
        scripts: Scripts<'_>,
    ) -> AppResult<Issue> {
        self.authorize(caller, Permission::IssuesCreate, Some(project))
            .await?;
        let proj = self.store.project(project).await?;
        if proj.archived {
            return Err(AppError::FailedPrecondition(format!(
                "project {project} is archived"
            )));
        }
        let title = validate::title("title", &input.title)?;
        let description = description(&input.description)?;
        let detail = json!({"title": title, "type": input.issue_type, "targets": input.targets});
        self.audited(caller, "issues.create", &format!("projects/{project}/issues"), detail, async {
            let targets = self.resolve_targets(project, input).await?;
            let version = match &input.version {
                Some(v) => check_version(v)?,
                None => default_version(),
            };
            let create_sql = input
                .database
                .as_ref()
                .map(|db| format!("CREATE DATABASE {}", db.name))
                .unwrap_or_default();
            let (statements, payload, risk): (Vec<&str>, _, _) = match input.issue_type {
                IssueType::CreateDatabase => {
                    let db = input.database.as_ref().ok_or_else(|| {
                        AppError::invalid("database", "a CREATE_DATABASE issue names the database to create")
                    })?;
                    validate::text("database.name", &db.name, 64)?;
                    if db.name.trim().is_empty() || db.name != db.name.trim() {
                        return Err(AppError::invalid("database.name", "must not be empty or start or end with spaces"));
                    }
                    (vec![create_sql.as_str(); targets.len()], json!(db), RiskLevel::Low)
                }
                IssueType::SchemaChange | IssueType::DataChange => {
                    let (statements, risk) = match scripts {
                        Scripts::Shared(sql) => (
                            vec![sql; targets.len()],
                            self.check_statement(input.issue_type, sql, &targets)?,
                        ),
                        Scripts::PerTarget(list) => (
                            list.iter().map(String::as_str).collect(),
                            self.check_scripts(input.issue_type, list, &targets)?,
                        ),
                    };
                    for t in &targets {
                        if let Some(db_id) = t.db_id
                            && let Some(entry) = self.store.applied_version(db_id, &version).await?
                        {
                            return Err(AppError::invalid(
                                "version",
                                format!(
                                    "version {version} is already applied to {}/{} (changelog entry {}{})",
                                    t.instance_id,
                                    t.database,
                                    entry.id,
                                    entry.issue_id.map(|i| format!(", issue id {i}")).unwrap_or_default()
                                ),
                            ));
                        }
                    }
                    (statements, json!({}), risk)
                }
            };
            let environments = self.store.list_environments(false).await?;
            let stages = derive_stages(&environments, &targets, input.issue_type, &statements, &version, &payload)?;
            let approval_status = if policy::approval_policies(
                environments.iter().filter(|e| stages.iter().any(|s| s.environment_id == e.id)),
            )
            .is_empty()
            {
                ApprovalStatus::NotRequired
            } else {
                ApprovalStatus::Pending
            };
            let issue = self
                .store
                .create_issue(&NewIssue {
                    project_id: project.to_string(),
                    title: title.clone(),
                    description: description.clone(),
                    issue_type: input.issue_type,
                    risk,
                    creator_id: caller.id(),
                    assignee_id: None,
                    approval_status,
                    subscribers: vec![caller.id()],
                    stages,
                })
                .await?;
            if approval_status == ApprovalStatus::Pending {
                self.store
                    .append_issue_activity(issue.id, caller.id(), ActivityKind::ApprovalRequested, &json!({}))
                    .await?;
            }
            self.start_plan_checks(issue.id).await?;
            Ok(issue)
        })
        .await
    }

    /// Split the SQL for every target's dialect, refuse it if it does not
    /// fit the issue type, and rate its risk.
    fn check_statement(
        &self,
        issue_type: IssueType,
        statement: &str,
        targets: &[Target],
    ) -> AppResult<RiskLevel> {
        if statement.len() > MAX_STATEMENT_BYTES {
            return Err(AppError::invalid("statement", "must be at most 512 KiB"));
        }
        let mut risk = RiskLevel::Low;
        let mut dialects: Vec<_> = targets.iter().map(|t| dialect_of(t.engine)).collect();
        dialects.dedup();
        for dialect in dialects {
            let statements = analyze::statements("statement", dialect, statement)?;
            analyze::check_type("statement", issue_type, &statements)?;
            let r = analyze::overall_risk(&statements);
            if analyze::rank(r) > analyze::rank(risk) {
                risk = r;
            }
        }
        Ok(risk)
    }

    /// [`Self::check_statement`] for each target's own script; an error
    /// names the target.
    fn check_scripts(
        &self,
        issue_type: IssueType,
        scripts: &[String],
        targets: &[Target],
    ) -> AppResult<RiskLevel> {
        let mut risk = RiskLevel::Low;
        for (target, script) in targets.iter().zip(scripts) {
            let r = self
                .check_statement(issue_type, script, std::slice::from_ref(target))
                .map_err(|err| match err {
                    AppError::InvalidArgument { message, .. } => AppError::invalid(
                        "statements",
                        format!("{}/{}: {message}", target.instance_id, target.database),
                    ),
                    other => other,
                })?;
            if analyze::rank(r) > analyze::rank(risk) {
                risk = r;
            }
        }
        Ok(risk)
    }

    async fn resolve_targets(&self, project: &str, input: &IssueInput) -> AppResult<Vec<Target>> {
        if input.targets.is_empty() {
            return Err(AppError::invalid("targets", "name at least one target"));
        }
        if input.targets.len() > 10_000 {
            return Err(AppError::invalid(
                "targets",
                "at most 10000 targets per issue",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(input.targets.len());
        let mut instances = BTreeMap::new();
        for target in &input.targets {
            if !seen.insert(target.as_str()) {
                return Err(AppError::invalid(
                    "targets",
                    format!("{target} is named twice"),
                ));
            }
            let (instance_id, database) = match input.issue_type {
                IssueType::CreateDatabase => (target.as_str(), None),
                IssueType::SchemaChange | IssueType::DataChange => match target.split_once('/') {
                    Some((i, d)) if !i.is_empty() && !d.is_empty() => (i, Some(d)),
                    _ => {
                        return Err(AppError::invalid(
                            "targets",
                            format!(
                                "{target:?} is not a database: write it as \"instance/database\""
                            ),
                        ));
                    }
                },
            };
            if !instances.contains_key(instance_id) {
                let instance = match self.store.instance(instance_id).await {
                    Ok(i) => i,
                    Err(sluice_store::StoreError::NotFound(_)) => {
                        return Err(AppError::invalid(
                            "targets",
                            format!("there is no instance {instance_id}"),
                        ));
                    }
                    Err(e) => return Err(e.into()),
                };
                if instance.archived {
                    return Err(AppError::invalid(
                        "targets",
                        format!("instance {instance_id} is archived"),
                    ));
                }
                instances.insert(instance_id.to_string(), instance);
            }
            let instance = &instances[instance_id];
            match database {
                None => out.push(Target {
                    db_id: None,
                    instance_id: instance.id.clone(),
                    database: input
                        .database
                        .as_ref()
                        .map(|d| d.name.clone())
                        .unwrap_or_default(),
                    engine: instance.engine,
                    environment_id: instance.environment_id.clone(),
                }),
                Some(name) => {
                    let db = match self.store.database(instance_id, name).await {
                        Ok(db) => db,
                        Err(sluice_store::StoreError::NotFound(_)) => {
                            return Err(AppError::invalid(
                                "targets",
                                format!(
                                    "instance {instance_id} has no database {name} (sync the instance if it is new)"
                                ),
                            ));
                        }
                        Err(e) => return Err(e.into()),
                    };
                    if db.project_id != project {
                        return Err(AppError::invalid(
                            "targets",
                            format!(
                                "database {target} belongs to project {}, not {project}",
                                db.project_id
                            ),
                        ));
                    }
                    out.push(Target {
                        db_id: Some(db.id),
                        instance_id: instance.id.clone(),
                        database: db.name.clone(),
                        engine: db.engine,
                        environment_id: db.environment_id.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Issues of a project, newest first.
    pub async fn list_issues(
        &self,
        caller: &Caller,
        project: &str,
        mut filter: IssueFilter,
        page: PageRequest,
    ) -> AppResult<Page<Issue>> {
        self.authorize(caller, Permission::IssuesGet, Some(project))
            .await?;
        self.store.project(project).await?;
        filter.project_id = Some(project.to_string());
        Ok(self.store.list_issues(&filter, page).await?)
    }

    /// Change an issue's title, description or SQL. New SQL replaces the
    /// statement of every task that has not run to an end (none may be
    /// queued or running), withdraws an approval and runs the checks again.
    pub async fn update_issue(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
        patch: &IssuePatch,
    ) -> AppResult<Issue> {
        let issue = self.visible_issue(caller, project, number).await?;
        self.authorize(caller, Permission::IssuesUpdate, Some(project))
            .await?;
        let title = patch
            .title
            .as_deref()
            .map(|t| validate::title("title", t))
            .transpose()?;
        let description = patch.description.as_deref().map(description).transpose()?;
        let detail = json!({"title": title, "statement_changed": patch.statement.is_some()});
        self.audited(
            caller,
            "issues.update",
            &format!("projects/{project}/issues/{number}"),
            detail,
            async {
                if issue.status != IssueStatus::Open {
                    return Err(AppError::FailedPrecondition(format!(
                        "issue {number} is {}: only an open issue can change",
                        issue.status
                    )));
                }
                let mut risk = None;
                if let Some(statement) = &patch.statement {
                    risk = Some(self.replace_statement(caller, &issue, statement).await?);
                }
                let updated = self
                    .store
                    .update_issue(
                        issue.id,
                        &IssueUpdate {
                            title,
                            description,
                            risk,
                            assignee_id: None,
                        },
                    )
                    .await?;
                self.store
                    .append_issue_activity(
                        issue.id,
                        caller.id(),
                        ActivityKind::Updated,
                        &json!({"statement_changed": patch.statement.is_some()}),
                    )
                    .await?;
                Ok(updated)
            },
        )
        .await
    }

    async fn replace_statement(
        &self,
        caller: &Caller,
        issue: &Issue,
        statement: &str,
    ) -> AppResult<RiskLevel> {
        if issue.issue_type == IssueType::CreateDatabase {
            return Err(AppError::invalid(
                "statement",
                "a CREATE_DATABASE issue has no SQL to edit",
            ));
        }
        let pipeline = self.store.pipeline_of_issue(issue.id).await?;
        let tasks: Vec<_> = pipeline.stages.iter().flat_map(|s| &s.tasks).collect();
        if let Some(busy) = tasks
            .iter()
            .find(|t| matches!(t.status, TaskStatus::Pending | TaskStatus::Running))
        {
            return Err(AppError::FailedPrecondition(format!(
                "task {} on {}/{} is {}: wait for it or cancel it before changing the SQL",
                busy.id,
                busy.instance_id,
                busy.database_name.as_deref().unwrap_or(""),
                busy.status
            )));
        }
        // One new script for every task would undo a per-target plan.
        if let Some(first) = tasks.first()
            && tasks.iter().any(|t| t.statement != first.statement)
        {
            return Err(AppError::FailedPrecondition(
                "the tasks of this issue run different SQL (one plan per database, as a schema sync files them): one new script cannot replace them all; file a new issue or sync again".into(),
            ));
        }
        let mut targets = Vec::new();
        for t in &tasks {
            let instance = self.store.instance(&t.instance_id).await?;
            targets.push(Target {
                db_id: t.db_id,
                instance_id: t.instance_id.clone(),
                database: t.database_name.clone().unwrap_or_default(),
                engine: instance.engine,
                environment_id: t.environment_id.clone(),
            });
        }
        let risk = self.check_statement(issue.issue_type, statement, &targets)?;
        let mut changed = 0;
        for t in tasks.iter().filter(|t| !t.status.is_final()) {
            if self
                .store
                .update_task_statement(t.id, t.status, statement, &t.version)
                .await?
            {
                changed += 1;
            } else {
                return Err(AppError::FailedPrecondition(format!(
                    "task {} changed while the SQL was being replaced: try again",
                    t.id
                )));
            }
        }
        if changed == 0 {
            return Err(AppError::FailedPrecondition(
                "every task of this issue has run or been skipped: file a new issue".into(),
            ));
        }
        if issue.approval_status == ApprovalStatus::Approved
            && self
                .store
                .move_issue_approval(issue.id, ApprovalStatus::Approved, ApprovalStatus::Pending)
                .await?
        {
            self.store
                .append_issue_activity(
                    issue.id,
                    caller.id(),
                    ActivityKind::ApprovalWithdrawn,
                    &json!({"reason": "the SQL changed"}),
                )
                .await?;
        }
        self.start_plan_checks(issue.id).await?;
        Ok(risk)
    }

    pub async fn add_issue_comment(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
        body: &str,
    ) -> AppResult<IssueComment> {
        let issue = self.visible_issue(caller, project, number).await?;
        self.authorize(caller, Permission::IssuesComment, Some(project))
            .await?;
        let body = validate::multiline_text("body", body, 64 * 1024)?;
        if body.trim().is_empty() {
            return Err(AppError::invalid("body", "must not be empty"));
        }
        self.audited(
            caller,
            "issues.comment",
            &format!("projects/{project}/issues/{number}"),
            json!({}),
            async {
                let comment = self
                    .store
                    .add_issue_comment(issue.id, caller.id(), &body)
                    .await?;
                self.store
                    .append_issue_activity(
                        issue.id,
                        caller.id(),
                        ActivityKind::Commented,
                        &json!({"comment_id": comment.id}),
                    )
                    .await?;
                Ok(comment)
            },
        )
        .await
    }

    pub async fn list_issue_comments(
        &self,
        caller: &Caller,
        project: &str,
        number: i64,
        page: PageRequest,
    ) -> AppResult<Page<IssueComment>> {
        let issue = self.visible_issue(caller, project, number).await?;
        Ok(self.store.list_issue_comments(issue.id, page).await?)
    }
}

/// A stage per environment that has targets, in environment order; a task
/// per target, running `statements[i]` on `targets[i]`. Every task starts
/// NOT_STARTED: the runner queues it when its turn, checks, approval and
/// rollout policy allow.
fn derive_stages(
    environments: &[Environment],
    targets: &[Target],
    issue_type: IssueType,
    statements: &[&str],
    version: &str,
    payload: &serde_json::Value,
) -> AppResult<Vec<NewStage>> {
    let task_type = match issue_type {
        IssueType::CreateDatabase => TaskType::CreateDatabase,
        IssueType::SchemaChange => TaskType::SchemaChange,
        IssueType::DataChange => TaskType::DataChange,
    };
    let mut stages = Vec::new();
    for env in environments {
        let tasks: Vec<NewTask> = targets
            .iter()
            .zip(statements)
            .filter(|(t, _)| t.environment_id == env.id)
            .map(|(t, statement)| NewTask {
                db_id: t.db_id,
                instance_id: t.instance_id.clone(),
                task_type,
                statement: statement.to_string(),
                version: version.to_string(),
                payload: payload.clone(),
                status: TaskStatus::NotStarted,
            })
            .collect();
        if !tasks.is_empty() {
            stages.push(NewStage {
                environment_id: env.id.clone(),
                tasks,
            });
        }
    }
    let placed: usize = stages.iter().map(|s| s.tasks.len()).sum();
    if placed != targets.len() {
        let orphan = targets
            .iter()
            .find(|t| !environments.iter().any(|e| e.id == t.environment_id))
            .map(|t| format!("{}/{}", t.instance_id, t.database))
            .unwrap_or_default();
        return Err(AppError::invalid(
            "targets",
            format!("{orphan} is in an archived environment"),
        ));
    }
    Ok(stages)
}
