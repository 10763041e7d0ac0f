//! Issues: a project's list with filters, the list across the viewer's
//! projects, the create form, and an issue's page (its pipeline drawn as
//! stages left to right, the selected task's SQL, checks and run logs, the
//! approval box, the timeline and comments) with the fragment the page
//! re-fetches while something runs.
//!
//! Every action is a POST form (CSRF, post/redirect/get) calling the same
//! use cases as the API; the page only shows the buttons the issue view says
//! the viewer may use.

use super::forms::{Opt, optional};
use super::layout::{FormErrors, Layout, Section, describe, error_page, when};
use super::projects::{Head, head};
use super::session::{Ctx, Params, Post, redirect_notice, url_encode};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use sluice_app::issues::{
    IssueInput, IssuePatch, IssueSummary, IssueView, NewDatabaseInput, RunView, TaskAction,
};
use sluice_app::permissions::allows;
use sluice_app::{AppError, Permission};
use sluice_store::{
    ActivityKind, ApprovalStatus, DatabaseFilter, IssueFilter, IssueStatus, IssueType, PageRequest,
    PlanCheckLevel, PlanCheckStatus, PolicyRole, RiskLevel, Rollout, TaskRunStatus, TaskStatus,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/issues", get(all_issues))
        .route("/projects/{id}/issues", get(list).post(create))
        .route("/projects/{id}/issues/new", get(new))
        .route("/projects/{id}/issues/{n}", get(show))
        .route("/projects/{id}/issues/{n}/live", get(live))
        .route("/projects/{id}/issues/{n}/approve", post(approve))
        .route("/projects/{id}/issues/{n}/cancel", post(cancel))
        .route("/projects/{id}/issues/{n}/edit", post(edit))
        .route("/projects/{id}/issues/{n}/comments", post(comment))
        .route(
            "/projects/{id}/issues/{n}/stages/{env}/run",
            post(run_stage),
        )
        .route(
            "/projects/{id}/issues/{n}/tasks/{task}/{action}",
            post(task_action),
        )
}

// ---------------------------------------------------------------------------
// Words and colours

/// The CSS class of a status word (UI.md, Colours and status).
pub fn status_class(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::NotStarted => "not-started",
        TaskStatus::Pending => "pending",
        TaskStatus::Running => "running",
        TaskStatus::Done => "done",
        TaskStatus::Failed => "failed",
        TaskStatus::Canceled => "canceled",
        TaskStatus::Skipped => "skipped",
    }
}

fn run_class(status: TaskRunStatus) -> &'static str {
    match status {
        TaskRunStatus::Pending => "pending",
        TaskRunStatus::Running => "running",
        TaskRunStatus::Done => "done",
        TaskRunStatus::Failed => "failed",
        TaskRunStatus::Canceled => "canceled",
    }
}

pub fn issue_status_class(status: IssueStatus) -> &'static str {
    match status {
        IssueStatus::Open => "pending",
        IssueStatus::Done => "done",
        IssueStatus::Canceled => "canceled",
    }
}

pub fn approval_class(status: ApprovalStatus) -> &'static str {
    match status {
        ApprovalStatus::NotRequired => "not-started",
        ApprovalStatus::Pending => "warn",
        ApprovalStatus::Approved => "done",
        ApprovalStatus::Rejected => "failed",
    }
}

pub fn risk_class(risk: RiskLevel) -> &'static str {
    match risk {
        RiskLevel::Low => "not-started",
        RiskLevel::Moderate => "warn",
        RiskLevel::High => "failed",
    }
}

fn level_class(level: &str) -> &'static str {
    match level {
        "ERROR" => "failed",
        "WARNING" => "warn",
        "SUCCESS" => "done",
        "RUNNING" => "running",
        _ => "not-started",
    }
}

pub fn type_word(t: IssueType) -> &'static str {
    match t {
        IssueType::SchemaChange => "Schema change",
        IssueType::DataChange => "Data change",
        IssueType::CreateDatabase => "Create database",
    }
}

pub fn policy_role_word(role: PolicyRole) -> &'static str {
    match role {
        PolicyRole::WorkspaceOwner => "Workspace Owner",
        PolicyRole::WorkspaceDba => "DBA",
        PolicyRole::ProjectOwner => "Project Owner",
        PolicyRole::ProjectDeveloper => "Project Developer",
    }
}

