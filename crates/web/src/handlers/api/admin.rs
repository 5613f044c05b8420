//! Administration over the API: people and their roles, the organisation's settings, the audit
//! log and the email log. The same policy functions and business operations as the pages in
//! `handlers::admin`.
use super::etag::{IfMatch, Tagged};
use super::{ApiPath, ApiQuery, JsonBody, PAGE_DEFAULT, PAGE_MAX, PageParams, page, page_of};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::admin::organisation::{SettingsForm, save_settings};
use crate::handlers::admin::people::{GrantForm, parse_grant, scope_label};
use crate::operations::{self, cycles::Actor};
use crate::page::FormErrors;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, delete, get, post, put};
use flipside_core::policy::{self, Action};
use flipside_store::{AuditFilter, GrantRow, Organisation, Store};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        list_people,
        grant_role,
        revoke_role,
        show_settings,
        update_settings,
        list_audit_entries,
        list_emails
    ),
    components(schemas(
        PersonJson,
        PersonPage,
        RoleGrantJson,
        NewRoleGrantJson,
        OrganisationSettingsJson,
        AuditEntryJson,
        AuditPage,
        EmailJson,
        EmailPage
    ))
)]
pub struct Doc;

/// This area's operations, as (method, path under `/api/v1`, handler).
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/people", get(list_people)),
        (Method::POST, "/people/{id}/roles", post(grant_role)),
        (
            Method::DELETE,
            "/people/{id}/roles/{grant_id}",
            delete(revoke_role),
        ),
        (Method::GET, "/organisation/settings", get(show_settings)),
        (Method::PUT, "/organisation/settings", put(update_settings)),
        (Method::GET, "/audit-entries", get(list_audit_entries)),
        (Method::GET, "/emails", get(list_emails)),
    ]
}

/// What the policy refuses, documented once.
const REFUSED: &str = "The caller may not do this";

