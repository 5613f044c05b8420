//! Recruitment to a cycle (SPEC §3.2): the open call and its application form, the applicant's
//! own page with their consents, and the coordinators' review and pool composition.
//!
//! Identity labels are special-category data (SPEC §3.12): a coordinator sees an applicant's
//! labels only on that application's review page, only when `policy::identity` allows it, and
//! every such read is written to the audit log. The list and the composition never show them
//! per person.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::evaluation::results::rule_of;
use crate::operations::consents;
use crate::operations::cycles::Actor;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::cycle::CycleState;
use flipside_core::disclosure::{Cell, LabelTable, Suppression};
use flipside_core::outreach::{self, Population, ReachRow};
use flipside_core::policy::{self, Action};
use flipside_core::recruitment::{
    self, ApplicationStatus, ConsentKind, LEVELS, TIMES_OF_DAY, WEEKDAYS,
};
use flipside_core::scheme::BoundedText;
use flipside_store::{
    Application, ConsentEvent, Cycle, IdentityLabel, NewApplication, NewAuditEntry, Scheme,
    StoreError, current_consents,
};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The application form as typed. Checkbox groups repeat their field name, so this is read
/// with `serde_html_form` (axum's `Form` keeps only one value of a repeated key).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ApplicationForm {
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub own_words: String,
    #[serde(default)]
    pub course: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub interests: String,
    #[serde(default)]
    pub availability: Vec<String>,
    #[serde(default)]
    pub hopes: String,
    #[serde(default)]
    pub consent: Vec<String>,
}

impl ApplicationForm {
    fn from_application(app: &Application, label_ids: &[i64], consents: &[ConsentKind]) -> Self {
        ApplicationForm {
            labels: label_ids.iter().map(i64::to_string).collect(),
            own_words: app.own_words.clone(),
            course: app.course.clone(),
            level: app.level.clone(),
            interests: app.interests.clone(),
            availability: app
                .availability
                .split_whitespace()
                .map(String::from)
                .collect(),
            hopes: app.hopes.clone(),
            consent: consents.iter().map(|k| k.as_str().to_string()).collect(),
        }
    }
}

/// A checkbox or option as the template shows it.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
    pub checked: bool,
}

/// One weekday's row of availability checkboxes.
pub struct DayChoices {
    pub day: &'static str,
    pub slots: Vec<Choice>,
}

#[derive(Template, WebTemplate)]
#[template(path = "recruitment/apply.html")]
pub struct ApplyPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    open: bool,
    applied_before: bool,
    errors: FormErrors,
    form: ApplicationForm,
    labels: Vec<Choice>,
    levels: Vec<Choice>,
    days: Vec<DayChoices>,
    consents: Vec<Choice>,
}

impl ApplyPage {
    fn new(
        ctx: PageCtx,
        scheme: Scheme,
        cycle: Cycle,
        labels: &[IdentityLabel],
        form: ApplicationForm,
        errors: FormErrors,
        applied_before: bool,
    ) -> Self {
        let has = |list: &[String], v: &str| list.iter().any(|x| x == v);
        ApplyPage {
            open: matches!(cycle.state(), Ok(CycleState::Recruiting)),
            labels: labels
                .iter()
                .filter(|l| l.active)
                .map(|l| Choice {
                    value: l.id.to_string(),
                    label: l.name.clone(),
                    hint: l.description.clone(),
                    checked: has(&form.labels, &l.id.to_string()),
                })
                .collect(),
            levels: LEVELS
                .iter()
                .map(|(c, l)| Choice {
                    value: (*c).into(),
                    label: (*l).into(),
                    hint: String::new(),
                    checked: form.level == *c,
                })
                .collect(),
            days: WEEKDAYS
                .iter()
                .map(|(d, day)| DayChoices {
                    day,
                    slots: TIMES_OF_DAY
                        .iter()
                        .map(|(t, time)| {
                            let value = format!("{d}-{t}");
                            Choice {
                                checked: has(&form.availability, &value),
                                value,
                                label: (*time).into(),
                                hint: String::new(),
                            }
                        })
                        .collect(),
                })
                .collect(),
            consents: ConsentKind::ALL
                .iter()
                .map(|k| Choice {
                    value: k.as_str().into(),
                    label: k.wording().into(),
                    hint: if *k == ConsentKind::TakePart {
                        "Required to apply.".into()
                    } else {
                        "Optional: you can apply without it.".into()
                    },
                    checked: has(&form.consent, k.as_str()),
                })
                .collect(),
            ctx,
            scheme,
            cycle,
            errors,
            form,
            applied_before,
        }
    }
}

