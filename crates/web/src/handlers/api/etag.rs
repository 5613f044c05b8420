//! `ETag` and `If-Match` on the API's updatable resources (issue 16), so that two people
//! editing the same thing cannot silently overwrite each other.
//!
//! A GET of an updatable resource answers a strong `ETag`: a hash of the JSON it returns, so
//! it changes whenever anything shown changes (no version column is needed, and a change made
//! through the pages changes it too). An update of that resource honours `If-Match`: when it
//! names a different tag (the resource changed since the client read it) the update is refused
//! with 412 problem details and nothing changes. `If-Match: *` matches any current state.
//!
//! A missing `If-Match` is allowed (the update goes ahead, last writer wins), so that scripts
//! written before this header existed keep working; a client that wants protection sends it.
//!
//! Adopting it in a handler is one extractor and one line:
//! ```ignore
//! pub async fn update(.., if_match: IfMatch, ..) -> Result<Tagged<ThingJson>, ApiError> {
//!     if_match.check(&current_json)?;   // before changing anything
//!     ..
//!     Ok(Tagged(new_json))              // the answer carries the new ETag
//! }
//! ```
//! and `params(etag::IfMatch)` in the operation's `#[utoipa::path]`; [`document`] then adds
//! the 412 answer and the `ETag` answer header to the document. A GET that returns a tag
//! answers [`Tagged`] and lists [`etag::TAGGED_READS`](TAGGED_READS) its operationId.
//!
//! The check reads the current state just before the update; an update that decides on a
//! state (a cycle's transition) checks that state again inside its own transaction.
use crate::error::{ApiError, AppError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Response as DocResponse};

/// The GET operations that answer an `ETag` (their 200 answer documents the header).
pub const TAGGED_READS: &[&str] = &[
    "getCycle",
    "getOrganisationSettings",
    "getMeetingPlan",
    "getQuote",
    "getFinding",
    "getCode",
    "getCycleReportText",
    "getSurveyReminderSchedule",
    "getYearReportText",
];

/// The strong entity tag of a representation: the first 128 bits of the SHA-256 of its JSON,
/// quoted (`"3f2a…"`).
pub fn of<T: Serialize>(value: &T) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let hash = Sha256::digest(&bytes);
    format!("\"{}\"", hex::encode(&hash[..16]))
}

/// A JSON answer with its `ETag` header.
pub struct Tagged<T>(pub T);

impl<T: Serialize> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let tag = of(&self.0);
        let mut response = axum::Json(self.0).into_response();
        if let Ok(v) = HeaderValue::from_str(&tag) {
            response.headers_mut().insert(header::ETAG, v);
        }
        response
    }
}

/// The request's `If-Match` header: absent, `*`, or the tags the client accepts. It is also the
/// header parameter of the document (`params(etag::IfMatch)`).
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// The `ETag` of the resource as the client last read it: the update is made only if the
    /// resource is unchanged since (otherwise 412). `*` matches any state. Optional: without
    /// it the update is made whatever the current state.
    #[param(rename = "If-Match", value_type = String, required = false)]
    tags: Option<Vec<String>>,
}

impl IfMatch {
    /// Refuses with 412 when the header names tags and none is the current representation's.
    pub fn check<T: Serialize>(&self, current: &T) -> Result<(), ApiError> {
        let Some(tags) = &self.tags else {
            return Ok(());
        };
        let now = of(current);
        if tags.iter().any(|t| t == "*" || *t == now) {
            Ok(())
        } else {
            Err(ApiError(AppError::PreconditionFailed(
                "The resource has changed since you read it (If-Match does not name its current ETag): read it again, and send the update with the new ETag.".into(),
            )))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    /// Reads the tags as sent. A value that is no list of tags (or a weak tag, which never
    /// matches under If-Match, RFC 9110 §13.1.1) names no current state, so the update it
    /// guards is refused with 412 like any stale tag rather than as a malformed request.
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let values: Vec<&HeaderValue> = parts.headers.get_all(header::IF_MATCH).iter().collect();
        if values.is_empty() {
            return Ok(IfMatch { tags: None });
        }
        let tags = values
            .into_iter()
            .flat_map(|v| {
                v.to_str()
                    .unwrap_or("")
                    .split(',')
                    .map(|t| t.trim().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        Ok(IfMatch { tags: Some(tags) })
    }
}

fn etag_header() -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^\"[0-9a-f]{32}\"$")),
        )
        .description(Some(
            "The strong entity tag of the resource as returned: send it as If-Match with an update.",
        ))
        .build()
}

fn add_etag_to_success(op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        if status.starts_with('2')
            && let RefOr::T(DocResponse { headers, .. }) = response
        {
            headers.insert("ETag".to_string(), etag_header());
        }
    }
}

/// Documents the headers: the `ETag` of a tagged read's answer, and for an operation taking
/// `If-Match` the 412 answer and the `ETag` of its successful answer.
pub fn document(op: &mut Operation) {
    let takes_if_match = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter().any(|p| {
            matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Header)
                && p.name == "If-Match"
        })
    });
    let tagged_read = op
        .operation_id
        .as_deref()
        .is_some_and(|id| TAGGED_READS.contains(&id));
    if takes_if_match {
        super::add_problem(
            op,
            "412",
            "If-Match does not name the resource's current ETag: it changed since the client read it, and nothing was changed.",
        );
    }
    if takes_if_match || tagged_read {
        add_etag_to_success(op);
    }
}
