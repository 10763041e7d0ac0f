//! Sluice use cases, shared by the HTTP server (API and UI) and the CLI.
//!
//! Every use case takes the [`Caller`] first, checks its permission through
//! [`permissions::allows`] (the one place access is decided), validates its
//! input naming the bad field, does the work through the store, and writes
//! the audit log through [`App::audited`] (the one place mutations are
//! recorded). Handlers stay thin: parse, call, render.

mod audit;
mod background;
mod databases;
pub mod drift;
mod environments;
mod error;
mod identity;
mod instances;
pub mod issues;
pub mod permissions;
mod projects;
pub mod review;
pub mod schema_sync;
pub mod secrets;
mod sync;
mod users;
pub mod validate;

pub use drift::DriftView;
pub use environments::PolicyPatch;
pub use error::{AppError, AppResult};
pub use identity::{Caller, LoginThrottle, Session};
pub use instances::{DataSourceInput, InstanceInput, InstancePatch};
pub use permissions::Permission;
pub use review::{
    ResolvedReview, ReviewConfigDetail, ReviewConfigSummary, ReviewSource, RulePatch, RuleSetting,
};
pub use secrets::SecretBox;
/// The lint engine, for callers that show rules (the server's review pages).
pub use sluice_lint;
pub use sync::{ConnectionVerdict, DatabaseSchema, SyncReport};

use sluice_store::Store;
use std::time::Duration;

/// Settings the use cases need.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a login session lasts.
    pub session_ttl: Duration,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            session_ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// The use cases over one store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    secrets: SecretBox,
    config: AppConfig,
    throttle: LoginThrottle,
    /// Poked when work may be ready for the runner.
    runner_signal: std::sync::Arc<tokio::sync::Notify>,
}

impl App {
    pub fn new(store: Store, secrets: SecretBox, config: AppConfig) -> App {
        App {
            store,
            secrets,
            config,
            throttle: LoginThrottle::default(),
            runner_signal: Default::default(),
        }
    }

    pub fn config(&self) -> &AppConfig {
        &self.config
    }
}
