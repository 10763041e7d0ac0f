//! Settings, for workspace Owners: users, service accounts, the workspace.

use super::forms::{Opt, checked, choice};
use super::layout::{FormErrors, Layout, Section, error_page, forbidden, role_word, when};
use super::session::{Ctx, Post, redirect_notice};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use sluice_app::Permission;
use sluice_store::{PageRequest, Principal, WorkspaceRole};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/settings",
            get(|| async { Redirect::to("/settings/users").into_response() }),
        )
        .route("/settings/users", get(users).post(create_user))
        .route("/settings/users/{id}/role", post(change_role))
        .route("/settings/users/{id}/deactivate", post(deactivate))
        .route("/settings/users/{id}/reactivate", post(reactivate))
        .route(
            "/settings/service-accounts",
            get(service_accounts).post(create_service_account),
        )
        .route("/settings/workspace", get(workspace).post(update_workspace))
}

pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub roles: Vec<Opt>,
    pub active: bool,
    pub me: bool,
    pub created: String,
}

fn role_options(selected: &str) -> Vec<Opt> {
    Opt::list(
        [
            ("DEVELOPER", "Developer"),
            ("DBA", "DBA"),
            ("OWNER", "Owner"),
        ],
        selected,
    )
}

fn user_rows(ctx: &Ctx, people: &[Principal]) -> Vec<UserRow> {
    people
        .iter()
        .map(|p| UserRow {
            id: p.id,
            name: p.name.clone(),
            email: p.email.clone(),
            roles: role_options(p.role.as_str()),
            active: p.active,
            me: p.id == ctx.caller.id(),
            created: when(p.created_at),
        })
        .collect()
}

fn layout(ctx: &Ctx, title: &str) -> Layout {
    ctx.layout(Section::Settings, title)
}

