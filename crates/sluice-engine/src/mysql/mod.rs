//! MySQL 8 and MariaDB 10.6 and newer; the flavour is detected from the
//! server's version string.

mod execute;
mod explain;
mod inspect;

use crate::error::{timeout, transport_error};

use crate::{
    ConnectionConfig, CreateDatabaseOptions, EngineError, EngineKind, ErrorKind, ServerInfo, Tls,
};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlDatabaseError, MySqlSslMode};
use sqlx::{AssertSqlSafe, Connection};

/// User databases: the server's own schemas and Sluice's history database
/// are left out.
const LIST_DATABASES: &str = "SELECT CAST(SCHEMA_NAME AS CHAR) FROM information_schema.SCHEMATA \
     WHERE SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys', 'sluice') \
     ORDER BY SCHEMA_NAME";

#[derive(Debug, Clone)]
pub struct Mysql {
    config: ConnectionConfig,
}

impl Mysql {
    pub fn new(config: ConnectionConfig) -> Mysql {
        Mysql { config }
    }

    fn target(&self) -> String {
        let what = if self.config.kind == EngineKind::Mariadb {
            "MariaDB"
        } else {
            "MySQL"
        };
        format!("{what} at {}:{}", self.config.host, self.config.port)
    }

    /// One connection, to `database` or the configured one (none if empty).
    pub(crate) async fn connect(
        &self,
        database: Option<&str>,
    ) -> Result<MySqlConnection, EngineError> {
        let c = &self.config;
        let ssl = match c.effective_tls() {
            Tls::Disable => MySqlSslMode::Disabled,
            Tls::Prefer => MySqlSslMode::Preferred,
            Tls::Require => MySqlSslMode::Required,
        };
        let mut options = MySqlConnectOptions::new()
            .host(&c.host)
            .port(c.port)
            .username(&c.username)
            .ssl_mode(ssl)
            .charset("utf8mb4");
        // An empty password must not be sent as one: the server tells them apart.
        if !c.password.is_empty() {
            options = options.password(&c.password);
        }
        let database = database.unwrap_or(&c.database);
        if !database.is_empty() {
            options = options.database(database);
        }
        match tokio::time::timeout(c.connect_timeout, MySqlConnection::connect_with(&options)).await
        {
            Ok(Ok(conn)) => Ok(conn),
            Ok(Err(err)) => Err(self.error(err)),
            Err(_) => Err(timeout(&self.target(), c.connect_timeout)),
        }
    }

    /// Sort a sqlx error by the server's error number.
    pub(crate) fn error(&self, err: sqlx::Error) -> EngineError {
        if let Some(e) = transport_error(&err, &self.target()) {
            return e;
        }
        match &err {
            sqlx::Error::Database(db) => {
                let number = db
                    .try_downcast_ref::<MySqlDatabaseError>()
                    .map(|e| e.number())
                    .unwrap_or(0);
                let kind = match number {
                    1045 | 1698 => ErrorKind::AuthenticationFailed,
                    1049 => ErrorKind::DatabaseMissing,
                    1044 | 1142 | 1143 | 1227 | 1370 => ErrorKind::PermissionDenied,
                    3024 | 1969 => ErrorKind::StatementTimeout,
                    1205 => ErrorKind::LockTimeout,
                    2006 | 2013 => ErrorKind::ConnectionLost,
                    _ => ErrorKind::Query,
                };
                EngineError::with_code(kind, db.message().to_string(), number.to_string())
            }
            other => EngineError::new(ErrorKind::Other, other.to_string()),
        }
    }

    pub async fn test(&self) -> Result<ServerInfo, EngineError> {
        let mut conn = self.connect(None).await?;
        let version: String = sqlx::query_scalar("SELECT CAST(VERSION() AS CHAR)")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| self.error(e))?;
        let _ = conn.close().await;
        let flavor = if version.to_ascii_lowercase().contains("mariadb") {
            EngineKind::Mariadb
        } else {
            EngineKind::Mysql
        };
        check_version(flavor, &version)?;
        Ok(ServerInfo { flavor, version })
    }

    pub async fn list_databases(&self) -> Result<Vec<String>, EngineError> {
        let mut conn = self.connect(Some("")).await?;
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
        let mut conn = self.connect(Some("")).await?;
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .map_err(|e| self.error(e))?;
        let _ = conn.close().await;
        Ok(())
    }
}

/// MySQL 8.0+ and MariaDB 10.6+.
fn check_version(flavor: EngineKind, version: &str) -> Result<(), EngineError> {
    let mut parts = version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let (ok, need) = match flavor {
        EngineKind::Mariadb => ((major, minor) >= (10, 6), "MariaDB 10.6 or newer"),
        _ => (major >= 8, "MySQL 8.0 or newer"),
    };
    if ok {
        Ok(())
    } else {
        Err(EngineError::new(
            ErrorKind::UnsupportedVersion,
            format!("version {version} is not supported: Sluice needs {need}"),
        ))
    }
}

fn create_database_sql(name: &str, o: &CreateDatabaseOptions) -> Result<String, EngineError> {
    if name.is_empty() || name.chars().count() > 64 || name.contains('\0') || name.ends_with(' ') {
        return Err(EngineError::new(
            ErrorKind::InvalidInput,
            "name: must be 1 to 64 characters, not ending in a space",
        ));
    }
    if o.owner.is_some() || o.encoding.is_some() || o.template.is_some() || o.locale.is_some() {
        return Err(EngineError::new(
            ErrorKind::InvalidInput,
            "owner, encoding, template and locale are PostgreSQL options: for MySQL use charset and collation",
        ));
    }
    let mut sql = format!("CREATE DATABASE {}", quote_ident(name));
    for (field, keyword, value) in [
        ("charset", "CHARACTER SET", &o.charset),
        ("collation", "COLLATE", &o.collation),
    ] {
        if let Some(value) = value {
            if value.is_empty()
                || value.len() > 64
                || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(EngineError::new(
                    ErrorKind::InvalidInput,
                    format!("{field}: {value:?} is not a valid name"),
                ));
            }
            sql.push_str(&format!(" {keyword} {value}"));
        }
    }
    Ok(sql)
}

pub(crate) fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(check_version(EngineKind::Mariadb, "10.11.6-MariaDB-0+deb12u1").is_ok());
        assert!(check_version(EngineKind::Mariadb, "10.5.2-MariaDB").is_err());
        assert!(check_version(EngineKind::Mysql, "8.0.36").is_ok());
        assert_eq!(
            check_version(EngineKind::Mysql, "5.7.44").unwrap_err().kind,
            ErrorKind::UnsupportedVersion
        );
    }

    #[test]
    fn create_database_sql_quotes() {
        let o = CreateDatabaseOptions {
            charset: Some("utf8mb4".into()),
            collation: Some("utf8mb4_bin".into()),
            ..Default::default()
        };
        assert_eq!(
            create_database_sql("a`b", &o).unwrap(),
            "CREATE DATABASE `a``b` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        );
        let bad = CreateDatabaseOptions {
            charset: Some("utf8; DROP".into()),
            ..Default::default()
        };
        assert!(create_database_sql("x", &bad).is_err());
    }
}
