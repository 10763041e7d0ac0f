//! The REST API under `/v1`. Each handler carries its OpenAPI description,
//! including `x-permission`: the permission it needs (or `public` /
//! `authenticated`), and `x-scope: project` when that permission may come
//! from a project role. Approving an issue and acting on its tasks also
//! carry `x-policy: environment`: beyond `x-permission`, the policy of the
//! environment concerned names the roles that may act. The
//! permission-matrix test reads these from `/v1/openapi.json`, so a new
//! route cannot escape it.

mod audit;
mod auth;
mod databases;
mod drift;
mod environments;
mod instances;
mod issues;
mod projects;
pub mod review_configs;
mod rollback;
mod schema_sync;
mod users;
pub mod views;

use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;
use sluice_store::{Page, PageRequest};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sluice API", description = "Safe, reviewed database changes across environments."),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::signup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(users::me))
        .routes(routes!(users::get_workspace, users::update_workspace))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(
            users::get_user,
            users::update_user,
            users::delete_user
        ))
        .routes(routes!(users::restore_user))
        .routes(routes!(
            users::list_service_accounts,
            users::create_service_account
        ))
        .routes(routes!(environments::list, environments::create))
        .routes(routes!(
            environments::get,
            environments::update,
            environments::archive
        ))
        .routes(routes!(environments::restore))
        .routes(routes!(environments::reorder))
        .routes(routes!(instances::list, instances::create))
        .routes(routes!(
            instances::get,
            instances::update,
            instances::archive
        ))
        .routes(routes!(instances::restore))
        .routes(routes!(instances::test_new))
        .routes(routes!(instances::test))
        .routes(routes!(instances::sync))
        .routes(routes!(projects::list, projects::create))
        .routes(routes!(projects::get, projects::update, projects::archive))
        .routes(routes!(projects::restore))
        .routes(routes!(
            projects::list_members,
            projects::set_member,
            projects::remove_member
        ))
        .routes(routes!(databases::list_all))
        .routes(routes!(databases::list_in_instance, databases::create))
        .routes(routes!(databases::sync))
        .routes(routes!(databases::schema))
        .routes(routes!(databases::schema_sql))
        .routes(routes!(databases::get, databases::update))
        .routes(routes!(databases::list_changelogs))
        .routes(routes!(databases::get_changelog))
        .routes(routes!(drift::get))
        .routes(routes!(drift::accept))
        .routes(routes!(drift::activity))
        .routes(routes!(rollback::roll_back))
        .routes(routes!(issues::list, issues::create))
        .routes(routes!(issues::get, issues::update))
        .routes(routes!(issues::approve))
        .routes(routes!(issues::cancel))
        .routes(routes!(issues::run_stage))
        .routes(routes!(issues::run_task))
        .routes(routes!(issues::retry_task))
        .routes(routes!(issues::skip_task))
        .routes(routes!(issues::cancel_task))
        .routes(routes!(issues::task_runs))
        .routes(routes!(issues::list_comments, issues::add_comment))
        .routes(routes!(issues::activity))
        .routes(routes!(issues::override_checks))
        .routes(routes!(schema_sync::preview))
        .routes(routes!(schema_sync::create))
        .routes(routes!(review_configs::list, review_configs::create))
        .routes(routes!(
            review_configs::get,
            review_configs::update,
            review_configs::delete
        ))
        .routes(routes!(audit::list))
        .route("/v1/openapi.json", axum::routing::get(openapi_json))
        .fallback(not_found)
}

async fn openapi_json(State(state): State<AppState>) -> impl IntoResponse {
    let body = state.openapi.get().cloned().unwrap_or_else(|| "{}".into());
    ([(header::CONTENT_TYPE, "application/json")], body)
}

/// Unknown paths under the API answer in the API's error shape; others
/// fall through to the UI's not-found page.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/v1/") || uri.path() == "/v1" {
        ApiError::not_found(format!("no API route {}", uri.path())).into_response()
    } else {
        crate::ui::not_found_page().await.into_response()
    }
}

/// `page_size`, `page_token` and `show_archived`, taken by every list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1 to 1000; default 100.
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    pub page_token: Option<String>,
    /// Include archived resources.
    #[serde(default)]
    pub show_archived: bool,
}

impl ListParams {
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        let limit = self.page_size.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(ApiError::bad_request(
                "page_size: must be between 1 and 1000",
            ));
        }
        let offset = match self.page_token.as_deref() {
            None | Some("") => 0,
            Some(token) => token
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| {
                    ApiError::bad_request("page_token: not a token from a previous page")
                })?,
        };
        Ok(PageRequest { offset, limit })
    }

    /// Page a list that was read whole (small tables).
    pub fn slice<T>(&self, items: Vec<T>) -> Result<Page<T>, ApiError> {
        let page = self.page()?;
        let total = items.len() as i64;
        let items: Vec<T> = items
            .into_iter()
            .skip(page.offset as usize)
            .take(page.limit as usize)
            .collect();
        let next = page.offset + page.limit;
        Ok(Page {
            items,
            next_offset: (next < total).then_some(next),
        })
    }
}

pub fn next_token(next: Option<i64>) -> String {
    next.map(|n| n.to_string()).unwrap_or_default()
}
