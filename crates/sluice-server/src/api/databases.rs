use super::views::{DatabaseList, DatabaseView};
use super::next_token;
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use sluice_store::{DatabaseFilter, Labels};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DatabaseQuery {
    pub page_size: Option<i64>,
    pub page_token: Option<String>,
    pub project: Option<String>,
    pub environment: Option<String>,
    pub instance: Option<String>,
}

async fn list_page(s: &AppState, caller: &sluice_app::Caller, q: DatabaseQuery, instance: Option<String>) -> Result<Json<DatabaseList>, ApiError> {
    let params = super::ListParams { page_size: q.page_size, page_token: q.page_token, show_archived: false };
    let filter = DatabaseFilter { instance_id: instance.or(q.instance), project_id: q.project, environment_id: q.environment, member: None };
    let page = s.app.list_databases(caller, filter, params.page()?).await?;
    Ok(Json(DatabaseList { databases: page.items.iter().map(DatabaseView::from).collect(), next_page_token: next_token(page.next_offset) }))
}

/// Databases across instances that the caller may see.
#[utoipa::path(get, path = "/v1/databases", tag = "databases", params(DatabaseQuery),
    responses((status = 200, body = DatabaseList)), extensions(("x-permission" = json!("authenticated"))))]
pub async fn list_all(State(s): State<AppState>, Authed(caller): Authed, ApiQuery(q): ApiQuery<DatabaseQuery>) -> Result<Json<DatabaseList>, ApiError> {
    list_page(&s, &caller, q, None).await
}

#[utoipa::path(get, path = "/v1/instances/{id}/databases", tag = "databases", params(("id" = String, Path), DatabaseQuery),
    responses((status = 200, body = DatabaseList)), extensions(("x-permission" = json!("instances.get"))))]
pub async fn list_in_instance(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DatabaseQuery>,
) -> Result<Json<DatabaseList>, ApiError> {
    s.app.instance(&caller, &id).await?;
    list_page(&s, &caller, q, Some(id)).await
}

#[utoipa::path(get, path = "/v1/instances/{id}/databases/{name}", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path)),
    responses((status = 200, body = DatabaseView), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("databases.get")), ("x-scope" = json!("project"))))]
pub async fn get(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name)): ApiPath<(String, String)>,
) -> Result<Json<DatabaseView>, ApiError> {
    Ok(Json(DatabaseView::from(&s.app.database(&caller, &id, &name).await?)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDatabase {
    /// Move the database to this project.
    pub project: Option<String>,
    /// Replace the labels.
    pub labels: Option<BTreeMap<String, String>>,
}

#[utoipa::path(patch, path = "/v1/instances/{id}/databases/{name}", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path)), request_body = UpdateDatabase,
    responses((status = 200, body = DatabaseView)),
    extensions(("x-permission" = json!("databases.update")), ("x-scope" = json!("project"))))]
pub async fn update(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<UpdateDatabase>,
) -> Result<Json<DatabaseView>, ApiError> {
    let db = s.app.update_database(&caller, &id, &name, req.project.as_deref(), req.labels.map(Labels)).await?;
    Ok(Json(DatabaseView::from(&db)))
}
