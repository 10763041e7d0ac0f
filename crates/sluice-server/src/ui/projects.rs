//! Projects: the viewer's list, create, and a project's tabs (databases,
//! members, settings).

use super::databases::{DbRow, db_rows};
use super::forms::{Opt, checked, choice};
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
use sluice_app::permissions::allows;
use sluice_app::{AppError, Permission};
use sluice_store::{DatabaseFilter, PageRequest, Project, ProjectRole};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list).post(create))
        .route("/projects/new", get(new))
        .route("/projects/{id}", get(databases))
        .route("/projects/{id}/members", get(members).post(set_member))
        .route("/projects/{id}/members/remove", post(remove_member))
        .route("/projects/{id}/settings", get(settings).post(update))
        .route("/projects/{id}/archive", post(archive))
        .route("/projects/{id}/restore", post(restore))
}

pub struct ProjectRow {
    pub id: String,
    pub title: String,
    pub key: String,
    pub is_default: bool,
    pub archived: bool,
    pub created: String,
}

pub fn project_rows(projects: &[Project]) -> Vec<ProjectRow> {
    projects
        .iter()
        .map(|p| ProjectRow {
            id: p.id.clone(),
            title: p.title.clone(),
            key: p.key.clone(),
            is_default: p.is_default,
            archived: p.archived,
            created: when(p.created_at),
        })
        .collect()
}

fn role_word(role: ProjectRole) -> &'static str {
    match role {
        ProjectRole::Owner => "Owner",
        ProjectRole::Developer => "Developer",
    }
}

#[derive(Template)]
#[template(path = "projects.html")]
struct ListPage {
    l: Layout,
    projects: Vec<ProjectRow>,
    show_archived: bool,
    can_create: bool,
    sees_all: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    show_archived: String,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Params(q): Params<ListQuery>) -> Response {
    let show_archived = !q.show_archived.is_empty() && q.show_archived != "false";
    let projects = match state.app.list_projects(&ctx.caller, show_archived).await {
        Ok(p) => p,
        Err(err) => return error_page(&ctx, Section::Projects, err),
    };
    let can_create = ctx.can(Permission::ProjectsCreate);
    let mut l = ctx.layout(Section::Projects, "Projects");
    if can_create {
        l = l.action("New project", "/projects/new");
    }
    let page = ListPage {
        l,
        projects: project_rows(&projects),
        show_archived,
        can_create,
        sees_all: ctx.can(Permission::ProjectsGet),
    };
    ctx.ok(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProjectForm {
    id: String,
    title: String,
    key: String,
    /// Settings only: "creators may approve their own issues".
    allow_self_approval: Option<String>,
}

#[derive(Template)]
#[template(path = "project_new.html")]
struct NewPage {
    l: Layout,
    form: ProjectForm,
    errors: FormErrors,
}

fn new_layout(ctx: &Ctx) -> Layout {
    ctx.layout(Section::Projects, "New project")
        .crumb("Projects", "/projects")
}

async fn new(ctx: Ctx) -> Response {
    if !ctx.can(Permission::ProjectsCreate) {
        return error_page(
            &ctx,
            Section::Projects,
            AppError::PermissionDenied("you do not have permission projects.create".into()),
        );
    }
    ctx.ok(&NewPage {
        l: new_layout(&ctx),
        form: ProjectForm::default(),
        errors: FormErrors::none(),
    })
}

async fn create(State(state): State<AppState>, Post(ctx, form): Post<ProjectForm>) -> Response {
    match state
        .app
        .create_project(&ctx.caller, form.id.trim(), &form.title, &form.key)
        .await
    {
        Ok(p) => redirect_notice(
            &state,
            &format!("/projects/{}", p.id),
            &format!("Project {} created. You are its Owner.", p.title),
        ),
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &["id", "title", "key"]);
            ctx.render(
                status,
                &NewPage {
                    l: new_layout(&ctx),
                    form,
                    errors,
                },
            )
        }
    }
}

