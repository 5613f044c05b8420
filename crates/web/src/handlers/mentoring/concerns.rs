//! The concerns participants raised with a cycle's coordinators (SPEC §3.4), and the
//! coordinators' answers: a status the raiser sees and a reply.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::concerns::{ConcernStatus, check_answer};
use flipside_core::policy;
use flipside_store::{Concern, Cycle, Pair, Scheme};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "concerns/list.html")]
pub struct ConcernsPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    concerns: Vec<(Concern, Pair)>,
    errors: FormErrors,
    /// The concern whose answer was refused, with what was typed.
    draft: Option<(i64, AnswerForm)>,
    statuses: [ConcernStatus; 2],
}

impl ConcernsPage {
    /// What the answer form of concern `id` shows: the typed reply if it was refused.
    fn typed_reply(&self, id: impl std::borrow::Borrow<i64>) -> &str {
        match &self.draft {
            Some((d, f)) if d == id.borrow() => &f.reply,
            _ => "",
        }
    }

    /// Whether `status` is the one to show selected for concern `c`.
    fn selected(&self, c: &Concern, status: &ConcernStatus) -> bool {
        match &self.draft {
            Some((d, f)) if *d == c.id => f.status == status.as_str(),
            _ => match c.status() {
                ConcernStatus::New => *status == ConcernStatus::Acknowledged,
                s => s == *status,
            },
        }
    }
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    cycle: Cycle,
    errors: FormErrors,
    draft: Option<(i64, AnswerForm)>,
) -> Result<ConcernsPage, AppError> {
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let mut concerns = Vec::new();
    for c in state.store.concerns_of_cycle(cycle.id).await? {
        let pair = state.store.pair(c.pair_id).await?;
        concerns.push((c, pair));
    }
    Ok(ConcernsPage {
        ctx,
        scheme,
        cycle,
        concerns,
        errors,
        draft,
        statuses: [ConcernStatus::Acknowledged, ConcernStatus::Resolved],
    })
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ConcernsPage, AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::concerns(&user.actor, cycle.scheme_id))?;
    page(&state, ctx, cycle, FormErrors::default(), None).await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub reply: String,
}

/// A coordinator acknowledges or resolves a concern, with a reply the raiser sees; the raiser
/// is emailed and the answer audited.
pub async fn answer(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(concern_id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let concern = state.store.concern(concern_id).await?;
    let cycle = state.store.cycle(concern.cycle_id).await?;
    allow(policy::concerns(&user.actor, cycle.scheme_id))?;
    let answer = match check_answer(concern.status(), &form.status, &form.reply) {
        Ok(a) => a,
        Err(list) => {
            let mut errors = FormErrors::default();
            for (field, message) in list {
                errors.add(&format!("{field}-{concern_id}"), message);
            }
            let page = page(&state, ctx, cycle, errors, Some((concern_id, form))).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let raiser = state.store.user(concern.raised_by).await?;
    operations::meetings::answer_concern(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        &concern,
        &answer,
        &raiser,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{}/concerns#concern-{concern_id}", cycle.id),
        &format!(
            "Answer sent to {}. The concern is now {}.",
            concern.raiser_name,
            answer.status.as_str()
        ),
    ))
}
