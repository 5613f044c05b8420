//! Respondents taking their surveys (SPEC §3.5): the list of one's own open surveys, and the
//! survey form, one Likert question per statement grouped by aim, which can be saved as a draft
//! and returned to, or submitted once every statement is answered. Answers are stored against
//! the pseudonymous participant code, never the person's name.
use crate::auth::CurrentUser;
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
use flipside_core::evaluation::Wave;
use flipside_core::policy;
use flipside_core::surveys::{ScaleLabels, answer_field, read_answers, stored_scale_labels};
use flipside_store::{OpenSurvey, StatementRow, SurveyParticipant, SurveyWave};
use std::collections::BTreeMap;

/// "2026/27" from a cycle's starting year.
pub fn year_words(start: i64) -> String {
    format!("{}/{:02}", start, (start + 1) % 100)
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    surveys: Vec<OpenSurvey>,
}

impl ListPage {
    fn wave_label(&self, wave: &str) -> &'static str {
        Wave::parse(wave).map(Wave::label).unwrap_or("")
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<ListPage, AppError> {
    // Only the signed-in person's own surveys are ever listed: the query is by their id.
    let surveys = state
        .store
        .open_surveys_of(user.id(), state.today().await?)
        .await?;
    Ok(ListPage { ctx, surveys })
}

/// One statement as a question.
pub struct Question {
    pub number: usize,
    pub field: String,
    pub text: String,
    pub selected: Option<i64>,
    pub error: Option<String>,
}

impl Question {
    /// Whether this score is the chosen answer.
    pub fn is(&self, score: &usize) -> bool {
        self.selected == Some(*score as i64)
    }
}

/// Where the survey stands for this respondent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Open,
    NotYetOpen,
    Closed,
    Submitted,
}

#[derive(Template, WebTemplate)]
#[template(path = "surveys/take.html")]
pub struct TakePage {
    ctx: PageCtx,
    action: String,
    title: String,
    wave: SurveyWave,
    standing: Standing,
    labels: ScaleLabels,
    /// (aim, its questions)
    aims: Vec<(String, Vec<Question>)>,
    errors: FormErrors,
    /// The errors in the order the page shows their statements, for the summary.
    summary: Vec<(String, String)>,
}

/// The participant, wave and statements behind a survey URL, after asking the policy.
pub(crate) struct Survey {
    pub participant: SurveyParticipant,
    pub wave: SurveyWave,
    pub title: String,
    pub statements: Vec<StatementRow>,
    pub labels: ScaleLabels,
    pub standing: Standing,
}

pub(crate) async fn load(
    state: &AppState,
    user: &CurrentUser,
    participant_id: i64,
    wave: &str,
) -> Result<Survey, AppError> {
    let participant = state.store.survey_participant(participant_id).await?;
    allow(policy::take_survey(&user.actor, participant.user_id))?;
    let wave = Wave::parse(wave).ok_or(AppError::NotFound)?;
    let wave = state
        .store
        .survey_wave(participant.cycle_id, wave)
        .await?
        .ok_or(AppError::NotFound)?;
    let cycle = state.store.cycle(participant.cycle_id).await?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let dates = wave.dates();
    let standing = if state
        .store
        .has_submitted(participant.id, dates.wave)
        .await?
    {
        Standing::Submitted
    } else if dates.is_closed(state.today().await?) {
        Standing::Closed
    } else if dates.is_open(state.today().await?) {
        Standing::Open
    } else {
        Standing::NotYetOpen
    };
    Ok(Survey {
        title: format!(
            "{} {}: survey {}",
            scheme.name,
            cycle.year(),
            dates.wave.label()
        ),
        // The cycle's own statements, in the words its respondents see (issue 11).
        statements: in_page_order(
            state
                .store
                .asked_statements(participant.cycle_id, &participant.role)
                .await?,
        ),
        labels: stored_scale_labels(&state.store.scale_labels_of(&participant.role).await?),
        participant,
        wave,
        standing,
    })
}

