//! What every page shares: the top bar, the navigation (only what the
//! viewer may use), breadcrumb, title and primary action; error pages; and
//! the inline form errors.

use super::session::Ctx;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use sluice_app::{AppError, Permission};

/// The sections of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Projects,
    Issues,
    Databases,
    Instances,
    Environments,
    Review,
    Audit,
    Settings,
}

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

pub struct Crumb {
    pub label: String,
    pub href: String,
}

pub struct UserBox {
    pub name: String,
    pub email: String,
    pub role: &'static str,
}

pub struct Action {
    pub label: String,
    pub href: String,
}

/// The frame around a page's content.
pub struct Layout {
    pub workspace: String,
    pub user: Option<UserBox>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub crumbs: Vec<Crumb>,
    pub title: String,
    pub action: Option<Action>,
    pub notice: Option<String>,
}

pub fn role_word(role: sluice_store::WorkspaceRole) -> &'static str {
    match role {
        sluice_store::WorkspaceRole::Owner => "Owner",
        sluice_store::WorkspaceRole::Dba => "DBA",
        sluice_store::WorkspaceRole::Developer => "Developer",
    }
}

impl Layout {
    pub fn signed_in(ctx: &Ctx, section: Section, title: String, notice: Option<String>) -> Layout {
        let items: [(Section, &'static str, &'static str, bool); 9] = [
            (Section::Home, "/", "Home", true),
            (Section::Projects, "/projects", "Projects", true),
            (Section::Issues, "/issues", "Issues", true),
            (Section::Databases, "/databases", "Databases", true),
            (
                Section::Instances,
                "/instances",
                "Instances",
                ctx.can(Permission::InstancesGet),
            ),
            (
                Section::Environments,
                "/environments",
                "Environments",
                ctx.can(Permission::EnvironmentsGet),
            ),
            (
                Section::Review,
                "/review-configs",
                "SQL review",
                ctx.can(Permission::ReviewConfigsGet),
            ),
            (
                Section::Audit,
                "/audit-logs",
                "Audit log",
                ctx.can(Permission::AuditLogsList),
            ),
            (
                Section::Settings,
                "/settings/users",
                "Settings",
                ctx.can(Permission::UsersList),
            ),
        ];
        let nav = items
            .into_iter()
            .filter(|(_, _, _, allowed)| *allowed)
            .map(|(s, href, label, _)| NavItem {
                href,
                label,
                current: s == section,
            })
            .collect();
        Layout {
            workspace: ctx.workspace.clone(),
            user: Some(UserBox {
                name: ctx.caller.principal.name.clone(),
                email: ctx.caller.principal.email.clone(),
                role: role_word(ctx.caller.role()),
            }),
            csrf: ctx.csrf.clone(),
            nav,
            crumbs: Vec::new(),
            title,
            action: None,
            notice,
        }
    }

    /// The frame for people not signed in (login, sign-up, errors).
    pub fn bare(title: impl Into<String>) -> Layout {
        Layout {
            workspace: String::new(),
            user: None,
            csrf: String::new(),
            nav: Vec::new(),
            crumbs: Vec::new(),
            title: title.into(),
            action: None,
            notice: None,
        }
    }

    pub fn crumb(mut self, label: impl Into<String>, href: impl Into<String>) -> Layout {
        self.crumbs.push(Crumb {
            label: label.into(),
            href: href.into(),
        });
        self
    }

    /// The page's one primary action, shown top right.
    pub fn action(mut self, label: impl Into<String>, href: impl Into<String>) -> Layout {
        self.action = Some(Action {
            label: label.into(),
            href: href.into(),
        });
        self
    }
}

/// Render a template into a response; a template that fails to render is
/// a bug, logged and answered 500 without details.
pub fn html<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => {
            let mut response = (status, Html(body)).into_response();
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(err) => {
            tracing::error!(%err, "cannot render page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(
                    "<!doctype html><title>Error</title><p>Internal error: see the server log.</p>",
                ),
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub l: Layout,
    pub status: u16,
    pub message: String,
    pub signed_in: bool,
}

/// An error page for someone who may not be signed in.
pub fn bare_error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let page = ErrorPage {
        l: Layout::bare(title),
        status: status.as_u16(),
        message: message.into(),
        signed_in: false,
    };
    html(status, &page)
}

