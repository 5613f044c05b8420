//! Matching over the API: the proposal for the cycle's free people under the coordinator's
//! weights and rules, those settings, the do-not-pair rules, and publishing, through the same
//! engine, policy and operation as the matching page. Publishing names the pairs the caller
//! saw, and is refused when the proposal has changed since.
use super::{ApiPath, JsonBody};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::mentoring::matching::{default_settings, managed_cycle, proposal};
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, delete, get, post, put};
use flipside_core::cycle_matching;
use flipside_core::matching::WeightLevel;
use flipside_store::{DoNotPair, MatchingSettings, PairStatus};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        show,
        settings,
        update_settings,
        list_do_not_pair,
        add_do_not_pair,
        remove_do_not_pair,
        publish
    ),
    components(schemas(
        ProposalJson,
        ProposedPairJson,
        SettingsJson,
        DoNotPairJson,
        DoNotPairList,
        NewDoNotPairJson,
        PublishJson,
        PublishedJson
    ))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/cycles/{id}/matching", get(show)),
        (Method::GET, "/cycles/{id}/matching/settings", get(settings)),
        (
            Method::PUT,
            "/cycles/{id}/matching/settings",
            put(update_settings),
        ),
        (
            Method::GET,
            "/cycles/{id}/matching/do-not-pair",
            get(list_do_not_pair),
        ),
        (
            Method::POST,
            "/cycles/{id}/matching/do-not-pair",
            post(add_do_not_pair),
        ),
        (
            Method::DELETE,
            "/cycles/{id}/matching/do-not-pair/{mentor}/{mentee}",
            delete(remove_do_not_pair),
        ),
        (Method::POST, "/cycles/{id}/matching/publish", post(publish)),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposedPairJson {
    /// The pair as publishing names it: `mentor_key:mentee_key`.
    pub code: String,
    pub mentor_key: String,
    pub mentor_id: i64,
    pub mentor_name: String,
    pub mentee_key: String,
    pub mentee_id: i64,
    pub mentee_name: String,
    /// Why the matcher proposes this pair.
    pub reason: String,
    pub cost: i64,
}

