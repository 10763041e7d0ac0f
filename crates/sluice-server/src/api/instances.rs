use super::views::{ConnectionVerdictView, InstanceList, InstanceView, SyncReportView};
use super::{ListParams, next_token};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Deserializer};
use sluice_app::{DataSourceInput, InstanceInput, InstancePatch};
use sluice_store::{Engine, TlsMode};
use utoipa::ToSchema;

#[utoipa::path(get, path = "/v1/instances", tag = "instances", params(ListParams),
    responses((status = 200, body = InstanceList)), extensions(("x-permission" = json!("instances.get"))))]
pub async fn list(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<InstanceList>, ApiError> {
    let page = q.slice(s.app.list_instances(&caller, q.show_archived).await?)?;
    Ok(Json(InstanceList {
        instances: page.items.iter().map(InstanceView::from).collect(),
        next_page_token: next_token(page.next_offset),
    }))
}

/// How to reach the read-only data source; missing fields are the admin's.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DataSourceRequest {
    pub host: Option<String>,
    pub port: Option<i64>,
    pub username: Option<String>,
    /// Write-only.
    pub password: Option<String>,
    pub database: Option<String>,
    /// DISABLE, PREFER or REQUIRE.
    pub tls_mode: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInstance {
    pub id: String,
    pub title: String,
    /// POSTGRES, MYSQL, MARIADB or SQLITE.
    pub engine: String,
    pub environment: String,
    pub host: Option<String>,
    /// Defaults to the engine's port.
    pub port: Option<i64>,
    pub username: Option<String>,
    /// Write-only: stored sealed, never returned.
    pub password: Option<String>,
    /// Database to connect to; for SQLITE the file path.
    pub database: Option<String>,
    pub tls_mode: Option<String>,
    pub read_only: Option<DataSourceRequest>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateInstance {
    pub title: Option<String>,
    pub environment: Option<String>,
    pub host: Option<String>,
    pub port: Option<i64>,
    pub username: Option<String>,
    /// Write-only; an empty string removes the stored password.
    pub password: Option<String>,
    pub database: Option<String>,
    pub tls_mode: Option<String>,
    /// How often the background sync visits the instance, 60 to 86400 seconds.
    pub sync_interval_secs: Option<i64>,
    /// `null` removes the read-only data source.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DataSourceRequest>)]
    pub read_only: Option<Option<DataSourceRequest>>,
}

/// Tell "absent" (None) from "null" (Some(None)).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn tls_mode(field: &str, value: Option<&str>) -> Result<Option<TlsMode>, ApiError> {
    value
        .map(|v| {
            TlsMode::parse(v).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "{field}: {v:?} is not a TLS mode: use DISABLE, PREFER or REQUIRE"
                ))
            })
        })
        .transpose()
}

fn data_source(prefix: &str, r: DataSourceRequest) -> Result<DataSourceInput, ApiError> {
    Ok(DataSourceInput {
        tls_mode: tls_mode(&format!("{prefix}tls_mode"), r.tls_mode.as_deref())?,
        host: r.host,
        port: r.port,
        username: r.username,
        password: r.password,
        database: r.database,
    })
}

impl CreateInstance {
    fn into_input(self) -> Result<InstanceInput, ApiError> {
        let engine = Engine::parse(&self.engine).ok_or_else(|| {
            ApiError::bad_request(format!(
                "engine: {:?} is not an engine: use POSTGRES, MYSQL, MARIADB or SQLITE",
                self.engine
            ))
        })?;
        let admin = data_source(
            "",
            DataSourceRequest {
                host: self.host,
                port: self.port,
                username: self.username,
                password: self.password,
                database: self.database,
                tls_mode: self.tls_mode,
            },
        )?;
        let read_only = self
            .read_only
            .map(|r| data_source("read_only.", r))
            .transpose()?;
        Ok(InstanceInput {
            id: self.id,
            title: self.title,
            engine,
            environment: self.environment,
            admin,
            read_only,
        })
    }
}

