//! Publishing the proposed pairs, as the coordinator saw them.
use super::{managed_cycle, parse_edits, proposal};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::operations::{self, cycles::Actor};
use crate::page::redirect_with_flash;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

/// Publishing: the draft's edits, and the pairs the coordinator saw.
#[derive(Debug, Default, Deserialize)]
struct PublishForm {
    #[serde(default)]
    edit: Vec<String>,
    #[serde(default)]
    expect: Vec<String>,
}

pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let form: PublishForm = serde_html_form::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
    let p = proposal(&state, id, parse_edits(&form.edit)?).await?;
    let back = format!("/cycles/{id}/matching");
    // The coordinator saw pairs that are no longer proposed (a second click publishing the
    // same proposal finds them published): say that nothing was published, before saying
    // there is nothing to publish.
    if p.pairs.is_empty() && form.expect.is_empty() {
        return Ok(redirect_with_flash(&back, "There are no pairs to publish."));
    }
    if p.pairs.is_empty() || p.edit_error.is_some() || p.codes() != form.expect {
        return Ok(redirect_with_flash(
            &back,
            "The proposal has changed since you saw it (someone was accepted, a rule changed, or a pair was published). Nothing was published: review the proposal below and publish again.",
        ));
    }
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match operations::matching::publish(&state, actor, &cycle, &scheme, &p.pairs).await {
        Ok(n) => Ok(redirect_with_flash(
            &format!("/cycles/{id}/pairs"),
            &format!(
                "{n} pair{} published; both members of each pair have been emailed.",
                if n == 1 { "" } else { "s" }
            ),
        )),
        Err(AppError::Conflict(m)) => Ok(redirect_with_flash(
            &back,
            &format!("Nothing was published: {m}."),
        )),
        Err(e) => Err(e),
    }
}
