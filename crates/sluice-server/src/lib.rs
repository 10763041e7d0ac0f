//! The Sluice HTTP server: the REST API under `/v1` (with its OpenAPI
//! document generated from the handlers), the server-rendered web UI,
//! `/healthz` and `/metrics`.
//!
//! [`router`] builds everything from an [`AppState`], so tests drive the
//! real router in-process without a socket.

pub mod api;
mod error;
mod extract;
mod ops;
pub mod ui;

pub use error::ApiError;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use metrics_exporter_prometheus::PrometheusHandle;
use sluice_app::App;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// Largest request body accepted (413 beyond).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: PrometheusHandle,
    pub started: Instant,
    /// Mark cookies `Secure` (set when Sluice is served over HTTPS).
    pub secure_cookies: bool,
    pub openapi: Arc<OnceLock<String>>,
}

impl AppState {
    pub fn new(app: App, secure_cookies: bool) -> AppState {
        AppState {
            app,
            metrics: ops::metrics_handle(),
            started: Instant::now(),
            secure_cookies,
            openapi: Arc::new(OnceLock::new()),
        }
    }
}

/// The whole HTTP surface.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let openapi_json = openapi.to_pretty_json().unwrap_or_else(|_| "{}".into());
    let _ = state.openapi.set(openapi_json);
    Router::new()
        .merge(api)
        .merge(ops::routes())
        .merge(ui::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(ops::track_metrics))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serve the router on `listener` until `shutdown` resolves, then finish
/// the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
