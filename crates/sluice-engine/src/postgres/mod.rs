//! PostgreSQL 12 and newer.

mod execute;
mod explain;
mod inspect;

use crate::error::{timeout, transport_error};

use crate::{
    ConnectionConfig, CreateDatabaseOptions, EngineError, EngineKind, ErrorKind, ServerInfo, Tls,
};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgSslMode};
use sqlx::{AssertSqlSafe, Connection};

/// Oldest supported server (server_version_num).
const MIN_VERSION_NUM: i32 = 120000;

/// User databases: templates and those refusing connections are left out.
const LIST_DATABASES: &str = "SELECT datname::text FROM pg_database \
     WHERE datallowconn AND NOT datistemplate ORDER BY datname";

#[derive(Debug, Clone)]
pub struct Postgres {
    config: ConnectionConfig,
}

impl Postgres {
    pub fn new(config: ConnectionConfig) -> Postgres {
        Postgres { config }
    }

    fn target(&self) -> String {
        format!("PostgreSQL at {}:{}", self.config.host, self.config.port)
    }

    /// One connection to `database` (the configured one when empty, else `postgres`).
    pub(crate) async fn connect(
        &self,
        database: Option<&str>,
    ) -> Result<PgConnection, EngineError> {
        let c = &self.config;
        let database = database
            .filter(|d| !d.is_empty())
            .unwrap_or(if c.database.is_empty() {
                "postgres"
            } else {
                &c.database
            });
        let ssl = match c.effective_tls() {
            Tls::Disable => PgSslMode::Disable,
            Tls::Prefer => PgSslMode::Prefer,
            Tls::Require => PgSslMode::Require,
        };
        let options = PgConnectOptions::new_without_pgpass()
            .host(&c.host)
            .port(c.port)
            .username(&c.username)
            .password(&c.password)
            .database(database)
            .ssl_mode(ssl)
            .application_name("sluice");
        match tokio::time::timeout(c.connect_timeout, PgConnection::connect_with(&options)).await {
            Ok(Ok(conn)) => Ok(conn),
            Ok(Err(err)) => Err(self.error(err)),
            Err(_) => Err(timeout(&self.target(), c.connect_timeout)),
        }
    }

    /// Sort a sqlx error by SQLSTATE.
    pub(crate) fn error(&self, err: sqlx::Error) -> EngineError {
        if let Some(e) = transport_error(&err, &self.target()) {
            return e;
        }
        match &err {
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                let kind = match code.as_str() {
                    "28P01" | "28000" => ErrorKind::AuthenticationFailed,
                    "3D000" => ErrorKind::DatabaseMissing,
                    "42501" => ErrorKind::PermissionDenied,
                    "57014" => ErrorKind::StatementTimeout,
                    "55P03" => ErrorKind::LockTimeout,
                    "57P01" | "57P02" | "57P03" | "08006" | "08003" => ErrorKind::ConnectionLost,
                    _ => ErrorKind::Query,
                };
                EngineError::with_code(kind, db.message().to_string(), code)
            }
            other => EngineError::new(ErrorKind::Other, other.to_string()),
        }
    }

    pub async fn test(&self) -> Result<ServerInfo, EngineError> {
        let mut conn = self.connect(None).await?;
        let (num, version): (String, String) = sqlx::query_as(
            "SELECT current_setting('server_version_num'), current_setting('server_version')",
        )
        .fetch_one(&mut conn)
        .await
        .map_err(|e| self.error(e))?;
        let _ = conn.close().await;
        let num: i32 = num.parse().unwrap_or(0);
        if num < MIN_VERSION_NUM {
            return Err(EngineError::new(
                ErrorKind::UnsupportedVersion,
                format!(
                    "PostgreSQL {version} is not supported: Sluice needs PostgreSQL 12 or newer"
                ),
            ));
        }
        Ok(ServerInfo {
            flavor: EngineKind::Postgres,
            version,
        })
    }

    pub async fn list_databases(&self) -> Result<Vec<String>, EngineError> {
        let mut conn = self.connect(None).await?;
        let names = sqlx::query_scalar(LIST_DATABASES)
            .fetch_all(&mut conn)
            .await
            .map_err(|e| self.error(e))?;
        let _ = conn.close().await;
        Ok(names)
    }

    pub async fn create_database(
        &self,
        name: &str,
        options: &CreateDatabaseOptions,
    ) -> Result<(), EngineError> {
        let sql = create_database_sql(name, options)?;
        let mut conn = self.connect(None).await?;
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .map_err(|e| self.error(e))?;
        let _ = conn.close().await;
        Ok(())
    }
}

/// CREATE DATABASE with quoted names and literals; MySQL options refused.
fn create_database_sql(name: &str, o: &CreateDatabaseOptions) -> Result<String, EngineError> {
    check_name("name", name)?;
    if o.charset.is_some() || o.collation.is_some() {
        return Err(EngineError::new(
            ErrorKind::InvalidInput,
            "charset and collation are MySQL options: for PostgreSQL use encoding and locale",
        ));
    }
    let mut sql = format!("CREATE DATABASE {}", quote_ident(name));
    if let Some(owner) = &o.owner {
        check_name("owner", owner)?;
        sql.push_str(&format!(" OWNER {}", quote_ident(owner)));
    }
    if let Some(template) = &o.template {
        check_name("template", template)?;
        sql.push_str(&format!(" TEMPLATE {}", quote_ident(template)));
    }
    if let Some(encoding) = &o.encoding {
        check_word("encoding", encoding)?;
        sql.push_str(&format!(" ENCODING {}", quote_literal(encoding)));
    }
    if let Some(locale) = &o.locale {
        check_word("locale", locale)?;
        sql.push_str(&format!(
            " LC_COLLATE {0} LC_CTYPE {0}",
            quote_literal(locale)
        ));
    }
    Ok(sql)
}

fn check_name(field: &str, name: &str) -> Result<(), EngineError> {
    if name.is_empty() || name.len() > 63 || name.contains('\0') {
        return Err(EngineError::new(
            ErrorKind::InvalidInput,
            format!("{field}: must be 1 to 63 bytes without NUL"),
        ));
    }
    Ok(())
}

/// Encodings and locales: letters, digits, and `_ - . @`.
fn check_word(field: &str, value: &str) -> Result<(), EngineError> {
    if value.is_empty()
        || value.len() > 64
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.@".contains(c))
    {
        return Err(EngineError::new(
            ErrorKind::InvalidInput,
            format!("{field}: {value:?} is not a valid value"),
        ));
    }
    Ok(())
}

pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_database_quotes_and_refuses_foreign_options() {
        let o = CreateDatabaseOptions {
            owner: Some("app".into()),
            encoding: Some("UTF8".into()),
            template: Some("template0".into()),
            locale: Some("C".into()),
            ..Default::default()
        };
        assert_eq!(
            create_database_sql("my\"db", &o).unwrap(),
            r#"CREATE DATABASE "my""db" OWNER "app" TEMPLATE "template0" ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"#
        );
        let mysqlish = CreateDatabaseOptions {
            charset: Some("utf8mb4".into()),
            ..Default::default()
        };
        assert_eq!(
            create_database_sql("x", &mysqlish).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
        let evil = CreateDatabaseOptions {
            encoding: Some("UTF8'; DROP".into()),
            ..Default::default()
        };
        assert_eq!(
            create_database_sql("x", &evil).unwrap_err().kind,
            ErrorKind::InvalidInput
        );
    }
}
