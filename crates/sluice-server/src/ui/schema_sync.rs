//! Sync schema: pick a source (a database's schema, or the schema a
//! changelog entry of it left) and target databases of the project;
//! Preview shows each target's schema beside the source's with the plan
//! that would make it match, hazards marked; "Create issue" files the
//! plans that change something as one SCHEMA_CHANGE issue.
//!
//! One form serves both buttons (Preview posts to `…/preview` through
//! `formaction`), so what was picked stays picked between them; the
//! hazard checkbox carries the names of the hazards it confirmed.

use super::forms::{Opt, checked, optional};
use super::issues::EnvGroup;
use super::layout::{FormErrors, Layout, Section, error_page, when};
use super::projects::{Head, head};
use super::session::{Ctx, Params, Post, redirect_notice, url_encode};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use sluice_app::AppError;
use sluice_app::issues::dialect_of;
use sluice_app::schema_sync::{
    HazardAllowance, SchemaOrigin, SchemaSyncFiling, SchemaSyncPreview, SchemaSyncRequest,
    TargetPlan,
};
use sluice_store::{ChangelogStatus, DatabaseFilter, PageRequest};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/projects/{id}/schema-sync", get(form).post(create))
        .route("/projects/{id}/schema-sync/preview", post(preview))
}

/// The page that syncs from `instance/name` to databases of `project`.
pub fn sync_from_href(project: &str, instance: &str, name: &str) -> String {
    format!(
        "/projects/{}/schema-sync?source={}",
        url_encode(project),
        url_encode(&format!("{instance}/{name}"))
    )
}

/// The page that syncs from the schema changelog entry `id` of
/// `instance/name` left.
pub fn sync_from_entry_href(project: &str, instance: &str, name: &str, id: i64) -> String {
    format!("{}&changelog={id}", sync_from_href(project, instance, name))
}

#[derive(Default)]
pub struct SyncForm {
    pub source: String,
    pub changelog: String,
    pub sync: bool,
    pub targets: Vec<String>,
    pub title: String,
    pub description: String,
    /// The hazard names the confirmation box carried, when ticked.
    pub allow_hazards: Option<String>,
}

impl SyncForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> SyncForm {
        let mut form = SyncForm::default();
        let mut sync = None;
        for (key, value) in pairs {
            match key.as_str() {
                "source" => form.source = value,
                "changelog" => form.changelog = value,
                "sync" => sync = Some(value),
                "target" => form.targets.push(value),
                "title" => form.title = value,
                "description" => form.description = value,
                "allow_hazards" => form.allow_hazards = Some(value),
                _ => {}
            }
        }
        form.sync = checked(&sync);
        form
    }

    /// The request, or the errors that keep it from being one.
    fn request(&self) -> Result<SchemaSyncRequest, FormErrors> {
        let mut errors = FormErrors::none();
        if self.source.trim().is_empty() {
            errors.add("source", "Choose the database to sync from");
        }
        let changelog = optional(&self.changelog).and_then(|c| match c.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("changelog", format!("{c:?} is not a changelog entry"));
                None
            }
        });
        if self.targets.is_empty() {
            errors.add("targets", "Choose at least one database to sync");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SchemaSyncRequest {
            source: self.source.trim().to_string(),
            changelog,
            targets: self.targets.clone(),
            sync: self.sync,
        })
    }
}

/// A statement of a target's plan.
pub struct StepRow {
    pub number: usize,
    pub sql: String,
    pub lock: String,
    pub hazards: Vec<&'static str>,
    pub notes: Vec<String>,
    pub outside_transaction: bool,
}

pub struct TargetCard {
    pub database: String,
    pub environment: String,
    pub origin: String,
    pub ddl: Vec<String>,
    pub in_sync: bool,
    pub hazards: Vec<&'static str>,
    pub steps: Vec<StepRow>,
}

