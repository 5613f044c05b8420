//! Actions and follow-up (SPEC §3.8): a member raises an action from the pair's conversations
//! (attributed, or anonymous to the organisation), its owner moves it through the state machine
//! of `flipside_core::actions` and attaches evidence; the scheme's "you said, we did" page
//! shows every action and what came of it.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::mentoring::pair_page::{
    ActionForm, ActionView, Drafts, action_views, member_pair, render,
};
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use flipside_core::actions::{
    ActionStatus, TEXT_MAX, TITLE_MAX, TransitionError, evidence_link, text,
};
use flipside_core::policy::{self, Action};
use flipside_store::{NewFollowUpAction, Scheme};
use serde::Deserialize;

/// Raising an action from the pair page; it is proposed to the pair's staff mentee, who is
/// emailed.
pub async fn raise(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, AppError> {
    let (pair, cycle) = member_pair(&state, &user, id, Action::Create).await?;
    let mut errors = FormErrors::default();
    let title = text(
        &form.action_title,
        "a title for the action",
        true,
        TITLE_MAX,
    )
    .map_err(|m| errors.add("action_title", m))
    .ok();
    let description = text(&form.action_description, "a description", true, TEXT_MAX)
        .map_err(|m| errors.add("action_description", m))
        .ok();
    let (Some(title), Some(description)) = (title, description) else {
        let drafts = Drafts {
            action: form,
            ..Drafts::default()
        };
        return render(&state, ctx, &user, &address, pair, cycle, (errors, drafts)).await;
    };
    let owner = state.store.user(pair.mentee_id).await?;
    operations::actions::raise(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        &user.user.display_name,
        &NewFollowUpAction {
            pair_id: pair.id,
            cycle_id: cycle.id,
            raised_by: user.id(),
            anonymous: form.action_anonymous.is_some(),
            owner_id: pair.mentee_id,
            title: &title,
            description: &description,
        },
        &owner,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{id}#actions"),
        &format!("Action raised. {} can now accept it.", pair.mentee_name),
    ))
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    /// The status the page showed, so that a stale page cannot skip a step.
    from: String,
    to: String,
    #[serde(default)]
    reason: String,
}

/// The owner moves an action on; an illegal step is refused with the steps it may take. The
/// person who raised it is emailed.
pub async fn change_status(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(action_id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let action = state.store.follow_up_action(action_id).await?;
    let (pair, cycle) = member_pair(&state, &user, action.pair_id, Action::View).await?;
    allow(policy::action_owner(&user.actor, action.owner_id))?;
    let (Some(from), Some(to)) = (
        ActionStatus::parse(&form.from),
        ActionStatus::parse(&form.to),
    ) else {
        return Err(AppError::BadRequest("Unknown action status.".into()));
    };
    if from != action.status() {
        return Err(AppError::Conflict(
            "The action has changed since the page was loaded; reload and try again.".into(),
        ));
    }
    match from.transition(to, &form.reason) {
        Ok(_) => {}
        Err(TransitionError::ReasonRequired) => {
            let mut errors = FormErrors::default();
            errors.add(
                &format!("reason-{action_id}"),
                TransitionError::ReasonRequired.to_string(),
            );
            let drafts = Drafts {
                target: Some(action_id),
                ..Drafts::default()
            };
            return render(&state, ctx, &user, &address, pair, cycle, (errors, drafts)).await;
        }
        Err(e) => return Err(AppError::Conflict(e.to_string())),
    }
    let raiser = state.store.user(action.raised_by).await?;
    operations::actions::move_on(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        &action,
        (from, to),
        &form.reason,
        &raiser,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{}#actions", pair.id),
        &format!("The action is now {}.", to.label()),
    ))
}

#[derive(Debug, Deserialize)]
pub struct EvidenceForm {
    #[serde(default)]
    evidence_body: String,
    #[serde(default)]
    evidence_link: String,
}

/// The owner attaches evidence of change: words, a link, or both.
pub async fn add_evidence(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(action_id): Path<i64>,
    Form(form): Form<EvidenceForm>,
) -> Result<Response, AppError> {
    let action = state.store.follow_up_action(action_id).await?;
    let (pair, cycle) = member_pair(&state, &user, action.pair_id, Action::View).await?;
    allow(policy::action_owner(&user.actor, action.owner_id))?;
    let mut errors = FormErrors::default();
    let body_field = format!("evidence-{action_id}");
    let link_field = format!("link-{action_id}");
    let body = text(&form.evidence_body, "what changed", false, TEXT_MAX)
        .map_err(|m| errors.add(&body_field, m))
        .unwrap_or_default();
    let link = if form.evidence_link.trim().is_empty() {
        String::new()
    } else {
        evidence_link(&form.evidence_link)
            .map_err(|m| errors.add(&link_field, m))
            .unwrap_or_default()
    };
    if errors.is_empty() && body.is_empty() && link.is_empty() {
        errors.add(&body_field, "Describe what changed, or give a link to it.");
    }
    if !errors.is_empty() {
        let drafts = Drafts {
            target: Some(action_id),
            evidence_body: form.evidence_body,
            evidence_link: form.evidence_link,
            ..Drafts::default()
        };
        return render(&state, ctx, &user, &address, pair, cycle, (errors, drafts)).await;
    }
    operations::actions::add_evidence(
        &state,
        Actor::of(&user, &address),
        action_id,
        (&body, &link),
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{}#actions", pair.id),
        "Evidence added.",
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "actions/you_said_we_did.html")]
pub struct YouSaidWeDidPage {
    ctx: PageCtx,
    scheme: Scheme,
    actions: Vec<ActionView>,
    done: usize,
    underway: usize,
}

/// "You said, we did": every action raised in the scheme and what came of it.
pub async fn you_said_we_did(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(scheme_id): Path<i64>,
) -> Result<YouSaidWeDidPage, AppError> {
    let scheme = state.store.scheme(scheme_id).await?;
    let cycles: Vec<i64> = state
        .store
        .cycles_of(scheme_id)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    let in_a_pair = state
        .store
        .pairs_of_user(user.id())
        .await?
        .iter()
        .any(|p| cycles.contains(&p.cycle_id));
    allow(policy::you_said_we_did(
        &user.actor,
        scheme_id,
        &cycles,
        in_a_pair,
    ))?;
    let mut with_evidence = Vec::new();
    for a in state.store.actions_of_scheme(scheme_id).await? {
        let evidence = state.store.evidence_of(a.id).await?;
        with_evidence.push((a, evidence));
    }
    let mut actions = action_views(&state, &user, with_evidence).await?;
    // Owners act on the pair page; here everyone only reads.
    for a in &mut actions {
        a.is_owner = false;
    }
    Ok(YouSaidWeDidPage {
        ctx,
        done: actions
            .iter()
            .filter(|a| a.action.status() == ActionStatus::Done)
            .count(),
        underway: actions
            .iter()
            .filter(|a| {
                matches!(
                    a.action.status(),
                    ActionStatus::Agreed | ActionStatus::InProgress
                )
            })
            .count(),
        actions,
        scheme,
    })
}
