use super::next_token;
use super::views::{AuditLogList, AuditLogView};
use crate::extract::{ApiQuery, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use sluice_store::AuditFilter;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub page_size: Option<i64>,
    pub page_token: Option<String>,
    /// Principal id.
    pub actor: Option<i64>,
    /// E.g. `instances.create`.
    pub action: Option<String>,
    /// Resource name prefix, e.g. `instances/prod-pg`.
    pub resource: Option<String>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/v1/audit-logs", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditLogList)), extensions(("x-permission" = json!("audit-logs.list"))))]
pub async fn list(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditLogList>, ApiError> {
    let params = super::ListParams {
        page_size: q.page_size,
        page_token: q.page_token,
        show_archived: false,
    };
    let filter = AuditFilter {
        principal_id: q.actor,
        action: q.action,
        resource: q.resource,
    };
    let page = s.app.list_audit(&caller, &filter, params.page()?).await?;
    Ok(Json(AuditLogList {
        audit_logs: page.items.iter().map(AuditLogView::from).collect(),
        next_page_token: next_token(page.next_offset),
    }))
}
