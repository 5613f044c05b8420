//! Re-matching over the API (SPEC §3.3), as the pairs page offers it: for someone of a cycle
//! left without a partner (their pair ended early), the best allowed partner among those free,
//! and publishing that one pair without touching any other. The same policy
//! (`policy::match_pairs`) and the same operations (`operations::pairs::{rematch_proposal,
//! rematch}`) as the page; applying names the pair the caller saw, and is refused when the
//! proposal has changed since.
use super::{ApiPath, JsonBody};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::mentoring::matching::managed_cycle;
use crate::operations::pairs::{ProposedRematch, RematchProposal, Rematched, rematch_proposal};
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use flipside_core::cycle_matching::user_of;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(show, apply),
    components(schemas(RematchProposalJson, RematchPairJson, ApplyRematchJson))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (
            Method::GET,
            "/cycles/{id}/pairs/rematch/{person}",
            get(show),
        ),
        (
            Method::POST,
            "/cycles/{id}/pairs/rematch/{person}",
            post(apply),
        ),
    ]
}

/// The new pair a re-match proposes.
#[derive(Debug, Serialize, ToSchema)]
pub struct RematchPairJson {
    /// The pair as applying names it: `mentor_key:mentee_key`.
    pub code: String,
    pub mentor_id: i64,
    pub mentor_name: String,
    pub mentee_id: i64,
    pub mentee_name: String,
    /// Why the matcher proposes this pair, in words.
    pub reason: String,
    pub cost: i64,
}

impl From<&ProposedRematch> for RematchPairJson {
    fn from(p: &ProposedRematch) -> Self {
        RematchPairJson {
            code: p.code.clone(),
            mentor_id: user_of(&p.pair.mentor).unwrap_or_default(),
            mentor_name: p.mentor.clone(),
            mentee_id: user_of(&p.pair.mentee).unwrap_or_default(),
            mentee_name: p.mentee.clone(),
            reason: p.reason.clone(),
            cost: p.cost,
        }
    }
}

/// The re-match of one person.
#[derive(Debug, Serialize, ToSchema)]
pub struct RematchProposalJson {
    /// The person's matcher key (`m12` for a student mentor, `e7` for a staff mentee).
    pub person: String,
    pub person_name: String,
    /// The best allowed partner among those free; absent when nobody free may be paired with
    /// them under the current rules.
    pub pair: Option<RematchPairJson>,
}

fn proposal_json(person: String, r: &RematchProposal) -> RematchProposalJson {
    RematchProposalJson {
        person,
        person_name: r.person.clone(),
        pair: r.proposal.as_ref().map(Into::into),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRematchJson {
    /// The `code` of the proposed pair the caller saw.
    #[schema(min_length = 1)]
    pub expect: String,
}

/// The proposal for re-matching someone of the cycle left without a partner (the cycle's
/// coordinators). 404 when the person is not without a partner in this cycle.
#[utoipa::path(get, operation_id = "getRematchProposal", path = "/api/v1/cycles/{id}/pairs/rematch/{person}", tag = "pairs",
    params(("id" = i64, Path, description = "Cycle id"), ("person" = String, Path, description = "The person's matcher key: m<user id> for a student mentor, e<user id> for a staff mentee")),
    responses((status = 200, description = "The proposal", body = RematchProposalJson), (status = 403, description = "The caller does not match this cycle's pairs", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The cycle's pairs cannot be re-matched as they stand", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, person)): ApiPath<(i64, String)>,
) -> Result<Json<RematchProposalJson>, ApiError> {
    managed_cycle(&state, &user, id).await?;
    let r = rematch_proposal(&state, id, &person).await?;
    Ok(Json(proposal_json(person, &r)))
}

/// Publishes the proposed pair (the pair, the mentor's role, the audit entry, an email to both
/// and the webhook event, in one transaction); no other pair changes.
#[utoipa::path(post, operation_id = "applyRematch", path = "/api/v1/cycles/{id}/pairs/rematch/{person}", tag = "pairs",
    params(("id" = i64, Path, description = "Cycle id"), ("person" = String, Path, description = "The person's matcher key (m<user id> or e<user id>)")), request_body = ApplyRematchJson,
    responses((status = 200, description = "The pair is published", body = RematchPairJson), (status = 403, description = "The caller does not match this cycle's pairs", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The proposal has changed since the caller read it (or there is none): nothing was published", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "expect is empty", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn apply(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, person)): ApiPath<(i64, String)>,
    JsonBody(body): JsonBody<ApplyRematchJson>,
) -> Result<Json<RematchPairJson>, ApiError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    if body.expect.trim().is_empty() {
        return Err(AppError::Invalid {
            field: "expect".into(),
            message: "Name the proposed pair you saw (its code, from getRematchProposal).".into(),
        }
        .into());
    }
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match operations::pairs::rematch(&state, actor, (&cycle, &scheme), &person, &body.expect)
        .await?
    {
        Rematched::Published(p) => Ok(Json(RematchPairJson::from(&*p))),
        Rematched::Changed => Err(AppError::Conflict(
            "The proposal has changed since you read it (or there is none). Nothing was published: read the proposal and apply it again.".into(),
        )
        .into()),
    }
}
