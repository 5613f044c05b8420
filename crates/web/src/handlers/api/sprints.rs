//! Co-creation sprints over the API (SPEC §3.11): the sprints of every faculty, one with its
//! items and comments, creating one and moving it on (Student APT Leads and organisation-wide
//! coordinators), and the item changes the sprint's page allows: adding an item in the current
//! stage, commenting, supporting, promoting, deciding a proposal and keeping an accepted one's
//! implementation status. The same checks (`flipside_core::sprint`), policy and operations
//! (`operations::sprints`: each write with its audit entry) as the pages.
use super::{ApiPath, ApiQuery, JsonBody, PageParams, page, page_of};
use crate::auth::{ApiUser, ClientAddress, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::handlers::allow;
use crate::handlers::cocreation::sprints::create::{create_sprint, validate};
use crate::handlers::cocreation::sprints::{SprintForm, decider, item_of, text};
use crate::operations::{self, cycles::Actor};
use crate::page::FormErrors;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get, post};
use flipside_core::policy;
use flipside_core::sprint::{self, Decision, Implementation, Stage, check_add, check_promote};
use flipside_store::{Sprint, SprintComment, SprintItem};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, show, advance, add_item, comment, support, promote, decide, set_status
    ),
    components(schemas(
        SprintJson,
        SprintPage,
        SprintDetailJson,
        SprintItemJson,
        SprintCommentJson,
        NewSprintJson,
        SprintAdvanceJson,
        NewSprintItemJson,
        NewSprintCommentJson,
        SprintSupportJson,
        SprintDecisionJson,
        SprintStatusJson,
        SprintStage,
        SprintDecision,
        SprintImplementation
    ))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/sprints", get(list)),
        (Method::POST, "/sprints", post(create)),
        (Method::GET, "/sprints/{id}", get(show)),
        (Method::POST, "/sprints/{id}/advance", post(advance)),
        (Method::POST, "/sprints/{id}/items", post(add_item)),
        (
            Method::POST,
            "/sprints/{id}/items/{item}/comments",
            post(comment),
        ),
        (
            Method::POST,
            "/sprints/{id}/items/{item}/support",
            post(support),
        ),
        (
            Method::POST,
            "/sprints/{id}/items/{item}/promote",
            post(promote),
        ),
        (
            Method::POST,
            "/sprints/{id}/items/{item}/decision",
            post(decide),
        ),
        (
            Method::POST,
            "/sprints/{id}/items/{item}/status",
            post(set_status),
        ),
    ]
}

/// What the policy refuses, documented once.
const REFUSED: &str = "The caller may not do this";

/// A stage of a sprint and of its items.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SprintStage {
    Problems,
    Ideas,
    Proposals,
}

impl SprintStage {
    fn get(self) -> Stage {
        match self {
            SprintStage::Problems => Stage::Problems,
            SprintStage::Ideas => Stage::Ideas,
            SprintStage::Proposals => Stage::Proposals,
        }
    }
}

/// What became of a proposal.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SprintDecision {
    Accepted,
    NotTakenForward,
}

/// An accepted proposal's implementation status.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SprintImplementation {
    NotStarted,
    InProgress,
    Done,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SprintJson {
    pub id: i64,
    pub faculty_id: i64,
    pub faculty_name: String,
    pub title: String,
    pub question: String,
    /// YYYY-MM-DD
    pub starts_on: String,
    pub ends_on: String,
    /// The stage it is collecting: problems, ideas or proposals.
    pub stage: String,
    /// open or closed
    pub state: String,
    pub created_at: String,
}

impl From<Sprint> for SprintJson {
    fn from(s: Sprint) -> Self {
        SprintJson {
            stage: s.stage.as_str().to_string(),
            state: s.state.as_str().to_string(),
            id: s.id,
            faculty_id: s.faculty_id,
            faculty_name: s.faculty_name,
            title: s.title,
            question: s.question,
            starts_on: s.starts_on,
            ends_on: s.ends_on,
            created_at: s.created_at.to_rfc3339(),
        }
    }
}

page_of!(SprintPage, SprintJson);