/// The tab strip of the settings pages.
pub struct Tabs(&'static str);

impl Tabs {
    pub fn is(&self, tab: &str) -> bool {
        self.0 == tab
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UserForm {
    email: String,
    name: String,
    /// Write-only: never rendered back.
    password: String,
    role: String,
}

#[derive(Template)]
#[template(path = "settings_users.html")]
struct UsersPage {
    l: Layout,
    tabs: Tabs,
    users: Vec<UserRow>,
    form: UserForm,
    roles: Vec<Opt>,
    errors: FormErrors,
}

async fn users_page(
    state: &AppState,
    ctx: &Ctx,
    form: Option<(UserForm, FormErrors)>,
    status: StatusCode,
) -> Response {
    if !ctx.can(Permission::UsersList) {
        return forbidden(ctx, Section::Settings, "Managing users");
    }
    let people = match state.app.list_users(&ctx.caller, PageRequest::ALL).await {
        Ok(p) => p.items,
        Err(err) => return error_page(ctx, Section::Settings, err),
    };
    let (form, errors) = form.unwrap_or_else(|| {
        (
            UserForm {
                role: "DEVELOPER".into(),
                ..Default::default()
            },
            FormErrors::none(),
        )
    });
    let page = UsersPage {
        l: layout(ctx, "Users"),
        tabs: Tabs("users"),
        users: user_rows(ctx, &people),
        roles: role_options(&form.role),
        form,
        errors,
    };
    ctx.render(status, &page)
}

async fn users(State(state): State<AppState>, ctx: Ctx) -> Response {
    users_page(&state, &ctx, None, StatusCode::OK).await
}

fn parse_role(value: &str, errors: &mut FormErrors) -> Option<WorkspaceRole> {
    choice(
        "role",
        value,
        WorkspaceRole::parse,
        WorkspaceRole::ALL,
        WorkspaceRole::as_str,
        errors,
    )
}

async fn create_user(State(state): State<AppState>, Post(ctx, form): Post<UserForm>) -> Response {
    let mut errors = FormErrors::none();
    let Some(role) = parse_role(&form.role, &mut errors) else {
        return users_page(&state, &ctx, Some((form, errors)), StatusCode::BAD_REQUEST).await;
    };
    match state
        .app
        .create_user(&ctx.caller, &form.email, &form.name, &form.password, role)
        .await
    {
        Ok(p) => redirect_notice(
            &state,
            "/settings/users",
            &format!("User {} created as {}.", p.email, role_word(p.role)),
        ),
        Err(err) => {
            let (status, errors) =
                FormErrors::from_app(err, &["email", "name", "password", "role"]);
            users_page(&state, &ctx, Some((form, errors)), status).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Post(ctx, form): Post<RoleForm>,
) -> Response {
    let mut errors = FormErrors::none();
    let Some(role) = parse_role(&form.role, &mut errors) else {
        let (_, message) = (
            StatusCode::BAD_REQUEST,
            errors.get("role").unwrap_or_default().to_string(),
        );
        let mut errors = FormErrors::none();
        errors.top = Some(format!("Role: {message}"));
        return users_page(
            &state,
            &ctx,
            Some((
                UserForm {
                    role: "DEVELOPER".into(),
                    ..Default::default()
                },
                errors,
            )),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    match state
        .app
        .update_user(&ctx.caller, id, Some(role), None)
        .await
    {
        Ok(p) => redirect_notice(
            &state,
            back(&p),
            &format!("{} is now {}.", p.email, role_word(p.role)),
        ),
        Err(err) => top_error(&state, &ctx, err).await,
    }
}

/// Where a principal is listed.
fn back(p: &Principal) -> &'static str {
    match p.kind {
        sluice_store::PrincipalKind::ServiceAccount => "/settings/service-accounts",
        _ => "/settings/users",
    }
}

/// A row action failed: show the users page with the reason on top.
async fn top_error(state: &AppState, ctx: &Ctx, err: sluice_app::AppError) -> Response {
    match err {
        err @ (sluice_app::AppError::PermissionDenied(_) | sluice_app::AppError::NotFound(_)) => {
            error_page(ctx, Section::Settings, err)
        }
        err => {
            let (status, errors) = FormErrors::from_app(err, &[]);
            users_page(
                state,
                ctx,
                Some((
                    UserForm {
                        role: "DEVELOPER".into(),
                        ..Default::default()
                    },
                    errors,
                )),
                status,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct NoFields {}

async fn deactivate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.deactivate_user(&ctx.caller, id).await {
        Ok(p) => redirect_notice(
            &state,
            back(&p),
            &format!("{} deactivated: they can no longer sign in.", p.email),
        ),
        Err(err) => top_error(&state, &ctx, err).await,
    }
}

async fn reactivate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.reactivate_user(&ctx.caller, id).await {
        Ok(p) => redirect_notice(&state, back(&p), &format!("{} reactivated.", p.email)),
        Err(err) => top_error(&state, &ctx, err).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AccountForm {
    email: String,
    name: String,
    role: String,
}

#[derive(Template)]
#[template(path = "settings_service_accounts.html")]
struct AccountsPage {
    l: Layout,
    tabs: Tabs,
    accounts: Vec<UserRow>,
    form: AccountForm,
    roles: Vec<Opt>,
    errors: FormErrors,
    /// The token of the account just made, shown this once.
    created: Option<(String, String)>,
}

async fn accounts_page(
    state: &AppState,
    ctx: &Ctx,
    form: Option<(AccountForm, FormErrors)>,
    created: Option<(String, String)>,
    status: StatusCode,
) -> Response {
    if !ctx.can(Permission::ServiceAccountsList) {
        return forbidden(ctx, Section::Settings, "Managing service accounts");
    }
    let accounts = match state
        .app
        .list_service_accounts(&ctx.caller, PageRequest::ALL)
        .await
    {
        Ok(p) => p.items,
        Err(err) => return error_page(ctx, Section::Settings, err),
    };
    let (form, errors) = form.unwrap_or_else(|| {
        (
            AccountForm {
                role: "DEVELOPER".into(),
                ..Default::default()
            },
            FormErrors::none(),
        )
    });
    let page = AccountsPage {
        l: layout(ctx, "Service accounts"),
        tabs: Tabs("service-accounts"),
        accounts: user_rows(ctx, &accounts),
        roles: role_options(&form.role),
        form,
        errors,
        created,
    };
    ctx.render(status, &page)
}

async fn service_accounts(State(state): State<AppState>, ctx: Ctx) -> Response {
    accounts_page(&state, &ctx, None, None, StatusCode::OK).await
}

/// Answered directly rather than redirected: the token exists only in
/// this response.
async fn create_service_account(
    State(state): State<AppState>,
    Post(ctx, form): Post<AccountForm>,
) -> Response {
    let mut errors = FormErrors::none();
    let Some(role) = parse_role(&form.role, &mut errors) else {
        return accounts_page(
            &state,
            &ctx,
            Some((form, errors)),
            None,
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    match state
        .app
        .create_service_account(&ctx.caller, &form.email, &form.name, role)
        .await
    {
        Ok(session) => {
            let created = Some((session.principal.email.clone(), session.token));
            accounts_page(&state, &ctx, None, created, StatusCode::CREATED).await
        }
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &["email", "name", "role"]);
            accounts_page(&state, &ctx, Some((form, errors)), None, status).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WorkspaceForm {
    name: String,
    signup_open: Option<String>,
}

#[derive(Template)]
#[template(path = "settings_workspace.html")]
struct WorkspacePage {
    l: Layout,
    tabs: Tabs,
    name: String,
    signup_open: bool,
    errors: FormErrors,
}

async fn workspace_page(
    state: &AppState,
    ctx: &Ctx,
    form: Option<(WorkspaceForm, FormErrors)>,
    status: StatusCode,
) -> Response {
    if !ctx.can(Permission::WorkspaceUpdate) {
        return forbidden(ctx, Section::Settings, "Changing the workspace settings");
    }
    let (name, signup_open, errors) = match form {
        Some((form, errors)) => (form.name, checked(&form.signup_open), errors),
        None => match state.app.workspace(&ctx.caller).await {
            Ok(w) => (w.name, w.signup_open, FormErrors::none()),
            Err(err) => return error_page(ctx, Section::Settings, err),
        },
    };
    ctx.render(
        status,
        &WorkspacePage {
            l: layout(ctx, "Workspace"),
            tabs: Tabs("workspace"),
            name,
            signup_open,
            errors,
        },
    )
}

async fn workspace(State(state): State<AppState>, ctx: Ctx) -> Response {
    workspace_page(&state, &ctx, None, StatusCode::OK).await
}

async fn update_workspace(
    State(state): State<AppState>,
    Post(ctx, form): Post<WorkspaceForm>,
) -> Response {
    match state
        .app
        .update_workspace(
            &ctx.caller,
            Some(&form.name),
            Some(checked(&form.signup_open)),
        )
        .await
    {
        Ok(_) => redirect_notice(&state, "/settings/workspace", "Workspace settings saved."),
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &["name"]);
            workspace_page(&state, &ctx, Some((form, errors)), status).await
        }
    }
}
