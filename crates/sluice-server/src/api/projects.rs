use super::views::{MemberList, MemberView, ProjectList, ProjectView};
use super::{ListParams, next_token};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sluice_store::{ProjectMember, ProjectRole};
use utoipa::ToSchema;

/// Projects the caller may see: all for Owner and DBA, otherwise their own.
#[utoipa::path(get, path = "/v1/projects", tag = "projects", params(ListParams),
    responses((status = 200, body = ProjectList)), extensions(("x-permission" = json!("authenticated"))))]
pub async fn list(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<ProjectList>, ApiError> {
    let page = q.slice(s.app.list_projects(&caller, q.show_archived).await?)?;
    Ok(Json(ProjectList {
        projects: page.items.iter().map(ProjectView::from).collect(),
        next_page_token: next_token(page.next_offset),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    pub id: String,
    pub title: String,
    /// 1 to 10 upper-case letters or digits, starting with a letter.
    pub key: String,
}

/// Create a project; the caller becomes its Owner.
#[utoipa::path(post, path = "/v1/projects", tag = "projects", request_body = CreateProject,
    responses((status = 201, body = ProjectView), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("projects.create"))))]
pub async fn create(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateProject>,
) -> Result<(StatusCode, Json<ProjectView>), ApiError> {
    let project = s
        .app
        .create_project(&caller, &req.id, &req.title, &req.key)
        .await?;
    Ok((StatusCode::CREATED, Json(ProjectView::from(&project))))
}

#[utoipa::path(get, path = "/v1/projects/{id}", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("projects.get")), ("x-scope" = json!("project"))))]
pub async fn get(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProjectView>, ApiError> {
    Ok(Json(ProjectView::from(&s.app.project(&caller, &id).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProject {
    pub title: Option<String>,
    pub key: Option<String>,
    /// Let an issue's creator approve it (when they hold an approver role).
    pub allow_self_approval: Option<bool>,
    /// The SQL review config for the project's changes (its id), or null;
    /// an environment's own config wins. Needs `review-configs.manage`.
    #[serde(default, deserialize_with = "super::review_configs::present")]
    #[schema(value_type = Option<String>)]
    pub review_config: Option<Option<String>>,
}

#[utoipa::path(patch, path = "/v1/projects/{id}", tag = "projects", params(("id" = String, Path)),
    request_body = UpdateProject, responses((status = 200, body = ProjectView)),
    extensions(("x-permission" = json!("projects.update")), ("x-scope" = json!("project"))))]
pub async fn update(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateProject>,
) -> Result<Json<ProjectView>, ApiError> {
    let mut project = None;
    if let Some(config) = &req.review_config {
        project = Some(
            s.app
                .set_project_review_config(&caller, &id, config.as_deref())
                .await?,
        );
    }
    if (req.allow_self_approval.is_none() && project.is_none())
        || req.title.is_some()
        || req.key.is_some()
    {
        project = Some(
            s.app
                .update_project(&caller, &id, req.title.as_deref(), req.key.as_deref())
                .await?,
        );
    }
    if let Some(allow) = req.allow_self_approval {
        project = Some(s.app.set_project_self_approval(&caller, &id, allow).await?);
    }
    let project = project.expect("one of the updates ran");
    Ok(Json(ProjectView::from(&project)))
}

#[utoipa::path(delete, path = "/v1/projects/{id}", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ProjectView)),
    extensions(("x-permission" = json!("projects.delete")), ("x-scope" = json!("project"))))]
pub async fn archive(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProjectView>, ApiError> {
    Ok(Json(ProjectView::from(
        &s.app.archive_project(&caller, &id, true).await?,
    )))
}

#[utoipa::path(post, path = "/v1/projects/{id}/restore", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = ProjectView)),
    extensions(("x-permission" = json!("projects.delete")), ("x-scope" = json!("project"))))]
pub async fn restore(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProjectView>, ApiError> {
    Ok(Json(ProjectView::from(
        &s.app.archive_project(&caller, &id, false).await?,
    )))
}

fn members(members: &[ProjectMember]) -> Json<MemberList> {
    Json(MemberList {
        members: members.iter().map(MemberView::from).collect(),
        next_page_token: String::new(),
    })
}

#[utoipa::path(get, path = "/v1/projects/{id}/members", tag = "projects", params(("id" = String, Path)),
    responses((status = 200, body = MemberList)),
    extensions(("x-permission" = json!("projects.members.get")), ("x-scope" = json!("project"))))]
pub async fn list_members(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<MemberList>, ApiError> {
    Ok(members(&s.app.project_members(&caller, &id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetMember {
    pub email: String,
    /// OWNER or DEVELOPER.
    pub role: String,
}

/// Add a member or change their role.
#[utoipa::path(put, path = "/v1/projects/{id}/members", tag = "projects", params(("id" = String, Path)),
    request_body = SetMember, responses((status = 200, body = MemberList)),
    extensions(("x-permission" = json!("projects.members.update")), ("x-scope" = json!("project"))))]
pub async fn set_member(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<SetMember>,
) -> Result<Json<MemberList>, ApiError> {
    let role = ProjectRole::parse(&req.role).ok_or_else(|| {
        ApiError::bad_request(format!(
            "role: {:?} is not a project role: use OWNER or DEVELOPER",
            req.role
        ))
    })?;
    Ok(members(
        &s.app
            .set_project_member(&caller, &id, &req.email, role)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    pub email: String,
}

#[utoipa::path(delete, path = "/v1/projects/{id}/members", tag = "projects", params(("id" = String, Path), MemberQuery),
    responses((status = 200, body = MemberList)),
    extensions(("x-permission" = json!("projects.members.update")), ("x-scope" = json!("project"))))]
pub async fn remove_member(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<MemberQuery>,
) -> Result<Json<MemberList>, ApiError> {
    Ok(members(
        &s.app.remove_project_member(&caller, &id, &q.email).await?,
    ))
}
