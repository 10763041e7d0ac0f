//! Who is calling: sign-up, login, sessions and tokens, and the login
//! throttle. Secrets are random 256-bit tokens; the store keeps only their
//! SHA-256, so a leaked store cannot be replayed.

use crate::permissions::{self, Permission};
use crate::{App, AppError, AppResult, validate};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sluice_store::{
    AuthToken, Outcome, Principal, PrincipalKind, ProjectRole, TokenKind, WorkspaceRole, now_ms,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The authenticated principal behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    /// The session or token used (absent for the system bot acting alone).
    pub token: Option<AuthToken>,
}

impl Caller {
    pub fn id(&self) -> i64 {
        self.principal.id
    }

    pub fn role(&self) -> WorkspaceRole {
        self.principal.role
    }

    /// The system bot, for automatic actions.
    pub fn system(principal: Principal) -> Caller {
        Caller {
            principal,
            token: None,
        }
    }

    /// Whether the caller holds `permission` everywhere (not only through a
    /// project), e.g. to see every project rather than their own.
    pub fn can_everywhere(&self, permission: Permission) -> bool {
        permissions::workspace_grants(self.role(), permission)
    }
}

/// A freshly issued secret and who it belongs to. The token is shown once.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub principal: Principal,
}

/// Slows down guessing: after `FREE_FAILURES` failed logins for one email,
/// each further attempt must wait twice as long as the last, up to 15
/// minutes. Kept in memory: a restart forgives, which is acceptable for a
/// throttle whose job is to make online guessing slow.
#[derive(Debug, Clone, Default)]
pub struct LoginThrottle {
    failures: Arc<Mutex<HashMap<String, (u32, Instant)>>>,
}

const FREE_FAILURES: u32 = 5;

impl LoginThrottle {
    /// How long `email` must still wait before trying again.
    pub fn wait(&self, email: &str) -> Option<Duration> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let (count, last) = failures.get(email)?;
        if *count < FREE_FAILURES {
            return None;
        }
        let penalty = Duration::from_secs(1u64 << (count - FREE_FAILURES).min(10))
            .min(Duration::from_secs(900));
        penalty.checked_sub(last.elapsed())
    }

    fn failed(&self, email: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let entry = failures
            .entry(email.to_string())
            .or_insert((0, Instant::now()));
        *entry = (entry.0 + 1, Instant::now());
    }

    fn succeeded(&self, email: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(email);
    }
}

