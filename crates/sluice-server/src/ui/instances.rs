//! Instances: list, add, view, edit, archive and restore. Passwords are
//! write-only: no page ever carries one, not even back into its form.

use super::databases::{DbRow, db_rows};
use super::forms::{Opt, checked, choice, number, optional};
use super::layout::{FormErrors, Layout, Section, error_page, when};
use super::session::{Ctx, Params, Post, redirect_notice};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use sluice_app::{
    AppError, ConnectionVerdict, DataSourceInput, InstanceInput, InstancePatch, Permission,
};
use sluice_store::{
    DataSourceKind, DatabaseFilter, Engine, Environment, Instance, PageRequest, TlsMode,
};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/instances", get(list).post(create))
        .route("/instances/new", get(new))
        .route("/instances/{id}", get(show))
        .route("/instances/{id}/edit", get(edit).post(update))
        .route("/instances/{id}/archive", post(archive))
        .route("/instances/{id}/restore", post(restore))
        .route("/instances/{id}/test", post(test))
        .route("/instances/{id}/sync", post(sync))
}

#[derive(Clone)]
pub struct InstanceRow {
    pub id: String,
    pub title: String,
    pub engine: &'static str,
    pub version: String,
    pub environment: String,
    pub environment_title: String,
    pub address: String,
    pub databases: Option<usize>,
    pub archived: bool,
}

pub fn engine_word(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "PostgreSQL",
        Engine::Mysql => "MySQL",
        Engine::Mariadb => "MariaDB",
        Engine::Sqlite => "SQLite",
    }
}

fn address(i: &Instance) -> String {
    match i.data_source(DataSourceKind::Admin) {
        Some(ds) if i.engine == Engine::Sqlite => ds.database_name.clone(),
        Some(ds) => format!("{}:{}", ds.host, ds.port),
        None => String::new(),
    }
}

pub fn instance_rows(instances: &[Instance], envs: &[Environment]) -> Vec<InstanceRow> {
    instances
        .iter()
        .map(|i| InstanceRow {
            id: i.id.clone(),
            title: i.title.clone(),
            engine: engine_word(i.engine),
            version: i.engine_version.clone(),
            environment: i.environment_id.clone(),
            environment_title: envs
                .iter()
                .find(|e| e.id == i.environment_id)
                .map(|e| e.title.clone())
                .unwrap_or_else(|| i.environment_id.clone()),
            address: address(i),
            databases: None,
            archived: i.archived,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "instances.html")]
struct ListPage {
    l: Layout,
    instances: Vec<InstanceRow>,
    show_archived: bool,
    can_create: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    show_archived: String,
    environment: String,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Params(q): Params<ListQuery>) -> Response {
    let show_archived = !q.show_archived.is_empty() && q.show_archived != "false";
    let filter = DatabaseFilter::default();
    let (instances, envs, dbs) = match tokio::try_join!(
        state.app.list_instances(&ctx.caller, show_archived),
        state.app.list_environments(&ctx.caller, true),
        state
            .app
            .list_databases(&ctx.caller, filter, PageRequest::ALL),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(&ctx, Section::Instances, err),
    };
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for db in &dbs.items {
        *counts.entry(db.instance_id.as_str()).or_default() += 1;
    }
    // In environment order, then by title.
    let mut instances: Vec<&Instance> = instances
        .iter()
        .filter(|i| q.environment.is_empty() || i.environment_id == q.environment)
        .collect();
    let position = |env: &str| {
        envs.iter()
            .find(|e| e.id == env)
            .map(|e| (e.archived, e.position))
            .unwrap_or((true, i64::MAX))
    };
    instances.sort_by(|a, b| {
        position(&a.environment_id)
            .cmp(&position(&b.environment_id))
            .then(a.title.cmp(&b.title))
    });
    let owned: Vec<Instance> = instances.into_iter().cloned().collect();
    let mut rows = instance_rows(&owned, &envs);
    for row in &mut rows {
        row.databases = Some(counts.get(row.id.as_str()).copied().unwrap_or(0));
    }
    let can_create = ctx.can(Permission::InstancesCreate);
    let mut l = ctx.layout(Section::Instances, "Instances");
    if can_create {
        l = l.action("Add instance", "/instances/new");
    }
    ctx.ok(&ListPage {
        l,
        instances: rows,
        show_archived,
        can_create,
    })
}

/// The instance form as typed: text throughout, so nothing fails to parse.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InstanceForm {
    id: String,
    title: String,
    engine: String,
    environment: String,
    host: String,
    port: String,
    username: String,
    /// Write-only: never rendered back.
    password: String,
    clear_password: Option<String>,
    database: String,
    tls_mode: String,
    read_only: Option<String>,
    ro_host: String,
    ro_port: String,
    ro_username: String,
    /// Write-only: never rendered back.
    ro_password: String,
    ro_database: String,
    /// `test` when "Test connection" was pressed instead of "Add instance".
    intent: String,
    /// Background sync interval, edited in minutes.
    sync_minutes: String,
}

