//! Withdrawing a consent; withdrawing consent to take part withdraws the application.
use super::mine::own_application;
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::operations::consents;
use crate::operations::cycles::Actor;
use crate::page::redirect_with_flash;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::policy::Action;
use flipside_core::recruitment::ConsentKind;
use flipside_store::StoreError;

pub async fn withdraw_consent(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, kind)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let cycle = state.store.cycle(id).await?;
    let app = own_application(&state, &user, id, cycle.scheme_id, Action::Edit).await?;
    let kind =
        ConsentKind::parse(&kind).ok_or_else(|| AppError::BadRequest("Unknown consent.".into()))?;
    let to = format!("/cycles/{id}/my-application");
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match consents::withdraw_application_consent(&state.store, actor, app.id, kind).await {
        Ok(_) => Ok(redirect_with_flash(
            &to,
            &match kind {
                ConsentKind::TakePart => "You have withdrawn from the scheme: your application is withdrawn, any pair you were in has ended, your survey answers are out of later analysis, and the identity labels and own words you gave have been deleted.".to_string(),
                k => format!("You have withdrawn your consent: {}.", k.label()),
            },
        )),
        Err(StoreError::Conflict(m)) => Ok(redirect_with_flash(&to, &m)),
        Err(e) => Err(e.into()),
    }
}
