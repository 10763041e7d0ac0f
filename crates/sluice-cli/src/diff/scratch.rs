//! The dev database: where SQL files become a schema Sluice can inspect.
//!
//! Reading a schema out of SQL text would take a parser that knows every
//! statement the server knows. Loading the files into an empty database on
//! a server of the same engine and inspecting that uses the server itself
//! as the parser, so the model is exactly what the files would create. The
//! scratch database gets a unique name and is dropped afterwards whether
//! loading worked or not, and on Ctrl-C; on SQLite it is a temporary file.
//!
//! The files run statement by statement on one session, in autocommit, as
//! `psql` or `mariadb` would run them, and nothing else is written to the
//! dev server (no history: the database is thrown away).

use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, anyhow, bail};
use sluice_engine::{ConnectionConfig, CreateDatabaseOptions, Engine, EngineKind};
use sluice_schema::Catalog;

use super::session::{Session, server_message};
use super::source::{Described, SqlFile, dialect_of, engine_name};

/// Where scratch databases are made.
pub(crate) enum DevServer {
    /// A PostgreSQL, MySQL or MariaDB server.
    Server {
        config: ConnectionConfig,
        url: String,
    },
    /// SQLite: each scratch database is a temporary file.
    Sqlite,
}

impl DevServer {
    /// `postgres://…`, `mysql://…`, `mariadb://…` (the database part may be
    /// left out: scratch databases are created beside it), or `sqlite://`.
    pub(crate) fn parse(text: &str) -> anyhow::Result<DevServer> {
        if text.starts_with("sqlite:") {
            return Ok(DevServer::Sqlite);
        }
        let mut url = url::Url::parse(text).map_err(|_| {
            anyhow!(
                "--dev-url {}: not a server URL; use postgres://…, mysql://…, mariadb://… or sqlite://",
                Described(text)
            )
        })?;
        let named = !url.path().trim_start_matches('/').is_empty();
        if !named {
            // Connect somewhere that always exists; scratch databases are
            // created with their own names.
            url.set_path(if url.scheme().starts_with("postgres") {
                "/postgres"
            } else {
                "/mysql"
            });
        }
        let (mut config, _) = crate::inspect::parse(url.as_str())
            .with_context(|| format!("--dev-url {}", Described(text)))?;
        if !named && config.kind != EngineKind::Postgres {
            config.database.clear();
        }
        Ok(DevServer::Server {
            config,
            url: text.to_string(),
        })
    }

    pub(crate) fn kind(&self) -> EngineKind {
        match self {
            DevServer::Server { config, .. } => config.kind,
            DevServer::Sqlite => EngineKind::Sqlite,
        }
    }

    /// The schema `files` create: loaded into a new scratch database,
    /// inspected, and the scratch database dropped.
    pub(crate) async fn inspect(&self, files: &[SqlFile]) -> anyhow::Result<Catalog> {
        let interrupted = async {
            let _ = tokio::signal::ctrl_c().await;
            Err(anyhow!("interrupted"))
        };
        match self {
            DevServer::Sqlite => {
                let dir = tempfile::Builder::new()
                    .prefix("sluice-dev-")
                    .tempdir()
                    .context("cannot create a temporary directory for the SQLite dev database")?;
                let mut config = ConnectionConfig::new(EngineKind::Sqlite);
                config.database = dir.path().join("scratch.db").to_string_lossy().into_owned();
                // The directory, and the file in it, go when `dir` drops.
                tokio::select! {
                    catalog = load_and_inspect(&config, "scratch", files) => catalog,
                    err = interrupted => err,
                }
            }
            DevServer::Server { config, url } => {
                let engine = Engine::new(config.clone());
                let server = engine.test().await.with_context(|| {
                    format!("cannot use the dev database server {}", Described(url))
                })?;
                let name = scratch_name();
                engine
                    .create_database(&name, &CreateDatabaseOptions::default())
                    .await
                    .with_context(|| {
                        format!(
                            "cannot create scratch database {name} on the dev server {}",
                            Described(url)
                        )
                    })?;
                let outcome = tokio::select! {
                    catalog = load_and_inspect(config, &name, files) => catalog,
                    err = interrupted => err,
                };
                if let Err(err) = drop_database(config, &name, &server.version).await {
                    eprintln!(
                        "warning: could not drop scratch database {name} on {}: {err}; drop it by hand",
                        Described(url)
                    );
                }
                outcome
            }
        }
    }
}

/// Unique per run and per side: the process id, the time, and a counter
/// for the two sides of one run.
fn scratch_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!(
        "sluice_dev_{}_{millis}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn load_and_inspect(
    config: &ConnectionConfig,
    database: &str,
    files: &[SqlFile],
) -> anyhow::Result<Catalog> {
    let mut session = Session::open(config, database)
        .await
        .with_context(|| format!("cannot connect to scratch database {database}"))?;
    let loaded = load(&mut session, dialect_of(config.kind), files).await;
    session.close().await;
    loaded?;
    let mut config = config.clone();
    if config.kind != EngineKind::Sqlite {
        config.database = database.to_string();
    }
    Engine::new(config)
        .inspect(database)
        .await
        .with_context(|| format!("cannot inspect scratch database {database}"))
}

/// Runs every statement of every file, in order; the first failure names
/// the file, the statement's line and the server's message.
async fn load(
    session: &mut Session,
    dialect: sluice_schema::Dialect,
    files: &[SqlFile],
) -> anyhow::Result<()> {
    for file in files {
        let path = file.path.display();
        let statements = sluice_sql::split(dialect, &file.text)
            .map_err(|e| anyhow!("{path}: cannot split into statements: {e}"))?;
        for statement in statements {
            if let Err(err) = session.run(&statement.text).await {
                bail!(
                    "{path}:{}:{}: the {} dev server refused the statement: {}\n  {}",
                    statement.start_line,
                    statement.start_column,
                    engine_name(session.kind()),
                    server_message(&err),
                    first_line(&statement.text)
                );
            }
        }
    }
    Ok(())
}

fn first_line(sql: &str) -> String {
    let line = sql.lines().next().unwrap_or_default();
    if line.len() < sql.len() {
        format!("{line} …")
    } else {
        line.to_string()
    }
}

/// Drops a scratch database; on PostgreSQL 13+ `WITH (FORCE)` ends any
/// session an interrupted load left behind.
async fn drop_database(
    config: &ConnectionConfig,
    name: &str,
    version: &str,
) -> Result<(), sqlx::Error> {
    let maintenance = config.database.clone();
    let mut session = Session::open(config, &maintenance).await?;
    let sql = match config.kind {
        EngineKind::Postgres => {
            let major: u32 = version
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or(0);
            let force = if major >= 13 { " WITH (FORCE)" } else { "" };
            format!("DROP DATABASE IF EXISTS \"{name}\"{force}")
        }
        _ => format!("DROP DATABASE IF EXISTS `{name}`"),
    };
    let dropped = session.run(&sql).await;
    session.close().await;
    dropped
}
