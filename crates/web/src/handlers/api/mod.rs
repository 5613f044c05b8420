//! The JSON API under `/api/v1`, documented by the OpenAPI document generated from these
//! handlers' annotations and served at `/api/v1/openapi.json` (and printed by
//! `flipside openapi`). Every error is RFC 9457 problem details ([`crate::error::Problem`]),
//! including requests that fail before a handler runs: the extractors here answer malformed
//! paths and bodies, and [`not_found`] / [`method_not_allowed`] answer unknown routes.
pub mod actions;
pub mod admin;
pub mod applications;
pub mod chats;
pub mod coding;
pub mod concerns;
pub mod cycles;
pub mod etag;
pub mod idempotency;
pub mod invitations;
pub mod matching;
pub mod me;
pub mod meetings;
pub mod my_data;
pub mod notes;
pub mod pairs;
pub mod plan;
pub mod quotes;
pub mod rematch;
pub mod reports;
pub mod research;
pub mod schemes;
pub mod scopes;
pub mod sprints;
pub mod survey_reminders;
pub mod surveys;
pub mod tutoring;
pub mod tutoring_students;
pub mod webhooks;

use crate::error::{ApiError, AppError, PROBLEM_JSON};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use utoipa::OpenApi;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

#[derive(OpenApi)]
#[openapi(
    info(title = "flipside API", description = "Reverse mentoring and academic personal tutoring. Authenticate with a bearer token (create one on your account page) or a browser session (then send the X-CSRF-Token header on writes). Every error is RFC 9457 problem details (application/problem+json)."),
    paths(openapi, me::show, schemes::list, schemes::create, schemes::show, cycles::list, cycles::create, cycles::show, cycles::transition, pairs::list, pairs::end_early, invitations::list, invitations::create, invitations::resend, meetings::propose, meetings::respond, concerns::raise),
    components(schemas(crate::error::Problem, crate::error::FieldProblem, me::Me, me::GrantJson, schemes::SchemeJson, schemes::SchemePage, cycles::CyclePage, pairs::PairPage, invitations::InvitationPage, schemes::NewSchemeJson, cycles::CycleJson, cycles::NewCycleJson, cycles::TransitionJson, cycles::EventJson, pairs::PairJson, pairs::EndPairJson, pairs::Leaving, invitations::InvitationJson, invitations::NewInvitationJson, meetings::MeetingJson, meetings::NewMeetingJson, meetings::RespondJson, meetings::Decision, concerns::NewConcernJson, concerns::RaisedConcernJson)),
    security(("bearer" = []), ("session" = [], "csrf" = []))
)]
pub struct ApiDoc;

/// The whole document: [`ApiDoc`] with each area's own document merged in (an area module
/// declares `#[derive(OpenApi)] pub struct Doc` with its paths and schemas, and is listed
/// here), then the security schemes and the common error statuses added to every operation.
pub fn document() -> utoipa::openapi::OpenApi {
    use utoipa::Modify;
    let mut doc = ApiDoc::openapi();
    for area in area_documents() {
        doc.merge(area);
    }
    Security.modify(&mut doc);
    CommonProblems.modify(&mut doc);
    doc
}

/// The documents of the areas that keep their own (see [`document`]).
fn area_documents() -> Vec<utoipa::openapi::OpenApi> {
    vec![
        webhooks::Doc::openapi(),
        applications::Doc::openapi(),
        invitations::Doc::openapi(),
        matching::Doc::openapi(),
        pairs::Doc::openapi(),
        meetings::Doc::openapi(),
        actions::Doc::openapi(),
        concerns::Doc::openapi(),
        surveys::Doc::openapi(),
        admin::Doc::openapi(),
        tutoring::Doc::openapi(),
        notes::Doc::openapi(),
        plan::Doc::openapi(),
        sprints::Doc::openapi(),
        tutoring_students::Doc::openapi(),
        research::Doc::openapi(),
        my_data::Doc::openapi(),
        chats::Doc::openapi(),
        quotes::Doc::openapi(),
        coding::Doc::openapi(),
        reports::Doc::openapi(),
        rematch::Doc::openapi(),
        survey_reminders::Doc::openapi(),
    ]
}

struct Security;

/// What the bearer scheme says of scopes (`flipside_core::api_scope`).
const BEARER_SCOPES: &str = "An API token made on the account page (/account). A token holds scopes: 'read' reads everything its person may read; 'mentoring', 'evaluation', 'tutoring', 'cocreation' and 'administration' each change (and read) one area. An operation the token's scopes do not cover answers 403 problem details of type urn:flipside:problem:insufficient-scope naming the missing scope. Scopes only narrow a token: the person's roles still decide. Tokens made before scopes existed hold every scope; a browser session is not limited by scopes.";

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(BEARER_SCOPES))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("flipside_session"))),
        );
        // With the session cookie, writes also need the page's CSRF token in this header
        // (reads do not; bearer-token calls never do).
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-CSRF-Token"))),
        );
    }
}

/// Adds the error statuses that every operation of a kind can return because of what runs
/// before its handler (authentication, CSRF, the path and body extractors), so that each
/// handler's annotation lists only the errors of its own rules.
struct CommonProblems;

fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

fn add_problem(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| problem_response(description));
}

/// A problem answered with `Retry-After`: the whole seconds to wait before trying again.
fn add_retry_problem(op: &mut Operation, status: &str, description: &str) {
    let retry_after = HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1)),
        )
        .description(Some("Seconds to wait before trying again."))
        .build();
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .header("Retry-After", retry_after)
                    .content(
                        PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        });
}

impl utoipa::Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            if let Some(op) = item.post.as_mut() {
                idempotency::document(op);
            }
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                etag::document(op);
            }
            let ops = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (op, write) in ops {
                let Some(op) = op.as_mut() else { continue };
                let public = op.operation_id.as_deref() == Some("getOpenApiDocument");
                if !public {
                    add_problem(op, "401", "No valid bearer token or session was sent.");
                    if !write {
                        add_problem(
                            op,
                            "403",
                            "Forbidden: the policy refuses the caller, or the bearer token lacks the scope this operation needs (named in detail).",
                        );
                    }
                }
                if write {
                    add_problem(
                        op,
                        "403",
                        "Forbidden: the policy refuses the caller, the bearer token lacks the scope this operation needs (named in detail), or a session-authenticated write lacks X-CSRF-Token.",
                    );
                    add_retry_problem(
                        op,
                        "429",
                        "Too many writes by this person (or, signed out, from this address) in the last minute.",
                    );
                }
                let has_path = op.parameters.as_ref().is_some_and(|p| {
                    p.iter()
                        .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Path))
                });
                if has_path {
                    add_problem(op, "400", "A path parameter is malformed.");
                    add_problem(op, "404", "No such resource.");
                }
                let has_query = op.parameters.as_ref().is_some_and(|p| {
                    p.iter().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)
                    })
                });
                if has_query {
                    add_problem(
                        op,
                        "400",
                        "A query parameter is malformed (named in field).",
                    );
                }
                if op.request_body.is_some() {
                    add_problem(
                        op,
                        "400",
                        "The body is not JSON of the documented shape (the field is named).",
                    );
                    add_problem(op, "408", "The body did not arrive in time.");
                    add_problem(op, "413", "The body is too large.");
                    add_problem(op, "415", "The body is not sent as application/json.");
                }
                add_problem(
                    op,
                    "500",
                    "Something went wrong on the server; it is logged.",
                );
                add_retry_problem(
                    op,
                    "503",
                    "The server is answering as many requests as it can, or took too long to answer.",
                );
            }
        }
    }
}

/// This OpenAPI document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", operation_id = "getOpenApiDocument", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object)))]
pub async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(document())
}

/// The document as pretty-printed JSON, for `flipside openapi`.
pub fn openapi_json() -> String {
    document()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
}

/// The answer to a path under `/api/v1` that names no operation.
pub async fn not_found() -> ApiError {
    ApiError(AppError::NotFound)
}

/// The answer to a known path with a method it does not accept.
pub async fn method_not_allowed() -> ApiError {
    ApiError(AppError::MethodNotAllowed)
}

/// Reads a JSON body, answering what is not JSON of the expected shape with problem details
/// that name the field (415 when the body is not sent as JSON, 413 when too large).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !json {
            return Err(ApiError(AppError::UnsupportedMediaType(
                "Send the body as JSON with 'Content-Type: application/json'.".into(),
            )));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError(AppError::PayloadTooLarge(
                        "The body is larger than this operation accepts.".into(),
                    ))
                } else {
                    ApiError(AppError::BadRequest(rejection.body_text()))
                }
            })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut *de) {
            Ok(value) => {
                de.end().map_err(|e| {
                    ApiError(AppError::BadRequest(format!(
                        "The body is not valid JSON: {e}"
                    )))
                })?;
                Ok(JsonBody(value))
            }
            // JSON Schema counts 62.0 as an integer; so does this API.
            Err(error) => match integral_floats_as_integers(&bytes) {
                Some(normalised) => serde_path_to_error::deserialize(normalised)
                    .map(JsonBody)
                    .map_err(|_| body_error(error)),
                None => Err(body_error(error)),
            },
        }
    }
}

fn body_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return ApiError(AppError::BadRequest(format!(
            "The body is not valid JSON: {inner}"
        )));
    }
    let message = inner.to_string();
    // Missing and unknown fields fail at their parent, so their name is in serde's message.
    let field = match (path.as_str(), named_field(&message)) {
        (".", Some(name)) => name,
        (".", None) => {
            return ApiError(AppError::BadRequest(format!(
                "The body does not have the expected shape: {message}"
            )));
        }
        (p, Some(name)) if !p.ends_with(name.as_str()) => format!("{p}.{name}"),
        (p, _) => p.to_string(),
    };
    ApiError(AppError::Malformed { field, message })
}

/// The field serde names in "missing field `x`" or "unknown field `x`, expected ...".
fn named_field(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))?;
    Some(rest.split('`').next()?.to_string())
}

