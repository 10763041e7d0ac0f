//! Health and metrics.

use crate::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// The process-wide Prometheus recorder (installed once; every router
/// built in this process shares it).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (tests); then ours only renders its own.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
}

/// 200 "ok" when the metadata store answers; 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(err) => {
            tracing::error!(%err, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "metadata store unavailable\n",
            )
                .into_response()
        }
    }
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    metrics::gauge!("sluice_uptime_seconds").set(state.started.elapsed().as_secs_f64());
    let mut text = state.metrics.render();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&drift_metrics(&state).await);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        text,
    )
        .into_response()
}

/// The drifted databases, read from the store at each scrape so that
/// every server of an HA pair tells the same and a resolved drift leaves
/// no stale series behind.
async fn drift_metrics(state: &AppState) -> String {
    use std::fmt::Write;
    let drifted = match state.app.drifted_databases().await {
        Ok(drifted) => drifted,
        Err(err) => {
            tracing::warn!(%err, "cannot read drifted databases for the metrics");
            return String::new();
        }
    };
    let mut out = String::from(
        "# HELP sluice_databases_drifted Databases whose live schema differs from the one Sluice recorded.\n\
         # TYPE sluice_databases_drifted gauge\n",
    );
    let _ = writeln!(out, "sluice_databases_drifted {}", drifted.len());
    if !drifted.is_empty() {
        out.push_str(
            "# HELP sluice_database_drift 1 while the database's live schema differs from the one Sluice recorded.\n\
             # TYPE sluice_database_drift gauge\n",
        );
    }
    for db in &drifted {
        let _ = writeln!(
            out,
            "sluice_database_drift{{instance=\"{}\",database=\"{}\"}} 1",
            label_value(&db.instance_id),
            label_value(&db.name)
        );
    }
    out
}

/// A Prometheus label value: backslash, double quote and newline escaped.
fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Count requests by method and status class.
pub async fn track_metrics(req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let response = next.run(req).await;
    let class = format!("{}xx", response.status().as_u16() / 100);
    metrics::counter!("sluice_http_requests_total", "method" => method, "status" => class)
        .increment(1);
    response
}
