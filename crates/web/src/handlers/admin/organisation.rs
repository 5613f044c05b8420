//! The organisation (admins): settings, faculties and Schools, identity labels.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::local_time::Zone;
use flipside_core::policy::{self, Action};
use flipside_core::progress::StaleWeeks;
use flipside_core::scheme::BoundedText;
use flipside_store::{Faculty, IdentityLabel, NewAuditEntry, Organisation, School, StoreError, Tx};
use serde::Deserialize;

/// The smallest minimum cell the form accepts (see the constant in `flipside_core`).
const MIN_CELL_FLOOR: i64 = flipside_core::disclosure::INTERNAL_MIN_COUNT_FLOOR as i64;

#[derive(Template, WebTemplate)]
#[template(path = "admin/organisation.html")]
pub struct OrganisationPage {
    ctx: PageCtx,
    org: Organisation,
    faculties: Vec<(Faculty, Vec<School>)>,
    labels: Vec<IdentityLabel>,
    errors: FormErrors,
    settings: SettingsForm,
    /// Whether people may sign in by a link sent to their email.
    email_sign_in: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub min_cell: String,
    #[serde(default)]
    pub disclosure_preset: String,
    #[serde(default)]
    pub hours_target: String,
    #[serde(default)]
    pub time_zone: String,
    /// Weeks without a meeting before a pair is listed as not meeting. A form without the
    /// field (an older page) leaves the setting as it is.
    #[serde(default)]
    pub stale_pair_weeks: Option<String>,
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    errors: FormErrors,
    settings: Option<SettingsForm>,
) -> Result<OrganisationPage, AppError> {
    let org = state.organisation().await?.ok_or(AppError::NotFound)?;
    let schools = state.store.schools().await?;
    let faculties = state
        .store
        .faculties()
        .await?
        .into_iter()
        .map(|f| {
            let mine = schools
                .iter()
                .filter(|s| s.faculty_id == f.id)
                .cloned()
                .collect();
            (f, mine)
        })
        .collect();
    let settings = settings.unwrap_or_else(|| SettingsForm {
        name: org.name.clone(),
        min_cell: org.min_cell.to_string(),
        disclosure_preset: org.disclosure_preset.clone(),
        hours_target: org.hours_target.to_string(),
        time_zone: org.time_zone.clone(),
        stale_pair_weeks: Some(org.stale_pair_weeks.to_string()),
    });
    Ok(OrganisationPage {
        ctx,
        org,
        faculties,
        labels: state.store.identity_labels().await?,
        errors,
        settings,
        email_sign_in: state.store.email_sign_in_allowed().await?,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<OrganisationPage, AppError> {
    allow(policy::organisation(&user.actor, Action::Edit))?;
    page(&state, ctx, FormErrors::default(), None).await
}

/// Checks and saves the organisation's settings with their audit entry, in one transaction
/// (the page and the API both save through here); the errors by field when a value breaks a
/// rule, and then nothing is saved.
pub async fn save_settings(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    form: &SettingsForm,
) -> Result<Result<(), FormErrors>, AppError> {
    let mut errors = FormErrors::default();
    let name =
        BoundedText::parse(&form.name, 200).map_err(|e| errors.add("name", format!("Name {e}.")));
    let min_cell = form
        .min_cell
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (MIN_CELL_FLOOR..=100).contains(n));
    if min_cell.is_none() {
        errors.add(
            "min_cell",
            format!(
                "Enter the smallest count to show as a whole number from {MIN_CELL_FLOOR} to 100: smaller counts could identify people."
            ),
        );
    }
    if !matches!(form.disclosure_preset.as_str(), "internal" | "publication") {
        errors.add(
            "disclosure_preset",
            "Choose the internal or the publication rule.",
        );
    }
    let hours = form
        .hours_target
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=200).contains(n));
    if hours.is_none() {
        errors.add(
            "hours_target",
            "Enter the hours target as a whole number from 1 to 200.",
        );
    }
    let zone = Zone::parse(&form.time_zone).map_err(|e| errors.add("time_zone", e));
    let stale = form
        .stale_pair_weeks
        .as_deref()
        .map(StaleWeeks::parse)
        .transpose()
        .map_err(|e| errors.add("stale_pair_weeks", e));
    match (name, min_cell, hours, zone, stale) {
        (Ok(name), Some(min_cell), Some(hours), Ok(zone), Ok(stale)) if errors.is_empty() => {
            let before = state.store.organisation().await?;
            let mut tx = state.store.begin().await?;
            tx.update_organisation(name.as_str(), min_cell, &form.disclosure_preset, hours)
                .await?;
            tx.set_time_zone(zone).await?;
            if let Some(weeks) = stale {
                tx.set_stale_pair_weeks(weeks).await?;
            }
            let stale_now = match (stale, &before) {
                (Some(w), _) => i64::from(w.get()),
                (None, Some(o)) => o.stale_pair_weeks,
                (None, None) => i64::from(StaleWeeks::default().get()),
            };
            // Every change of the disclosure thresholds is on the record, with what it was.
            let was = before.map_or_else(String::new, |o| {
                format!(
                    " (was min cell {}, rule {}, hours {}, stale after {} weeks, zone {})",
                    o.min_cell,
                    o.disclosure_preset,
                    o.hours_target,
                    o.stale_pair_weeks,
                    o.time_zone
                )
            });
            tx.audit(NewAuditEntry {
                actor_id: Some(user.id()),
                action: "organisation_updated",
                subject_kind: "organisation",
                subject_id: None,
                detail: &format!(
                    "min cell {min_cell}, rule {}, hours {hours}, stale after {stale_now} weeks, zone {}{was}",
                    form.disclosure_preset,
                    zone.name()
                ),
                address,
            })
            .await?;
            tx.commit().await?;
            Ok(Ok(()))
        }
        _ => Ok(Err(errors)),
    }
}

