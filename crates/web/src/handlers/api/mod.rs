//! The JSON API under `/api/v1`, documented by the OpenAPI document generated from these
//! handlers' annotations and served at `/api/v1/openapi.json`.
pub mod cycles;
pub mod me;
pub mod schemes;

use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(title = "flipside API", description = "Reverse mentoring and academic personal tutoring. Authenticate with a bearer token (create one on your account page) or a browser session (then send the X-CSRF-Token header on writes)."),
    paths(me::show, schemes::list, schemes::create, schemes::show, cycles::list, cycles::create, cycles::show, cycles::transition),
    components(schemas(crate::error::ErrorBody, me::Me, me::GrantJson, schemes::SchemeJson, schemes::NewSchemeJson, cycles::CycleJson, cycles::NewCycleJson, cycles::TransitionJson, cycles::EventJson)),
    modifiers(&Security),
    security(("bearer" = []), ("session" = []))
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("flipside_session"))),
        );
    }
}

pub async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}

/// Reads a JSON body, answering malformed JSON with a 400 in the API's error shape.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = crate::error::ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(crate::error::ApiError(crate::error::AppError::BadRequest(
                rejection.body_text(),
            ))),
        }
    }
}
