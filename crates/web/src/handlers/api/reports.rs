//! The annual report over the API (SPEC §3.9), as the report pages offer it, for a cycle's
//! report and for an academic year's across schemes alike (one handler body per operation,
//! over `ReportScope`): the report as JSON, every figure made by the report's own disclosure
//! rule (a hidden figure has no value, only the reason); the coordinator's introduction and
//! recommendations (ETag / If-Match, audited); the draft as the page's preview PDF; publishing
//! a version (the version, its audit entry and the `report.published` webhook in one
//! transaction, through `operations::reports::publish` like the page); and the published
//! versions, listed and downloaded as HTML or PDF. The same policy (`policy::annual_report`,
//! through the pages' `subject`) decides every operation.
use super::etag::{IfMatch, Tagged};
use super::surveys::FigureJson;
use super::{ApiPath, ApiQuery, JsonBody, PageParams, page};
use crate::auth::{ApiUser, ClientAddress, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::handlers::report::download::{preview_file, version_file};
use crate::handlers::report::{ReportRule, Subject, current, subject, usable_quotes, year_scope};
use crate::operations::{self, cycles::Actor};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use flipside_core::annual_report::{MAX_TEXT_CHARS, ReportScope, ReportText, ReportTextError};
use flipside_report::figures::{Figure, Printed};
use flipside_report::{Participation, ReportData};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(
        show,
        text,
        update_text,
        versions,
        publish,
        version_html,
        version_pdf,
        year,
        year_text,
        update_year_text,
        year_versions,
        publish_year,
        year_version_html,
        year_version_pdf,
        draft_pdf_of_cycle,
        draft_pdf_of_year
    ),
    components(schemas(
        ReportRuleName,
        ReportJson,
        ReportSchemeJson,
        ReportParticipationJson,
        ReportCategoryJson,
        ReportResponseRateJson,
        ReportAimJson,
        ReportStatementJson,
        ReportWaveJson,
        ReportChangeJson,
        ReportFindingJson,
        ReportQuoteJson,
        ReportTextJson,
        NewReportTextJson,
        PublishReportJson,
        ReportVersionJson,
        ReportVersionList
    ))
)]
pub struct Doc;

/// This area's operations, for the router's table.
pub fn operations() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    vec![
        (Method::GET, "/cycles/{id}/report", get(show)),
        (Method::GET, "/cycles/{id}/report/text", get(text)),
        (
            Method::PUT,
            "/cycles/{id}/report/text",
            axum::routing::put(update_text),
        ),
        (Method::GET, "/cycles/{id}/report/versions", get(versions)),
        (
            Method::POST,
            "/cycles/{id}/report/versions",
            axum::routing::post(publish),
        ),
        (
            Method::GET,
            "/cycles/{id}/report/versions/{number}/report.html",
            get(version_html),
        ),
        (
            Method::GET,
            "/cycles/{id}/report/versions/{number}/report.pdf",
            get(version_pdf),
        ),
        (Method::GET, "/years/{year}/report", get(year)),
        (Method::GET, "/years/{year}/report/text", get(year_text)),
        (
            Method::PUT,
            "/years/{year}/report/text",
            axum::routing::put(update_year_text),
        ),
        (
            Method::GET,
            "/years/{year}/report/versions",
            get(year_versions),
        ),
        (
            Method::POST,
            "/years/{year}/report/versions",
            axum::routing::post(publish_year),
        ),
        (
            Method::GET,
            "/years/{year}/report/versions/{number}/report.html",
            get(year_version_html),
        ),
        (
            Method::GET,
            "/years/{year}/report/versions/{number}/report.pdf",
            get(year_version_pdf),
        ),
        (
            Method::GET,
            "/cycles/{id}/report/preview.pdf",
            get(draft_pdf_of_cycle),
        ),
        (
            Method::GET,
            "/years/{year}/report/preview.pdf",
            get(draft_pdf_of_year),
        ),
    ]
}

