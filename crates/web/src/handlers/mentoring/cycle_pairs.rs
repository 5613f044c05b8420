//! A cycle's pairs for its coordinator (SPEC §3.3): counts, the list, ending a pair early with
//! a reason, and re-matching someone left without a partner without touching any other pair.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::operations::pairs::{
    RematchProposal, Rematched, Unpartnered, rematch_proposal, standing,
};
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::policy;
use flipside_core::scheme::BoundedText;
use flipside_store::{Cycle, Pair, PairCounts, Scheme};
use serde::Deserialize;

async fn managed_cycle(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Cycle, Scheme), AppError> {
    crate::handlers::cycle_if(state, id, |c| policy::match_pairs(&user.actor, c.scheme_id)).await
}

/// The choices of who leaves the scheme when a pair ends early.
const LEAVING: [(&str, &str); 4] = [
    ("neither", "Nobody: both can be re-matched"),
    ("mentor", "The mentor"),
    ("mentee", "The mentee"),
    ("both", "Both"),
];

#[derive(Template, WebTemplate)]
#[template(path = "pairs/list.html")]
pub struct PairsPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    counts: PairCounts,
    pairs: Vec<Pair>,
    without_partner: Vec<Unpartnered>,
    errors: FormErrors,
    /// The pair whose end-early form had an error, and what was typed.
    typed: Option<(i64, String)>,
    /// How many people a nudge would email now: (not accepted the agreement, not met).
    stuck: (usize, usize),
}

async fn pairs_page(
    state: &AppState,
    ctx: PageCtx,
    cycle: Cycle,
    scheme: Scheme,
    errors: FormErrors,
    typed: Option<(i64, String)>,
) -> Result<PairsPage, AppError> {
    let pairs = state.store.pairs_of_cycle(cycle.id).await?;
    let without_partner = if pairs.is_empty() {
        Vec::new()
    } else {
        standing(state, cycle.id, &pairs).await?.without_partner()
    };
    let stuck = operations::pairs::stuck_members(state, &pairs).await?;
    let agreement = stuck
        .iter()
        .filter(|n| n.kind == flipside_core::nudge::NudgeKind::Agreement)
        .count();
    Ok(PairsPage {
        ctx,
        stuck: (agreement, stuck.len() - agreement),
        counts: state.store.pair_counts(cycle.id).await?,
        pairs,
        without_partner,
        errors,
        typed,
        scheme,
        cycle,
    })
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<PairsPage, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    pairs_page(&state, ctx, cycle, scheme, FormErrors::default(), None).await
}

/// The coordinator's nudge: emails every member of a stuck active pair (see
/// `flipside_core::nudge`), at most once a day for each reason.
pub async fn nudge(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let pairs = state.store.pairs_of_cycle(cycle.id).await?;
    let queued = operations::pairs::nudge(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        (&cycle, &scheme),
        &pairs,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/pairs#nudge"),
        &match queued {
            0 => "Nobody to nudge: every stuck pair's members were already emailed today."
                .to_string(),
            1 => "One reminder emailed.".to_string(),
            n => format!("{n} reminders emailed."),
        },
    ))
}

/// Ending a pair early: why, and who (if anyone) leaves the scheme.
#[derive(Debug, Default, Deserialize)]
pub struct EndForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    leaving: String,
}

pub async fn end_early(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, pair_id)): Path<(i64, i64)>,
    Form(form): Form<EndForm>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let pair = state.store.pair(pair_id).await?;
    if pair.cycle_id != id {
        return Err(AppError::NotFound);
    }
    let mut errors = FormErrors::default();
    let field = format!("reason-{pair_id}");
    let reason = BoundedText::parse(&form.reason, 1000)
        .map_err(|e| {
            errors.add(
                &field,
                format!("The reason {e}: say why the pair ends early."),
            )
        })
        .ok();
    let leaving: &[i64] = match form.leaving.as_str() {
        "" | "neither" => &[],
        "mentor" => &[pair.mentor_id],
        "mentee" => &[pair.mentee_id],
        "both" => &[pair.mentor_id, pair.mentee_id],
        _ => {
            errors.add(
                &format!("leaving-{pair_id}"),
                "Choose who leaves the scheme.",
            );
            &[]
        }
    };
    let Some(reason) = reason.filter(|_| errors.is_empty()) else {
        let p = pairs_page(
            &state,
            ctx,
            cycle,
            scheme,
            errors,
            Some((pair_id, form.reason)),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    };
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::pairs::end_early(&state, actor, id, pair_id, &reason, leaving, &form.leaving)
        .await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/pairs"),
        &format!(
            "The pair {} and {} has ended early. Anyone left without a partner can be re-matched below.",
            pair.mentor_name, pair.mentee_name
        ),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "pairs/rematch.html")]
pub struct RematchPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    person_key: String,
    rematch: RematchProposal,
}

pub async fn show_rematch(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, person)): Path<(i64, String)>,
) -> Result<RematchPage, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let rematch = rematch_proposal(&state, id, &person).await?;
    Ok(RematchPage {
        ctx,
        rematch,
        person_key: person,
        scheme,
        cycle,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct RematchForm {
    #[serde(default)]
    expect: String,
}

pub async fn rematch(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, person)): Path<(i64, String)>,
    Form(form): Form<RematchForm>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match operations::pairs::rematch(&state, actor, (&cycle, &scheme), &person, &form.expect)
        .await?
    {
        Rematched::Changed => Ok(redirect_with_flash(
            &format!("/cycles/{id}/pairs/rematch/{person}"),
            "The proposal has changed since you saw it; nothing was published. Review it again.",
        )),
        Rematched::Published(p) => Ok(redirect_with_flash(
            &format!("/cycles/{id}/pairs"),
            &format!(
                "{} and {} are now a pair; both have been emailed. No other pair changed.",
                p.mentor, p.mentee
            ),
        )),
    }
}