/// Status and words for an error of the app layer.
pub fn describe(err: &AppError) -> (StatusCode, &'static str, String) {
    match err {
        AppError::InvalidArgument { .. } => {
            (StatusCode::BAD_REQUEST, "Invalid request", err.to_string())
        }
        AppError::Unauthenticated(m) => (StatusCode::UNAUTHORIZED, "Sign in first", m.clone()),
        AppError::PermissionDenied(m) => (
            StatusCode::FORBIDDEN,
            "Not allowed",
            format!(
                "Your role does not let you see or do this ({m}). If you need it, ask a workspace Owner or the project's Owner."
            ),
        ),
        AppError::NotFound(m) => (
            StatusCode::NOT_FOUND,
            "Not found",
            format!("{m} was not found. It may have been mistyped or never existed."),
        ),
        AppError::AlreadyExists(_) => (StatusCode::CONFLICT, "Already exists", err.to_string()),
        AppError::FailedPrecondition(m) => (StatusCode::CONFLICT, "Cannot do that now", m.clone()),
        AppError::TooManyRequests(m) => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts",
            m.clone(),
        ),
        AppError::Upstream(m) => (
            StatusCode::BAD_GATEWAY,
            "The database server failed",
            m.clone(),
        ),
        AppError::Internal(detail) => {
            tracing::error!(%detail, "internal error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Internal error: see the server log.".into(),
            )
        }
    }
}

pub fn bare_app_error(err: AppError) -> Response {
    let (status, title, message) = describe(&err);
    bare_error_page(status, title, &message)
}

/// An error page inside the signed-in frame (403, 404, 409, ...).
pub fn error_page(ctx: &Ctx, section: Section, err: AppError) -> Response {
    let (status, title, message) = describe(&err);
    let page = ErrorPage {
        l: ctx.layout(section, title),
        status: status.as_u16(),
        message,
        signed_in: true,
    };
    ctx.render(status, &page)
}

/// A 403 page for a section the viewer's role cannot open.
pub fn forbidden(ctx: &Ctx, section: Section, what: &str) -> Response {
    let page = ErrorPage {
        l: ctx.layout(section, "Not allowed"),
        status: 403,
        message: format!(
            "{what} is for workspace Owners only, and you are signed in as a {}. Ask an Owner if you need something changed here.",
            role_word(ctx.caller.role())
        ),
        signed_in: true,
    };
    ctx.render(StatusCode::FORBIDDEN, &page)
}

/// Errors of a submitted form: one per field, shown next to it, and one
/// for the whole form, shown at its top.
#[derive(Debug, Default)]
pub struct FormErrors {
    pub top: Option<String>,
    fields: Vec<(String, String)>,
}

impl FormErrors {
    pub fn none() -> FormErrors {
        FormErrors::default()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.top.is_none() && self.fields.is_empty()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.has(field) {
            self.fields.push((field.to_string(), message.into()));
        }
    }

    /// File an app error under the input it names (`read_only.host` is the
    /// input `ro_host`), or at the top when no input of the form matches.
    /// "Already exists" belongs to the form's id (or email) input.
    pub fn from_app(err: AppError, inputs: &[&str]) -> (StatusCode, FormErrors) {
        let mut errors = FormErrors::default();
        let (status, _, message) = describe(&err);
        match err {
            AppError::InvalidArgument { field, message } => {
                let input = field.replace("read_only.", "ro_");
                let base = input.split('.').next().unwrap_or_default().to_string();
                if inputs.contains(&input.as_str()) {
                    errors.add(&input, sentence(&message));
                } else if inputs.contains(&base.as_str()) {
                    errors.add(&base, format!("{field}: {message}"));
                } else {
                    errors.top = Some(format!("{field}: {message}"));
                }
            }
            AppError::AlreadyExists(what) => {
                match ["id", "email"].into_iter().find(|f| inputs.contains(f)) {
                    Some(input) => {
                        errors.add(input, format!("{what} already exists: choose another."))
                    }
                    None => errors.top = Some(format!("{what} already exists.")),
                }
            }
            _ => errors.top = Some(message),
        }
        (status, errors)
    }
}

/// Capitalise the first letter of a message shown on its own.
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A time for people: `2025-03-01 14:05 UTC`.
pub fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}