/// The disclosure rule a report is made under: `publication` (the HESA rounding strategy;
/// the default) or `internal` (the organisation's own rule, for a steering group, say).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportRuleName {
    Publication,
    Internal,
}

/// Reads the rule as sent; anything else is refused naming `field` (after the policy).
fn rule_of(field: &str, rule: Option<&str>) -> Result<ReportRule, AppError> {
    match rule {
        None | Some("publication") => Ok(ReportRule::Publication),
        Some("internal") => Ok(ReportRule::Internal),
        Some(other) => Err(AppError::Invalid {
            field: field.into(),
            message: format!("'{other}' is not a rule: use publication or internal."),
        }),
    }
}

/// The rule a report is read under.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// publication (default) or internal.
    #[param(value_type = Option<ReportRuleName>)]
    pub rule: Option<String>,
}

fn figure(f: &impl Figure) -> FigureJson {
    match f.printed() {
        Printed::Shown(_) => FigureJson {
            value: f.value(),
            suppressed: None,
        },
        Printed::Hidden(s) => FigureJson {
            value: None,
            suppressed: serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(String::from)),
        },
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCategoryJson {
    pub label: String,
    pub count: FigureJson,
}

fn categories(list: &[flipside_report::Category]) -> Vec<ReportCategoryJson> {
    list.iter()
        .map(|c| ReportCategoryJson {
            label: c.label.clone(),
            count: figure(&c.count),
        })
        .collect()
}

/// Recruitment to completion.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportParticipationJson {
    pub applicants: FigureJson,
    pub accepted: FigureJson,
    pub staff_invited: FigureJson,
    pub matched_pairs: FigureJson,
    pub completed_pairs: FigureJson,
    /// Completed as a percentage of matched.
    pub completion_rate: FigureJson,
    /// Pairs that ended early, by category of reason (never by person).
    pub ended_early: Vec<ReportCategoryJson>,
    /// The hours each pair aims to meet (a setting, not a figure about people).
    pub hours_target: u32,
    pub mean_hours: FigureJson,
    pub pairs_meeting_target: FigureJson,
    pub meetings_held: FigureJson,
}

impl From<&Participation> for ReportParticipationJson {
    fn from(p: &Participation) -> Self {
        ReportParticipationJson {
            applicants: figure(&p.applicants),
            accepted: figure(&p.accepted),
            staff_invited: figure(&p.staff_invited),
            matched_pairs: figure(&p.matched_pairs),
            completed_pairs: figure(&p.completed_pairs),
            completion_rate: figure(&p.completion_rate),
            ended_early: categories(&p.ended_early),
            hours_target: p.hours_target,
            mean_hours: figure(&p.mean_hours),
            pairs_meeting_target: figure(&p.pairs_meeting_target),
            meetings_held: figure(&p.meetings_held),
        }
    }
}

