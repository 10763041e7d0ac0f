//! A plain session on one database, to run SQL files statement by
//! statement: the engine's own calls each open and close a connection, and
//! a load must keep one session from the first file to the last (settings
//! such as `search_path` carry over).

use sluice_engine::{ConnectionConfig, EngineKind, Tls};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlSslMode};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{AssertSqlSafe, Connection};

/// One connection, of the dev server's engine.
pub(crate) enum Session {
    Postgres(PgConnection),
    Mysql(MySqlConnection, EngineKind),
    Sqlite(SqliteConnection),
}

impl Session {
    pub(crate) async fn open(
        config: &ConnectionConfig,
        database: &str,
    ) -> Result<Session, sqlx::Error> {
        let timeout = config.connect_timeout;
        match config.kind {
            EngineKind::Postgres => {
                let options = PgConnectOptions::new_without_pgpass()
                    .host(&config.host)
                    .port(config.port)
                    .username(&config.username)
                    .password(&config.password)
                    .database(database)
                    .ssl_mode(match config.effective_tls() {
                        Tls::Disable => PgSslMode::Disable,
                        Tls::Prefer => PgSslMode::Prefer,
                        Tls::Require => PgSslMode::Require,
                    })
                    .application_name("sluice diff");
                let conn = within(timeout, PgConnection::connect_with(&options)).await?;
                Ok(Session::Postgres(conn))
            }
            EngineKind::Mysql | EngineKind::Mariadb => {
                let mut options = MySqlConnectOptions::new()
                    .host(&config.host)
                    .port(config.port)
                    .username(&config.username)
                    .charset("utf8mb4")
                    .ssl_mode(match config.effective_tls() {
                        Tls::Disable => MySqlSslMode::Disabled,
                        Tls::Prefer => MySqlSslMode::Preferred,
                        Tls::Require => MySqlSslMode::Required,
                    });
                if !config.password.is_empty() {
                    options = options.password(&config.password);
                }
                if !database.is_empty() {
                    options = options.database(database);
                }
                let conn = within(timeout, MySqlConnection::connect_with(&options)).await?;
                Ok(Session::Mysql(conn, config.kind))
            }
            EngineKind::Sqlite => {
                let options = SqliteConnectOptions::new()
                    .filename(&config.database)
                    .create_if_missing(true)
                    .foreign_keys(true);
                let conn = within(timeout, SqliteConnection::connect_with(&options)).await?;
                Ok(Session::Sqlite(conn))
            }
        }
    }

    pub(crate) fn kind(&self) -> EngineKind {
        match self {
            Session::Postgres(_) => EngineKind::Postgres,
            Session::Mysql(_, kind) => *kind,
            Session::Sqlite(_) => EngineKind::Sqlite,
        }
    }

    pub(crate) async fn run(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        let query = sqlx::raw_sql(AssertSqlSafe(sql.to_string()));
        match self {
            Session::Postgres(c) => query.execute(c).await.map(drop),
            Session::Mysql(c, _) => query.execute(c).await.map(drop),
            Session::Sqlite(c) => query.execute(c).await.map(drop),
        }
    }

    pub(crate) async fn close(self) {
        let _ = match self {
            Session::Postgres(c) => c.close().await,
            Session::Mysql(c, _) => c.close().await,
            Session::Sqlite(c) => c.close().await,
        };
    }
}

/// A connection attempt that gives up after `timeout`.
async fn within<T>(
    timeout: std::time::Duration,
    connect: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, sqlx::Error> {
    tokio::time::timeout(timeout, connect)
        .await
        .unwrap_or_else(|_| {
            Err(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer within {} s", timeout.as_secs()),
            )))
        })
}

/// The server's own words, with its error code when it sent one.
pub(crate) fn server_message(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => format!("[{code}] {}", db.message()),
            None => db.message().to_string(),
        },
        other => other.to_string(),
    }
}
