use super::views::{EnvironmentList, EnvironmentView};
use super::{ListParams, next_token};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

#[utoipa::path(get, path = "/v1/environments", tag = "environments", params(ListParams),
    responses((status = 200, body = EnvironmentList)), extensions(("x-permission" = json!("environments.get"))))]
pub async fn list(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<EnvironmentList>, ApiError> {
    let page = q.slice(s.app.list_environments(&caller, q.show_archived).await?)?;
    Ok(Json(EnvironmentList {
        environments: page.items.iter().map(EnvironmentView::from).collect(),
        next_page_token: next_token(page.next_offset),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEnvironment {
    /// Resource id, `^[a-z][a-z0-9-]{0,62}$`.
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub protected: bool,
}

#[utoipa::path(post, path = "/v1/environments", tag = "environments", request_body = CreateEnvironment,
    responses((status = 201, body = EnvironmentView), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("environments.create"))))]
pub async fn create(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateEnvironment>,
) -> Result<(StatusCode, Json<EnvironmentView>), ApiError> {
    let env = s
        .app
        .create_environment(&caller, &req.id, &req.title, req.protected)
        .await?;
    Ok((StatusCode::CREATED, Json(EnvironmentView::from(&env))))
}

#[utoipa::path(get, path = "/v1/environments/{id}", tag = "environments", params(("id" = String, Path)),
    responses((status = 200, body = EnvironmentView), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("environments.get"))))]
pub async fn get(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<EnvironmentView>, ApiError> {
    Ok(Json(EnvironmentView::from(
        &s.app.environment(&caller, &id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEnvironment {
    pub title: Option<String>,
    pub protected: Option<bool>,
}

#[utoipa::path(patch, path = "/v1/environments/{id}", tag = "environments", params(("id" = String, Path)),
    request_body = UpdateEnvironment, responses((status = 200, body = EnvironmentView)),
    extensions(("x-permission" = json!("environments.update"))))]
pub async fn update(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateEnvironment>,
) -> Result<Json<EnvironmentView>, ApiError> {
    let env = s
        .app
        .update_environment(&caller, &id, req.title.as_deref(), req.protected)
        .await?;
    Ok(Json(EnvironmentView::from(&env)))
}

/// Archive an environment (it must hold no active instance).
#[utoipa::path(delete, path = "/v1/environments/{id}", tag = "environments", params(("id" = String, Path)),
    responses((status = 200, body = EnvironmentView)), extensions(("x-permission" = json!("environments.delete"))))]
pub async fn archive(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<EnvironmentView>, ApiError> {
    Ok(Json(EnvironmentView::from(
        &s.app.archive_environment(&caller, &id).await?,
    )))
}

#[utoipa::path(post, path = "/v1/environments/{id}/restore", tag = "environments", params(("id" = String, Path)),
    responses((status = 200, body = EnvironmentView)), extensions(("x-permission" = json!("environments.delete"))))]
pub async fn restore(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<EnvironmentView>, ApiError> {
    Ok(Json(EnvironmentView::from(
        &s.app.restore_environment(&caller, &id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderEnvironments {
    /// Every active environment id, once, in the new order.
    pub ids: Vec<String>,
}

#[utoipa::path(put, path = "/v1/environments-order", tag = "environments", request_body = ReorderEnvironments,
    responses((status = 200, body = EnvironmentList)), extensions(("x-permission" = json!("environments.update"))))]
pub async fn reorder(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<ReorderEnvironments>,
) -> Result<Json<EnvironmentList>, ApiError> {
    let envs = s.app.reorder_environments(&caller, &req.ids).await?;
    Ok(Json(EnvironmentList {
        environments: envs.iter().map(EnvironmentView::from).collect(),
        next_page_token: String::new(),
    }))
}
