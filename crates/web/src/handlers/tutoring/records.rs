//! Personal tutoring for tutors and students (SPEC §3.10): a tutor's tutees and those without
//! a contact by their School's date, a student's record with their tutor in every year, and
//! contacts (logged by the tutor or the student; the note is theirs alone).
//!
//! Tutoring records are not linked to accounts: a signed-in person is a tutor or student when
//! a record is linked to their account ([`crate::operations::tutoring::tutoring_self`]).
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::tutoring::allocation::current_year;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use flipside_core::cycle::AcademicYear;
use flipside_core::policy::{self, TuteeRef, TutoringSelf};
use flipside_core::tutoring::{self, ContactInput, INITIATORS, MODES};
use flipside_store::{Contact, NewContact, StoreError, StudentRecord, Tutee, TutorHistoryRow};
use serde::Deserialize;
use std::sync::{Arc, OnceLock};

async fn me(state: &AppState, user: &CurrentUser) -> Result<TutoringSelf, AppError> {
    // A page learnt it with the session.
    if let Some(me) = crate::request_memo::tutoring_self(user.id()) {
        return Ok(me);
    }
    Ok(state.store.tutoring_self(user.id()).await?)
}

/// A tutee listed with their School's no-contact-by date.
pub struct TuteeRow {
    pub tutee: Tutee,
    pub no_contact_by: NaiveDate,
    /// No contact on or before that date, and the date has passed.
    pub overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/tutees.html")]
pub struct TuteesPage {
    ctx: PageCtx,
    year: AcademicYear,
    tutees: Arc<TuteesTable>,
}

/// A tutor's tutees in a year as their page lists them: the same on every request until a
/// contact, an assignment or a School's rules change or the day turns, so rendered once and
/// kept ([`crate::state::Inner::tutees`]); copying and writing out every row on each request
/// was most of the page's time (issue 15).
pub struct TuteesTable {
    year: AcademicYear,
    rows: Vec<TuteeRow>,
    rendered: OnceLock<String>,
}

#[derive(Template)]
#[template(path = "tutoring/tutees_table.html")]
struct TuteesHtml<'a> {
    t: &'a TuteesTable,
}

impl TuteesHtml<'_> {
    fn overdue(&self) -> Vec<&TuteeRow> {
        self.t.rows.iter().filter(|r| r.overdue).collect()
    }
}

impl TuteesTable {
    /// Each tutee with their School's no-contact-by date, in the page's order.
    pub fn rows(&self) -> &[TuteeRow] {
        &self.rows
    }

    /// How many tutees, and how many of them missed their School's no-contact-by date.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.rows.len(),
            self.rows.iter().filter(|r| r.overdue).count(),
        )
    }

    pub fn html(&self) -> Result<&str, askama::Error> {
        crate::page::rendered_once(&self.rendered, || TuteesHtml { t: self }.render())
    }
}

pub async fn tutees(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<TuteesPage, AppError> {
    let me = me(&state, &user).await?;
    allow(policy::tutees(me))?;
    let tutor_id = me.tutor_id.ok_or(AppError::Forbidden)?;
    let today = state.today().await?;
    let tutees = tutees_of(&state, tutor_id, today).await?;
    let year = tutees.year;
    Ok(TuteesPage { ctx, year, tutees })
}

/// Tutor `tutor_id`'s tutees in the academic year holding `today`, as their page lists them:
/// kept in [`crate::state::Inner::tutees`] per tutor, year and day while the tutoring records
/// and the Schools are unchanged ([`flipside_store::Store::tutoring_dashboard_version`]).
pub async fn tutees_of(
    state: &AppState,
    tutor_id: i64,
    today: NaiveDate,
) -> Result<Arc<TuteesTable>, AppError> {
    // Read before the records, so that what is kept is at least as new as its version.
    let version = state.store.tutoring_dashboard_version().await?;
    let year = AcademicYear::containing(today);
    Ok(state
        .tutees
        .get((tutor_id, year.start_year(), today), version, || async {
            let all_rules = state.store.tutoring_school_rules().await?;
            let rows = state
                .store
                .tutees(tutor_id, year.start_year())
                .await?
                .into_iter()
                .map(|tutee| {
                    let rules = all_rules
                        .iter()
                        .find(|r| r.school_id == tutee.school_id)
                        .map(|r| r.rules())
                        .unwrap_or_default();
                    TuteeRow {
                        no_contact_by: tutoring::no_contact_by(year, &rules),
                        overdue: tutoring::contact_overdue(year, &rules, tutee.first_day, today),
                        tutee,
                    }
                })
                .collect();
            Ok(TuteesTable {
                year,
                rows,
                rendered: OnceLock::new(),
            })
        })
        .await?)
}

/// `/tutoring/me`: a student's own record.
pub async fn mine(State(state): State<AppState>, user: CurrentUser) -> Result<Redirect, AppError> {
    let me = me(&state, &user).await?;
    let id = me.student_id.ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!("/tutoring/students/{id}")))
}

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/student.html")]
pub struct StudentPage {
    ctx: PageCtx,
    student: StudentRecord,
    history: Vec<TutorHistoryRow>,
    /// Contacts the viewer may read (only the student's and their tutors').
    contacts: Vec<Contact>,
    /// The viewer may log a contact for this student.
    can_log: bool,
}

