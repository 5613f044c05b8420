//! What every request passes through around its handler, in order, as one layer.
//!
//! Each step is an `async fn` that takes the request and the rest of the way (`next`) and
//! answers the response; this module chains them. One `axum::middleware::from_fn` layer per
//! step cost a clone of the route's boxed service, a boxed future and a boxed `Next` each, on
//! every request: with nine of them the layers took more of a page's time than the page
//! (issue 15, `bench/pages/README.md`). Chained as plain functions they are one layer.
use crate::auth::csrf;
use crate::state::AppState;
use crate::{limits, metrics, page, request_memo, security};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// The layer (`router`), after routing so that each step sees the route that matched. From
/// the outside in:
/// - [`security::headers`]: the security headers on every response;
/// - [`metrics::record`]: counts and times the request by its route;
/// - [`limits::requests`]: requests in flight, body sizes and how long a request may take;
/// - [`limits::writes`]: how often one client may change things;
/// - [`csrf::guard`]: the CSRF cookie and token, and unsafe requests without one refused;
/// - [`page::return_after_sign_in`]: a page that needs a session sends its path to sign-in;
/// - [`page::clear_flash`]: a flash message shown once is cleared;
/// - [`request_memo::written`]: after a request that may have written, the store reads the
///   data versions again;
/// - [`request_memo::scope`]: a fresh memo for each request that reads only.
pub async fn steps(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let state = &state;
    security::headers(state, request, move |r| {
        metrics::record(state, r, move |r| {
            limits::requests(state, r, move |r| {
                limits::writes(state, r, move |r| {
                    csrf::guard(state, r, move |r| {
                        page::return_after_sign_in(r, move |r| {
                            page::clear_flash(r, move |r| {
                                request_memo::written(state, r, move |r| {
                                    request_memo::scope(r, move |r| next.run(r))
                                })
                            })
                        })
                    })
                })
            })
        })
    })
    .await
}
