//! Environments: the ordered list, create, edit, reorder, archive, restore.

use super::forms::checked;
use super::instances::{InstanceRow, instance_rows};
use super::issues::{policy_role_word, roles_words};
use super::layout::{FormErrors, Layout, Section, error_page, when};
use super::session::{Ctx, Params, Post, redirect_notice};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use sluice_app::{AppError, Permission, PolicyPatch};
use sluice_store::{EnvironmentPolicy, PolicyRole, Rollout};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/environments", get(list).post(create))
        .route("/environments/new", get(new))
        .route("/environments/{id}", get(show).post(update))
        .route("/environments/{id}/archive", post(archive))
        .route("/environments/{id}/restore", post(restore))
        .route("/environments/{id}/move", post(move_one))
        .route("/environments/{id}/policy", post(update_policy))
}

pub struct EnvRow {
    pub id: String,
    pub title: String,
    pub order: usize,
    pub protected: bool,
    pub archived: bool,
    pub instances: usize,
    pub first: bool,
    pub last: bool,
    /// "Approval by DBA or Workspace Owner · Manual rollout by …".
    pub policy: String,
    pub custom_policy: bool,
}

#[derive(Template)]
#[template(path = "environments.html")]
struct ListPage {
    l: Layout,
    rows: Vec<EnvRow>,
    show_archived: bool,
    can_update: bool,
    can_create: bool,
    can_delete: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    show_archived: String,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Params(q): Params<ListQuery>) -> Response {
    let show_archived = !q.show_archived.is_empty() && q.show_archived != "false";
    let (envs, instances) = match tokio::try_join!(
        state.app.list_environments(&ctx.caller, show_archived),
        state.app.list_instances(&ctx.caller, false),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(&ctx, Section::Environments, err),
    };
    let active = envs.iter().filter(|e| !e.archived).count();
    let mut position = 0;
    let rows = envs
        .iter()
        .map(|e| {
            if !e.archived {
                position += 1;
            }
            EnvRow {
                id: e.id.clone(),
                title: e.title.clone(),
                order: position,
                protected: e.protected,
                archived: e.archived,
                instances: instances
                    .iter()
                    .filter(|i| i.environment_id == e.id)
                    .count(),
                first: !e.archived && position == 1,
                last: !e.archived && position == active,
                policy: policy_summary(&e.policy()),
                custom_policy: e.has_custom_policy(),
            }
        })
        .collect();
    let can_create = ctx.can(Permission::EnvironmentsCreate);
    let mut l = ctx.layout(Section::Environments, "Environments");
    if can_create {
        l = l.action("New environment", "/environments/new");
    }
    let page = ListPage {
        l,
        rows,
        show_archived,
        can_update: ctx.can(Permission::EnvironmentsUpdate),
        can_create,
        can_delete: ctx.can(Permission::EnvironmentsDelete),
    };
    ctx.ok(&page)
}

