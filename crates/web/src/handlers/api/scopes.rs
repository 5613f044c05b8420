//! Enforces API token scopes, in one place for every operation: this layer wraps each route of
//! the API and asks [`flipside_core::api_scope::required`] what the matched operation needs.
//! A request with a bearer token whose scopes lack it is refused with 403 problem details that
//! name the missing scope (and `WWW-Authenticate: Bearer error="insufficient_scope"`, RFC
//! 6750). A browser session is not limited by scopes; a request without credentials goes on to
//! be refused by its handler. Scopes only narrow: the policy still decides what the person may
//! do.
use crate::auth::MaybeUser;
use crate::error::{PROBLEM_JSON, Problem};
use crate::state::AppState;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use flipside_core::api_scope::{self, Scope};

/// The route under `/api/v1` that a request matched, as the route table declares it.
fn route_of(request: &Request) -> Option<String> {
    let matched = request.extensions().get::<MatchedPath>()?.as_str();
    Some(
        matched
            .strip_prefix("/api/v1")
            .unwrap_or(matched)
            .to_string(),
    )
}

pub async fn enforce(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let user = match MaybeUser::from_request_parts(&mut parts, &state).await {
        Ok(MaybeUser(user)) => user,
        Err(e) => return crate::error::ApiError(e).into_response(),
    };
    let request = Request::from_parts(parts, body);
    let Some(scopes) = user.and_then(|u| u.scopes.clone()) else {
        return next.run(request).await;
    };
    let method = request.method().as_str().to_string();
    let need = route_of(&request).and_then(|route| api_scope::required(&method, &route));
    let missing = match need {
        Some(need) => match scopes.check(need) {
            Ok(()) => return next.run(request).await,
            Err(missing) => Some(missing),
        },
        None => None,
    };
    insufficient_scope(missing)
}

/// 403: the token lacks `missing` (or, `None`, the operation is mapped to no scope at all).
fn insufficient_scope(missing: Option<Scope>) -> Response {
    let detail = match missing {
        Some(Scope::Read) => "This token may not read this: it needs the scope 'read' (or the write scope of this area). Create a token with it on your account page.".to_string(),
        Some(scope) => format!(
            "This token may not change this: it needs the scope '{scope}'. Create a token with it on your account page."
        ),
        None => "No token scope covers this operation; use a browser session.".to_string(),
    };
    let problem = Problem {
        kind: "urn:flipside:problem:insufficient-scope".into(),
        title: "Insufficient scope",
        status: 403,
        detail,
        field: None,
        errors: Vec::new(),
    };
    let mut response = (StatusCode::FORBIDDEN, axum::Json(problem)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    let challenge = match missing {
        Some(scope) => format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""),
        None => "Bearer error=\"insufficient_scope\"".to_string(),
    };
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        headers.insert(header::WWW_AUTHENTICATE, v);
    }
    response
}