pub struct PreviewBox {
    pub source: String,
    pub origin: String,
    pub ddl: Vec<String>,
    pub targets: Vec<TargetCard>,
    /// How many targets would get a task.
    pub differing: usize,
    /// The hazards of the plans that would be filed, comma-separated.
    pub hazards: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

fn origin_words(origin: SchemaOrigin, at: i64) -> String {
    match origin {
        SchemaOrigin::SyncedNow => format!("inspected just now ({})", when(at)),
        SchemaOrigin::LastSync => format!("as kept at its last sync, {}", when(at)),
        SchemaOrigin::Changelog => format!("as left by the changelog entry, {}", when(at)),
    }
}

fn card(t: &TargetPlan) -> TargetCard {
    let steps = t
        .plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepRow {
            number: i + 1,
            sql: s.sql.clone(),
            lock: s
                .lock
                .as_ref()
                .map(|l| format!("{}; blocks {}", l.name, l.blocks))
                .unwrap_or_default(),
            hazards: s.hazards.iter().map(|h| h.as_str()).collect(),
            notes: s.notes.clone(),
            outside_transaction: !s.transactional,
        })
        .collect();
    TargetCard {
        database: t.database.clone(),
        environment: t.environment.clone(),
        origin: origin_words(t.origin, t.read_at),
        ddl: lines(&t.ddl),
        in_sync: t.in_sync,
        hazards: t.hazards.iter().map(|h| h.as_str()).collect(),
        steps,
    }
}

fn preview_box(p: &SchemaSyncPreview) -> PreviewBox {
    let mut hazards: Vec<&str> = p
        .differing()
        .flat_map(|t| t.hazards.iter().map(|h| h.as_str()))
        .collect();
    hazards.sort_unstable();
    hazards.dedup();
    let source = match (p.source.changelog, &p.source.version) {
        (Some(id), Some(version)) => format!(
            "{} as of changelog entry {id} (version {version})",
            p.source.database
        ),
        _ => p.source.database.clone(),
    };
    PreviewBox {
        source,
        origin: origin_words(p.source.origin, p.source.read_at),
        ddl: lines(&p.source.ddl),
        targets: p.targets.iter().map(card).collect(),
        differing: p.differing().count(),
        hazards: hazards.join(", "),
    }
}

#[derive(Template)]
#[template(path = "schema_sync.html")]
struct SyncPage {
    l: Layout,
    p: Head,
    form: SyncForm,
    sources: Vec<Opt>,
    changelogs: Vec<Opt>,
    groups: Vec<EnvGroup>,
    errors: FormErrors,
    preview: Option<PreviewBox>,
}

async fn page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    form: SyncForm,
    errors: FormErrors,
    preview: Option<PreviewBox>,
    status: StatusCode,
) -> Response {
    let (p, l) = match head(state, ctx, id, "schema-sync").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if !p.can_file {
        return error_page(
            ctx,
            Section::Projects,
            AppError::PermissionDenied("you do not have permission issues.create".into()),
        );
    }
    let (visible, envs) = match tokio::try_join!(
        state
            .app
            .list_databases(&ctx.caller, DatabaseFilter::default(), PageRequest::ALL),
        state.app.list_environments(&ctx.caller, false),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(ctx, Section::Projects, err),
    };
    let mut sources = vec![Opt {
        value: String::new(),
        label: "Choose a database".into(),
        selected: form.source.is_empty(),
    }];
    sources.extend(visible.items.iter().map(|d| {
        let value = format!("{}/{}", d.instance_id, d.name);
        Opt {
            label: format!(
                "{value} ({} · {} · project {})",
                super::instances::engine_word(d.engine),
                d.environment_id,
                d.project_id
            ),
            selected: value == form.source,
            value,
        }
    }));
    let changelogs = changelog_options(state, ctx, &form).await;
    // Once a source is chosen, offer only what it can sync to: databases
    // of its dialect, itself only as of a changelog entry.
    let source = visible
        .items
        .iter()
        .find(|d| format!("{}/{}", d.instance_id, d.name) == form.source);
    let fits = |d: &sluice_store::Database| match source {
        None => true,
        Some(s) => {
            dialect_of(d.engine) == dialect_of(s.engine)
                && (d.id != s.id || !form.changelog.trim().is_empty())
        }
    };
    let groups = super::issues::database_groups(
        &envs,
        visible
            .items
            .iter()
            .filter(|d| d.project_id == id && fits(d)),
        &form.targets,
    );
    let l = Layout {
        title: "Sync schema".into(),
        ..l
    }
    .crumb(p.title.clone(), format!("/projects/{}", url_encode(&p.id)));
    ctx.render(
        status,
        &SyncPage {
            l,
            p,
            form,
            sources,
            changelogs,
            groups,
            errors,
            preview,
        },
    )
}

