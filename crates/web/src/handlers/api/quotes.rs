//! A cycle's quote bank and its findings per aim over the API (SPEC §3.7): the quotes usable
//! now (their speaker's quote consent stands), labelled by pseudonym and never by name, and the
//! coded excerpts that may become quotes (the scheme's research team; reading them is audited,
//! as on the bank's page); promoting an excerpt, trimming a quote's words (only cuts marked with
//! "…", the original kept) and taking it out of the bank, and writing the finding for an aim
//! (the scheme's coordinators). The same policy functions and operations as the pages
//! (`handlers::qualitative::quotes`, `operations::quotes`, `operations::qualitative`). A quote
//! and a finding answer an `ETag`; trimming and writing honour `If-Match`.
use super::etag::{IfMatch, Tagged};
use super::{ApiPath, ApiQuery, JsonBody, PageParams, invalid, page, page_of};
use crate::auth::{ApiUser, ClientAddress, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::handlers::qualitative::quotes::Evidence;
use crate::handlers::qualitative::quotes::bank::{candidates, capitalised, quote_of_cycle};
use crate::handlers::qualitative::quotes::triangulation::MAX_FINDING_CHARS;
use crate::handlers::{audit_read, cycle_if};
use crate::operations::cycles::Actor;
use crate::operations::{qualitative, quotes};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, get};
use flipside_core::policy::{self, Action};
use flipside_store::{Cycle, QuoteRow};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        list_candidates,
        show,
        promote,
        trim,
        remove,
        show_finding,
        set_finding
    ),
    components(schemas(
        QuoteJson,
        QuotePage,
        QuoteCandidateJson,
        QuoteCandidatePage,
        NewQuoteJson,
        QuoteTrimJson,
        FindingJson,
        FindingChangeJson
    ))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/cycles/{id}/quotes", get(list)),
        (
            Method::POST,
            "/cycles/{id}/quotes",
            axum::routing::post(promote),
        ),
        (
            Method::GET,
            "/cycles/{id}/quotes/candidates",
            get(list_candidates),
        ),
        (Method::GET, "/cycles/{id}/quotes/{quote}", get(show)),
        (
            Method::PUT,
            "/cycles/{id}/quotes/{quote}",
            axum::routing::put(trim),
        ),
        (
            Method::DELETE,
            "/cycles/{id}/quotes/{quote}",
            axum::routing::delete(remove),
        ),
        (
            Method::GET,
            "/cycles/{id}/aims/{aim}/finding",
            get(show_finding),
        ),
        (
            Method::PUT,
            "/cycles/{id}/aims/{aim}/finding",
            axum::routing::put(set_finding),
        ),
    ]
}

/// What the policy refuses, documented once.
const REFUSED: &str = "The caller may not do this";

/// A quote in the bank, labelled by its speaker's pseudonym in the cycle ("Mentor 4").
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteJson {
    pub id: i64,
    pub excerpt_id: i64,
    pub chat_id: i64,
    pub pseudonym: String,
    /// Its excerpt's codes, as paths ("Belonging › Isolation").
    pub codes: Vec<String>,
    /// The aims its codes evidence.
    pub aims: Vec<String>,
    /// The words shown (trimmed or as coded).
    pub text: String,
    /// The excerpt's words as coded.
    pub original: String,
    /// Whether the words shown are a trim of the original.
    pub trimmed: bool,
    pub created_at: String,
}

page_of!(QuotePage, QuoteJson);

