//! Limits on what one request, one client and the whole server may ask of flipside (issue 15),
//! as two layers of the router:
//!
//! - [`requests`]: how many requests are answered at once (`max_concurrent_requests`; more
//!   answer 503 at once rather than queue behind a full database pool), how large a body may
//!   be (per route, [`BodyKind`]: forms and JSON, files, imports; 413 before anything reads
//!   it), and how long a request may take to arrive and be answered (`request_timeout_seconds`:
//!   408 for a body that trickles in, 503 for an answer that took too long).
//! - [`writes`]: how often one signed-in person, or one address when signed out, may change
//!   things (`writes_per_minute_per_person`, `writes_per_minute_per_address`; 429 with
//!   `Retry-After`).
//!
//! The server itself limits the request line and headers (`max_header_kib`, 431) and the time
//! they may take to arrive (`header_timeout_seconds`, the connection is closed): see
//! [`crate::app`].
//!
//! The write allowances live in this process's memory: each instance behind a load balancer
//! keeps its own (the README says so). Failed sign-ins are counted in the database instead,
//! across instances (`handlers::auth::sign_in`).
use crate::auth::{ClientAddress, MaybeUser};
use crate::error::{ApiError, AppError};
use crate::handlers::auth::sign_in::{describe_wait, slowed};
use crate::settings::Settings;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, MatchedPath, Request};
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use flipside_core::rate_limit::{Bucket, Rate};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// What a route's body holds, which decides how large it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// A form or a JSON body: `max_form_kib`.
    Form,
    /// An uploaded document (a chat transcript, a REFI-QDA codebook): `max_file_mib`.
    File,
    /// The CSV files of an institution's import: `max_import_mib`.
    Import,
    /// A JSON body carrying a file base64-encoded (the API's `recordChat`): a file's size
    /// once encoded (four characters for every three bytes) and a form's besides, so that the
    /// API takes any transcript the upload page takes.
    EncodedFile,
}

/// The routes whose bodies are more than a form, by route template; every other route takes
/// a form's size.
pub const UPLOAD_ROUTES: &[(&str, BodyKind)] = &[
    ("/admin/import", BodyKind::Import),
    ("/cycles/{id}/chats", BodyKind::File),
    ("/schemes/{id}/codebook/import", BodyKind::File),
    ("/api/v1/cycles/{id}/chats", BodyKind::EncodedFile),
];

impl BodyKind {
    /// The kind of the route a request was matched to (`None`: no route, a form's size).
    pub fn of_route(route: Option<&str>) -> BodyKind {
        route
            .and_then(|r| UPLOAD_ROUTES.iter().find(|(path, _)| *path == r))
            .map_or(BodyKind::Form, |(_, kind)| *kind)
    }

    /// The largest body of this kind, in bytes.
    pub fn limit(self, settings: &Settings) -> u64 {
        match self {
            BodyKind::Form => settings.max_form_kib.unsigned_abs() * 1024,
            BodyKind::File => settings.max_file_mib.unsigned_abs() * 1024 * 1024,
            BodyKind::Import => settings.max_import_mib.unsigned_abs() * 1024 * 1024,
            BodyKind::EncodedFile => {
                BodyKind::File.limit(settings).div_ceil(3) * 4 + BodyKind::Form.limit(settings)
            }
        }
    }

    /// What to tell the person whose body was too large.
    fn refusal(self, limit: u64) -> String {
        let size = describe_size(limit);
        match self {
            BodyKind::Form => format!(
                "This form sent more than flipside accepts (at most {size}), so nothing was saved. Shorten the text and try again."
            ),
            BodyKind::File => format!(
                "Files sent here can be at most {size} together, so nothing was saved. Choose a smaller file, or paste the text instead."
            ),
            BodyKind::EncodedFile => format!(
                "A body sent here can be at most {size} (a file base64-encoded, with the other fields), so nothing was saved. Send a smaller file."
            ),
            BodyKind::Import => format!(
                "The files of an import can be at most {size} together, so nothing was imported. Split the students file by School and import each part."
            ),
        }
    }
}

/// A size in words: whole megabytes where it is one, otherwise kilobytes.
fn describe_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Who a write is counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Client {
    Person(i64),
    Address(String),
}

