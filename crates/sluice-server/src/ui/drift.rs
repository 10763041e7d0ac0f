//! A database's Drift tab (what differs from the schema Sluice recorded,
//! as Changes and as DDL, and accepting the live schema as a baseline),
//! and the drift banner and timeline of its Overview.

use super::layout::{Layout, Section, error_page, when};
use super::schema::{DbTabs, database_href};
use super::session::{Ctx, Post, redirect_notice, url_encode};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use sluice_app::drift::{change_kind, change_subject, summary};
use sluice_app::permissions::allows;
use sluice_app::{AppError, AppResult, DriftView, Permission};
use sluice_store::{DbEventKind, PageRequest};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/instances/{id}/databases/{name}/drift", get(show))
        .route(
            "/instances/{id}/databases/{name}/drift/accept",
            post(accept),
        )
}

/// The drift line of a database's Overview.
pub struct DriftBadge {
    pub drifted: bool,
    /// `⚠ DRIFTED`, `✓ IN SYNC`, `? NOT COMPARED`.
    pub label: &'static str,
    pub class: &'static str,
    pub summary: String,
    pub detected: String,
}

impl DriftBadge {
    fn of(view: &DriftView) -> DriftBadge {
        let (label, class) = match view.status {
            "DRIFTED" => ("⚠ DRIFTED", "warn"),
            "IN_SYNC" => ("✓ IN SYNC", "done"),
            _ => ("? NOT COMPARED", ""),
        };
        DriftBadge {
            drifted: view.is_drifted(),
            label,
            class,
            summary: summary(&view.changes),
            detected: view.detected_at.map(when).unwrap_or_default(),
        }
    }
}

/// One entry of a database's timeline.
pub struct EventRow {
    pub what: &'static str,
    pub class: &'static str,
    pub who: String,
    pub when: String,
    pub summary: String,
}

const TIMELINE_LENGTH: i64 = 20;

async fn timeline(
    state: &AppState,
    ctx: &Ctx,
    instance: &str,
    name: &str,
) -> AppResult<Vec<EventRow>> {
    let page = PageRequest {
        offset: 0,
        limit: TIMELINE_LENGTH,
    };
    let events = state
        .app
        .database_events(&ctx.caller, instance, name, page)
        .await?;
    Ok(events
        .items
        .into_iter()
        .map(|(event, who)| {
            let (what, class) = match event.kind {
                DbEventKind::DriftDetected => ("Drift detected", "warn"),
                DbEventKind::DriftResolved => ("Drift resolved", "done"),
                DbEventKind::DriftAccepted => ("Drift accepted", "done"),
            };
            EventRow {
                what,
                class,
                who: who.name,
                when: when(event.created_at),
                summary: event.summary,
            }
        })
        .collect())
}

/// What the Overview shows of drift: the badge (and banner) and the
/// timeline.
pub(super) async fn overview(
    state: &AppState,
    ctx: &Ctx,
    instance: &str,
    name: &str,
) -> AppResult<(DriftBadge, Vec<EventRow>)> {
    let (view, events) = tokio::try_join!(
        state.app.drift(&ctx.caller, instance, name),
        timeline(state, ctx, instance, name),
    )?;
    Ok((DriftBadge::of(&view), events))
}

pub struct ChangeRow {
    pub kind: String,
    pub subject: String,
}

#[derive(Template)]
#[template(path = "database_drift.html")]
struct DriftPage {
    l: Layout,
    t: DbTabs,
    name: String,
    badge: DriftBadge,
    status: &'static str,
    checked: String,
    expected: Option<String>,
    expected_href: String,
    changes: Vec<ChangeRow>,
    ddl_lines: Vec<String>,
    can_accept: bool,
    timeline: Vec<EventRow>,
    /// An accept refused just now.
    alert: Option<String>,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    instance: &str,
    name: &str,
    status: StatusCode,
    alert: Option<String>,
) -> Response {
    let db = match state.app.database(&ctx.caller, instance, name).await {
        Ok(db) => db,
        Err(err) => return error_page(ctx, Section::Databases, err),
    };
    let (view, events, role, synced) = match tokio::try_join!(
        state.app.drift(&ctx.caller, instance, name),
        timeline(state, ctx, instance, name),
        state.app.project_role(&ctx.caller, &db.project_id),
        async { Ok(state.app.store.schema_snapshot(db.id).await?.is_some()) },
    ) {
        Ok(v) => v,
        Err(err) => return error_page(ctx, Section::Databases, err),
    };
    let t = DbTabs::new(&db, "drift");
    let l = ctx
        .layout(Section::Databases, format!("{} · Drift", db.name))
        .crumb("Instances", "/instances")
        .crumb(
            db.instance_id.clone(),
            format!("/instances/{}", url_encode(&db.instance_id)),
        )
        .crumb(db.name.clone(), t.base.clone());
    // Drift can be accepted; a database Sluice never changed can have
    // its first baseline recorded the same way.
    let acceptable = view.is_drifted() || (view.expected_changelog_id.is_none() && synced);
    let page = DriftPage {
        name: db.name.clone(),
        badge: DriftBadge::of(&view),
        status: view.status,
        checked: view.checked_at.map(when).unwrap_or_default(),
        expected_href: view
            .expected_changelog_id
            .map(|id| format!("{}/changelog/{id}", t.base))
            .unwrap_or_default(),
        expected: view.expected_version.clone(),
        changes: view
            .changes
            .iter()
            .map(|c| ChangeRow {
                kind: change_kind(c).to_string(),
                subject: change_subject(c),
            })
            .collect(),
        ddl_lines: view.ddl.lines().map(str::to_string).collect(),
        can_accept: acceptable && allows(&ctx.caller, Permission::DatabasesDriftAccept, role),
        timeline: events,
        alert,
        l,
        t,
    };
    ctx.render(status, &page)
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((instance, name)): Path<(String, String)>,
) -> Response {
    page(&state, &ctx, &instance, &name, StatusCode::OK, None).await
}

#[derive(Deserialize, Default)]
pub struct NoFields {}

async fn accept(
    State(state): State<AppState>,
    Path((instance, name)): Path<(String, String)>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.accept_drift(&ctx.caller, &instance, &name).await {
        Ok(view) => {
            let notice = format!(
                "Live schema accepted as baseline {}.",
                view.expected_version.unwrap_or_default()
            );
            let to = format!("{}/drift", database_href(&instance, &name));
            redirect_notice(&state, &to, &notice)
        }
        Err(AppError::FailedPrecondition(message)) => {
            page(
                &state,
                &ctx,
                &instance,
                &name,
                StatusCode::CONFLICT,
                Some(message),
            )
            .await
        }
        Err(err) => error_page(&ctx, Section::Databases, err),
    }
}
