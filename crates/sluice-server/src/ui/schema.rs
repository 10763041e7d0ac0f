//! A database's schema in the UI: the Schema, Diagram and DDL tabs of the
//! database page, "Sync schema", the DDL as a text file, and the "Create
//! database" form of an instance.
//!
//! Every tab reads the one model kept at the last sync (a single JSON
//! document in the store), never the target database, so the pages stay
//! fast however big the schema. The browser and the diagram show at most a
//! few hundred tables at once and take a `?q=` name filter for the rest.

mod browser;

use super::diagram;
use super::layout::{FormErrors, Layout, Section, error_page, when};
use super::session::{Ctx, Params, Post, redirect_notice};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use browser::{Browser, browser_view};
use serde::Deserialize;
use sluice_app::permissions::allows;
use sluice_app::{AppError, DatabaseSchema, Permission};
use sluice_schema::{Catalog, Schema};
use sluice_store::{Database, Engine};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/instances/{id}/databases", get(create_page).post(create))
        .route("/instances/{id}/databases/{name}/sync", post(sync))
        .route("/instances/{id}/databases/{name}/schema", get(browser))
        .route(
            "/instances/{id}/databases/{name}/diagram",
            get(diagram_page),
        )
        .route(
            "/instances/{id}/databases/{name}/diagram.svg",
            get(diagram_svg),
        )
        .route("/instances/{id}/databases/{name}/ddl", get(ddl_page))
        .route("/instances/{id}/databases/{name}/schema.sql", get(ddl_text))
}

/// Tables listed at once in the browser; a filter finds the others.
const MAX_BROWSER_TABLES: usize = 300;

/// A path segment with everything but unreserved characters
/// percent-encoded (a space is `%20`, not `+`).
pub fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An HTML id for any name: letters, digits and `_` stay, every other
/// byte becomes `.` and two hex digits, so distinct names never share one.
fn id_part(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!(".{b:02x}"));
        }
    }
    out
}

fn anchor(kind: &str, schema: &str, name: &str) -> String {
    format!("{kind}-{}-{}", id_part(schema), id_part(name))
}

/// The anchor of a table in the Schema tab (also linked from the diagram).
pub fn table_anchor(schema: &str, table: &str) -> String {
    anchor("t", schema, table)
}

/// The tabs of the database page.
pub struct DbTabs {
    /// `/instances/{id}/databases/{name}`.
    pub base: String,
    /// overview, schema, diagram or ddl.
    pub current: &'static str,
    pub instance: String,
    pub engine: &'static str,
}

impl DbTabs {
    pub fn new(db: &Database, current: &'static str) -> DbTabs {
        DbTabs {
            base: database_href(&db.instance_id, &db.name),
            current,
            instance: db.instance_id.clone(),
            engine: super::instances::engine_word(db.engine),
        }
    }
}

pub fn database_href(instance: &str, name: &str) -> String {
    format!(
        "/instances/{}/databases/{}",
        path_segment(instance),
        path_segment(name)
    )
}

/// What every tab needs: the frame, the database, whether the viewer may
/// sync it, and its last synced schema (`None` when never synced).
struct Frame {
    l: Layout,
    t: DbTabs,
    can_sync: bool,
    schema: Option<DatabaseSchema>,
}

