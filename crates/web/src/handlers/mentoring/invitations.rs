//! Staff invitations (SPEC §3.2): the coordinator invites a staff leader by email to a cycle
//! and sees every invitation's state; the invitee answers through a single-use, expiring link
//! that works without signing in (the link's token is the credential).
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::mentoring::recruitment::{Choice, DayChoices};
use crate::mail::messages::SetPasswordReason;
use crate::operations::accounts::queue_set_password_link;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use flipside_core::account::PersonName;
use flipside_core::invitation::{self, InvitationStatus, VALID_DAYS};
use flipside_core::policy;
use flipside_core::recruitment::{self, TIMES_OF_DAY, WEEKDAYS};
use flipside_core::scheme::BoundedText;
use flipside_store::{Cycle, Invitation, NewEmail, NewInvitation, Scheme, School, StoreError};
use serde::Deserialize;

/// The link an invitee opens, under the configured public address.
fn link(state: &AppState, token: &str) -> String {
    format!(
        "{}/invitations/{token}",
        state.settings.public_url.as_str().trim_end_matches('/')
    )
}

fn day(at: DateTime<Utc>) -> String {
    at.format("%-d %B %Y").to_string()
}

/// Queues the email that carries the link (the `send`th sending of this invitation).
async fn send_link(
    state: &AppState,
    inv: &Invitation,
    scheme: &Scheme,
    cycle: &Cycle,
    token: &str,
    send: i64,
    from: &str,
) -> Result<(), AppError> {
    let subject = format!(
        "Invitation: {} {}, reverse mentoring",
        scheme.name,
        cycle.year()
    );
    let body = format!(
        "Dear {name},\n\n{from} invites you to take part in {scheme} ({year}) as a staff mentee: a student will mentor you about their experience of studying here.\n\n{purpose}\n\nTo accept or decline, open this link. It works once, until {until}:\n{link}\n\nIf you did not expect this email, you can ignore it.\n",
        name = inv.name,
        scheme = scheme.name,
        year = cycle.year(),
        purpose = scheme.purpose,
        until = day(inv.expires_at),
        link = link(state, token),
    );
    let key = invitation::email_key(inv.id, send);
    state
        .store
        .enqueue_email(&NewEmail {
            dedup_key: &key,
            to_address: &inv.email,
            to_name: &inv.name,
            subject: &subject,
            body_text: &body,
            calendar: None,
        })
        .await?;
    Ok(())
}

/// One invitation as the coordinator's list shows it.
pub struct Row {
    pub inv: Invitation,
    pub status: InvitationStatus,
    pub availability: Vec<String>,
    pub can_resend: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    rows: Vec<Row>,
    counts: Vec<(&'static str, usize)>,
    schools: Vec<School>,
    form: InviteForm,
    errors: FormErrors,
}

/// The invitation form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub school_id: String,
}

async fn managed_cycle(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Cycle, Scheme), AppError> {
    crate::handlers::cycle_if(state, id, |c| {
        policy::invite_staff(&user.actor, c.scheme_id)
    })
    .await
}

