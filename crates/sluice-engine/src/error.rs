use serde::Serialize;
use thiserror::Error;

/// What went wrong, sorted so the UI can explain it and a person can act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorKind {
    /// Nothing answers at host:port (refused, no route, DNS, timeout).
    Unreachable,
    /// The TLS handshake failed or TLS was required and not offered.
    Tls,
    /// Wrong user name or password.
    AuthenticationFailed,
    /// The database (or SQLite file) does not exist.
    DatabaseMissing,
    /// The user may not do this.
    PermissionDenied,
    /// The server is a version Sluice does not support.
    UnsupportedVersion,
    /// A statement took longer than the statement timeout.
    StatementTimeout,
    /// A lock was not granted within the lock timeout.
    LockTimeout,
    /// The input was refused before reaching the server.
    InvalidInput,
    /// The server refused a statement (see code and message).
    Query,
    /// The connection broke while in use.
    ConnectionLost,
    Other,
}

/// An engine failure with the server's own code and message where it gave one.
#[derive(Debug, Clone, Error, Serialize)]
#[error("{message}")]
pub struct EngineError {
    pub kind: ErrorKind,
    pub message: String,
    /// SQLSTATE (PostgreSQL) or error number (MySQL), when the server sent one.
    pub code: Option<String>,
}

impl EngineError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> EngineError {
        EngineError {
            kind,
            message: message.into(),
            code: None,
        }
    }

    pub(crate) fn with_code(
        kind: ErrorKind,
        message: impl Into<String>,
        code: impl Into<String>,
    ) -> EngineError {
        EngineError {
            kind,
            message: message.into(),
            code: Some(code.into()),
        }
    }
}

/// Sort an I/O or protocol failure from sqlx (the engine modules sort
/// database errors themselves, by code).
pub(crate) fn transport_error(err: &sqlx::Error, target: &str) -> Option<EngineError> {
    match err {
        sqlx::Error::Io(io) => {
            use std::io::ErrorKind as Io;
            let kind = match io.kind() {
                Io::ConnectionReset
                | Io::ConnectionAborted
                | Io::BrokenPipe
                | Io::UnexpectedEof => ErrorKind::ConnectionLost,
                _ => ErrorKind::Unreachable,
            };
            let what = match kind {
                ErrorKind::ConnectionLost => "the server closed the connection",
                _ => "cannot reach",
            };
            Some(EngineError::new(kind, format!("{what} {target}: {io}")))
        }
        sqlx::Error::Tls(tls) => Some(EngineError::new(
            ErrorKind::Tls,
            format!("TLS with {target} failed: {tls}"),
        )),
        // Something answered, but not in the engine's protocol: the wrong port or service.
        sqlx::Error::Protocol(p) => Some(EngineError::new(
            ErrorKind::Unreachable,
            format!("what answers is not {target} (is the port right?): {p}"),
        )),
        sqlx::Error::PoolTimedOut => Some(EngineError::new(
            ErrorKind::Unreachable,
            format!("timed out reaching {target}"),
        )),
        _ => None,
    }
}

pub(crate) fn timeout(target: &str, after: std::time::Duration) -> EngineError {
    EngineError::new(
        ErrorKind::Unreachable,
        format!("{target} did not answer within {} s", after.as_secs_f32()),
    )
}
