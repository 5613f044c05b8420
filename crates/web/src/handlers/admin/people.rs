//! People and roles (admins): list, add a person, grant and revoke roles.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::email::Email;
use flipside_core::policy::{self, Action};
use flipside_core::role::{Grant, Role, Scope, ScopeKind};
use flipside_core::text::{BoundedText, NAME_MAX};
use flipside_store::{GrantRow, NewUser, Store, StoreError, User};
use serde::Deserialize;

/// A grant as the pages show it.
pub struct GrantView {
    pub id: i64,
    pub role: &'static str,
    pub scope: String,
}

/// Names a scope in words ("Scheme: Reverse mentoring", "School: Law").
pub(crate) async fn scope_label(store: &Store, g: &Grant) -> Result<String, StoreError> {
    Ok(match g.scope {
        Scope::Organisation => "Whole organisation".into(),
        Scope::Scheme(id) => format!(
            "Scheme: {}",
            store
                .scheme(id)
                .await
                .map(|s| s.name)
                .unwrap_or_else(|_| format!("#{id}"))
        ),
        Scope::Cycle(id) => match store.cycle(id).await {
            Ok(c) => format!(
                "Cycle: {} {}",
                store
                    .scheme(c.scheme_id)
                    .await
                    .map(|s| s.name)
                    .unwrap_or_default(),
                c.year()
            ),
            Err(_) => format!("Cycle #{id}"),
        },
        Scope::School(id) => format!(
            "School: {}",
            store
                .school(id)
                .await
                .map(|s| s.name)
                .unwrap_or_else(|_| format!("#{id}"))
        ),
    })
}

async fn views(store: &Store, rows: &[GrantRow]) -> Result<Vec<GrantView>, StoreError> {
    let mut out = Vec::new();
    for r in rows {
        if let Some(g) = r.grant() {
            out.push(GrantView {
                id: r.id,
                role: g.role.label(),
                scope: scope_label(store, &g).await?,
            });
        }
    }
    Ok(out)
}

pub struct PersonRow {
    pub user: User,
    pub roles: Vec<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/people.html")]
pub struct ListPage {
    ctx: PageCtx,
    listing: Listing,
    form: PersonForm,
    errors: FormErrors,
}

/// People shown a page at a time.
pub const PAGE_SIZE: usize = 50;

/// The search and page asked for in the address (`?q=…&page=2`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PeopleQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: String,
}

/// One page of the people matching a search.
pub struct Listing {
    pub people: Vec<PersonRow>,
    /// The search as typed (trimmed); empty for everyone.
    pub q: String,
    /// This page, from 1.
    pub page: usize,
    pub pages: usize,
    /// How many people match.
    pub total: usize,
    /// The first and last shown, counted from 1.
    pub from: usize,
    pub to: usize,
}

impl Listing {
    /// The address of another page of the same search.
    pub fn href(&self, page: usize) -> String {
        let page = page.to_string();
        let mut pairs = vec![("page", page.as_str())];
        if !self.q.is_empty() {
            pairs.push(("q", self.q.as_str()));
        }
        format!(
            "/admin/people?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
}

/// The people whose name or email contains the search (any case), a page at a time.
async fn people(store: &Store, query: &PeopleQuery) -> Result<Listing, StoreError> {
    let q = query.q.trim().to_string();
    let needle = q.to_lowercase();
    let matching: Vec<User> = store
        .users()
        .await?
        .into_iter()
        .filter(|u| {
            needle.is_empty()
                || u.display_name.to_lowercase().contains(&needle)
                || u.email.to_lowercase().contains(&needle)
        })
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query
        .page
        .trim()
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, pages);
    let mut roles_of: std::collections::HashMap<i64, Vec<Role>> = std::collections::HashMap::new();
    for g in store.all_grants().await? {
        if let Some(grant) = g.grant() {
            roles_of.entry(g.user_id).or_default().push(grant.role);
        }
    }
    let people = matching
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|u| {
            let mut roles = roles_of.remove(&u.id).unwrap_or_default();
            roles.sort();
            roles.dedup();
            PersonRow {
                roles: roles.into_iter().map(Role::label).collect(),
                user: u,
            }
        })
        .collect::<Vec<_>>();
    let from = if total == 0 {
        0
    } else {
        (page - 1) * PAGE_SIZE + 1
    };
    Ok(Listing {
        to: from + people.len().saturating_sub(1),
        people,
        q,
        page,
        pages,
        total,
        from,
    })
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(query): Query<PeopleQuery>,
) -> Result<ListPage, AppError> {
    allow(policy::people(&user.actor, Action::View))?;
    Ok(ListPage {
        ctx,
        listing: people(&state.store, &query).await?,
        form: PersonForm::default(),
        errors: FormErrors::default(),
    })
}