fn wave_name(w: flipside_report::Wave) -> String {
    match w {
        flipside_report::Wave::Pre => "pre",
        flipside_report::Wave::Post => "post",
        flipside_report::Wave::FollowUp => "followup",
    }
    .to_string()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportResponseRateJson {
    /// pre, post or followup
    pub wave: String,
    /// The role as the scheme names it ("Mentors").
    pub role: String,
    pub invited: FigureJson,
    pub responded: FigureJson,
    /// Responded as a percentage of invited.
    pub rate: FigureJson,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportWaveJson {
    /// pre, post or followup
    pub wave: String,
    pub n: FigureJson,
    pub mean: FigureJson,
    pub sd: FigureJson,
}

/// The paired change between two waves.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportChangeJson {
    pub from: String,
    pub to: String,
    pub n: FigureJson,
    pub mean_change: FigureJson,
    pub moved_up: FigureJson,
    pub same: FigureJson,
    pub moved_down: FigureJson,
    pub effect_size_r: FigureJson,
    pub p_value: FigureJson,
    /// The test and its method, "Wilcoxon signed-rank, exact".
    pub test: String,
}

fn change(c: &flipside_report::PairedChange) -> ReportChangeJson {
    ReportChangeJson {
        from: wave_name(c.from),
        to: wave_name(c.to),
        n: figure(&c.n),
        mean_change: figure(&c.mean_change),
        moved_up: figure(&c.moved_up),
        same: figure(&c.same),
        moved_down: figure(&c.moved_down),
        effect_size_r: figure(&c.effect_size_r),
        p_value: figure(&c.p_value),
        test: c.test.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportStatementJson {
    pub short: String,
    pub text: String,
    pub waves: Vec<ReportWaveJson>,
    pub paired: ReportChangeJson,
    /// Before vs follow-up, where a follow-up was run.
    pub follow_up: Option<ReportChangeJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportAimJson {
    pub aim: String,
    /// Who answered ("Mentors").
    pub role: String,
    pub statements: Vec<ReportStatementJson>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportQuoteJson {
    /// "Mentor 4": quotes are labelled by pseudonym, and printed only with consent.
    pub pseudonym: String,
    pub text: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportFindingJson {
    pub aim: String,
    pub summary: String,
    pub quotes: Vec<ReportQuoteJson>,
}

/// One scheme's cycle within the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSchemeJson {
    pub scheme: String,
    pub purpose: String,
    pub participation: ReportParticipationJson,
    pub response_rates: Vec<ReportResponseRateJson>,
    pub aims: Vec<ReportAimJson>,
    /// Triangulated findings per aim; absent when no qualitative evidence was gathered.
    pub findings: Option<Vec<ReportFindingJson>>,
    /// Actions raised from the conversations, by status.
    pub actions_by_status: Vec<ReportCategoryJson>,
}

impl From<&flipside_report::SchemeReport> for ReportSchemeJson {
    fn from(s: &flipside_report::SchemeReport) -> Self {
        ReportSchemeJson {
            scheme: s.scheme.clone(),
            purpose: s.purpose.clone(),
            participation: (&s.participation).into(),
            response_rates: s
                .evaluation
                .response_rates
                .iter()
                .map(|r| ReportResponseRateJson {
                    wave: wave_name(r.wave),
                    role: r.role.clone(),
                    invited: figure(&r.invited),
                    responded: figure(&r.responded),
                    rate: figure(&r.rate),
                })
                .collect(),
            aims: s
                .evaluation
                .aims
                .iter()
                .map(|a| ReportAimJson {
                    aim: a.aim.clone(),
                    role: a.role.clone(),
                    statements: a
                        .statements
                        .iter()
                        .map(|st| ReportStatementJson {
                            short: st.short.clone(),
                            text: st.text.clone(),
                            waves: st
                                .waves
                                .iter()
                                .map(|w| ReportWaveJson {
                                    wave: wave_name(w.wave),
                                    n: figure(&w.n),
                                    mean: figure(&w.mean),
                                    sd: figure(&w.sd),
                                })
                                .collect(),
                            paired: change(&st.paired),
                            follow_up: st.follow_up.as_ref().map(change),
                        })
                        .collect(),
                })
                .collect(),
            findings: s.findings.as_ref().map(|list| {
                list.iter()
                    .map(|f| ReportFindingJson {
                        aim: f.aim.clone(),
                        summary: f.summary.clone(),
                        quotes: f
                            .quotes
                            .iter()
                            .map(|q| ReportQuoteJson {
                                pseudonym: q.pseudonym.clone(),
                                text: q.text.clone(),
                            })
                            .collect(),
                    })
                    .collect()
            }),
            actions_by_status: categories(&s.actions.by_status),
        }
    }
}

/// An annual report as it would be published now. Every figure about people is made by the
/// rule named in `rule`: a hidden figure has no `value`, only the reason it is `suppressed`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportJson {
    pub title: String,
    pub organisation: String,
    /// YYYY-MM-DD: the day the figures were taken.
    pub prepared_on: String,
    /// "2025/26"
    pub academic_year: String,
    /// The disclosure rule every figure follows, by name.
    pub rule: String,
    /// The coordinator's introduction (or the placeholder saying it is not written yet).
    pub introduction: String,
    pub recommendations: String,
    /// One section per scheme (one for a cycle's report).
    pub schemes: Vec<ReportSchemeJson>,
}

impl From<&ReportData> for ReportJson {
    fn from(r: &ReportData) -> Self {
        ReportJson {
            title: r.title.clone(),
            organisation: r.organisation.clone(),
            prepared_on: r.prepared_on.to_string(),
            academic_year: r.scope.academic_year().to_string(),
            rule: r.rule_name(),
            introduction: r.introduction.clone(),
            recommendations: r.recommendations.clone(),
            schemes: r.schemes.iter().map(Into::into).collect(),
        }
    }
}

async fn report_json(
    state: &AppState,
    user: &CurrentUser,
    scope: ReportScope,
    params: &ReportParams,
) -> Result<Json<ReportJson>, ApiError> {
    let subject = subject(state, user, scope).await?;
    let rule = rule_of("rule", params.rule.as_deref())?;
    let gathered = current(state, subject.scope, rule).await?;
    Ok(Json((&gathered.report).into()))
}

/// The cycle's annual report as it would be published now (the scheme's coordinators).
#[utoipa::path(get, operation_id = "getCycleReport", path = "/api/v1/cycles/{id}/report", tag = "reports", params(("id" = i64, Path, description = "Cycle id"), ReportParams),
    responses((status = 200, description = "The report's figures and words", body = ReportJson), (status = 403, description = "The caller does not coordinate this cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The rule is not publication or internal (field rule)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<ReportParams>,
) -> Result<Json<ReportJson>, ApiError> {
    report_json(&state, &user, ReportScope::Cycle(id), &params).await
}

/// The organisation's annual report of an academic year across its schemes (organisation-wide
/// coordinators and admins).
#[utoipa::path(get, operation_id = "getYearReport", path = "/api/v1/years/{year}/report", tag = "reports", params(("year" = i32, Path, description = "The year the academic year starts in (2025 for 2025/26)"), ReportParams),
    responses((status = 200, description = "The report's figures and words", body = ReportJson), (status = 403, description = "The caller is neither an organisation-wide coordinator nor an admin", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The rule is not publication or internal (field rule)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn year(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(year): ApiPath<i64>,
    ApiQuery(params): ApiQuery<ReportParams>,
) -> Result<Json<ReportJson>, ApiError> {
    report_json(&state, &user, year_scope(year)?, &params).await
}

/// The coordinator's text of the report, as saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportTextJson {
    pub introduction: String,
    pub recommendations: String,
    /// RFC 3339; absent until the text is first saved.
    pub updated_at: Option<String>,
}

async fn text_json(state: &AppState, scope: ReportScope) -> Result<ReportTextJson, AppError> {
    let draft = state.store.report_draft(scope).await?;
    Ok(match draft {
        Some(d) => ReportTextJson {
            introduction: d.introduction,
            recommendations: d.recommendations,
            updated_at: Some(d.updated_at.to_rfc3339()),
        },
        None => ReportTextJson {
            introduction: String::new(),
            recommendations: String::new(),
            updated_at: None,
        },
    })
}

/// The introduction and recommendations to save (Markdown-like; raw HTML is escaped when the
/// report is rendered). Either may be empty: the report then says it is not written yet.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReportTextJson {
    #[schema(max_length = 20_000)]
    pub introduction: String,
    #[schema(max_length = 20_000)]
    pub recommendations: String,
}

/// The saved text of the report of `scope`, with its ETag.
async fn tagged_text(
    state: &AppState,
    user: &CurrentUser,
    scope: ReportScope,
) -> Result<Tagged<ReportTextJson>, ApiError> {
    let subject = subject(state, user, scope).await?;
    Ok(Tagged(text_json(state, subject.scope).await?))
}

/// Saves the text of the report of `scope` (audited) unless `if_match` names another state.
async fn save_text(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    scope: ReportScope,
    if_match: IfMatch,
    body: NewReportTextJson,
) -> Result<Tagged<ReportTextJson>, ApiError> {
    let subject = subject(state, user, scope).await?;
    let text = match ReportText::parse(&body.introduction, &body.recommendations) {
        Ok(text) => text,
        Err(ReportTextError::TooLong(field)) => {
            return Err(AppError::Invalid {
                field: field.to_string(),
                message: format!("Keep the {field} to {MAX_TEXT_CHARS} characters or fewer."),
            }
            .into());
        }
    };
    if_match.check(&text_json(state, subject.scope).await?)?;
    let actor = Actor {
        id: user.id(),
        address,
    };
    operations::reports::save_text(state, actor, subject.scope, &text).await?;
    Ok(Tagged(text_json(state, subject.scope).await?))
}

/// The coordinator's introduction and recommendations of the cycle's report, with its ETag.
#[utoipa::path(get, operation_id = "getCycleReportText", path = "/api/v1/cycles/{id}/report/text", tag = "reports", params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, description = "The text as saved", body = ReportTextJson), (status = 403, description = "The caller does not coordinate this cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn text(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Tagged<ReportTextJson>, ApiError> {
    tagged_text(&state, &user, ReportScope::Cycle(id)).await
}

/// Saves the introduction and recommendations (audited, as on the report page). Send the ETag
/// of the text as read in If-Match, so that another coordinator's edit is not overwritten.
#[utoipa::path(put, operation_id = "updateCycleReportText", path = "/api/v1/cycles/{id}/report/text", tag = "reports", params(("id" = i64, Path, description = "Cycle id"), IfMatch), request_body = NewReportTextJson,
    responses((status = 200, description = "The text as saved", body = ReportTextJson), (status = 403, description = "The caller does not coordinate this cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A text is too long (field introduction or recommendations)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_text(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    if_match: IfMatch,
    JsonBody(body): JsonBody<NewReportTextJson>,
) -> Result<Tagged<ReportTextJson>, ApiError> {
    save_text(
        &state,
        &user,
        &address,
        ReportScope::Cycle(id),
        if_match,
        body,
    )
    .await
}

/// The coordinator's introduction and recommendations of the year's report across schemes,
/// with its ETag.
#[utoipa::path(get, operation_id = "getYearReportText", path = "/api/v1/years/{year}/report/text", tag = "reports", params(("year" = i32, Path, description = "The year the academic year starts in (2025 for 2025/26)")),
    responses((status = 200, description = "The text as saved", body = ReportTextJson), (status = 403, description = "The caller is neither an organisation-wide coordinator nor an admin", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No cycle runs in this academic year, or flipside could not hold the year", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn year_text(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(year): ApiPath<i64>,
) -> Result<Tagged<ReportTextJson>, ApiError> {
    tagged_text(&state, &user, year_scope(year)?).await
}

/// Saves the introduction and recommendations of the year's report (audited, as on the
/// report page). Send the ETag of the text as read in If-Match, so that another coordinator's
/// edit is not overwritten.
#[utoipa::path(put, operation_id = "updateYearReportText", path = "/api/v1/years/{year}/report/text", tag = "reports", params(("year" = i32, Path, description = "The year the academic year starts in (2025 for 2025/26)"), IfMatch), request_body = NewReportTextJson,
    responses((status = 200, description = "The text as saved", body = ReportTextJson), (status = 403, description = "The caller is neither an organisation-wide coordinator nor an admin", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No cycle runs in this academic year, or flipside could not hold the year", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "A text is too long (field introduction or recommendations)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_year_text(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(year): ApiPath<i64>,
    if_match: IfMatch,
    JsonBody(body): JsonBody<NewReportTextJson>,
) -> Result<Tagged<ReportTextJson>, ApiError> {
    save_text(&state, &user, &address, year_scope(year)?, if_match, body).await
}

/// One published version of a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportVersionJson {
    pub number: i64,
    pub title: String,
    /// RFC 3339
    pub published_at: String,
    /// Who published it; absent once their account is erased.
    pub published_by: Option<String>,
    /// It prints a quote whose speaker has since withdrawn consent (or that left the bank).
    pub flagged: bool,
    /// The version as a web page (under /api/v1).
    pub html: String,
    /// The version as a PDF (under /api/v1).
    pub pdf: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportVersionList {
    /// Oldest first (by number).
    pub items: Vec<ReportVersionJson>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

async fn version_list(state: &AppState, subject: &Subject) -> Result<ReportVersionList, AppError> {
    let usable = usable_quotes(state, subject).await?;
    let base = format!("/api/v1{}", subject.scope.path());
    let items = state
        .store
        .report_versions(subject.scope)
        .await?
        .into_iter()
        .map(|v| {
            let quotes: Vec<i64> =
                serde_json::from_str(&v.quote_ids).map_err(AppError::internal)?;
            Ok(ReportVersionJson {
                html: format!("{base}/versions/{}/report.html", v.number),
                pdf: format!("{base}/versions/{}/report.pdf", v.number),
                number: v.number,
                title: v.title,
                published_at: v.published_at.to_rfc3339(),
                published_by: v.published_by_name,
                flagged: quotes.iter().any(|q| !usable.contains(q)),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(ReportVersionList {
        items,
        next_cursor: None,
    })
}

/// The published versions of the report of `scope`, a page at a time.
async fn version_page(
    state: &AppState,
    user: &CurrentUser,
    scope: ReportScope,
    params: &PageParams,
) -> Result<Json<ReportVersionList>, ApiError> {
    let subject = subject(state, user, scope).await?;
    let all = version_list(state, &subject).await?.items;
    let (items, next_cursor) = page(all, |v| v.number, params)?;
    Ok(Json(ReportVersionList { items, next_cursor }))
}

/// The cycle report's published versions, by number, a page at a time.
#[utoipa::path(get, operation_id = "listCycleReportVersions", path = "/api/v1/cycles/{id}/report/versions", tag = "reports", params(("id" = i64, Path, description = "Cycle id"), PageParams),
    responses((status = 200, description = "The published versions", body = ReportVersionList), (status = 403, description = "The caller does not coordinate this cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn versions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<ReportVersionList>, ApiError> {
    version_page(&state, &user, ReportScope::Cycle(id), &params).await
}

/// The year report's published versions, by number, a page at a time.
#[utoipa::path(get, operation_id = "listYearReportVersions", path = "/api/v1/years/{year}/report/versions", tag = "reports", params(("year" = i32, Path, description = "The year the academic year starts in (2025 for 2025/26)"), PageParams),
    responses((status = 200, description = "The published versions", body = ReportVersionList), (status = 403, description = "The caller is neither an organisation-wide coordinator nor an admin", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No cycle runs in this academic year, or flipside could not hold the year", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn year_versions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(year): ApiPath<i64>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<ReportVersionList>, ApiError> {
    version_page(&state, &user, year_scope(year)?, &params).await
}

/// How to publish: under which rule (the publication rule unless asked).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishReportJson {
    /// publication (default) or internal.
    #[serde(default)]
    #[schema(value_type = Option<ReportRuleName>)]
    pub rule: Option<String>,
}

/// Publishes the report of `scope` as it is now under its next number, through the page's
/// own operation (the version, its audit entry and the webhook event in one transaction).
async fn publish_version(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    scope: ReportScope,
    body: &PublishReportJson,
) -> Result<Response, ApiError> {
    let subject = subject(state, user, scope).await?;
    let rule = rule_of("rule", body.rule.as_deref())?;
    let gathered = current(state, subject.scope, rule).await?;
    let actor = Actor {
        id: user.id(),
        address,
    };
    let number = operations::reports::publish(
        state,
        actor,
        subject.scope,
        &gathered.report,
        &gathered.quote_ids,
    )
    .await?;
    let version = version_list(state, &subject)
        .await?
        .items
        .into_iter()
        .find(|v| v.number == number)
        .ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(version)).into_response())
}

/// Publishes the cycle's report as it is now under the next version number: its figures, text
/// and quotes are frozen and never change afterwards. The version, its audit entry and the
/// `report.published` webhook event are one transaction.
#[utoipa::path(post, operation_id = "publishCycleReport", path = "/api/v1/cycles/{id}/report/versions", tag = "reports", params(("id" = i64, Path, description = "Cycle id")), request_body = PublishReportJson,
    responses((status = 201, description = "The version published", body = ReportVersionJson), (status = 403, description = "The caller does not coordinate this cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "Another version was published at the same moment; try again", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The rule is not publication or internal (field rule)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn publish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(id): ApiPath<i64>,
    JsonBody(body): JsonBody<PublishReportJson>,
) -> Result<Response, ApiError> {
    publish_version(&state, &user, &address, ReportScope::Cycle(id), &body).await
}

/// Publishes the year's report across schemes as it is now under the next version number:
/// its figures, text and quotes are frozen and never change afterwards. The version, its audit
/// entry and the `report.published` webhook event are one transaction.
#[utoipa::path(post, operation_id = "publishYearReport", path = "/api/v1/years/{year}/report/versions", tag = "reports", params(("year" = i32, Path, description = "The year the academic year starts in (2025 for 2025/26)")), request_body = PublishReportJson,
    responses((status = 201, description = "The version published", body = ReportVersionJson), (status = 403, description = "The caller is neither an organisation-wide coordinator nor an admin", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No cycle runs in this academic year, or flipside could not hold the year", body = crate::error::Problem, content_type = "application/problem+json"), (status = 409, description = "Another version was published at the same moment; try again", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The rule is not publication or internal (field rule)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn publish_year(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ClientAddress(address): ClientAddress,
    ApiPath(year): ApiPath<i64>,
    JsonBody(body): JsonBody<PublishReportJson>,
) -> Result<Response, ApiError> {
    publish_version(&state, &user, &address, year_scope(year)?, &body).await
}

/// A published version of the cycle's report as a self-contained web page, exactly as frozen.
#[utoipa::path(get, operation_id = "getCycleReportVersionHtml", path = "/api/v1/cycles/{id}/report/versions/{number}/report.html", tag = "reports", params(("id" = i64, Path, description = "Cycle id"), ("number" = i64, Path, description = "Version number")),
    responses((status = 200, description = "The version as HTML", body = String, content_type = "text/html"), (status = 403, description = "The caller does not coordinate this cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn version_html(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, number)): ApiPath<(i64, i64)>,
) -> Result<Response, ApiError> {
    Ok(version_file(&state, &user, ReportScope::Cycle(id), number, false).await?)
}

/// A published version of the cycle's report as a PDF, exactly as frozen.
#[utoipa::path(get, operation_id = "getCycleReportVersionPdf", path = "/api/v1/cycles/{id}/report/versions/{number}/report.pdf", tag = "reports", params(("id" = i64, Path, description = "Cycle id"), ("number" = i64, Path, description = "Version number")),
    responses((status = 200, description = "The version as PDF", body = String, content_type = "application/pdf"), (status = 403, description = "The caller does not coordinate this cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn version_pdf(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, number)): ApiPath<(i64, i64)>,
) -> Result<Response, ApiError> {
    Ok(version_file(&state, &user, ReportScope::Cycle(id), number, true).await?)
}

/// A published version of the year's report as a self-contained web page, exactly as frozen.
#[utoipa::path(get, operation_id = "getYearReportVersionHtml", path = "/api/v1/years/{year}/report/versions/{number}/report.html", tag = "reports", params(("year" = i32, Path, description = "The year the academic year starts in (2025 for 2025/26)"), ("number" = i64, Path, description = "Version number")),
    responses((status = 200, description = "The version as HTML", body = String, content_type = "text/html"), (status = 403, description = "The caller is neither an organisation-wide coordinator nor an admin", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such version, or flipside could not hold the year", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn year_version_html(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((year, number)): ApiPath<(i64, i64)>,
) -> Result<Response, ApiError> {
    Ok(version_file(&state, &user, year_scope(year)?, number, false).await?)
}

/// A published version of the year's report as a PDF, exactly as frozen.
#[utoipa::path(get, operation_id = "getYearReportVersionPdf", path = "/api/v1/years/{year}/report/versions/{number}/report.pdf", tag = "reports", params(("year" = i32, Path, description = "The year the academic year starts in (2025 for 2025/26)"), ("number" = i64, Path, description = "Version number")),
    responses((status = 200, description = "The version as PDF", body = String, content_type = "application/pdf"), (status = 403, description = "The caller is neither an organisation-wide coordinator nor an admin", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No such version, or flipside could not hold the year", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn year_version_pdf(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((year, number)): ApiPath<(i64, i64)>,
) -> Result<Response, ApiError> {
    Ok(version_file(&state, &user, year_scope(year)?, number, true).await?)
}

/// The report of `scope` as it would be published now, as the page's preview PDF.
async fn draft_pdf(
    state: &AppState,
    user: &CurrentUser,
    scope: ReportScope,
    params: &ReportParams,
) -> Result<Response, ApiError> {
    let subject = subject(state, user, scope).await?;
    let rule = rule_of("rule", params.rule.as_deref())?;
    Ok(preview_file(state, &subject, rule, true).await?)
}

/// The cycle's report as it would be published now (the draft, not a version), as the PDF the
/// report page's preview downloads. Nothing is stored.
#[utoipa::path(get, operation_id = "getCycleReportDraftPdf", path = "/api/v1/cycles/{id}/report/preview.pdf", tag = "reports", params(("id" = i64, Path, description = "Cycle id"), ReportParams),
    responses((status = 200, description = "The draft as PDF", body = String, content_type = "application/pdf"), (status = 403, description = "The caller does not coordinate this cycle's scheme", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The rule is not publication or internal (field rule)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn draft_pdf_of_cycle(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<ReportParams>,
) -> Result<Response, ApiError> {
    draft_pdf(&state, &user, ReportScope::Cycle(id), &params).await
}

/// The year's report across schemes as it would be published now (the draft, not a version),
/// as the PDF the report page's preview downloads. Nothing is stored.
#[utoipa::path(get, operation_id = "getYearReportDraftPdf", path = "/api/v1/years/{year}/report/preview.pdf", tag = "reports", params(("year" = i32, Path, description = "The year the academic year starts in (2025 for 2025/26)"), ReportParams),
    responses((status = 200, description = "The draft as PDF", body = String, content_type = "application/pdf"), (status = 403, description = "The caller is neither an organisation-wide coordinator nor an admin", body = crate::error::Problem, content_type = "application/problem+json"), (status = 404, description = "No cycle runs in this academic year, or flipside could not hold the year", body = crate::error::Problem, content_type = "application/problem+json"), (status = 422, description = "The rule is not publication or internal (field rule)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn draft_pdf_of_year(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(year): ApiPath<i64>,
    ApiQuery(params): ApiQuery<ReportParams>,
) -> Result<Response, ApiError> {
    draft_pdf(&state, &user, year_scope(year)?, &params).await
}