const INPUTS: &[&str] = &[
    "id",
    "title",
    "engine",
    "environment",
    "host",
    "port",
    "username",
    "password",
    "database",
    "tls_mode",
    "ro_host",
    "ro_port",
    "ro_username",
    "ro_password",
    "ro_database",
    "sync_minutes",
];

#[derive(Template)]
#[template(path = "instance_form.html")]
struct FormPage {
    l: Layout,
    /// `None` when adding; the instance's id when editing.
    editing: Option<String>,
    form: InstanceForm,
    engines: Vec<Opt>,
    environments: Vec<Opt>,
    tls_modes: Vec<Opt>,
    has_password: bool,
    ro_has_password: bool,
    errors: FormErrors,
    /// The outcome of "Test connection", when that was pressed.
    verdict: Option<Verdict>,
}

/// A connection test's outcome, as shown on a page.
pub struct Verdict {
    pub ok: bool,
    pub message: String,
}

impl From<ConnectionVerdict> for Verdict {
    fn from(v: ConnectionVerdict) -> Verdict {
        let message = match (v.ok, v.kind) {
            (true, _) => v.message,
            (false, Some(kind)) => format!("{} — {}", kind_words(kind), v.message),
            (false, None) => v.message,
        };
        Verdict { ok: v.ok, message }
    }
}

/// The failure kinds in words a DBA can act on.
fn kind_words(kind: sluice_engine::ErrorKind) -> &'static str {
    use sluice_engine::ErrorKind::*;
    match kind {
        Unreachable => "Cannot reach the server (check host, port and firewall)",
        Tls => "TLS failed (check the TLS mode and the server's certificate)",
        AuthenticationFailed => "Authentication failed (check user name and password)",
        DatabaseMissing => "The database does not exist",
        PermissionDenied => "Permission denied for this user",
        UnsupportedVersion => "Unsupported server version",
        StatementTimeout | LockTimeout => "The server is too slow to answer",
        InvalidInput => "The settings are not valid",
        Query | ConnectionLost | Other => "Connection failed",
    }
}

impl FormPage {
    fn read_only_on(&self) -> bool {
        checked(&self.form.read_only)
    }
}

fn tls_options(selected: &str) -> Vec<Opt> {
    let selected = if selected.is_empty() {
        "PREFER"
    } else {
        selected
    };
    Opt::list(
        [
            ("PREFER", "Prefer TLS"),
            ("REQUIRE", "Require TLS"),
            ("DISABLE", "No TLS"),
        ],
        selected,
    )
}

async fn form_page(
    state: &AppState,
    ctx: &Ctx,
    editing: Option<&Instance>,
    form: InstanceForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    form_page_with(state, ctx, editing, form, errors, status, None).await
}

