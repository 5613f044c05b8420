//! Staff invitations over the API: a cycle's invitations, inviting a staff leader (the email
//! with the link is queued in the same transaction) and sending the link again, through the
//! same operations, validation and policy as the invitations page.
use super::{ApiPath, ApiQuery, JsonBody, PageParams, page, page_of};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::mentoring::invitations::{
    InviteForm, managed_cycle, managed_invitation, validate,
};
use crate::operations::{self, cycles::Actor, invitations::Inviter};
use crate::page::FormErrors;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodRouter, post};
use chrono::Duration;
use flipside_core::invitation::Invitee;
use flipside_core::invitation::VALID_DAYS;
use flipside_store::{Invitation, NewInvitation};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

/// The operations this area adds beyond the router's own table: inviting many at once, and
/// cancelling.
#[derive(OpenApi)]
#[openapi(
    paths(create_many, cancel),
    components(schemas(NewInvitationsJson, NewInviteeJson, InvitationList))
)]
pub struct Doc;

/// This area's operations (see [`Doc`]), for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (
            Method::POST,
            "/cycles/{id}/invitations/batch",
            post(create_many),
        ),
        (
            Method::POST,
            "/cycles/{id}/invitations/{invitation}/cancel",
            post(cancel),
        ),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationJson {
    pub id: i64,
    pub cycle_id: i64,
    pub name: String,
    pub email: String,
    pub school_id: Option<i64>,
    /// invited, accepted, declined, expired (an unanswered link past its expiry) or cancelled
    /// (by a coordinator)
    pub status: String,
    pub expires_at: String,
    /// How many times the link was sent.
    pub sends: i64,
    /// The person, once the invitation is accepted.
    pub user_id: Option<i64>,
    pub created_at: String,
}

impl From<Invitation> for InvitationJson {
    fn from(i: Invitation) -> InvitationJson {
        InvitationJson {
            status: i.status().as_str().to_string(),
            id: i.id,
            cycle_id: i.cycle_id,
            name: i.name,
            email: i.email,
            school_id: i.school_id,
            expires_at: i.expires_at.to_rfc3339(),
            sends: i.sends,
            user_id: i.user_id,
            created_at: i.created_at.to_rfc3339(),
        }
    }
}

page_of!(InvitationPage, InvitationJson);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitationJson {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub school_id: Option<i64>,
}