/// Problem details for a list of field errors (every one, not only the first).
fn invalid(errors: FormErrors) -> ApiError {
    ApiError(AppError::InvalidFields(errors.0.into_iter().collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleGrantJson {
    pub id: i64,
    /// admin, coordinator, school_lead, ... (as `GET /me` names roles)
    pub role: String,
    /// organisation, scheme, cycle or school
    pub scope: String,
    /// The scheme, cycle or School; absent for the organisation.
    pub scope_id: Option<i64>,
    pub granted_at: String,
}

fn grant_json(r: &GrantRow) -> Option<RoleGrantJson> {
    let g = r.grant()?;
    Some(RoleGrantJson {
        id: r.id,
        role: g.role.as_str().to_string(),
        scope: g.scope.kind().as_str().to_string(),
        scope_id: g.scope.id(),
        granted_at: r.granted_at.to_rfc3339(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonJson {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub school_id: Option<i64>,
    pub disabled: bool,
    pub created_at: String,
    pub roles: Vec<RoleGrantJson>,
}

page_of!(PersonPage, PersonJson);

/// The search and paging of the people list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PeopleParams {
    /// Only people whose name or email contains this (any case).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// The `next_cursor` of the previous page; absent or empty for the first page.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// How many items, from 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Everyone with an account, by id, with their roles (admins).
#[utoipa::path(get, operation_id = "listPeople", path = "/api/v1/people", tag = "administration", params(PeopleParams),
    responses((status = 200, description = "A page of people", body = PersonPage), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_people(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery<PeopleParams>,
) -> Result<Json<PersonPage>, ApiError> {
    if !policy::people(&user.actor, Action::View) {
        return Err(AppError::Forbidden.into());
    }
    let needle = params
        .q
        .as_deref()
        .map(|q| q.trim().to_lowercase())
        .unwrap_or_default();
    let people: Vec<_> = state
        .store
        .users()
        .await?
        .into_iter()
        .filter(|u| {
            needle.is_empty()
                || u.display_name.to_lowercase().contains(&needle)
                || u.email.to_lowercase().contains(&needle)
        })
        .collect();
    let paging = PageParams {
        cursor: params.cursor,
        limit: params.limit,
    };
    let (people, next_cursor) = page(people, |u| u.id, &paging)?;
    let grants = state.store.all_grants().await?;
    let items = people
        .into_iter()
        .map(|u| PersonJson {
            roles: grants
                .iter()
                .filter(|g| g.user_id == u.id)
                .filter_map(grant_json)
                .collect(),
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            school_id: u.school_id,
            disabled: u.disabled,
            created_at: u.created_at.to_rfc3339(),
        })
        .collect();
    Ok(Json(PersonPage { items, next_cursor }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoleGrantJson {
    /// The role to give.
    #[schema(pattern = "^[a-z_]{1,40}$")]
    pub role: String,
    /// `organisation`, or `scheme:ID`, `cycle:ID`, `school:ID`.
    #[schema(pattern = "^(organisation|(scheme|cycle|school):[0-9]{1,18})$")]
    pub scope: String,
}

/// Gives a person a role in a scope (admins); audited.
#[utoipa::path(post, operation_id = "grantRole", path = "/api/v1/people/{id}/roles", tag = "administration", params(("id" = i64, Path, description = "Person id")), request_body = NewRoleGrantJson,
    responses((status = 201, description = "The new grant", body = RoleGrantJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The person already has that role there", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The role or scope is not one that exists or fits (named in field)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn grant_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewRoleGrantJson>,
) -> Result<(StatusCode, Json<RoleGrantJson>), ApiError> {
    if !policy::people(&user.actor, Action::Edit) {
        return Err(AppError::Forbidden.into());
    }
    state.store.user(id).await?;
    let g = parse_grant(&GrantForm {
        role: body.role,
        scope: body.scope,
    })
    .map_err(invalid)?;
    if !state.store.scope_exists(g.scope).await? {
        return Err(AppError::Invalid {
            field: "scope".into(),
            message: format!(
                "There is no {} with the id {}.",
                g.scope.kind().as_str(),
                g.scope.id().unwrap_or(0)
            ),
        }
        .into());
    }
    let words = scope_label(&state.store, &g).await?;
    operations::people::grant_role(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        id,
        g,
        &words,
    )
    .await?;
    let row = state
        .store
        .grants_of(id)
        .await?
        .into_iter()
        .filter(|r| r.grant() == Some(g))
        .max_by_key(|r| r.id)
        .and_then(|r| grant_json(&r))
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("a granted role is not stored")))?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Takes a role away (admins; never an administrator's own admin role); audited.
#[utoipa::path(delete, operation_id = "revokeRole", path = "/api/v1/people/{id}/roles/{grant_id}", tag = "administration", params(("id" = i64, Path, description = "Person id"), ("grant_id" = i64, Path, description = "Grant id")),
    responses((status = 204, description = "The role is removed"), (status = 403, description = "The caller may not do this, or would remove their own administrator role", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn revoke_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, grant_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    if !policy::people(&user.actor, Action::Edit) {
        return Err(AppError::Forbidden.into());
    }
    let row = state
        .store
        .grants_of(id)
        .await?
        .into_iter()
        .find(|g| g.id == grant_id)
        .ok_or(AppError::NotFound)?;
    let g = row.grant().ok_or(AppError::NotFound)?;
    if !policy::revoke_grant(&user.actor, id, g.role) {
        return Err(AppError::Forbidden.into());
    }
    let words = scope_label(&state.store, &g).await?;
    operations::people::revoke_role(
        &state,
        Actor {
            id: user.id(),
            address: &address,
        },
        id,
        grant_id,
        g,
        &words,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The organisation's settings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationSettingsJson {
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// The smallest count shown under the internal disclosure rule.
    #[schema(minimum = 3, maximum = 100)]
    pub min_cell: i64,
    /// internal or publication
    #[schema(pattern = "^(internal|publication)$")]
    pub disclosure_preset: String,
    /// Default hours a pair aims to meet across a cycle.
    #[schema(minimum = 1, maximum = 200)]
    pub hours_target: i64,
    /// An IANA time zone, for example Europe/London.
    pub time_zone: String,
    /// Weeks without a held meeting before a pair is listed as not meeting.
    #[schema(minimum = 1, maximum = 26)]
    pub stale_pair_weeks: i64,
}

fn settings_json(o: &Organisation) -> OrganisationSettingsJson {
    OrganisationSettingsJson {
        name: o.name.clone(),
        min_cell: o.min_cell,
        disclosure_preset: o.disclosure_preset.clone(),
        hours_target: o.hours_target,
        time_zone: o.time_zone.clone(),
        stale_pair_weeks: o.stale_pair_weeks,
    }
}

async fn organisation(store: &Store) -> Result<Organisation, ApiError> {
    Ok(store.organisation().await?.ok_or(AppError::NotFound)?)
}

/// The organisation's settings (admins), with their ETag.
#[utoipa::path(get, operation_id = "getOrganisationSettings", path = "/api/v1/organisation/settings", tag = "administration",
    responses((status = 200, description = "The settings", body = OrganisationSettingsJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "The organisation is not set up yet", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Tagged<OrganisationSettingsJson>, ApiError> {
    if !policy::organisation(&user.actor, Action::Edit) {
        return Err(AppError::Forbidden.into());
    }
    Ok(Tagged(settings_json(&organisation(&state.store).await?)))
}

/// Replaces the organisation's settings (admins); audited with what they were. Send the ETag
/// of the settings read as `If-Match` so as not to overwrite another admin's change.
#[utoipa::path(put, operation_id = "updateOrganisationSettings", path = "/api/v1/organisation/settings", tag = "administration", params(IfMatch), request_body = OrganisationSettingsJson,
    responses((status = 200, description = "The settings as saved", body = OrganisationSettingsJson), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "The organisation is not set up yet", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A value breaks a rule (each named in errors)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    if_match: IfMatch,
    JsonBody(body): JsonBody<OrganisationSettingsJson>,
) -> Result<Tagged<OrganisationSettingsJson>, ApiError> {
    if !policy::organisation(&user.actor, Action::Edit) {
        return Err(AppError::Forbidden.into());
    }
    if_match.check(&settings_json(&organisation(&state.store).await?))?;
    let form = SettingsForm {
        name: body.name,
        min_cell: body.min_cell.to_string(),
        disclosure_preset: body.disclosure_preset,
        hours_target: body.hours_target.to_string(),
        time_zone: body.time_zone,
        stale_pair_weeks: Some(body.stale_pair_weeks.to_string()),
    };
    save_settings(&state, &user, &address, &form)
        .await?
        .map_err(invalid)?;
    Ok(Tagged(settings_json(&organisation(&state.store).await?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryJson {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    /// What happened, for example sign_in, role_granted, identity_read.
    pub action: String,
    pub subject_kind: String,
    pub subject_id: Option<i64>,
    pub detail: String,
    pub address: String,
}

page_of!(AuditPage, AuditEntryJson);

/// The filters and paging of the audit log (newest first).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Only this action (for example role_granted).
    #[param(max_length = 100)]
    pub action: Option<String>,
    /// Only what this person did.
    pub actor_id: Option<i64>,
    /// Only entries about this kind of thing (for example user, application).
    #[param(max_length = 100)]
    pub subject_kind: Option<String>,
    /// The `next_cursor` of the previous page; absent or empty for the first (newest) page.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// How many items, from 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// A newest-first page: the limit and the id below which to start, checked as [`page`] does.
fn newest_first(cursor: Option<&str>, limit: Option<u32>) -> Result<(Option<i64>, i64), ApiError> {
    let limit = limit.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(ApiError(AppError::Malformed {
            field: "limit".into(),
            message: format!("limit must be from 1 to {PAGE_MAX}."),
        }));
    }
    let before = match cursor {
        None | Some("") => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            ApiError(AppError::Malformed {
                field: "cursor".into(),
                message: "cursor is not one this API returned as next_cursor.".into(),
            })
        })?),
    };
    Ok((before, i64::from(limit)))
}

/// The next cursor of a newest-first page that came back full (one more was asked for).
fn next_of<T>(items: &mut Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Option<String> {
    let more = items.len() as i64 > limit;
    items.truncate(usize::try_from(limit).unwrap_or(0));
    more.then(|| items.last().map(|t| id(t).to_string()))
        .flatten()
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The audit log, newest first, with filters (admins).
#[utoipa::path(get, operation_id = "listAuditEntries", path = "/api/v1/audit-entries", tag = "administration", params(AuditParams),
    responses((status = 200, description = "A page of the audit log, newest first", body = AuditPage), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_audit_entries(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Json<AuditPage>, ApiError> {
    if !policy::audit_log(&user.actor) {
        return Err(AppError::Forbidden.into());
    }
    let (before, limit) = newest_first(params.cursor.as_deref(), params.limit)?;
    let filter = AuditFilter {
        action: nonempty(&params.action),
        actor_id: params.actor_id,
        subject_kind: nonempty(&params.subject_kind),
    };
    let mut entries = state.store.audit_page(filter, before, limit + 1).await?;
    let next_cursor = next_of(&mut entries, limit, |e| e.id);
    let items = entries
        .into_iter()
        .map(|e| AuditEntryJson {
            id: e.id,
            at: e.at.to_rfc3339(),
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            action: e.action,
            subject_kind: e.subject_kind,
            subject_id: e.subject_id,
            detail: e.detail,
            address: e.address,
        })
        .collect();
    Ok(Json(AuditPage { items, next_cursor }))
}

/// One email of the outbox. The body is never shown: it can carry single-use links and
/// private content.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailJson {
    pub id: i64,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    /// pending, sending, sent or failed
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: String,
    pub sent_at: Option<String>,
}

page_of!(EmailPage, EmailJson);

/// The filter and paging of the email log (newest first).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EmailParams {
    /// Only emails in this delivery state.
    #[param(pattern = "^(pending|sending|sent|failed)$")]
    pub status: Option<String>,
    /// The `next_cursor` of the previous page; absent or empty for the first (newest) page.
    #[param(pattern = "^[0-9]{0,18}$")]
    pub cursor: Option<String>,
    /// How many items, from 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// The email delivery log, newest first (admins).
#[utoipa::path(get, operation_id = "listEmails", path = "/api/v1/emails", tag = "administration", params(EmailParams),
    responses((status = 200, description = "A page of the outbox, newest first", body = EmailPage), (status = 403, description = REFUSED, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_emails(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiQuery(params): ApiQuery<EmailParams>,
) -> Result<Json<EmailPage>, ApiError> {
    if !policy::email_log(&user.actor) {
        return Err(AppError::Forbidden.into());
    }
    let status = nonempty(&params.status);
    if let Some(s) = status
        && !matches!(s, "pending" | "sending" | "sent" | "failed")
    {
        return Err(AppError::Malformed {
            field: "status".into(),
            message: "status is pending, sending, sent or failed.".into(),
        }
        .into());
    }
    let (before, limit) = newest_first(params.cursor.as_deref(), params.limit)?;
    let mut emails = state.store.emails_page(status, before, limit + 1).await?;
    let next_cursor = next_of(&mut emails, limit, |e| e.id);
    let items = emails
        .into_iter()
        .map(|e| EmailJson {
            id: e.id,
            to_address: e.to_address,
            to_name: e.to_name,
            subject: e.subject,
            status: e.status,
            attempts: e.attempts,
            last_error: e.last_error,
            created_at: e.created_at.to_rfc3339(),
            sent_at: e.sent_at.map(|t| t.to_rfc3339()),
        })
        .collect();
    Ok(Json(EmailPage { items, next_cursor }))
}