impl StudentPage {
    fn mode(&self, code: &str) -> &'static str {
        tutoring::mode_label(code)
    }

    fn year(&self, start: &i64) -> AcademicYear {
        AcademicYear::from_start_year(i32::try_from(*start).unwrap_or_default())
    }
}

pub async fn student(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<StudentPage, AppError> {
    let me = me(&state, &user).await?;
    let current = state
        .store
        .tutor_of(id, current_year(&state).await?.start_year())
        .await?;
    allow(policy::tutoring_record(&user.actor, me, id, current))?;
    let student = state.store.tutoring_student_record(id).await?;
    let history = state.store.tutor_history(id).await?;
    let contacts = state
        .store
        .contacts_of_student(id)
        .await?
        .into_iter()
        .filter(|c| policy::tutoring_contact(me, c.tutor_id, c.student_id))
        .collect::<Vec<Contact>>();
    if !contacts.is_empty() {
        crate::handlers::audit_read(
            &state,
            &user,
            &address,
            "contact_notes_read",
            ("tutoring_student", id),
            &format!("{} contacts with their notes", contacts.len()),
        )
        .await?;
    }
    let can_log = policy::log_contact_with(
        me,
        TuteeRef {
            student_id: id,
            tutor_of_record: current,
        },
    );
    Ok(StudentPage {
        ctx,
        student,
        history,
        contacts,
        can_log,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/contact.html")]
pub struct ContactPage {
    ctx: PageCtx,
    contact: Contact,
}

impl ContactPage {
    fn mode(&self) -> &'static str {
        tutoring::mode_label(&self.contact.mode)
    }
}

pub async fn contact(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<ContactPage, AppError> {
    let me = me(&state, &user).await?;
    let contact = state.store.contact(id).await?;
    allow(policy::tutoring_contact(
        me,
        contact.tutor_id,
        contact.student_id,
    ))?;
    crate::handlers::audit_read(
        &state,
        &user,
        &address,
        "contact_notes_read",
        ("tutoring_contact", id),
        "a contact and its note",
    )
    .await?;
    Ok(ContactPage { ctx, contact })
}

#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    pub student: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub initiated_by: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/new_contact.html")]
pub struct NewContactPage {
    ctx: PageCtx,
    form: ContactForm,
    errors: FormErrors,
    modes: &'static [(&'static str, &'static str)],
    initiators: &'static [(&'static str, &'static str)],
    today: String,
}

fn new_contact_page(
    ctx: PageCtx,
    form: ContactForm,
    errors: FormErrors,
    today: chrono::NaiveDate,
) -> NewContactPage {
    NewContactPage {
        ctx,
        form,
        errors,
        modes: MODES,
        initiators: INITIATORS,
        today: today.format("%Y-%m-%d").to_string(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct StudentQuery {
    #[serde(default)]
    pub student: String,
}

pub async fn new_contact(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<StudentQuery>,
) -> Result<NewContactPage, AppError> {
    let me = me(&state, &user).await?;
    allow(policy::log_contacts(me))?;
    let form = ContactForm {
        student: q.student,
        date: state.today().await?.format("%Y-%m-%d").to_string(),
        ..ContactForm::default()
    };
    Ok(new_contact_page(
        ctx,
        form,
        FormErrors::default(),
        state.today().await?,
    ))
}

/// Why an ID cannot be logged against: the same words whether or not a student holds the ID,
/// and never their name, so that trying IDs one after another maps nobody.
fn not_yours(me: &TutoringSelf, typed: &str, year: AcademicYear) -> String {
    let typed = typed.trim();
    if me.tutor_id.is_some() {
        format!("None of your tutees in {year} has the ID {typed}.")
    } else {
        format!("{typed} is not your student ID: enter your own.")
    }
}

/// Checks and logs a contact by `me`: a tutor's with a tutee of this year, or a student's with
/// their tutor (the page and the API log through here). Returns the student's id and name, or
/// the errors by field, and then nothing is logged.
pub async fn record_contact(
    state: &AppState,
    me: &TutoringSelf,
    f: &ContactForm,
) -> Result<Result<(i64, String), FormErrors>, AppError> {
    let year = current_year(state).await?;
    let mut errors = FormErrors::default();
    let student = match state
        .store
        .tutoring_student_by_external_id(&f.student)
        .await
    {
        Ok(s) => Some(s),
        Err(StoreError::NotFound) => {
            errors.add(
                "student",
                if f.student.trim().is_empty() {
                    "Enter the student's ID.".to_string()
                } else {
                    not_yours(me, &f.student, year)
                },
            );
            None
        }
        Err(e) => return Err(e.into()),
    };
    // Who is logging, and for which tutor.
    let mut parties: Option<(i64, &'static str)> = None;
    if let Some(s) = &student {
        let tutee = TuteeRef {
            student_id: s.id,
            tutor_of_record: state.store.tutor_of(s.id, year.start_year()).await?,
        };
        let as_student = me.student_id == Some(s.id);
        if policy::log_contact_with(*me, tutee) {
            parties = tutee
                .tutor_of_record
                .map(|t| (t, if as_student { "student" } else { "tutor" }));
        } else if as_student {
            errors.add(
                "student",
                format!("You have no personal tutor in {year} yet, so there is no one to log a contact with."),
            );
        } else {
            errors.add("student", not_yours(me, &f.student, year));
        }
    }
    let input = ContactInput {
        date: &f.date,
        mode: &f.mode,
        duration: &f.duration,
        initiated_by: &f.initiated_by,
        note: &f.note,
    };
    let valid = match tutoring::validate_contact(&input, state.today().await?) {
        Ok(v) => Some(v),
        Err(list) => {
            for (field, message) in list {
                errors.add(field, message);
            }
            None
        }
    };
    if let (Some(s), Some((tutor_id, logged_by)), Some(v)) = (student, parties, valid)
        && errors.is_empty()
    {
        let contact_year = AcademicYear::containing(v.date);
        if contact_year != year {
            errors.add(
                "date",
                format!("Enter a date in the current academic year, {year}."),
            );
        } else {
            state
                .store
                .add_contact(&NewContact {
                    student_id: s.id,
                    tutor_id,
                    academic_year: year.start_year(),
                    date: v.date.format("%Y-%m-%d").to_string(),
                    year_day: tutoring::day_of_year(year, v.date),
                    mode: v.mode,
                    duration_minutes: v.duration_minutes,
                    initiated_by: v.initiated_by,
                    logged_by: logged_by.to_string(),
                    note: v.note,
                })
                .await?;
            return Ok(Ok((s.id, s.name)));
        }
    }
    Ok(Err(errors))
}

/// Logs a contact: by a tutor for a tutee of this year, or by a student with their tutor.
pub async fn create_contact(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(f): Form<ContactForm>,
) -> Result<Response, AppError> {
    let me = me(&state, &user).await?;
    allow(policy::log_contacts(me))?;
    match record_contact(&state, &me, &f).await? {
        Ok((id, name)) => Ok(redirect_with_flash(
            &format!("/tutoring/students/{id}"),
            &format!("Contact with {name} logged."),
        )),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            new_contact_page(ctx, f, errors, state.today().await?),
        )
            .into_response()),
    }
}
