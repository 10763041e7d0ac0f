use super::views::{EnvironmentList, EnvironmentView};
use super::{ListParams, next_token};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sluice_app::PolicyPatch;
use sluice_store::{PolicyRole, Rollout};
use utoipa::ToSchema;

#[utoipa::path(get, path = "/v1/environments", tag = "environments", params(ListParams),
    responses((status = 200, body = EnvironmentList)), extensions(("x-permission" = json!("environments.get"))))]
pub async fn list(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<EnvironmentList>, ApiError> {
    let page = q.slice(s.app.list_environments(&caller, q.show_archived).await?)?;
    Ok(Json(EnvironmentList {
        environments: page.items.iter().map(EnvironmentView::from).collect(),
        next_page_token: next_token(page.next_offset),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEnvironment {
    /// Resource id, `^[a-z][a-z0-9-]{0,62}$`.
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub protected: bool,
}

#[utoipa::path(post, path = "/v1/environments", tag = "environments", request_body = CreateEnvironment,
    responses((status = 201, body = EnvironmentView), (status = 409, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("environments.create"))))]
pub async fn create(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<CreateEnvironment>,
) -> Result<(StatusCode, Json<EnvironmentView>), ApiError> {
    let env = s
        .app
        .create_environment(&caller, &req.id, &req.title, req.protected)
        .await?;
    Ok((StatusCode::CREATED, Json(EnvironmentView::from(&env))))
}

#[utoipa::path(get, path = "/v1/environments/{id}", tag = "environments", params(("id" = String, Path)),
    responses((status = 200, body = EnvironmentView), (status = 404, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("environments.get"))))]
pub async fn get(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<EnvironmentView>, ApiError> {
    Ok(Json(EnvironmentView::from(
        &s.app.environment(&caller, &id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEnvironment {
    pub title: Option<String>,
    pub protected: Option<bool>,
    /// Whether issues rolling out here need an approval.
    pub approval_required: Option<bool>,
    /// Who may approve: WORKSPACE_OWNER, WORKSPACE_DBA, PROJECT_OWNER,
    /// PROJECT_DEVELOPER (at least one).
    pub approver_roles: Option<Vec<String>>,
    /// AUTOMATIC or MANUAL.
    pub rollout: Option<String>,
    /// Who may start, retry, skip and cancel tasks here (at least one role).
    pub rollout_roles: Option<Vec<String>>,
    /// The SQL review config to review changes here with (its id), or
    /// null to fall back to the project's config or the default.
    #[serde(default, deserialize_with = "super::review_configs::present")]
    #[schema(value_type = Option<String>)]
    pub review_config: Option<Option<String>>,
}

fn policy_roles(
    field: &str,
    words: Option<Vec<String>>,
) -> Result<Option<Vec<PolicyRole>>, ApiError> {
    let Some(words) = words else {
        return Ok(None);
    };
    if words.is_empty() {
        return Err(ApiError::bad_request(format!(
            "{field}: name at least one role, or nobody could act"
        )));
    }
    words
        .iter()
        .map(|w| {
            PolicyRole::parse(w).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "{field}: {w:?} is not a policy role: use WORKSPACE_OWNER, WORKSPACE_DBA, PROJECT_OWNER or PROJECT_DEVELOPER"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl UpdateEnvironment {
    /// The policy fields, checked before anything is written.
    fn policy_patch(&mut self) -> Result<PolicyPatch, ApiError> {
        let rollout = self
            .rollout
            .take()
            .map(|w| {
                Rollout::parse(&w).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "rollout: {w:?} is not a rollout: use AUTOMATIC or MANUAL"
                    ))
                })
            })
            .transpose()?;
        Ok(PolicyPatch {
            approval_required: self.approval_required.take(),
            approver_roles: policy_roles("approver_roles", self.approver_roles.take())?,
            rollout,
            rollout_roles: policy_roles("rollout_roles", self.rollout_roles.take())?,
        })
    }
}

/// Change an environment's title, protection, approval and rollout
/// policy, and SQL review config (`review_config`: an id, or null). Setting any policy field stores a policy of its own; until
/// then the environment follows the default for `protected`.
#[utoipa::path(patch, path = "/v1/environments/{id}", tag = "environments", params(("id" = String, Path)),
    request_body = UpdateEnvironment, responses((status = 200, body = EnvironmentView), (status = 400, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("environments.update"))))]
pub async fn update(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
    ApiJson(mut req): ApiJson<UpdateEnvironment>,
) -> Result<Json<EnvironmentView>, ApiError> {
    let policy = req.policy_patch()?;
    let mut env = None;
    if let Some(config) = &req.review_config {
        env = Some(
            s.app
                .set_environment_review_config(&caller, &id, config.as_deref())
                .await?,
        );
    }
    if (policy.is_empty() && env.is_none()) || req.title.is_some() || req.protected.is_some() {
        env = Some(
            s.app
                .update_environment(&caller, &id, req.title.as_deref(), req.protected)
                .await?,
        );
    }
    if !policy.is_empty() {
        env = Some(
            s.app
                .update_environment_policy(&caller, &id, &policy)
                .await?,
        );
    }
    let env = env.expect("one of the updates ran");
    Ok(Json(EnvironmentView::from(&env)))
}

/// Archive an environment (it must hold no active instance).
#[utoipa::path(delete, path = "/v1/environments/{id}", tag = "environments", params(("id" = String, Path)),
    responses((status = 200, body = EnvironmentView)), extensions(("x-permission" = json!("environments.delete"))))]
pub async fn archive(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<EnvironmentView>, ApiError> {
    Ok(Json(EnvironmentView::from(
        &s.app.archive_environment(&caller, &id).await?,
    )))
}

#[utoipa::path(post, path = "/v1/environments/{id}/restore", tag = "environments", params(("id" = String, Path)),
    responses((status = 200, body = EnvironmentView)), extensions(("x-permission" = json!("environments.delete"))))]
pub async fn restore(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<EnvironmentView>, ApiError> {
    Ok(Json(EnvironmentView::from(
        &s.app.restore_environment(&caller, &id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReorderEnvironments {
    /// Every active environment id, once, in the new order.
    pub ids: Vec<String>,
}

#[utoipa::path(put, path = "/v1/environments-order", tag = "environments", request_body = ReorderEnvironments,
    responses((status = 200, body = EnvironmentList)), extensions(("x-permission" = json!("environments.update"))))]
pub async fn reorder(
    State(s): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<ReorderEnvironments>,
) -> Result<Json<EnvironmentList>, ApiError> {
    let envs = s.app.reorder_environments(&caller, &req.ids).await?;
    Ok(Json(EnvironmentList {
        environments: envs.iter().map(EnvironmentView::from).collect(),
        next_page_token: String::new(),
    }))
}