async fn form_page_with(
    state: &AppState,
    ctx: &Ctx,
    editing: Option<&Instance>,
    form: InstanceForm,
    errors: FormErrors,
    status: StatusCode,
    verdict: Option<Verdict>,
) -> Response {
    let envs = match state.app.list_environments(&ctx.caller, false).await {
        Ok(envs) => envs,
        Err(err) => return error_page(ctx, Section::Instances, err),
    };
    let environments = Opt::list(
        envs.iter().map(|e| (e.id.as_str(), e.title.as_str())),
        &form.environment,
    );
    let engines = Opt::list(
        Engine::ALL.iter().map(|e| (e.as_str(), engine_word(*e))),
        &form.engine,
    );
    let l = match editing {
        None => ctx
            .layout(Section::Instances, "Add instance")
            .crumb("Instances", "/instances"),
        Some(i) => ctx
            .layout(Section::Instances, format!("Edit {}", i.title))
            .crumb("Instances", "/instances")
            .crumb(i.title.clone(), format!("/instances/{}", i.id)),
    };
    let has = |kind| {
        editing
            .and_then(|i| i.data_source(kind))
            .is_some_and(|ds| !ds.password_sealed.is_empty())
    };
    let page = FormPage {
        l,
        editing: editing.map(|i| i.id.clone()),
        tls_modes: tls_options(&form.tls_mode),
        form,
        engines,
        environments,
        has_password: has(DataSourceKind::Admin),
        ro_has_password: has(DataSourceKind::ReadOnly),
        errors,
        verdict,
    };
    ctx.render(status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    environment: String,
}

async fn new(State(state): State<AppState>, ctx: Ctx, Params(q): Params<NewQuery>) -> Response {
    if !ctx.can(Permission::InstancesCreate) {
        return error_page(
            &ctx,
            Section::Instances,
            AppError::PermissionDenied("you do not have permission instances.create".into()),
        );
    }
    let form = InstanceForm {
        engine: "POSTGRES".into(),
        environment: q.environment,
        ..Default::default()
    };
    form_page(&state, &ctx, None, form, FormErrors::none(), StatusCode::OK).await
}

fn data_source(
    form: &InstanceForm,
    read_only: bool,
    editing: bool,
    errors: &mut FormErrors,
) -> DataSourceInput {
    let (host, port, username, password, database, port_field) = if read_only {
        (
            &form.ro_host,
            &form.ro_port,
            &form.ro_username,
            &form.ro_password,
            &form.ro_database,
            "ro_port",
        )
    } else {
        (
            &form.host,
            &form.port,
            &form.username,
            &form.password,
            &form.database,
            "port",
        )
    };
    let tls_mode = if read_only {
        None
    } else {
        choice(
            "tls_mode",
            if form.tls_mode.is_empty() {
                "PREFER"
            } else {
                &form.tls_mode
            },
            TlsMode::parse,
            TlsMode::ALL,
            TlsMode::as_str,
            errors,
        )
    };
    // When editing, an emptied text field means "clear it"; when adding,
    // it means "use the default".
    let text = |v: &String| {
        if editing {
            Some(v.trim().to_string())
        } else {
            optional(v)
        }
    };
    DataSourceInput {
        host: text(host),
        port: number(port_field, port, errors),
        username: text(username),
        password: if password.is_empty() {
            None
        } else {
            Some(password.clone())
        },
        database: text(database),
        tls_mode,
    }
}

async fn create(State(state): State<AppState>, Post(ctx, form): Post<InstanceForm>) -> Response {
    let mut errors = FormErrors::none();
    let engine = choice(
        "engine",
        &form.engine,
        Engine::parse,
        Engine::ALL,
        Engine::as_str,
        &mut errors,
    );
    let admin = data_source(&form, false, false, &mut errors);
    let read_only = checked(&form.read_only).then(|| data_source(&form, true, false, &mut errors));
    if !errors.is_empty() {
        return form_page(&state, &ctx, None, form, errors, StatusCode::BAD_REQUEST).await;
    }
    let Some(engine) = engine else {
        unreachable!("engine errors were returned above")
    };
    let input = InstanceInput {
        id: form.id.trim().to_string(),
        title: form.title.clone(),
        engine,
        environment: form.environment.trim().to_string(),
        admin,
        read_only,
    };
    if form.intent == "test" {
        return match state.app.test_connection(&ctx.caller, &input).await {
            Ok(verdict) => {
                let status = StatusCode::OK;
                form_page_with(
                    &state,
                    &ctx,
                    None,
                    form,
                    errors,
                    status,
                    Some(verdict.into()),
                )
                .await
            }
            Err(err) => {
                let (status, errors) = FormErrors::from_app(err, INPUTS);
                form_page(&state, &ctx, None, form, errors, status).await
            }
        };
    }
    match state.app.create_instance(&ctx.caller, input).await {
        Ok(i) => redirect_notice(
            &state,
            &format!("/instances/{}", i.id),
            &format!("Instance {} added.", i.title),
        ),
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, INPUTS);
            form_page(&state, &ctx, None, form, errors, status).await
        }
    }
}

