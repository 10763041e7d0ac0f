//! Sluice's contact with real databases.
//!
//! One [`Engine`] per kind of server (PostgreSQL, MySQL/MariaDB, SQLite),
//! wired explicitly in [`Engine::new`] — no global registry. Each module
//! connects with its own typed sqlx connection (never a pool: engine work is
//! short, and a pool would keep connections to customer databases open),
//! under a connect timeout, and sorts failures into the kinds a person can
//! act on ([`ErrorKind`]).

mod config;
mod error;
mod mysql;
mod postgres;
mod sqlite;

pub use config::{ConnectionConfig, CreateDatabaseOptions, EngineKind, Tls};
pub use error::{EngineError, ErrorKind};

use serde::Serialize;

/// What the server said about itself when we connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerInfo {
    /// POSTGRES, MYSQL, MARIADB or SQLITE: detected, not configured.
    pub flavor: EngineKind,
    /// The version as the server spells it, e.g. `16.4` or `10.11.6-MariaDB`.
    pub version: String,
}

/// A configured engine for one instance.
#[derive(Debug, Clone)]
pub enum Engine {
    Postgres(postgres::Postgres),
    Mysql(mysql::Mysql),
    Sqlite(sqlite::Sqlite),
}

impl Engine {
    /// The engine for a connection configuration.
    pub fn new(config: ConnectionConfig) -> Engine {
        match config.kind {
            EngineKind::Postgres => Engine::Postgres(postgres::Postgres::new(config)),
            EngineKind::Mysql | EngineKind::Mariadb => Engine::Mysql(mysql::Mysql::new(config)),
            EngineKind::Sqlite => Engine::Sqlite(sqlite::Sqlite::new(config)),
        }
    }

    /// Connect, ask for the version, and check that it is one Sluice supports.
    pub async fn test(&self) -> Result<ServerInfo, EngineError> {
        match self {
            Engine::Postgres(e) => e.test().await,
            Engine::Mysql(e) => e.test().await,
            Engine::Sqlite(e) => e.test().await,
        }
    }

    /// The user databases of the instance, sorted by name (system ones excluded).
    pub async fn list_databases(&self) -> Result<Vec<String>, EngineError> {
        match self {
            Engine::Postgres(e) => e.list_databases().await,
            Engine::Mysql(e) => e.list_databases().await,
            Engine::Sqlite(e) => e.list_databases().await,
        }
    }

    /// Inspect one database into the neutral model, normalized: one bulk
    /// catalog query per object kind, never one per table.
    pub async fn inspect(&self, database: &str) -> Result<sluice_schema::Catalog, EngineError> {
        match self {
            Engine::Postgres(e) => e.inspect(database).await,
            Engine::Mysql(e) => e.inspect(database).await,
            Engine::Sqlite(e) => e.inspect(database).await,
        }
    }

    /// Create a database with the engine's options.
    pub async fn create_database(
        &self,
        name: &str,
        options: &CreateDatabaseOptions,
    ) -> Result<(), EngineError> {
        match self {
            Engine::Postgres(e) => e.create_database(name, options).await,
            Engine::Mysql(e) => e.create_database(name, options).await,
            Engine::Sqlite(e) => e.create_database(name, options).await,
        }
    }
}
