use super::next_token;
use super::views::{
    ChangelogList, ChangelogSummaryView, ChangelogView, DatabaseList, DatabaseView,
};
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

async fn list_page(
    s: &AppState,
    caller: &sluice_app::Caller,
    q: DatabaseQuery,
    instance: Option<String>,
) -> Result<Json<DatabaseList>, ApiError> {
    let params = super::ListParams {
        page_size: q.page_size,
        page_token: q.page_token,
        show_archived: false,
    };
    let filter = DatabaseFilter {
        instance_id: instance.or(q.instance),
        project_id: q.project,
        environment_id: q.environment,
        member: None,
    };
    let page = s.app.list_databases(caller, filter, params.page()?).await?;
    Ok(Json(DatabaseList {
        databases: page.items.iter().map(DatabaseView::from).collect(),
        next_page_token: next_token(page.next_offset),
    }))
}

/// Databases across instances that the caller may see.
#[utoipa::path(get, path = "/v1/databases", tag = "databases", params(DatabaseQuery),
    responses((status = 200, body = DatabaseList)), extensions(("x-permission" = json!("authenticated"))))]
pub async fn list_all(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<DatabaseQuery>,
) -> Result<Json<DatabaseList>, ApiError> {
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
    Ok(Json(DatabaseView::from(
        &s.app.database(&caller, &id, &name).await?,
    )))
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
    let db = s
        .app
        .update_database(
            &caller,
            &id,
            &name,
            req.project.as_deref(),
            req.labels.map(Labels),
        )
        .await?;
    Ok(Json(DatabaseView::from(&db)))
}

/// A database's schema as the neutral model (stable, sorted JSON).
fn schema_json(schema: &sluice_app::DatabaseSchema) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let body = serde_json::json!({
        "synced_at": super::views::timestamp(schema.synced_at),
        "catalog": schema.catalog,
    });
    Ok(Json(body).into_response())
}

/// Inspect the database's schema now and keep it.
#[utoipa::path(post, path = "/v1/instances/{id}/databases/{name}/sync", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path)),
    responses((status = 200, description = "`{synced_at, catalog}`: the inspected model"), (status = 502, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("databases.sync")), ("x-scope" = json!("project"))))]
pub async fn sync(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name)): ApiPath<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    schema_json(&s.app.sync_database(&caller, &id, &name).await?)
}

/// The schema kept at the last sync, as the neutral model.
#[utoipa::path(get, path = "/v1/instances/{id}/databases/{name}/schema", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path)),
    responses((status = 200, description = "`{synced_at, catalog}`"), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("databases.get")), ("x-scope" = json!("project"))))]
pub async fn schema(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name)): ApiPath<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    schema_json(&s.app.database_schema(&caller, &id, &name).await?)
}

/// The schema kept at the last sync, as DDL the engine can run.
#[utoipa::path(get, path = "/v1/instances/{id}/databases/{name}/schema.sql", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path)),
    responses((status = 200, content_type = "text/plain", body = String), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("databases.get")), ("x-scope" = json!("project"))))]
pub async fn schema_sql(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name)): ApiPath<(String, String)>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let schema = s.app.database_schema(&caller, &id, &name).await?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        schema.ddl,
    )
        .into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDatabase {
    pub name: String,
    /// PostgreSQL: owner, encoding, template, locale. MySQL/MariaDB: charset, collation.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub options: sluice_engine::CreateDatabaseOptions,
}

/// Create a database on the instance; it lands in the default project.
#[utoipa::path(post, path = "/v1/instances/{id}/databases", tag = "databases", params(("id" = String, Path)),
    request_body = CreateDatabase, responses((status = 201, body = DatabaseView), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("databases.create"))))]
pub async fn create(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CreateDatabase>,
) -> Result<(axum::http::StatusCode, Json<DatabaseView>), ApiError> {
    let db = s
        .app
        .create_database(&caller, &id, &req.name, &req.options)
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(DatabaseView::from(&db)),
    ))
}

/// A database's changelog, newest first: every change applied to it, and
/// the BASELINE recorded before its first change.
#[utoipa::path(get, path = "/v1/instances/{id}/databases/{name}/changelogs", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path), super::ListParams),
    responses((status = 200, body = ChangelogList), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("changelogs.get")), ("x-scope" = json!("project"))))]
pub async fn list_changelogs(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<super::ListParams>,
) -> Result<Json<ChangelogList>, ApiError> {
    let page = s
        .app
        .list_changelogs(&caller, &id, &name, q.page()?)
        .await?;
    Ok(Json(ChangelogList {
        changelogs: page.items.iter().map(ChangelogSummaryView::from).collect(),
        next_page_token: next_token(page.next_offset),
    }))
}

/// One changelog entry with its statement, the schema before and after,
/// and the reverse plan of a schema change.
#[utoipa::path(get, path = "/v1/instances/{id}/databases/{name}/changelogs/{changelog}", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path), ("changelog" = i64, Path)),
    responses((status = 200, body = ChangelogView), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("changelogs.get")), ("x-scope" = json!("project"))))]
pub async fn get_changelog(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name, changelog)): ApiPath<(String, String, i64)>,
) -> Result<Json<ChangelogView>, ApiError> {
    let (entry, reverse) = s
        .app
        .changelog_entry(&caller, &id, &name, changelog)
        .await?;
    Ok(Json(ChangelogView {
        reverse: reverse.map(Into::into),
        ..ChangelogView::from(&entry)
    }))
}