pub struct SourceRow {
    pub kind: &'static str,
    pub host: String,
    pub port: String,
    pub username: String,
    pub database: String,
    pub tls_mode: &'static str,
    pub has_password: bool,
}

#[derive(Template)]
#[template(path = "instance.html")]
struct ShowPage {
    l: Layout,
    i: InstanceRow,
    created: String,
    updated: String,
    sources: Vec<SourceRow>,
    databases: Vec<DbRow>,
    can_delete: bool,
    can_sync: bool,
    can_create_database: bool,
    synced: String,
    sync_error: String,
    verdict: Option<Verdict>,
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    show_page(&state, &ctx, &id, None).await
}

/// Test the connection and show the verdict on the instance page.
async fn test(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.test_instance(&ctx.caller, &id).await {
        Ok(verdict) => show_page(&state, &ctx, &id, Some(verdict.into())).await,
        Err(err) => error_page(&ctx, Section::Instances, err),
    }
}

/// Discover the instance's databases now.
async fn sync(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.sync_instance(&ctx.caller, &id).await {
        Ok(report) => {
            let mut notice = format!("Synced: {} database(s)", report.databases.len());
            if !report.added.is_empty() {
                notice.push_str(&format!(", new: {}", report.added.join(", ")));
            }
            if !report.missing.is_empty() {
                notice.push_str(&format!(", gone: {}", report.missing.join(", ")));
            }
            redirect_notice(&state, &format!("/instances/{id}"), &format!("{notice}."))
        }
        Err(AppError::Upstream(message)) => {
            let verdict = Verdict { ok: false, message };
            show_page(&state, &ctx, &id, Some(verdict)).await
        }
        Err(err) => error_page(&ctx, Section::Instances, err),
    }
}

async fn show_page(state: &AppState, ctx: &Ctx, id: &str, verdict: Option<Verdict>) -> Response {
    let id = id.to_string();
    let instance = match state.app.instance(&ctx.caller, &id).await {
        Ok(i) => i,
        Err(err) => return error_page(ctx, Section::Instances, err),
    };
    let filter = DatabaseFilter {
        instance_id: Some(id.clone()),
        ..Default::default()
    };
    let (envs, dbs, projects) = match tokio::try_join!(
        state.app.list_environments(&ctx.caller, true),
        state
            .app
            .list_databases(&ctx.caller, filter, PageRequest::ALL),
        state.app.list_projects(&ctx.caller, true),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(ctx, Section::Instances, err),
    };
    let mut row = instance_rows(std::slice::from_ref(&instance), &envs).remove(0);
    row.databases = Some(dbs.items.len());
    let sources = instance
        .data_sources
        .iter()
        .map(|ds| SourceRow {
            kind: match ds.kind {
                DataSourceKind::Admin => "Admin",
                DataSourceKind::ReadOnly => "Read-only",
            },
            host: ds.host.clone(),
            port: if ds.port == 0 {
                String::new()
            } else {
                ds.port.to_string()
            },
            username: ds.username.clone(),
            database: ds.database_name.clone(),
            tls_mode: ds.tls_mode.as_str(),
            has_password: !ds.password_sealed.is_empty(),
        })
        .collect();
    let can_update = ctx.can(Permission::InstancesUpdate);
    let mut l = ctx
        .layout(Section::Instances, instance.title.clone())
        .crumb("Instances", "/instances");
    if can_update && !instance.archived {
        l = l.action("Edit", format!("/instances/{}/edit", instance.id));
    }
    let page = ShowPage {
        l,
        i: row,
        created: when(instance.created_at),
        updated: when(instance.updated_at),
        sources,
        databases: db_rows(&dbs.items, &envs, &projects),
        can_delete: ctx.can(Permission::InstancesDelete),
        can_sync: ctx.can(Permission::InstancesSync) && !instance.archived,
        can_create_database: ctx.can(Permission::DatabasesCreate) && !instance.archived,
        synced: instance.synced_at.map(when).unwrap_or_default(),
        sync_error: instance.sync_error.clone(),
        verdict,
    };
    ctx.ok(&page)
}

