//! Databases: the filtered list, and a database page's Overview tab (move
//! it to another project, edit its labels, sync its schema). The other tabs
//! live in `schema.rs`.

use super::forms::Opt;
use super::instances::engine_word;
use super::layout::{FormErrors, Layout, Section, error_page, when};
use super::session::{Ctx, Params, Post, redirect_notice, url_encode};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use sluice_app::Permission;
use sluice_app::permissions::allows;
use sluice_store::{
    Database, DatabaseFilter, Environment, Labels, PageRequest, Project, SyncState,
};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/databases", get(list))
        .route("/instances/{id}/databases/{name}", get(show).post(update))
}

pub struct DbRow {
    pub instance: String,
    pub name: String,
    pub href: String,
    pub project: String,
    pub project_title: String,
    pub environment: String,
    pub environment_title: String,
    pub engine: &'static str,
    pub labels: Vec<String>,
    pub sync_ok: bool,
    pub synced: String,
}

pub fn db_rows(dbs: &[Database], envs: &[Environment], projects: &[Project]) -> Vec<DbRow> {
    dbs.iter()
        .map(|d| DbRow {
            instance: d.instance_id.clone(),
            name: d.name.clone(),
            href: format!(
                "/instances/{}/databases/{}",
                d.instance_id,
                url_encode(&d.name)
            ),
            project: d.project_id.clone(),
            project_title: projects
                .iter()
                .find(|p| p.id == d.project_id)
                .map(|p| p.title.clone())
                .unwrap_or_else(|| d.project_id.clone()),
            environment: d.environment_id.clone(),
            environment_title: envs
                .iter()
                .find(|e| e.id == d.environment_id)
                .map(|e| e.title.clone())
                .unwrap_or_else(|| d.environment_id.clone()),
            engine: engine_word(d.engine),
            labels: d.labels.0.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            sync_ok: d.sync_state == SyncState::Ok,
            synced: d.synced_at.map(when).unwrap_or_default(),
        })
        .collect()
}

const PAGE: i64 = 100;

#[derive(Template)]
#[template(path = "databases.html")]
struct ListPage {
    l: Layout,
    databases: Vec<DbRow>,
    environments: Vec<Opt>,
    projects: Vec<Opt>,
    instances: Vec<Opt>,
    filtered: bool,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    environment: String,
    project: String,
    instance: String,
    offset: String,
}

fn with_all(mut options: Vec<Opt>, selected: &str) -> Vec<Opt> {
    options.insert(
        0,
        Opt {
            value: String::new(),
            label: "All".into(),
            selected: selected.is_empty(),
        },
    );
    options
}

async fn list(State(state): State<AppState>, ctx: Ctx, Params(q): Params<ListQuery>) -> Response {
    let offset = q.offset.parse::<i64>().unwrap_or(0).max(0);
    let pick = |v: &str| (!v.is_empty()).then(|| v.to_string());
    let filter = DatabaseFilter {
        instance_id: pick(&q.instance),
        project_id: pick(&q.project),
        environment_id: pick(&q.environment),
        member: None,
    };
    let (dbs, envs, projects, instances) = match tokio::try_join!(
        state.app.list_databases(
            &ctx.caller,
            filter,
            PageRequest {
                offset,
                limit: PAGE
            }
        ),
        state.app.list_environments(&ctx.caller, true),
        state.app.list_projects(&ctx.caller, true),
        state.app.list_instances(&ctx.caller, false),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(&ctx, Section::Databases, err),
    };
    let next = dbs.next_offset.map(|n| {
        format!(
            "/databases?environment={}&project={}&instance={}&offset={n}",
            url_encode(&q.environment),
            url_encode(&q.project),
            url_encode(&q.instance)
        )
    });
    let page = ListPage {
        l: ctx.layout(Section::Databases, "Databases"),
        databases: db_rows(&dbs.items, &envs, &projects),
        environments: with_all(
            Opt::list(
                envs.iter()
                    .filter(|e| !e.archived)
                    .map(|e| (e.id.as_str(), e.title.as_str())),
                &q.environment,
            ),
            &q.environment,
        ),
        projects: with_all(
            Opt::list(
                projects.iter().map(|p| (p.id.as_str(), p.title.as_str())),
                &q.project,
            ),
            &q.project,
        ),
        instances: with_all(
            Opt::list(
                instances.iter().map(|i| (i.id.as_str(), i.title.as_str())),
                &q.instance,
            ),
            &q.instance,
        ),
        filtered: filter_given(&q),
        next,
    };
    ctx.ok(&page)
}

fn filter_given(q: &ListQuery) -> bool {
    !(q.environment.is_empty() && q.project.is_empty() && q.instance.is_empty())
}