/// "DBA or Workspace Owner".
pub fn roles_words(roles: &[PolicyRole]) -> String {
    let words: Vec<&str> = roles.iter().map(|r| policy_role_word(*r)).collect();
    match words.as_slice() {
        [] => "nobody".into(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn rollout_word(r: Rollout) -> &'static str {
    match r {
        Rollout::Automatic => "Automatic rollout",
        Rollout::Manual => "Manual rollout",
    }
}

fn issue_href(project: &str, number: i64) -> String {
    format!("/projects/{}/issues/{number}", url_encode(project))
}

fn parse_number(n: &str) -> Option<i64> {
    n.parse::<i64>().ok().filter(|n| *n > 0)
}

fn no_issue(ctx: &Ctx, n: &str) -> Response {
    error_page(
        ctx,
        Section::Projects,
        AppError::NotFound(format!("issue {n:?}")),
    )
}

// ---------------------------------------------------------------------------
// Lists

pub struct IssueRow {
    pub number: i64,
    pub project: String,
    pub href: String,
    pub title: String,
    pub type_word: &'static str,
    pub status: &'static str,
    pub status_class: &'static str,
    pub risk: &'static str,
    pub risk_class: &'static str,
    pub approval: &'static str,
    pub approval_class: &'static str,
    pub creator: String,
    pub updated: String,
}

pub fn issue_rows(summaries: &[IssueSummary]) -> Vec<IssueRow> {
    summaries
        .iter()
        .map(|s| IssueRow {
            number: s.number,
            project: s.project.clone(),
            href: issue_href(&s.project, s.number),
            title: s.title.clone(),
            type_word: type_word(s.issue_type),
            status: s.status.as_str(),
            status_class: issue_status_class(s.status),
            risk: s.risk.as_str(),
            risk_class: risk_class(s.risk),
            approval: s.approval.as_str(),
            approval_class: approval_class(s.approval),
            creator: s.creator.name.clone(),
            updated: when(s.updated_at),
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    #[serde(rename = "type")]
    issue_type: String,
    creator: String,
}

fn with_all(mut options: Vec<Opt>, selected: &str) -> Vec<Opt> {
    options.insert(
        0,
        Opt {
            value: String::new(),
            label: "All".into(),
            selected: selected.is_empty(),
        },
    );
    options
}

fn status_options(selected: &str) -> Vec<Opt> {
    with_all(
        Opt::list(
            [("OPEN", "Open"), ("DONE", "Done"), ("CANCELED", "Canceled")],
            selected,
        ),
        selected,
    )
}

fn type_options(selected: &str) -> Vec<Opt> {
    Opt::list(
        [
            ("SCHEMA_CHANGE", "Schema change"),
            ("DATA_CHANGE", "Data change"),
            ("CREATE_DATABASE", "Create database"),
        ],
        selected,
    )
}

#[derive(Template)]
#[template(path = "issues.html")]
struct ListPage {
    l: Layout,
    p: Head,
    issues: Vec<IssueRow>,
    statuses: Vec<Opt>,
    types: Vec<Opt>,
    creators: Vec<Opt>,
    filtered: bool,
    can_create: bool,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Params(q): Params<ListQuery>,
) -> Response {
    let (p, l) = match head(&state, &ctx, &id, "issues").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let filter = IssueFilter {
        status: IssueStatus::parse(&q.status),
        issue_type: IssueType::parse(&q.issue_type),
        creator_id: q.creator.parse().ok(),
        ..Default::default()
    };
    let (issues, members, role) = match tokio::try_join!(
        state
            .app
            .list_issues(&ctx.caller, &id, filter, PageRequest::default()),
        state.app.project_members(&ctx.caller, &id),
        state.app.project_role(&ctx.caller, &id),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(&ctx, Section::Projects, err),
    };
    let summaries = match state.app.issue_summaries(&issues.items).await {
        Ok(s) => s,
        Err(err) => return error_page(&ctx, Section::Projects, err),
    };
    let can_create = !p.archived && allows(&ctx.caller, Permission::IssuesCreate, role);
    let l = if can_create {
        l.action("New issue", format!("/projects/{}/issues/new", p.id))
    } else {
        l
    };
    let ids: Vec<String> = members.iter().map(|m| m.principal_id.to_string()).collect();
    let creators = with_all(
        Opt::list(
            ids.iter()
                .zip(&members)
                .map(|(id, m)| (id.as_str(), m.name.as_str())),
            &q.creator,
        ),
        &q.creator,
    );
    let mut types = type_options(&q.issue_type);
    types = with_all(types, &q.issue_type);
    ctx.ok(&ListPage {
        l,
        p,
        issues: issue_rows(&summaries),
        statuses: status_options(&q.status),
        types,
        creators,
        filtered: !(q.status.is_empty() && q.issue_type.is_empty() && q.creator.is_empty()),
        can_create,
    })
}

#[derive(Template)]
#[template(path = "issues_all.html")]
struct AllPage {
    l: Layout,
    issues: Vec<IssueRow>,
    statuses: Vec<Opt>,
    types: Vec<Opt>,
    mine: bool,
    no_projects: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AllQuery {
    status: Option<String>,
    #[serde(rename = "type")]
    issue_type: String,
    mine: String,
}

/// The issues of every project the viewer belongs to (all projects for
/// Owners and DBAs), newest change first.
async fn all_issues(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(q): Params<AllQuery>,
) -> Response {
    // Open issues unless the filter says otherwise.
    let status = q.status.clone().unwrap_or_else(|| "OPEN".into());
    let mine = !q.mine.is_empty() && q.mine != "false";
    let projects = match state.app.list_projects(&ctx.caller, false).await {
        Ok(p) => p,
        Err(err) => return error_page(&ctx, Section::Issues, err),
    };
    let mut issues = Vec::new();
    for project in &projects {
        let filter = IssueFilter {
            status: IssueStatus::parse(&status),
            issue_type: IssueType::parse(&q.issue_type),
            creator_id: mine.then(|| ctx.caller.id()),
            ..Default::default()
        };
        match state
            .app
            .list_issues(&ctx.caller, &project.id, filter, PageRequest::default())
            .await
        {
            Ok(page) => issues.extend(page.items),
            Err(AppError::PermissionDenied(_)) => {}
            Err(err) => return error_page(&ctx, Section::Issues, err),
        }
    }
    issues.sort_by_key(|i| std::cmp::Reverse(i.updated_at));
    issues.truncate(200);
    let summaries = match state.app.issue_summaries(&issues).await {
        Ok(s) => s,
        Err(err) => return error_page(&ctx, Section::Issues, err),
    };
    ctx.ok(&AllPage {
        l: ctx.layout(Section::Issues, "Issues"),
        issues: issue_rows(&summaries),
        statuses: status_options(&status),
        types: with_all(type_options(&q.issue_type), &q.issue_type),
        mine,
        no_projects: projects.is_empty(),
    })
}

// ---------------------------------------------------------------------------
// Create

pub struct TargetBox {
    pub value: String,
    pub label: String,
    pub detail: String,
    pub checked: bool,
}

pub struct EnvGroup {
    pub title: String,
    pub protected: bool,
    pub targets: Vec<TargetBox>,
}

/// `databases` as checkboxes grouped by environment, in the environments'
/// order, `chosen` (`instance/database` values) checked; environments
/// without a database are left out.
pub fn database_groups<'a>(
    envs: &[sluice_store::Environment],
    databases: impl Iterator<Item = &'a sluice_store::Database> + Clone,
    chosen: &[String],
) -> Vec<EnvGroup> {
    envs.iter()
        .filter_map(|env| {
            let targets: Vec<TargetBox> = databases
                .clone()
                .filter(|d| d.environment_id == env.id)
                .map(|d| {
                    let value = format!("{}/{}", d.instance_id, d.name);
                    TargetBox {
                        checked: chosen.contains(&value),
                        label: d.name.clone(),
                        detail: format!(
                            "on {} · {}",
                            d.instance_id,
                            super::instances::engine_word(d.engine)
                        ),
                        value,
                    }
                })
                .collect();
            (!targets.is_empty()).then(|| EnvGroup {
                title: env.title.clone(),
                protected: env.protected,
                targets,
            })
        })
        .collect()
}

#[derive(Default)]
pub struct NewForm {
    pub issue_type: String,
    pub title: String,
    pub description: String,
    pub statement: String,
    pub version: String,
    pub database_name: String,
    pub targets: Vec<String>,
    pub instances: Vec<String>,
}

impl NewForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> NewForm {
        let mut form = NewForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "type" => form.issue_type = value,
                "title" => form.title = value,
                "description" => form.description = value,
                "statement" => form.statement = value,
                "version" => form.version = value,
                "database_name" => form.database_name = value,
                "target" => form.targets.push(value),
                "instance" => form.instances.push(value),
                _ => {}
            }
        }
        form
    }
}

#[derive(Template)]
#[template(path = "issue_new.html")]
struct NewPage {
    l: Layout,
    project: String,
    form: NewForm,
    types: Vec<Opt>,
    groups: Vec<EnvGroup>,
    instances: Vec<TargetBox>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    /// "{instance}/{database}" to tick at first.
    target: String,
    #[serde(rename = "type")]
    issue_type: String,
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    form: NewForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let project = match state.app.project(&ctx.caller, id).await {
        Ok(p) => p,
        Err(err) => return error_page(ctx, Section::Projects, err),
    };
    let role = match state.app.project_role(&ctx.caller, id).await {
        Ok(r) => r,
        Err(err) => return error_page(ctx, Section::Projects, err),
    };
    if !allows(&ctx.caller, Permission::IssuesCreate, role) {
        return error_page(
            ctx,
            Section::Projects,
            AppError::PermissionDenied("you do not have permission issues.create".into()),
        );
    }
    let filter = DatabaseFilter {
        project_id: Some(id.to_string()),
        ..Default::default()
    };
    let (dbs, envs) = match tokio::try_join!(
        state
            .app
            .list_databases(&ctx.caller, filter, PageRequest::ALL),
        state.app.list_environments(&ctx.caller, false),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(ctx, Section::Projects, err),
    };
    // Instances for CREATE_DATABASE: all when the viewer may list them,
    // else those the project's databases live on.
    let instances = match state.app.list_instances(&ctx.caller, false).await {
        Ok(list) => list
            .into_iter()
            .map(|i| {
                (
                    i.id.clone(),
                    i.title.clone(),
                    super::instances::engine_word(i.engine),
                    i.environment_id.clone(),
                )
            })
            .collect::<Vec<_>>(),
        Err(_) => {
            let mut seen: Vec<(String, String, &'static str, String)> = Vec::new();
            for d in &dbs.items {
                if !seen.iter().any(|s| s.0 == d.instance_id) {
                    seen.push((
                        d.instance_id.clone(),
                        d.instance_id.clone(),
                        super::instances::engine_word(d.engine),
                        d.environment_id.clone(),
                    ));
                }
            }
            seen
        }
    };
    let env_title = |id: &str| {
        envs.iter()
            .find(|e| e.id == id)
            .map(|e| e.title.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let groups = database_groups(&envs, dbs.items.iter(), &form.targets);
    let instances = instances
        .into_iter()
        .map(|(id, title, engine, env)| TargetBox {
            checked: form.instances.contains(&id),
            detail: format!("{engine} · {}", env_title(&env)),
            label: if title == id {
                id.clone()
            } else {
                format!("{title} ({id})")
            },
            value: id,
        })
        .collect();
    let l = ctx
        .layout(Section::Projects, "New issue")
        .crumb("Projects", "/projects")
        .crumb(
            project.title.clone(),
            format!("/projects/{}/issues", project.id),
        );
    let types = type_options(&form.issue_type);
    ctx.render(
        status,
        &NewPage {
            l,
            project: project.id,
            form,
            types,
            groups,
            instances,
            errors,
        },
    )
}

async fn new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Params(q): Params<NewQuery>,
) -> Response {
    let form = NewForm {
        issue_type: if IssueType::parse(&q.issue_type).is_some() {
            q.issue_type
        } else {
            "SCHEMA_CHANGE".into()
        },
        targets: optional(&q.target).into_iter().collect(),
        ..Default::default()
    };
    new_page(&state, &ctx, &id, form, FormErrors::none(), StatusCode::OK).await
}

const NEW_INPUTS: &[&str] = &[
    "title",
    "description",
    "type",
    "statement",
    "targets",
    "version",
    "database.name",
    "database",
];

async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, pairs): Post<Vec<(String, String)>>,
) -> Response {
    let form = NewForm::from_pairs(pairs);
    let Some(issue_type) = IssueType::parse(&form.issue_type) else {
        let mut errors = FormErrors::none();
        errors.add(
            "type",
            "Choose one of schema change, data change, create database",
        );
        return new_page(&state, &ctx, &id, form, errors, StatusCode::BAD_REQUEST).await;
    };
    let create_db = issue_type == IssueType::CreateDatabase;
    let input = IssueInput {
        title: form.title.clone(),
        description: form.description.clone(),
        issue_type,
        statement: if create_db {
            String::new()
        } else {
            form.statement.clone()
        },
        targets: if create_db {
            form.instances.clone()
        } else {
            form.targets.clone()
        },
        version: optional(&form.version),
        database: create_db.then(|| NewDatabaseInput {
            name: form.database_name.trim().to_string(),
            options: Default::default(),
        }),
    };
    match state.app.create_issue(&ctx.caller, &id, &input).await {
        Ok(issue) => redirect_notice(
            &state,
            &issue_href(&id, issue.number),
            &format!(
                "Issue #{} filed. Its checks are running; the page follows them.",
                issue.number
            ),
        ),
        Err(err @ AppError::PermissionDenied(_)) => error_page(&ctx, Section::Projects, err),
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, NEW_INPUTS);
            new_page(&state, &ctx, &id, form, errors, status).await
        }
    }
}