/// The edit form filled from the stored instance (passwords left out).
fn form_of(i: &Instance) -> InstanceForm {
    let admin = i.data_source(DataSourceKind::Admin);
    let ro = i.data_source(DataSourceKind::ReadOnly);
    let port = |p: i64| if p == 0 { String::new() } else { p.to_string() };
    InstanceForm {
        id: i.id.clone(),
        title: i.title.clone(),
        engine: i.engine.as_str().into(),
        environment: i.environment_id.clone(),
        host: admin.map(|d| d.host.clone()).unwrap_or_default(),
        port: admin.map(|d| port(d.port)).unwrap_or_default(),
        username: admin.map(|d| d.username.clone()).unwrap_or_default(),
        password: String::new(),
        clear_password: None,
        database: admin.map(|d| d.database_name.clone()).unwrap_or_default(),
        tls_mode: admin
            .map(|d| d.tls_mode.as_str().to_string())
            .unwrap_or_default(),
        read_only: ro.map(|_| "on".to_string()),
        ro_host: ro.map(|d| d.host.clone()).unwrap_or_default(),
        ro_port: ro.map(|d| port(d.port)).unwrap_or_default(),
        ro_username: ro.map(|d| d.username.clone()).unwrap_or_default(),
        ro_password: String::new(),
        ro_database: ro.map(|d| d.database_name.clone()).unwrap_or_default(),
        intent: String::new(),
        sync_minutes: (i.sync_interval_secs / 60).to_string(),
    }
}

async fn edit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let instance = match state.app.instance(&ctx.caller, &id).await {
        Ok(i) => i,
        Err(err) => return error_page(&ctx, Section::Instances, err),
    };
    if !ctx.can(Permission::InstancesUpdate) {
        return error_page(
            &ctx,
            Section::Instances,
            AppError::PermissionDenied("you do not have permission instances.update".into()),
        );
    }
    form_page(
        &state,
        &ctx,
        Some(&instance),
        form_of(&instance),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, mut form): Post<InstanceForm>,
) -> Response {
    let instance = match state.app.instance(&ctx.caller, &id).await {
        Ok(i) => i,
        Err(err) => return error_page(&ctx, Section::Instances, err),
    };
    form.id = instance.id.clone();
    form.engine = instance.engine.as_str().into();
    let mut errors = FormErrors::none();
    let mut admin = data_source(&form, false, true, &mut errors);
    if checked(&form.clear_password) && admin.password.is_none() {
        admin.password = Some(String::new());
    }
    if instance.engine == Engine::Sqlite {
        admin.host = None;
        admin.port = None;
    }
    let had_read_only = instance.data_source(DataSourceKind::ReadOnly).is_some();
    let read_only = match (checked(&form.read_only), had_read_only) {
        (true, _) => Some(Some(data_source(&form, true, had_read_only, &mut errors))),
        (false, true) => Some(None),
        (false, false) => None,
    };
    if !errors.is_empty() {
        return form_page(
            &state,
            &ctx,
            Some(&instance),
            form,
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let sync_minutes: Option<i64> = number("sync_minutes", &form.sync_minutes, &mut errors);
    if !errors.is_empty() {
        return form_page(
            &state,
            &ctx,
            Some(&instance),
            form,
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let patch = InstancePatch {
        sync_interval_secs: sync_minutes.map(|m| m.saturating_mul(60)),
        title: Some(form.title.clone()),
        environment: optional(&form.environment),
        admin,
        read_only,
    };
    match state.app.update_instance(&ctx.caller, &id, patch).await {
        Ok(i) => redirect_notice(&state, &format!("/instances/{}", i.id), "Instance saved."),
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, INPUTS);
            form_page(&state, &ctx, Some(&instance), form, errors, status).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct NoFields {}

async fn archive(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.archive_instance(&ctx.caller, &id, true).await {
        Ok(i) => redirect_notice(
            &state,
            "/instances",
            &format!("Instance {} archived.", i.title),
        ),
        Err(err) => error_page(&ctx, Section::Instances, err),
    }
}

async fn restore(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.archive_instance(&ctx.caller, &id, false).await {
        Ok(i) => redirect_notice(
            &state,
            &format!("/instances/{}", i.id),
            &format!("Instance {} restored.", i.title),
        ),
        Err(err) => error_page(&ctx, Section::Instances, err),
    }
}
