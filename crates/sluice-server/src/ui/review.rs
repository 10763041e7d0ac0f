//! SQL review: the review configs with where they apply, a config's rules
//! by category with their docs, levels and options (editable by workspace
//! Owners and DBAs, read-only for others), create from a template, delete;
//! and attaching a config to an environment or a project (the forms live
//! on those pages and post here).

use super::layout::{FormErrors, Layout, Section, error_page, when};
use super::session::{Ctx, Post, redirect_notice};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use sluice_app::sluice_lint::DefaultValue;
use sluice_app::{AppError, Permission, ReviewSource, RulePatch, RuleSetting};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/review-configs", get(list).post(create))
        .route("/review-configs/{id}", get(show).post(save))
        .route("/review-configs/{id}/delete", post(delete))
        .route("/environments/{id}/review-config", post(attach_environment))
        .route("/projects/{id}/review-config", post(attach_project))
}

pub struct ConfigRow {
    pub id: String,
    pub title: String,
    /// "environment prod and project shop", or empty.
    pub used_by: String,
    pub updated: String,
}

pub struct TemplateOpt {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "review_configs.html")]
struct ListPage {
    l: Layout,
    rows: Vec<ConfigRow>,
    /// Environments and what reviews them ("Keys (keys)" or the default).
    environments: Vec<(String, String, String)>,
    can_manage: bool,
    form: CreateForm,
    templates: Vec<TemplateOpt>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreateForm {
    id: String,
    title: String,
    template: String,
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        "strict-production",
        "Strict production: lock and data safety block, naming and style warn",
    ),
    (
        "lenient-development",
        "Lenient development: only what breaks data or the script, as warnings",
    ),
];

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    form: CreateForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let (configs, envs) = match tokio::try_join!(
        state.app.list_review_configs(&ctx.caller),
        state.app.list_environments(&ctx.caller, false),
    ) {
        Ok(v) => v,
        Err(err) => return error_page(ctx, Section::Review, err),
    };
    let rows = configs
        .iter()
        .map(|c| ConfigRow {
            id: c.config.id.clone(),
            title: c.config.title.clone(),
            used_by: c.used_by.describe(),
            updated: when(c.config.updated_at),
        })
        .collect();
    let environments = envs
        .iter()
        .map(|e| {
            let applies = match &e.review_config_id {
                Some(id) => {
                    let title = configs
                        .iter()
                        .find(|c| &c.config.id == id)
                        .map(|c| c.config.title.clone())
                        .unwrap_or_else(|| id.clone());
                    format!("{title} ({id})")
                }
                None => format!(
                    "the project's config, else the default {}",
                    sluice_app::review::default_template(e.protected)
                ),
            };
            (e.id.clone(), e.title.clone(), applies)
        })
        .collect();
    let chosen = if form.template.is_empty() {
        "strict-production"
    } else {
        form.template.as_str()
    };
    let templates = TEMPLATES
        .iter()
        .map(|(value, label)| TemplateOpt {
            value,
            label,
            selected: *value == chosen,
        })
        .collect();
    let page = ListPage {
        l: ctx.layout(Section::Review, "SQL review"),
        rows,
        environments,
        can_manage: ctx.can(Permission::ReviewConfigsManage),
        form,
        templates,
        errors,
    };
    ctx.render(status, &page)
}

