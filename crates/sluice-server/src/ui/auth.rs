//! Signing up, in and out.

use super::layout::{FormErrors, Layout, bare_app_error, html};
use super::session::{
    Post, PublicPost, SESSION_COOKIE, clear_session_cookie, cookie, redirect_notice, session_cookie,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sluice_app::AppError;
use sluice_store::{PageRequest, PrincipalKind, WorkspaceRole};

/// Whether someone may sign up now: while nobody has, or while an Owner
/// keeps sign-up open.
async fn signup_available(state: &AppState) -> Result<(bool, bool), AppError> {
    let first = state
        .app
        .store
        .list_principals(
            PrincipalKind::EndUser,
            PageRequest {
                offset: 0,
                limit: 1,
            },
        )
        .await?
        .items
        .is_empty();
    let open = first || state.app.store.workspace().await?.signup_open;
    Ok((open, first))
}

/// Only paths on this server, so a link cannot send someone elsewhere.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> bool {
    match cookie(headers, SESSION_COOKIE) {
        Some(token) if !token.is_empty() => state.app.authenticate(token).await.is_ok(),
        _ => false,
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    email: String,
    next: String,
    errors: FormErrors,
    signup_open: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
}

pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if signed_in(&state, &headers).await {
        return Redirect::to(safe_next(&q.next)).into_response();
    }
    let (signup_open, first) = match signup_available(&state).await {
        Ok(v) => v,
        Err(err) => return bare_app_error(err),
    };
    if first {
        return Redirect::to("/signup").into_response();
    }
    let page = LoginPage {
        l: Layout::bare("Sign in"),
        email: String::new(),
        next: q.next,
        errors: FormErrors::none(),
        signup_open,
    };
    html(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    email: String,
    password: String,
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    PublicPost(form): PublicPost<LoginForm>,
) -> Response {
    match state.app.log_in(&form.email, &form.password).await {
        Ok(session) => {
            let mut response = Redirect::to(safe_next(&form.next)).into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, session_cookie(&state, &session.token));
            response
        }
        Err(err) => {
            let (status, errors) = match err {
                AppError::Unauthenticated(_) => {
                    let mut errors = FormErrors::none();
                    errors.top = Some("Wrong email or password.".into());
                    (StatusCode::UNAUTHORIZED, errors)
                }
                other => FormErrors::from_app(other, &["email", "password"]),
            };
            let signup_open = signup_available(&state)
                .await
                .map(|(open, _)| open)
                .unwrap_or(false);
            let page = LoginPage {
                l: Layout::bare("Sign in"),
                email: form.email,
                next: form.next,
                errors,
                signup_open,
            };
            html(status, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    l: Layout,
    open: bool,
    first: bool,
    name: String,
    email: String,
    errors: FormErrors,
}

pub async fn signup_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if signed_in(&state, &headers).await {
        return Redirect::to("/").into_response();
    }
    let (open, first) = match signup_available(&state).await {
        Ok(v) => v,
        Err(err) => return bare_app_error(err),
    };
    let title = if open {
        "Create your account"
    } else {
        "Sign-up is closed"
    };
    let page = SignupPage {
        l: Layout::bare(title),
        open,
        first,
        name: String::new(),
        email: String::new(),
        errors: FormErrors::none(),
    };
    html(StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignupForm {
    name: String,
    email: String,
    password: String,
}

pub async fn signup(
    State(state): State<AppState>,
    PublicPost(form): PublicPost<SignupForm>,
) -> Response {
    match state
        .app
        .sign_up(&form.email, &form.password, &form.name)
        .await
    {
        Ok(session) => {
            let notice = if session.principal.role == WorkspaceRole::Owner {
                "Welcome to Sluice. You are the workspace Owner: start by adding environments."
            } else {
                "Welcome to Sluice."
            };
            let mut response = redirect_notice(&state, "/", notice);
            response
                .headers_mut()
                .append(header::SET_COOKIE, session_cookie(&state, &session.token));
            response
        }
        Err(err) => {
            let (open, first) = signup_available(&state).await.unwrap_or((false, false));
            let (status, errors) = FormErrors::from_app(err, &["name", "email", "password"]);
            let title = if open {
                "Create your account"
            } else {
                "Sign-up is closed"
            };
            let page = SignupPage {
                l: Layout::bare(title),
                open,
                first,
                name: form.name,
                email: form.email,
                errors,
            };
            html(status, &page)
        }
    }
}

#[derive(Deserialize)]
pub struct Empty {}

pub async fn logout(State(state): State<AppState>, Post(ctx, Empty {}): Post<Empty>) -> Response {
    if let Err(err) = state.app.log_out(&ctx.caller).await {
        tracing::warn!(%err, "log out");
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_session_cookie(&state));
    response
}