/// The process's share of the limits: requests in flight and each client's write allowance.
pub struct Limits {
    in_flight: Arc<Semaphore>,
    per_person: Rate,
    per_address: Rate,
    writes: Mutex<Writes>,
}

struct Writes {
    buckets: HashMap<Client, Bucket>,
    /// Writes counted since the last sweep of full buckets.
    since_sweep: u32,
}

/// How many writes pass between two sweeps that forget full allowances (so that clients seen
/// once, such as many addresses, do not accumulate).
const SWEEP_EVERY: u32 = 1024;

impl Limits {
    pub fn new(settings: &Settings) -> Limits {
        let rate = |n: i64| {
            Rate::per_minute(u32::try_from(n).unwrap_or(u32::MAX))
                .expect("validated settings: rates are positive")
        };
        Limits {
            in_flight: Arc::new(Semaphore::new(
                usize::try_from(settings.max_concurrent_requests).unwrap_or(usize::MAX),
            )),
            per_person: rate(settings.writes_per_minute_per_person),
            per_address: rate(settings.writes_per_minute_per_address),
            writes: Mutex::new(Writes {
                buckets: HashMap::new(),
                since_sweep: 0,
            }),
        }
    }

    /// Counts one write of `client`; `Err(wait)` when its allowance is spent.
    fn take_write(&self, client: Client, now: Instant) -> Result<(), Duration> {
        let rate = match client {
            Client::Person(_) => self.per_person,
            Client::Address(_) => self.per_address,
        };
        let mut writes = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        writes.since_sweep += 1;
        if writes.since_sweep >= SWEEP_EVERY {
            writes.since_sweep = 0;
            writes.buckets.retain(|_, b| !b.is_full(now));
        }
        writes
            .buckets
            .entry(client)
            .or_insert_with(|| Bucket::new(now))
            .take(rate, now)
    }
}

fn is_api(request: &Request) -> bool {
    request.uri().path().starts_with("/api/")
}

/// An error as the page or the problem details the route answers with.
fn answer(api: bool, e: AppError) -> Response {
    if api {
        ApiError(e).into_response()
    } else {
        e.into_response()
    }
}

