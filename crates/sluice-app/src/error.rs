use sluice_store::StoreError;
use thiserror::Error;

pub type AppResult<T> = Result<T, AppError>;

/// What a use case can answer, sorted by what the caller should do next.
/// The server maps each kind to one HTTP status; the UI to a message.
#[derive(Debug, Error)]
pub enum AppError {
    /// Bad input; `field` names the offending field.
    #[error("{field}: {message}")]
    InvalidArgument { field: String, message: String },
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("{0}")]
    FailedPrecondition(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// A database server Sluice talks to failed (unreachable, refused).
    #[error("{0}")]
    Upstream(String),
    /// Something broke inside; the message is for logs, not for clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::InvalidArgument {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidArgument { .. } => "invalid_argument",
            AppError::Unauthenticated(_) => "unauthenticated",
            AppError::PermissionDenied(_) => "permission_denied",
            AppError::NotFound(_) => "not_found",
            AppError::AlreadyExists(_) => "already_exists",
            AppError::FailedPrecondition(_) => "failed_precondition",
            AppError::TooManyRequests(_) => "resource_exhausted",
            AppError::Upstream(_) => "upstream_failed",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> AppError {
        match err {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::AlreadyExists(what) => AppError::AlreadyExists(what),
            StoreError::FailedPrecondition(why) => AppError::FailedPrecondition(why),
            other => AppError::Internal(other.to_string()),
        }
    }
}
