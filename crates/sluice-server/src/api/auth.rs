use super::views::{SessionView, UserView};
use crate::extract::{ApiJson, Authed};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub email: String,
    /// 8 to 1024 characters.
    pub password: String,
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Sign up. The first user becomes workspace Owner; afterwards sign-up is
/// closed unless an Owner opens it.
#[utoipa::path(post, path = "/v1/auth/signup", tag = "auth", security(()), request_body = SignupRequest,
    responses((status = 201, body = SessionView), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("public"))))]
pub async fn signup(
    State(s): State<AppState>,
    ApiJson(req): ApiJson<SignupRequest>,
) -> Result<(StatusCode, Json<SessionView>), ApiError> {
    let session = s.app.sign_up(&req.email, &req.password, &req.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(SessionView {
            token: session.token,
            user: UserView::from(&session.principal),
        }),
    ))
}

/// Log in with email and password; answers a bearer token.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", security(()), request_body = LoginRequest,
    responses((status = 200, body = SessionView), (status = 401, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)),
    extensions(("x-permission" = json!("public"))))]
pub async fn login(
    State(s): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<SessionView>, ApiError> {
    let session = s.app.log_in(&req.email, &req.password).await?;
    Ok(Json(SessionView {
        token: session.token,
        user: UserView::from(&session.principal),
    }))
}

/// End the session whose token is sent.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", responses((status = 200)),
    extensions(("x-permission" = json!("authenticated"))))]
pub async fn logout(
    State(s): State<AppState>,
    Authed(caller): Authed,
) -> Result<Json<serde_json::Value>, ApiError> {
    s.app.log_out(&caller).await?;
    Ok(Json(json!({})))
}
