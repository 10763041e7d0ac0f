//! The server-rendered web UI.
//!
//! Pages are askama templates (compiled in, auto-escaped) under
//! `templates/`, every one extending `base.html`. A signed-in browser holds
//! the session token in the `sluice_session` cookie; every POST form carries
//! the session's CSRF token in a hidden `csrf` field ([`session::Post`]
//! checks it). Handlers stay thin: they call the same `App` use cases as the
//! API, which check permissions, validate and audit; the UI only decides
//! which actions to *show*.
//!
//! Forms follow post/redirect/get: a successful POST answers 303 to the
//! page of the thing made, with a one-line notice carried in a short-lived
//! cookie; a failed one re-renders the form with the error next to its
//! field and everything typed kept (passwords excepted).

mod audit;
mod auth;
mod changelog;
mod databases;
mod diagram;
mod drift;
mod environments;
mod forms;
mod home;
mod instances;
mod issues;
mod layout;
mod projects;
mod review;
mod schema;
mod schema_sync;
mod session;
mod settings;

use crate::AppState;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

const STYLESHEET: &str = include_str!("../../static/sluice.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/sluice.css", get(stylesheet))
        .route("/", get(home::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/signup", get(auth::signup_page).post(auth::signup))
        .route("/logout", post(auth::logout))
        .merge(environments::routes())
        .merge(instances::routes())
        .merge(projects::routes())
        .merge(databases::routes())
        .merge(schema::routes())
        .merge(issues::routes())
        .merge(changelog::routes())
        .merge(drift::routes())
        .merge(schema_sync::routes())
        .merge(review::routes())
        .merge(settings::routes())
        .route("/audit-logs", get(audit::list))
}

pub async fn not_found_page() -> impl IntoResponse {
    layout::bare_error_page(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is nothing at this address. It may have been mistyped, or the thing it named no longer exists.",
    )
}

async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        STYLESHEET,
    )
        .into_response()
}
