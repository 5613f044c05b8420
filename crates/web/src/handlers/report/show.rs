//! The report's page: the coordinator's text (saved as typed, sanitised when rendered), links to
//! the preview, the publish button and the published versions.
use super::{ReportAt, Subject, subject, usable_quotes};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::annual_report::{MAX_TEXT_CHARS, ReportText, ReportTextError};
use serde::Deserialize;

/// One published version as the page lists it.
pub struct VersionRow {
    pub number: i64,
    pub published_at: String,
    pub published_by: String,
    /// It prints a quote whose speaker has since withdrawn consent (or that left the bank).
    pub flagged: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/show.html")]
pub struct ReportPage {
    ctx: PageCtx,
    subject: Subject,
    /// The report's address (`/cycles/7/report`).
    base: String,
    form: TextForm,
    errors: FormErrors,
    saved_at: Option<String>,
    versions: Vec<VersionRow>,
    any_flagged: bool,
    max_chars: usize,
    pdf: bool,
}

/// The text form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    pub introduction: String,
    #[serde(default)]
    pub recommendations: String,
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    subject: Subject,
    form: Option<TextForm>,
    errors: FormErrors,
) -> Result<ReportPage, AppError> {
    let zone = ctx.zone;
    let draft = state.store.report_draft(subject.scope).await?;
    let usable = usable_quotes(state, &subject).await?;
    let versions = state
        .store
        .report_versions(subject.scope)
        .await?
        .into_iter()
        .map(|v| {
            let quotes: Vec<i64> =
                serde_json::from_str(&v.quote_ids).map_err(AppError::internal)?;
            Ok(VersionRow {
                number: v.number,
                published_at: zone.long(v.published_at),
                published_by: v
                    .published_by_name
                    .unwrap_or_else(|| "someone no longer here".into()),
                flagged: quotes.iter().any(|q| !usable.contains(q)),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let form = form.unwrap_or_else(|| match &draft {
        Some(d) => TextForm {
            introduction: d.introduction.clone(),
            recommendations: d.recommendations.clone(),
        },
        None => TextForm::default(),
    });
    Ok(ReportPage {
        ctx,
        base: subject.scope.path(),
        subject,
        form,
        errors,
        saved_at: draft.map(|d| zone.long(d.updated_at)),
        any_flagged: versions.iter().any(|v| v.flagged),
        versions,
        max_chars: MAX_TEXT_CHARS,
        pdf: cfg!(feature = "pdf"),
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    at: ReportAt,
) -> Result<ReportPage, AppError> {
    let subject = subject(&state, &user, at.scope).await?;
    page(&state, ctx, subject, None, FormErrors::default()).await
}

/// Saves the introduction and recommendations; a text that is too long comes back with the
/// page, as typed, and says so.
pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    at: ReportAt,
    Form(form): Form<TextForm>,
) -> Result<Response, AppError> {
    let subject = subject(&state, &user, at.scope).await?;
    let text = match ReportText::parse(&form.introduction, &form.recommendations) {
        Ok(text) => text,
        Err(ReportTextError::TooLong(field)) => {
            let mut errors = FormErrors::default();
            errors.add(
                field,
                format!("Keep the {field} to {MAX_TEXT_CHARS} characters or fewer."),
            );
            let page = page(&state, ctx, subject, Some(form), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::reports::save_text(&state, actor, subject.scope, &text).await?;
    Ok(redirect_with_flash(
        &subject.scope.path(),
        "The introduction and recommendations are saved.",
    ))
}
