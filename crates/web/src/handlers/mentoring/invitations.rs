//! Staff invitations (SPEC §3.2): the coordinator invites a staff leader by email to a cycle
//! and sees every invitation's state; the invitee answers through a single-use, expiring link
//! that works without signing in (the link's token is the credential).
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::confirm::ConfirmPage;
use crate::handlers::mentoring::recruitment::apply::{Choice, DayChoices};
use crate::operations;
use crate::operations::cycles::Actor;
use crate::operations::invitations::Inviter;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use flipside_core::email::Email;
use flipside_core::invitation::{self, InvitationStatus, VALID_DAYS};
use flipside_core::policy;
use flipside_core::recruitment::{self, TIMES_OF_DAY, WEEKDAYS};
use flipside_core::text::{BoundedText, NAME_MAX};
use flipside_store::{Cycle, Invitation, NewInvitation, Scheme, School, StoreError};
use serde::Deserialize;

/// A message with its first letter in capitals, counting letters, not bytes (an address may
/// begin with `é`).
fn capitalised(m: &str) -> String {
    let mut chars = m.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One invitation as the coordinator's list shows it.
pub struct Row {
    pub inv: Invitation,
    pub status: InvitationStatus,
    pub availability: Vec<String>,
    pub can_resend: bool,
    pub can_cancel: bool,
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
    /// The pasted list of leaders, as typed (`name, email` a line).
    people: String,
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

pub(crate) async fn managed_cycle(
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
    list_page_with(state, ctx, (cycle, scheme), form, String::new(), errors).await
}

async fn list_page_with(
    state: &AppState,
    ctx: PageCtx,
    (cycle, scheme): (Cycle, Scheme),
    form: InviteForm,
    people: String,
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
                can_cancel: status.can_cancel(),
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
        people,
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
pub(crate) fn validate(
    form: &InviteForm,
    schools: &[School],
) -> Result<(String, String, Option<i64>), FormErrors> {
    let mut errors = FormErrors::default();
    let name = BoundedText::line(&form.name, NAME_MAX)
        .map_err(|e| errors.add("name", e.for_field("Name")))
        .ok();
    let email = Email::parse(&form.email)
        .map_err(|_| {
            errors.add(
                "email",
                "Enter the email address the invitation goes to, like name@university.ac.uk.",
            )
        })
        .ok();
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
        Some(n) if errors.is_empty() => Ok((
            n.into_string(),
            email.map(Email::into_string).unwrap_or_default(),
            school_id,
        )),
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
    let created = operations::invitations::invite(
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
    .await;
    match created {
        Ok(_) => {}
        Err(AppError::Conflict(m)) => {
            let mut errors = FormErrors::default();
            errors.add("email", format!("{}.", capitalised(&m)));
            let page = list_page(&state, ctx, cycle, scheme, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        Err(e) => return Err(e),
    }
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
    let from = Inviter {
        name: &user.user.display_name,
    };
    match operations::invitations::resend(&state, from, &cycle, &scheme, inv_id, expires).await {
        Ok(inv) => Ok(redirect_with_flash(
            &format!("/cycles/{id}/invitations"),
            &format!(
                "A new link was sent to {}; the earlier link no longer works.",
                inv.email
            ),
        )),
        Err(AppError::Conflict(m)) => Ok(redirect_with_flash(
            &format!("/cycles/{id}/invitations"),
            &format!("Not sent: {m}."),
        )),
        Err(e) => Err(e),
    }
}

/// The invitation `inv_id` of cycle `id`, if the actor manages the cycle's invitations.
pub(crate) async fn managed_invitation(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    inv_id: i64,
) -> Result<(Cycle, Scheme, Invitation), AppError> {
    let (cycle, scheme) = managed_cycle(state, user, id).await?;
    let inv = state.store.invitation(inv_id).await?;
    if inv.cycle_id != id {
        return Err(AppError::NotFound);
    }
    Ok((cycle, scheme, inv))
}

/// Asks before cancelling an invitation, saying what cancelling does.
pub async fn cancel_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, inv_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (cycle, scheme, inv) = managed_invitation(&state, &user, id, inv_id).await?;
    let status = inv.status();
    Ok(ConfirmPage {
        ctx,
        title: format!("Cancel the invitation to {}?", inv.name),
        back_href: format!("/cycles/{id}/invitations"),
        back_label: format!("Staff invitations: {} {}", scheme.name, cycle.year()),
        effects: vec![
            format!(
                "The link sent to {} stops working at once: whoever opens it reads that the invitation was cancelled.",
                inv.email
            ),
            "No one is emailed: tell them yourself if they are expecting it.".into(),
            "This cannot be undone.".into(),
        ],
        action: format!("/cycles/{id}/invitations/{inv_id}/cancel"),
        hidden: vec![],
        button: "Cancel the invitation".into(),
        refused: (!status.can_cancel()).then(|| {
            format!(
                "This invitation cannot be cancelled: it is {}.",
                status.label().to_lowercase()
            )
        }),
    }
    .into_response())
}

pub async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, inv_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let (_, _, inv) = managed_invitation(&state, &user, id, inv_id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    let to = format!("/cycles/{id}/invitations");
    match operations::invitations::cancel(&state, actor, inv_id).await {
        Ok(()) => Ok(redirect_with_flash(
            &to,
            &format!(
                "The invitation to {} is cancelled: its link no longer works.",
                inv.name
            ),
        )),
        Err(AppError::Conflict(m)) => Ok(redirect_with_flash(&to, &format!("Not cancelled: {m}."))),
        Err(e) => Err(e),
    }
}

/// A pasted list of leaders, and whether the coordinator has seen the confirmation page.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListForm {
    #[serde(default)]
    pub people: String,
    /// Set by the confirmation page's button.
    #[serde(default)]
    pub confirmed: Option<String>,
}

/// Invites a pasted list of leaders: every line is checked (an error names its line, and
/// nothing is sent); a valid list is shown on a confirmation page that says whom it emails;
/// confirmed, everyone is invited in one transaction.
pub async fn invite_list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<ListForm>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed_cycle(&state, &user, id).await?;
    let already: Vec<String> = state
        .store
        .invitations_of(id)
        .await?
        .into_iter()
        .map(|i| i.email)
        .collect();
    let refuse = |message: String| {
        let mut errors = FormErrors::default();
        errors.add("people", message);
        errors
    };
    let invitees = match invitation::parse_invitee_list(&form.people, &already) {
        Ok(v) => v,
        Err(lines) => {
            let listed: Vec<String> = lines.iter().map(ToString::to_string).collect();
            let errors = refuse(format!(
                "Nobody was invited: correct the list and check it again. {}",
                listed.join(" ")
            ));
            let page = list_page_with(
                &state,
                ctx,
                (cycle, scheme),
                InviteForm::default(),
                form.people,
                errors,
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let n = invitees.len();
    let people = if n == 1 { "person" } else { "people" };
    if form.confirmed.as_deref() != Some("yes") {
        let mut effects = vec![format!(
            "This emails {n} {people}, each with a link of their own that works once and expires after {VALID_DAYS} days:"
        )];
        effects.extend(invitees.iter().map(|i| format!("{} ({})", i.name, i.email)));
        return Ok(ConfirmPage {
            ctx,
            title: format!(
                "Invite {n} staff {}?",
                if n == 1 { "leader" } else { "leaders" }
            ),
            back_href: format!("/cycles/{id}/invitations"),
            back_label: format!("Staff invitations: {} {}", scheme.name, cycle.year()),
            effects,
            action: format!("/cycles/{id}/invitations/list"),
            hidden: vec![
                ("people".into(), form.people.clone()),
                ("confirmed".into(), "yes".into()),
            ],
            button: format!("Send {n} invitation{}", if n == 1 { "" } else { "s" }),
            refused: None,
        }
        .into_response());
    }
    let from = Inviter {
        name: &user.user.display_name,
    };
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    let expires = flipside_store::now() + Duration::days(VALID_DAYS);
    match operations::invitations::invite_many(
        &state,
        from,
        actor,
        (&scheme, &cycle),
        &invitees,
        expires,
    )
    .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/cycles/{id}/invitations"),
            &format!("{n} invitation{} sent.", if n == 1 { "" } else { "s" }),
        )),
        // Someone on the list was invited between the check and the transaction.
        Err(AppError::Conflict(m)) => {
            let errors = refuse(format!("Nobody was invited: {m}."));
            let page = list_page_with(
                &state,
                ctx,
                (cycle, scheme),
                InviteForm::default(),
                form.people,
                errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
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
    /// Consent to the use of anonymised quotes from a reflective chat, ticked or not.
    #[serde(default)]
    pub quotes: Option<String>,
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
    // Only an unknown (or replaced) link is "not found": a database error is an error.
    let inv = match state.store.invitation_by_token(token).await {
        Ok(inv) => inv,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    };
    allow(policy::answer_invitation(true)).map_err(|_| AppError::NotFound)?;
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
    ClientAddress(address): ClientAddress,
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
    match operations::invitations::accept(
        &state,
        &token,
        &interests,
        &slots.join(" "),
        form.research.is_some(),
        form.quotes.is_some(),
        &address,
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
        Err(e) => Err(e),
    }
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

#[cfg(test)]
mod tests {
    use super::capitalised;

    #[test]
    fn capitalising_counts_letters_not_bytes() {
        assert_eq!(
            capitalised("éloise@tu.test is taken"),
            "Éloise@tu.test is taken"
        );
        assert_eq!(capitalised("ß"), "SS");
        assert_eq!(capitalised(""), "");
    }
}