/// What every tab of a project shows and may do.
pub struct Head {
    pub id: String,
    pub title: String,
    pub key: String,
    pub is_default: bool,
    pub archived: bool,
    pub tab: &'static str,
    pub my_role: &'static str,
    pub can_manage: bool,
    pub can_members: bool,
    /// Whether an issue's creator may approve it.
    pub allow_self_approval: bool,
    /// Whether the viewer may file issues here (and so sync schemas).
    pub can_file: bool,
}

pub(super) async fn head(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    tab: &'static str,
) -> Result<(Head, Layout), Response> {
    let (project, role) = match tokio::try_join!(
        state.app.project(&ctx.caller, id),
        state.app.project_role(&ctx.caller, id)
    ) {
        Ok(v) => v,
        Err(err) => return Err(error_page(ctx, Section::Projects, err)),
    };
    let l = ctx
        .layout(Section::Projects, project.title.clone())
        .crumb("Projects", "/projects");
    let head = Head {
        id: project.id.clone(),
        title: project.title.clone(),
        key: project.key.clone(),
        is_default: project.is_default,
        archived: project.archived,
        tab,
        my_role: role.map(role_word).unwrap_or(""),
        can_manage: allows(&ctx.caller, Permission::ProjectsUpdate, role),
        can_members: allows(&ctx.caller, Permission::ProjectMembersUpdate, role),
        allow_self_approval: project.allow_self_approval,
        can_file: allows(&ctx.caller, Permission::IssuesCreate, role),
    };
    Ok((head, l))
}

#[derive(Template)]
#[template(path = "project_databases.html")]
struct DatabasesPage {
    l: Layout,
    p: Head,
    databases: Vec<DbRow>,
}

async fn databases(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let (p, l) = match head(&state, &ctx, &id, "databases").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let filter = DatabaseFilter {
        project_id: Some(id.clone()),
        ..Default::default()
    };
    let (dbs, envs, projects) = match tokio::try_join!(
        state
            .app
            .list_databases(&ctx.caller, filter, PageRequest::ALL),
        state.app.list_environments(&ctx.caller, true),
        state.app.list_projects(&ctx.caller, true),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(&ctx, Section::Projects, err),
    };
    ctx.ok(&DatabasesPage {
        l,
        p,
        databases: db_rows(&dbs.items, &envs, &projects),
    })
}

pub struct MemberRow {
    pub email: String,
    pub name: String,
    pub role: &'static str,
    pub roles: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "project_members.html")]
struct MembersPage {
    l: Layout,
    p: Head,
    members: Vec<MemberRow>,
    email: String,
    roles: Vec<Opt>,
    errors: FormErrors,
}

fn role_options(selected: &str) -> Vec<Opt> {
    Opt::list([("DEVELOPER", "Developer"), ("OWNER", "Owner")], selected)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MemberForm {
    email: String,
    role: String,
}

async fn members_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    form: Option<(MemberForm, FormErrors)>,
    status: StatusCode,
) -> Response {
    let (p, l) = match head(state, ctx, id, "members").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let members = match state.app.project_members(&ctx.caller, id).await {
        Ok(m) => m,
        Err(err) => return error_page(ctx, Section::Projects, err),
    };
    let members = members
        .iter()
        .map(|m| MemberRow {
            email: m.email.clone(),
            name: m.name.clone(),
            role: role_word(m.role),
            roles: role_options(m.role.as_str()),
        })
        .collect();
    let (form, errors) = form.unwrap_or_else(|| (MemberForm::default(), FormErrors::none()));
    let roles = role_options(if form.role.is_empty() {
        "DEVELOPER"
    } else {
        &form.role
    });
    ctx.render(
        status,
        &MembersPage {
            l,
            p,
            members,
            email: form.email,
            roles,
            errors,
        },
    )
}

async fn members(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    members_page(&state, &ctx, &id, None, StatusCode::OK).await
}

