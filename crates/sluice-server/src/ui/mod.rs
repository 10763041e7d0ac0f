//! The server-rendered web UI.

use crate::AppState;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};

pub fn routes() -> Router<AppState> {
    Router::new()
}

pub async fn not_found_page() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, Html("<!doctype html><title>Not found</title><p>Not found.</p>"))
}