/// Reads path parameters, answering a malformed one (`/cycles/abc`) with problem details
/// naming it.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::{ErrorKind, Path};
        use axum::extract::rejection::PathRejection;
        // A single parameter fails without its name, so the route's names are read first.
        let names: Vec<String> = axum::extract::RawPathParams::from_request_parts(parts, state)
            .await
            .map(|p| p.iter().map(|(k, _)| k.to_string()).collect())
            .unwrap_or_default();
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let message = e.body_text();
                Err(ApiError(match e.into_kind() {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::DeserializeError { key, .. }
                    | ErrorKind::InvalidUtf8InPathParam { key } => AppError::Malformed {
                        field: key,
                        message,
                    },
                    ErrorKind::ParseErrorAtIndex { index, .. } if index < names.len() => {
                        AppError::Malformed {
                            field: names[index].clone(),
                            message,
                        }
                    }
                    ErrorKind::ParseError { .. } if names.len() == 1 => AppError::Malformed {
                        field: names[0].clone(),
                        message,
                    },
                    _ => AppError::BadRequest(message),
                }))
            }
            Err(other) => Err(ApiError(AppError::Internal(anyhow::anyhow!(
                "path parameters: {}",
                other.body_text()
            )))),
        }
    }
}

/// Reads the query string, answering a malformed parameter (`?limit=many`) with problem
/// details naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = e.into_inner().to_string();
                let field = match (path.as_str(), named_field(&message)) {
                    (".", Some(name)) => name,
                    (".", None) => {
                        return ApiError(AppError::BadRequest(format!(
                            "The query string cannot be read: {message}"
                        )));
                    }
                    (p, _) => p.to_string(),
                };
                ApiError(AppError::Malformed {
                    field,
                    message: format!("The query parameter is malformed: {message}"),
                })
            })
    }
}

/// The paging parameters of every list: `limit` items after the `cursor` a previous page
/// returned as `next_cursor`.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// The `next_cursor` of the previous page; absent or empty for the first page.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// How many items, from 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// The most items a page holds, and how many unless asked.
pub const PAGE_MAX: u32 = 200;
pub const PAGE_DEFAULT: u32 = 50;

/// One page of a list ordered by id: the items after the cursor and the cursor of the next
/// page (absent on the last page). The cursor is opaque to clients: today the last id seen.
pub fn page<T>(
    mut items: Vec<T>,
    id: impl Fn(&T) -> i64,
    params: &PageParams,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let limit = params.limit.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(ApiError(AppError::Malformed {
            field: "limit".into(),
            message: format!("limit must be from 1 to {PAGE_MAX}."),
        }));
    }
    let after = match params.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            ApiError(AppError::Malformed {
                field: "cursor".into(),
                message: "cursor is not one this API returned as next_cursor.".into(),
            })
        })?),
    };
    items.sort_by_key(&id);
    let mut rest: Vec<T> = items
        .into_iter()
        .filter(|t| after.is_none_or(|a| id(t) > a))
        .collect();
    let more = rest.len() > limit as usize;
    rest.truncate(limit as usize);
    let next = if more {
        rest.last().map(|t| id(t).to_string())
    } else {
        None
    };
    Ok((rest, next))
}

/// A 422 naming the field a request body broke a rule in, and the rule.
pub(crate) fn invalid(field: &str, message: impl Into<String>) -> ApiError {
    ApiError(AppError::Invalid {
        field: field.into(),
        message: message.into(),
    })
}

/// A page type per list, so that each has its own schema in the document.
macro_rules! page_of {
    ($name:ident, $item:ty) => {
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `cursor` for the next page; absent on the last page.
            pub next_cursor: Option<String>,
        }
    };
}
pub(crate) use page_of;

/// The body as a JSON value with every number that is a whole number written as a float
/// (`62.0`) turned into an integer, or `None` when it holds none (or is not JSON).
fn integral_floats_as_integers(bytes: &[u8]) -> Option<serde_json::Value> {
    fn walk(v: &mut serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    *v = serde_json::Value::from(f as i64);
                    true
                } else {
                    false
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().fold(false, |c, i| walk(i) | c),
            serde_json::Value::Object(map) => map.values_mut().fold(false, |c, i| walk(i) | c),
            _ => false,
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    walk(&mut value).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Merging the areas' documents keeps one schema per name, so two areas that each
    /// declare a `SettingsJson` of their own (as matching and administration once did) would silently lose one of them: every
    /// operation would then be documented with the other area's shape.
    #[test]
    fn no_two_areas_declare_different_schemas_under_one_name() {
        let mut seen: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        let mut clashes = Vec::new();
        for doc in std::iter::once(ApiDoc::openapi()).chain(area_documents()) {
            let Some(components) = doc.components else {
                continue;
            };
            for (name, schema) in components.schemas {
                let json = serde_json::to_value(&schema).unwrap();
                match seen.get(&name) {
                    Some(earlier) if *earlier != json => clashes.push(name),
                    Some(_) => {}
                    None => {
                        seen.insert(name, json);
                    }
                }
            }
        }
        assert!(
            clashes.is_empty(),
            "schemas declared twice with different shapes: {clashes:?}"
        );
    }
}
