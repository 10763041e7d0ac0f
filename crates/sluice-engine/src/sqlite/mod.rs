//! SQLite. An instance is either one database file, or a directory whose
//! `*.db`, `*.sqlite` and `*.sqlite3` files are its databases (named by
//! file stem); new databases are created as `<name>.db` in the directory.

mod execute;
mod explain;
mod inspect;

use crate::{
    ConnectionConfig, CreateDatabaseOptions, EngineError, EngineKind, ErrorKind, ServerInfo,
};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use std::path::{Path, PathBuf};

const EXTENSIONS: &[&str] = &["db", "sqlite", "sqlite3"];

#[derive(Debug, Clone)]
pub struct Sqlite {
    config: ConnectionConfig,
}

impl Sqlite {
    pub fn new(config: ConnectionConfig) -> Sqlite {
        Sqlite { config }
    }

    fn root(&self) -> &Path {
        Path::new(&self.config.database)
    }

    fn missing(&self) -> EngineError {
        EngineError::new(
            ErrorKind::DatabaseMissing,
            format!("{} does not exist", self.root().display()),
        )
    }

    /// The file of database `name`.
    pub(crate) fn path_of(&self, name: &str) -> Result<PathBuf, EngineError> {
        let root = self.root();
        if root.is_dir() {
            check_name(name)?;
            EXTENSIONS
                .iter()
                .map(|ext| root.join(format!("{name}.{ext}")))
                .find(|p| p.is_file())
                .ok_or_else(|| {
                    EngineError::new(
                        ErrorKind::DatabaseMissing,
                        format!("no database {name} in {}", root.display()),
                    )
                })
        } else if root.is_file() && stem(root).as_deref() == Some(name) {
            Ok(root.to_path_buf())
        } else if root.is_file() {
            Err(EngineError::new(
                ErrorKind::DatabaseMissing,
                format!(
                    "{} holds only database {}",
                    root.display(),
                    stem(root).unwrap_or_default()
                ),
            ))
        } else {
            Err(self.missing())
        }
    }

    pub(crate) async fn connect_file(&self, path: &Path) -> Result<SqliteConnection, EngineError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(false)
            .foreign_keys(true);
        let fut = SqliteConnection::connect_with(&options);
        match tokio::time::timeout(self.config.connect_timeout, fut).await {
            Ok(Ok(conn)) => Ok(conn),
            Ok(Err(err)) => Err(error(err, path)),
            Err(_) => Err(EngineError::new(
                ErrorKind::Unreachable,
                format!("{} is locked or unreadable", path.display()),
            )),
        }
    }

    pub async fn test(&self) -> Result<ServerInfo, EngineError> {
        let root = self.root();
        if self.config.database.is_empty() {
            return Err(EngineError::new(
                ErrorKind::InvalidInput,
                "database: give the path of a SQLite file or directory",
            ));
        }
        if root.is_dir() {
            std::fs::read_dir(root).map_err(|e| io_error(e, root))?;
        } else if !root.is_file() {
            return Err(self.missing());
        }
        // The library's version is the one that will read the files.
        let mut conn = SqliteConnection::connect("sqlite::memory:")
            .await
            .map_err(|e| error(e, root))?;
        let version: String = sqlx::query_scalar("SELECT sqlite_version()")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| error(e, root))?;
        let _ = conn.close().await;
        if root.is_file() {
            let mut conn = self.connect_file(root).await?;
            sqlx::query("SELECT count(*) FROM sqlite_master")
                .execute(&mut conn)
                .await
                .map_err(|e| error(e, root))?;
            let _ = conn.close().await;
        }
        Ok(ServerInfo {
            flavor: EngineKind::Sqlite,
            version,
        })
    }

    pub async fn list_databases(&self) -> Result<Vec<String>, EngineError> {
        let root = self.root();
        if root.is_file() {
            return Ok(stem(root).into_iter().collect());
        }
        if !root.is_dir() {
            return Err(self.missing());
        }
        let mut names: Vec<String> = std::fs::read_dir(root)
            .map_err(|e| io_error(e, root))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|p| {
                p.is_file()
                    && p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| EXTENSIONS.contains(&e))
            })
            .filter_map(|p| stem(&p))
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    pub async fn create_database(
        &self,
        name: &str,
        options: &CreateDatabaseOptions,
    ) -> Result<(), EngineError> {
        if *options != CreateDatabaseOptions::default() {
            return Err(EngineError::new(
                ErrorKind::InvalidInput,
                "SQLite databases take no options",
            ));
        }
        check_name(name)?;
        let root = self.root();
        if !root.is_dir() {
            return Err(EngineError::new(
                ErrorKind::InvalidInput,
                format!(
                    "{} is not a directory: a SQLite instance that is one file holds one database",
                    root.display()
                ),
            ));
        }
        if self.path_of(name).is_ok() {
            return Err(EngineError::new(
                ErrorKind::Query,
                format!("database {name} already exists"),
            ));
        }
        let path = root.join(format!("{name}.db"));
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let mut conn = SqliteConnection::connect_with(&options)
            .await
            .map_err(|e| error(e, &path))?;
        // An empty file is only created on first write.
        sqlx::query("PRAGMA user_version = 0")
            .execute(&mut conn)
            .await
            .map_err(|e| error(e, &path))?;
        let _ = conn.close().await;
        Ok(())
    }
}

fn stem(path: &Path) -> Option<String> {
    path.file_stem()
        .and_then(|s| s.to_str())
        .map(str::to_string)
}

/// Database names become file names: keep them plain.
fn check_name(name: &str) -> Result<(), EngineError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !name.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(EngineError::new(
            ErrorKind::InvalidInput,
            format!("name: {name:?} must be letters, digits, '_' and '-'"),
        ))
    }
}

fn io_error(err: std::io::Error, path: &Path) -> EngineError {
    let kind = match err.kind() {
        std::io::ErrorKind::PermissionDenied => ErrorKind::PermissionDenied,
        std::io::ErrorKind::NotFound => ErrorKind::DatabaseMissing,
        _ => ErrorKind::Other,
    };
    EngineError::new(kind, format!("{}: {err}", path.display()))
}

pub(crate) fn error(err: sqlx::Error, path: &Path) -> EngineError {
    match &err {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.to_string()).unwrap_or_default();
            let kind = match code.as_str() {
                "14" => ErrorKind::DatabaseMissing,       // SQLITE_CANTOPEN
                "3" | "8" => ErrorKind::PermissionDenied, // SQLITE_PERM, SQLITE_READONLY
                "5" | "6" => ErrorKind::LockTimeout,      // SQLITE_BUSY, SQLITE_LOCKED
                "26" => ErrorKind::InvalidInput,          // SQLITE_NOTADB
                _ => ErrorKind::Query,
            };
            let message = if kind == ErrorKind::InvalidInput {
                format!("{} is not a SQLite database", path.display())
            } else {
                db.message().to_string()
            };
            EngineError::with_code(kind, message, code)
        }
        sqlx::Error::Io(io) => io_error(std::io::Error::new(io.kind(), io.to_string()), path),
        other => EngineError::new(ErrorKind::Other, other.to_string()),
    }
}