/// The same, telling the client to close the connection: the rest of a body that was refused
/// is not read.
fn answer_and_close(api: bool, e: AppError) -> Response {
    let mut response = answer(api, e);
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The step (`crate::each_request`) that limits requests in flight, body sizes and the time a
/// request takes.
pub async fn requests<F: Future<Output = Response>>(
    state: &AppState,
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let api = is_api(&request);
    let Ok(_permit) = state.limits.in_flight.clone().try_acquire_owned() else {
        let mut response = answer(
            api,
            AppError::Unavailable(
                "flipside is answering as many requests as it can at once, so this one was not started. Try again in a moment."
                    .into(),
            ),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let kind = BodyKind::of_route(route.as_deref());
    let limit = kind.limit(&state.settings);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return answer_and_close(api, AppError::PayloadTooLarge(kind.refusal(limit)));
    }
    let watch = Arc::new(BodyWatch::default());
    let request = request.map(|inner| {
        if http_body::Body::is_end_stream(&inner) {
            watch.received.store(true, Ordering::Relaxed);
        }
        Body::new(Capped {
            inner,
            remaining: limit,
            watch: watch.clone(),
        })
    });
    let timeout = Duration::from_secs(state.settings.request_timeout_seconds.unsigned_abs());
    match tokio::time::timeout(timeout, next(request)).await {
        Ok(_) if watch.exceeded.load(Ordering::Relaxed) => {
            answer_and_close(api, AppError::PayloadTooLarge(kind.refusal(limit)))
        }
        Ok(response) => response,
        Err(_) if !watch.received.load(Ordering::Relaxed) => answer_and_close(
            api,
            AppError::RequestTimeout(format!(
                "The request did not arrive within {} seconds, so it was cut off and nothing was saved. Try again.",
                timeout.as_secs()
            )),
        ),
        Err(_) => {
            tracing::warn!(
                route = route.as_deref().unwrap_or("unmatched"),
                seconds = timeout.as_secs(),
                "a request took longer than request_timeout_seconds and was stopped"
            );
            answer(
                api,
                AppError::Unavailable(format!(
                    "flipside took longer than {} seconds to answer and stopped. What you sent may not have been saved: check before trying again.",
                    timeout.as_secs()
                )),
            )
        }
    }
}

/// What the layer learns of a body while others read it.
#[derive(Default)]
struct BodyWatch {
    /// More than the limit arrived (the reader got an error).
    exceeded: AtomicBool,
    /// All of it arrived.
    received: AtomicBool,
}

/// A request body that fails once more than `remaining` bytes arrive, and says so in its
/// [`BodyWatch`].
struct Capped {
    inner: Body,
    remaining: u64,
    watch: Arc<BodyWatch>,
}

/// The error a reader of a [`Capped`] body gets.
#[derive(Debug, thiserror::Error)]
#[error("the request body is larger than this route accepts")]
struct TooLarge;

impl http_body::Body for Capped {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    let n = data.len() as u64;
                    if n > this.remaining {
                        this.watch.exceeded.store(true, Ordering::Relaxed);
                        return Poll::Ready(Some(Err(axum::Error::new(TooLarge))));
                    }
                    this.remaining -= n;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(None) => {
                this.watch.received.store(true, Ordering::Relaxed);
                Poll::Ready(None)
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The step (`crate::each_request`) that limits how often one client changes things: a signed-in
/// person (by session or API token) wherever they are, or a signed-out address. Reading is never
/// limited here.
pub async fn writes<F: Future<Output = Response>>(
    state: &AppState,
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next(request).await;
    }
    let api = is_api(&request);
    let (mut parts, body) = request.into_parts();
    // The person found here is kept in the request for the handler: no second lookup.
    let client = match MaybeUser::from_request_parts(&mut parts, state).await {
        Ok(MaybeUser(Some(user))) => Client::Person(user.id()),
        Ok(MaybeUser(None)) => match ClientAddress::from_request_parts(&mut parts, state).await {
            Ok(ClientAddress(address)) => Client::Address(address),
            Err(e) => return answer(api, e),
        },
        Err(e) => return answer(api, e),
    };
    if let Err(wait) = state.limits.take_write(client, Instant::now()) {
        let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::minutes(1));
        let refusal = AppError::TooManyRequests(format!(
            "You have made many changes in a short time, so this one was not made. Wait {} and try again.",
            describe_wait(wait)
        ));
        return slowed(answer(api, refusal), wait);
    }
    next(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_routes_take_their_own_limits_and_every_other_route_a_forms() {
        let s = Settings::default();
        assert_eq!(
            BodyKind::of_route(Some("/admin/import")).limit(&s),
            64 * 1024 * 1024
        );
        assert_eq!(
            BodyKind::of_route(Some("/cycles/{id}/chats")),
            BodyKind::File
        );
        assert_eq!(
            BodyKind::of_route(Some("/admin/organisation")).limit(&s),
            1024 * 1024
        );
        assert_eq!(BodyKind::of_route(None), BodyKind::Form);
        assert_eq!(describe_size(16 * 1024 * 1024), "16 MB");
        assert_eq!(describe_size(1536), "2 KB");
    }

    #[test]
    fn each_client_has_its_own_allowance_and_full_ones_are_forgotten() {
        let limits = Limits::new(&Settings {
            writes_per_minute_per_person: 2,
            writes_per_minute_per_address: 1,
            ..Settings::default()
        });
        let now = Instant::now();
        for _ in 0..2 {
            assert!(limits.take_write(Client::Person(1), now).is_ok());
        }
        assert_eq!(
            limits.take_write(Client::Person(1), now),
            Err(Duration::from_secs(30))
        );
        assert!(limits.take_write(Client::Person(2), now).is_ok());
        assert!(limits.take_write(Client::Address("a".into()), now).is_ok());
        assert!(limits.take_write(Client::Address("a".into()), now).is_err());
        let later = now + Duration::from_secs(61);
        for n in 0..SWEEP_EVERY {
            let _ = limits.take_write(Client::Address(format!("b{n}")), later);
        }
        let kept = limits.writes.lock().unwrap().buckets.len();
        assert!(
            kept <= SWEEP_EVERY as usize,
            "the clients of a minute ago were forgotten: {kept}"
        );
    }
}