/// "Its current schema", then the source's finished changelog entries.
async fn changelog_options(state: &AppState, ctx: &Ctx, form: &SyncForm) -> Vec<Opt> {
    let mut options = vec![Opt {
        value: String::new(),
        label: "Its current schema".into(),
        selected: form.changelog.trim().is_empty(),
    }];
    let Some((instance, name)) = form.source.split_once('/') else {
        return options;
    };
    let page = PageRequest {
        offset: 0,
        limit: 100,
    };
    if let Ok(entries) = state
        .app
        .list_changelogs(&ctx.caller, instance, name, page)
        .await
    {
        options.extend(
            entries
                .items
                .iter()
                .filter(|e| e.status == ChangelogStatus::Done)
                .map(|e| Opt {
                    value: e.id.to_string(),
                    label: format!(
                        "Entry {} · {} · version {} · {}",
                        e.id,
                        e.changelog_type,
                        e.version,
                        when(e.created_at)
                    ),
                    selected: form.changelog.trim() == e.id.to_string(),
                }),
        );
    }
    options
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SyncQuery {
    source: String,
    changelog: String,
}

async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Params(q): Params<SyncQuery>,
) -> Response {
    let form = SyncForm {
        source: q.source,
        changelog: q.changelog,
        sync: true,
        ..Default::default()
    };
    page(
        &state,
        &ctx,
        &id,
        form,
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

const INPUTS: &[&str] = &[
    "source",
    "changelog",
    "targets",
    "title",
    "description",
    "allow_hazards",
];

/// The preview of what the form asks for, or the errors that prevent it.
async fn try_preview(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    form: &SyncForm,
) -> Result<SchemaSyncPreview, (StatusCode, FormErrors)> {
    let request = form
        .request()
        .map_err(|errors| (StatusCode::BAD_REQUEST, errors))?;
    state
        .app
        .preview_schema_sync(&ctx.caller, id, &request)
        .await
        .map_err(|err| FormErrors::from_app(err, INPUTS))
}

async fn preview(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, pairs): Post<Vec<(String, String)>>,
) -> Response {
    let form = SyncForm::from_pairs(pairs);
    match try_preview(&state, &ctx, &id, &form).await {
        Ok(p) => {
            let preview = Some(preview_box(&p));
            page(
                &state,
                &ctx,
                &id,
                form,
                FormErrors::none(),
                preview,
                StatusCode::OK,
            )
            .await
        }
        Err((status, errors)) => page(&state, &ctx, &id, form, errors, None, status).await,
    }
}

async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, pairs): Post<Vec<(String, String)>>,
) -> Response {
    let form = SyncForm::from_pairs(pairs);
    let request = match form.request() {
        Ok(r) => r,
        Err(errors) => {
            return page(
                &state,
                &ctx,
                &id,
                form,
                errors,
                None,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let allowed: Vec<&str> = form.allow_hazards.as_deref().into_iter().collect();
    let allow_hazards = match HazardAllowance::parse(&allowed) {
        Ok(a) => a,
        Err(err) => {
            let mut errors = FormErrors::none();
            errors.add("allow_hazards", err.to_string());
            return page(
                &state,
                &ctx,
                &id,
                form,
                errors,
                None,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    let filing = SchemaSyncFiling {
        request,
        title: optional(&form.title),
        description: form.description.clone(),
        allow_hazards,
    };
    match state.app.file_schema_sync(&ctx.caller, &id, &filing).await {
        Ok((issue, preview)) => redirect_notice(
            &state,
            &format!("/projects/{}/issues/{}", url_encode(&id), issue.number),
            &format!(
                "Issue #{} filed: a task for each of the {} database(s) that differ from the source. Its checks are running.",
                issue.number,
                preview.differing().count()
            ),
        ),
        Err(err @ AppError::PermissionDenied(_)) => error_page(&ctx, Section::Projects, err),
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, INPUTS);
            // Show the plans again beside the error (hazards to confirm).
            let preview = try_preview(&state, &ctx, &id, &form)
                .await
                .ok()
                .map(|p| preview_box(&p));
            page(&state, &ctx, &id, form, errors, preview, status).await
        }
    }
}
