//! The matching page: the proposal for the cycle's free people under the coordinator's rules,
//! with the draft's edits.
use super::{MatchingPage, managed_cycle, page, parse_edits};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::page::{FormErrors, PageCtx};
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use flipside_core::matching::PairEdit;
use serde::Deserialize;

/// The draft in the query string: earlier edits, and at most one new swap or assignment.
#[derive(Debug, Default, Deserialize)]
struct DraftQuery {
    #[serde(default)]
    edit: Vec<String>,
    #[serde(default)]
    swap_from: String,
    #[serde(default)]
    swap_with: String,
    #[serde(default)]
    assign_mentor: String,
    #[serde(default)]
    assign_to: String,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<MatchingPage, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let q: DraftQuery = serde_html_form::from_str(query.as_deref().unwrap_or(""))
        .map_err(|_| AppError::BadRequest("The draft could not be read.".into()))?;
    let mut edits = parse_edits(&q.edit)?;
    if !q.swap_from.is_empty() && !q.swap_with.is_empty() {
        edits.push(PairEdit::SwapMentors {
            mentee_a: q.swap_from,
            mentee_b: q.swap_with,
        });
    }
    if !q.assign_mentor.is_empty() && !q.assign_to.is_empty() {
        edits.push(PairEdit::Assign {
            mentor: q.assign_mentor,
            mentee: q.assign_to,
        });
    }
    page(
        &state,
        ctx,
        cycle,
        scheme,
        edits,
        None,
        FormErrors::default(),
    )
    .await
}