// ---------------------------------------------------------------------------
// The issue page

pub struct TaskCard {
    pub id: i64,
    pub href: String,
    pub target: String,
    pub status: &'static str,
    pub class: &'static str,
    pub waiting_for: String,
    pub skip_reason: String,
    pub checks_level: String,
    pub checks_class: &'static str,
    pub can_run: bool,
    pub can_retry: bool,
    pub can_skip: bool,
    pub can_cancel: bool,
    /// A workspace Owner or DBA may override the check that blocks it.
    pub can_override: bool,
    /// "Checks overridden by Dana DBA: reason", or empty.
    pub overridden: String,
    pub selected: bool,
}

pub struct StageBox {
    pub environment: String,
    pub title: String,
    pub status: &'static str,
    pub class: &'static str,
    pub rollout: &'static str,
    pub approval_required: bool,
    pub can_run: bool,
    pub tasks: Vec<TaskCard>,
}

pub struct Finding {
    pub level: String,
    pub class: &'static str,
    pub title: String,
    pub content: String,
    pub line: String,
}

pub struct CheckRow {
    pub kind: &'static str,
    pub status: &'static str,
    pub level: &'static str,
    pub class: &'static str,
    pub findings: Vec<Finding>,
}

pub struct LogRow {
    pub number: String,
    pub line: String,
    pub text: String,
    pub duration: String,
    pub rows: String,
    pub applied: String,
    pub error: String,
}

