//! CSRF protection for every state-changing request, in one middleware.
//!
//! Each browser gets a random `flipside_csrf` cookie (HttpOnly, SameSite=Lax). Forms carry
//! `HMAC(instance secret, cookie)` in a hidden `csrf` field (or an `X-CSRF-Token` header). A
//! cross-site page can neither read the cookie nor compute the HMAC without the instance
//! secret, so it cannot forge the field. API calls authenticated by a bearer token carry no
//! ambient credentials and are exempt.
use crate::error::{ApiError, AppError};
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use std::future::Future;

pub const COOKIE: &str = "flipside_csrf";
pub const FIELD: &str = "csrf";
pub const HEADER: &str = "x-csrf-token";

/// The token to put in forms for this request (an extension set by [`guard`]).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn sign(key: &[u8], seed: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(seed.as_bytes());
    flipside_core::digest::hex_of(&mac.finalize().into_bytes())
}

fn verify(key: &[u8], seed: &str, token: &str) -> bool {
    let Ok(bytes) = hex::decode(token.trim()) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(seed.as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

/// Reads one cookie from a request's headers.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse_encoded)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// The cookies every request's steps read (the CSRF seed, the session and the flash message),
/// parsed from the headers once by [`guard`], the first step to read one, and kept with the
/// request: parsing the header again for each of them was four passes over it per page
/// (issue 15).
#[derive(Debug, Clone, Default)]
struct Cookies {
    csrf: Option<String>,
    session: Option<String>,
    flash: Option<String>,
}

impl Cookies {
    /// The first cookie of each name, as [`cookie_value`] finds it.
    ///
    /// The header is split into its `name=value` pieces by hand: the `cookie` crate builds
    /// every cookie of the header (a `Cow` for its name and value, the percent-decoding pass),
    /// which took 3 % of a page's time under load (issue 15). A piece with something to decode
    /// (a `%`) is still handed to the crate, so both read a cookie the same way (tested below).
    fn parse(headers: &axum::http::HeaderMap) -> Cookies {
        let mut found = Cookies::default();
        let pieces = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'));
        for piece in pieces {
            let decoded;
            let (name, value) = if piece.contains('%') {
                let Ok(c) = cookie::Cookie::parse_encoded(piece) else {
                    continue;
                };
                decoded = c;
                (decoded.name(), decoded.value())
            } else {
                match piece.split_once('=') {
                    Some((name, value)) if !name.trim().is_empty() => (name.trim(), value.trim()),
                    _ => continue,
                }
            };
            let slot = match name {
                COOKIE => &mut found.csrf,
                crate::auth::session::COOKIE => &mut found.session,
                crate::page::FLASH_COOKIE => &mut found.flash,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.to_string());
            }
        }
        found
    }
}

/// The cookie `name` of a request: as [`guard`] kept it for the CSRF, session and flash cookies,
/// or read from the headers (any other cookie, or a request that did not pass through it).
pub fn request_cookie(
    extensions: &axum::http::Extensions,
    headers: &axum::http::HeaderMap,
    name: &str,
) -> Option<String> {
    let Some(kept) = extensions.get::<Cookies>() else {
        return cookie_value(headers, name);
    };
    match name {
        COOKIE => kept.csrf.clone(),
        crate::auth::session::COOKIE => kept.session.clone(),
        crate::page::FLASH_COOKIE => kept.flash.clone(),
        _ => cookie_value(headers, name),
    }
}

/// The step (`crate::each_request`): issues the cookie, exposes the token, and refuses unsafe
/// requests without a valid one.
pub async fn guard<F: Future<Output = Response>>(
    state: &AppState,
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let cookies = Cookies::parse(request.headers());
    let existing = cookies.csrf.clone().filter(|s| s.len() == 64);
    let seed = existing
        .clone()
        .unwrap_or_else(|| hex::encode(rand::rng().random::<[u8; 32]>()));
    let token = sign(&state.csrf_key, &seed);
    let is_api = request.uri().path().starts_with("/api/");
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );

    let mut request = request;
    if unsafe_method {
        // A browser names the page a request comes from; one from another site is refused
        // even if it somehow carries a valid token (defence in depth, OWASP).
        if let Some(origin) = request.headers().get(header::ORIGIN)
            && !same_origin(state, request.headers(), origin)
        {
            return if is_api {
                ApiError(AppError::Csrf).into_response()
            } else {
                AppError::Csrf.into_response()
            };
        }
        let bearer = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer "));
        let header_token = request
            .headers()
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let ok = if is_api && bearer {
            true
        } else if let Some(t) = header_token {
            existing.is_some() && verify(&state.csrf_key, &seed, &t)
        } else if is_api {
            false
        } else {
            // Read the form body to find the field, then hand the same bytes on. The route's
            // body limit is kept by `limits::requests`, which answers 413 when reading stops
            // there.
            let (parts, body) = request.into_parts();
            let bytes = match to_bytes(body, usize::MAX).await {
                Ok(b) => b,
                Err(_) => {
                    return AppError::BadRequest("The form could not be read.".into())
                        .into_response();
                }
            };
            if has_nul(&parts.headers, &bytes) {
                return AppError::BadRequest(
                    "The form holds a NUL character (\\0), which no text can contain: remove it and try again."
                        .into(),
                )
                .into_response();
            }
            let field = form_field(&parts.headers, &bytes);
            request = Request::from_parts(parts, Body::from(bytes));
            existing.is_some() && field.is_some_and(|t| verify(&state.csrf_key, &seed, &t))
        };
        if !ok {
            return if is_api {
                ApiError(AppError::Csrf).into_response()
            } else {
                AppError::Csrf.into_response()
            };
        }
    }

    request.extensions_mut().insert(CsrfToken(token));
    request.extensions_mut().insert(cookies);
    let mut response = next(request).await;
    // A handler that rotated the cookie (sign-in) has set its own.
    let rotated = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(COOKIE.as_bytes()));
    if existing.is_none()
        && !rotated
        && let Some(v) = cookie_header(state, &seed)
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