/// Adds a person. There is no password field: the person is sent a link to choose their
/// own (an administrator never chooses, or knows, another person's password).
pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    allow(policy::people(&user.actor, Action::Create))?;
    let mut errors = FormErrors::default();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.add("email", e.for_field("The email address")))
        .ok();
    let name = BoundedText::line(&form.display_name, NAME_MAX)
        .map_err(|e| errors.add("display_name", e.for_field("The person's name")))
        .ok();
    let mut created = None;
    if let (true, Some(email), Some(name)) = (errors.is_empty(), &email, &name) {
        match operations::people::create_person(
            &state,
            Actor {
                id: user.id(),
                address: &address,
            },
            NewUser {
                email: email.as_str(),
                display_name: name.as_str(),
                password_hash: None,
                school_id: None,
            },
        )
        .await
        {
            Ok(id) => created = Some(id),
            Err(AppError::Conflict(m)) => errors.add("email", m),
            Err(e) => return Err(e),
        }
    }
    match created {
        Some(id) => Ok(redirect_with_flash(
            &format!("/admin/people/{id}"),
            &format!(
                "{} added, and sent a link to choose their password. Now give them their roles.",
                name.as_ref().map_or("", |n| n.as_str())
            ),
        )),
        None => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            ListPage {
                ctx,
                listing: people(&state.store, &PeopleQuery::default()).await?,
                form,
                errors,
            },
        )
            .into_response()),
    }
}

/// Disables an account: its sessions end and its API tokens are refused at once.
pub async fn disable(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    set_disabled(state, user, address, id, true).await
}

/// Re-enables a disabled account.
pub async fn enable(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    set_disabled(state, user, address, id, false).await
}

