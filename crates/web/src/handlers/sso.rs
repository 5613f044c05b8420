//! Single sign-on through OpenID Connect: start and callback.
use crate::error::AppError;

pub async fn start() -> Result<(), AppError> {
    Err(AppError::NotFound)
}

pub async fn callback() -> Result<(), AppError> {
    Err(AppError::NotFound)
}