fn cookie_header(state: &AppState, seed: &str) -> Option<HeaderValue> {
    let c = cookie::Cookie::build((COOKIE, seed.to_string()))
        .path("/")
        .http_only(true)
        .secure(state.settings.secure_cookies())
        .same_site(cookie::SameSite::Lax)
        .build();
    HeaderValue::from_str(&c.to_string()).ok()
}

/// A new CSRF cookie, for sign-in: a token seen before signing in (on a shared computer, or
/// planted by another site) is worthless after it.
pub fn fresh_cookie(state: &AppState) -> Option<HeaderValue> {
    cookie_header(state, &hex::encode(rand::rng().random::<[u8; 32]>()))
}

/// The `Origin` is flipside's own: its public address, or the host the request was sent to
/// (a direct visit to the listen address).
fn same_origin(state: &AppState, headers: &axum::http::HeaderMap, origin: &HeaderValue) -> bool {
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if origin == state.settings.public_origin() {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    matches!((host, origin_host), (Some(h), Some(o)) if h.eq_ignore_ascii_case(o))
}

/// Whether an urlencoded form holds a NUL character in any name or value. No text in flipside
/// may hold one (PostgreSQL refuses it, and it hides text from those who read it), so one rule
/// here refuses it for every form.
fn has_nul(headers: &axum::http::HeaderMap, body: &[u8]) -> bool {
    let urlencoded = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    urlencoded
        && url::form_urlencoded::parse(body).any(|(k, v)| k.contains('\0') || v.contains('\0'))
}

/// The `csrf` field of an urlencoded or a `multipart/form-data` form body (file uploads).
fn form_field(headers: &axum::http::HeaderMap, body: &[u8]) -> Option<String> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())?;
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return url::form_urlencoded::parse(body)
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.into_owned());
    }
    // Only a plain field counts: a file part that happens to be called `csrf` does not.
    crate::multipart::parts(headers, body)?
        .into_iter()
        .find(|p| p.name == FIELD && p.filename.is_none())
        .and_then(|p| String::from_utf8(p.data.to_vec()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_cookies_are_read_as_the_cookie_crate_reads_them() {
        let headers_of = |values: &[&str]| {
            let mut h = axum::http::HeaderMap::new();
            for v in values {
                h.append(header::COOKIE, HeaderValue::from_str(v).unwrap());
            }
            h
        };
        let cases: &[&[&str]] = &[
            &["flipside_csrf=abc; flipside_session=def"],
            &[" flipside_session = s1 ;flipside_session=s2; other=x"],
            &["flipside_flash=Saved%20the%20meeting%3B%20thank%20you; flipside_csrf=\"q\""],
            &["flipside%5Fsession=encoded; flipside_session=plain"],
            &["=nameless; flipside_csrf; flipside_csrf=second"],
            &[
                "other=1",
                "flipside_csrf=from-the-second-header; flipside_flash=",
            ],
            &["flipside_flash=50%; flipside_session=%zz"],
            &[""],
        ];
        for values in cases {
            let h = headers_of(values);
            let kept = Cookies::parse(&h);
            assert_eq!(kept.csrf, cookie_value(&h, COOKIE), "{values:?}");
            assert_eq!(
                kept.session,
                cookie_value(&h, crate::auth::session::COOKIE),
                "{values:?}"
            );
            assert_eq!(
                kept.flash,
                cookie_value(&h, crate::page::FLASH_COOKIE),
                "{values:?}"
            );
        }
        let h = headers_of(&["flipside_flash=Saved%20it; flipside_session=s"]);
        assert_eq!(Cookies::parse(&h).flash.as_deref(), Some("Saved it"));
        assert_eq!(Cookies::parse(&h).session.as_deref(), Some("s"));
    }

    #[test]
    fn a_token_verifies_only_for_its_own_seed_and_key() {
        let t = sign(b"key", "seed");
        assert!(verify(b"key", "seed", &t));
        assert!(!verify(b"key", "other seed", &t));
        assert!(!verify(b"other key", "seed", &t));
        assert!(!verify(b"key", "seed", "not hex"));
    }

    fn headers(content_type: &str) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        h
    }

    #[test]
    fn the_token_is_found_in_urlencoded_and_multipart_forms_only_as_a_plain_field() {
        let form = headers("application/x-www-form-urlencoded");
        assert_eq!(form_field(&form, b"a=1&csrf=t0k").as_deref(), Some("t0k"));
        let multi = headers("multipart/form-data; boundary=b0");
        let body = b"--b0\r\nContent-Disposition: form-data; name=\"schools\"; filename=\"s.csv\"\r\n\r\nx\r\n--b0\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nt0k\r\n--b0--\r\n";
        assert_eq!(form_field(&multi, body).as_deref(), Some("t0k"));
        let file_named_csrf = b"--b0\r\nContent-Disposition: form-data; name=\"csrf\"; filename=\"t.txt\"\r\n\r\nt0k\r\n--b0--\r\n";
        assert_eq!(form_field(&multi, file_named_csrf), None);
        assert_eq!(form_field(&headers("text/plain"), b"csrf=t0k"), None);
    }
}