#[derive(Template)]
#[template(path = "database.html")]
struct ShowPage {
    l: Layout,
    d: DbRow,
    action: String,
    projects: Vec<Opt>,
    labels: String,
    errors: FormErrors,
    can_update: bool,
    t: super::schema::DbTabs,
    can_sync: bool,
    /// When the schema was last synced, and what it holds (empty: never).
    schema_synced: String,
    schema_summary: String,
    /// The error of the last schema sync, kept until one succeeds.
    sync_error: String,
    /// A sync that failed just now.
    alert: Option<String>,
    /// The create-issue form with this database ticked, when allowed.
    new_issue: Option<String>,
    /// Drift: the banner when drifted, and the database's timeline.
    drift: super::drift::DriftBadge,
    timeline: Vec<super::drift::EventRow>,
    /// The schema sync page with this database as the source, when allowed.
    sync_to: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DbForm {
    project: String,
    labels: String,
}

pub(super) async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    instance: &str,
    name: &str,
    edit: Option<(DbForm, FormErrors)>,
    status: StatusCode,
    alert: Option<String>,
) -> Response {
    let db = match state.app.database(&ctx.caller, instance, name).await {
        Ok(db) => db,
        Err(err) => return error_page(ctx, Section::Databases, err),
    };
    let (envs, projects, role, schema, (drift, timeline)) = match tokio::try_join!(
        state.app.list_environments(&ctx.caller, true),
        state.app.list_projects(&ctx.caller, true),
        state.app.project_role(&ctx.caller, &db.project_id),
        async {
            match state.app.database_schema(&ctx.caller, instance, name).await {
                Ok(schema) => Ok(Some(schema)),
                Err(sluice_app::AppError::NotFound(_)) => Ok(None),
                Err(err) => Err(err),
            }
        },
        super::drift::overview(state, ctx, instance, name),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(ctx, Section::Databases, err),
    };
    let can_update = allows(&ctx.caller, Permission::DatabasesUpdate, role);
    let can_sync = allows(&ctx.caller, Permission::DatabasesSync, role);
    let (form, errors) = edit.unwrap_or_else(|| {
        let labels = db
            .labels
            .0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n");
        (
            DbForm {
                project: db.project_id.clone(),
                labels,
            },
            FormErrors::none(),
        )
    });
    let row = db_rows(std::slice::from_ref(&db), &envs, &projects).remove(0);
    let choices = projects
        .iter()
        .filter(|p| !p.archived || p.id == db.project_id)
        .map(|p| (p.id.as_str(), p.title.as_str()));
    let page = ShowPage {
        l: ctx
            .layout(Section::Databases, db.name.clone())
            .crumb("Instances", "/instances")
            .crumb(
                db.instance_id.clone(),
                format!("/instances/{}", db.instance_id),
            ),
        action: row.href.clone(),
        d: row,
        projects: Opt::list(choices, &form.project),
        labels: form.labels,
        errors,
        can_update,
        t: super::schema::DbTabs::new(&db, "overview"),
        can_sync,
        schema_synced: schema
            .as_ref()
            .map(|s| when(s.synced_at))
            .unwrap_or_default(),
        schema_summary: schema
            .as_ref()
            .map(|s| super::schema::summary(&s.catalog))
            .unwrap_or_default(),
        sync_error: db.sync_error.clone(),
        alert,
        new_issue: allows(&ctx.caller, Permission::IssuesCreate, role)
            .then(|| super::issues::new_issue_href(&db.project_id, &db.instance_id, &db.name)),
        drift,
        timeline,
        sync_to: allows(&ctx.caller, Permission::IssuesCreate, role)
            .then(|| super::schema_sync::sync_from_href(&db.project_id, &db.instance_id, &db.name)),
    };
    ctx.render(status, &page)
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((instance, name)): Path<(String, String)>,
) -> Response {
    show_page(&state, &ctx, &instance, &name, None, StatusCode::OK, None).await
}

/// `key=value` lines; blank lines are skipped.
fn parse_labels(text: &str, errors: &mut FormErrors) -> Labels {
    let mut labels = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match line.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                labels.insert(k.trim().to_string(), v.trim().to_string());
            }
            _ => errors.add(
                "labels",
                format!("Line {}: write each label as key=value", n + 1),
            ),
        }
    }
    Labels(labels)
}

async fn update(
    State(state): State<AppState>,
    Path((instance, name)): Path<(String, String)>,
    Post(ctx, form): Post<DbForm>,
) -> Response {
    let mut errors = FormErrors::none();
    let labels = parse_labels(&form.labels, &mut errors);
    if !errors.is_empty() {
        return show_page(
            &state,
            &ctx,
            &instance,
            &name,
            Some((form, errors)),
            StatusCode::BAD_REQUEST,
            None,
        )
        .await;
    }
    let current = match state.app.database(&ctx.caller, &instance, &name).await {
        Ok(db) => db,
        Err(err) => return error_page(&ctx, Section::Databases, err),
    };
    let project = form.project.trim();
    let project = (!project.is_empty() && project != current.project_id).then_some(project);
    match state
        .app
        .update_database(&ctx.caller, &instance, &name, project, Some(labels))
        .await
    {
        Ok(db) => {
            let href = format!(
                "/instances/{}/databases/{}",
                db.instance_id,
                url_encode(&db.name)
            );
            redirect_notice(&state, &href, "Database saved.")
        }
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &["project", "labels"]);
            show_page(
                &state,
                &ctx,
                &instance,
                &name,
                Some((form, errors)),
                status,
                None,
            )
            .await
        }
    }
}