/// The proposal for the cycle's accepted people who are not yet paired.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalJson {
    pub pairs: Vec<ProposedPairJson>,
    pub total_cost: i64,
    /// Why there is nothing to match (nobody accepted on one side), if so.
    pub nobody: Option<String>,
    /// Why no matching is possible under the rules, if so.
    pub infeasible: Option<String>,
    /// People the proposal leaves unpaired, in words.
    pub left_over: Vec<String>,
    /// The cycle's active pairs, already published.
    pub published: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsJson {
    /// A named level's weight, as on the matching page: 0 (off), 1 (a little), 2 (some) or
    /// 4 (a lot).
    #[schema(minimum = 0, maximum = 4)]
    pub interests_weight: i64,
    /// A named level's weight: 0, 1, 2 or 4.
    #[schema(minimum = 0, maximum = 4)]
    pub availability_weight: i64,
    /// Always 0: nothing in a cycle collects the preferences this weight would use.
    #[schema(minimum = 0, maximum = 0)]
    pub preferences_weight: i64,
    pub allow_same_school: bool,
    pub require_common_availability: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DoNotPairJson {
    pub mentor_id: i64,
    pub mentor_name: String,
    pub mentee_id: i64,
    pub mentee_name: String,
}

impl From<DoNotPair> for DoNotPairJson {
    fn from(d: DoNotPair) -> Self {
        DoNotPairJson {
            mentor_id: d.mentor_id,
            mentor_name: d.mentor_name,
            mentee_id: d.mentee_id,
            mentee_name: d.mentee_name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DoNotPairList {
    pub items: Vec<DoNotPairJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDoNotPairJson {
    /// An accepted student mentor of the cycle (user id).
    pub mentor_id: i64,
    /// A staff mentee who accepted their invitation to the cycle (user id).
    pub mentee_id: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishJson {
    /// The `code` of every pair of the proposal the caller saw, in its order.
    pub expect: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedJson {
    /// How many pairs were published.
    pub published: i64,
}

/// The matching proposal (the cycle's coordinators).
#[utoipa::path(get, operation_id = "getMatchingProposal", path = "/api/v1/cycles/{id}/matching", tag = "matching", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The proposal", body = ProposalJson), (status = 403, description = "The caller does not match this cycle's pairs", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProposalJson>, ApiError> {
    managed_cycle(&state, &user, id).await?;
    let p = proposal(&state, id, Vec::new()).await?;
    let published = state
        .store
        .pairs_of_cycle(id)
        .await?
        .iter()
        .filter(|x| x.status() == PairStatus::Active)
        .count() as i64;
    Ok(Json(ProposalJson {
        pairs: p
            .pairs
            .iter()
            .map(|x| ProposedPairJson {
                code: format!("{}:{}", x.mentor, x.mentee),
                mentor_name: p.label(&x.mentor),
                mentor_id: cycle_matching::user_of(&x.mentor).unwrap_or_default(),
                mentor_key: x.mentor.clone(),
                mentee_name: p.label(&x.mentee),
                mentee_id: cycle_matching::user_of(&x.mentee).unwrap_or_default(),
                mentee_key: x.mentee.clone(),
                reason: x.explanation.summary.clone(),
                cost: x.cost.total,
            })
            .collect(),
        total_cost: p.total_cost,
        nobody: p.nobody.clone(),
        infeasible: p.infeasible.clone(),
        left_over: p.left_over.clone(),
        published,
    }))
}

fn settings_json(s: MatchingSettings) -> SettingsJson {
    SettingsJson {
        interests_weight: s.interests_weight,
        availability_weight: s.availability_weight,
        preferences_weight: s.preferences_weight,
        allow_same_school: s.allow_same_school,
        require_common_availability: s.require_common_availability,
    }
}

/// The matching weights and rules (the engine's defaults until saved).
#[utoipa::path(get, operation_id = "getMatchingSettings", path = "/api/v1/cycles/{id}/matching/settings", tag = "matching", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The weights and rules", body = SettingsJson), (status = 403, description = "The caller does not match this cycle's pairs", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SettingsJson>, ApiError> {
    managed_cycle(&state, &user, id).await?;
    let s = state
        .store
        .matching_settings(id)
        .await?
        .unwrap_or_else(default_settings);
    Ok(Json(settings_json(s)))
}

/// Saves the matching weights and rules; the proposal uses them at once.
#[utoipa::path(put, operation_id = "updateMatchingSettings", path = "/api/v1/cycles/{id}/matching/settings", tag = "matching", params(("id" = i64, Path, description = "Cycle id")), request_body = SettingsJson,
    responses((status = 200, description = "The saved weights and rules", body = SettingsJson), (status = 403, description = "The caller does not match this cycle's pairs", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A weight is out of range (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<SettingsJson>,
) -> Result<Json<SettingsJson>, ApiError> {
    managed_cycle(&state, &user, id).await?;
    let mut errors = Vec::new();
    for (field, v, what) in [
        ("interests_weight", body.interests_weight, "interests"),
        (
            "availability_weight",
            body.availability_weight,
            "availability",
        ),
    ] {
        if WeightLevel::from_weight(v).is_none() {
            errors.push((
                field.to_string(),
                format!(
                    "Enter the {what} weight as a level's weight: 0 (off), 1 (a little), 2 (some) or 4 (a lot)."
                ),
            ));
        }
    }
    if body.preferences_weight != 0 {
        errors.push((
            "preferences_weight".to_string(),
            "The preferences weight is 0: nothing in a cycle collects preferences.".to_string(),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidFields(errors).into());
    }
    let s = MatchingSettings {
        interests_weight: body.interests_weight,
        availability_weight: body.availability_weight,
        preferences_weight: body.preferences_weight,
        allow_same_school: body.allow_same_school,
        require_common_availability: body.require_common_availability,
    };
    operations::matching::save_settings(&state, Actor::of(&user, &address), id, &s).await?;
    Ok(Json(settings_json(s)))
}

/// The cycle's do-not-pair rules.
#[utoipa::path(get, operation_id = "listDoNotPairRules", path = "/api/v1/cycles/{id}/matching/do-not-pair", tag = "matching", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The rules", body = DoNotPairList), (status = 403, description = "The caller does not match this cycle's pairs", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_do_not_pair(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DoNotPairList>, ApiError> {
    managed_cycle(&state, &user, id).await?;
    let items = state.store.do_not_pair_of(id).await?;
    Ok(Json(DoNotPairList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Adds a do-not-pair rule: the matcher will not pair this mentor with this mentee.
#[utoipa::path(post, operation_id = "addDoNotPairRule", path = "/api/v1/cycles/{id}/matching/do-not-pair", tag = "matching", params(("id" = i64, Path, description = "Cycle id")), request_body = NewDoNotPairJson,
    responses((status = 201, description = "The rule", body = DoNotPairJson), (status = 403, description = "The caller does not match this cycle's pairs", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The mentor or mentee is not one of the cycle's (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn add_do_not_pair(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewDoNotPairJson>,
) -> Result<(StatusCode, Json<DoNotPairJson>), ApiError> {
    managed_cycle(&state, &user, id).await?;
    let mentors = state.store.accepted_mentors(id).await?;
    let mentees = state.store.accepted_mentees(id).await?;
    let mut errors = Vec::new();
    if !mentors.iter().any(|c| c.user_id == body.mentor_id) {
        errors.push((
            "mentor_id".to_string(),
            "Choose an accepted student mentor of this cycle.".to_string(),
        ));
    }
    if !mentees.iter().any(|c| c.user_id == body.mentee_id) {
        errors.push((
            "mentee_id".to_string(),
            "Choose a staff mentee who accepted their invitation to this cycle.".to_string(),
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidFields(errors).into());
    }
    operations::matching::add_do_not_pair(
        &state,
        Actor::of(&user, &address),
        id,
        (body.mentor_id, body.mentee_id),
    )
    .await?;
    let rule = state
        .store
        .do_not_pair_of(id)
        .await?
        .into_iter()
        .find(|d| d.mentor_id == body.mentor_id && d.mentee_id == body.mentee_id)
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(rule.into())))
}

/// Removes a do-not-pair rule.
#[utoipa::path(delete, operation_id = "removeDoNotPairRule", path = "/api/v1/cycles/{id}/matching/do-not-pair/{mentor}/{mentee}", tag = "matching",
    params(("id" = i64, Path, description = "Cycle id"), ("mentor" = i64, Path, description = "The mentor's user id"), ("mentee" = i64, Path, description = "The mentee's user id")),
    responses((status = 204, description = "The rule is removed"), (status = 403, description = "The caller does not match this cycle's pairs", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn remove_do_not_pair(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, mentor, mentee)): ApiPath<(i64, i64, i64)>,
) -> Result<StatusCode, ApiError> {
    managed_cycle(&state, &user, id).await?;
    let exists = state
        .store
        .do_not_pair_of(id)
        .await?
        .iter()
        .any(|d| d.mentor_id == mentor && d.mentee_id == mentee);
    if !exists {
        return Err(AppError::NotFound.into());
    }
    operations::matching::remove_do_not_pair(
        &state,
        Actor::of(&user, &address),
        id,
        (mentor, mentee),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes the proposed pairs: the pairs, the mentors' role, the audit entry and an email to
/// both members of each pair, all or nothing.
#[utoipa::path(post, operation_id = "publishPairs", path = "/api/v1/cycles/{id}/matching/publish", tag = "matching", params(("id" = i64, Path, description = "Cycle id")), request_body = PublishJson,
    responses((status = 200, description = "The pairs are published", body = PublishedJson), (status = 403, description = "The caller does not match this cycle's pairs", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "There is nothing to publish, or the proposal has changed since the caller read it", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn publish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<PublishJson>,
) -> Result<Json<PublishedJson>, ApiError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let p = proposal(&state, id, Vec::new()).await?;
    if p.pairs.is_empty() && body.expect.is_empty() {
        return Err(AppError::Conflict("There are no pairs to publish.".into()).into());
    }
    if p.pairs.is_empty() || p.codes() != body.expect {
        return Err(AppError::Conflict(
            "The proposal has changed since you read it (someone was accepted, a rule changed, or a pair was published). Nothing was published: read the proposal and publish again.".into(),
        )
        .into());
    }
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    let n = operations::matching::publish(&state, actor, &cycle, &scheme, &p.pairs).await?;
    Ok(Json(PublishedJson {
        published: n as i64,
    }))
}