pub struct RunRow {
    pub attempt: i64,
    pub status: &'static str,
    pub class: &'static str,
    pub by: String,
    pub started: String,
    pub ended: String,
    pub result: String,
    pub log: Vec<LogRow>,
}

pub struct TaskDetail {
    pub id: i64,
    pub target: String,
    pub status: &'static str,
    pub class: &'static str,
    pub version: String,
    pub skip_reason: String,
    /// "Checks overridden by Dana DBA on 2025-03-01 14:05 UTC: reason", or empty.
    pub overridden: String,
    pub lines: Vec<SqlLine>,
    pub checks: Vec<CheckRow>,
    pub runs: Vec<RunRow>,
}

/// A line of a task's SQL, marked when a check reported something on it.
pub struct SqlLine {
    pub number: usize,
    pub text: String,
    /// "failed" or "warn" for a line with a finding, else empty.
    pub class: &'static str,
}

/// The SQL's lines, each marked with the worst finding reported on it.
fn sql_lines(statement: &str, checks: &[CheckRow]) -> Vec<SqlLine> {
    let worst = |number: usize| {
        let levels = checks
            .iter()
            .flat_map(|c| &c.findings)
            .filter(|f| f.line == number.to_string());
        let mut class = "";
        for f in levels {
            match f.level.as_str() {
                "ERROR" => return "failed",
                "WARNING" => class = "warn",
                _ => {}
            }
        }
        class
    };
    statement
        .lines()
        .enumerate()
        .map(|(i, text)| SqlLine {
            number: i + 1,
            text: text.to_string(),
            class: worst(i + 1),
        })
        .collect()
}

/// What the live fragment shows: the pipeline and the selected task.
pub struct Live {
    pub base: String,
    pub csrf: String,
    pub stages: Vec<StageBox>,
    pub selected: Option<TaskDetail>,
    /// Something is queued, running or being checked: keep refreshing.
    pub running: bool,
    pub refresh: String,
}

pub struct TimelineRow {
    pub who: String,
    pub when: String,
    pub what: String,
    pub body: String,
}

pub struct IssueHead {
    pub number: i64,
    pub status: &'static str,
    pub status_class: &'static str,
    pub type_word: &'static str,
    pub risk: &'static str,
    pub risk_class: &'static str,
    pub creator: String,
    pub created: String,
    pub description: String,
}

