//! What every HTML page needs: who is signed in, the CSRF token for its forms, a flash message
//! left by the previous request, and the role-aware navigation.
use crate::auth::csrf::request_cookie;
use crate::auth::{ClientAddress, CsrfToken, CurrentUser, MaybeUser};
use crate::error::{AppError, SignInRequired};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use flipside_core::local_time::Zone;
use flipside_core::policy::{self, TutoringSelf};
use std::collections::BTreeMap;
use std::future::Future;

pub(crate) const FLASH_COOKIE: &str = "flipside_flash";

/// An instant however a template holds it (by value, or behind one or two references from
/// `if let` and loops).
pub trait AsInstant {
    fn instant(&self) -> DateTime<Utc>;
}

impl AsInstant for DateTime<Utc> {
    fn instant(&self) -> DateTime<Utc> {
        *self
    }
}

impl<T: AsInstant + ?Sized> AsInstant for &T {
    fn instant(&self) -> DateTime<Utc> {
        (**self).instant()
    }
}

/// One link in the main navigation.
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}

/// The signed-in person as the layout shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
}

/// The context every page template receives as `ctx`.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub user: Option<NavUser>,
    pub csrf: String,
    pub flash: Option<String>,
    pub nav: Vec<NavLink>,
    /// The request path, to mark the current navigation link.
    pub path: String,
    /// The organisation's time zone, in which every time is shown.
    pub zone: Zone,
    /// Who the person is in personal tutoring (the navigation and the home page ask the
    /// policy with it).
    pub tutoring: TutoringSelf,
}

impl PageCtx {
    /// An instant in words in the organisation's zone, the zone named: "30 November 2026,
    /// 07:30 GMT".
    pub fn long(&self, at: impl AsInstant) -> String {
        self.zone.long(at.instant())
    }

    /// An instant to the second, for a log, in the organisation's zone.
    pub fn stamp(&self, at: impl AsInstant) -> String {
        self.zone.stamp(at.instant())
    }

    /// An instant for a table, in the organisation's zone: "2026-11-30 07:30 GMT".
    pub fn short(&self, at: impl AsInstant) -> String {
        self.zone.short(at.instant())
    }

    /// Whether a navigation link is the current page (or a parent of it).
    pub fn is_current(&self, href: &str) -> bool {
        if href == "/" {
            self.path == "/"
        } else {
            self.path.starts_with(href)
        }
    }
}

/// The links of the main navigation. Each one is shown only when the policy function that the
/// linked page asks would let this person in, so that no link leads to a refusal. `me` is who
/// they are in personal tutoring (tutoring records are matched by email, not by role).
fn nav_for(user: Option<&CurrentUser>, me: TutoringSelf) -> Vec<NavLink> {
    // Room for every link below at once (a page asks this on every request).
    let mut nav = Vec::with_capacity(16);
    nav.push(NavLink {
        href: "/",
        label: "Home",
    });
    let Some(u) = user else {
        return nav;
    };
    if policy::schemes_in_navigation(&u.actor) {
        nav.push(NavLink {
            href: "/schemes",
            label: "Schemes",
        });
    }
    nav.push(NavLink {
        href: "/sprints",
        label: "Design sprints",
    });
    if policy::own_tutoring_profile(me) {
        nav.push(NavLink {
            href: "/tutoring/profile",
            label: "My tutoring",
        });
    }
    if policy::tutor_change_queue(&u.actor) {
        nav.push(NavLink {
            href: "/tutoring/change-requests",
            label: "Tutor changes",
        });
    }
    if policy::people(&u.actor, policy::Action::View) {
        nav.push(NavLink {
            href: "/admin/people",
            label: "People",
        });
    }
    if policy::organisation(&u.actor, policy::Action::Edit) {
        nav.push(NavLink {
            href: "/admin/organisation",
            label: "Organisation",
        });
    }
    if policy::edit_instruments(&u.actor) {
        nav.push(NavLink {
            href: "/instruments",
            label: "Survey instruments",
        });
    }
    if policy::tutoring_import(&u.actor) {
        nav.push(NavLink {
            href: "/admin/import",
            label: "Import",
        });
    }
    if policy::tutoring_allocation(&u.actor) {
        nav.push(NavLink {
            href: "/tutoring/allocation",
            label: "Tutor allocation",
        });
    }
    if policy::tutoring_dashboard_of_some_school(&u.actor) {
        nav.push(NavLink {
            href: "/tutoring/dashboard",
            label: "Tutoring dashboard",
        });
    }
    if policy::tutees(me) {
        nav.push(NavLink {
            href: "/tutoring/tutees",
            label: "My tutees",
        });
    }
    if policy::own_tutoring_profile(me) {
        nav.push(NavLink {
            href: "/tutoring/me",
            label: "My tutor",
        });
    }
    if policy::audit_log(&u.actor) {
        nav.push(NavLink {
            href: "/admin/audit",
            label: "Audit log",
        });
    }
    nav.push(NavLink {
        href: "/account",
        label: "My account",
    });
    nav
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        // Learnt with the session (the usual case), the client's address, written out only for
        // the audit entry of linking a record, is not needed (issue 15).
        let known = user
            .as_ref()
            .and_then(|u| crate::request_memo::tutoring_self(u.id()));
        let me = match (&user, known) {
            (_, Some(me)) => me,
            (Some(u), None) => {
                let ClientAddress(address) =
                    ClientAddress::from_request_parts(parts, state).await?;
                crate::operations::tutoring::tutoring_self(state, u, &address).await?
            }
            (None, None) => TutoringSelf::default(),
        };
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let flash = request_cookie(&parts.extensions, &parts.headers, FLASH_COOKIE)
            .filter(|f| !f.is_empty());
        Ok(PageCtx {
            nav: nav_for(user.as_ref(), me),
            user: user.map(|u| NavUser {
                name: u.user.display_name.clone(),
            }),
            csrf,
            flash,
            path: parts.uri.path().to_string(),
            zone: state.zone().await?,
            tutoring: me,
        })
    }
}

