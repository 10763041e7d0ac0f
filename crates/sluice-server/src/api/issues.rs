//! Issues and their pipelines: file, read, edit, approve, start, retry,
//! skip and cancel, comment, and read task runs and the timeline.
//!
//! An issue answers as the serde of `sluice_app::issues::IssueView`, the
//! shape the UI and the CLI read too. Approving and the task actions need
//! `issues.get` in the project; whether the caller may then act is decided
//! by the policy of the environment concerned (`x-policy: environment`).

use super::views::{ActivityList, ActivityView, CommentList, CommentView};
use super::{ListParams, next_token};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sluice_app::issues::{
    IssueInput, IssuePatch, IssueSummary, IssueView, NewDatabaseInput, RunView, TaskAction,
};
use sluice_store::{IssueFilter, IssueStatus, IssueType};
use utoipa::ToSchema;

/// A body that may be left out: an empty body reads as `T::default()`,
/// anything else must be JSON that `ApiJson` accepts.
pub struct OptionalJson<T>(pub T);

impl<T: serde::de::DeserializeOwned + Default, S: Send + Sync> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req.headers().get(axum::http::header::CONTENT_TYPE).cloned();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!("the body is larger than {} bytes", crate::MAX_BODY_BYTES),
                    )
                } else {
                    ApiError::bad_request(rejection.body_text())
                }
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        let mut rebuilt = Request::new(axum::body::Body::from(bytes));
        if let Some(ct) = content_type {
            rebuilt
                .headers_mut()
                .insert(axum::http::header::CONTENT_TYPE, ct);
        }
        let ApiJson(value) = ApiJson::<T>::from_request(rebuilt, state).await?;
        Ok(OptionalJson(value))
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IssueListQuery {
    /// 1 to 1000; default 100.
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    pub page_token: Option<String>,
    /// OPEN, DONE or CANCELED.
    pub status: Option<String>,
    /// CREATE_DATABASE, SCHEMA_CHANGE or DATA_CHANGE.
    #[serde(rename = "type")]
    pub issue_type: Option<String>,
    /// The creator's principal id or email.
    pub creator: Option<String>,
    /// Only issues with a task on this database, "instance/database".
    pub database: Option<String>,
}

/// A page of issues, newest first.
#[derive(Serialize)]
pub struct IssueList {
    pub issues: Vec<IssueSummary>,
    pub next_page_token: String,
}

fn issue_type(field: &str, text: &str) -> Result<IssueType, ApiError> {
    IssueType::parse(text).ok_or_else(|| {
        ApiError::bad_request(format!(
            "{field}: {text:?} is not an issue type: use CREATE_DATABASE, SCHEMA_CHANGE or DATA_CHANGE"
        ))
    })
}

/// Issues of a project, newest first; filters `status`, `type`, `creator`
/// (principal id or email) and `database` ("instance/database").
#[utoipa::path(get, path = "/v1/projects/{id}/issues", tag = "issues", params(("id" = String, Path), IssueListQuery),
    responses((status = 200, description = "`{issues: [issue summary], next_page_token}`")),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project"))))]
pub async fn list(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<IssueListQuery>,
) -> Result<Json<IssueList>, ApiError> {
    let params = ListParams {
        page_size: q.page_size,
        page_token: q.page_token,
        show_archived: false,
    };
    let status = q
        .status
        .as_deref()
        .map(|text| {
            IssueStatus::parse(text).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "status: {text:?} is not an issue status: use OPEN, DONE or CANCELED"
                ))
            })
        })
        .transpose()?;
    let issue_type = q
        .issue_type
        .as_deref()
        .map(|text| issue_type("type", text))
        .transpose()?;
    let filter = IssueFilter {
        status,
        issue_type,
        ..Default::default()
    };
    let page = s
        .app
        .find_issues(
            &caller,
            &id,
            filter,
            q.creator.as_deref(),
            q.database.as_deref(),
            params.page()?,
        )
        .await?;
    Ok(Json(IssueList {
        issues: page.items,
        next_page_token: next_token(page.next_offset),
    }))
}