/// A coded excerpt that may become a quote.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteCandidateJson {
    pub excerpt_id: i64,
    pub pseudonym: String,
    pub codes: Vec<String>,
    pub aims: Vec<String>,
    /// Its words as coded.
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteCandidatePage {
    pub items: Vec<QuoteCandidateJson>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// Coded passages held back because their speaker has not consented to being quoted.
    pub held_back: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuoteJson {
    /// The coded excerpt of this cycle to promote.
    pub excerpt: i64,
    /// Its words trimmed (only cuts marked with "…"); empty or absent: the words as coded.
    #[serde(default)]
    pub edited: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteTrimJson {
    /// The quote's words: its original, with only cuts marked with "…".
    pub edited: String,
}

/// The coordinator's finding for one aim of the cycle (the annual report prints it).
#[derive(Debug, Serialize, ToSchema)]
pub struct FindingJson {
    pub aim: String,
    pub aim_label: String,
    /// Empty when none is written.
    pub finding: String,
    pub updated_at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingChangeJson {
    /// The finding, at most 5000 characters; empty clears it.
    pub finding: String,
}

fn quote_json(evidence: &Evidence, q: &QuoteRow) -> QuoteJson {
    QuoteJson {
        id: q.id,
        excerpt_id: q.excerpt_id,
        chat_id: q.chat_id,
        pseudonym: evidence.pseudonym(q.participant_user_id),
        codes: evidence.code_paths(q.excerpt_id),
        aims: evidence
            .aim_keys(q.excerpt_id)
            .iter()
            .map(|k| evidence.aim_label(k))
            .collect(),
        text: q.edited.clone(),
        original: q.original.clone(),
        trimmed: q.edited != q.original,
        created_at: q.created_at.to_rfc3339(),
    }
}

/// A usable quote of the cycle as the bank shows it (404 when it is not in the bank).
async fn quote_answer(state: &AppState, cycle: &Cycle, quote: i64) -> Result<QuoteJson, AppError> {
    let evidence = Evidence::load(state, cycle).await?;
    evidence
        .quotes
        .iter()
        .find(|q| q.id == quote)
        .map(|q| quote_json(&evidence, q))
        .ok_or(AppError::NotFound)
}

async fn audit_bank(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    cycle: i64,
    detail: &str,
) -> Result<(), AppError> {
    audit_read(
        state,
        user,
        address,
        "quote_bank_read",
        ("cycle", cycle),
        detail,
    )
    .await
}

/// The cycle's usable quotes, oldest first, by pseudonym (the scheme's research team; audited,
/// as the bank's page is).
#[utoipa::path(get, operation_id = "listQuotes", path = "/api/v1/cycles/{id}/quotes", tag = "quotes", params(("id" = i64, Path, description = "Cycle id"), PageParams),
    responses((status = 200, description = "The quotes", body = QuotePage), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<QuotePage>, ApiError> {
    let (cycle, _) = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::View)
    })
    .await?;
    let evidence = Evidence::load(&state, &cycle).await?;
    let (quotes, next_cursor) = page(evidence.quotes.clone(), |q| q.id, &params)?;
    audit_bank(&state, &user, &address, id, "the quote bank").await?;
    Ok(Json(QuotePage {
        items: quotes.iter().map(|q| quote_json(&evidence, q)).collect(),
        next_cursor,
    }))
}

/// The coded excerpts that may become quotes: one per coded passage, not yet quoted, of
/// participants whose quote consent stands (the scheme's research team; audited).
#[utoipa::path(get, operation_id = "listQuoteCandidates", path = "/api/v1/cycles/{id}/quotes/candidates", tag = "quotes", params(("id" = i64, Path, description = "Cycle id"), PageParams),
    responses((status = 200, description = "The excerpts that may be promoted", body = QuoteCandidatePage), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_candidates(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<QuoteCandidatePage>, ApiError> {
    let (cycle, _) = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::View)
    })
    .await?;
    let evidence = Evidence::load(&state, &cycle).await?;
    let (found, held_back) = candidates(&state, id, &evidence).await?;
    let (found, next_cursor) = page(found, |c| c.excerpt, &params)?;
    audit_bank(
        &state,
        &user,
        &address,
        id,
        "the excerpts that may become quotes",
    )
    .await?;
    Ok(Json(QuoteCandidatePage {
        items: found
            .into_iter()
            .map(|c| QuoteCandidateJson {
                excerpt_id: c.excerpt,
                pseudonym: c.pseudonym,
                codes: c.codes,
                aims: c.aims,
                text: c.text,
            })
            .collect(),
        next_cursor,
        held_back,
    }))
}

