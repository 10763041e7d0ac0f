//! In-process harness for API tests: the real router over a fresh
//! in-memory store, and a small request helper.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use sluice_app::{App, AppConfig, SecretBox};
use sluice_server::{AppState, router};
use sluice_store::{NewPrincipal, PrincipalKind, ProjectRole, Store, TokenKind, WorkspaceRole};
use tower::ServiceExt;

pub struct Harness {
    pub router: axum::Router,
    pub app: App,
}

pub struct Reply {
    pub status: StatusCode,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl Harness {
    pub async fn new() -> Harness {
        let store = Store::open_sqlite_memory().await.expect("store");
        Harness::on(store).await
    }

    pub async fn on(store: Store) -> Harness {
        let secrets = SecretBox::from_base64(&SecretBox::generate_key()).unwrap();
        let app = App::new(store, secrets, AppConfig::default());
        let router = router(AppState::new(app.clone(), false));
        Harness { router, app }
    }

    /// Send a request with an optional bearer token and a body given as
    /// raw bytes (so tests can send broken JSON).
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(path);
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let response = self
            .router
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        match body {
            Some(body) => {
                self.raw(
                    method,
                    path,
                    token,
                    Some("application/json"),
                    body.to_string().into_bytes(),
                )
                .await
            }
            None => self.raw(method, path, token, None, Vec::new()).await,
        }
    }

    /// Sign up the first user (the workspace Owner) and return its token.
    pub async fn owner(&self) -> String {
        let reply = self
            .call("POST", "/v1/auth/signup", None, Some(serde_json::json!({"email": "owner@example.com", "password": "owner-pass-1", "name": "Olive Owner"})))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.json()["token"].as_str().unwrap().to_string()
    }

    /// A principal made straight in the store with a known token (no
    /// password hashing, so fixtures stay fast).
    pub async fn principal(
        &self,
        kind: PrincipalKind,
        email: &str,
        role: WorkspaceRole,
        expires_at: Option<i64>,
    ) -> (i64, String) {
        let new = NewPrincipal {
            kind,
            email: email.into(),
            name: email.into(),
            password_hash: None,
            role,
        };
        let principal = self.app.store.create_principal(&new).await.unwrap();
        let token = format!("test-token-{email}");
        let hash = hex_sha256(&token);
        let kind = if kind == PrincipalKind::ServiceAccount {
            TokenKind::ServiceAccount
        } else {
            TokenKind::Session
        };
        self.app
            .store
            .insert_token(&hash, principal.id, kind, "csrf", expires_at)
            .await
            .unwrap();
        (principal.id, token)
    }

    pub async fn member(&self, project: &str, principal: i64, role: ProjectRole) {
        self.app
            .store
            .set_project_member(project, principal, role)
            .await
            .unwrap();
    }
}

fn hex_sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