pub struct ApprovalBox {
    pub status: &'static str,
    pub class: &'static str,
    pub required_by: Vec<String>,
    pub roles: String,
    pub approved_by: String,
    pub approved_at: String,
    pub can_approve: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditForm {
    title: String,
    description: String,
    statement: String,
}

#[derive(Template)]
#[template(path = "issue.html")]
struct IssuePage {
    l: Layout,
    h: IssueHead,
    v: Live,
    a: ApprovalBox,
    alert: Option<String>,
    can_update: bool,
    can_cancel: bool,
    can_comment: bool,
    is_create_db: bool,
    edit: EditForm,
    edit_errors: FormErrors,
    comment: String,
    comment_errors: FormErrors,
    timeline: Vec<TimelineRow>,
}

#[derive(Template)]
#[template(path = "issue_live.html")]
struct LiveFragment {
    v: Live,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskQuery {
    task: String,
}

/// What a failed POST brings back to the page.
#[derive(Default)]
struct Extras {
    alert: Option<String>,
    edit: Option<(EditForm, FormErrors)>,
    comment: Option<(String, FormErrors)>,
}

fn findings(results: &Value) -> Vec<Finding> {
    let Some(items) = results.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .map(|r| {
            let level = r["level"].as_str().unwrap_or("").to_string();
            Finding {
                class: level_class(&level),
                level,
                title: r["title"].as_str().unwrap_or("").to_string(),
                content: r["content"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        if r["content"].is_null() {
                            String::new()
                        } else {
                            r["content"].to_string()
                        }
                    }),
                line: r["line"]
                    .as_i64()
                    .filter(|l| *l > 0)
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("message")
            .and_then(|m| m.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string()),
        other => other.to_string(),
    }
}

/// The rows of a run's statement log as the runner writes it: one entry
/// per statement ({number, line, text, status, duration_ms,
/// rows_affected, applied, error}), notes from Sluice ({note, at}), and
/// what an earlier worker wrote for the run.
fn log_rows(log: &Value) -> Vec<LogRow> {
    let Some(items) = log.as_array() else {
        return Vec::new();
    };
    items
        .iter()
        .map(|e| {
            if let Some(note) = e["note"].as_str() {
                return LogRow {
                    number: String::new(),
                    line: String::new(),
                    text: note.to_string(),
                    duration: String::new(),
                    rows: String::new(),
                    applied: String::new(),
                    error: String::new(),
                };
            }
            let duration = match (e["status"].as_str(), e["duration_ms"].as_f64()) {
                (Some("RUNNING"), _) => "running…".to_string(),
                (_, Some(ms)) if ms < 10.0 => format!("{ms:.1} ms"),
                (_, Some(ms)) => format!("{ms:.0} ms"),
                (_, None) => String::new(),
            };
            LogRow {
                number: text_of(&e["number"]),
                line: text_of(&e["line"]),
                text: text_of(&e["text"]),
                duration,
                rows: text_of(&e["rows_affected"]),
                applied: match e["applied"].as_bool() {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => String::new(),
                },
                error: text_of(&e["error"]),
            }
        })
        .collect()
}

fn when_opt(ms: Option<i64>) -> String {
    ms.map(when).unwrap_or_default()
}

/// Build the fragment's data from the view; `runs` are the selected task's.
fn live_of(
    view: &IssueView,
    base: &str,
    csrf: &str,
    selected: Option<i64>,
    runs: Vec<RunView>,
) -> Live {
    let chosen = selected
        .filter(|id| {
            view.pipeline
                .stages
                .iter()
                .any(|s| s.tasks.iter().any(|t| t.id == *id))
        })
        .or_else(|| {
            view.pipeline
                .stages
                .iter()
                .flat_map(|s| &s.tasks)
                .next()
                .map(|t| t.id)
        });
    let mut running = false;
    let mut detail = None;
    let stages = view
        .pipeline
        .stages
        .iter()
        .map(|s| StageBox {
            environment: s.environment.clone(),
            title: s.environment_title.clone(),
            status: s.status.as_str(),
            class: status_class(s.status),
            rollout: rollout_word(s.rollout),
            approval_required: s.approval_required,
            can_run: s.can_run,
            tasks: s
                .tasks
                .iter()
                .map(|t| {
                    if matches!(t.status, TaskStatus::Pending | TaskStatus::Running)
                        || t.checks_level == "RUNNING"
                    {
                        running = true;
                    }
                    let is_selected = Some(t.id) == chosen;
                    let overridden = t
                        .checks_overridden
                        .as_ref()
                        .map(|o| format!("Checks overridden by {}: {}", o.by.name, o.reason))
                        .unwrap_or_default();
                    if is_selected {
                        let mut runs: Vec<RunRow> = runs
                            .iter()
                            .map(|r| RunRow {
                                attempt: r.attempt,
                                status: r.status.as_str(),
                                class: run_class(r.status),
                                by: r.creator.name.clone(),
                                started: when_opt(r.started_at),
                                ended: when_opt(r.ended_at),
                                result: r.result.clone(),
                                log: log_rows(&r.log),
                            })
                            .collect();
                        runs.sort_by_key(|r| std::cmp::Reverse(r.attempt));
                        detail = Some(TaskDetail {
                            id: t.id,
                            target: t.target.clone(),
                            status: t.status.as_str(),
                            class: status_class(t.status),
                            version: t.version.clone(),
                            skip_reason: t.skip_reason.clone(),
                            overridden: t
                                .checks_overridden
                                .as_ref()
                                .map(|o| {
                                    format!(
                                        "Checks overridden by {} on {}: {}",
                                        o.by.name,
                                        when(o.at),
                                        o.reason
                                    )
                                })
                                .unwrap_or_default(),
                            lines: Vec::new(),
                            checks: t
                                .checks
                                .iter()
                                .map(|c| CheckRow {
                                    kind: c.kind.as_str(),
                                    status: c.status.as_str(),
                                    level: if c.status == PlanCheckStatus::Running {
                                        "RUNNING"
                                    } else {
                                        c.level.as_str()
                                    },
                                    class: match (c.status, c.level) {
                                        (PlanCheckStatus::Running, _) => "running",
                                        (PlanCheckStatus::Failed, _) => "failed",
                                        (PlanCheckStatus::Done, PlanCheckLevel::Error) => "failed",
                                        (PlanCheckStatus::Done, PlanCheckLevel::Warning) => "warn",
                                        (PlanCheckStatus::Done, PlanCheckLevel::Success) => "done",
                                    },
                                    findings: findings(&c.results),
                                })
                                .collect(),
                            runs,
                        });
                        if let Some(d) = detail.as_mut() {
                            d.lines = sql_lines(&t.statement, &d.checks);
                        }
                    }
                    let has = |a: TaskAction| t.actions.contains(&a.as_str());
                    TaskCard {
                        id: t.id,
                        href: format!("{base}?task={}", t.id),
                        target: t.target.clone(),
                        status: t.status.as_str(),
                        class: status_class(t.status),
                        waiting_for: t.waiting_for.clone().unwrap_or_default(),
                        skip_reason: t.skip_reason.clone(),
                        checks_class: level_class(&t.checks_level),
                        checks_level: t.checks_level.clone(),
                        can_run: has(TaskAction::Run),
                        can_retry: has(TaskAction::Retry),
                        can_skip: has(TaskAction::Skip),
                        can_cancel: has(TaskAction::Cancel),
                        can_override: t.actions.contains(&"override-checks"),
                        overridden,
                        selected: is_selected,
                    }
                })
                .collect(),
        })
        .collect();
    let refresh = match chosen {
        Some(id) => format!("{base}?task={id}"),
        None => base.to_string(),
    };
    Live {
        base: base.to_string(),
        csrf: csrf.to_string(),
        stages,
        selected: detail,
        running,
        refresh,
    }
}

fn selected_task(view: &IssueView, wanted: Option<i64>) -> Option<i64> {
    let all = || view.pipeline.stages.iter().flat_map(|s| &s.tasks);
    wanted
        .filter(|id| all().any(|t| t.id == *id))
        .or_else(|| all().next().map(|t| t.id))
}

async fn view_and_runs(
    state: &AppState,
    ctx: &Ctx,
    project: &str,
    number: i64,
    task: Option<i64>,
) -> Result<(IssueView, Option<i64>, Vec<RunView>), AppError> {
    let view = state.app.issue_view(&ctx.caller, project, number).await?;
    let chosen = selected_task(&view, task);
    let runs = match chosen {
        Some(t) => state.app.task_runs(&ctx.caller, project, number, t).await?,
        None => Vec::new(),
    };
    Ok((view, chosen, runs))
}

fn activity_words(kind: ActivityKind, payload: &Value) -> String {
    let s = |k: &str| payload[k].as_str().unwrap_or("").to_string();
    let target = s("target");
    let reason = s("reason");
    let with_reason = |text: String| {
        if reason.is_empty() {
            text
        } else {
            format!("{text}: {reason}")
        }
    };
    match kind {
        ActivityKind::Created => "filed the issue".into(),
        ActivityKind::Updated => {
            if payload["statement_changed"].as_bool() == Some(true) {
                "changed the SQL; the checks run again".into()
            } else {
                "edited the issue".into()
            }
        }
        ActivityKind::ChecksDone => {
            let errors = payload["errors"].as_i64().unwrap_or(0);
            let warnings = payload["warnings"].as_i64().unwrap_or(0);
            format!("plan checks finished: {errors} error(s), {warnings} warning(s)")
        }
        ActivityKind::ApprovalRequested => "approval requested".into(),
        ActivityKind::Approved => "approved the issue".into(),
        ActivityKind::Rejected => with_reason("rejected the issue".into()),
        ActivityKind::ApprovalWithdrawn => with_reason("approval withdrawn".into()),
        ActivityKind::StageStarted => format!("started stage {}", s("environment")),
        ActivityKind::TaskStarted => format!("started {target}"),
        ActivityKind::TaskFailed => with_reason(format!("{target} failed")),
        ActivityKind::TaskDone => format!("{target} done"),
        ActivityKind::TaskSkipped => with_reason(format!("skipped {target}")),
        ActivityKind::TaskCanceled => with_reason(format!("canceled {target}")),
        ActivityKind::Done => "the issue is done".into(),
        ActivityKind::Canceled => "canceled the issue".into(),
        ActivityKind::Reopened => "reopened the issue".into(),
        ActivityKind::Commented => "commented".into(),
        ActivityKind::ChecksOverridden => {
            with_reason(format!("overrode the blocking checks of {target}"))
        }
    }
}

async fn issue_page(
    state: &AppState,
    ctx: &Ctx,
    project: &str,
    number: i64,
    task: Option<i64>,
    extras: Extras,
    status: StatusCode,
) -> Response {
    let (view, chosen, runs) = match view_and_runs(state, ctx, project, number, task).await {
        Ok(v) => v,
        Err(err) => return error_page(ctx, Section::Projects, err),
    };
    let (activity, comments, proj, role) = match tokio::try_join!(
        state.app.issue_activity(&ctx.caller, project, number),
        state
            .app
            .list_issue_comments(&ctx.caller, project, number, PageRequest::ALL),
        state.app.project(&ctx.caller, project),
        state.app.project_role(&ctx.caller, project),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(ctx, Section::Projects, err),
    };
    let base = issue_href(project, number);
    let timeline = activity
        .iter()
        .map(|(a, who)| {
            let payload: Value = serde_json::from_str(&a.payload).unwrap_or(Value::Null);
            let body = match a.kind {
                ActivityKind::Commented => payload["comment_id"]
                    .as_i64()
                    .and_then(|id| comments.items.iter().find(|c| c.id == id))
                    .map(|c| c.body.clone())
                    .unwrap_or_default(),
                _ => String::new(),
            };
            TimelineRow {
                who: if who.name.is_empty() {
                    who.email.clone()
                } else {
                    who.name.clone()
                },
                when: when(a.created_at),
                what: activity_words(a.kind, &payload),
                body,
            }
        })
        .collect();
    let first_statement = view
        .pipeline
        .stages
        .iter()
        .flat_map(|s| &s.tasks)
        .next()
        .map(|t| t.statement.clone())
        .unwrap_or_default();
    let (edit, edit_errors) = extras.edit.unwrap_or_else(|| {
        (
            EditForm {
                title: view.summary.title.clone(),
                description: view.description.clone(),
                statement: first_statement,
            },
            FormErrors::none(),
        )
    });
    let (comment, comment_errors) = extras
        .comment
        .unwrap_or_else(|| (String::new(), FormErrors::none()));
    let s = &view.summary;
    let h = IssueHead {
        number: s.number,
        status: s.status.as_str(),
        status_class: issue_status_class(s.status),
        type_word: type_word(s.issue_type),
        risk: s.risk.as_str(),
        risk_class: risk_class(s.risk),
        creator: s.creator.name.clone(),
        created: when(s.created_at),
        description: view.description.clone(),
    };
    let a = ApprovalBox {
        status: view.approval.status.as_str(),
        class: approval_class(view.approval.status),
        required_by: view
            .approval
            .required_by
            .iter()
            .map(|env| {
                view.pipeline
                    .stages
                    .iter()
                    .find(|s| &s.environment == env)
                    .map(|s| s.environment_title.clone())
                    .unwrap_or_else(|| env.clone())
            })
            .collect(),
        roles: roles_words(&view.approval.approver_roles),
        approved_by: view
            .approval
            .approved_by
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        approved_at: when_opt(view.approval.approved_at),
        can_approve: view.can_approve,
    };
    let l = ctx
        .layout(Section::Projects, format!("#{} {}", s.number, s.title))
        .crumb("Projects", "/projects")
        .crumb(proj.title.clone(), format!("/projects/{}/issues", proj.id));
    let page = IssuePage {
        l,
        h,
        v: live_of(&view, &base, &ctx.csrf, chosen, runs),
        a,
        alert: extras.alert,
        can_update: view.can_update,
        can_cancel: view.can_cancel,
        can_comment: allows(&ctx.caller, Permission::IssuesComment, role),
        is_create_db: s.issue_type == IssueType::CreateDatabase,
        edit,
        edit_errors,
        comment,
        comment_errors,
        timeline,
    };
    ctx.render(status, &page)
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, n)): Path<(String, String)>,
    Params(q): Params<TaskQuery>,
) -> Response {
    let Some(number) = parse_number(&n) else {
        return no_issue(&ctx, &n);
    };
    issue_page(
        &state,
        &ctx,
        &id,
        number,
        q.task.parse().ok(),
        Extras::default(),
        StatusCode::OK,
    )
    .await
}

/// The pipeline and the selected task alone, for the page's script.
async fn live(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, n)): Path<(String, String)>,
    Params(q): Params<TaskQuery>,
) -> Response {
    let Some(number) = parse_number(&n) else {
        return no_issue(&ctx, &n);
    };
    match view_and_runs(&state, &ctx, &id, number, q.task.parse().ok()).await {
        Ok((view, chosen, runs)) => {
            let base = issue_href(&id, number);
            ctx.ok(&LiveFragment {
                v: live_of(&view, &base, &ctx.csrf, chosen, runs),
            })
        }
        Err(err) => {
            let (status, _, message) = describe(&err);
            (status, message).into_response()
        }
    }
}

