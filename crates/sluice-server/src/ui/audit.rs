//! The audit log: who did what to which resource, when; newest first.

use super::layout::{Layout, Section, error_page, when};
use super::session::{Ctx, Params, url_encode};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use sluice_app::AppError;
use sluice_store::{AuditFilter, Outcome, PageRequest};

const PAGE: i64 = 100;

pub struct AuditRow {
    pub time: String,
    pub iso: String,
    pub actor: String,
    pub action: String,
    pub resource: String,
    pub outcome: &'static str,
    pub outcome_class: &'static str,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<AuditRow>,
    actor: String,
    action: String,
    resource: String,
    filtered: bool,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    actor: String,
    action: String,
    resource: String,
    offset: String,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Params(q): Params<AuditQuery>,
) -> Response {
    let actor = q.actor.trim();
    // The actor is given by id or by email.
    let principal_id = if actor.is_empty() {
        None
    } else if let Ok(id) = actor.parse::<i64>() {
        Some(id)
    } else {
        match state
            .app
            .store
            .principal_by_email(&actor.to_lowercase())
            .await
        {
            Ok(p) => Some(p.map(|p| p.id).unwrap_or(-1)),
            Err(err) => return error_page(&ctx, Section::Audit, AppError::from(err)),
        }
    };
    let pick = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
    let filter = AuditFilter {
        principal_id,
        action: pick(&q.action),
        resource: pick(&q.resource),
    };
    let offset = q.offset.parse::<i64>().unwrap_or(0).max(0);
    let page = match state
        .app
        .list_audit(
            &ctx.caller,
            &filter,
            PageRequest {
                offset,
                limit: PAGE,
            },
        )
        .await
    {
        Ok(p) => p,
        Err(err) => return error_page(&ctx, Section::Audit, err),
    };
    let rows = page
        .items
        .iter()
        .map(|a| AuditRow {
            time: when(a.created_at),
            iso: crate::api::views::timestamp(a.created_at),
            actor: a.actor_email.clone(),
            action: a.action.clone(),
            resource: a.resource.clone(),
            outcome: match a.outcome {
                Outcome::Success => "✓ Success",
                Outcome::Denied => "⊘ Denied",
                Outcome::Failed => "✗ Failed",
            },
            outcome_class: match a.outcome {
                Outcome::Success => "done",
                Outcome::Denied => "warn",
                Outcome::Failed => "failed",
            },
            detail: if a.detail == "{}" {
                String::new()
            } else {
                a.detail.clone()
            },
        })
        .collect();
    let next = page.next_offset.map(|n| {
        format!(
            "/audit-logs?actor={}&action={}&resource={}&offset={n}",
            url_encode(&q.actor),
            url_encode(&q.action),
            url_encode(&q.resource)
        )
    });
    let filtered = !(q.actor.is_empty() && q.action.is_empty() && q.resource.is_empty());
    let page = AuditPage {
        l: ctx.layout(Section::Audit, "Audit log"),
        rows,
        actor: q.actor,
        action: q.action,
        resource: q.resource,
        filtered,
        next,
    };
    ctx.ok(&page)
}
