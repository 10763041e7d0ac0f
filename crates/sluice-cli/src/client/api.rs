//! HTTP to the Sluice server: requests, pagination, and the mapping of
//! failures to messages and exit codes that scripts can act on.

use reqwest::{Method, Url};
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// Why a client command failed. Each kind has its own exit code.
#[derive(Debug)]
pub enum Error {
    /// The server answered with a non-2xx status.
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// No usable credentials (exit 3).
    NotLoggedIn(String),
    /// The server could not be reached (exit 3).
    Unreachable { url: String, detail: String },
    /// Bad input found after clap's own checks (exit 2, like clap).
    Usage(String),
    /// Anything else: local files, unexpected answers, a failed issue (exit 1).
    Other(String),
    /// Gave up waiting (`sluice issue wait --timeout`) (exit 4).
    Timeout(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            // A rejected token means "not logged in" as far as a script is concerned.
            Error::Api { status: 401, .. } => 3,
            Error::Api { .. } | Error::Other(_) => 1,
            Error::Usage(_) => 2,
            Error::NotLoggedIn(_) | Error::Unreachable { .. } => 3,
            Error::Timeout(_) => 4,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api {
                status,
                code,
                message,
            } => {
                write!(f, "error: {message} ({code}, HTTP {status})")
            }
            Error::NotLoggedIn(msg)
            | Error::Usage(msg)
            | Error::Other(msg)
            | Error::Timeout(msg) => {
                write!(f, "error: {msg}")
            }
            Error::Unreachable { url, detail } => {
                write!(
                    f,
                    "error: cannot reach the Sluice server at {url}: {detail}"
                )
            }
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// A connection to one server with one token.
pub struct Api {
    http: reqwest::Client,
    base: Url,
    token: Option<String>,
}

impl Api {
    pub fn new(base: &str, token: Option<String>) -> Result<Api> {
        let base = parse_base_url(base)?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("sluice-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Other(format!("cannot set up HTTP: {e}")))?;
        Ok(Api { http, base, token })
    }

    /// The server URL as the user should see it in messages.
    pub fn base(&self) -> &str {
        self.base.as_str().trim_end_matches('/')
    }

    /// `base` + path segments, each percent-encoded (database names may hold
    /// any character).
    fn url(&self, path: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty().extend(path);
        }
        url
    }

    pub async fn send(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut req = self.http.request(method, self.url(path));
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.map_err(|e| Error::Unreachable {
            url: self.base().to_string(),
            detail: root_cause(&e),
        })?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| Error::Unreachable {
            url: self.base().to_string(),
            detail: root_cause(&e),
        })?;
        if status.is_success() {
            if text.trim().is_empty() {
                return Ok(Value::Object(Default::default()));
            }
            return serde_json::from_str(&text).map_err(|e| {
                Error::Other(format!(
                    "the server at {} sent invalid JSON: {e}",
                    self.base()
                ))
            });
        }
        Err(api_error(status.as_u16(), status.canonical_reason(), &text))
    }

    pub async fn get(&self, path: &[&str]) -> Result<Value> {
        self.send(Method::GET, path, &[], None).await
    }

    pub async fn post(&self, path: &[&str], body: &Value) -> Result<Value> {
        self.send(Method::POST, path, &[], Some(body)).await
    }

    pub async fn patch(&self, path: &[&str], body: &Value) -> Result<Value> {
        self.send(Method::PATCH, path, &[], Some(body)).await
    }

    pub async fn put(&self, path: &[&str], body: &Value) -> Result<Value> {
        self.send(Method::PUT, path, &[], Some(body)).await
    }

    pub async fn delete(&self, path: &[&str]) -> Result<Value> {
        self.send(Method::DELETE, path, &[], None).await
    }

    /// Fetches every page of a list and answers the last page's object with
    /// `key` holding all items, so `--json` output keeps the server's shape.
    pub async fn list(&self, path: &[&str], query: &[(&str, String)], key: &str) -> Result<Value> {
        let mut items = Vec::new();
        let mut token = String::new();
        loop {
            let mut q = query.to_vec();
            q.push(("page_size", "1000".to_string()));
            if !token.is_empty() {
                q.push(("page_token", token.clone()));
            }
            let mut page = self.send(Method::GET, path, &q, None).await?;
            if let Some(Value::Array(batch)) = page.get_mut(key).map(Value::take) {
                items.extend(batch);
            }
            let next = page["next_page_token"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            // A server that repeats a token would otherwise loop forever.
            if next.is_empty() || next == token {
                page[key] = Value::Array(items);
                if page.get("next_page_token").is_some() {
                    page["next_page_token"] = Value::String(String::new());
                }
                return Ok(page);
            }
            token = next;
        }
    }
}

/// Accepts `host:port` too, since people type it that way.
pub fn parse_base_url(raw: &str) -> Result<Url> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("http://{raw}")
    };
    let url = Url::parse(&with_scheme)
        .map_err(|e| Error::Usage(format!("invalid server URL {raw:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::Usage(format!(
            "invalid server URL {raw:?}: use http:// or https://"
        )));
    }
    Ok(url)
}

/// Builds the error from the server's `{code, message}`, or from whatever a
/// proxy in between answered instead.
pub fn api_error(status: u16, reason: Option<&str>, body: &str) -> Error {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let code = field("code").unwrap_or_else(|| "http_error".to_string());
    let message = field("message").unwrap_or_else(|| {
        let text = body.trim();
        if text.is_empty() || parsed.is_some() || text.len() > 200 {
            reason.unwrap_or("request failed").to_string()
        } else {
            text.to_string()
        }
    });
    Error::Api {
        status,
        code,
        message,
    }
}

/// reqwest's top-level message is generic; the innermost cause (for example
/// "Connection refused") is what the user needs.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_uses_server_code_and_message() {
        let e = api_error(
            404,
            Some("Not Found"),
            r#"{"code":"not_found","message":"environment \"x\" not found"}"#,
        );
        assert_eq!(
            e.to_string(),
            r#"error: environment "x" not found (not_found, HTTP 404)"#
        );
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn api_error_without_json_falls_back_to_body_or_reason() {
        let e = api_error(502, Some("Bad Gateway"), "upstream down\n");
        assert_eq!(e.to_string(), "error: upstream down (http_error, HTTP 502)");
        let e = api_error(500, Some("Internal Server Error"), "");
        assert_eq!(
            e.to_string(),
            "error: Internal Server Error (http_error, HTTP 500)"
        );
    }

    #[test]
    fn unauthenticated_exits_3() {
        let e = api_error(
            401,
            None,
            r#"{"code":"unauthenticated","message":"bad token"}"#,
        );
        assert_eq!(e.exit_code(), 3);
    }

    #[test]
    fn base_url_accepts_host_port_and_rejects_other_schemes() {
        assert_eq!(
            parse_base_url("localhost:8080").unwrap().as_str(),
            "http://localhost:8080/"
        );
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("http://").is_err());
    }

    #[test]
    fn url_encodes_segments_and_keeps_a_path_prefix() {
        let api = Api::new("http://h:1/sluice/", None).unwrap();
        let url = api.url(&["v1", "instances", "pg", "databases", "a b/c"]);
        assert_eq!(
            url.as_str(),
            "http://h:1/sluice/v1/instances/pg/databases/a%20b%2Fc"
        );
        let api = Api::new("http://h:1", None).unwrap();
        assert_eq!(
            api.url(&["v1", "users", "me"]).as_str(),
            "http://h:1/v1/users/me"
        );
    }
}