/// Post/Redirect/Get: a 303 to `to` that leaves a message for the next page.
pub fn redirect_with_flash(to: &str, message: &str) -> Response {
    let c = cookie::Cookie::build((FLASH_COOKIE, message.to_string()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .build();
    let mut r = Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&c.encoded().to_string()) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// A signed-out visitor sent to sign in from a page they opened (a link in an email, a
/// bookmark) comes back to that page afterwards: the redirect to sign-in gains `?next=` with
/// the page's path and query. Only pages opened by `GET` (a form posted after the session
/// ended has nothing safe to repeat).
pub async fn return_after_sign_in<F: Future<Output = Response>>(
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let is_page = request.method() == axum::http::Method::GET;
    let asked = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let mut response = next(request).await;
    if is_page && response.extensions().get::<SignInRequired>().is_some() {
        let to = crate::handlers::auth::sign_in::sign_in_then(&asked);
        if let Ok(v) = HeaderValue::from_str(&to) {
            response.headers_mut().insert(header::LOCATION, v);
        }
    }
    response
}

/// Clears a flash message once a page has shown it.
pub async fn clear_flash<F: Future<Output = Response>>(
    request: Request,
    next: impl FnOnce(Request) -> F,
) -> Response {
    let had_flash = request_cookie(request.extensions(), request.headers(), FLASH_COOKIE)
        .is_some_and(|f| !f.is_empty());
    let is_page = request.method() == axum::http::Method::GET;
    let mut response = next(request).await;
    let sets_flash = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|s| s.starts_with(FLASH_COOKIE)));
    if had_flash && is_page && !sets_flash && response.status().is_success() {
        let c = cookie::Cookie::build((FLASH_COOKIE, ""))
            .path("/")
            .max_age(cookie::time::Duration::ZERO)
            .build();
        if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

/// Errors of a submitted form, keyed by field name, shown next to each field.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub BTreeMap<String, String>);

impl FormErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter()
    }

    /// The first error as an API error naming its field (the API answers one error at a time).
    pub fn into_invalid(self) -> AppError {
        let (field, message) = self.0.into_iter().next().unwrap_or_default();
        AppError::Invalid { field, message }
    }
}

/// A part of a page rendered by the first request that shows it and kept in `cell` with the
/// figures it shows (the results page's and the dashboard's, issue 15): `render` runs only
/// while the cell is empty.
pub fn rendered_once(
    cell: &std::sync::OnceLock<String>,
    render: impl FnOnce() -> Result<String, askama::Error>,
) -> Result<&str, askama::Error> {
    if let Some(html) = cell.get() {
        return Ok(html);
    }
    let html = render()?;
    Ok(cell.get_or_init(|| html))
}
