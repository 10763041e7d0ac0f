use super::views::{ServiceAccountList, SessionView, UserList, UserView, WorkspaceView};
use super::{ListParams, next_token};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sluice_store::WorkspaceRole;
use utoipa::ToSchema;

pub fn workspace_role(field: &str, value: &str) -> Result<WorkspaceRole, ApiError> {
    WorkspaceRole::parse(value).ok_or_else(|| {
        ApiError::bad_request(format!(
            "{field}: {value:?} is not a workspace role: use OWNER, DBA or DEVELOPER"
        ))
    })
}

#[utoipa::path(get, path = "/v1/users/me", tag = "users", responses((status = 200, body = UserView)),
    extensions(("x-permission" = json!("authenticated"))))]
pub async fn me(Authed(caller): Authed) -> Json<UserView> {
    Json(UserView::from(&caller.principal))
}

#[utoipa::path(get, path = "/v1/workspace", tag = "workspace", responses((status = 200, body = WorkspaceView)),
    extensions(("x-permission" = json!("workspace.get"))))]
pub async fn get_workspace(
    State(s): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<WorkspaceView>, ApiError> {
    Ok(Json(WorkspaceView::from(&s.app.workspace(&caller).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspacePatch {
    pub name: Option<String>,
    /// Let anyone sign up (as Developer).
    pub signup_open: Option<bool>,
}

#[utoipa::path(patch, path = "/v1/workspace", tag = "workspace", request_body = WorkspacePatch,
    responses((status = 200, body = WorkspaceView)), extensions(("x-permission" = json!("workspace.update"))))]
pub async fn update_workspace(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<WorkspacePatch>,
) -> Result<Json<WorkspaceView>, ApiError> {
    let ws = s
        .app
        .update_workspace(&caller, req.name.as_deref(), req.signup_open)
        .await?;
    Ok(Json(WorkspaceView::from(&ws)))
}

#[utoipa::path(get, path = "/v1/users", tag = "users", params(ListParams), responses((status = 200, body = UserList)),
    extensions(("x-permission" = json!("users.list"))))]
pub async fn list_users(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<UserList>, ApiError> {
    let page = s.app.list_users(&caller, q.page()?).await?;
    let users = page
        .items
        .iter()
        .filter(|u| q.show_archived || u.active)
        .map(UserView::from)
        .collect();
    Ok(Json(UserList {
        users,
        next_page_token: next_token(page.next_offset),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub email: String,
    pub name: String,
    pub password: String,
    /// OWNER, DBA or DEVELOPER.
    pub role: String,
}

#[utoipa::path(post, path = "/v1/users", tag = "users", request_body = CreateUserRequest,
    responses((status = 201, body = UserView), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("users.create"))))]
pub async fn create_user(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let role = workspace_role("role", &req.role)?;
    let user = s
        .app
        .create_user(&caller, &req.email, &req.name, &req.password, role)
        .await?;
    Ok((StatusCode::CREATED, Json(UserView::from(&user))))
}

fn user_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::bad_request(format!("id: {raw:?} is not a user id (a number)")))
}

#[utoipa::path(get, path = "/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("users.get"))))]
pub async fn get_user(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(UserView::from(
        &s.app.user(&caller, user_id(&id)?).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub role: Option<String>,
    pub name: Option<String>,
}

#[utoipa::path(patch, path = "/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UpdateUserRequest,
    responses((status = 200, body = UserView)), extensions(("x-permission" = json!("users.update"))))]
pub async fn update_user(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserView>, ApiError> {
    let id = user_id(&id)?;
    let role = req
        .role
        .as_deref()
        .map(|r| workspace_role("role", r))
        .transpose()?;
    Ok(Json(UserView::from(
        &s.app
            .update_user(&caller, id, role, req.name.as_deref())
            .await?,
    )))
}

/// Deactivate a user or service account; its sessions end.
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserView)), extensions(("x-permission" = json!("users.delete"))))]
pub async fn delete_user(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(UserView::from(
        &s.app.deactivate_user(&caller, user_id(&id)?).await?,
    )))
}

#[utoipa::path(post, path = "/v1/users/{id}/restore", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserView)), extensions(("x-permission" = json!("users.update"))))]
pub async fn restore_user(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(UserView::from(
        &s.app.reactivate_user(&caller, user_id(&id)?).await?,
    )))
}

#[utoipa::path(get, path = "/v1/service-accounts", tag = "users", params(ListParams),
    responses((status = 200, body = ServiceAccountList)), extensions(("x-permission" = json!("service-accounts.list"))))]
pub async fn list_service_accounts(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<ServiceAccountList>, ApiError> {
    let page = s.app.list_service_accounts(&caller, q.page()?).await?;
    let service_accounts = page
        .items
        .iter()
        .filter(|u| q.show_archived || u.active)
        .map(UserView::from)
        .collect();
    Ok(Json(ServiceAccountList {
        service_accounts,
        next_page_token: next_token(page.next_offset),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateServiceAccountRequest {
    pub email: String,
    pub name: String,
    /// OWNER, DBA or DEVELOPER.
    pub role: String,
}

/// Create a service account; its token is in this answer and nowhere else.
#[utoipa::path(post, path = "/v1/service-accounts", tag = "users", request_body = CreateServiceAccountRequest,
    responses((status = 201, body = SessionView)), extensions(("x-permission" = json!("service-accounts.create"))))]
pub async fn create_service_account(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateServiceAccountRequest>,
) -> Result<(StatusCode, Json<SessionView>), ApiError> {
    let role = workspace_role("role", &req.role)?;
    let session = s
        .app
        .create_service_account(&caller, &req.email, &req.name, role)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionView {
            token: session.token,
            user: UserView::from(&session.principal),
        }),
    ))
}