/// Where an action sends the browser back to: the issue, on the task.
fn back(project: &str, number: i64, task: Option<i64>) -> String {
    match task {
        Some(t) => format!("{}?task={t}", issue_href(project, number)),
        None => issue_href(project, number),
    }
}

/// An action that failed: the page again, its reason at the top.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    project: &str,
    number: i64,
    task: Option<i64>,
    err: AppError,
) -> Response {
    match err {
        AppError::NotFound(_) | AppError::Internal(_) => error_page(ctx, Section::Projects, err),
        AppError::PermissionDenied(m) => {
            let extras = Extras {
                alert: Some(format!("Not allowed: {m}.")),
                ..Default::default()
            };
            issue_page(
                state,
                ctx,
                project,
                number,
                task,
                extras,
                StatusCode::FORBIDDEN,
            )
            .await
        }
        other => {
            let (status, _, message) = describe(&other);
            let extras = Extras {
                alert: Some(message),
                ..Default::default()
            };
            issue_page(state, ctx, project, number, task, extras, status).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct NoFields {}

async fn approve(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    let Some(number) = parse_number(&n) else {
        return no_issue(&ctx, &n);
    };
    match state.app.approve_issue(&ctx.caller, &id, number).await {
        Ok(_) => redirect_notice(
            &state,
            &issue_href(&id, number),
            &format!("Issue #{number} approved."),
        ),
        Err(err) => refused(&state, &ctx, &id, number, None, err).await,
    }
}

async fn cancel(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    let Some(number) = parse_number(&n) else {
        return no_issue(&ctx, &n);
    };
    match state.app.cancel_issue(&ctx.caller, &id, number).await {
        Ok(_) => redirect_notice(
            &state,
            &issue_href(&id, number),
            &format!("Issue #{number} canceled."),
        ),
        Err(err) => refused(&state, &ctx, &id, number, None, err).await,
    }
}

async fn edit(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    Post(ctx, form): Post<EditForm>,
) -> Response {
    let Some(number) = parse_number(&n) else {
        return no_issue(&ctx, &n);
    };
    let current = match state.app.issue_view(&ctx.caller, &id, number).await {
        Ok(v) => v,
        Err(err) => return error_page(&ctx, Section::Projects, err),
    };
    let statement_now = current
        .pipeline
        .stages
        .iter()
        .flat_map(|s| &s.tasks)
        .next()
        .map(|t| t.statement.clone())
        .unwrap_or_default();
    let create_db = current.summary.issue_type == IssueType::CreateDatabase;
    // Only what changed, so that saving a title keeps the approval.
    let changed = |new: &str, old: &str| (new != old).then(|| new.to_string());
    let patch = IssuePatch {
        title: changed(&form.title, &current.summary.title),
        description: changed(&form.description, &current.description),
        statement: if create_db {
            None
        } else {
            changed(
                &form.statement.replace("\r\n", "\n"),
                &statement_now.replace("\r\n", "\n"),
            )
        },
    };
    if patch.title.is_none() && patch.description.is_none() && patch.statement.is_none() {
        return redirect_notice(&state, &issue_href(&id, number), "Nothing changed.");
    }
    let sql_changed = patch.statement.is_some();
    match state
        .app
        .update_issue(&ctx.caller, &id, number, &patch)
        .await
    {
        Ok(_) => redirect_notice(
            &state,
            &issue_href(&id, number),
            if sql_changed && current.summary.approval == ApprovalStatus::Approved {
                "SQL saved. The approval is withdrawn and the checks run again."
            } else if sql_changed {
                "SQL saved. The checks run again."
            } else {
                "Issue saved."
            },
        ),
        Err(err @ (AppError::NotFound(_) | AppError::PermissionDenied(_))) => {
            refused(&state, &ctx, &id, number, None, err).await
        }
        Err(err) => {
            let (status, errors) =
                FormErrors::from_app(err, &["title", "description", "statement"]);
            let extras = Extras {
                edit: Some((form, errors)),
                ..Default::default()
            };
            issue_page(&state, &ctx, &id, number, None, extras, status).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    body: String,
}

async fn comment(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
    Post(ctx, form): Post<CommentForm>,
) -> Response {
    let Some(number) = parse_number(&n) else {
        return no_issue(&ctx, &n);
    };
    match state
        .app
        .add_issue_comment(&ctx.caller, &id, number, &form.body)
        .await
    {
        Ok(_) => redirect_notice(
            &state,
            &format!("{}#timeline", issue_href(&id, number)),
            "Comment added.",
        ),
        Err(err @ (AppError::NotFound(_) | AppError::PermissionDenied(_))) => {
            refused(&state, &ctx, &id, number, None, err).await
        }
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &["body"]);
            let extras = Extras {
                comment: Some((form.body, errors)),
                ..Default::default()
            };
            issue_page(&state, &ctx, &id, number, None, extras, status).await
        }
    }
}

async fn run_stage(
    State(state): State<AppState>,
    Path((id, n, env)): Path<(String, String, String)>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    let Some(number) = parse_number(&n) else {
        return no_issue(&ctx, &n);
    };
    match state.app.run_stage(&ctx.caller, &id, number, &env).await {
        Ok(tasks) => redirect_notice(
            &state,
            &back(&id, number, tasks.first().map(|t| t.id)),
            &format!("Stage {env} started: {} task(s) queued.", tasks.len()),
        ),
        Err(err) => refused(&state, &ctx, &id, number, None, err).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReasonForm {
    reason: String,
}

async fn task_action(
    State(state): State<AppState>,
    Path((id, n, task, action)): Path<(String, String, String, String)>,
    Post(ctx, form): Post<ReasonForm>,
) -> Response {
    let (Some(number), Ok(task_id)) = (parse_number(&n), task.parse::<i64>()) else {
        return no_issue(&ctx, &n);
    };
    if action == "override-checks" {
        return override_checks(state, ctx, id, number, task_id, form.reason).await;
    }
    let (action, done) = match action.as_str() {
        "run" => (TaskAction::Run, "queued"),
        "retry" => (TaskAction::Retry, "queued again"),
        "skip" => (TaskAction::Skip, "skipped"),
        "cancel" => (TaskAction::Cancel, "canceled"),
        _ => {
            return error_page(
                &ctx,
                Section::Projects,
                AppError::NotFound(format!("action {action:?}")),
            );
        }
    };
    let result = state
        .app
        .act_on_task(&ctx.caller, &id, number, task_id, action, &form.reason)
        .await;
    after_task_action(state, ctx, id, number, task_id, result, |target| {
        format!("Task {target} {done}.")
    })
    .await
}

/// A workspace Owner or DBA lets a task blocked by a check run, saying why.
async fn override_checks(
    state: AppState,
    ctx: Ctx,
    id: String,
    number: i64,
    task_id: i64,
    reason: String,
) -> Response {
    let result = state
        .app
        .override_checks(&ctx.caller, &id, number, task_id, &reason)
        .await;
    after_task_action(state, ctx, id, number, task_id, result, |target| {
        format!("Checks of {target} overridden: it may run now.")
    })
    .await
}

/// Back to the issue with a notice naming the task's target, or the page
/// again with why the action was refused.
async fn after_task_action(
    state: AppState,
    ctx: Ctx,
    id: String,
    number: i64,
    task_id: i64,
    result: Result<sluice_store::Task, AppError>,
    notice: impl FnOnce(&str) -> String,
) -> Response {
    match result {
        Ok(t) => redirect_notice(
            &state,
            &back(&id, number, Some(task_id)),
            &notice(&sluice_app::issues::target(&t)),
        ),
        Err(AppError::InvalidArgument { field, message }) => {
            let extras = Extras {
                alert: Some(format!("{field}: {message}")),
                ..Default::default()
            };
            issue_page(
                &state,
                &ctx,
                &id,
                number,
                Some(task_id),
                extras,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(err) => refused(&state, &ctx, &id, number, Some(task_id), err).await,
    }
}

// ---------------------------------------------------------------------------
// Home: what waits for the viewer

pub struct WaitingRow {
    pub href: String,
    pub number: i64,
    pub project: String,
    pub title: String,
    pub why: String,
}

/// Issues waiting for the viewer (approvals they may give, stages they
/// may start), their own open issues, and failed tasks, over the open
/// issues of their projects (the most recently changed first).
pub async fn waiting_for(
    state: &AppState,
    ctx: &Ctx,
) -> (Vec<WaitingRow>, Vec<WaitingRow>, Vec<WaitingRow>) {
    let mut waiting = Vec::new();
    let mut mine = Vec::new();
    let mut failed = Vec::new();
    let Ok(projects) = state.app.list_projects(&ctx.caller, false).await else {
        return (waiting, mine, failed);
    };
    let mut open = Vec::new();
    for p in projects.iter().take(50) {
        let filter = IssueFilter {
            status: Some(IssueStatus::Open),
            ..Default::default()
        };
        if let Ok(page) = state
            .app
            .list_issues(
                &ctx.caller,
                &p.id,
                filter,
                PageRequest {
                    offset: 0,
                    limit: 30,
                },
            )
            .await
        {
            open.extend(page.items);
        }
    }
    open.sort_by_key(|i| std::cmp::Reverse(i.updated_at));
    for issue in open.iter().take(30) {
        let Ok(view) = state
            .app
            .issue_view(&ctx.caller, &issue.project_id, issue.number)
            .await
        else {
            continue;
        };
        let row = |why: String| WaitingRow {
            href: issue_href(&issue.project_id, issue.number),
            number: issue.number,
            project: issue.project_id.clone(),
            title: issue.title.clone(),
            why,
        };
        if view.can_approve {
            waiting.push(row("to approve".into()));
        }
        for stage in view
            .pipeline
            .stages
            .iter()
            .filter(|s| s.can_run && s.rollout == Rollout::Manual)
        {
            waiting.push(row(format!("to run on {}", stage.environment_title)));
        }
        if issue.creator_id == ctx.caller.id() {
            mine.push(row(String::new()));
        }
        for task in view
            .pipeline
            .stages
            .iter()
            .flat_map(|s| &s.tasks)
            .filter(|t| t.status == TaskStatus::Failed)
        {
            let mut r = row(format!("{} failed", task.target));
            r.href = format!("{}?task={}", r.href, task.id);
            failed.push(r);
        }
    }
    (waiting, mine, failed)
}

// Links from other pages.

/// The create form with one database ticked.
pub fn new_issue_href(project: &str, instance: &str, name: &str) -> String {
    format!(
        "/projects/{}/issues/new?target={}",
        url_encode(project),
        url_encode(&format!("{instance}/{name}"))
    )
}

#[cfg(test)]
mod sql_line_tests {
    use super::*;

    fn finding(level: &str, line: &str) -> Finding {
        Finding {
            level: level.into(),
            class: level_class(level),
            title: "t".into(),
            content: String::new(),
            line: line.into(),
        }
    }

    #[test]
    fn lines_carry_their_worst_finding() {
        let checks = vec![CheckRow {
            kind: "SQL_REVIEW",
            status: "DONE",
            level: "ERROR",
            class: "failed",
            findings: vec![
                finding("WARNING", "2"),
                finding("ERROR", "3"),
                finding("WARNING", "3"),
            ],
        }];
        let lines = sql_lines(
            "CREATE TABLE a (id int);\nUPDATE a SET id = 1;\nDELETE FROM a;",
            &checks,
        );
        let classes: Vec<_> = lines.iter().map(|l| (l.number, l.class)).collect();
        assert_eq!(classes, vec![(1, ""), (2, "warn"), (3, "failed")]);
    }
}