/// A validated application.
pub struct ValidApplication {
    pub label_ids: Vec<i64>,
    pub own_words: String,
    pub course: String,
    pub level: String,
    pub interests: String,
    pub availability: String,
    pub hopes: String,
    pub consents: Vec<ConsentKind>,
}

/// Checks an application form against the organisation's active labels; each error is keyed
/// by the id of the field it belongs next to.
pub fn validate(
    form: &ApplicationForm,
    labels: &[IdentityLabel],
) -> Result<ValidApplication, FormErrors> {
    let mut errors = FormErrors::default();
    let mut label_ids = Vec::new();
    for raw in &form.labels {
        match raw
            .parse::<i64>()
            .ok()
            .filter(|id| labels.iter().any(|l| l.id == *id && l.active))
        {
            Some(id) if !label_ids.contains(&id) => label_ids.push(id),
            Some(_) => {}
            None => errors.add("labels", "Choose labels from the list."),
        }
    }
    let own_words = form.own_words.trim().to_string();
    if own_words.chars().count() > 500 {
        errors.add(
            "own_words",
            "In my own words is too long: at most 500 characters.",
        );
    }
    let course = BoundedText::parse(&form.course, 200)
        .map_err(|e| errors.add("course", format!("Course {e}.")))
        .ok();
    if !LEVELS.iter().any(|(c, _)| *c == form.level) {
        errors.add("level", "Choose your level of study.");
    }
    let interests = recruitment::parse_interests(&form.interests).join(", ");
    if interests.chars().count() > 500 {
        errors.add(
            "interests",
            "Interests are too long: at most 500 characters.",
        );
    }
    let mut availability: Vec<&str> = Vec::new();
    for slot in &form.availability {
        if recruitment::is_slot(slot) {
            if !availability.contains(&slot.as_str()) {
                availability.push(slot);
            }
        } else {
            errors.add("availability", "Choose times from the grid.");
        }
    }
    let hopes = BoundedText::parse(&form.hopes, 2000)
        .map_err(|e| errors.add("hopes", format!("What you hope to change {e}.")))
        .ok();
    let consents: Vec<ConsentKind> = ConsentKind::ALL
        .into_iter()
        .filter(|k| form.consent.iter().any(|c| c == k.as_str()))
        .collect();
    if !consents.contains(&ConsentKind::TakePart) {
        errors.add(
            "consent_take_part",
            "Tick the box to say you want to take part: an application needs that consent.",
        );
    }
    match (course, hopes) {
        (Some(course), Some(hopes)) if errors.is_empty() => Ok(ValidApplication {
            label_ids,
            own_words,
            course: course.into_string(),
            level: form.level.clone(),
            interests,
            availability: availability.join(" "),
            hopes: hopes.into_string(),
            consents,
        }),
        _ => Err(errors),
    }
}

async fn cycle_and_scheme(state: &AppState, id: i64) -> Result<(Cycle, Scheme), AppError> {
    let cycle = state.store.cycle(id).await?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    Ok((cycle, scheme))
}

