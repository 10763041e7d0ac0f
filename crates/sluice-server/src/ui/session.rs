//! Who is browsing: the session cookie, the CSRF check on every POST, the
//! same-origin check on the sign-in forms, and the one-line notice carried
//! across a redirect.

use super::layout::{self, Layout, Section};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sluice_app::permissions::workspace_grants;
use sluice_app::{Caller, Permission};
use sluice_store::TokenKind;

pub const SESSION_COOKIE: &str = "sluice_session";
const NOTICE_COOKIE: &str = "sluice_notice";

/// The value of cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let text =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&text)
        .unwrap_or_else(|_| HeaderValue::from_static("sluice_invalid=; Max-Age=0"))
}

/// `Set-Cookie` that starts a session.
pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    set_cookie(
        state,
        SESSION_COOKIE,
        token,
        state.app.config().session_ttl.as_secs(),
    )
}

/// `Set-Cookie` that ends the session in the browser.
pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    set_cookie(state, SESSION_COOKIE, "", 0)
}

/// 303 to `to`, carrying a one-line notice for the next page.
pub fn redirect_notice(state: &AppState, to: &str, notice: &str) -> Response {
    let value = URL_SAFE_NO_PAD.encode(notice.as_bytes());
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state, NOTICE_COOKIE, &value, 60),
    );
    response
}

/// A request from a signed-in person, with what every page needs.
pub struct Ctx {
    pub caller: Caller,
    pub csrf: String,
    pub workspace: String,
    notice: Option<String>,
    secure: bool,
}

impl Ctx {
    pub fn can(&self, permission: Permission) -> bool {
        workspace_grants(self.caller.role(), permission)
    }

    /// The layout for a page in `section` titled `title`.
    pub fn layout(&self, section: Section, title: impl Into<String>) -> Layout {
        Layout::signed_in(self, section, title.into(), self.notice.clone())
    }

    /// Finish a rendered page: when a notice was shown, stop carrying it.
    pub fn finish(&self, mut response: Response) -> Response {
        if self.notice.is_some() {
            let secure = if self.secure { "; Secure" } else { "" };
            let text =
                format!("{NOTICE_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}");
            if let Ok(value) = HeaderValue::from_str(&text) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response
    }

    /// Render `page` with `status`.
    pub fn render<T: askama::Template>(&self, status: StatusCode, page: &T) -> Response {
        self.finish(layout::html(status, page))
    }

    pub fn ok<T: askama::Template>(&self, page: &T) -> Response {
        self.render(StatusCode::OK, page)
    }
}

/// Where a signed-out browser goes: the login page, coming back here after.
fn to_login(parts: &Parts) -> Response {
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    if parts.method == axum::http::Method::GET && target != "/" {
        let next: String = url_encode(target);
        Redirect::to(&format!("/login?next={next}")).into_response()
    } else {
        Redirect::to("/login").into_response()
    }
}

pub fn url_encode(text: &str) -> String {
    // Everything but RFC 3986's unreserved characters, so the result is
    // right both as a path segment (where `+` is a plus) and in a query.
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, RESERVED).to_string()
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Ctx, Response> {
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
            return Err(to_login(parts));
        };
        let caller = match state.app.authenticate(token).await {
            Ok(caller) => caller,
            Err(sluice_app::AppError::Unauthenticated(_)) => {
                let mut response = to_login(parts);
                response
                    .headers_mut()
                    .append(header::SET_COOKIE, clear_session_cookie(state));
                return Err(response);
            }
            Err(err) => return Err(layout::bare_app_error(err)),
        };
        // Only browser sessions ride a cookie; a service-account token
        // pasted into one has no CSRF secret and is refused.
        let csrf = match &caller.token {
            Some(t) if t.kind == TokenKind::Session && !t.csrf_token.is_empty() => {
                t.csrf_token.clone()
            }
            _ => return Err(to_login(parts)),
        };
        let workspace = match state.app.workspace(&caller).await {
            Ok(w) => w.name,
            Err(_) => "Sluice".to_string(),
        };
        let notice = cookie(&parts.headers, NOTICE_COOKIE)
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .map(|s| {
                s.chars()
                    .filter(|c| !c.is_control())
                    .take(300)
                    .collect::<String>()
            })
            .filter(|s| !s.is_empty());
        Ok(Ctx {
            caller,
            csrf,
            workspace,
            notice,
            secure: state.secure_cookies,
        })
    }
}

/// Compare secrets without an early exit.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A POSTed form from a signed-in person whose CSRF token matched. Fields
/// are read as text, so no input can fail to parse; handlers turn text
/// into numbers and enums themselves, with an error next to the field.
pub struct Post<T>(pub Ctx, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Post<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|rejection| {
                ctx.finish(layout::bare_error_page(
                    rejection.status(),
                    "The form could not be read",
                    &rejection.body_text(),
                ))
            })?;
        let csrf = serde_urlencoded::from_bytes::<CsrfField>(&bytes)
            .map(|f| f.csrf)
            .unwrap_or_default();
        if csrf.is_empty() || !same_secret(&csrf, &ctx.csrf) {
            return Err(layout::bare_error_page(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "The form was not sent from this Sluice session (its security token is missing or out of date). Go back, reload the page and try again.",
            ));
        }
        match serde_urlencoded::from_bytes::<T>(&bytes) {
            Ok(form) => Ok(Post(ctx, form)),
            Err(err) => Err(layout::bare_error_page(
                StatusCode::BAD_REQUEST,
                "The form could not be read",
                &format!("Go back and check what you typed: {err}."),
            )),
        }
    }
}

/// A form POSTed by someone not signed in yet (login, sign-up). There is
/// no session to hold a CSRF token, so the browser's Origin header, when
/// sent, must name this server.
pub struct PublicPost<T>(pub T);

pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let origin = origin.to_str().unwrap_or("null");
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    origin_host.is_some_and(|o| o.trim_end_matches('/').eq_ignore_ascii_case(host))
}

impl<T: DeserializeOwned> FromRequest<AppState> for PublicPost<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        if !same_origin(req.headers()) {
            return Err(layout::bare_error_page(
                StatusCode::FORBIDDEN,
                "Sent from another site",
                "This form was sent from a page that is not this Sluice server. Open Sluice directly and try again.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            layout::bare_error_page(r.status(), "The form could not be read", &r.body_text())
        })?;
        serde_urlencoded::from_bytes::<T>(&bytes)
            .map(PublicPost)
            .map_err(|err| {
                layout::bare_error_page(
                    StatusCode::BAD_REQUEST,
                    "The form could not be read",
                    &format!("Go back and check what you typed: {err}."),
                )
            })
    }
}

/// Query-string parameters read leniently: a malformed query string reads
/// as the defaults rather than failing the page.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned + Default, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        Ok(Params(
            serde_urlencoded::from_str(query).unwrap_or_default(),
        ))
    }
}
