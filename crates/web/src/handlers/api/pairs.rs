//! A cycle's pairs over the API: the coordinator's list, and ending a pair early through the
//! same operation and policy as the pairs page.
use super::{ApiPath, ApiQuery, JsonBody, PageParams, page, page_of};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::mentoring::pair_page::{member_pair, pair_ref};
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};
use flipside_core::policy;
use flipside_core::policy::Action;
use flipside_core::scheme::BoundedText;
use flipside_store::Pair;
use flipside_store::PairStatus;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// The operations this area adds beyond the router's own table: one pair, and accepting its
/// expectations agreement.
#[derive(OpenApi)]
#[openapi(paths(show, accept_agreement), components(schemas(PairDetailJson)))]
pub struct Doc;

/// This area's operations (see [`Doc`]), for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/pairs/{id}", get(show)),
        (
            Method::POST,
            "/pairs/{id}/agreement",
            post(accept_agreement),
        ),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PairJson {
    pub id: i64,
    pub cycle_id: i64,
    pub mentor_id: i64,
    pub mentor_name: String,
    pub mentee_id: i64,
    pub mentee_name: String,
    /// active, completed or ended_early
    pub status: String,
    /// Why the matcher made this pair.
    pub reason: String,
    /// Why the pair ended early (empty otherwise).
    pub ended_reason: String,
    pub ended_at: Option<String>,
    pub published_at: String,
}

impl From<Pair> for PairJson {
    fn from(p: Pair) -> PairJson {
        PairJson {
            status: p.status().as_str().to_string(),
            id: p.id,
            cycle_id: p.cycle_id,
            mentor_id: p.mentor_id,
            mentor_name: p.mentor_name,
            mentee_id: p.mentee_id,
            mentee_name: p.mentee_name,
            reason: p.reason,
            ended_reason: p.ended_reason,
            ended_at: p.ended_at.map(|t| t.to_rfc3339()),
            published_at: p.published_at.to_rfc3339(),
        }
    }
}

page_of!(PairPage, PairJson);

/// Who, if anyone, leaves the scheme when a pair ends early.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Leaving {
    #[default]
    Neither,
    Mentor,
    Mentee,
    Both,
}

impl Leaving {
    fn as_str(self) -> &'static str {
        match self {
            Leaving::Neither => "neither",
            Leaving::Mentor => "mentor",
            Leaving::Mentee => "mentee",
            Leaving::Both => "both",
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndPairJson {
    /// Why the pair ends early (at most 1000 characters, not only white space).
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
    /// Who leaves the scheme, so that re-matching leaves them out.
    #[serde(default)]
    pub leaving: Leaving,
}

/// The coordinator's check, as on the pairs page.
async fn managed(state: &AppState, user: &ApiUser, cycle_id: i64) -> Result<(), ApiError> {
    crate::handlers::cycle_if(state, cycle_id, |c| {
        policy::match_pairs(&user.0.actor, c.scheme_id)
    })
    .await?;
    Ok(())
}

/// A cycle's pairs (its coordinators).
#[utoipa::path(get, operation_id = "listPairs", path = "/api/v1/cycles/{id}/pairs", tag = "pairs", params(("id" = i64, Path, description = "Cycle id"), PageParams),
    responses((status = 200, description = "A page of the cycle's pairs, in any state, by id", body = PairPage), (status = 403, description = "The caller does not coordinate the cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<PairPage>, ApiError> {
    managed(&state, &user, id).await?;
    let pairs = state.store.pairs_of_cycle(id).await?;
    let (pairs, next_cursor) = page(pairs, |p| p.id, &params)?;
    Ok(Json(PairPage {
        items: pairs.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Ends an active pair early with a reason (its cycle's coordinators).
#[utoipa::path(post, operation_id = "endPairEarly", path = "/api/v1/cycles/{id}/pairs/{pair}/end", tag = "pairs",
    params(("id" = i64, Path, description = "Cycle id"), ("pair" = i64, Path, description = "Pair id")), request_body = EndPairJson,
    responses((status = 200, description = "The pair, ended", body = PairJson), (status = 409, description = "The pair is no longer active", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The reason is empty or too long", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn end_early(
    State(state): State<AppState>,
    user: ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, pair_id)): ApiPath<(i64, i64)>,
    JsonBody(body): JsonBody<EndPairJson>,
) -> Result<Json<PairJson>, ApiError> {
    managed(&state, &user, id).await?;
    let pair = state.store.pair(pair_id).await?;
    if pair.cycle_id != id {
        return Err(AppError::NotFound.into());
    }
    let reason = BoundedText::parse(&body.reason, 1000).map_err(|e| AppError::Invalid {
        field: "reason".into(),
        message: format!("The reason {e}: say why the pair ends early."),
    })?;
    let leaving: &[i64] = match body.leaving {
        Leaving::Neither => &[],
        Leaving::Mentor => &[pair.mentor_id],
        Leaving::Mentee => &[pair.mentee_id],
        Leaving::Both => &[pair.mentor_id, pair.mentee_id],
    };
    let actor = Actor {
        id: user.0.id(),
        address: &address,
    };
    operations::pairs::end_early(
        &state,
        actor,
        id,
        pair_id,
        &reason,
        leaving,
        body.leaving.as_str(),
    )
    .await?;
    Ok(Json(state.store.pair(pair_id).await?.into()))
}

/// A pair, with who has accepted its expectations agreement.
#[derive(Debug, Serialize, ToSchema)]
pub struct PairDetailJson {
    #[serde(flatten)]
    pub pair: PairJson,
    /// The members (user ids) who have accepted the expectations agreement; meetings can be
    /// proposed once both have.
    pub agreed_by: Vec<i64>,
}

async fn detail(state: &AppState, pair_id: i64) -> Result<PairDetailJson, ApiError> {
    let agreed_by = state
        .store
        .agreements(pair_id)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    Ok(PairDetailJson {
        pair: state.store.pair(pair_id).await?.into(),
        agreed_by,
    })
}

/// One pair, for its two members (as on the pair's page) or its cycle's coordinators (as on
/// the pairs page).
#[utoipa::path(get, operation_id = "getPair", path = "/api/v1/pairs/{id}", tag = "pairs", params(("id" = i64, Path, description = "Pair id")),
    responses((status = 200, description = "The pair", body = PairDetailJson), (status = 403, description = "The caller is neither a member of the pair nor a coordinator of its scheme", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PairDetailJson>, ApiError> {
    let pair = state.store.pair(id).await?;
    let cycle = state.store.cycle(pair.cycle_id).await?;
    let actor = &user.0.actor;
    if !policy::pair(actor, pair_ref(&pair, &cycle), Action::View)
        && !policy::match_pairs(actor, cycle.scheme_id)
    {
        return Err(AppError::Forbidden.into());
    }
    Ok(Json(detail(&state, id).await?))
}

/// The caller accepts their pair's expectations agreement.
#[utoipa::path(post, operation_id = "acceptPairAgreement", path = "/api/v1/pairs/{id}/agreement", tag = "pairs", params(("id" = i64, Path, description = "Pair id")),
    responses((status = 200, description = "The pair, with the caller among those who agreed", body = PairDetailJson), (status = 403, description = "The caller is not a member of the pair", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The pair has ended", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn accept_agreement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PairDetailJson>, ApiError> {
    let (pair, _) = member_pair(&state, &user, id, Action::Edit).await?;
    if pair.status() != PairStatus::Active {
        return Err(AppError::Conflict("This pair has ended.".into()).into());
    }
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::meetings::accept_agreement(&state, actor, pair.id).await?;
    Ok(Json(detail(&state, id).await?))
}
