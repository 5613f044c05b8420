//! What tutoring students do for themselves (SPEC §3.10): keep a profile and choose what their
//! tutor sees, and ask for a change of tutor, which the School lead decides.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::{self, cycles::Actor, tutoring::Decision};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::cycle::AcademicYear;
use flipside_core::policy::{self, Action, TuteeRef, TutoringSelf};
use flipside_core::scheme::BoundedText;
use flipside_core::tutoring::ChangeRequestStatus;
use flipside_store::{ChangeRequest, TutorCapacity, TutoringPerson, TutoringProfile};
use serde::Deserialize;

/// The academic year today (the organisation's date) falls in.
async fn this_year(state: &AppState) -> Result<AcademicYear, AppError> {
    Ok(AcademicYear::containing(state.today().await?))
}

fn year_key(y: AcademicYear) -> i64 {
    i64::from(y.start_year())
}

/// The signed-in person as a tutoring student, if a student record is linked to them.
async fn me_as_student(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Option<TutoringPerson>, AppError> {
    Ok(state.store.tutoring_student_of(user.id()).await?)
}

/// Who the signed-in person is as a tutoring student, as the policy takes it.
fn as_tutee(me: &Option<TutoringPerson>) -> TutoringSelf {
    TutoringSelf {
        tutor_id: None,
        student_id: me.as_ref().map(|s| s.id),
    }
}

const PROFILE_MAX: usize = 2000;

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/profile.html")]
pub struct ProfilePage {
    ctx: PageCtx,
    student: TutoringPerson,
    tutor: Option<TutoringPerson>,
    year: AcademicYear,
    profile: TutoringProfile,
    errors: FormErrors,
}

pub async fn profile(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<ProfilePage, AppError> {
    let me = me_as_student(&state, &user).await?;
    allow(policy::own_tutoring_profile(as_tutee(&me)))?;
    let student = me.ok_or(AppError::Forbidden)?;
    let year = this_year(&state).await?;
    Ok(ProfilePage {
        ctx,
        tutor: state
            .store
            .tutor_of_record(student.id, year_key(year))
            .await?,
        profile: state.store.tutoring_profile(student.id).await?,
        student,
        year,
        errors: FormErrors::default(),
    })
}

/// The profile form; a checkbox is sent only when ticked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub goals_shared: Option<String>,
    #[serde(default)]
    pub success: String,
    #[serde(default)]
    pub success_shared: Option<String>,
    #[serde(default)]
    pub tutor_note: String,
    #[serde(default)]
    pub tutor_note_shared: Option<String>,
}

fn optional_text(errors: &mut FormErrors, field: &str, what: &str, value: &str) -> String {
    let len = value.trim().chars().count();
    if len > PROFILE_MAX {
        errors.add(
            field,
            format!("{what} is too long: at most {PROFILE_MAX} characters, this has {len}."),
        );
    }
    value.trim().to_string()
}

pub async fn save_profile(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    let me = me_as_student(&state, &user).await?;
    allow(policy::own_tutoring_profile(as_tutee(&me)))?;
    let student = me.ok_or(AppError::Forbidden)?;
    let (profile, errors) = match checked_profile(&form) {
        Ok(p) => (p, FormErrors::default()),
        Err((p, e)) => (p, e),
    };
    if !errors.is_empty() {
        let year = this_year(&state).await?;
        let page = ProfilePage {
            ctx,
            tutor: state
                .store
                .tutor_of_record(student.id, year_key(year))
                .await?,
            profile,
            student,
            year,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state
        .store
        .save_tutoring_profile(student.id, &profile)
        .await?;
    Ok(redirect_with_flash(
        "/tutoring/profile",
        "Your profile was saved.",
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/tutor_view.html")]
pub struct TutorViewPage {
    ctx: PageCtx,
    student: TutoringPerson,
    profile: TutoringProfile,
}

/// A tutee's profile as their tutor of record this year sees it: the shared fields only.
pub async fn tutor_view(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<TutorViewPage, AppError> {
    let student = state.store.tutoring_student(id).await?;
    let me = state.store.tutoring_self(user.id()).await?;
    // The tutor's view: only what the student chose to share, even for the student.
    let profile = profile_as_seen(
        readable_profile(&state, &user, me, &address, &student).await?,
        false,
    );
    Ok(TutorViewPage {
        ctx,
        student,
        profile,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/change.html")]
pub struct ChangePage {
    ctx: PageCtx,
    year: AcademicYear,
    tutor: Option<TutoringPerson>,
    requests: Vec<ChangeRequest>,
    has_pending: bool,
    reason: String,
    errors: FormErrors,
}

async fn change_page_for(
    state: &AppState,
    ctx: PageCtx,
    student: &TutoringPerson,
    reason: String,
    errors: FormErrors,
) -> Result<ChangePage, AppError> {
    let year = this_year(state).await?;
    let requests = state.store.change_requests_of(student.id).await?;
    Ok(ChangePage {
        ctx,
        tutor: state
            .store
            .tutor_of_record(student.id, year_key(year))
            .await?,
        has_pending: requests
            .iter()
            .any(|r| r.status.get() == ChangeRequestStatus::Pending),
        requests,
        year,
        reason,
        errors,
    })
}

pub async fn change_page(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<ChangePage, AppError> {
    let me = me_as_student(&state, &user).await?;
    let student = me.ok_or(AppError::Forbidden)?;
    allow(policy::request_tutor_change(
        as_tutee(&Some(student.clone())),
        student.id,
    ))?;
    change_page_for(&state, ctx, &student, String::new(), FormErrors::default()).await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub reason: String,
}

pub async fn request_change(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let me = me_as_student(&state, &user).await?;
    let student = me.ok_or(AppError::Forbidden)?;
    allow(policy::request_tutor_change(
        as_tutee(&Some(student.clone())),
        student.id,
    ))?;
    let year = this_year(&state).await?;
    let mut errors = FormErrors::default();
    let tutor = state
        .store
        .tutor_of_record(student.id, year_key(year))
        .await?;
    let reason = BoundedText::parse(&form.reason, 2000)
        .map_err(|e| errors.add("reason", format!("The reason {e}.")))
        .ok();
    if tutor.is_none() {
        errors.add(
            "reason",
            format!("You have no personal tutor for {year} yet, so there is no tutor to change."),
        );
    }
    let result = match (tutor, reason) {
        (Some(t), Some(r)) if errors.is_empty() => operations::tutoring::request_change(
            &state,
            Actor::of(&user, &address),
            student.id,
            year,
            t.id,
            r.as_str(),
        )
        .await
        .map(|_| ()),
        // Refused by the checks above: shown with their errors, nothing written.
        _ => Err(AppError::Conflict(String::new())),
    };
    match result {
        Ok(()) => Ok(redirect_with_flash(
            "/tutoring/change-request",
            "Your request was sent to your School's lead for student support.",
        )),
        Err(AppError::Conflict(m)) => {
            if !m.is_empty() {
                errors.add("reason", m);
            }
            let page = change_page_for(&state, ctx, &student, form.reason, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/change_requests.html")]
pub struct QueuePage {
    ctx: PageCtx,
    requests: Vec<QueueRow>,
    errors: FormErrors,
}

/// A pending request with the tutors it could move to.
pub struct QueueRow {
    request: ChangeRequest,
    tutors: Vec<TutorCapacity>,
    errors: FormErrors,
    kept_reason: String,
}

async fn queue(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    failed: Option<(i64, FormErrors, String)>,
) -> Result<QueuePage, AppError> {
    allow(policy::tutor_change_queue(&user.actor))?;
    let mut requests = Vec::new();
    let mut all_errors = FormErrors::default();
    for r in state.store.pending_change_requests().await? {
        if !policy::decide_tutor_change(&user.actor, r.school_id) {
            continue;
        }
        let tutors = state
            .store
            .school_tutor_capacities(r.school_id, r.academic_year)
            .await?
            .into_iter()
            .filter(|t| t.id != r.from_tutor_id)
            .collect();
        let (errors, kept_reason) = match &failed {
            Some((id, e, k)) if *id == r.id => {
                for (f, m) in e.iter() {
                    all_errors.add(f, m.clone());
                }
                (e.clone(), k.clone())
            }
            _ => (FormErrors::default(), String::new()),
        };
        requests.push(QueueRow {
            request: r,
            tutors,
            errors,
            kept_reason,
        });
    }
    Ok(QueuePage {
        ctx,
        requests,
        errors: all_errors,
    })
}

pub async fn pending(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<QueuePage, AppError> {
    queue(&state, ctx, &user, None).await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub tutor_id: String,
    #[serde(default)]
    pub reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<DecideForm>,
) -> Result<Response, AppError> {
    let request = state.store.change_request(id).await?;
    allow(policy::decide_tutor_change(&user.actor, request.school_id))?;
    if request.status.get() != ChangeRequestStatus::Pending {
        return Err(AppError::Conflict(
            "This request has already been decided.".into(),
        ));
    }
    let tutors = state
        .store
        .school_tutor_capacities(request.school_id, request.academic_year)
        .await?;
    let student = state.store.tutoring_student(request.student_id).await?;
    let (approve, tutor_name, tutor_id) =
        match check_decision(&form, &request, &tutors, |f| format!("{f}-{id}")) {
            Ok(d) => d,
            Err(errors) => {
                let page = queue(&state, ctx, &user, Some((id, errors, form.reason))).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        };
    let decision = if approve {
        Decision::Approve {
            tutor_id,
            tutor_name: &tutor_name,
        }
    } else {
        Decision::Decline {
            reason: form.reason.trim(),
        }
    };
    operations::tutoring::decide_change_request(
        &state,
        Actor::of(&user, &address),
        &request,
        &student,
        decision,
    )
    .await?;
    let flash = if approve {
        format!(
            "Approved: {} now has {tutor_name} as personal tutor.",
            student.name
        )
    } else {
        format!("Declined the request from {}.", student.name)
    };
    Ok(redirect_with_flash("/tutoring/change-requests", &flash))
}

/// Checks a decision on a pending request (the queue page and the API): approving needs a
/// tutor of the request's School, other than the current one, with room that year; declining
/// needs a reason. Answers (approved, the new tutor's name, their id), or each error under the
/// field name `key` gives (`outcome`, `tutor_id`, `reason`).
pub fn check_decision(
    form: &DecideForm,
    request: &ChangeRequest,
    tutors: &[TutorCapacity],
    key: impl Fn(&str) -> String,
) -> Result<(bool, String, i64), FormErrors> {
    let mut errors = FormErrors::default();
    let year = AcademicYear::from_start_year(request.academic_year as i32);
    let outcome = match form.outcome.as_str() {
        "approve" => {
            let chosen = form
                .tutor_id
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|t| tutors.iter().find(|x| x.id == t));
            match chosen {
                None => errors.add(
                    &key("tutor_id"),
                    "Choose the new tutor from the School's tutors.",
                ),
                Some(t) if t.id == request.from_tutor_id => errors.add(
                    &key("tutor_id"),
                    format!("{} is already the student's tutor.", t.name),
                ),
                Some(t) if !t.has_room() => errors.add(
                    &key("tutor_id"),
                    format!(
                        "{} has no room: {} of {} places are taken in {year}. Choose another tutor.",
                        t.name, t.assigned, t.capacity
                    ),
                ),
                Some(_) => {}
            }
            chosen.map(|t| (true, t.name.clone(), t.id))
        }
        "decline" => {
            if BoundedText::parse(&form.reason, 2000).is_err() {
                errors.add(
                    &key("reason"),
                    "Give the student a reason for declining (at most 2000 characters).",
                );
            }
            Some((false, String::new(), 0))
        }
        _ => {
            errors.add(
                &key("outcome"),
                "Choose whether to approve or decline the request.",
            );
            None
        }
    };
    match outcome {
        Some(d) if errors.is_empty() => Ok(d),
        _ => Err(errors),
    }
}

/// Checks a profile as sent (the profile page and the API): each text at most 2000
/// characters, trimmed; a checkbox ticked shares that field with the tutor. On error, the
/// profile as typed (to show again) and each field's error.
pub fn checked_profile(
    form: &ProfileForm,
) -> Result<TutoringProfile, (TutoringProfile, FormErrors)> {
    let mut errors = FormErrors::default();
    let profile = TutoringProfile {
        goals: optional_text(&mut errors, "goals", "Your goals", &form.goals),
        goals_shared: form.goals_shared.is_some(),
        success: optional_text(
            &mut errors,
            "success",
            "What success means to you",
            &form.success,
        ),
        success_shared: form.success_shared.is_some(),
        tutor_note: optional_text(
            &mut errors,
            "tutor_note",
            "What you want your tutor to know",
            &form.tutor_note,
        ),
        tutor_note_shared: form.tutor_note_shared.is_some(),
    };
    if errors.is_empty() {
        Ok(profile)
    } else {
        Err((profile, errors))
    }
}

/// What of a profile its reader sees: the student everything; their tutor of record only the
/// fields the student chose to share (the others empty).
pub fn profile_as_seen(full: TutoringProfile, by_the_student: bool) -> TutoringProfile {
    if by_the_student {
        return full;
    }
    TutoringProfile {
        goals: if full.goals_shared {
            full.goals
        } else {
            String::new()
        },
        goals_shared: full.goals_shared,
        success: if full.success_shared {
            full.success
        } else {
            String::new()
        },
        success_shared: full.success_shared,
        tutor_note: if full.tutor_note_shared {
            full.tutor_note
        } else {
            String::new()
        },
        tutor_note_shared: full.tutor_note_shared,
    }
}

/// A student's profile for `user`, who the policy lets read it: the tutor of record's read of
/// shared fields is audited (before anything is shown). Refused to anyone else.
pub async fn readable_profile(
    state: &AppState,
    user: &CurrentUser,
    me: TutoringSelf,
    address: &str,
    student: &TutoringPerson,
) -> Result<TutoringProfile, AppError> {
    let tutor = state
        .store
        .tutor_of_record(student.id, year_key(this_year(state).await?))
        .await?;
    let tutee = TuteeRef {
        student_id: student.id,
        tutor_of_record: tutor.map(|t| t.id),
    };
    allow(policy::student_profile(me, tutee, Action::View))?;
    let full = state.store.tutoring_profile(student.id).await?;
    let by_the_student = me.student_id == Some(student.id);
    if !by_the_student && (full.goals_shared || full.success_shared || full.tutor_note_shared) {
        crate::handlers::audit_read(
            state,
            user,
            address,
            "tutoring_profile_read",
            ("tutoring_student", student.id),
            "the fields of the profile the student shared with their tutor",
        )
        .await?;
    }
    Ok(profile_as_seen(full, by_the_student))
}