pub(crate) fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hash a password with argon2id off the async threads (it is slow on purpose).
pub(crate) async fn hash_password(password: &str) -> AppResult<String> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("hash password: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the email is unknown, so that a wrong
/// email and a wrong password take the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2x1aWNlLWR1bW15LXNhbHQ$4ksf6kHvnXbqFNXtTBzN7bY/MOnHZ0q7Nqw0SB0WnkI";

impl App {
    /// Sign up. The first person becomes workspace Owner; afterwards only
    /// while an Owner keeps sign-up open.
    pub async fn sign_up(&self, email: &str, password: &str, name: &str) -> AppResult<Session> {
        let email = validate::email("email", email)?;
        validate::password("password", password)?;
        let name = validate::title("name", name)?;
        let hash = hash_password(password).await?;
        let principal = self
            .store
            .sign_up(&email, &name, &hash)
            .await
            .map_err(|e| match e {
                sluice_store::StoreError::FailedPrecondition(why) => {
                    AppError::PermissionDenied(why)
                }
                other => other.into(),
            })?;
        let session = self.issue_session(principal).await?;
        let caller = Caller {
            principal: session.principal.clone(),
            token: None,
        };
        self.record(
            &caller,
            "auth.signup",
            &format!("users/{}", caller.id()),
            Outcome::Success,
            serde_json::json!({"email": email, "role": caller.role()}),
        )
        .await;
        Ok(session)
    }

    /// Log in with email and password. Unknown email, wrong password and a
    /// deactivated account all answer the same, after the same work.
    pub async fn log_in(&self, email: &str, password: &str) -> AppResult<Session> {
        let email = email.trim().to_lowercase();
        if email.is_empty() {
            return Err(AppError::invalid("email", "must not be empty"));
        }
        if password.is_empty() {
            return Err(AppError::invalid("password", "must not be empty"));
        }
        if let Some(wait) = self.throttle.wait(&email) {
            return Err(AppError::TooManyRequests(format!(
                "too many failed logins for {email}: try again in {} s",
                wait.as_secs().max(1)
            )));
        }
        let principal = self.store.principal_by_email(&email).await?;
        let hash = principal
            .as_ref()
            .and_then(|p| p.password_hash.clone())
            .unwrap_or_else(|| DUMMY_HASH.to_string());
        let password_ok = verify_password(password, &hash).await;
        match principal {
            Some(p) if password_ok && p.active && p.kind == PrincipalKind::EndUser => {
                self.throttle.succeeded(&email);
                self.issue_session(p).await
            }
            _ => {
                self.throttle.failed(&email);
                Err(AppError::Unauthenticated("wrong email or password".into()))
            }
        }
    }

    async fn issue_session(&self, principal: Principal) -> AppResult<Session> {
        let token = random_token("sls_");
        let csrf_token = random_token("");
        let expires = now_ms() + self.config.session_ttl.as_millis() as i64;
        self.store
            .insert_token(
                &token_hash(&token),
                principal.id,
                TokenKind::Session,
                &csrf_token,
                Some(expires),
            )
            .await?;
        Ok(Session {
            token,
            csrf_token,
            principal,
        })
    }

    /// Issue a long-lived token for a service account.
    pub(crate) async fn issue_service_token(&self, principal: Principal) -> AppResult<Session> {
        let token = random_token("slt_");
        self.store
            .insert_token(
                &token_hash(&token),
                principal.id,
                TokenKind::ServiceAccount,
                "",
                None,
            )
            .await?;
        Ok(Session {
            token,
            csrf_token: String::new(),
            principal,
        })
    }

    /// End the session or token.
    pub async fn log_out(&self, caller: &Caller) -> AppResult<()> {
        if let Some(token) = &caller.token {
            self.store.delete_token(&token.token_hash).await?;
        }
        Ok(())
    }

    /// Who holds this token, if it is valid and its principal active.
    pub async fn authenticate(&self, token: &str) -> AppResult<Caller> {
        let invalid = || {
            AppError::Unauthenticated("the token is invalid or has expired: log in again".into())
        };
        if token.is_empty() || token.len() > 200 {
            return Err(invalid());
        }
        let stored = self
            .store
            .token(&token_hash(token))
            .await?
            .ok_or_else(invalid)?;
        let principal = self.store.principal(stored.principal_id).await?;
        if !principal.active {
            return Err(AppError::Unauthenticated(
                "this account is deactivated".into(),
            ));
        }
        Ok(Caller {
            principal,
            token: Some(stored),
        })
    }

    /// The caller's role in a project, if any.
    pub async fn project_role(
        &self,
        caller: &Caller,
        project: &str,
    ) -> AppResult<Option<ProjectRole>> {
        Ok(self.store.project_role(project, caller.id()).await?)
    }

    /// Check a permission, workspace-wide or inside `project`. Denials are
    /// audited (they are what an intrusion looks like).
    pub async fn authorize(
        &self,
        caller: &Caller,
        permission: Permission,
        project: Option<&str>,
    ) -> AppResult<()> {
        if permissions::workspace_grants(caller.role(), permission) {
            return Ok(());
        }
        let project_role = match project {
            Some(p) => self.store.project_role(p, caller.id()).await?,
            None => None,
        };
        if permissions::allows(caller, permission, project_role) {
            return Ok(());
        }
        let resource = project.map(|p| format!("projects/{p}")).unwrap_or_default();
        self.record(
            caller,
            permission.name(),
            &resource,
            Outcome::Denied,
            serde_json::json!({}),
        )
        .await;
        Err(AppError::PermissionDenied(format!(
            "you do not have permission {}",
            permission.name()
        )))
    }
}