/// The database a CREATE_DATABASE issue creates on each target instance.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDatabaseRequest {
    pub name: String,
    /// PostgreSQL: owner, encoding, template, locale. MySQL/MariaDB: charset, collation.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub options: sluice_engine::CreateDatabaseOptions,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIssue {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// CREATE_DATABASE, SCHEMA_CHANGE or DATA_CHANGE.
    #[serde(rename = "type")]
    pub issue_type: String,
    /// The SQL (not used by CREATE_DATABASE).
    #[serde(default)]
    pub statement: String,
    /// "{instance}/{database}" for changes, "{instance}" for CREATE_DATABASE.
    pub targets: Vec<String>,
    /// The change's version; a timestamp when absent.
    pub version: Option<String>,
    /// For CREATE_DATABASE.
    pub database: Option<NewDatabaseRequest>,
}

impl CreateIssue {
    fn into_input(self) -> Result<IssueInput, ApiError> {
        Ok(IssueInput {
            issue_type: issue_type("type", &self.issue_type)?,
            title: self.title,
            description: self.description,
            statement: self.statement,
            targets: self.targets,
            version: self.version,
            database: self.database.map(|d| NewDatabaseInput {
                name: d.name,
                options: d.options,
            }),
        })
    }
}

/// File an issue: its pipeline is derived (a stage per environment, in
/// order; a task per target) and its plan checks start at once.
#[utoipa::path(post, path = "/v1/projects/{id}/issues", tag = "issues", params(("id" = String, Path)),
    request_body = CreateIssue,
    responses((status = 201, description = "the issue, with its `number`"), (status = 400, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.create")), ("x-scope" = json!("project"))))]
pub async fn create(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CreateIssue>,
) -> Result<(StatusCode, Json<IssueView>), ApiError> {
    let input = req.into_input()?;
    let issue = s.app.create_issue(&caller, &id, &input).await?;
    let view = s.app.issue_view(&caller, &id, issue.number).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/v1/projects/{id}/issues/{number}", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path)),
    responses((status = 200, description = "the issue with its pipeline, stages, tasks, checks and approval"), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project"))))]
pub async fn get(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, number)): ApiPath<(String, i64)>,
) -> Result<Json<IssueView>, ApiError> {
    Ok(Json(s.app.issue_view(&caller, &id, number).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIssue {
    pub title: Option<String>,
    pub description: Option<String>,
    /// New SQL for every task that has not run: withdraws an approval and
    /// runs the plan checks again.
    pub statement: Option<String>,
}

#[utoipa::path(patch, path = "/v1/projects/{id}/issues/{number}", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path)), request_body = UpdateIssue,
    responses((status = 200, description = "the issue"), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.update")), ("x-scope" = json!("project"))))]
pub async fn update(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, number)): ApiPath<(String, i64)>,
    ApiJson(req): ApiJson<UpdateIssue>,
) -> Result<Json<IssueView>, ApiError> {
    let patch = IssuePatch {
        title: req.title,
        description: req.description,
        statement: req.statement,
    };
    s.app.update_issue(&caller, &id, number, &patch).await?;
    Ok(Json(s.app.issue_view(&caller, &id, number).await?))
}

/// The body of actions that take none: leave it out or send `{}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// Approve the issue for every environment whose policy asks for approval.
#[utoipa::path(post, path = "/v1/projects/{id}/issues/{number}/approve", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path)), request_body(content = Option<Empty>),
    responses((status = 200, description = "the issue"), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project")), ("x-policy" = json!("environment"))))]
pub async fn approve(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, number)): ApiPath<(String, i64)>,
    _body: OptionalJson<Empty>,
) -> Result<Json<IssueView>, ApiError> {
    s.app.approve_issue(&caller, &id, number).await?;
    Ok(Json(s.app.issue_view(&caller, &id, number).await?))
}

/// Cancel the issue; its queued and running tasks are cancelled.
#[utoipa::path(post, path = "/v1/projects/{id}/issues/{number}/cancel", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path)), request_body(content = Option<Empty>),
    responses((status = 200, description = "the issue"), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.update")), ("x-scope" = json!("project"))))]
pub async fn cancel(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, number)): ApiPath<(String, i64)>,
    _body: OptionalJson<Empty>,
) -> Result<Json<IssueView>, ApiError> {
    s.app.cancel_issue(&caller, &id, number).await?;
    Ok(Json(s.app.issue_view(&caller, &id, number).await?))
}

/// Start every NOT_STARTED task of the stage of `environment`.
#[utoipa::path(post, path = "/v1/projects/{id}/issues/{number}/stages/{environment}/run", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path), ("environment" = String, Path)), request_body(content = Option<Empty>),
    responses((status = 200, description = "the issue"), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project")), ("x-policy" = json!("environment"))))]
pub async fn run_stage(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, number, environment)): ApiPath<(String, i64, String)>,
    _body: OptionalJson<Empty>,
) -> Result<Json<IssueView>, ApiError> {
    s.app.run_stage(&caller, &id, number, &environment).await?;
    Ok(Json(s.app.issue_view(&caller, &id, number).await?))
}

async fn task_action(
    s: &AppState,
    caller: &sluice_app::Caller,
    (id, number, task): (String, i64, i64),
    action: TaskAction,
    reason: &str,
) -> Result<Json<IssueView>, ApiError> {
    s.app
        .act_on_task(caller, &id, number, task, action, reason)
        .await?;
    Ok(Json(s.app.issue_view(caller, &id, number).await?))
}

/// Start a NOT_STARTED task.
#[utoipa::path(post, path = "/v1/projects/{id}/issues/{number}/tasks/{task}/run", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path), ("task" = i64, Path)), request_body(content = Option<Empty>),
    responses((status = 200, description = "the issue"), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project")), ("x-policy" = json!("environment"))))]
pub async fn run_task(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(path): ApiPath<(String, i64, i64)>,
    _body: OptionalJson<Empty>,
) -> Result<Json<IssueView>, ApiError> {
    task_action(&s, &caller, path, TaskAction::Run, "").await
}

/// Queue a FAILED or CANCELED task again.
#[utoipa::path(post, path = "/v1/projects/{id}/issues/{number}/tasks/{task}/retry", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path), ("task" = i64, Path)), request_body(content = Option<Empty>),
    responses((status = 200, description = "the issue"), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project")), ("x-policy" = json!("environment"))))]
pub async fn retry_task(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(path): ApiPath<(String, i64, i64)>,
    _body: OptionalJson<Empty>,
) -> Result<Json<IssueView>, ApiError> {
    task_action(&s, &caller, path, TaskAction::Retry, "").await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkipTask {
    /// Why the task is skipped; required.
    #[serde(default)]
    pub reason: String,
}

/// Skip a NOT_STARTED, FAILED or CANCELED task, saying why.
#[utoipa::path(post, path = "/v1/projects/{id}/issues/{number}/tasks/{task}/skip", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path), ("task" = i64, Path)), request_body = SkipTask,
    responses((status = 200, description = "the issue"), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project")), ("x-policy" = json!("environment"))))]
pub async fn skip_task(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(path): ApiPath<(String, i64, i64)>,
    OptionalJson(req): OptionalJson<SkipTask>,
) -> Result<Json<IssueView>, ApiError> {
    task_action(&s, &caller, path, TaskAction::Skip, &req.reason).await
}

/// Cancel a PENDING or RUNNING task (a running statement is cancelled on
/// the server by the runner).
#[utoipa::path(post, path = "/v1/projects/{id}/issues/{number}/tasks/{task}/cancel", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path), ("task" = i64, Path)), request_body(content = Option<Empty>),
    responses((status = 200, description = "the issue"), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project")), ("x-policy" = json!("environment"))))]
pub async fn cancel_task(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(path): ApiPath<(String, i64, i64)>,
    _body: OptionalJson<Empty>,
) -> Result<Json<IssueView>, ApiError> {
    task_action(&s, &caller, path, TaskAction::Cancel, "").await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideChecks {
    /// Why the task may run despite its blocking checks.
    pub reason: String,
}

/// Override a task's blocking checks, saying why (workspace Owner or DBA).
/// Recorded on the task until its SQL changes, in the timeline
/// (CHECKS_OVERRIDDEN) and in the audit log.
#[utoipa::path(post, path = "/v1/projects/{id}/issues/{number}/tasks/{task}/override-checks", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path), ("task" = i64, Path)), request_body = OverrideChecks,
    responses((status = 200, description = "the issue"), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("review-configs.manage"))))]
pub async fn override_checks(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, number, task)): ApiPath<(String, i64, i64)>,
    ApiJson(req): ApiJson<OverrideChecks>,
) -> Result<Json<IssueView>, ApiError> {
    s.app
        .override_checks(&caller, &id, number, task, &req.reason)
        .await?;
    Ok(Json(s.app.issue_view(&caller, &id, number).await?))
}

/// The runs of a task, by attempt.
#[derive(Serialize)]
pub struct RunList {
    pub runs: Vec<RunView>,
    pub next_page_token: String,
}

/// The runs of one task, oldest attempt first, each with its
/// statement-level log.
#[utoipa::path(get, path = "/v1/projects/{id}/issues/{number}/tasks/{task}/runs", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path), ("task" = i64, Path), ListParams),
    responses((status = 200, description = "`{runs: [{id, attempt, status, creator, started_at, ended_at, result, log}], next_page_token}`"), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project"))))]
pub async fn task_runs(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, number, task)): ApiPath<(String, i64, i64)>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<RunList>, ApiError> {
    let page = q.slice(s.app.task_runs(&caller, &id, number, task).await?)?;
    Ok(Json(RunList {
        runs: page.items,
        next_page_token: next_token(page.next_offset),
    }))
}

/// Comments on an issue, oldest first.
#[utoipa::path(get, path = "/v1/projects/{id}/issues/{number}/comments", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path), ListParams),
    responses((status = 200, body = CommentList)),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project"))))]
pub async fn list_comments(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, number)): ApiPath<(String, i64)>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<CommentList>, ApiError> {
    let page = s
        .app
        .issue_comments(&caller, &id, number, q.page()?)
        .await?;
    Ok(Json(CommentList {
        comments: page
            .items
            .iter()
            .map(|(c, who)| CommentView::new(c, who))
            .collect(),
        next_page_token: next_token(page.next_offset),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddComment {
    pub body: String,
}

#[utoipa::path(post, path = "/v1/projects/{id}/issues/{number}/comments", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path)), request_body = AddComment,
    responses((status = 201, body = CommentView)),
    extensions(("x-permission" = json!("issues.comment")), ("x-scope" = json!("project"))))]
pub async fn add_comment(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, number)): ApiPath<(String, i64)>,
    ApiJson(req): ApiJson<AddComment>,
) -> Result<(StatusCode, Json<CommentView>), ApiError> {
    let comment = s
        .app
        .add_issue_comment(&caller, &id, number, &req.body)
        .await?;
    let author = sluice_app::issues::PrincipalRef {
        id: caller.principal.id,
        name: caller.principal.name.clone(),
        email: caller.principal.email.clone(),
    };
    Ok((
        StatusCode::CREATED,
        Json(CommentView::new(&comment, &author)),
    ))
}

/// The issue's timeline, oldest first: created, checks done, approved,
/// stage and task events, comments; each by a principal (the system bot,
/// id 1, for automatic steps).
#[utoipa::path(get, path = "/v1/projects/{id}/issues/{number}/activity", tag = "issues",
    params(("id" = String, Path), ("number" = i64, Path), ListParams),
    responses((status = 200, body = ActivityList)),
    extensions(("x-permission" = json!("issues.get")), ("x-scope" = json!("project"))))]
pub async fn activity(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, number)): ApiPath<(String, i64)>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<ActivityList>, ApiError> {
    let page = q.slice(s.app.issue_activity(&caller, &id, number).await?)?;
    Ok(Json(ActivityList {
        activity: page
            .items
            .iter()
            .map(|(a, who)| ActivityView::new(a, who))
            .collect(),
        next_page_token: next_token(page.next_offset),
    }))
}
