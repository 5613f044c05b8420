//! `POST /cycles/{id}/my-application/consents/{kind}/give`: a student gives their consent to
//! being quoted on their application (again, after withdrawing it, or for the first time), as
//! a staff leader does on their consents page. Only that consent can be given here: taking part
//! is the application itself, and research use withdrawn has already left the analysis.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::cycles::Actor;
use crate::operations::quotes::give_application_quote_consent;
use crate::page::redirect_with_flash;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::policy::{self, Action};
use flipside_core::recruitment::ConsentKind;
use flipside_store::StoreError;

pub async fn give(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, kind)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let cycle = state.store.cycle(id).await?;
    let app = state
        .store
        .application_of(id, user.id())
        .await?
        .ok_or(AppError::NotFound)?;
    allow(policy::application(
        &user.actor,
        app.user_id,
        cycle.scheme_id,
        Action::Edit,
    ))?;
    if ConsentKind::parse(&kind) != Some(ConsentKind::Quotes) {
        return Err(AppError::BadRequest(
            "Only consent to quotes can be given again here.".into(),
        ));
    }
    let to = format!("/cycles/{id}/my-application");
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match give_application_quote_consent(&state.store, actor, app.id).await {
        Ok(()) => Ok(redirect_with_flash(
            &to,
            &format!(
                "You have given your consent: {}.",
                ConsentKind::Quotes.label()
            ),
        )),
        Err(StoreError::Conflict(m)) => Ok(redirect_with_flash(&to, &format!("Not changed: {m}."))),
        Err(e) => Err(e.into()),
    }
}