#[utoipa::path(post, path = "/v1/instances", tag = "instances", request_body = CreateInstance,
    responses((status = 201, body = InstanceView), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("instances.create"))))]
pub async fn create(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateInstance>,
) -> Result<(StatusCode, Json<InstanceView>), ApiError> {
    let input = req.into_input()?;
    let instance = s.app.create_instance(&caller, input).await?;
    Ok((StatusCode::CREATED, Json(InstanceView::from(&instance))))
}

#[utoipa::path(get, path = "/v1/instances/{id}", tag = "instances", params(("id" = String, Path)),
    responses((status = 200, body = InstanceView), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("instances.get"))))]
pub async fn get(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InstanceView>, ApiError> {
    Ok(Json(InstanceView::from(
        &s.app.instance(&caller, &id).await?,
    )))
}

#[utoipa::path(patch, path = "/v1/instances/{id}", tag = "instances", params(("id" = String, Path)),
    request_body = UpdateInstance, responses((status = 200, body = InstanceView)),
    extensions(("x-permission" = json!("instances.update"))))]
pub async fn update(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateInstance>,
) -> Result<Json<InstanceView>, ApiError> {
    let admin = data_source(
        "",
        DataSourceRequest {
            host: req.host,
            port: req.port,
            username: req.username,
            password: req.password,
            database: req.database,
            tls_mode: req.tls_mode,
        },
    )?;
    let read_only = match req.read_only {
        None => None,
        Some(None) => Some(None),
        Some(Some(r)) => Some(Some(data_source("read_only.", r)?)),
    };
    let patch = InstancePatch {
        title: req.title,
        environment: req.environment,
        admin,
        read_only,
        sync_interval_secs: req.sync_interval_secs,
    };
    Ok(Json(InstanceView::from(
        &s.app.update_instance(&caller, &id, patch).await?,
    )))
}

#[utoipa::path(delete, path = "/v1/instances/{id}", tag = "instances", params(("id" = String, Path)),
    responses((status = 200, body = InstanceView)), extensions(("x-permission" = json!("instances.delete"))))]
pub async fn archive(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InstanceView>, ApiError> {
    Ok(Json(InstanceView::from(
        &s.app.archive_instance(&caller, &id, true).await?,
    )))
}

#[utoipa::path(post, path = "/v1/instances/{id}/restore", tag = "instances", params(("id" = String, Path)),
    responses((status = 200, body = InstanceView)), extensions(("x-permission" = json!("instances.delete"))))]
pub async fn restore(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InstanceView>, ApiError> {
    Ok(Json(InstanceView::from(
        &s.app.archive_instance(&caller, &id, false).await?,
    )))
}

/// Test the connection settings of an instance before creating it (the
/// body is the one `POST /v1/instances` takes; nothing is stored).
#[utoipa::path(post, path = "/v1/connection-tests", tag = "instances", request_body = CreateInstance,
    responses((status = 200, body = ConnectionVerdictView)), extensions(("x-permission" = json!("instances.create"))))]
pub async fn test_new(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateInstance>,
) -> Result<Json<ConnectionVerdictView>, ApiError> {
    let input = req.into_input()?;
    Ok(Json(s.app.test_connection(&caller, &input).await?.into()))
}

/// Test an instance's connection; the verdict names the kind of failure.
#[utoipa::path(post, path = "/v1/instances/{id}/test", tag = "instances", params(("id" = String, Path)),
    responses((status = 200, body = ConnectionVerdictView)), extensions(("x-permission" = json!("instances.sync"))))]
pub async fn test(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ConnectionVerdictView>, ApiError> {
    Ok(Json(s.app.test_instance(&caller, &id).await?.into()))
}

/// Discover the instance's databases now.
#[utoipa::path(post, path = "/v1/instances/{id}/sync", tag = "instances", params(("id" = String, Path)),
    responses((status = 200, body = SyncReportView), (status = 502, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("instances.sync"))))]
pub async fn sync(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<SyncReportView>, ApiError> {
    Ok(Json(s.app.sync_instance(&caller, &id).await?.into()))
}
