//! The page shown for an error on an HTML route.
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

impl ErrorPage {
    pub fn new(status: StatusCode, message: String) -> ErrorPage {
        ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error"),
            message,
        }
    }
}