pub async fn update_settings(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    allow(policy::organisation(&user.actor, Action::Edit))?;
    match save_settings(&state, &user, &address, &form).await? {
        Ok(()) => Ok(redirect_with_flash(
            "/admin/organisation",
            "Settings saved.",
        )),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, ctx, errors, Some(form)).await?,
        )
            .into_response()),
    }
}

#[derive(Debug, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    faculty_id: String,
    #[serde(default)]
    code: String,
}

/// The organisation page again, with the errors next to their fields (422).
async fn invalid(state: &AppState, ctx: PageCtx, errors: FormErrors) -> Result<Response, AppError> {
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(state, ctx, errors, None).await?,
    )
        .into_response())
}

/// What an "add" form did: on success it is audited and the page redirects with `done`; a
/// conflict (a duplicate name) is shown next to `field`.
struct Added<'a> {
    field: &'a str,
    action: &'a str,
    detail: &'a str,
    done: String,
}

/// Audits what `tx` added and commits both, or shows the conflict next to its field (and
/// nothing is kept).
async fn audit_or_show_conflict(
    state: &AppState,
    ctx: PageCtx,
    who: (&CurrentUser, &str),
    mut tx: Tx,
    result: Result<i64, StoreError>,
    added: Added<'_>,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => {
            tx.audit(NewAuditEntry {
                actor_id: Some(who.0.id()),
                action: added.action,
                subject_kind: "organisation",
                subject_id: None,
                detail: added.detail,
                address: who.1,
            })
            .await?;
            tx.commit().await?;
            Ok(redirect_with_flash("/admin/organisation", &added.done))
        }
        Err(StoreError::Conflict(m)) => {
            // End the transaction before the page reads: on SQLite it holds the write lock.
            drop(tx);
            let mut errors = FormErrors::default();
            errors.add(added.field, m);
            invalid(state, ctx, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add_faculty(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<NameForm>,
) -> Result<Response, AppError> {
    allow(policy::organisation(&user.actor, Action::Edit))?;
    let Ok(name) = BoundedText::parse(&form.name, 200) else {
        let mut errors = FormErrors::default();
        errors.add("faculty_name", "Enter the faculty's name.");
        return invalid(&state, ctx, errors).await;
    };
    let mut tx = state.store.begin().await?;
    let result = tx.create_faculty(name.as_str()).await;
    let added = Added {
        field: "faculty_name",
        action: "faculty_added",
        detail: name.as_str(),
        done: format!("Faculty '{}' added.", name.as_str()),
    };
    audit_or_show_conflict(&state, ctx, (&user, &address), tx, result, added).await
}

pub async fn add_school(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<NameForm>,
) -> Result<Response, AppError> {
    allow(policy::organisation(&user.actor, Action::Edit))?;
    let mut errors = FormErrors::default();
    let name = BoundedText::parse(&form.name, 200)
        .map_err(|_| errors.add("school_name", "Enter the School's name."));
    let code = BoundedText::parse(&form.code, 20).map_err(|_| errors.add("school_code", "Enter a short code for the School, as the student record system spells it (at most 20 characters)."));
    let faculties = state.store.faculties().await?;
    let faculty = form
        .faculty_id
        .parse::<i64>()
        .ok()
        .filter(|id| faculties.iter().any(|f| f.id == *id));
    if faculty.is_none() {
        errors.add("school_faculty", "Choose the School's faculty.");
    }
    let (Ok(name), Ok(code), Some(faculty)) = (name, code, faculty) else {
        return invalid(&state, ctx, errors).await;
    };
    let mut tx = state.store.begin().await?;
    let result = tx
        .create_school(faculty, name.as_str(), code.as_str())
        .await;
    let added = Added {
        field: "school_name",
        action: "school_added",
        detail: name.as_str(),
        done: format!("School '{}' added.", name.as_str()),
    };
    audit_or_show_conflict(&state, ctx, (&user, &address), tx, result, added).await
}

pub async fn add_label(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<NameForm>,
) -> Result<Response, AppError> {
    allow(policy::organisation(&user.actor, Action::Edit))?;
    let Ok(name) = BoundedText::parse(&form.name, 120) else {
        let mut errors = FormErrors::default();
        errors.add("label_name", "Enter the label as students will read it.");
        return invalid(&state, ctx, errors).await;
    };
    let mut tx = state.store.begin().await?;
    match tx
        .add_identity_label(name.as_str(), form.description.trim())
        .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict(m)) => {
            // End the transaction before the page reads: on SQLite it holds the write lock.
            drop(tx);
            let mut errors = FormErrors::default();
            errors.add("label_name", m);
            return invalid(&state, ctx, errors).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.audit(NewAuditEntry {
        actor_id: Some(user.id()),
        action: "identity_label_added",
        subject_kind: "organisation",
        subject_id: None,
        detail: name.as_str(),
        address: &address,
    })
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/admin/organisation",
        &format!("Label '{}' added.", name.as_str()),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_label_active(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<ActiveForm>,
) -> Result<Response, AppError> {
    allow(policy::organisation(&user.actor, Action::Edit))?;
    let active = form.active == "true";
    let mut tx = state.store.begin().await?;
    tx.set_identity_label_active(id, active).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(user.id()),
        action: "identity_label_changed",
        subject_kind: "organisation",
        subject_id: None,
        detail: &format!("label {id} active={active}"),
        address: &address,
    })
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/admin/organisation#labels",
        if active {
            "Label shown on forms again."
        } else {
            "Label hidden from forms; answers already given keep it."
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct EmailSignInForm {
    #[serde(default)]
    email_sign_in: Option<String>,
}

/// Switches email sign-in links on or off, audited.
pub async fn set_email_sign_in(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<EmailSignInForm>,
) -> Result<Response, AppError> {
    allow(policy::organisation(&user.actor, Action::Edit))?;
    let on = form.email_sign_in.is_some();
    let mut tx = state.store.begin().await?;
    tx.set_email_sign_in(on).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(user.id()),
        action: "email_sign_in_set",
        subject_kind: "organisation",
        subject_id: None,
        detail: if on { "on" } else { "off" },
        address: &address,
    })
    .await?;
    tx.commit().await?;
    Ok(redirect_with_flash(
        "/admin/organisation",
        if on {
            "People can now ask for a sign-in link by email."
        } else {
            "Sign-in links by email are off."
        },
    ))
}
