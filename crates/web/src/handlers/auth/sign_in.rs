//! Local sign-in (Argon2id passwords) and sign-out.
//!
//! Failed sign-ins slow down the attempts of the same (account, address) pair, and those of
//! an address that fails against many accounts; they never lock an account, so a stranger
//! typing someone's address cannot keep its owner out (issue 10).
use crate::auth::password;
use crate::auth::session::{clear_session_cookie, session_cookie};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use flipside_core::account::sign_in_wait as sign_in_wait_after;
use flipside_store::{NewAuditEntry, StoreError, Tx, User};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    ctx: PageCtx,
    email: String,
    next: String,
    errors: FormErrors,
    sso_name: Option<String>,
    /// Whether the organisation lets people ask for a sign-in link by email.
    email_sign_in: bool,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    pub(crate) next: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirect): a path that starts
/// with one `/`, made of printable ASCII without a backslash. Browsers drop tabs and line
/// breaks from an address and read `\` as `/`, so `/\tevil.test` or `/\\evil.test` would
/// otherwise become `//evil.test`, another site; a path back to sign-in itself is home.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
                && !n.starts_with("/sign-in") =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The sign-in page that returns to `next` (a path with its query) once signed in.
pub fn sign_in_then(next: &str) -> String {
    let next = safe_next(Some(next));
    if next == "/" {
        "/sign-in".to_string()
    } else {
        format!(
            "/sign-in?{}",
            serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default()
        )
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(q): Query<NextQuery>,
) -> Result<SignInPage, AppError> {
    Ok(SignInPage {
        ctx,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        errors: FormErrors::default(),
        sso_name: state.settings.oidc.as_ref().map(|o| o.display_name.clone()),
        email_sign_in: state.store.email_sign_in_allowed().await?,
    })
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: PageCtx,
    ClientAddress(address): ClientAddress,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let email = form.email.trim().to_string();
    let next = safe_next(form.next.as_deref());
    let mut errors = FormErrors::default();
    if email.is_empty() {
        errors.add("email", "Enter your email address.");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    let sso_name = state.settings.oidc.as_ref().map(|o| o.display_name.clone());
    let email_sign_in = state.store.email_sign_in_allowed().await?;
    let page = |errors, status| {
        (
            status,
            SignInPage {
                ctx: ctx.clone(),
                email: email.clone(),
                next: next.clone(),
                errors,
                sso_name: sso_name.clone(),
                email_sign_in,
            },
        )
            .into_response()
    };
    if !errors.is_empty() {
        return Ok(page(errors, StatusCode::UNPROCESSABLE_ENTITY));
    }

    if let Some(wait) = sign_in_wait(&state, &email, &address).await? {
        errors.add(
            "email",
            format!(
                "Too many failed sign-ins from here. Wait {} and try again.",
                describe_wait(wait)
            ),
        );
        return Ok(slowed(page(errors, StatusCode::TOO_MANY_REQUESTS), wait));
    }

    let user = match state.store.user_by_email(&email).await {
        Ok(u) => Some(u),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    // Verify against a dummy hash for unknown accounts so both failures take the same time.
    // A password longer than any accepted one is wrong without hashing it (a megabyte of
    // text must not buy a megabyte of Argon2 work).
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let too_long = form.password.chars().count() > flipside_core::account::MAX_PASSWORD_CHARS;
    let ok = !too_long
        && password::verify(
            &form.password,
            hash.as_deref().unwrap_or(password::dummy_hash()),
        )
        && hash.is_some();
    match user {
        Some(user) if ok && !user.disabled => {
            let mut tx = state.store.begin().await?;
            tx.clear_login_failures(&email, &address).await?;
            complete_sign_in_in(tx, &state, &user, &address, "password", &next).await
        }
        other => {
            let mut tx = state.store.begin().await?;
            tx.record_login_failure(&email, &address, state.clock.now())
                .await?;
            tx.audit(NewAuditEntry {
                actor_id: other.as_ref().map(|u| u.id),
                action: "sign_in_failed",
                subject_kind: "user",
                subject_id: other.as_ref().map(|u| u.id),
                detail: "password",
                address: &address,
            })
            .await?;
            tx.commit().await?;
            errors.add("password", "The email address or password is not right.");
            Ok(page(errors, StatusCode::UNPROCESSABLE_ENTITY))
        }
    }
}

/// How much longer a sign-in (or a password check) of `account` from `address` must wait,
/// by the app's clock: the longer of the pair's wait and the address's.
pub(crate) async fn sign_in_wait(
    state: &AppState,
    account: &str,
    address: &str,
) -> Result<Option<chrono::Duration>, AppError> {
    let s = &state.settings;
    let now = state.clock.now();
    let window = chrono::Duration::minutes(s.failure_window_minutes);
    let failures = state
        .store
        .login_failures(account, address, now - window)
        .await?;
    let pair = sign_in_wait_after(failures.pair, s.max_failures_per_pair, window, now);
    let from_address = sign_in_wait_after(
        failures.from_address,
        s.max_failures_per_address,
        window,
        now,
    );
    Ok(pair.max(from_address))
}

/// The wait in words: seconds, or whole minutes once it is longer than two.
pub(crate) fn describe_wait(wait: chrono::Duration) -> String {
    let seconds = wait.num_seconds().max(1);
    if seconds > 120 {
        format!("{} minutes", (seconds + 59) / 60)
    } else if seconds == 1 {
        "a second".to_string()
    } else {
        format!("{seconds} seconds")
    }
}

/// A 429 answer that says, in `Retry-After`, when to try again.
pub(crate) fn slowed(mut response: Response, wait: chrono::Duration) -> Response {
    // Whole seconds, rounded up: trying at the stated time must not be too early.
    let seconds = (wait.num_milliseconds() + 999) / 1000;
    if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// Starts a fresh session (a new id every sign-in), records the sign-in and redirects.
pub async fn complete_sign_in(
    state: &AppState,
    user: &User,
    address: &str,
    method: &str,
    next: &str,
) -> Result<Response, AppError> {
    let tx = state.store.begin().await?;
    complete_sign_in_in(tx, state, user, address, method, next).await
}

/// [`complete_sign_in`] in the transaction of a sign-in that wrote something already (the
/// failures it forgets): the session and its audit entry commit with it.
async fn complete_sign_in_in(
    mut tx: Tx,
    state: &AppState,
    user: &User,
    address: &str,
    method: &str,
    next: &str,
) -> Result<Response, AppError> {
    let token = tx
        .create_session(
            user.id,
            chrono::Duration::hours(state.settings.session_hours),
        )
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(user.id),
        action: "sign_in",
        subject_kind: "user",
        subject_id: Some(user.id),
        detail: method,
        address,
    })
    .await?;
    tx.commit().await?;
    let mut response = Redirect::to(next).into_response();
    let cookie =
        HeaderValue::from_str(&session_cookie(state, &token.0)).map_err(AppError::internal)?;
    response.headers_mut().append(header::SET_COOKIE, cookie);
    if let Some(csrf) = crate::auth::csrf::fresh_cookie(state) {
        response.headers_mut().append(header::SET_COOKIE, csrf);
    }
    Ok(response)
}

pub async fn sign_out(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
) -> Result<Response, AppError> {
    let mut tx = state.store.begin().await?;
    if let Some(token) = &user.session_token {
        tx.delete_session(token).await?;
    }
    tx.audit(NewAuditEntry {
        actor_id: Some(user.id()),
        action: "sign_out",
        subject_kind: "user",
        subject_id: Some(user.id()),
        detail: "",
        address: &address,
    })
    .await?;
    tx.commit().await?;
    let mut response = redirect_with_flash("/", "You have signed out.");
    let cookie =
        HeaderValue::from_str(&clear_session_cookie(&state)).map_err(AppError::internal)?;
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_same_site_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/schemes/3")), "/schemes/3");
        assert_eq!(
            safe_next(Some("/surveys/4/pre?x=1%2F2")),
            "/surveys/4/pre?x=1%2F2"
        );
        for bad in [
            "https://evil.test/",
            "//evil.test",
            "/\\evil.test",
            "\\\\evil.test",
            "/\t/evil.test",
            "/\n/evil.test",
            "/ /evil.test",
            "/\r\nSet-Cookie: a=b",
            "/é",
            "schemes",
            "javascript:alert(1)",
            "",
            "/sign-in?next=/sign-in",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_sign_in_address_carries_the_page_to_return_to() {
        use super::sign_in_then;
        assert_eq!(sign_in_then("/pairs/3"), "/sign-in?next=%2Fpairs%2F3");
        assert_eq!(
            sign_in_then("/surveys/4/pre?a=1&b=2"),
            "/sign-in?next=%2Fsurveys%2F4%2Fpre%3Fa%3D1%26b%3D2"
        );
        assert_eq!(sign_in_then("/"), "/sign-in");
        assert_eq!(sign_in_then("//evil.test"), "/sign-in");
    }
}
