//! Sync schema: preview each target's plan against a source schema, and
//! file the plans as one SCHEMA_CHANGE issue.

use super::views::timestamp;
use crate::extract::{ApiJson, ApiPath, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sluice_app::issues::IssueView;
use sluice_app::schema_sync::{
    Hazard, HazardAllowance, Plan, SchemaOrigin, SchemaSyncFiling, SchemaSyncPreview,
    SchemaSyncRequest, SourceSchema, TargetPlan,
};
use sluice_store::Engine;
use utoipa::ToSchema;

fn yes() -> bool {
    true
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewSchemaSync {
    /// The source database, "instance/database".
    pub source: String,
    /// A changelog entry of the source: its schema after the change is the source.
    pub changelog: Option<i64>,
    /// "instance/database" of the project's databases, of the source's engine.
    pub targets: Vec<String>,
    /// Inspect the source and the targets now (default); false plans from
    /// the schemas kept at their last sync.
    #[serde(default = "yes")]
    pub sync: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSchemaSync {
    pub source: String,
    pub changelog: Option<i64>,
    pub targets: Vec<String>,
    #[serde(default = "yes")]
    pub sync: bool,
    /// Defaults to "Sync schema from {source}".
    pub title: Option<String>,
    #[serde(default)]
    pub description: String,
    /// Hazards the plans may carry: "all" or names (DELETES_DATA, …).
    #[serde(default)]
    pub allow_hazards: Vec<String>,
}

fn request(
    source: String,
    changelog: Option<i64>,
    targets: Vec<String>,
    sync: bool,
) -> SchemaSyncRequest {
    SchemaSyncRequest {
        source,
        changelog,
        targets,
        sync,
    }
}

#[derive(Serialize)]
pub struct SourceView {
    pub database: String,
    pub engine: Engine,
    pub changelog: Option<i64>,
    pub version: Option<String>,
    /// SYNCED_NOW, LAST_SYNC or CHANGELOG.
    pub origin: SchemaOrigin,
    pub read_at: String,
    pub ddl: String,
}

impl From<SourceSchema> for SourceView {
    fn from(s: SourceSchema) -> SourceView {
        SourceView {
            database: s.database,
            engine: s.engine,
            changelog: s.changelog,
            version: s.version,
            origin: s.origin,
            read_at: timestamp(s.read_at),
            ddl: s.ddl,
        }
    }
}

#[derive(Serialize)]
pub struct TargetView {
    pub database: String,
    pub environment: String,
    pub origin: SchemaOrigin,
    pub read_at: String,
    pub ddl: String,
    pub in_sync: bool,
    pub hazards: Vec<Hazard>,
    pub statement: String,
    pub plan: Plan,
}

impl From<TargetPlan> for TargetView {
    fn from(t: TargetPlan) -> TargetView {
        TargetView {
            database: t.database,
            environment: t.environment,
            origin: t.origin,
            read_at: timestamp(t.read_at),
            ddl: t.ddl,
            in_sync: t.in_sync,
            hazards: t.hazards,
            statement: t.statement,
            plan: t.plan,
        }
    }
}

#[derive(Serialize)]
pub struct PreviewView {
    pub source: SourceView,
    pub targets: Vec<TargetView>,
}

impl From<SchemaSyncPreview> for PreviewView {
    fn from(p: SchemaSyncPreview) -> PreviewView {
        PreviewView {
            source: p.source.into(),
            targets: p.targets.into_iter().map(TargetView::from).collect(),
        }
    }
}

/// Each target's schema beside the source's, and the plan that would make
/// it match; nothing is filed.
#[utoipa::path(post, path = "/v1/projects/{id}/schema-sync/preview", tag = "schema-sync", params(("id" = String, Path)),
    request_body = PreviewSchemaSync,
    responses((status = 200, description = "`{source: {database, engine, changelog, version, origin, read_at, ddl}, targets: [{database, environment, origin, read_at, ddl, in_sync, hazards, statement, plan}]}`"), (status = 400, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.create")), ("x-scope" = json!("project"))))]
pub async fn preview(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<PreviewSchemaSync>,
) -> Result<Json<PreviewView>, ApiError> {
    let request = request(req.source, req.changelog, req.targets, req.sync);
    let preview = s.app.preview_schema_sync(&caller, &id, &request).await?;
    Ok(Json(preview.into()))
}

/// File a SCHEMA_CHANGE issue with a task per target that differs from
/// the source, each running its own plan.
#[utoipa::path(post, path = "/v1/projects/{id}/schema-sync", tag = "schema-sync", params(("id" = String, Path)),
    request_body = CreateSchemaSync,
    responses((status = 201, description = "the issue, with its `number`"), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.create")), ("x-scope" = json!("project"))))]
pub async fn create(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CreateSchemaSync>,
) -> Result<(StatusCode, Json<IssueView>), ApiError> {
    let allow_hazards = HazardAllowance::parse(&req.allow_hazards)
        .map_err(|e| ApiError::bad_request(format!("allow_hazards: {e}")))?;
    let filing = SchemaSyncFiling {
        request: request(req.source, req.changelog, req.targets, req.sync),
        title: req.title,
        description: req.description,
        allow_hazards,
    };
    let (issue, _) = s.app.file_schema_sync(&caller, &id, &filing).await?;
    let view = s.app.issue_view(&caller, &id, issue.number).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
