//! A database's drift (its live schema against the one Sluice recorded),
//! accepting the live schema as a new baseline, and the database's
//! timeline.

use super::issues::{Empty, OptionalJson};
use super::views::{PrincipalView, timestamp};
use super::{ListParams, next_token};
use crate::extract::{ApiPath, ApiQuery, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use sluice_app::DriftView;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct DriftBody {
    /// IN_SYNC, DRIFTED, or UNKNOWN (not compared yet: no changelog entry,
    /// or no sync since the first one).
    pub status: String,
    /// When the drift now shown was first seen (DRIFTED only).
    pub detected_at: Option<String>,
    /// When the live schema was last compared.
    pub checked_at: Option<String>,
    /// What differs, expected → live, as Changes of the schema diff.
    #[schema(value_type = Vec<Object>)]
    pub changes: Vec<serde_json::Value>,
    /// The DDL that turns the expected schema into the live one: what was
    /// done behind Sluice's back.
    pub ddl: String,
    /// The version of the changelog entry whose schema is expected.
    pub expected_version: Option<String>,
}

impl From<DriftView> for DriftBody {
    fn from(d: DriftView) -> DriftBody {
        DriftBody {
            status: d.status.to_string(),
            detected_at: d.detected_at.map(timestamp),
            checked_at: d.checked_at.map(timestamp),
            changes: d.changes,
            ddl: d.ddl,
            expected_version: d.expected_version,
        }
    }
}

/// The database's drift as found at its last schema sync.
#[utoipa::path(get, path = "/v1/instances/{id}/databases/{name}/drift", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path)),
    responses((status = 200, body = DriftBody), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("databases.get")), ("x-scope" = json!("project"))))]
pub async fn get(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name)): ApiPath<(String, String)>,
) -> Result<Json<DriftBody>, ApiError> {
    Ok(Json(s.app.drift(&caller, &id, &name).await?.into()))
}

/// Accept the live schema (as kept at the last sync) as the expected one:
/// a BASELINE changelog entry, versioned by the time, clears the drift.
#[utoipa::path(post, path = "/v1/instances/{id}/databases/{name}/drift/accept", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path)), request_body(content = Option<Empty>),
    responses((status = 200, body = DriftBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("databases.drift.accept"))))]
pub async fn accept(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name)): ApiPath<(String, String)>,
    _body: OptionalJson<Empty>,
) -> Result<Json<DriftBody>, ApiError> {
    Ok(Json(s.app.accept_drift(&caller, &id, &name).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct DatabaseEventView {
    pub id: i64,
    /// DRIFT_DETECTED, DRIFT_RESOLVED or DRIFT_ACCEPTED.
    pub kind: String,
    pub summary: String,
    pub actor: PrincipalView,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct DatabaseActivityList {
    pub activity: Vec<DatabaseEventView>,
    pub next_page_token: String,
}

/// The database's timeline, newest first.
#[utoipa::path(get, path = "/v1/instances/{id}/databases/{name}/activity", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path), ListParams),
    responses((status = 200, body = DatabaseActivityList), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("databases.get")), ("x-scope" = json!("project"))))]
pub async fn activity(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<DatabaseActivityList>, ApiError> {
    let page = s
        .app
        .database_events(&caller, &id, &name, q.page()?)
        .await?;
    Ok(Json(DatabaseActivityList {
        activity: page
            .items
            .iter()
            .map(|(event, who)| DatabaseEventView {
                id: event.id,
                kind: event.kind.as_str().to_string(),
                summary: event.summary.clone(),
                actor: who.into(),
                created_at: timestamp(event.created_at),
            })
            .collect(),
        next_page_token: next_token(page.next_offset),
    }))
}
