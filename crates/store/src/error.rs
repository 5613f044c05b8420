//! The store's one error type: the web layer maps each variant to a status code.

/// What a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The change conflicts with what is stored (a duplicate name, a state that moved on).
    #[error("{0}")]
    Conflict(String),
    /// A stored value that no version of flipside writes (a state outside its enum): an error
    /// to report, never something to read as a default.
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// Anything else: the database is unreachable, a query is wrong.
    #[error(transparent)]
    Other(#[from] sqlx::Error),
}

impl StoreError {
    /// Turns a unique-key violation into a [`StoreError::Conflict`] with the given message.
    pub(crate) fn unique(err: sqlx::Error, message: impl Into<String>) -> StoreError {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(message.into())
            }
            _ => StoreError::Other(err),
        }
    }
}

/// `fetch_optional` results into `NotFound`.
pub(crate) trait OrNotFound<T> {
    fn or_not_found(self) -> Result<T, StoreError>;
}

impl<T> OrNotFound<T> for Result<Option<T>, sqlx::Error> {
    fn or_not_found(self) -> Result<T, StoreError> {
        self?.ok_or(StoreError::NotFound)
    }
}