/// The open call, with the form (filled in with an earlier application, if any).
pub async fn show_call(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ApplyPage, AppError> {
    let (cycle, scheme) = cycle_and_scheme(&state, id).await?;
    let labels = state.store.identity_labels().await?;
    let mine = state.store.application_of(id, user.id()).await?;
    let form = match &mine {
        Some(app) => {
            let ids: Vec<i64> = state
                .store
                .application_labels(app.id)
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let consents = current_consents(&state.store.consent_events(app.id).await?);
            ApplicationForm::from_application(app, &ids, &consents)
        }
        None => ApplicationForm::default(),
    };
    Ok(ApplyPage::new(
        ctx,
        scheme,
        cycle,
        &labels,
        form,
        FormErrors::default(),
        mine.is_some(),
    ))
}

pub async fn apply(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let (cycle, scheme) = cycle_and_scheme(&state, id).await?;
    let labels = state.store.identity_labels().await?;
    let form: ApplicationForm = serde_html_form::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("The application form could not be read.".into()))?;
    let applied_before = state.store.application_of(id, user.id()).await?.is_some();
    if !policy::apply(&user.actor, cycle.state()?) {
        let page = ApplyPage::new(
            ctx,
            scheme,
            cycle,
            &labels,
            form,
            FormErrors::default(),
            applied_before,
        );
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let valid = match validate(&form, &labels) {
        Ok(v) => v,
        Err(errors) => {
            let page = ApplyPage::new(ctx, scheme, cycle, &labels, form, errors, applied_before);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    state
        .store
        .save_application(NewApplication {
            cycle_id: id,
            user_id: user.id(),
            label_ids: &valid.label_ids,
            own_words: &valid.own_words,
            course: &valid.course,
            level: &valid.level,
            interests: &valid.interests,
            availability: &valid.availability,
            hopes: &valid.hopes,
            consents: &valid.consents,
        })
        .await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/my-application"),
        if applied_before {
            "Your application has been updated."
        } else {
            "Thank you: your application has been received."
        },
    ))
}

/// A consent as the applicant's page shows it.
pub struct ConsentView {
    pub kind: &'static str,
    pub label: &'static str,
    pub given: bool,
    /// "given 2026-11-23 15:40", "withdrawn …", one line per change, oldest first.
    pub history: Vec<String>,
}

/// The consents of `kinds` as they stand, each with its history.
pub fn consent_views(events: &[ConsentEvent], kinds: &[ConsentKind]) -> Vec<ConsentView> {
    let current = current_consents(events);
    kinds
        .iter()
        .copied()
        .map(|k| ConsentView {
            kind: k.as_str(),
            label: k.label(),
            given: current.contains(&k),
            history: events
                .iter()
                .filter(|e| e.kind == k.as_str())
                .map(|e| {
                    format!(
                        "{} {} UTC",
                        if e.given { "Given" } else { "Withdrawn" },
                        e.at.format("%Y-%m-%d %H:%M")
                    )
                })
                .collect(),
        })
        .collect()
}

/// What an application says, in words (shared by the applicant's and the coordinator's page).
pub struct ApplicationView {
    pub app: Application,
    pub status_label: &'static str,
    pub level_label: &'static str,
    pub availability: Vec<String>,
}

impl ApplicationView {
    fn new(app: Application) -> Self {
        ApplicationView {
            status_label: app.status().label(),
            level_label: recruitment::level_label(&app.level),
            availability: app
                .availability
                .split_whitespace()
                .map(recruitment::slot_label)
                .collect(),
            app,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "recruitment/mine.html")]
pub struct MinePage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    view: ApplicationView,
    labels: Vec<String>,
    consents: Vec<ConsentView>,
    open: bool,
    withdrawn: bool,
}

/// The signed-in person's own application to a cycle, if the policy lets them do `action` with it.
async fn own_application(
    state: &AppState,
    user: &CurrentUser,
    cycle_id: i64,
    scheme_id: i64,
    action: Action,
) -> Result<Application, AppError> {
    let app = state
        .store
        .application_of(cycle_id, user.id())
        .await?
        .ok_or(AppError::NotFound)?;
    allow(policy::application(
        &user.actor,
        app.user_id,
        scheme_id,
        action,
    ))?;
    Ok(app)
}

pub async fn mine(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<MinePage, AppError> {
    let (cycle, scheme) = cycle_and_scheme(&state, id).await?;
    let app = own_application(&state, &user, id, scheme.id, Action::View).await?;
    let labels = state
        .store
        .application_labels(app.id)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let consents = consent_views(
        &state.store.consent_events(app.id).await?,
        &ConsentKind::ALL,
    );
    Ok(MinePage {
        ctx,
        open: cycle.state()? == CycleState::Recruiting,
        withdrawn: app.status() == ApplicationStatus::Withdrawn,
        view: ApplicationView::new(app),
        labels,
        consents,
        scheme,
        cycle,
    })
}

pub async fn withdraw_consent(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, kind)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let cycle = state.store.cycle(id).await?;
    let app = own_application(&state, &user, id, cycle.scheme_id, Action::Edit).await?;
    let kind =
        ConsentKind::parse(&kind).ok_or_else(|| AppError::BadRequest("Unknown consent.".into()))?;
    let to = format!("/cycles/{id}/my-application");
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match consents::withdraw_application_consent(&state.store, actor, app.id, kind).await {
        Ok(_) => Ok(redirect_with_flash(
            &to,
            &match kind {
                ConsentKind::TakePart => "You have withdrawn from the scheme: your application is withdrawn, any pair you were in has ended, your survey answers are out of later analysis, and the identity labels and own words you gave have been deleted.".to_string(),
                k => format!("You have withdrawn your consent: {}.", k.label()),
            },
        )),
        Err(StoreError::Conflict(m)) => Ok(redirect_with_flash(&to, &m)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "recruitment/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    rows: Vec<ApplicationView>,
    counts: Vec<(&'static str, usize)>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ListPage, AppError> {
    let (cycle, scheme) = cycle_and_scheme(&state, id).await?;
    allow(policy::review_applications(&user.actor, scheme.id))?;
    let rows: Vec<ApplicationView> = state
        .store
        .applications_of(id)
        .await?
        .into_iter()
        .map(ApplicationView::new)
        .collect();
    let counts = [
        ApplicationStatus::Submitted,
        ApplicationStatus::Accepted,
        ApplicationStatus::Waitlisted,
        ApplicationStatus::Declined,
        ApplicationStatus::Withdrawn,
    ]
    .into_iter()
    .map(|s| {
        (
            s.label(),
            rows.iter().filter(|r| r.app.status() == s).count(),
        )
    })
    .collect();
    Ok(ListPage {
        ctx,
        scheme,
        cycle,
        rows,
        counts,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "recruitment/review.html")]
pub struct ReviewPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    view: ApplicationView,
    /// `None` when the policy does not allow this reader to see them.
    labels: Option<Vec<String>>,
    consents: Vec<ConsentView>,
    decisions: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    /// The decision and message the form shows: as stored, or as just typed.
    decision: String,
    message: String,
}

/// Builds one application's review page. Reading the labels is audited here, so every page
/// that shows them (including a refused decision shown again) records the read.
async fn review_page(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    address: &str,
    (id, app_id): (i64, i64),
    refused: Option<(FormErrors, &DecisionForm)>,
) -> Result<ReviewPage, AppError> {
    let (cycle, scheme) = cycle_and_scheme(state, id).await?;
    allow(policy::review_applications(&user.actor, scheme.id))?;
    let app = state.store.application(app_id).await?;
    if app.cycle_id != id {
        return Err(AppError::NotFound);
    }
    allow(policy::application(
        &user.actor,
        app.user_id,
        scheme.id,
        Action::View,
    ))?;
    let labels = if policy::identity(&user.actor, app.user_id, Some(scheme.id), Action::View) {
        let names: Vec<String> = state
            .store
            .application_labels(app.id)
            .await?
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        // Written before the page is sent: a read that cannot be recorded is not shown.
        state
            .store
            .audit(NewAuditEntry {
                actor_id: Some(user.id()),
                action: "identity_read",
                subject_kind: "application",
                subject_id: Some(app.id),
                detail: &format!("identity labels of applicant {} reviewed", app.user_id),
                address,
            })
            .await?;
        Some(names)
    } else {
        None
    };
    let (errors, decision, message) = match refused {
        Some((errors, typed)) => (errors, typed.decision.clone(), typed.message.clone()),
        None => (
            FormErrors::default(),
            app.status.to_string(),
            app.message.clone(),
        ),
    };
    Ok(ReviewPage {
        ctx,
        consents: consent_views(
            &state.store.consent_events(app.id).await?,
            &ConsentKind::ALL,
        ),
        decision,
        message,
        view: ApplicationView::new(app),
        labels,
        decisions: vec![
            ("accepted", "Accept"),
            ("waitlisted", "Put on the waiting list"),
            ("declined", "Decline"),
        ],
        errors,
        scheme,
        cycle,
    })
}

/// One application, for its scheme's coordinators.
pub async fn review(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, app_id)): Path<(i64, i64)>,
) -> Result<ReviewPage, AppError> {
    review_page(&state, ctx, &user, &address, (id, app_id), None).await
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    message: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, app_id)): Path<(i64, i64)>,
    axum::Form(form): axum::Form<DecisionForm>,
) -> Result<Response, AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::review_applications(&user.actor, cycle.scheme_id))?;
    let app = state.store.application(app_id).await?;
    if app.cycle_id != id {
        return Err(AppError::NotFound);
    }
    let mut errors = FormErrors::default();
    let decision = ApplicationStatus::parse(&form.decision)
        .filter(|d| ApplicationStatus::DECISIONS.contains(d));
    if decision.is_none() {
        errors.add(
            "decision",
            "Choose accept, put on the waiting list, or decline.",
        );
    }
    let message = form.message.trim();
    if message.chars().count() > 2000 {
        errors.add(
            "message",
            "The message is too long: at most 2000 characters.",
        );
    }
    let Some(decision) = decision.filter(|_| errors.is_empty()) else {
        let page = review_page(
            &state,
            ctx,
            &user,
            &address,
            (id, app_id),
            Some((errors, &form)),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let to = format!("/cycles/{id}/applications/{app_id}");
    match state
        .store
        .decide_application(app_id, decision, message, Some(user.id()))
        .await
    {
        Ok(()) => {
            state
                .store
                .audit(NewAuditEntry {
                    actor_id: Some(user.id()),
                    action: "application_decided",
                    subject_kind: "application",
                    subject_id: Some(app_id),
                    detail: decision.as_str(),
                    address: &address,
                })
                .await?;
            Ok(redirect_with_flash(
                &to,
                &format!(
                    "{}'s application: {}.",
                    app.applicant_name,
                    decision.label().to_lowercase()
                ),
            ))
        }
        Err(StoreError::Conflict(m)) => Ok(redirect_with_flash(&to, &m)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "recruitment/composition.html")]
pub struct CompositionPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    table: LabelTable,
    rule_name: String,
    rule_description: String,
    footnotes: Vec<String>,
    /// The pool against the organisation's population, when its figures are known.
    reach: Option<Vec<ReachRow>>,
    population_source: String,
}

/// A percentage as shown: one decimal place, or "–" when it cannot be shown.
pub fn percent(p: &Option<f64>) -> String {
    match p {
        Some(v) => format!("{v:.1}%"),
        None => "–".into(),
    }
}

/// A count as shown: the number, or "–" when suppressed.
pub fn count(cell: &Cell<u64>) -> String {
    match cell.shown() {
        Some(v) => v.to_string(),
        None => "–".into(),
    }
}

/// The applicants' label sets: one set per application that is not withdrawn (an empty set
/// for someone who chose no label).
pub fn label_sets(ids: &[i64], choices: &[(i64, String)]) -> Vec<BTreeSet<String>> {
    let mut sets: BTreeMap<i64, BTreeSet<String>> =
        ids.iter().map(|id| (*id, BTreeSet::new())).collect();
    for (id, name) in choices {
        if let Some(s) = sets.get_mut(id) {
            s.insert(name.clone());
        }
    }
    sets.into_values().collect()
}

pub async fn composition(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<CompositionPage, AppError> {
    let (cycle, scheme) = cycle_and_scheme(&state, id).await?;
    allow(policy::review_applications(&user.actor, scheme.id))?;
    let org = state
        .store
        .organisation()
        .await?
        .ok_or(AppError::NotFound)?;
    let rule = rule_of(&org);
    let (ids, choices) = state.store.cycle_label_choices(id).await?;
    let table = rule.labels(&label_sets(&ids, &choices));
    let reach = match org.population_total {
        Some(total) if total > 0 => {
            let labels = state.store.identity_labels().await?;
            let population = Population {
                total: total.unsigned_abs(),
                by_label: labels
                    .into_iter()
                    .filter_map(|l| Some((l.name, l.population?.unsigned_abs())))
                    .collect(),
            };
            Some(outreach::compare(&table, &population))
        }
        _ => None,
    };
    let reasons: BTreeSet<Suppression> = table
        .labels
        .iter()
        .map(|r| r.count)
        .chain(table.combinations.iter().map(|r| r.count))
        .chain([table.total])
        .filter_map(|c| c.suppression())
        .collect();
    Ok(CompositionPage {
        ctx,
        rule_name: rule.name(),
        rule_description: rule.description(),
        footnotes: reasons.into_iter().map(|r| rule.footnote(r)).collect(),
        table,
        scheme,
        cycle,
        reach,
        population_source: org.population_source,
    })
}
