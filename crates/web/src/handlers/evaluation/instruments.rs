//! Survey instruments' scale labels (SPEC §3.5: "labels configurable"): the five labels of each
//! instrument, 1 to 5, edited by admins and organisation-wide coordinators.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::evaluation::{Statement, default_instruments};
use flipside_core::policy;
use flipside_core::surveys::{label_field, stored_scale_labels, validate_scale_labels};
use flipside_store::NewAuditEntry;
use std::collections::BTreeMap;

/// One instrument as the page shows it.
pub struct InstrumentView {
    pub id: i64,
    pub audience: String,
    /// The default statements: where a scheme's first cycle starts (each cycle then has its
    /// own, on its instrument page).
    pub statements: Vec<Statement>,
    /// The labels as stored, or as typed when the form had errors.
    pub labels: Vec<String>,
    pub errors: FormErrors,
}

impl InstrumentView {
    /// The field id of label `score` of this instrument, unique on the page.
    pub fn field(&self, score: &usize) -> String {
        format!("i{}-{}", self.id, label_field(*score))
    }

    /// The error of label `score`, if any.
    pub fn error(&self, score: &usize) -> Option<String> {
        self.errors.get(&label_field(*score)).cloned()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "instruments/show.html")]
pub struct InstrumentsPage {
    ctx: PageCtx,
    instruments: Vec<InstrumentView>,
    errors: FormErrors,
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    typed: Option<(i64, Vec<String>, FormErrors)>,
) -> Result<InstrumentsPage, AppError> {
    state.store.ensure_default_instruments().await?;
    let mut instruments = Vec::new();
    let mut page_errors = FormErrors::default();
    for i in state.store.instruments().await? {
        let mut view = InstrumentView {
            id: i.id,
            statements: default_instruments()
                .into_iter()
                .find(|(audience, _)| *audience == i.audience)
                .map(|(_, statements)| statements)
                .unwrap_or_default(),
            labels: stored_scale_labels(&i.scale_labels).to_vec(),
            audience: i.audience,
            errors: FormErrors::default(),
        };
        if let Some((_, labels, errors)) = typed.as_ref().filter(|(id, _, _)| *id == view.id) {
            view.labels = labels.clone();
            for (field, message) in errors.iter() {
                let score: usize = field.trim_start_matches("label_").parse().unwrap_or(1);
                page_errors.add(&view.field(&score), message.clone());
            }
            view.errors = errors.clone();
        }
        instruments.push(view);
    }
    Ok(InstrumentsPage {
        ctx,
        instruments,
        errors: page_errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<InstrumentsPage, AppError> {
    allow(policy::edit_instruments(&user.actor))?;
    render(&state, ctx, None).await
}

pub async fn set_labels(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    allow(policy::edit_instruments(&user.actor))?;
    let typed: Vec<String> = (1..=5)
        .map(|s| form.get(&label_field(s)).cloned().unwrap_or_default())
        .collect();
    match validate_scale_labels(&typed) {
        Ok(labels) => {
            let json = serde_json::to_string(&labels).map_err(AppError::internal)?;
            let mut tx = state.store.begin().await?;
            tx.set_scale_labels(id, &json).await?;
            tx.audit(NewAuditEntry {
                actor_id: Some(user.id()),
                action: "scale_labels_changed",
                subject_kind: "instrument",
                subject_id: Some(id),
                detail: &labels.join(" / "),
                address: &address,
            })
            .await?;
            tx.commit().await?;
            Ok(redirect_with_flash(
                "/instruments",
                "The scale labels are saved.",
            ))
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&state, ctx, Some((id, typed, FormErrors(errors)))).await?,
        )
            .into_response()),
    }
}
