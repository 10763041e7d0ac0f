use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in the store, sorted so callers can answer 404/409.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// The change would break a rule of the data (a reference to a missing
    /// or archived row, a state that forbids it).
    #[error("{0}")]
    FailedPrecondition(String),
    #[error("metadata store: {0}")]
    Database(#[from] sqlx::Error),
    #[error("metadata store migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("metadata store holds a bad value: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Turn a unique violation into AlreadyExists naming `what`, and a
    /// foreign-key violation into FailedPrecondition.
    pub(crate) fn on_conflict(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
        let what = what.into();
        move |err| {
            if let Some(db) = err.as_database_error() {
                if db.is_unique_violation() {
                    return StoreError::AlreadyExists(what);
                }
                if db.is_foreign_key_violation() {
                    return StoreError::FailedPrecondition(format!(
                        "{what}: refers to something that does not exist"
                    ));
                }
            }
            StoreError::Database(err)
        }
    }
}
