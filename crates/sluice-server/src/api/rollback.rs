//! Reverse migrations: the reverse plan shown with a changelog entry, and
//! "Roll back", which files it as a new SCHEMA_CHANGE issue.

use super::issues::OptionalJson;
use super::views::timestamp;
use crate::extract::{ApiPath, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sluice_app::issues::{IssueView, RollbackInput};
use sluice_plan::{Hazard, Plan};
use utoipa::ToSchema;

/// The plan that undoes a schema change, kept with its changelog entry.
#[derive(Serialize, ToSchema)]
pub struct ReverseView {
    /// The script that takes the schema back to what it was before the
    /// change; empty when there is none (`note` says why).
    pub statement: String,
    /// DELETES_DATA, TABLE_REWRITE, …: what running it would risk.
    #[schema(value_type = Vec<String>)]
    pub hazards: Vec<Hazard>,
    /// `{dialect, changes, steps}`, each step with its SQL and hazards.
    #[schema(value_type = Option<Object>)]
    pub plan: Option<Plan>,
    pub note: String,
    pub computed_at: String,
}

impl From<sluice_app::issues::ReverseView> for ReverseView {
    fn from(r: sluice_app::issues::ReverseView) -> ReverseView {
        ReverseView {
            statement: r.statement,
            hazards: r.hazards,
            plan: r.plan,
            note: r.note,
            computed_at: timestamp(r.computed_at),
        }
    }
}

#[derive(Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RollBack {
    /// Defaults to "Roll back {version}".
    pub title: Option<String>,
    /// The hazards of the reverse plan you accept: "all" or names
    /// (DELETES_DATA, …). A plan with others is refused, naming them.
    pub allow_hazards: Vec<String>,
}

/// File the reverse of a schema change as a new SCHEMA_CHANGE issue on the
/// database, in its project; it goes through checks, approval and rollout
/// like any change. Refused (409) unless the entry is a DONE schema change
/// with a reverse plan and the database's last schema change, and (400)
/// when the plan has hazards `allow_hazards` does not name.
#[utoipa::path(post, path = "/v1/instances/{id}/databases/{name}/changelogs/{changelog}/rollback", tag = "databases",
    params(("id" = String, Path), ("name" = String, Path), ("changelog" = i64, Path)),
    request_body(content = Option<RollBack>),
    responses((status = 201, description = "the new issue, with its `number`"), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("issues.create")), ("x-scope" = json!("project"))))]
pub async fn roll_back(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath((id, name, changelog)): ApiPath<(String, String, i64)>,
    OptionalJson(req): OptionalJson<RollBack>,
) -> Result<(StatusCode, Json<IssueView>), ApiError> {
    let input = RollbackInput {
        title: req.title,
        allow_hazards: req.allow_hazards,
    };
    let issue = s
        .app
        .roll_back_changelog(&caller, &id, &name, changelog, &input)
        .await?;
    let view = s
        .app
        .issue_view(&caller, &issue.project_id, issue.number)
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}
