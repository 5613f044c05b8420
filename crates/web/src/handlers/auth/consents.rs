//! A person's consents in one place (issue 13): a staff leader sees each consent they gave
//! on accepting an invitation (research use, quotes), with its history, and gives or withdraws
//! it themselves, as a student does on their application's page (listed here too).
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::mentoring::recruitment::{ConsentView, consent_views};
use crate::operations::consents;
use crate::operations::cycles::Actor;
use crate::page::{PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::policy;
use flipside_core::recruitment::ConsentKind;
use flipside_store::{STAFF_CONSENTS, StoreError};

/// One accepted invitation with its consents.
pub struct StaffConsentsView {
    pub invitation_id: i64,
    pub cycle: String,
    pub consents: Vec<ConsentView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "account/consents.html")]
pub struct ConsentsPage {
    ctx: PageCtx,
    staff: Vec<StaffConsentsView>,
    /// (cycle id, words) of each cycle applied to.
    applications: Vec<(i64, String)>,
}

fn cycle_words(scheme: &str, year: i64) -> String {
    format!("{scheme}, {year}/{:02}", (year + 1) % 100)
}

/// `GET /account/consents`: every consent the signed-in person gave, and where to change it.
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<ConsentsPage, AppError> {
    allow(policy::own_consent(&user.actor, user.id()))?;
    let staff = state
        .store
        .staff_consents(user.id())
        .await?
        .into_iter()
        .map(|s| StaffConsentsView {
            invitation_id: s.invitation_id,
            cycle: cycle_words(&s.scheme_name, s.academic_year),
            consents: consent_views(&s.events, &STAFF_CONSENTS, ctx.zone),
        })
        .collect();
    let applications = state
        .store
        .applied_cycles(user.id())
        .await?
        .into_iter()
        .map(|(id, year, scheme)| (id, cycle_words(&scheme, year)))
        .collect();
    Ok(ConsentsPage {
        ctx,
        staff,
        applications,
    })
}

/// `POST /account/consents/{invitation}/{kind}/{give|withdraw}`: a staff leader changes one
/// of their own consents; the change, its effects and its audit entry in one transaction.
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((invitation_id, kind, change)): Path<(i64, String, String)>,
) -> Result<Response, AppError> {
    let invitation = state.store.invitation(invitation_id).await?;
    allow(
        invitation
            .user_id
            .is_some_and(|giver| policy::own_consent(&user.actor, giver)),
    )?;
    let kind = ConsentKind::parse(&kind)
        .filter(|k| STAFF_CONSENTS.contains(k))
        .ok_or_else(|| AppError::BadRequest("Unknown consent.".into()))?;
    let given = match change.as_str() {
        "give" => true,
        "withdraw" => false,
        _ => return Err(AppError::NotFound),
    };
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    let to = "/account/consents";
    match consents::change_staff_consent(&state.store, actor, invitation_id, kind, given).await {
        Ok(_) if given => Ok(redirect_with_flash(
            to,
            &format!("You have given your consent: {}.", kind.label()),
        )),
        Ok(_) => Ok(redirect_with_flash(
            to,
            &format!(
                "You have withdrawn your consent: {}. {}",
                kind.label(),
                match kind {
                    ConsentKind::Quotes => "Your quotes have been deleted.",
                    _ => "Your survey answers and chats are out of the evaluation from now on.",
                }
            ),
        )),
        Err(StoreError::Conflict(m)) => Ok(redirect_with_flash(to, &m)),
        Err(e) => Err(e.into()),
    }
}