/// The statements as the page shows them: grouped under their aims, each aim where its first
/// statement comes, so that statement numbers (and error messages naming them) run in order.
fn in_page_order(statements: Vec<StatementRow>) -> Vec<StatementRow> {
    let mut aims: Vec<String> = Vec::new();
    for st in &statements {
        if !aims.contains(&st.aim) {
            aims.push(st.aim.clone());
        }
    }
    let mut ordered = statements;
    ordered.sort_by_key(|st| aims.iter().position(|a| *a == st.aim));
    ordered
}

fn page(ctx: PageCtx, s: Survey, values: &BTreeMap<String, i64>, errors: FormErrors) -> TakePage {
    let mut aims: Vec<(String, Vec<Question>)> = Vec::new();
    for (i, st) in s.statements.iter().enumerate() {
        let field = answer_field(&st.code);
        let q = Question {
            number: i + 1,
            selected: values.get(&st.code).copied(),
            error: errors.get(&field).cloned(),
            field,
            text: st.text.clone(),
        };
        match aims.iter_mut().find(|(aim, _)| *aim == st.aim) {
            Some((_, qs)) => qs.push(q),
            None => aims.push((st.aim.clone(), vec![q])),
        }
    }
    let summary = aims
        .iter()
        .flat_map(|(_, qs)| qs)
        .filter_map(|q| q.error.clone().map(|e| (q.field.clone(), e)))
        .collect();
    TakePage {
        ctx,
        action: format!("/surveys/{}/{}", s.participant.id, s.wave.wave),
        title: s.title,
        wave: s.wave,
        standing: s.standing,
        labels: s.labels,
        aims,
        errors,
        summary,
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((participant_id, wave)): Path<(i64, String)>,
) -> Result<TakePage, AppError> {
    let s = load(&state, &user, participant_id, &wave).await?;
    let draft: BTreeMap<String, i64> = state
        .store
        .draft_answers(s.participant.id, s.wave.wave())
        .await?
        .into_iter()
        .collect();
    Ok(page(ctx, s, &draft, FormErrors::default()))
}

pub async fn answer(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((participant_id, wave)): Path<(i64, String)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let s = load(&state, &user, participant_id, &wave).await?;
    let submit = form.get("action").map(String::as_str) == Some("submit");
    match store_answers(&state, &s, &form, submit).await? {
        Err((answers, field_errors)) => {
            let values: BTreeMap<String, i64> = answers.into_iter().collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(ctx, s, &values, FormErrors(field_errors)),
            )
                .into_response())
        }
        Ok(()) if submit => Ok(redirect_with_flash(
            "/surveys",
            "Thank you: your answers are submitted.",
        )),
        Ok(()) => Ok(redirect_with_flash(
            "/surveys",
            &format!(
                "Your answers are saved. Return to finish and submit them by {}.",
                s.wave.closes_on
            ),
        )),
    }
}

/// Answers as read from a form (`q_<code>` = 1..5), and the errors keyed by field.
pub(crate) type Refused = (Vec<(String, i64)>, BTreeMap<String, String>);

/// Saves a respondent's answers as a draft, or submits them (every statement answered), for
/// the page and the API alike. A survey not open to answers is a `Conflict` saying why.
pub(crate) async fn store_answers(
    state: &AppState,
    s: &Survey,
    form: &BTreeMap<String, String>,
    submit: bool,
) -> Result<Result<(), Refused>, AppError> {
    match s.standing {
        Standing::Open => {}
        Standing::Submitted => {
            return Err(AppError::Conflict(
                "You have already submitted this survey: thank you.".into(),
            ));
        }
        Standing::Closed => {
            return Err(AppError::Conflict(format!(
                "This survey closed on {}: it no longer takes answers.",
                s.wave.closes_on
            )));
        }
        Standing::NotYetOpen => {
            return Err(AppError::Conflict(format!(
                "This survey opens on {}.",
                s.wave.opens_on
            )));
        }
    }
    let codes: Vec<&str> = s.statements.iter().map(|st| st.code.as_str()).collect();
    let (answers, field_errors) = read_answers(&codes, form, submit);
    if !field_errors.is_empty() {
        return Ok(Err((answers, field_errors)));
    }
    let wave = s.wave.wave();
    if submit {
        state
            .store
            .submit_answers(s.participant.id, wave, &answers)
            .await?;
    } else {
        state
            .store
            .save_draft(s.participant.id, wave, &answers)
            .await?;
    }
    Ok(Ok(()))
}