async fn list_page(
    state: &AppState,
    ctx: PageCtx,
    cycle: Cycle,
    scheme: Scheme,
    form: InviteForm,
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    let rows: Vec<Row> = state
        .store
        .invitations_of(cycle.id)
        .await?
        .into_iter()
        .map(|inv| {
            let status = inv.status();
            Row {
                availability: inv
                    .availability
                    .split_whitespace()
                    .map(recruitment::slot_label)
                    .collect(),
                can_resend: status == InvitationStatus::Invited,
                status,
                inv,
            }
        })
        .collect();
    let counts = InvitationStatus::ALL
        .into_iter()
        .map(|s| (s.label(), rows.iter().filter(|r| r.status == s).count()))
        .collect();
    Ok(ListPage {
        ctx,
        schools: state.store.schools().await?,
        scheme,
        cycle,
        rows,
        counts,
        form,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ListPage, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    list_page(
        &state,
        ctx,
        cycle,
        scheme,
        InviteForm::default(),
        FormErrors::default(),
    )
    .await
}

/// A validated invitation: (name, email, School).
fn validate(
    form: &InviteForm,
    schools: &[School],
) -> Result<(String, String, Option<i64>), FormErrors> {
    let mut errors = FormErrors::default();
    // A person's name goes into an email header: no line breaks or other control characters.
    let name = PersonName::parse(&form.name)
        .map_err(|e| errors.add("name", format!("Name {e}.")))
        .ok();
    let email = form.email.trim().to_lowercase();
    if !invitation::is_email(&email) || email.len() > 254 {
        errors.add(
            "email",
            "Enter the email address the invitation goes to, like name@university.ac.uk.",
        );
    }
    let school_id = match form.school_id.trim() {
        "" => None,
        s => match s
            .parse::<i64>()
            .ok()
            .filter(|id| schools.iter().any(|x| x.id == *id))
        {
            Some(id) => Some(id),
            None => {
                errors.add("school_id", "Choose a School from the list, or none.");
                None
            }
        },
    };
    match name {
        Some(n) if errors.is_empty() => Ok((n.as_str().to_string(), email, school_id)),
        _ => Err(errors),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<InviteForm>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let schools = state.store.schools().await?;
    let (name, email, school_id) = match validate(&form, &schools) {
        Ok(v) => v,
        Err(errors) => {
            let page = list_page(&state, ctx, cycle, scheme, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let created = state
        .store
        .create_invitation(NewInvitation {
            cycle_id: id,
            email: &email,
            name: &name,
            school_id,
            invited_by: Some(user.id()),
            expires_at: flipside_store::now() + Duration::days(VALID_DAYS),
        })
        .await;
    let (inv_id, token) = match created {
        Ok(v) => v,
        Err(StoreError::Conflict(m)) => {
            let mut errors = FormErrors::default();
            errors.add("email", format!("{}{}.", m[..1].to_uppercase(), &m[1..]));
            let page = list_page(&state, ctx, cycle, scheme, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let inv = state.store.invitation(inv_id).await?;
    send_link(
        &state,
        &inv,
        &scheme,
        &cycle,
        &token,
        1,
        &user.user.display_name,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/invitations"),
        &format!("Invitation sent to {name} ({email})."),
    ))
}

pub async fn resend(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, inv_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let inv = state.store.invitation(inv_id).await?;
    if inv.cycle_id != id {
        return Err(AppError::NotFound);
    }
    let expires = flipside_store::now() + Duration::days(VALID_DAYS);
    match state.store.resend_invitation(inv_id, expires).await {
        Ok((token, send)) => {
            let inv = state.store.invitation(inv_id).await?;
            send_link(
                &state,
                &inv,
                &scheme,
                &cycle,
                &token,
                send,
                &user.user.display_name,
            )
            .await?;
            Ok(redirect_with_flash(
                &format!("/cycles/{id}/invitations"),
                &format!(
                    "A new link was sent to {}; the earlier link no longer works.",
                    inv.email
                ),
            ))
        }
        Err(StoreError::Conflict(m)) => Ok(redirect_with_flash(
            &format!("/cycles/{id}/invitations"),
            &format!("Not sent: {m}."),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The answer form as typed (availability repeats its field name).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    pub interests: String,
    #[serde(default)]
    pub availability: Vec<String>,
    #[serde(default)]
    pub reason: String,
    /// Consent to research use of survey answers, ticked or not.
    #[serde(default)]
    pub research: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/answer.html")]
pub struct AnswerPage {
    ctx: PageCtx,
    token: String,
    inv: Invitation,
    scheme: Scheme,
    cycle: Cycle,
    /// Why the link cannot be used, instead of the forms.
    refused: Option<String>,
    days: Vec<DayChoices>,
    form: AnswerForm,
    errors: FormErrors,
}

fn days(chosen: &[String]) -> Vec<DayChoices> {
    WEEKDAYS
        .iter()
        .map(|(d, day)| DayChoices {
            day,
            slots: TIMES_OF_DAY
                .iter()
                .map(|(t, time)| {
                    let value = format!("{d}-{t}");
                    Choice {
                        checked: chosen.contains(&value),
                        value,
                        label: (*time).into(),
                        hint: String::new(),
                    }
                })
                .collect(),
        })
        .collect()
}

async fn answer_page(
    state: &AppState,
    ctx: PageCtx,
    token: &str,
    form: AnswerForm,
    errors: FormErrors,
) -> Result<(StatusCode, AnswerPage), AppError> {
    let found = state.store.invitation_by_token(token).await;
    allow(policy::answer_invitation(found.is_ok())).map_err(|_| AppError::NotFound)?;
    let inv = found?;
    let cycle = state.store.cycle(inv.cycle_id).await?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let refused = invitation::usable(inv.status())
        .err()
        .map(|e| e.to_string());
    let status = if refused.is_some() {
        StatusCode::GONE
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        AnswerPage {
            ctx,
            token: token.to_string(),
            days: days(&form.availability),
            inv,
            scheme,
            cycle,
            refused,
            form,
            errors,
        },
    ))
}

pub async fn show_answer(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    Ok(answer_page(
        &state,
        ctx,
        &token,
        AnswerForm::default(),
        FormErrors::default(),
    )
    .await?
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "invitations/thanks.html")]
pub struct ThanksPage {
    ctx: PageCtx,
}

/// Where an answered link leads: the flash message says what was recorded.
pub async fn thanks(ctx: PageCtx) -> ThanksPage {
    ThanksPage { ctx }
}

pub async fn accept(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form: AnswerForm = serde_html_form::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
    let mut errors = FormErrors::default();
    let interests = recruitment::parse_interests(&form.interests).join(", ");
    if interests.is_empty() {
        errors.add(
            "interests",
            "Enter at least one interest, so that we can find you a mentor who shares it.",
        );
    } else if interests.chars().count() > 500 {
        errors.add(
            "interests",
            "Interests are too long: at most 500 characters.",
        );
    }
    let mut slots: Vec<&str> = Vec::new();
    for s in &form.availability {
        if !recruitment::is_slot(s) {
            errors.add("availability", "Choose times from the grid.");
        } else if !slots.contains(&s.as_str()) {
            slots.push(s);
        }
    }
    if slots.is_empty() {
        errors.add(
            "availability",
            "Choose at least one time when you could usually meet.",
        );
    }
    let (status, page) = answer_page(&state, ctx, &token, form.clone(), errors).await?;
    if status != StatusCode::OK {
        return Ok((status, page).into_response());
    }
    match accept_and_send_password_link(
        &state,
        &token,
        &interests,
        &slots.join(" "),
        form.research.is_some(),
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(
            "/invitations/answered",
            &format!(
                "Thank you for accepting: you are a staff mentee in {} {}. The coordinator will email you when you are paired with a student mentor.",
                page.scheme.name,
                page.cycle.year()
            ),
        )),
        Err(AppError::Conflict(_)) => {
            let (status, page) =
                answer_page(&state, page.ctx, &token, form, FormErrors::default()).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Accepts an invitation and, when the person has no password and the organisation has no
/// single sign-on, queues a link to choose one, in the same transaction: without it an
/// invited leader could never sign in to see their pair.
async fn accept_and_send_password_link(
    state: &AppState,
    token: &str,
    interests: &str,
    availability: &str,
    research_consent: bool,
) -> Result<i64, AppError> {
    let mut tx = state.store.begin().await?;
    let user_id = tx
        .accept_invitation(token, interests, availability, research_consent)
        .await?;
    let user = tx.user(user_id).await?;
    if user.password_hash.is_none() && state.oidc.is_none() && !user.disabled {
        queue_set_password_link(
            &mut tx,
            state,
            &user,
            SetPasswordReason::InvitationAccepted,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(user_id)
}

pub async fn decline(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let form: AnswerForm = serde_html_form::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("The form could not be read.".into()))?;
    let mut errors = FormErrors::default();
    let reason = BoundedText::parse(&form.reason, 1000)
        .map_err(|e| {
            errors.add(
                "reason",
                format!("Your reason {e}: say briefly why you decline."),
            )
        })
        .ok();
    let (status, page) = answer_page(&state, ctx, &token, form.clone(), errors).await?;
    let Some(reason) = reason.filter(|_| status == StatusCode::OK) else {
        return Ok((status, page).into_response());
    };
    match state
        .store
        .decline_invitation(&token, reason.as_str())
        .await
    {
        Ok(()) => Ok(redirect_with_flash(
            "/invitations/answered",
            "Thank you: your answer has been recorded and the coordinator will see your reason. The link can no longer be used.",
        )),
        Err(StoreError::Conflict(_)) => {
            let (status, page) =
                answer_page(&state, page.ctx, &token, form, FormErrors::default()).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