#[derive(Template)]
#[template(path = "environment_new.html")]
struct NewPage {
    l: Layout,
    form: EnvForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EnvForm {
    id: String,
    title: String,
    protected: Option<String>,
}

fn new_layout(ctx: &Ctx) -> Layout {
    ctx.layout(Section::Environments, "New environment")
        .crumb("Environments", "/environments")
}

async fn new(ctx: Ctx) -> Response {
    if !ctx.can(Permission::EnvironmentsCreate) {
        return error_page(
            &ctx,
            Section::Environments,
            AppError::PermissionDenied("you do not have permission environments.create".into()),
        );
    }
    ctx.ok(&NewPage {
        l: new_layout(&ctx),
        form: EnvForm::default(),
        errors: FormErrors::none(),
    })
}

async fn create(State(state): State<AppState>, Post(ctx, form): Post<EnvForm>) -> Response {
    let id = form.id.trim().to_string();
    match state
        .app
        .create_environment(&ctx.caller, &id, &form.title, checked(&form.protected))
        .await
    {
        Ok(env) => redirect_notice(
            &state,
            &format!("/environments/{}", env.id),
            &format!("Environment {} created.", env.title),
        ),
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &["id", "title"]);
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

#[derive(Template)]
#[template(path = "environment.html")]
struct ShowPage {
    l: Layout,
    id: String,
    order: i64,
    archived: bool,
    created: String,
    updated: String,
    title: String,
    protected: bool,
    errors: FormErrors,
    instances: Vec<InstanceRow>,
    can_update: bool,
    can_delete: bool,
    policy: PolicyView,
    policy_errors: FormErrors,
    /// The SQL review config attached here, what applies, and the choices.
    review_config: Option<String>,
    review_default: &'static str,
    review_choices: Vec<super::review::ConfigChoice>,
    can_attach_review: bool,
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    edit: Option<(Option<EnvForm>, FormErrors)>,
    status: axum::http::StatusCode,
) -> Response {
    show_page_with(state, ctx, id, edit, None, status).await
}

async fn show_page_with(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    edit: Option<(Option<EnvForm>, FormErrors)>,
    policy: Option<(PolicyForm, FormErrors)>,
    status: axum::http::StatusCode,
) -> Response {
    let env = match state.app.environment(&ctx.caller, id).await {
        Ok(env) => env,
        Err(err) => return error_page(ctx, Section::Environments, err),
    };
    let instances = state
        .app
        .list_instances(&ctx.caller, true)
        .await
        .unwrap_or_default();
    let mine: Vec<_> = instances
        .into_iter()
        .filter(|i| i.environment_id == env.id)
        .collect();
    let envs = [env.clone()];
    let (title, protected, errors) = match edit {
        Some((Some(form), errors)) => (form.title, checked(&form.protected), errors),
        Some((None, errors)) => (env.title.clone(), env.protected, errors),
        None => (env.title.clone(), env.protected, FormErrors::none()),
    };
    let (policy_form, policy_errors) = policy.unwrap_or_else(|| {
        let p = env.policy();
        (
            PolicyForm {
                approval_required: p.approval_required,
                approvers: p
                    .approver_roles
                    .iter()
                    .map(|r| r.as_str().to_string())
                    .collect(),
                rollout: p.rollout.as_str().to_string(),
                rollout_roles: p
                    .rollout_roles
                    .iter()
                    .map(|r| r.as_str().to_string())
                    .collect(),
            },
            FormErrors::none(),
        )
    });
    let policy = PolicyView::new(&policy_form, &env);
    let review_choices = super::review::config_choices(
        state,
        ctx,
        env.review_config_id.as_deref(),
        "None: the project's config, or the default",
    )
    .await;
    let page = ShowPage {
        l: ctx
            .layout(Section::Environments, env.title.clone())
            .crumb("Environments", "/environments"),
        id: env.id.clone(),
        order: env.position,
        archived: env.archived,
        created: when(env.created_at),
        updated: when(env.updated_at),
        title,
        protected,
        errors,
        instances: instance_rows(&mine, &envs),
        can_update: ctx.can(Permission::EnvironmentsUpdate),
        can_delete: ctx.can(Permission::EnvironmentsDelete),
        policy,
        policy_errors,
        review_config: env.review_config_id.clone(),
        review_default: sluice_app::review::default_template(env.protected),
        review_choices,
        can_attach_review: ctx.can(Permission::ReviewConfigsManage)
            && ctx.can(Permission::EnvironmentsUpdate),
    };
    ctx.render(status, &page)
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    show_page(&state, &ctx, &id, None, axum::http::StatusCode::OK).await
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, form): Post<EnvForm>,
) -> Response {
    match state
        .app
        .update_environment(
            &ctx.caller,
            &id,
            Some(&form.title),
            Some(checked(&form.protected)),
        )
        .await
    {
        Ok(env) => redirect_notice(
            &state,
            &format!("/environments/{}", env.id),
            "Environment saved.",
        ),
        Err(AppError::NotFound(what)) => {
            error_page(&ctx, Section::Environments, AppError::NotFound(what))
        }
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &["title"]);
            show_page(&state, &ctx, &id, Some((Some(form), errors)), status).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoFields {}

async fn archive(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.archive_environment(&ctx.caller, &id).await {
        Ok(env) => redirect_notice(
            &state,
            "/environments",
            &format!("Environment {} archived.", env.title),
        ),
        // Refused for a reason the page shows (it still holds instances).
        Err(AppError::FailedPrecondition(why)) => {
            let mut errors = FormErrors::none();
            errors.top = Some(why);
            let status = axum::http::StatusCode::CONFLICT;
            show_page(&state, &ctx, &id, Some((None, errors)), status).await
        }
        Err(err) => error_page(&ctx, Section::Environments, err),
    }
}

async fn restore(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.restore_environment(&ctx.caller, &id).await {
        Ok(env) => redirect_notice(
            &state,
            &format!("/environments/{}", env.id),
            &format!("Environment {} restored.", env.title),
        ),
        Err(err) => error_page(&ctx, Section::Environments, err),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    direction: String,
}

/// Move one environment a place up or down: the server computes the new
/// order and hands it whole to the app.
async fn move_one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, form): Post<MoveForm>,
) -> Response {
    let envs = match state.app.list_environments(&ctx.caller, false).await {
        Ok(envs) => envs,
        Err(err) => return error_page(&ctx, Section::Environments, err),
    };
    let mut ids: Vec<String> = envs.iter().map(|e| e.id.clone()).collect();
    let Some(at) = ids.iter().position(|e| *e == id) else {
        return error_page(
            &ctx,
            Section::Environments,
            AppError::NotFound(format!("environment {id}")),
        );
    };
    let (to, word) = match form.direction.as_str() {
        "up" if at > 0 => (at - 1, "up"),
        "down" if at + 1 < ids.len() => (at + 1, "down"),
        _ => return redirect_notice(&state, "/environments", "Nothing to move."),
    };
    ids.swap(at, to);
    match state.app.reorder_environments(&ctx.caller, &ids).await {
        Ok(_) => redirect_notice(
            &state,
            "/environments",
            &format!("Moved {} {word}.", envs[at].title),
        ),
        Err(err) => error_page(&ctx, Section::Environments, err),
    }
}

/// One line about a policy, for the list.
pub fn policy_summary(p: &EnvironmentPolicy) -> String {
    let approval = if p.approval_required {
        format!("Approval by {}", roles_words(&p.approver_roles))
    } else {
        "No approval".to_string()
    };
    let rollout = match p.rollout {
        Rollout::Automatic => "automatic rollout".to_string(),
        Rollout::Manual => format!("manual rollout by {}", roles_words(&p.rollout_roles)),
    };
    format!("{approval} · {rollout}")
}

/// The policy as the form holds it (role names as posted).
#[derive(Default)]
pub struct PolicyForm {
    approval_required: bool,
    approvers: Vec<String>,
    rollout: String,
    rollout_roles: Vec<String>,
}

impl PolicyForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> PolicyForm {
        let mut form = PolicyForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "approval_required" => {
                    form.approval_required = checked(&Some(value));
                }
                "approver" => form.approvers.push(value),
                "rollout" => form.rollout = value,
                "rollout_role" => form.rollout_roles.push(value),
                _ => {}
            }
        }
        form
    }
}

