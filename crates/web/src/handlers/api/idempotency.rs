//! The `Idempotency-Key` header on the API's POSTs (issue 16): a client that lost an answer
//! sends the request again with the same key, and the operation (a scheme created, an
//! invitation emailed) is carried out once; the repeat gets the first answer, marked with
//! `Idempotent-Replayed: true`. The same key with a different request is refused (422), and
//! while the first request is still running a repeat is told to wait (409). Keys are each
//! caller's own and remembered for a day ([`flipside_store::KEY_LIFETIME`]).
//!
//! Only successful answers are kept: a refused or failed request changed nothing, so its key
//! is given back and the client may correct the request and send it again.
use crate::auth::CurrentUser;
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use flipside_store::KeyClaim;
use sha2::{Digest, Sha256};

/// The request header naming the key.
pub const HEADER: &str = "idempotency-key";
/// The answer header marking a replayed answer.
pub const REPLAYED: &str = "idempotent-replayed";
/// The largest answer that is kept for replay; a larger one is not (none is this big today).
const MAX_KEPT_ANSWER: usize = 256 * 1024;

fn problem(e: AppError) -> Response {
    ApiError(e).into_response()
}

/// Reads the key: 1 to 255 visible ASCII characters (a UUID is the usual choice).
fn key_of(value: &HeaderValue) -> Result<String, AppError> {
    let key = value.to_str().unwrap_or("");
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::Malformed {
            field: "Idempotency-Key".into(),
            message: "An Idempotency-Key is 1 to 255 visible ASCII characters, for example a UUID."
                .into(),
        });
    }
    Ok(key.to_string())
}

/// What identifies a request: its method, path with query, and body.
fn fingerprint(method: &Method, uri: &axum::http::Uri, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_str().as_bytes());
    hash.update(b" ");
    hash.update(uri.path_and_query().map_or("", |p| p.as_str()).as_bytes());
    hash.update(b"\n");
    hash.update(body);
    hex::encode(hash.finalize())
}

/// The middleware, on every route under `/api/v1`.
pub async fn honour(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(value) = request.headers().get(HEADER).cloned() else {
        return next.run(request).await;
    };
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let key = match key_of(&value) {
        Ok(k) => k,
        Err(e) => return problem(e),
    };
    let (mut parts, body) = request.into_parts();
    // The caller: keys are per person. The handler's own extractor finds it in the extensions.
    let user = match CurrentUser::from_request_parts(&mut parts, &state).await {
        Ok(u) => u,
        Err(e) => return problem(e),
    };
    // The body's size is already bounded by the request limits (crate::limits), which answer
    // 413 before this reads it; a body that fails to arrive is refused the same way.
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return problem(AppError::PayloadTooLarge(
            "The request body could not be read in full: it is larger than this server accepts, or it stopped arriving.".into(),
        ));
    };
    let print = fingerprint(&parts.method, &parts.uri, &bytes);
    let claim = state
        .store
        .claim_idempotency_key(user.id(), &key, &print, state.clock.now())
        .await;
    match claim {
        Err(e) => problem(e.into()),
        Ok(KeyClaim::Mismatch) => problem(AppError::Invalid {
            field: "Idempotency-Key".into(),
            message: "This Idempotency-Key was used with a different request: use a new key for a new request.".into(),
        }),
        Ok(KeyClaim::InProgress) => problem(AppError::Conflict(
            "A request with this Idempotency-Key is still being carried out, or did not finish: wait for its answer, or check the resource before sending a new request with a new key.".into(),
        )),
        Ok(KeyClaim::Replay {
            status,
            content_type,
            body,
        }) => replay(status, &content_type, body),
        Ok(KeyClaim::Run) => {
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            keep(&state, user.id(), &key, response).await
        }
    }
}

fn replay(status: u16, content_type: &str, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() =
        axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
        .headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

/// Records a successful answer under the key (and sends it on), or gives the key back.
async fn keep(state: &AppState, user: i64, key: &str, response: Response) -> Response {
    if !response.status().is_success() {
        if let Err(e) = state.store.release_idempotency_key(user, key).await {
            tracing::error!(error = %e, "could not release an idempotency key");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_KEPT_ANSWER).await else {
        // Too large to keep: the operation ran, so the key stays claimed (a repeat is refused
        // rather than run twice).
        return problem(AppError::internal(anyhow::anyhow!(
            "an answer under an idempotency key was too large to keep"
        )));
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    let text = String::from_utf8_lossy(&bytes);
    if let Err(e) = state
        .store
        .record_idempotent_answer(user, key, parts.status.as_u16(), content_type, &text)
        .await
    {
        // The operation is done and its answer goes out; a repeat will be told it is in
        // progress rather than run twice.
        tracing::error!(error = %e, "could not record an idempotent answer");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Documents the header and its two refusals on a POST operation of the OpenAPI document.
pub fn document(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::Required;
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let parameter = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Send the same key again to repeat this request safely: it is carried out once and the repeat gets the first answer (with `Idempotent-Replayed: true`). Keys are the caller's own and kept for 24 hours.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]+$")),
        ))
        .build();
    op.parameters.get_or_insert_with(Vec::new).push(parameter);
    super::add_problem(
        op,
        "409",
        "A request with the same Idempotency-Key is still being carried out (or did not finish).",
    );
    super::add_problem(
        op,
        "422",
        "The Idempotency-Key was used with a different request, or the body breaks a rule (the field is named).",
    );
    super::add_problem(
        op,
        "400",
        "A header or parameter is malformed (named in field).",
    );
}