async fn frame(
    state: &AppState,
    ctx: &Ctx,
    instance: &str,
    name: &str,
    tab: &'static str,
) -> Result<Frame, Response> {
    let db = state
        .app
        .database(&ctx.caller, instance, name)
        .await
        .map_err(|err| error_page(ctx, Section::Databases, err))?;
    let (role, schema) = tokio::join!(
        state.app.project_role(&ctx.caller, &db.project_id),
        state.app.database_schema(&ctx.caller, instance, name),
    );
    let role = role.map_err(|err| error_page(ctx, Section::Databases, err))?;
    let schema = match schema {
        Ok(schema) => Some(schema),
        Err(AppError::NotFound(_)) => None,
        Err(err) => return Err(error_page(ctx, Section::Databases, err)),
    };
    let title = match tab {
        "schema" => "Schema",
        "diagram" => "Diagram",
        _ => "DDL",
    };
    let t = DbTabs::new(&db, tab);
    let l = ctx
        .layout(Section::Databases, format!("{} · {title}", db.name))
        .crumb("Instances", "/instances")
        .crumb(
            db.instance_id.clone(),
            format!("/instances/{}", path_segment(&db.instance_id)),
        )
        .crumb(db.name.clone(), t.base.clone());
    Ok(Frame {
        l,
        t,
        can_sync: allows(&ctx.caller, Permission::DatabasesSync, role),
        schema,
    })
}

/// "12 tables, 2 views, 1 function": what a synced schema holds.
pub fn summary(catalog: &Catalog) -> String {
    let count = |f: fn(&Schema) -> usize| catalog.schemas.iter().map(f).sum::<usize>();
    let parts = [
        (count(|s| s.tables.len()), "table", "tables"),
        (count(|s| s.views.len()), "view", "views"),
        (
            count(|s| s.materialized_views.len()),
            "materialized view",
            "materialized views",
        ),
        (count(|s| s.sequences.len()), "sequence", "sequences"),
        (count(|s| s.enums.len()), "enum type", "enum types"),
        (
            count(|s| s.functions.len()),
            "function or procedure",
            "functions and procedures",
        ),
        (count(|s| s.triggers.len()), "trigger", "triggers"),
    ];
    let words: Vec<String> = parts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
    if words.is_empty() {
        "no tables yet".into()
    } else {
        words.join(", ")
    }
}

// ---------------------------------------------------------------------------
// Sync schema

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SyncForm {
    /// The tab to return to: schema, diagram, ddl, or empty for overview.
    back: String,
}

async fn sync(
    State(state): State<AppState>,
    Path((instance, name)): Path<(String, String)>,
    Post(ctx, form): Post<SyncForm>,
) -> Response {
    match state.app.sync_database(&ctx.caller, &instance, &name).await {
        Ok(schema) => {
            let mut to = database_href(&instance, &name);
            if let back @ ("schema" | "diagram" | "ddl") = form.back.as_str() {
                to = format!("{to}/{back}");
            }
            let notice = format!("Schema synced: {}.", summary(&schema.catalog));
            redirect_notice(&state, &to, &notice)
        }
        Err(AppError::Upstream(message)) => {
            super::databases::show_page(
                &state,
                &ctx,
                &instance,
                &name,
                None,
                StatusCode::BAD_GATEWAY,
                Some(message),
            )
            .await
        }
        Err(err) => error_page(&ctx, Section::Databases, err),
    }
}

// ---------------------------------------------------------------------------
// The schema browser

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FilterQuery {
    q: String,
}

/// When the schema was synced, and what it holds.
pub struct Synced {
    pub when: String,
    pub summary: String,
    pub dialect: &'static str,
}

fn synced(schema: &DatabaseSchema) -> Synced {
    Synced {
        when: when(schema.synced_at),
        summary: summary(&schema.catalog),
        dialect: match schema.catalog.dialect {
            sluice_schema::Dialect::Postgres => "PostgreSQL",
            sluice_schema::Dialect::Mysql => "MySQL",
            sluice_schema::Dialect::Sqlite => "SQLite",
        },
    }
}

#[derive(Template)]
#[template(path = "database_schema.html")]
struct BrowserPage {
    l: Layout,
    t: DbTabs,
    can_sync: bool,
    synced: Option<Synced>,
    q: String,
    b: Option<Browser>,
}

