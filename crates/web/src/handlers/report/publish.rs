//! Publishing a version: the report as it is now (figures, text and quotes) is frozen under the
//! next number.
use super::{ReportAt, RuleChoice, current, subject};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::operations::{self, cycles::Actor};
use crate::page::redirect_with_flash;
use crate::state::AppState;
use axum::Form;
use axum::extract::State;
use axum::response::Response;

pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    at: ReportAt,
    Form(choice): Form<RuleChoice>,
) -> Result<Response, AppError> {
    let subject = subject(&state, &user, at.scope).await?;
    let gathered = current(&state, subject.scope, choice.rule).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    let number = operations::reports::publish(
        &state,
        actor,
        subject.scope,
        &gathered.report,
        &gathered.quote_ids,
    )
    .await?;
    Ok(redirect_with_flash(
        &subject.scope.path(),
        &format!(
            "Version {number} is published. It will not change, whatever happens to the data later."
        ),
    ))
}