/// One quote of the bank, with its `ETag` (the scheme's research team; audited).
#[utoipa::path(get, operation_id = "getQuote", path = "/api/v1/cycles/{id}/quotes/{quote}", tag = "quotes", params(("id" = i64, Path, description = "Cycle id"), ("quote" = i64, Path, description = "Quote id")),
    responses((status = 200, description = "The quote", body = QuoteJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, quote)): ApiPath<(i64, i64)>,
) -> Result<Tagged<QuoteJson>, ApiError> {
    let (cycle, _) = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::View)
    })
    .await?;
    quote_of_cycle(&state, id, quote).await?;
    let json = quote_answer(&state, &cycle, quote).await?;
    audit_bank(&state, &user, &address, id, &format!("quote {quote}")).await?;
    Ok(Tagged(json))
}

/// Promotes a coded excerpt of the cycle to a quote, its words as coded or trimmed (the
/// scheme's coordinators), while its speaker's quote consent stands.
#[utoipa::path(post, operation_id = "promoteQuote", path = "/api/v1/cycles/{id}/quotes", tag = "quotes", params(("id" = i64, Path, description = "Cycle id")), request_body = NewQuoteJson,
    responses((status = 201, description = "The quote", body = QuoteJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The speaker has not consented to being quoted, or the excerpt is a quote already", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The excerpt is not one of this cycle's, or the words are not a trim of it (the field named)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn promote(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewQuoteJson>,
) -> Result<(StatusCode, Json<QuoteJson>), ApiError> {
    let (cycle, _) = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::Create)
    })
    .await?;
    let chat_id = state
        .store
        .excerpts_of_cycle(id)
        .await?
        .into_iter()
        .find(|e| e.id == body.excerpt)
        .map(|e| e.chat)
        .ok_or_else(|| invalid("excerpt", "Name a coded excerpt of this cycle."))?;
    let quote = match qualitative::promote_quote(
        &state.store,
        Actor::of(&user, &address),
        chat_id,
        body.excerpt,
        &body.edited,
    )
    .await
    {
        Ok(quote) => quote,
        Err(AppError::Invalid { field, message }) => {
            return Err(invalid(&field, capitalised(&message)));
        }
        Err(AppError::Conflict(message)) => {
            return Err(AppError::Conflict(capitalised(&message)).into());
        }
        Err(e) => return Err(e.into()),
    };
    Ok((
        StatusCode::CREATED,
        Json(quote_answer(&state, &cycle, quote).await?),
    ))
}

/// Replaces the quote's words with a trim of its original (only cuts marked with "…"; the
/// original stays), the scheme's coordinators. Honours `If-Match`.
#[utoipa::path(put, operation_id = "trimQuote", path = "/api/v1/cycles/{id}/quotes/{quote}", tag = "quotes", params(("id" = i64, Path, description = "Cycle id"), ("quote" = i64, Path, description = "Quote id"), IfMatch), request_body = QuoteTrimJson,
    responses((status = 200, description = "The quote with its new words", body = QuoteJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The words are not a trim of the original (edited)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn trim(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, quote)): ApiPath<(i64, i64)>,
    if_match: IfMatch,
    JsonBody(body): JsonBody<QuoteTrimJson>,
) -> Result<Tagged<QuoteJson>, ApiError> {
    let (cycle, _) = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::Edit)
    })
    .await?;
    quote_of_cycle(&state, id, quote).await?;
    if_match.check(&quote_answer(&state, &cycle, quote).await?)?;
    match quotes::trim_quote(
        &state.store,
        Actor::of(&user, &address),
        quote,
        &body.edited,
    )
    .await
    {
        Ok(()) => {}
        Err(AppError::Invalid { field, message }) => {
            return Err(invalid(&field, capitalised(&message)));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Tagged(quote_answer(&state, &cycle, quote).await?))
}

