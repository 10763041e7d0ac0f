//! SQL review configs: named SQL review policies made from a template or a
//! policy document, edited rule by rule, and attached to environments
//! (`PATCH /v1/environments/{id} {review_config}`) and projects
//! (`PATCH /v1/projects/{id} {review_config}`).

use super::views::timestamp;
use crate::extract::{ApiJson, ApiPath, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sluice_app::{ReviewConfigDetail, ReviewConfigSummary, ReviewSource, RulePatch, RuleSetting};
use sluice_store::ReviewConfigUse;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Where a config is attached.
#[derive(Serialize, ToSchema)]
pub struct UsedByView {
    pub environments: Vec<String>,
    pub projects: Vec<String>,
}

impl From<&ReviewConfigUse> for UsedByView {
    fn from(u: &ReviewConfigUse) -> UsedByView {
        UsedByView {
            environments: u.environments.clone(),
            projects: u.projects.clone(),
        }
    }
}

/// A config in a list.
#[derive(Serialize, ToSchema)]
pub struct ReviewConfigSummaryView {
    pub id: String,
    pub title: String,
    pub used_by: UsedByView,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&ReviewConfigSummary> for ReviewConfigSummaryView {
    fn from(s: &ReviewConfigSummary) -> Self {
        ReviewConfigSummaryView {
            id: s.config.id.clone(),
            title: s.config.title.clone(),
            used_by: UsedByView::from(&s.used_by),
            created_at: timestamp(s.config.created_at),
            updated_at: timestamp(s.config.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReviewConfigList {
    pub review_configs: Vec<ReviewConfigSummaryView>,
    pub next_page_token: String,
}

/// One declared option of a rule.
#[derive(Serialize, ToSchema)]
pub struct RuleOptionView {
    pub key: String,
    pub description: String,
    /// boolean, integer, naming pattern, string or list of strings.
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(value_type = Object)]
    pub default: Value,
}

/// A rule's documentation.
#[derive(Serialize, ToSchema)]
pub struct RuleDocView {
    pub problem: String,
    pub fix: String,
    pub bad: String,
    pub good: String,
}

/// A rule as the config sets it.
#[derive(Serialize, ToSchema)]
pub struct RuleView {
    pub name: String,
    pub code: u32,
    pub category: String,
    pub title: String,
    /// POSTGRES, MYSQL, SQLITE.
    pub engines: Vec<String>,
    /// ERROR, WARNING or DISABLED.
    pub level: String,
    /// The level the rule reports at when turned on without saying.
    pub default_level: String,
    /// Every option of the rule with its value in this config.
    #[schema(value_type = Object)]
    pub config: Map<String, Value>,
    pub options: Vec<RuleOptionView>,
    pub doc: RuleDocView,
}

pub fn rule_view(s: &RuleSetting) -> RuleView {
    let rule = s.rule;
    RuleView {
        name: rule.name.to_string(),
        code: rule.code,
        category: s.category.to_string(),
        title: rule.title.to_string(),
        engines: rule
            .engines
            .iter()
            .map(|d| format!("{d:?}").to_uppercase())
            .collect(),
        level: s.level.as_str().to_string(),
        default_level: sluice_app::sluice_lint::Setting::from(rule.level)
            .as_str()
            .to_string(),
        config: s
            .config
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        options: rule
            .options
            .iter()
            .map(|o| RuleOptionView {
                key: o.key.to_string(),
                description: o.description.to_string(),
                kind: o.default.kind().to_string(),
                default: serde_json::to_value(o.default.to_value()).unwrap_or(Value::Null),
            })
            .collect(),
        doc: RuleDocView {
            problem: rule.doc.problem.to_string(),
            fix: rule.doc.fix.to_string(),
            bad: rule.doc.bad.to_string(),
            good: rule.doc.good.to_string(),
        },
    }
}

/// A config with every rule.
#[derive(Serialize, ToSchema)]
pub struct ReviewConfigView {
    pub id: String,
    pub title: String,
    /// The stored policy document (`sluice lint --config` reads the same).
    #[schema(value_type = Object)]
    pub policy: Value,
    pub used_by: UsedByView,
    /// Every rule, by category.
    pub rules: Vec<RuleView>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&ReviewConfigDetail> for ReviewConfigView {
    fn from(d: &ReviewConfigDetail) -> Self {
        ReviewConfigView {
            id: d.config.id.clone(),
            title: d.config.title.clone(),
            policy: serde_json::from_str(&d.config.policy).unwrap_or(Value::Null),
            used_by: UsedByView::from(&d.used_by),
            rules: d.rules.iter().map(rule_view).collect(),
            created_at: timestamp(d.config.created_at),
            updated_at: timestamp(d.config.updated_at),
        }
    }
}

/// Every review config with where it is attached.
#[utoipa::path(get, path = "/v1/review-configs", tag = "review-configs",
    responses((status = 200, body = ReviewConfigList)), extensions(("x-permission" = json!("review-configs.get"))))]
pub async fn list(
    State(s): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<ReviewConfigList>, ApiError> {
    let configs = s.app.list_review_configs(&caller).await?;
    Ok(Json(ReviewConfigList {
        review_configs: configs.iter().map(ReviewConfigSummaryView::from).collect(),
        next_page_token: String::new(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReviewConfig {
    /// Resource id, `^[a-z][a-z0-9-]{0,62}$`.
    pub id: String,
    pub title: String,
    /// strict-production or lenient-development (give this or `policy`).
    pub template: Option<String>,
    /// A policy document: `{"template"?: …, "rules": {"rule.name": "ERROR" |
    /// {"level": …, option: value}}}`.
    #[schema(value_type = Option<Object>)]
    pub policy: Option<Value>,
}

/// Create a config from a template or a policy document.
#[utoipa::path(post, path = "/v1/review-configs", tag = "review-configs", request_body = CreateReviewConfig,
    responses((status = 201, body = ReviewConfigView), (status = 400, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("review-configs.manage"))))]
pub async fn create(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateReviewConfig>,
) -> Result<(StatusCode, Json<ReviewConfigView>), ApiError> {
    let source = match (req.template, req.policy) {
        (Some(t), None) => ReviewSource::Template(t),
        (None, Some(p)) => ReviewSource::Policy(p),
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "template: give a template or a policy, not both",
            ));
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "template: give a template (strict-production or lenient-development) or a policy",
            ));
        }
    };
    let detail = s
        .app
        .create_review_config(&caller, &req.id, &req.title, &source)
        .await?;
    Ok((StatusCode::CREATED, Json(ReviewConfigView::from(&detail))))
}

#[utoipa::path(get, path = "/v1/review-configs/{id}", tag = "review-configs", params(("id" = String, Path)),
    responses((status = 200, body = ReviewConfigView), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("review-configs.get"))))]