async fn browser(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((instance, name)): Path<(String, String)>,
    Params(query): Params<FilterQuery>,
) -> Response {
    let f = match frame(&state, &ctx, &instance, &name, "schema").await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let page = BrowserPage {
        synced: f.schema.as_ref().map(synced),
        b: f.schema
            .as_ref()
            .map(|s| browser_view(&s.catalog, &query.q, MAX_BROWSER_TABLES)),
        l: f.l,
        t: f.t,
        can_sync: f.can_sync,
        q: query.q.trim().to_string(),
    };
    ctx.ok(&page)
}

// ---------------------------------------------------------------------------
// The diagram

#[derive(Template)]
#[template(path = "database_diagram.html")]
struct DiagramPage {
    l: Layout,
    t: DbTabs,
    can_sync: bool,
    synced: Option<Synced>,
    q: String,
    d: Option<diagram::Diagram>,
    svg_href: String,
}

async fn diagram_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((instance, name)): Path<(String, String)>,
    Params(query): Params<FilterQuery>,
) -> Response {
    let f = match frame(&state, &ctx, &instance, &name, "diagram").await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let q = query.q.trim().to_string();
    let svg_href = if q.is_empty() {
        format!("{}/diagram.svg", f.t.base)
    } else {
        format!("{}/diagram.svg?q={}", f.t.base, path_segment(&q))
    };
    let page = DiagramPage {
        synced: f.schema.as_ref().map(synced),
        d: f.schema
            .as_ref()
            .map(|s| diagram::render(&s.catalog, &q, &f.t.base)),
        l: f.l,
        t: f.t,
        can_sync: f.can_sync,
        q,
        svg_href,
    };
    ctx.ok(&page)
}

async fn diagram_svg(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((instance, name)): Path<(String, String)>,
    Params(query): Params<FilterQuery>,
) -> Response {
    let f = match frame(&state, &ctx, &instance, &name, "diagram").await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let Some(schema) = f.schema else {
        return error_page(
            &ctx,
            Section::Databases,
            AppError::NotFound(format!(
                "a synced schema of database {name} (sync it first)"
            )),
        );
    };
    let d = diagram::render(&schema.catalog, &query.q, &f.t.base);
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml; charset=utf-8"),
        )],
        d.svg,
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    ctx.finish(response)
}

// ---------------------------------------------------------------------------
// The DDL dump

#[derive(Template)]
#[template(path = "database_ddl.html")]
struct DdlPage {
    l: Layout,
    t: DbTabs,
    can_sync: bool,
    synced: Option<Synced>,
    lines: Vec<String>,
    file_name: String,
}

async fn ddl_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((instance, name)): Path<(String, String)>,
) -> Response {
    let f = match frame(&state, &ctx, &instance, &name, "ddl").await {
        Ok(f) => f,
        Err(response) => return response,
    };
    let page = DdlPage {
        synced: f.schema.as_ref().map(synced),
        lines: f
            .schema
            .as_ref()
            .map(|s| s.ddl.lines().map(str::to_string).collect())
            .unwrap_or_default(),
        file_name: format!("{name}.sql"),
        l: f.l,
        t: f.t,
        can_sync: f.can_sync,
    };
    ctx.ok(&page)
}

/// The DDL as a text file, for the browser session (the API's schema.sql
/// takes a bearer token, not the cookie).
async fn ddl_text(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((instance, name)): Path<(String, String)>,
) -> Response {
    match state
        .app
        .database_schema(&ctx.caller, &instance, &name)
        .await
    {
        Ok(schema) => {
            let mut response = (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                )],
                schema.ddl,
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response.headers_mut().insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            ctx.finish(response)
        }
        Err(err) => error_page(&ctx, Section::Databases, err),
    }
}

// ---------------------------------------------------------------------------
// Create database

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    name: String,
    owner: String,
    encoding: String,
    template: String,
    locale: String,
    charset: String,
    collation: String,
}

const CREATE_INPUTS: &[&str] = &[
    "name",
    "owner",
    "encoding",
    "template",
    "locale",
    "charset",
    "collation",
];