pub struct RoleBox {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

/// What the policy section shows.
pub struct PolicyView {
    pub summary: String,
    pub custom: bool,
    pub approval_required: bool,
    pub approvers: Vec<RoleBox>,
    pub manual: bool,
    pub rollout_roles: Vec<RoleBox>,
}

impl PolicyView {
    fn new(form: &PolicyForm, env: &sluice_store::Environment) -> PolicyView {
        let boxes = |chosen: &[String]| {
            PolicyRole::ALL
                .iter()
                .map(|r| RoleBox {
                    value: r.as_str(),
                    label: policy_role_word(*r),
                    checked: chosen.iter().any(|c| c == r.as_str()),
                })
                .collect()
        };
        PolicyView {
            summary: policy_summary(&env.policy()),
            custom: env.has_custom_policy(),
            approval_required: form.approval_required,
            approvers: boxes(&form.approvers),
            manual: form.rollout == "MANUAL",
            rollout_roles: boxes(&form.rollout_roles),
        }
    }
}

fn roles_of(field: &str, names: &[String], errors: &mut FormErrors) -> Vec<PolicyRole> {
    let mut roles = Vec::new();
    for name in names {
        match PolicyRole::parse(name) {
            Some(r) => roles.push(r),
            None => errors.add(field, format!("{name:?} is not a role")),
        }
    }
    roles
}

async fn update_policy(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, pairs): Post<Vec<(String, String)>>,
) -> Response {
    let form = PolicyForm::from_pairs(pairs);
    let mut errors = FormErrors::none();
    let approver_roles = roles_of("approver_roles", &form.approvers, &mut errors);
    let rollout_roles = roles_of("rollout_roles", &form.rollout_roles, &mut errors);
    let rollout = Rollout::parse(&form.rollout);
    if rollout.is_none() {
        errors.add("rollout", "Choose automatic or manual rollout");
    }
    if !errors.is_empty() {
        return show_page_with(
            &state,
            &ctx,
            &id,
            None,
            Some((form, errors)),
            axum::http::StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let patch = PolicyPatch {
        approval_required: Some(form.approval_required),
        approver_roles: Some(approver_roles),
        rollout,
        rollout_roles: Some(rollout_roles),
    };
    match state
        .app
        .update_environment_policy(&ctx.caller, &id, &patch)
        .await
    {
        Ok(env) => redirect_notice(
            &state,
            &format!("/environments/{}", env.id),
            &format!("Policy saved: {}.", policy_summary(&env.policy())),
        ),
        Err(err @ (AppError::NotFound(_) | AppError::PermissionDenied(_))) => {
            error_page(&ctx, Section::Environments, err)
        }
        Err(err) => {
            let (status, errors) = FormErrors::from_app(
                err,
                &[
                    "approval_required",
                    "approver_roles",
                    "rollout",
                    "rollout_roles",
                ],
            );
            show_page_with(&state, &ctx, &id, None, Some((form, errors)), status).await
        }
    }
}