/// Takes the quote out of the bank; its excerpt stays coded and can be promoted again (the
/// scheme's coordinators).
#[utoipa::path(delete, operation_id = "removeQuote", path = "/api/v1/cycles/{id}/quotes/{quote}", tag = "quotes", params(("id" = i64, Path, description = "Cycle id"), ("quote" = i64, Path, description = "Quote id")),
    responses((status = 204, description = "The quote is out of the bank"), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn remove(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, quote)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::Edit)
    })
    .await?;
    quote_of_cycle(&state, id, quote).await?;
    quotes::remove_quote(&state.store, Actor::of(&user, &address), quote).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The finding for an aim of the cycle as it stands (404 for an aim the scheme does not have).
async fn finding_answer(
    state: &AppState,
    cycle: &Cycle,
    aim: &str,
) -> Result<FindingJson, AppError> {
    let label = state
        .store
        .aims_of_scheme(cycle.scheme_id)
        .await?
        .into_iter()
        .find(|a| a.key == aim)
        .map(|a| a.label)
        .ok_or(AppError::NotFound)?;
    let finding = state
        .store
        .findings_of_cycle(cycle.id)
        .await?
        .into_iter()
        .find(|f| f.aim == aim);
    Ok(FindingJson {
        aim: aim.to_string(),
        aim_label: label,
        finding: finding
            .as_ref()
            .map(|f| f.finding.clone())
            .unwrap_or_default(),
        updated_at: finding.map(|f| f.updated_at.to_rfc3339()),
    })
}

/// The coordinator's finding for one aim of the cycle, with its `ETag` (the scheme's research
/// team).
#[utoipa::path(get, operation_id = "getFinding", path = "/api/v1/cycles/{id}/aims/{aim}/finding", tag = "quotes", params(("id" = i64, Path, description = "Cycle id"), ("aim" = String, Path, description = "The aim's key, e.g. belonging")),
    responses((status = 200, description = "The finding", body = FindingJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show_finding(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, aim)): ApiPath<(i64, String)>,
) -> Result<Tagged<FindingJson>, ApiError> {
    let (cycle, _) = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::View)
    })
    .await?;
    Ok(Tagged(finding_answer(&state, &cycle, &aim).await?))
}

/// Writes (or, empty, clears) the finding for an aim of the cycle: the annual report prints
/// it (the scheme's coordinators). Honours `If-Match`.
#[utoipa::path(put, operation_id = "setFinding", path = "/api/v1/cycles/{id}/aims/{aim}/finding", tag = "quotes", params(("id" = i64, Path, description = "Cycle id"), ("aim" = String, Path, description = "The aim's key, e.g. belonging"), IfMatch), request_body = FindingChangeJson,
    responses((status = 200, description = "The finding as it is now", body = FindingJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The finding is too long (finding)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn set_finding(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, aim)): ApiPath<(i64, String)>,
    if_match: IfMatch,
    JsonBody(body): JsonBody<FindingChangeJson>,
) -> Result<Tagged<FindingJson>, ApiError> {
    let (cycle, _) = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::Edit)
    })
    .await?;
    if_match.check(&finding_answer(&state, &cycle, &aim).await?)?;
    if body.finding.trim().chars().count() > MAX_FINDING_CHARS {
        return Err(invalid(
            "finding",
            format!("A finding is at most {MAX_FINDING_CHARS} characters: shorten it."),
        ));
    }
    qualitative::set_finding(
        &state.store,
        Actor::of(&user, &address),
        id,
        &aim,
        &body.finding,
    )
    .await?;
    Ok(Tagged(finding_answer(&state, &cycle, &aim).await?))
}