#[derive(Template)]
#[template(path = "database_new.html")]
struct CreatePage {
    l: Layout,
    instance: String,
    instance_title: String,
    engine: &'static str,
    /// postgres, mysql or sqlite: which options the form offers.
    family: &'static str,
    action: String,
    form: CreateForm,
    errors: FormErrors,
}

fn family(engine: Engine) -> &'static str {
    match engine {
        Engine::Postgres => "postgres",
        Engine::Mysql | Engine::Mariadb => "mysql",
        Engine::Sqlite => "sqlite",
    }
}

async fn render_create(
    state: &AppState,
    ctx: &Ctx,
    instance: &str,
    form: CreateForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    if !ctx.can(Permission::DatabasesCreate) {
        return error_page(
            ctx,
            Section::Instances,
            AppError::PermissionDenied(Permission::DatabasesCreate.name().into()),
        );
    }
    let inst = match state.app.instance(&ctx.caller, instance).await {
        Ok(i) => i,
        Err(err) => return error_page(ctx, Section::Instances, err),
    };
    let page = CreatePage {
        l: ctx
            .layout(Section::Instances, "Create database")
            .crumb("Instances", "/instances")
            .crumb(
                inst.title.clone(),
                format!("/instances/{}", path_segment(&inst.id)),
            ),
        action: format!("/instances/{}/databases", path_segment(&inst.id)),
        instance: inst.id.clone(),
        instance_title: inst.title.clone(),
        engine: super::instances::engine_word(inst.engine),
        family: family(inst.engine),
        form,
        errors,
    };
    ctx.render(status, &page)
}

async fn create_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(instance): Path<String>,
) -> Response {
    render_create(
        &state,
        &ctx,
        &instance,
        CreateForm::default(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

fn given(value: &str) -> Option<String> {
    super::forms::optional(value)
}

async fn create(
    State(state): State<AppState>,
    Path(instance): Path<String>,
    Post(ctx, form): Post<CreateForm>,
) -> Response {
    let mut errors = FormErrors::none();
    if form.name.trim().is_empty() {
        errors.add("name", "Give the new database a name");
    }
    let options = sluice_engine::CreateDatabaseOptions {
        owner: given(&form.owner),
        encoding: given(&form.encoding),
        template: given(&form.template),
        locale: given(&form.locale),
        charset: given(&form.charset),
        collation: given(&form.collation),
    };
    if !errors.is_empty() {
        return render_create(
            &state,
            &ctx,
            &instance,
            form,
            errors,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let name = form.name.trim().to_string();
    match state
        .app
        .create_database(&ctx.caller, &instance, &name, &options)
        .await
    {
        Ok(db) => redirect_notice(
            &state,
            &database_href(&db.instance_id, &db.name),
            &format!("Database {} created.", db.name),
        ),
        Err(err @ (AppError::PermissionDenied(_) | AppError::NotFound(_))) => {
            error_page(&ctx, Section::Instances, err)
        }
        Err(err) => {
            let (status, mut errors) = match err {
                // "already exists" is about the name the user typed.
                AppError::FailedPrecondition(m) if m.contains("already exists") => {
                    let mut errors = FormErrors::none();
                    errors.add("name", sentence(&m));
                    (StatusCode::CONFLICT, errors)
                }
                err => FormErrors::from_app(err, CREATE_INPUTS),
            };
            if errors
                .top
                .as_deref()
                .is_some_and(|t| t.starts_with("options: "))
            {
                errors.top = errors
                    .top
                    .map(|t| t.trim_start_matches("options: ").to_string());
            }
            render_create(&state, &ctx, &instance, form, errors, status).await
        }
    }
}

fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_distinct_and_safe() {
        assert_eq!(table_anchor("public", "orders"), "t-public-orders");
        assert_ne!(table_anchor("a-b", "c"), table_anchor("a", "b-c"));
        assert_eq!(table_anchor("main", "<b>&\"x"), "t-main-.3cb.3e.26.22x");
        assert_eq!(path_segment("a b/c"), "a%20b%2Fc");
    }
}
