//! The report as a document: the preview of the report as it would be published now, and each
//! published version exactly as it was frozen, as HTML or PDF.
use super::{ReportAt, ReportRule, RuleChoice, Subject, current, subject};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use flipside_core::annual_report::ReportScope;
use flipside_report::ReportData;

/// The content security policy of a report document: flipside's, with the report's inline
/// stylesheet allowed.
const REPORT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// What a document is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Pdf,
}

fn file_name(scope: ReportScope, version: Option<i64>, format: Format) -> String {
    let what = match scope {
        ReportScope::Cycle(id) => format!("cycle-{id}"),
        ReportScope::Year(year) => format!("year-{}", year.start_year()),
    };
    let which = version.map_or_else(|| "preview".to_owned(), |n| format!("v{n}"));
    let ext = match format {
        Format::Html => "html",
        Format::Pdf => "pdf",
    };
    format!("annual-report-{what}-{which}.{ext}")
}

async fn document(
    report: ReportData,
    format: Format,
    name: String,
    attachment: bool,
) -> Result<Response, AppError> {
    let (content_type, body) = match format {
        Format::Html => (
            "text/html; charset=utf-8",
            flipside_report::html::render(&report)
                .map_err(AppError::internal)?
                .into_bytes(),
        ),
        #[cfg(feature = "pdf")]
        // Typesetting takes a CPU for a while: off the request threads.
        Format::Pdf => (
            "application/pdf",
            tokio::task::spawn_blocking(move || flipside_report::pdf::render(&report))
                .await
                .map_err(AppError::internal)?
                .map_err(AppError::internal)?,
        ),
        #[cfg(not(feature = "pdf"))]
        Format::Pdf => return Err(AppError::NotFound),
    };
    let disposition = if attachment { "attachment" } else { "inline" };
    Ok((
        [
            // The report is one self-contained file (to keep and send), so its stylesheet is
            // inline. Scripts stay forbidden, as everywhere in flipside.
            (header::CONTENT_SECURITY_POLICY, REPORT_POLICY.to_owned()),
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// `PDF` false: HTML; true: PDF (one handler per route, the format fixed by the route).
fn format(pdf: bool) -> Format {
    if pdf { Format::Pdf } else { Format::Html }
}

/// The report as it would be published now: a web page to read, or a PDF to download.
pub async fn preview<const PDF: bool>(
    State(state): State<AppState>,
    user: CurrentUser,
    at: ReportAt,
    Query(choice): Query<RuleChoice>,
) -> Result<Response, AppError> {
    let subject = subject(&state, &user, at.scope).await?;
    preview_file(&state, &subject, choice.rule, PDF).await
}

/// The report of `subject` (as [`subject`] loaded it, once the policy let the actor in) as it
/// would be published now under `rule`, as HTML to read (`pdf` false) or a PDF to download,
/// for the page and the API alike.
pub async fn preview_file(
    state: &AppState,
    subject: &Subject,
    rule: ReportRule,
    pdf: bool,
) -> Result<Response, AppError> {
    let format = format(pdf);
    let report = current(state, subject.scope, rule).await?.report;
    document(
        report,
        format,
        file_name(subject.scope, None, format),
        format == Format::Pdf,
    )
    .await
}

/// A published version exactly as it was frozen, as a file to keep or send.
pub async fn version<const PDF: bool>(
    State(state): State<AppState>,
    user: CurrentUser,
    at: ReportAt,
) -> Result<Response, AppError> {
    let number = at.version.ok_or(AppError::NotFound)?;
    version_file(&state, &user, at.scope, number, PDF).await
}

/// Version `number` of the report of `scope` as published, as HTML (`pdf` false) or PDF, for
/// the page and the API alike: the policy through [`subject`], then the frozen data rendered.
pub async fn version_file(
    state: &AppState,
    user: &CurrentUser,
    scope: ReportScope,
    number: i64,
    pdf: bool,
) -> Result<Response, AppError> {
    let format = format(pdf);
    let subject = subject(state, user, scope).await?;
    let stored = state.store.report_version(subject.scope, number).await?;
    let report: ReportData = serde_json::from_str(&stored.data).map_err(AppError::internal)?;
    document(
        report,
        format,
        file_name(subject.scope, Some(number), format),
        true,
    )
    .await
}
