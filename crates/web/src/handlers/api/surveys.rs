//! Surveys over the API: a cycle's waves (dates, invitations, reminders) for its coordinators,
//! a respondent's own surveys (read, save a draft, submit), and the cycle's results under the
//! organisation's disclosure rule, through the same checks, policy and figures as the survey,
//! waves and results pages. Answers are stored against the pseudonymous participant code;
//! small cells are suppressed exactly as on the results page.
use super::{ApiPath, JsonBody};
use crate::auth::{ApiUser, ClientAddress};
use crate::error::{ApiError, AppError};
use crate::handlers::allow;
use crate::handlers::evaluation::results::{self, rule_of};
use crate::handlers::evaluation::surveys::{Standing, load, store_answers};
use crate::handlers::evaluation::waves::{Mailed, Mailing, mail_wave, managed};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};
use flipside_core::disclosure::{Cell, Suppression};
use flipside_core::evaluation::{ComparedStatement, Wave};
use flipside_core::policy;
use flipside_core::surveys::{answer_field, date_field, validate_wave_dates};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::{OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        list_waves, set_dates, invite, remind, mine, show, save_draft, submit, results
    ),
    components(schemas(
        WaveJson,
        WaveList,
        RateJson,
        WaveDatesJson,
        SurveyDatesJson,
        MailedJson,
        MySurveyJson,
        MySurveyList,
        SurveyJson,
        QuestionJson,
        AnswersJson,
        ResultsJson,
        RoleResultsJson,
        ComparisonJson,
        StatementResultJson,
        FigureJson
    ))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/cycles/{id}/surveys", get(list_waves)),
        (Method::PUT, "/cycles/{id}/surveys", put(set_dates)),
        (
            Method::POST,
            "/cycles/{id}/surveys/{wave}/invite",
            post(invite),
        ),
        (
            Method::POST,
            "/cycles/{id}/surveys/{wave}/remind",
            post(remind),
        ),
        (Method::GET, "/surveys", get(mine)),
        (Method::GET, "/surveys/{participant}/{wave}", get(show)),
        (
            Method::PUT,
            "/surveys/{participant}/{wave}/draft",
            put(save_draft),
        ),
        (
            Method::POST,
            "/surveys/{participant}/{wave}/submit",
            post(submit),
        ),
        (Method::GET, "/cycles/{id}/results", get(results)),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RateJson {
    /// mentor (students) or mentee (staff)
    pub role: String,
    pub responded: i64,
    pub invited: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaveJson {
    /// pre, post or followup
    pub wave: String,
    /// YYYY-MM-DD; absent until the dates are set.
    pub opens_on: Option<String>,
    pub closes_on: Option<String>,
    /// dates_not_set, not_open_yet, open or closed
    pub status: String,
    /// Responses per role (everyone who submitted, with or without research consent).
    pub rates: Vec<RateJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaveList {
    pub items: Vec<WaveJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveDatesJson {
    /// YYYY-MM-DD
    pub opens_on: String,
    /// YYYY-MM-DD
    pub closes_on: String,
}

/// The three waves' dates: pre and post are required; a follow-up left out defaults to six
/// months after the post wave closes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyDatesJson {
    pub pre: WaveDatesJson,
    pub post: WaveDatesJson,
    #[serde(default)]
    pub followup: Option<WaveDatesJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailedJson {
    /// Emails queued now.
    pub queued: i64,
    /// Emails queued before (today, for reminders) and not sent again.
    pub already: i64,
    /// People enrolled in the evaluation by this invitation.
    pub enrolled: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MySurveyJson {
    pub participant_id: i64,
    pub wave: String,
    pub closes_on: String,
    pub scheme_name: String,
    pub academic_year: i64,
    /// Whether a draft is saved.
    pub drafted: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MySurveyList {
    pub items: Vec<MySurveyJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionJson {
    /// The statement's code: the key of its answer.
    pub code: String,
    pub aim: String,
    pub text: String,
    /// The answer saved (1 to 5), if any.
    pub answer: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyJson {
    pub participant_id: i64,
    pub wave: String,
    pub title: String,
    pub opens_on: String,
    pub closes_on: String,
    /// open, not_open_yet, closed or submitted
    pub standing: String,
    pub questions: Vec<QuestionJson>,
}

/// Answers by statement code, each from 1 (strongly disagree) to 5 (strongly agree).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersJson {
    pub answers: BTreeMap<String, i64>,
}

/// A figure under the disclosure rule: its value, or why it is hidden.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureJson {
    pub value: Option<f64>,
    /// small_count, small_base, small_mean_n or complementary, when hidden.
    pub suppressed: Option<String>,
}

fn suppression(c: Option<Suppression>) -> Option<String> {
    c.map(|s| {
        serde_json::to_value(s)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    })
}

fn figure(c: &Cell<f64>) -> FigureJson {
    FigureJson {
        value: c.shown(),
        suppressed: suppression(c.suppression()),
    }
}

fn count(c: &Cell<u64>) -> FigureJson {
    FigureJson {
        value: c.shown().map(|v| v as f64),
        suppressed: suppression(c.suppression()),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatementResultJson {
    pub code: String,
    pub aim: String,
    pub text: String,
    /// Respondents of the first wave, of the second, and paired, as the rule shows them.
    pub n_from: FigureJson,
    pub n_to: FigureJson,
    pub n_paired: FigureJson,
    pub mean_from: FigureJson,
    pub mean_to: FigureJson,
    pub mean_change: FigureJson,
    /// Shown only where the change is shown.
    pub p_value: Option<f64>,
    pub caveat: Option<String>,
}

impl From<&ComparedStatement> for StatementResultJson {
    fn from(r: &ComparedStatement) -> Self {
        StatementResultJson {
            code: r.code.clone(),
            aim: r.aim.clone(),
            text: r.text.clone(),
            n_from: count(&r.n_shown[0]),
            n_to: count(&r.n_shown[1]),
            n_paired: count(&r.n_shown[2]),
            mean_from: figure(&r.mean_from),
            mean_to: figure(&r.mean_to),
            mean_change: figure(&r.mean_change),
            p_value: r.mean_change.shown().and(r.p_value),
            caveat: r.caveat.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonJson {
    /// pre_post or pre_followup
    pub comparison: String,
    pub statements: Vec<StatementResultJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleResultsJson {
    /// mentor (students) or mentee (staff)
    pub role: String,
    pub rates: Vec<WaveRateJson>,
    /// Respondents who consented to research use.
    pub consenting: i64,
    pub comparisons: Vec<ComparisonJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaveRateJson {
    pub wave: String,
    pub responded: i64,
    pub invited: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsJson {
    pub cycle_id: i64,
    /// The organisation's disclosure rule, by name.
    pub rule: String,
    pub roles: Vec<RoleResultsJson>,
}

/// A cycle's survey waves with their dates and response rates (its coordinators).
#[utoipa::path(get, operation_id = "listSurveyWaves", path = "/api/v1/cycles/{id}/surveys", tag = "surveys", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The three waves", body = WaveList), (status = 403, description = "The caller does not manage this cycle's surveys", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_waves(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<WaveList>, ApiError> {
    managed(&state, &user, id).await?;
    Ok(Json(waves(&state, id).await?))
}

async fn waves(state: &AppState, id: i64) -> Result<WaveList, AppError> {
    let stored = state.store.survey_waves(id).await?;
    let today = state.today().await?;
    let org = state.organisation().await?.ok_or(AppError::NotFound)?;
    let counts = state.store.survey_participant_counts(id).await?;
    let answers = state.store.survey_answers(id).await?;
    let roles = results::build(&counts, &answers, &rule_of(&org)?, &BTreeMap::new());
    let items = Wave::ALL
        .iter()
        .map(|w| {
            let dates = stored.iter().find(|s| s.wave() == *w);
            let status = match dates {
                None => "dates_not_set",
                Some(d) if d.dates().is_open(today) => "open",
                Some(d) if d.dates().is_closed(today) => "closed",
                Some(_) => "not_open_yet",
            };
            WaveJson {
                wave: w.as_str().to_string(),
                opens_on: dates.map(|d| d.opens_on.to_string()),
                closes_on: dates.map(|d| d.closes_on.to_string()),
                status: status.to_string(),
                rates: roles
                    .iter()
                    .flat_map(|r| r.rates.iter())
                    .filter(|r| r.wave == *w)
                    .map(|r| RateJson {
                        role: r.role.clone(),
                        responded: r.responded as i64,
                        invited: r.invited as i64,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(WaveList { items })
}

/// Sets the dates of the cycle's three waves.
#[utoipa::path(put, operation_id = "setSurveyDates", path = "/api/v1/cycles/{id}/surveys", tag = "surveys", params(("id" = i64, Path, description = "Cycle id")), request_body = SurveyDatesJson,
    responses((status = 200, description = "The waves with their new dates", body = WaveList), (status = 403, description = "The caller does not manage this cycle's surveys", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A date is missing, malformed or out of order (named as pre.opens_on, …)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn set_dates(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<SurveyDatesJson>,
) -> Result<Json<WaveList>, ApiError> {
    managed(&state, &user, id).await?;
    let mut form = BTreeMap::new();
    // The form's field names, and the body's for each.
    let mut names = BTreeMap::new();
    for (wave, dates) in [
        (Wave::Pre, Some(&body.pre)),
        (Wave::Post, Some(&body.post)),
        (Wave::Followup, body.followup.as_ref()),
    ] {
        for (end, value) in [
            ("opens", dates.map(|d| d.opens_on.clone())),
            ("closes", dates.map(|d| d.closes_on.clone())),
        ] {
            let field = date_field(wave, end);
            names.insert(field.clone(), format!("{}.{end}_on", wave.as_str()));
            if let Some(v) = value {
                form.insert(field, v);
            }
        }
    }
    let waves_dates = validate_wave_dates(&form).map_err(|errors| {
        AppError::InvalidFields(
            errors
                .into_iter()
                .map(|(f, m)| (names.get(&f).cloned().unwrap_or(f), m))
                .collect(),
        )
    })?;
    let actor = crate::operations::cycles::Actor {
        id: user.id(),
        address: &address,
    };
    crate::operations::surveys::set_dates(&state, actor, id, &waves_dates).await?;
    Ok(Json(waves(&state, id).await?))
}

async fn mailing(
    state: &AppState,
    (user, address): (&crate::auth::CurrentUser, &str),
    id: i64,
    wave: &str,
    kind: Mailing,
) -> Result<Json<MailedJson>, ApiError> {
    let Mailed {
        queued,
        already,
        enrolled,
    } = mail_wave(state, (user, address), id, wave, kind).await?;
    Ok(Json(MailedJson {
        queued: queued as i64,
        already: already as i64,
        enrolled: enrolled as i64,
    }))
}

/// Invites the wave's respondents by email, enrolling whoever has joined the cycle since the
/// last invitation (each under a new pseudonymous code).
#[utoipa::path(post, operation_id = "inviteSurveyWave", path = "/api/v1/cycles/{id}/surveys/{wave}/invite", tag = "surveys",
    params(("id" = i64, Path, description = "Cycle id"), ("wave" = String, Path, description = "pre, post or followup")),
    responses((status = 200, description = "What was queued", body = MailedJson), (status = 403, description = "The caller does not manage this cycle's surveys", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The wave has no dates, or has closed", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn invite(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, wave)): ApiPath<(i64, String)>,
) -> Result<Json<MailedJson>, ApiError> {
    mailing(&state, (&user, &address), id, &wave, Mailing::Invite).await
}

/// Reminds the wave's respondents who have not responded (once a day), while it is open.
#[utoipa::path(post, operation_id = "remindSurveyWave", path = "/api/v1/cycles/{id}/surveys/{wave}/remind", tag = "surveys",
    params(("id" = i64, Path, description = "Cycle id"), ("wave" = String, Path, description = "pre, post or followup")),
    responses((status = 200, description = "What was queued", body = MailedJson), (status = 403, description = "The caller does not manage this cycle's surveys", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The wave has no dates, or is not open", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn remind(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath((id, wave)): ApiPath<(i64, String)>,
) -> Result<Json<MailedJson>, ApiError> {
    mailing(&state, (&user, &address), id, &wave, Mailing::Remind).await
}

/// The caller's own open surveys.
#[utoipa::path(get, operation_id = "listMySurveys", path = "/api/v1/surveys", tag = "surveys",
    responses((status = 200, description = "The caller's open surveys", body = MySurveyList)))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<MySurveyList>, ApiError> {
    // Only the caller's own surveys are ever listed: the query is by their id.
    let surveys = state
        .store
        .open_surveys_of(user.id(), state.today().await?)
        .await?;
    Ok(Json(MySurveyList {
        items: surveys
            .into_iter()
            .map(|s| MySurveyJson {
                participant_id: s.participant_id,
                wave: s.wave,
                closes_on: s.closes_on.to_string(),
                scheme_name: s.scheme_name,
                academic_year: s.academic_year,
                drafted: s.drafted,
            })
            .collect(),
    }))
}

fn standing_str(s: Standing) -> &'static str {
    match s {
        Standing::Open => "open",
        Standing::NotYetOpen => "not_open_yet",
        Standing::Closed => "closed",
        Standing::Submitted => "submitted",
    }
}

async fn survey_json(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    participant_id: i64,
    wave: &str,
) -> Result<SurveyJson, AppError> {
    let s = load(state, user, participant_id, wave).await?;
    let draft: BTreeMap<String, i64> = state
        .store
        .draft_answers(s.participant.id, s.wave.wave())
        .await?
        .into_iter()
        .collect();
    Ok(SurveyJson {
        participant_id: s.participant.id,
        wave: s.wave.wave().as_str().to_string(),
        title: s.title,
        opens_on: s.wave.opens_on.to_string(),
        closes_on: s.wave.closes_on.to_string(),
        standing: standing_str(s.standing).to_string(),
        questions: s
            .statements
            .iter()
            .map(|st| QuestionJson {
                answer: draft.get(&st.code).copied(),
                code: st.code.clone(),
                aim: st.aim.clone(),
                text: st.text.clone(),
            })
            .collect(),
    })
}

/// One of the caller's surveys, with the answers of a saved draft.
#[utoipa::path(get, operation_id = "getMySurvey", path = "/api/v1/surveys/{participant}/{wave}", tag = "surveys",
    params(("participant" = i64, Path, description = "The caller's participant id (from listMySurveys)"), ("wave" = String, Path, description = "pre, post or followup")),
    responses((status = 200, description = "The survey", body = SurveyJson), (status = 403, description = "The survey is not the caller's", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((participant_id, wave)): ApiPath<(i64, String)>,
) -> Result<Json<SurveyJson>, ApiError> {
    Ok(Json(
        survey_json(&state, &user, participant_id, &wave).await?,
    ))
}

async fn answer(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    (participant_id, wave): (i64, &str),
    body: AnswersJson,
    submit: bool,
) -> Result<Json<SurveyJson>, ApiError> {
    let s = load(state, user, participant_id, wave).await?;
    let known: BTreeSet<&str> = s.statements.iter().map(|st| st.code.as_str()).collect();
    if let Some(code) = body.answers.keys().find(|c| !known.contains(c.as_str())) {
        return Err(AppError::Invalid {
            field: format!("answers.{code}"),
            message: format!("This survey has no statement {code}."),
        }
        .into());
    }
    let form: BTreeMap<String, String> = body
        .answers
        .iter()
        .map(|(code, score)| (answer_field(code), score.to_string()))
        .collect();
    if let Err((_, errors)) = store_answers(state, &s, &form, submit).await? {
        return Err(AppError::InvalidFields(
            errors
                .into_iter()
                .map(|(f, m)| {
                    let code = f.strip_prefix("q_").unwrap_or(&f).to_string();
                    (format!("answers.{code}"), m)
                })
                .collect(),
        )
        .into());
    }
    Ok(Json(survey_json(state, user, participant_id, wave).await?))
}

/// Saves the caller's answers so far as a draft (any statement may be left out).
#[utoipa::path(put, operation_id = "saveSurveyDraft", path = "/api/v1/surveys/{participant}/{wave}/draft", tag = "surveys",
    params(("participant" = i64, Path, description = "The caller's participant id"), ("wave" = String, Path, description = "pre, post or followup")), request_body = AnswersJson,
    responses((status = 200, description = "The survey with the draft saved", body = SurveyJson), (status = 403, description = "The survey is not the caller's", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The survey is not open, or is already submitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "An answer is not one of the five, or names no statement (answers.<code>)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn save_draft(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((participant_id, wave)): ApiPath<(i64, String)>,
    JsonBody(body): JsonBody<AnswersJson>,
) -> Result<Json<SurveyJson>, ApiError> {
    answer(&state, &user, (participant_id, &wave), body, false).await
}

/// Submits the caller's answers: every statement must be answered; a submitted survey takes
/// no more answers.
#[utoipa::path(post, operation_id = "submitSurvey", path = "/api/v1/surveys/{participant}/{wave}/submit", tag = "surveys",
    params(("participant" = i64, Path, description = "The caller's participant id"), ("wave" = String, Path, description = "pre, post or followup")), request_body = AnswersJson,
    responses((status = 200, description = "The survey, submitted", body = SurveyJson), (status = 403, description = "The survey is not the caller's", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "The survey is not open, or is already submitted", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A statement is unanswered, an answer is not one of the five, or names no statement (answers.<code>)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn submit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((participant_id, wave)): ApiPath<(i64, String)>,
    JsonBody(body): JsonBody<AnswersJson>,
) -> Result<Json<SurveyJson>, ApiError> {
    answer(&state, &user, (participant_id, &wave), body, true).await
}

/// A cycle's evaluation results: response rates per wave and role, and each statement compared
/// before and after, under the organisation's disclosure rule (hidden figures say why).
#[utoipa::path(get, operation_id = "getCycleResults", path = "/api/v1/cycles/{id}/results", tag = "surveys", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The results", body = ResultsJson), (status = 403, description = "The caller may not see this cycle's results", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn results(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ResultsJson>, ApiError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::aggregate_results(&user.actor, cycle.scheme_id))?;
    let (figures, rule) = results::cached(&state, &cycle).await?;
    let roles = figures
        .roles
        .iter()
        .map(|r| RoleResultsJson {
            rates: r
                .rates
                .iter()
                .map(|x| WaveRateJson {
                    wave: x.wave.as_str().to_string(),
                    responded: x.responded as i64,
                    invited: x.invited as i64,
                })
                .collect(),
            consenting: r.consenting as i64,
            comparisons: r
                .comparisons
                .iter()
                .zip(["pre_post", "pre_followup"])
                .map(|(c, name)| ComparisonJson {
                    comparison: name.to_string(),
                    statements: c.rows.iter().map(Into::into).collect(),
                })
                .collect(),
            role: r.role.clone(),
        })
        .collect();
    Ok(Json(ResultsJson {
        cycle_id: id,
        rule: rule.name(),
        roles,
    }))
}