#[derive(Debug, Serialize, ToSchema)]
pub struct SprintCommentJson {
    pub id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SprintItemJson {
    pub id: i64,
    /// problems, ideas or proposals
    pub stage: String,
    pub title: String,
    pub body: String,
    pub author_id: i64,
    pub author_name: String,
    /// The item this one was promoted from.
    pub parent_id: Option<i64>,
    /// The item this one was promoted to.
    pub promoted_to: Option<i64>,
    pub supporters: i64,
    /// Whether the caller supports it.
    pub supported: bool,
    /// A proposal's decision: accepted or not_taken_forward.
    pub decision: Option<String>,
    pub decision_reasons: String,
    pub decided_by_name: Option<String>,
    /// An accepted proposal's action, its owner and implementation status.
    pub action_title: Option<String>,
    pub action_owner: Option<String>,
    pub action_status: Option<String>,
    pub comments: Vec<SprintCommentJson>,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SprintDetailJson {
    pub sprint: SprintJson,
    /// Every item, oldest first.
    pub items: Vec<SprintItemJson>,
    /// Whether the caller runs sprints (creates them, promotes items, moves them on).
    pub can_run: bool,
    /// Whether the caller decides this sprint's proposals.
    pub can_decide: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSprintJson {
    pub faculty_id: i64,
    #[schema(min_length = 1, max_length = 120)]
    pub title: String,
    /// The question the sprint asks.
    #[schema(min_length = 1, max_length = 1000)]
    pub question: String,
    /// YYYY-MM-DD
    pub starts_on: String,
    /// YYYY-MM-DD, on or after starts_on.
    pub ends_on: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SprintAdvanceJson {
    /// The stage the caller saw the sprint in, so that a stale view cannot skip one. From
    /// proposals, the sprint closes.
    pub from: SprintStage,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSprintItemJson {
    /// The stage the sprint is collecting now.
    pub stage: SprintStage,
    #[schema(min_length = 1, max_length = 120)]
    pub title: String,
    #[schema(min_length = 1, max_length = 2000)]
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSprintCommentJson {
    #[schema(min_length = 1, max_length = 1000)]
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SprintSupportJson {
    /// true supports the item; false withdraws the caller's support.
    pub support: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SprintDecisionJson {
    pub decision: SprintDecision,
    #[schema(min_length = 1, max_length = 2000)]
    pub reasons: String,
    /// For an accepted proposal: the action that carries it out (required then).
    #[serde(default)]
    pub action_title: String,
    /// For an accepted proposal: who owns the action (required then).
    #[serde(default)]
    pub action_owner: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SprintStatusJson {
    pub status: SprintImplementation,
}

fn item_json(i: SprintItem, comments: &[SprintComment], supported: &[i64]) -> SprintItemJson {
    SprintItemJson {
        comments: comments
            .iter()
            .filter(|c| c.item_id == i.id)
            .map(|c| SprintCommentJson {
                id: c.id,
                author_name: c.author_name.clone(),
                body: c.body.clone(),
                created_at: c.created_at.to_rfc3339(),
            })
            .collect(),
        supported: supported.contains(&i.id),
        stage: i.stage.as_str().to_string(),
        decision: i.decision.map(|d| d.as_str().to_string()),
        action_status: i.action_status.map(|s| s.as_str().to_string()),
        id: i.id,
        title: i.title,
        body: i.body,
        author_id: i.author_id,
        author_name: i.author_name,
        parent_id: i.parent_id,
        promoted_to: i.promoted_to,
        supporters: i.supporters,
        decision_reasons: i.decision_reasons,
        decided_by_name: i.decided_by_name,
        action_title: i.action_title,
        action_owner: i.action_owner,
        created_at: i.created_at.to_rfc3339(),
    }
}

async fn detail(
    state: &AppState,
    user: &CurrentUser,
    sprint: Sprint,
) -> Result<SprintDetailJson, AppError> {
    let items = state.store.sprint_items(sprint.id).await?;
    let comments = state.store.sprint_comments(sprint.id).await?;
    let supported = state
        .store
        .sprint_supported_by(sprint.id, user.id())
        .await?;
    Ok(SprintDetailJson {
        can_run: policy::sprint_run(&user.actor),
        can_decide: decider(state, user, &sprint).await?,
        items: items
            .into_iter()
            .map(|i| item_json(i, &comments, &supported))
            .collect(),
        sprint: sprint.into(),
    })
}

async fn item_answer(
    state: &AppState,
    user: &CurrentUser,
    sprint_id: i64,
    item_id: i64,
) -> Result<SprintItemJson, AppError> {
    let item = state.store.sprint_item(item_id).await?;
    let comments = state.store.sprint_comments(sprint_id).await?;
    let supported = state
        .store
        .sprint_supported_by(sprint_id, user.id())
        .await?;
    Ok(item_json(item, &comments, &supported))
}

/// Problem details for a list of field errors (every one, not only the first).
fn invalid(errors: FormErrors) -> ApiError {
    ApiError(AppError::InvalidFields(errors.0.into_iter().collect()))
}

/// The sprints of every faculty, by faculty.
#[utoipa::path(get, operation_id = "listSprints", path = "/api/v1/sprints", tag = "sprints", params(PageParams),
    responses((status = 200, description = "The sprints", body = SprintPage)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<SprintPage>, ApiError> {
    allow(policy::sprint_contribute(&user.actor))?;
    let (items, next_cursor) = page(state.store.sprints().await?, |s| s.id, &params)?;
    Ok(Json(SprintPage {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Creates a sprint in a faculty; it starts collecting problems (Student APT Leads and
/// organisation-wide coordinators).
#[utoipa::path(post, operation_id = "createSprint", path = "/api/v1/sprints", tag = "sprints", request_body = NewSprintJson,
    responses((status = 201, description = "The sprint, collecting problems", body = SprintJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A field breaks a rule (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    JsonBody(body): JsonBody<NewSprintJson>,
) -> Result<(StatusCode, Json<SprintJson>), ApiError> {
    allow(policy::sprint_run(&user.actor))?;
    let form = SprintForm {
        title: body.title,
        faculty_id: body.faculty_id.to_string(),
        question: body.question,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
    };
    let faculties = state.store.faculties().await?;
    let valid = validate(&form, &faculties).map_err(invalid)?;
    let id = create_sprint(&state, Actor::of(&user, &address), &valid).await?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.sprint(id).await?.into()),
    ))
}

/// One sprint with its items, their comments and support.
#[utoipa::path(get, operation_id = "getSprint", path = "/api/v1/sprints/{id}", tag = "sprints", params(("id" = i64, Path, description = "Sprint id")),
    responses((status = 200, description = "The sprint", body = SprintDetailJson)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SprintDetailJson>, ApiError> {
    let sprint = state.store.sprint(id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    Ok(Json(detail(&state, &user, sprint).await?))
}

/// Moves the sprint on to collecting its next stage, or closes it after proposals.
#[utoipa::path(post, operation_id = "advanceSprint", path = "/api/v1/sprints/{id}/advance", tag = "sprints", params(("id" = i64, Path, description = "Sprint id")), request_body = SprintAdvanceJson,
    responses((status = 200, description = "The sprint in its new stage or closed", body = SprintJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The sprint is closed, or has moved on from the stage the caller saw", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn advance(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<SprintAdvanceJson>,
) -> Result<Json<SprintJson>, ApiError> {
    let sprint = state.store.sprint(id).await?;
    allow(policy::sprint_run(&user.actor))?;
    let from = sprint.stage.get();
    let step = sprint::check_advance(sprint.state.get(), from, body.from.get().as_str())
        .map_err(AppError::Conflict)?;
    operations::sprints::advance(&state, Actor::of(&user, &address), id, from, step).await?;
    Ok(Json(state.store.sprint(id).await?.into()))
}

/// Adds a problem, idea or proposal in the stage the sprint is collecting (anyone signed in).
#[utoipa::path(post, operation_id = "addSprintItem", path = "/api/v1/sprints/{id}/items", tag = "sprints", params(("id" = i64, Path, description = "Sprint id")), request_body = NewSprintItemJson,
    responses((status = 201, description = "The item", body = SprintItemJson), (status = 409, description = "The sprint is closed, or is collecting another stage", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The title or description is empty or too long (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn add_item(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewSprintItemJson>,
) -> Result<(StatusCode, Json<SprintItemJson>), ApiError> {
    let sprint = state.store.sprint(id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    let mut errors = FormErrors::default();
    let title = text(&mut errors, "title", "Title", &body.title, 120);
    let text_body = text(&mut errors, "body", "Description", &body.body, 2000);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let current = sprint.stage.get();
    check_add(sprint.state.get(), current, body.stage.get()).map_err(AppError::Conflict)?;
    let item = operations::sprints::add_item(
        &state,
        Actor::of(&user, &address),
        id,
        current,
        &title,
        &text_body,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(item_answer(&state, &user, id, item).await?),
    ))
}

/// Comments on an item (anyone signed in).
#[utoipa::path(post, operation_id = "commentOnSprintItem", path = "/api/v1/sprints/{id}/items/{item}/comments", tag = "sprints", params(("id" = i64, Path, description = "Sprint id"), ("item" = i64, Path, description = "Item id")), request_body = NewSprintCommentJson,
    responses((status = 201, description = "The item with its comments", body = SprintItemJson), (status = 422, description = "The comment is empty or too long (body)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn comment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, item_id)): ApiPath<(i64, i64)>,
    JsonBody(body): JsonBody<NewSprintCommentJson>,
) -> Result<(StatusCode, Json<SprintItemJson>), ApiError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    let mut errors = FormErrors::default();
    let text_body = text(&mut errors, "body", "Comment", &body.body, 1000);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    operations::sprints::comment(&state, Actor::of(&user, &address), &item, &text_body).await?;
    Ok((
        StatusCode::CREATED,
        Json(item_answer(&state, &user, id, item.id).await?),
    ))
}

/// Supports an item, or withdraws the caller's support (anyone signed in).
#[utoipa::path(post, operation_id = "supportSprintItem", path = "/api/v1/sprints/{id}/items/{item}/support", tag = "sprints", params(("id" = i64, Path, description = "Sprint id"), ("item" = i64, Path, description = "Item id")), request_body = SprintSupportJson,
    responses((status = 200, description = "The item with its support", body = SprintItemJson)))]
pub async fn support(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, item_id)): ApiPath<(i64, i64)>,
    JsonBody(body): JsonBody<SprintSupportJson>,
) -> Result<Json<SprintItemJson>, ApiError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    operations::sprints::support(&state, Actor::of(&user, &address), &item, body.support).await?;
    Ok(Json(item_answer(&state, &user, id, item.id).await?))
}

/// Promotes an item to the next stage: a problem to an idea, an idea to a proposal (Student
/// APT Leads and organisation-wide coordinators). Answers the new item.
#[utoipa::path(post, operation_id = "promoteSprintItem", path = "/api/v1/sprints/{id}/items/{item}/promote", tag = "sprints", params(("id" = i64, Path, description = "Sprint id"), ("item" = i64, Path, description = "Item id")),
    responses((status = 201, description = "The item it became, in the next stage", body = SprintItemJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The sprint is closed, the item is a proposal, or it was promoted already", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn promote(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, item_id)): ApiPath<(i64, i64)>,
) -> Result<(StatusCode, Json<SprintItemJson>), ApiError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(policy::sprint_run(&user.actor))?;
    let to = check_promote(sprint.state.get(), item.stage.get()).map_err(AppError::Conflict)?;
    let new_id =
        operations::sprints::promote(&state, Actor::of(&user, &address), &item, to).await?;
    Ok((
        StatusCode::CREATED,
        Json(item_answer(&state, &user, id, new_id).await?),
    ))
}

/// Decides a proposal: accepted (with an action and its owner) or not taken forward
/// (organisation-wide coordinators, admins, and the lead of a School in the sprint's faculty).
#[utoipa::path(post, operation_id = "decideSprintProposal", path = "/api/v1/sprints/{id}/items/{item}/decision", tag = "sprints", params(("id" = i64, Path, description = "Sprint id"), ("item" = i64, Path, description = "Item id")), request_body = SprintDecisionJson,
    responses((status = 200, description = "The proposal, decided", body = SprintItemJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The item is not a proposal, or was decided already", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The reasons, or for an accepted proposal the action or its owner, are missing or too long (each field in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, item_id)): ApiPath<(i64, i64)>,
    JsonBody(body): JsonBody<SprintDecisionJson>,
) -> Result<Json<SprintItemJson>, ApiError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(decider(&state, &user, &sprint).await?)?;
    let decision = match body.decision {
        SprintDecision::Accepted => Decision::Accepted,
        SprintDecision::NotTakenForward => Decision::NotTakenForward,
    };
    let mut errors = FormErrors::default();
    let reasons = text(&mut errors, "reasons", "Reasons", &body.reasons, 2000);
    let action = (decision == Decision::Accepted).then(|| {
        (
            text(
                &mut errors,
                "action_title",
                "The action",
                &body.action_title,
                200,
            ),
            text(
                &mut errors,
                "action_owner",
                "The action's owner",
                &body.action_owner,
                120,
            ),
        )
    });
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    sprint::check_decide(item.stage.get()).map_err(AppError::Conflict)?;
    operations::sprints::decide(
        &state,
        Actor::of(&user, &address),
        &item,
        decision,
        &reasons,
        action.as_ref().map(|(t, o)| (t.as_str(), o.as_str())),
    )
    .await?;
    Ok(Json(item_answer(&state, &user, id, item.id).await?))
}

/// Keeps an accepted proposal's implementation status (whoever decides the sprint's
/// proposals).
#[utoipa::path(post, operation_id = "setSprintItemStatus", path = "/api/v1/sprints/{id}/items/{item}/status", tag = "sprints", params(("id" = i64, Path, description = "Sprint id"), ("item" = i64, Path, description = "Item id")), request_body = SprintStatusJson,
    responses((status = 200, description = "The proposal with its status", body = SprintItemJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The item is not an accepted proposal", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn set_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, item_id)): ApiPath<(i64, i64)>,
    JsonBody(body): JsonBody<SprintStatusJson>,
) -> Result<Json<SprintItemJson>, ApiError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(decider(&state, &user, &sprint).await?)?;
    sprint::check_status(item.action_status.is_some()).map_err(AppError::Conflict)?;
    let status = match body.status {
        SprintImplementation::NotStarted => Implementation::NotStarted,
        SprintImplementation::InProgress => Implementation::InProgress,
        SprintImplementation::Done => Implementation::Done,
    };
    operations::sprints::set_status(&state, Actor::of(&user, &address), &item, status).await?;
    Ok(Json(item_answer(&state, &user, id, item.id).await?))
}