pub async fn get(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ReviewConfigView>, ApiError> {
    Ok(Json(ReviewConfigView::from(
        &s.app.review_config(&caller, &id).await?,
    )))
}

/// A change to one rule.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleChange {
    /// ERROR, WARNING or DISABLED; the level in force when left out.
    pub level: Option<String>,
    /// Option values by key, checked against the rule's options.
    #[schema(value_type = Option<Object>)]
    pub config: Option<Map<String, Value>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReviewConfig {
    pub title: Option<String>,
    /// By rule name: `{"table.require-pk": {"level": "ERROR"}}`.
    pub rules: Option<BTreeMap<String, RuleChange>>,
}

/// Change a config's title and its rules one by one; nothing is written
/// unless every change is valid.
#[utoipa::path(patch, path = "/v1/review-configs/{id}", tag = "review-configs", params(("id" = String, Path)),
    request_body = UpdateReviewConfig, responses((status = 200, body = ReviewConfigView), (status = 400, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("review-configs.manage"))))]
pub async fn update(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateReviewConfig>,
) -> Result<Json<ReviewConfigView>, ApiError> {
    let rules: BTreeMap<String, RulePatch> = req
        .rules
        .unwrap_or_default()
        .into_iter()
        .map(|(name, c)| {
            (
                name,
                RulePatch {
                    level: c.level,
                    config: c.config,
                },
            )
        })
        .collect();
    let detail = s
        .app
        .update_review_config(&caller, &id, req.title.as_deref(), &rules)
        .await?;
    Ok(Json(ReviewConfigView::from(&detail)))
}

/// Delete a config; one still attached to an environment or a project is
/// refused (409), naming where.
#[utoipa::path(delete, path = "/v1/review-configs/{id}", tag = "review-configs", params(("id" = String, Path)),
    responses((status = 204, description = "deleted"), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("review-configs.manage"))))]
pub async fn delete(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    s.app.delete_review_config(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deserialize a field that may be absent (`None`), null (`Some(None)`) or
/// a value (`Some(Some(v))`); use with `#[serde(default)]`.
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