/// A cycle's staff invitations (its coordinators).
#[utoipa::path(get, operation_id = "listInvitations", path = "/api/v1/cycles/{id}/invitations", tag = "invitations", params(("id" = i64, Path, description = "Cycle id"), PageParams),
    responses((status = 200, description = "A page of the cycle's invitations, by id", body = InvitationPage), (status = 403, description = "The caller may not invite to this cycle", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<InvitationPage>, ApiError> {
    managed_cycle(&state, &user, id).await?;
    let invitations = state.store.invitations_of(id).await?;
    let (invitations, next_cursor) = page(invitations, |i| i.id, &params)?;
    Ok(Json(InvitationPage {
        items: invitations.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Invites a staff leader to a cycle by email (its coordinators).
#[utoipa::path(post, operation_id = "createInvitation", path = "/api/v1/cycles/{id}/invitations", tag = "invitations", params(("id" = i64, Path, description = "Cycle id")), request_body = NewInvitationJson,
    responses((status = 201, description = "The invitation; its email is queued", body = InvitationJson), (status = 409, description = "That address is already invited to the cycle", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A field breaks a rule (named in field)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewInvitationJson>,
) -> Result<(StatusCode, Json<InvitationJson>), ApiError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let schools = state.store.schools().await?;
    let form = InviteForm {
        name: body.name,
        email: body.email,
        school_id: body.school_id.map(|i| i.to_string()).unwrap_or_default(),
    };
    let (name, email, school_id) = validate(&form, &schools).map_err(FormErrors::into_invalid)?;
    let inv = operations::invitations::invite(
        &state,
        Inviter {
            name: &user.user.display_name,
        },
        &cycle,
        &scheme,
        NewInvitation {
            cycle_id: id,
            email: &email,
            name: &name,
            school_id,
            invited_by: Some(user.id()),
            expires_at: flipside_store::now() + Duration::days(VALID_DAYS),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(inv.into())))
}

/// Sends an unanswered invitation's link again; the earlier link stops working.
#[utoipa::path(post, operation_id = "resendInvitation", path = "/api/v1/cycles/{id}/invitations/{invitation}/resend", tag = "invitations",
    params(("id" = i64, Path, description = "Cycle id"), ("invitation" = i64, Path, description = "Invitation id")),
    responses((status = 200, description = "The invitation with its new expiry; the email is queued", body = InvitationJson), (status = 409, description = "The invitation is already answered", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn resend(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, inv_id)): ApiPath<(i64, i64)>,
) -> Result<Json<InvitationJson>, ApiError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let inv = state.store.invitation(inv_id).await?;
    if inv.cycle_id != id {
        return Err(AppError::NotFound.into());
    }
    let expires = flipside_store::now() + Duration::days(VALID_DAYS);
    let from = Inviter {
        name: &user.user.display_name,
    };
    let inv =
        operations::invitations::resend(&state, from, &cycle, &scheme, inv_id, expires).await?;
    Ok(Json(inv.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInviteeJson {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitationsJson {
    /// The staff leaders to invite, each once (at least one).
    #[schema(min_items = 1)]
    pub invitations: Vec<NewInviteeJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<InvitationJson>,
}

/// Invites many staff leaders at once, all or nothing: every invitation and its email, with
/// one audit entry, in one transaction (its coordinators).
#[utoipa::path(post, operation_id = "createInvitations", path = "/api/v1/cycles/{id}/invitations/batch", tag = "invitations", params(("id" = i64, Path, description = "Cycle id")), request_body = NewInvitationsJson,
    responses((status = 201, description = "The invitations, in the order given; their emails are queued", body = InvitationList), (status = 403, description = "The caller may not invite to this cycle", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "Someone was invited to the cycle meanwhile; nobody was invited", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "An invitee breaks a rule (named as invitations[i].field); nobody was invited", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_many(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<NewInvitationsJson>,
) -> Result<(StatusCode, Json<InvitationList>), ApiError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    if body.invitations.is_empty() {
        return Err(AppError::Invalid {
            field: "invitations".into(),
            message: "List at least one staff leader to invite.".into(),
        }
        .into());
    }
    let already: Vec<String> = state
        .store
        .invitations_of(id)
        .await?
        .into_iter()
        .map(|i| i.email.to_lowercase())
        .collect();
    let mut errors = Vec::new();
    let mut invitees: Vec<Invitee> = Vec::new();
    for (i, who) in body.invitations.into_iter().enumerate() {
        let form = InviteForm {
            name: who.name,
            email: who.email,
            school_id: String::new(),
        };
        match validate(&form, &[]) {
            Ok((name, email, _)) => {
                let key = email.to_lowercase();
                if already.contains(&key) {
                    errors.push((
                        format!("invitations[{i}].email"),
                        format!("{email} is already invited to this cycle."),
                    ));
                } else if invitees.iter().any(|x| x.email.to_lowercase() == key) {
                    errors.push((
                        format!("invitations[{i}].email"),
                        format!("{email} is listed twice."),
                    ));
                } else {
                    invitees.push(Invitee {
                        line: i + 1,
                        name,
                        email,
                    });
                }
            }
            Err(e) => errors.extend(
                e.0.into_iter()
                    .map(|(f, m)| (format!("invitations[{i}].{f}"), m)),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::InvalidFields(errors).into());
    }
    let from = Inviter {
        name: &user.user.display_name,
    };
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    let expires = flipside_store::now() + Duration::days(VALID_DAYS);
    let invited = operations::invitations::invite_many(
        &state,
        from,
        actor,
        (&scheme, &cycle),
        &invitees,
        expires,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationList {
            items: invited.into_iter().map(Into::into).collect(),
        }),
    ))
}

/// Cancels an unanswered invitation: its link stops working at once; nobody is emailed.
#[utoipa::path(post, operation_id = "cancelInvitation", path = "/api/v1/cycles/{id}/invitations/{invitation}/cancel", tag = "invitations",
    params(("id" = i64, Path, description = "Cycle id"), ("invitation" = i64, Path, description = "Invitation id")),
    responses((status = 200, description = "The invitation, cancelled", body = InvitationJson), (status = 403, description = "The caller may not invite to this cycle", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The invitation is already answered or cancelled", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, inv_id)): ApiPath<(i64, i64)>,
) -> Result<Json<InvitationJson>, ApiError> {
    managed_invitation(&state, &user, id, inv_id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::invitations::cancel(&state, actor, inv_id).await?;
    Ok(Json(state.store.invitation(inv_id).await?.into()))
}