async fn set_member(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, form): Post<MemberForm>,
) -> Response {
    let mut errors = FormErrors::none();
    let role = choice(
        "role",
        &form.role,
        ProjectRole::parse,
        ProjectRole::ALL,
        ProjectRole::as_str,
        &mut errors,
    );
    let Some(role) = role else {
        return members_page(
            &state,
            &ctx,
            &id,
            Some((form, errors)),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    match state
        .app
        .set_project_member(&ctx.caller, &id, &form.email, role)
        .await
    {
        Ok(_) => redirect_notice(
            &state,
            &format!("/projects/{id}/members"),
            &format!(
                "{} is now a {} of this project.",
                form.email.trim(),
                role_word(role)
            ),
        ),
        Err(AppError::NotFound(what)) => {
            error_page(&ctx, Section::Projects, AppError::NotFound(what))
        }
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &["email", "role"]);
            members_page(&state, &ctx, &id, Some((form, errors)), status).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    email: String,
}

async fn remove_member(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, form): Post<RemoveForm>,
) -> Response {
    match state
        .app
        .remove_project_member(&ctx.caller, &id, &form.email)
        .await
    {
        Ok(_) => redirect_notice(
            &state,
            &format!("/projects/{id}/members"),
            &format!("{} removed from this project.", form.email),
        ),
        Err(err @ (AppError::NotFound(_) | AppError::PermissionDenied(_))) => {
            error_page(&ctx, Section::Projects, err)
        }
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &[]);
            members_page(
                &state,
                &ctx,
                &id,
                Some((MemberForm::default(), errors)),
                status,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "project_settings.html")]
struct SettingsPage {
    l: Layout,
    p: Head,
    form: ProjectForm,
    errors: FormErrors,
    /// The SQL review config attached to the project, and the choices.
    review_config: Option<String>,
    review_choices: Vec<super::review::ConfigChoice>,
    can_attach_review: bool,
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    form: Option<(ProjectForm, FormErrors)>,
    status: StatusCode,
) -> Response {
    let (p, l) = match head(state, ctx, id, "settings").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if !p.can_manage {
        return error_page(
            ctx,
            Section::Projects,
            AppError::PermissionDenied("you do not have permission projects.update".into()),
        );
    }
    let (form, errors) = form.unwrap_or_else(|| {
        (
            ProjectForm {
                id: p.id.clone(),
                title: p.title.clone(),
                key: p.key.clone(),
                allow_self_approval: p.allow_self_approval.then(|| "on".to_string()),
            },
            FormErrors::none(),
        )
    });
    let review_config = state
        .app
        .project(&ctx.caller, id)
        .await
        .ok()
        .and_then(|p| p.review_config_id);
    let review_choices = super::review::config_choices(
        state,
        ctx,
        review_config.as_deref(),
        "None: each environment's config or its default",
    )
    .await;
    ctx.render(
        status,
        &SettingsPage {
            l,
            p,
            form,
            errors,
            review_config,
            review_choices,
            can_attach_review: ctx.can(Permission::ReviewConfigsManage),
        },
    )
}

async fn settings(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    settings_page(&state, &ctx, &id, None, StatusCode::OK).await
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, form): Post<ProjectForm>,
) -> Response {
    let self_approval = checked(&form.allow_self_approval);
    let saved = match state
        .app
        .update_project(&ctx.caller, &id, Some(&form.title), Some(&form.key))
        .await
    {
        Ok(p) if p.allow_self_approval != self_approval => {
            state
                .app
                .set_project_self_approval(&ctx.caller, &id, self_approval)
                .await
        }
        other => other,
    };
    match saved {
        Ok(p) => redirect_notice(
            &state,
            &format!("/projects/{}/settings", p.id),
            "Project saved.",
        ),
        Err(err @ (AppError::NotFound(_) | AppError::PermissionDenied(_))) => {
            error_page(&ctx, Section::Projects, err)
        }
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &["title", "key"]);
            settings_page(&state, &ctx, &id, Some((form, errors)), status).await
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
    match state.app.archive_project(&ctx.caller, &id, true).await {
        Ok(p) => redirect_notice(
            &state,
            "/projects",
            &format!("Project {} archived.", p.title),
        ),
        Err(err) => error_page(&ctx, Section::Projects, err),
    }
}

async fn restore(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.archive_project(&ctx.caller, &id, false).await {
        Ok(p) => redirect_notice(
            &state,
            &format!("/projects/{}", p.id),
            &format!("Project {} restored.", p.title),
        ),
        Err(err) => error_page(&ctx, Section::Projects, err),
    }
}
