//! The open call and its application form: showing it (filled in with an earlier application)
//! and applying.
use super::cycle_and_scheme;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use flipside_core::cycle::CycleState;
use flipside_core::policy::{self};
use flipside_core::recruitment::{self, ConsentKind, LEVELS, TIMES_OF_DAY, WEEKDAYS};
use flipside_core::scheme::BoundedText;
use flipside_store::{
    Application, Cycle, IdentityLabel, NewApplication, Scheme, School, current_consents,
};
use serde::Deserialize;

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
    /// The School's id, or empty when not listed.
    #[serde(default)]
    pub school: String,
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
            school: app.school_id.map(|id| id.to_string()).unwrap_or_default(),
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
    schools: Vec<Choice>,
    days: Vec<DayChoices>,
    consents: Vec<Choice>,
}

impl ApplyPage {
    fn new(
        ctx: PageCtx,
        scheme: Scheme,
        cycle: Cycle,
        (labels, schools): (&[IdentityLabel], &[School]),
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
            schools: schools
                .iter()
                .map(|x| Choice {
                    value: x.id.to_string(),
                    label: x.name.clone(),
                    hint: String::new(),
                    checked: form.school == x.id.to_string(),
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
    pub school_id: Option<i64>,
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
    schools: &[School],
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
            "How you describe yourself is too long: at most 500 characters.",
        );
    }
    let course = BoundedText::parse(&form.course, 200)
        .map_err(|e| errors.add("course", format!("Course {e}.")))
        .ok();
    if !LEVELS.iter().any(|(c, _)| *c == form.level) {
        errors.add("level", "Choose your level of study.");
    }
    // Optional: a student whose School is not listed can still apply.
    let school_id = match form.school.trim() {
        "" => None,
        raw => {
            let id = raw
                .parse::<i64>()
                .ok()
                .filter(|id| schools.iter().any(|x| x.id == *id));
            if id.is_none() {
                errors.add("school", "Choose your School from the list.");
            }
            id
        }
    };
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
            school_id,
            interests,
            availability: availability.join(" "),
            hopes: hopes.into_string(),
            consents,
        }),
        _ => Err(errors),
    }
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
    let schools = state.store.schools().await?;
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
        (&labels, &schools),
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
    let schools = state.store.schools().await?;
    let form: ApplicationForm = serde_html_form::from_bytes(&body)
        .map_err(|_| AppError::BadRequest("The application form could not be read.".into()))?;
    let applied_before = state.store.application_of(id, user.id()).await?.is_some();
    if !policy::apply(&user.actor, cycle.state()?) {
        let page = ApplyPage::new(
            ctx,
            scheme,
            cycle,
            (&labels, &schools),
            form,
            FormErrors::default(),
            applied_before,
        );
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let valid = match validate(&form, &labels, &schools) {
        Ok(v) => v,
        Err(errors) => {
            let page = ApplyPage::new(
                ctx,
                scheme,
                cycle,
                (&labels, &schools),
                form,
                errors,
                applied_before,
            );
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
            school_id: valid.school_id,
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
