//! The web layer's one error type and its one mapping to HTTP.
//!
//! Handlers return [`AppError`]: HTML routes render it as an error page, API routes wrap it in
//! [`ApiError`] and answer JSON. Users see a clear message; the log gets the whole cause.
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use flipside_store::StoreError;

/// Marks the redirect to sign-in that a page answered to a signed-out visitor.
#[derive(Debug, Clone, Copy)]
pub struct SignInRequired;

/// What can go wrong while handling a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("This page does not exist.")]
    NotFound,
    #[error("You need to sign in to see this page.")]
    Unauthenticated,
    #[error("You do not have access to this.")]
    Forbidden,
    /// Input that cannot be used; the message says what is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// Input whose shape is wrong (a body or path value of the wrong type, a missing or
    /// unknown field), with the field it concerns.
    #[error("{message}")]
    Malformed { field: String, message: String },
    /// Input that is well-formed but breaks a rule, with the field it concerns.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// Several fields that break rules at once, each with its message (the first is shown).
    #[error("{}", .0.first().map_or("The input breaks a rule.", |(_, m)| m.as_str()))]
    InvalidFields(Vec<(String, String)>),
    #[error("This address does not accept that method.")]
    MethodNotAllowed,
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A body larger than the route accepts; the message says how large it may be.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// A request that did not arrive in time (a body trickling in).
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    Conflict(String),
    /// An update whose `If-Match` names a state the resource is no longer in.
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// The server is at a limit of its own (requests at once, time to answer): try again.
    #[error("{0}")]
    Unavailable(String),
    #[error(
        "The form has expired or did not come from flipside. Go back, reload the page and try again."
    )]
    Csrf,
    #[error("Something went wrong on our side. It has been logged.")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn internal(e: impl Into<anyhow::Error>) -> AppError {
        AppError::Internal(e.into())
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) | AppError::Malformed { .. } => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Invalid { .. } | AppError::InvalidFields(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!(error = format!("{e:#}"), "request failed");
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Corrupt(m) => {
                AppError::Internal(anyhow::anyhow!("corrupt stored value: {m}"))
            }
            StoreError::Other(e) => AppError::Internal(e.into()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::Unauthenticated) {
            // The page that asked is not known here: `page::return_after_sign_in` adds it.
            let mut response = Redirect::to("/sign-in").into_response();
            response.extensions_mut().insert(SignInRequired);
            return response;
        }
        let status = self.status();
        let page = crate::handlers::error_page::ErrorPage::new(status, self.to_string());
        (status, page).into_response()
    }
}

/// An [`AppError`] answered as RFC 9457 problem details, for `/api/v1`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

/// The body of every API error: RFC 9457 problem details, sent as
/// `application/problem+json`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, for example `urn:flipside:problem:not-found`; the
    /// same kind always has the same type and title.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// What is wrong with this request, in words.
    pub detail: String,
    /// The field the error concerns, where there is one (validation and malformed input).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Each field that is wrong and why (validation and malformed input).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

/// One field of a request that is wrong.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub detail: String,
}

/// The media type of problem details (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

impl Problem {
    /// The problem details of an error. The kind's slug and title are fixed per variant, so
    /// clients can branch on `type`.
    pub fn of(e: &AppError) -> Problem {
        let (slug, title) = match e {
            AppError::NotFound => ("not-found", "Not found"),
            AppError::Unauthenticated => ("unauthenticated", "Authentication required"),
            AppError::Forbidden => ("forbidden", "Forbidden"),
            AppError::BadRequest(_) => ("bad-request", "Bad request"),
            AppError::Malformed { .. } => ("malformed", "Malformed input"),
            AppError::Invalid { .. } | AppError::InvalidFields(_) => {
                ("invalid", "Validation failed")
            }
            AppError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            AppError::UnsupportedMediaType(_) => {
                ("unsupported-media-type", "Unsupported media type")
            }
            AppError::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            AppError::RequestTimeout(_) => ("request-timeout", "Request timeout"),
            AppError::Unavailable(_) => ("unavailable", "Service unavailable"),
            AppError::Conflict(_) => ("conflict", "Conflict"),
            AppError::PreconditionFailed(_) => ("precondition-failed", "Precondition failed"),
            AppError::TooManyRequests(_) => ("too-many-requests", "Too many requests"),
            AppError::Csrf => ("csrf", "Missing or wrong CSRF token"),
            AppError::Internal(_) => ("internal", "Internal error"),
        };
        let detail = match e {
            AppError::Unauthenticated => {
                "Sign in, or send an API token as 'Authorization: Bearer <token>'.".to_string()
            }
            AppError::Csrf => "A session-authenticated write needs the X-CSRF-Token header \
                               (or use a bearer token)."
                .to_string(),
            other => other.to_string(),
        };
        let (field, errors) = match e {
            AppError::Invalid { field, message } | AppError::Malformed { field, message } => (
                Some(field.clone()),
                vec![FieldProblem {
                    field: field.clone(),
                    detail: message.clone(),
                }],
            ),
            AppError::InvalidFields(list) => (
                list.first().map(|(f, _)| f.clone()),
                list.iter()
                    .map(|(field, message)| FieldProblem {
                        field: field.clone(),
                        detail: message.clone(),
                    })
                    .collect(),
            ),
            _ => (None, Vec::new()),
        };
        Problem {
            kind: format!("urn:flipside:problem:{slug}"),
            title,
            status: e.status().as_u16(),
            detail,
            field,
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let problem = Problem::of(&e);
        let mut response = (e.status(), Json(problem)).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static(PROBLEM_JSON),
        );
        if matches!(e, AppError::Unauthenticated) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The answer to a request whose handler panicked: the same 500 page (or JSON body) as any
/// internal error, with the panic's message in the log. The panic is a bug to fix; this only
/// keeps one bad request from reaching anyone else.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    AppError::Internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A handler that panics answers the 500 page, and the application goes on serving: what
    /// the application lays around its routes (`router::wrap`), around a handler that does
    /// nothing but panic.
    #[tokio::test]
    async fn a_panicking_handler_answers_a_500_page_and_the_server_goes_on() {
        async fn boom() -> &'static str {
            panic!("a bug in a handler")
        }
        let app = crate::router::wrap(
            Router::new()
                .route("/boom", get(boom))
                .route("/fine", get(|| async { "fine" })),
        );
        let get = |path: &str| {
            app.clone()
                .oneshot(Request::get(path).body(Body::empty()).unwrap())
        };
        for _ in 0..2 {
            let r = get("/boom").await.unwrap();
            assert_eq!(r.status(), 500);
            let body = axum::body::to_bytes(Body::new(r.into_body()), usize::MAX)
                .await
                .unwrap();
            let body = String::from_utf8_lossy(&body);
            assert!(body.contains("<html"), "an error page: {body}");
            assert!(
                !body.contains("a bug in a handler"),
                "the panic's words are logged, not shown"
            );
        }
        let r = get("/fine").await.unwrap();
        assert_eq!(r.status(), 200);
        let body = axum::body::to_bytes(Body::new(r.into_body()), usize::MAX)
            .await
            .unwrap();
        assert_eq!(&body[..], b"fine");
    }
}