async fn set_disabled(
    state: AppState,
    user: CurrentUser,
    address: String,
    id: i64,
    disabled: bool,
) -> Result<Response, AppError> {
    allow(policy::people(&user.actor, Action::Edit))?;
    if disabled && id == user.id() {
        return Err(AppError::Conflict(
            "You cannot disable your own account: ask another administrator.".into(),
        ));
    }
    let person = state.store.user(id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::accounts::set_disabled(&state, actor, id, disabled).await?;
    let message = if disabled {
        format!(
            "{}'s account is disabled: they are signed out and their API tokens no longer work.",
            person.display_name
        )
    } else {
        format!("{}'s account works again.", person.display_name)
    };
    Ok(redirect_with_flash(
        &format!("/admin/people/{id}"),
        &message,
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/person.html")]
pub struct PersonPage {
    ctx: PageCtx,
    person: User,
    grants: Vec<GrantView>,
    roles: Vec<(&'static str, &'static str)>,
    scopes: Vec<(String, String)>,
    form: GrantForm,
    errors: FormErrors,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct GrantForm {
    #[serde(default)]
    pub role: String,
    /// `organisation`, or `scheme:ID`, `cycle:ID`, `school:ID`.
    #[serde(default)]
    pub scope: String,
}

/// Every scope a role could be granted in, as (value, label).
async fn scope_choices(store: &Store) -> Result<Vec<(String, String)>, StoreError> {
    let mut out = vec![("organisation".to_string(), "Whole organisation".to_string())];
    for s in store.schemes().await? {
        out.push((format!("scheme:{}", s.id), format!("Scheme: {}", s.name)));
        for c in store.cycles_of(s.id).await? {
            out.push((
                format!("cycle:{}", c.id),
                format!("Cycle: {} {}", s.name, c.year()),
            ));
        }
    }
    for s in store.schools().await? {
        out.push((format!("school:{}", s.id), format!("School: {}", s.name)));
    }
    Ok(out)
}

/// Parses the grant form into a grant the role allows.
pub fn parse_grant(form: &GrantForm) -> Result<Grant, FormErrors> {
    let mut errors = FormErrors::default();
    let role = Role::parse(&form.role).map_err(|_| errors.add("role", "Choose a role."));
    let scope = match form.scope.split_once(':') {
        None if form.scope == "organisation" => Some(Scope::Organisation),
        Some((kind, id)) => ScopeKind::parse(kind)
            .zip(id.parse::<i64>().ok())
            .and_then(|(k, id)| Scope::from_parts(k, Some(id))),
        None => None,
    };
    if scope.is_none() {
        errors.add("scope", "Choose where the role applies.");
    }
    match (role, scope) {
        (Ok(role), Some(scope)) => Grant::new(role, scope).map_err(|e| {
            let mut errors = FormErrors::default();
            let allowed: Vec<&str> = role.allowed_scopes().iter().map(|k| k.as_str()).collect();
            errors.add(
                "scope",
                format!(
                    "{}: it can be given for {}.",
                    capitalise(&e.to_string()),
                    allowed.join(" or ")
                ),
            );
            errors
        }),
        _ => Err(errors),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

async fn person_page(
    state: &AppState,
    ctx: PageCtx,
    id: i64,
    form: GrantForm,
    errors: FormErrors,
) -> Result<PersonPage, AppError> {
    let person = state.store.user(id).await?;
    let grants = views(&state.store, &state.store.grants_of(id).await?).await?;
    Ok(PersonPage {
        ctx,
        person,
        grants,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        scopes: scope_choices(&state.store).await?,
        form,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<PersonPage, AppError> {
    allow(policy::people(&user.actor, Action::View))?;
    person_page(
        &state,
        ctx,
        id,
        GrantForm {
            scope: "organisation".into(),
            ..Default::default()
        },
        FormErrors::default(),
    )
    .await
}

pub async fn grant(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<GrantForm>,
) -> Result<Response, AppError> {
    allow(policy::people(&user.actor, Action::Edit))?;
    let person = state.store.user(id).await?;
    let parsed = match parse_grant(&form) {
        Ok(g) if !state.store.scope_exists(g.scope).await? => {
            let mut errors = FormErrors::default();
            errors.add(
                "scope",
                format!(
                    "There is no {} with the id {}.",
                    g.scope.kind().as_str(),
                    g.scope.id().unwrap_or(0)
                ),
            );
            Err(errors)
        }
        other => other,
    };
    let outcome = match parsed {
        Ok(g) => {
            let scope = scope_label(&state.store, &g).await?;
            operations::people::grant_role(
                &state,
                Actor {
                    id: user.id(),
                    address: &address,
                },
                id,
                g,
                &scope,
            )
            .await
            .map(|()| (g, scope))
            .map_err(|e| match e {
                StoreError::Conflict(m) => {
                    let mut errors = FormErrors::default();
                    errors.add("role", m);
                    Ok(errors)
                }
                e => Err(e),
            })
        }
        Err(errors) => Err(Ok(errors)),
    };
    match outcome {
        Ok((g, scope)) => Ok(redirect_with_flash(
            &format!("/admin/people/{id}"),
            &format!(
                "{} is now {} ({scope}).",
                person.display_name,
                g.role.label()
            ),
        )),
        Err(Ok(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            person_page(&state, ctx, id, form, errors).await?,
        )
            .into_response()),
        Err(Err(e)) => Err(e.into()),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, grant_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    allow(policy::people(&user.actor, Action::Edit))?;
    let grants = state.store.grants_of(id).await?;
    let row = grants
        .iter()
        .find(|g| g.id == grant_id)
        .ok_or(AppError::NotFound)?;
    let Some(g) = row.grant() else {
        return Err(AppError::NotFound);
    };
    if !policy::revoke_grant(&user.actor, id, g.role) {
        return Ok(redirect_with_flash(
            &format!("/admin/people/{id}"),
            "You cannot remove your own administrator role: ask another administrator.",
        ));
    }
    let scope = scope_label(&state.store, &g).await?;
    operations::people::revoke_role(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        id,
        grant_id,
        g,
        &scope,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/admin/people/{id}"),
        &format!("Role {} ({scope}) removed.", g.role.label()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_forms_parse_scopes_and_refuse_ones_the_role_does_not_allow() {
        let f = |role: &str, scope: &str| GrantForm {
            role: role.into(),
            scope: scope.into(),
        };
        assert_eq!(
            parse_grant(&f("coordinator", "scheme:4")).unwrap(),
            Grant {
                role: Role::Coordinator,
                scope: Scope::Scheme(4)
            }
        );
        assert_eq!(
            parse_grant(&f("admin", "organisation")).unwrap().scope,
            Scope::Organisation
        );
        let e = parse_grant(&f("school_lead", "organisation")).unwrap_err();
        assert!(e.get("scope").unwrap().contains("school"), "{:?}", e);
        assert!(
            parse_grant(&f("wizard", "organisation"))
                .unwrap_err()
                .get("role")
                .is_some()
        );
        assert!(
            parse_grant(&f("admin", "planet:3"))
                .unwrap_err()
                .get("scope")
                .is_some()
        );
    }
}