async fn list(State(state): State<AppState>, ctx: Ctx) -> Response {
    list_page(
        &state,
        &ctx,
        CreateForm::default(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn create(State(state): State<AppState>, Post(ctx, form): Post<CreateForm>) -> Response {
    let id = form.id.trim().to_string();
    let source = ReviewSource::Template(form.template.clone());
    match state
        .app
        .create_review_config(&ctx.caller, &id, &form.title, &source)
        .await
    {
        Ok(detail) => redirect_notice(
            &state,
            &format!("/review-configs/{}", detail.config.id),
            &format!(
                "Review config {} created from {}.",
                detail.config.title, form.template
            ),
        ),
        Err(err @ AppError::PermissionDenied(_)) => error_page(&ctx, Section::Review, err),
        Err(err) => {
            let (status, errors) = FormErrors::from_app(err, &["id", "title", "template"]);
            list_page(&state, &ctx, form, errors, status).await
        }
    }
}

// ---------------------------------------------------------------------------
// One config

pub struct OptionInput {
    /// The form field: `rules.{rule}.config.{key}`.
    pub field: String,
    pub key: &'static str,
    pub description: &'static str,
    /// boolean, integer, naming pattern, string or list of strings.
    pub kind: &'static str,
    pub boolean: bool,
    pub number: bool,
    pub value: String,
    pub error: String,
}

pub struct RuleRow {
    pub name: &'static str,
    pub title: &'static str,
    pub problem: &'static str,
    pub fix: &'static str,
    pub bad: &'static str,
    pub good: &'static str,
    pub engines: String,
    /// The form field: `rules.{rule}.level`.
    pub level_field: String,
    pub level: &'static str,
    pub level_class: &'static str,
    pub level_error: String,
    pub options: Vec<OptionInput>,
}

pub struct CategoryBox {
    pub name: &'static str,
    pub rules: Vec<RuleRow>,
    pub enabled: usize,
}

#[derive(Template)]
#[template(path = "review_config.html")]
struct ShowPage {
    l: Layout,
    id: String,
    title: String,
    title_error: String,
    used_by: String,
    created: String,
    updated: String,
    template: String,
    categories: Vec<CategoryBox>,
    can_manage: bool,
    errors: FormErrors,
    levels: [&'static str; 3],
}

fn level_class(level: &str) -> &'static str {
    match level {
        "ERROR" => "failed",
        "WARNING" => "warn",
        _ => "muted",
    }
}

/// An option value as the form shows it: lists comma-separated.
fn option_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn rule_rows(
    settings: &[RuleSetting],
    posted: Option<&BTreeMap<String, String>>,
    errors: &FormErrors,
) -> Vec<CategoryBox> {
    let mut categories: Vec<CategoryBox> = Vec::new();
    for s in settings {
        let rule = s.rule;
        let level_field = format!("rules.{}.level", rule.name);
        let level = posted
            .and_then(|p| p.get(&level_field))
            .map(|l| match l.as_str() {
                "ERROR" => "ERROR",
                "WARNING" => "WARNING",
                _ => "DISABLED",
            })
            .unwrap_or(s.level.as_str());
        let options = rule
            .options
            .iter()
            .map(|o| {
                let field = format!("rules.{}.config.{}", rule.name, o.key);
                let current = s
                    .config
                    .iter()
                    .find(|(k, _)| *k == o.key)
                    .map(|(_, v)| option_text(v))
                    .unwrap_or_default();
                OptionInput {
                    value: posted
                        .and_then(|p| p.get(&field).cloned())
                        .unwrap_or(current),
                    error: errors.get(&field).unwrap_or_default().to_string(),
                    field,
                    key: o.key,
                    description: o.description,
                    kind: o.default.kind(),
                    boolean: matches!(o.default, DefaultValue::Bool(_)),
                    number: matches!(o.default, DefaultValue::Int(_)),
                }
            })
            .collect();
        let row = RuleRow {
            name: rule.name,
            title: rule.title,
            problem: rule.doc.problem,
            fix: rule.doc.fix,
            bad: rule.doc.bad,
            good: rule.doc.good,
            engines: rule
                .engines
                .iter()
                .map(|d| format!("{d:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            level_error: errors.get(&level_field).unwrap_or_default().to_string(),
            level_field,
            level,
            level_class: level_class(level),
            options,
        };
        let enabled = usize::from(level != "DISABLED");
        match categories.iter_mut().find(|c| c.name == s.category) {
            Some(c) => {
                c.enabled += enabled;
                c.rules.push(row);
            }
            None => categories.push(CategoryBox {
                name: s.category,
                rules: vec![row],
                enabled,
            }),
        }
    }
    categories
}

async fn show_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    posted: Option<&BTreeMap<String, String>>,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let detail = match state.app.review_config(&ctx.caller, id).await {
        Ok(d) => d,
        Err(err) => return error_page(ctx, Section::Review, err),
    };
    let template = serde_json::from_str::<Value>(&detail.config.policy)
        .ok()
        .and_then(|d| d["template"].as_str().map(str::to_string))
        .unwrap_or_default();
    let title = posted
        .and_then(|p| p.get("title").cloned())
        .unwrap_or_else(|| detail.config.title.clone());
    let used_by = detail.used_by.describe();
    let page = ShowPage {
        l: ctx
            .layout(Section::Review, detail.config.title.clone())
            .crumb("SQL review", "/review-configs"),
        id: detail.config.id.clone(),
        title,
        title_error: errors.get("title").unwrap_or_default().to_string(),
        used_by,
        created: when(detail.config.created_at),
        updated: when(detail.config.updated_at),
        template,
        categories: rule_rows(&detail.rules, posted, &errors),
        can_manage: ctx.can(Permission::ReviewConfigsManage),
        errors,
        levels: ["ERROR", "WARNING", "DISABLED"],
    };
    ctx.render(status, &page)
}

async fn show(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    show_page(&state, &ctx, &id, None, FormErrors::none(), StatusCode::OK).await
}

/// A posted option value typed as the rule declares it; a value that is
/// not of that type goes to the app as text, which names the field.
fn typed(default: &DefaultValue, text: &str) -> Value {
    let text = text.trim();
    match default {
        DefaultValue::Bool(_) => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => Value::String(other.to_string()),
        },
        DefaultValue::Int(_) => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(text.to_string())),
        DefaultValue::List(_) => Value::Array(
            text.split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ),
        DefaultValue::Pattern(_) | DefaultValue::Text(_) => Value::String(text.to_string()),
    }
}

/// Save the title and every rule whose level or options changed.
async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, pairs): Post<Vec<(String, String)>>,
) -> Response {
    let posted: BTreeMap<String, String> = pairs.into_iter().collect();
    let detail = match state.app.review_config(&ctx.caller, &id).await {
        Ok(d) => d,
        Err(err) => return error_page(&ctx, Section::Review, err),
    };
    let mut rules: BTreeMap<String, RulePatch> = BTreeMap::new();
    for s in &detail.rules {
        let name = s.rule.name;
        let mut patch = RulePatch::default();
        if let Some(level) = posted.get(&format!("rules.{name}.level"))
            && level != s.level.as_str()
        {
            patch.level = Some(level.clone());
        }
        let mut config = serde_json::Map::new();
        for o in s.rule.options {
            let Some(text) = posted.get(&format!("rules.{name}.config.{}", o.key)) else {
                continue;
            };
            let value = typed(&o.default, text);
            let current = s.config.iter().find(|(k, _)| *k == o.key).map(|(_, v)| v);
            if current != Some(&value) {
                config.insert(o.key.to_string(), value);
            }
        }
        if !config.is_empty() {
            patch.config = Some(config);
        }
        if patch.level.is_some() || patch.config.is_some() {
            rules.insert(name.to_string(), patch);
        }
    }
    let title = posted
        .get("title")
        .map(|t| t.trim())
        .filter(|t| *t != detail.config.title);
    let changed = rules.len();
    match state
        .app
        .update_review_config(&ctx.caller, &id, title, &rules)
        .await
    {
        Ok(d) => redirect_notice(
            &state,
            &format!("/review-configs/{}", d.config.id),
            &format!("Review config saved: {changed} rule(s) changed."),
        ),
        Err(err @ (AppError::PermissionDenied(_) | AppError::NotFound(_))) => {
            error_page(&ctx, Section::Review, err)
        }
        Err(err) => {
            let mut inputs: Vec<String> = vec!["title".into()];
            for s in &detail.rules {
                inputs.push(format!("rules.{}.level", s.rule.name));
                for o in s.rule.options {
                    inputs.push(format!("rules.{}.config.{}", s.rule.name, o.key));
                }
            }
            let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            let (status, errors) = FormErrors::from_app(err, &inputs);
            show_page(&state, &ctx, &id, Some(&posted), errors, status).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoFields {}

async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, NoFields {}): Post<NoFields>,
) -> Response {
    match state.app.delete_review_config(&ctx.caller, &id).await {
        Ok(()) => redirect_notice(
            &state,
            "/review-configs",
            &format!("Review config {id} deleted."),
        ),
        Err(AppError::FailedPrecondition(why)) => {
            let mut errors = FormErrors::none();
            errors.top = Some(why);
            show_page(&state, &ctx, &id, None, errors, StatusCode::CONFLICT).await
        }
        Err(err) => error_page(&ctx, Section::Review, err),
    }
}

// ---------------------------------------------------------------------------
// Attaching

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AttachForm {
    /// A config id, or empty to detach.
    review_config: String,
}

/// What the attach forms offer: "none" and every config.
pub struct ConfigChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub async fn config_choices(
    state: &AppState,
    ctx: &Ctx,
    current: Option<&str>,
    none_label: &str,
) -> Vec<ConfigChoice> {
    let configs = state
        .app
        .list_review_configs(&ctx.caller)
        .await
        .unwrap_or_default();
    let mut out = vec![ConfigChoice {
        value: String::new(),
        label: none_label.to_string(),
        selected: current.is_none(),
    }];
    out.extend(configs.iter().map(|c| ConfigChoice {
        value: c.config.id.clone(),
        label: format!("{} ({})", c.config.title, c.config.id),
        selected: current == Some(c.config.id.as_str()),
    }));
    out
}

fn chosen(form: &AttachForm) -> Option<&str> {
    let id = form.review_config.trim();
    (!id.is_empty()).then_some(id)
}

async fn attach_environment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, form): Post<AttachForm>,
) -> Response {
    let config = chosen(&form);
    match state
        .app
        .set_environment_review_config(&ctx.caller, &id, config)
        .await
    {
        Ok(env) => redirect_notice(
            &state,
            &format!("/environments/{}", env.id),
            &match config {
                Some(c) => format!("Changes to {} are now reviewed with {c}.", env.title),
                None => format!("{} has no review config of its own now.", env.title),
            },
        ),
        Err(err) => error_page(&ctx, Section::Environments, err),
    }
}

async fn attach_project(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Post(ctx, form): Post<AttachForm>,
) -> Response {
    let config = chosen(&form);
    match state
        .app
        .set_project_review_config(&ctx.caller, &id, config)
        .await
    {
        Ok(p) => redirect_notice(
            &state,
            &format!("/projects/{}/settings", p.id),
            &match config {
                Some(c) => format!("Changes in {} are now reviewed with {c}.", p.title),
                None => format!("{} has no review config of its own now.", p.title),
            },
        ),
        Err(err) => error_page(&ctx, Section::Projects, err),
    }
}
