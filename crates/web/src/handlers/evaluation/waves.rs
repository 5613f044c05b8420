//! A cycle's surveys, for its coordinators: the waves' dates, response rates per wave and role,
//! invitations and reminders through the outbox; and the researchers' export of consenting
//! participants' answers with its codebook (SPEC §3.5, §3.12).
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::evaluation::results::{self, rule_of};
use crate::operations::survey_reminders::{schedule_of, set_schedule};
use crate::operations::{cycles::Actor, surveys};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use flipside_core::evaluation::{ResponseRate, Wave};
use flipside_core::policy;
use flipside_core::research_export::{self, CodebookStatement};
use flipside_core::survey_reminders::{schedule_field, validate_schedule};
use flipside_core::surveys::{date_field, stored_scale_labels, validate_wave_dates};
use flipside_store::{Cycle, NewAuditEntry, Scheme, SurveyWave};
use std::collections::BTreeMap;

/// One wave as the page shows it.
pub struct WaveRow {
    pub wave: Wave,
    pub dates: Option<SurveyWave>,
    pub status: &'static str,
    /// "Student mentors: 25 of 26"
    pub rates: Vec<String>,
    /// The reminder schedule in words.
    pub schedule: String,
    /// The next scheduled reminder, if one is still to come.
    pub next_reminder: Option<chrono::NaiveDate>,
}

#[derive(Template, WebTemplate)]
#[template(path = "cycles/surveys.html")]
pub struct WavesPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    waves: Vec<WaveRow>,
    /// Whether any wave's dates are set (reminders can be scheduled only then).
    any_dates: bool,
    form: BTreeMap<String, String>,
    errors: FormErrors,
}

impl WavesPage {
    fn field(&self, name: &str) -> String {
        self.form.get(name).cloned().unwrap_or_default()
    }

    fn value(&self, wave: &Wave, end: &str) -> String {
        self.form
            .get(&date_field(*wave, end))
            .cloned()
            .unwrap_or_default()
    }

    fn error(&self, wave: &Wave, end: &str) -> Option<String> {
        self.errors.get(&date_field(*wave, end)).cloned()
    }
}

/// The cycle and its scheme, once the policy allows managing its surveys.
pub(crate) async fn managed(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Cycle, Scheme), AppError> {
    crate::handlers::cycle_if(state, id, |c| {
        policy::manage_surveys(&user.actor, c.scheme_id)
    })
    .await
}

/// Response rates per wave and role: "Student mentors: 25 of 26". Everyone who submitted
/// counts, with or without research consent.
pub async fn rates_by_wave(
    state: &AppState,
    cycle_id: i64,
) -> Result<BTreeMap<Wave, Vec<String>>, AppError> {
    let counts = state.store.survey_participant_counts(cycle_id).await?;
    let answers = state.store.survey_answers(cycle_id).await?;
    let org = state.organisation().await?.ok_or(AppError::NotFound)?;
    let mut out: BTreeMap<Wave, Vec<String>> = BTreeMap::new();
    for role in results::build(&counts, &answers, &rule_of(&org)?, &BTreeMap::new()) {
        for ResponseRate {
            wave,
            responded,
            invited,
            ..
        } in role.rates
        {
            out.entry(wave)
                .or_default()
                .push(format!("{}: {responded} of {invited}", role.title));
        }
    }
    Ok(out)
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    cycle: Cycle,
    scheme: Scheme,
    form: Option<BTreeMap<String, String>>,
    errors: FormErrors,
) -> Result<WavesPage, AppError> {
    let stored = state.store.survey_waves(cycle.id).await?;
    let mut rates = rates_by_wave(state, cycle.id).await?;
    let today = state.today().await?;
    let mut waves = Vec::new();
    for w in Wave::ALL {
        let dates = stored.iter().find(|s| s.wave() == w).cloned();
        let status = match &dates {
            None => "dates not set",
            Some(d) if d.dates().is_open(today) => "open",
            Some(d) if d.dates().is_closed(today) => "closed",
            Some(_) => "not open yet",
        };
        let schedule = match &dates {
            Some(d) => Some((schedule_of(d)?, d.dates())),
            None => None,
        };
        waves.push(WaveRow {
            wave: w,
            dates,
            status,
            rates: rates.remove(&w).unwrap_or_default(),
            schedule: schedule
                .as_ref()
                .map(|(s, _)| s.words())
                .unwrap_or_default(),
            next_reminder: schedule.and_then(|(s, d)| s.next_after(&d, today)),
        });
    }
    // What the coordinator typed, over what is stored.
    let mut stored_form = BTreeMap::new();
    for s in &stored {
        stored_form.insert(date_field(s.wave(), "opens"), s.opens_on.to_string());
        stored_form.insert(date_field(s.wave(), "closes"), s.closes_on.to_string());
        let schedule = schedule_of(s)?;
        stored_form.insert(
            schedule_field(s.wave(), "every"),
            schedule
                .every_days
                .map(|n| n.to_string())
                .unwrap_or_default(),
        );
        stored_form.insert(schedule_field(s.wave(), "dates"), schedule.dates_text());
    }
    stored_form.extend(form.unwrap_or_default());
    let form = stored_form;
    Ok(WavesPage {
        ctx,
        scheme,
        cycle,
        any_dates: !stored.is_empty(),
        waves,
        form,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<WavesPage, AppError> {
    let (cycle, scheme) = managed(&state, &user, id).await?;
    render(&state, ctx, cycle, scheme, None, FormErrors::default()).await
}

pub async fn set_dates(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed(&state, &user, id).await?;
    match validate_wave_dates(&form) {
        Ok(waves) => {
            let actor = Actor {
                id: user.id(),
                address: &address,
            };
            surveys::set_dates(&state, actor, id, &waves).await?;
            Ok(redirect_with_flash(
                &format!("/cycles/{id}/surveys"),
                "The survey dates are saved.",
            ))
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&state, ctx, cycle, scheme, Some(form), FormErrors(errors)).await?,
        )
            .into_response()),
    }
}

/// Sets one wave's reminder schedule. Errors name the wave and sit beside its fields; nothing
/// is saved on failure.
pub async fn set_reminders(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, wave)): Path<(i64, String)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = managed(&state, &user, id).await?;
    let wave = Wave::parse(&wave).ok_or(AppError::NotFound)?;
    let back = format!("/cycles/{id}/surveys");
    let Some(w) = state.store.survey_wave(id, wave).await? else {
        return Ok(redirect_with_flash(
            &back,
            "Set the wave's dates before its reminders.",
        ));
    };
    let typed = |which: &str| {
        form.get(&schedule_field(wave, which))
            .map_or("", String::as_str)
    };
    match validate_schedule(&w.dates(), typed("every"), typed("dates")) {
        Ok(schedule) => {
            let actor = Actor {
                id: user.id(),
                address: &address,
            };
            set_schedule(&state.store, actor, &w, &schedule).await?;
            Ok(redirect_with_flash(
                &format!("{back}#reminders"),
                &format!("{}: {}", wave.title(), schedule.words()),
            ))
        }
        Err(errors) => {
            // Only this wave's schedule fields are kept as typed.
            let typed: BTreeMap<String, String> = form
                .into_iter()
                .filter(|(k, _)| k.starts_with(&format!("{}_remind_", wave.as_str())))
                .collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&state, ctx, cycle, scheme, Some(typed), FormErrors(errors)).await?,
            )
                .into_response())
        }
    }
}

pub(crate) use crate::operations::surveys::{Mailed, Mailing};

async fn mail(
    state: &AppState,
    (user, address): (&CurrentUser, &str),
    id: i64,
    wave: &str,
    mailing: Mailing,
) -> Result<Response, AppError> {
    let back = format!("/cycles/{id}/surveys");
    let Mailed {
        queued,
        already,
        enrolled,
    } = match mail_wave(state, (user, address), id, wave, mailing).await {
        Ok(m) => m,
        Err(AppError::Conflict(message)) => return Ok(redirect_with_flash(&back, &message)),
        Err(e) => return Err(e),
    };
    let what = match mailing {
        Mailing::Invite => "invitations",
        Mailing::Remind => "reminders",
    };
    let message = if already > 0 {
        format!(
            "{queued} {what} queued; {already} had already been queued{} and were not sent again.",
            if mailing == Mailing::Remind {
                " today"
            } else {
                ""
            }
        )
    } else {
        format!("{queued} {what} queued.")
    };
    let message = if enrolled > 0 {
        format!("{enrolled} newly enrolled in the evaluation. {message}")
    } else {
        message
    };
    Ok(redirect_with_flash(&back, &message))
}

/// Invites a wave's respondents (enrolling whoever has joined the cycle since) or reminds
/// those who have not responded, for the page and the API alike: the policy, the wave's
/// dates, then the operation ([`surveys::mail_wave`]: the enrolments, the event, every email
/// and the audit entry in one transaction). A wave without dates, closed,
/// or (for reminders) not open is a `Conflict` saying so; an unknown wave is `NotFound`.
pub(crate) async fn mail_wave(
    state: &AppState,
    (user, address): (&CurrentUser, &str),
    id: i64,
    wave: &str,
    mailing: Mailing,
) -> Result<Mailed, AppError> {
    let (cycle, scheme) = managed(state, user, id).await?;
    let wave = Wave::parse(wave).ok_or(AppError::NotFound)?;
    let Some(w) = state.store.survey_wave(id, wave).await? else {
        return Err(AppError::Conflict(
            "Set the wave's dates before sending emails about it.".into(),
        ));
    };
    let today = state.today().await?;
    if w.dates().is_closed(today) {
        return Err(AppError::Conflict(
            "This wave has closed: no emails were sent.".into(),
        ));
    }
    if mailing == Mailing::Remind && !w.dates().is_open(today) {
        return Err(AppError::Conflict(
            "Reminders can be sent while the wave is open.".into(),
        ));
    }
    let actor = Actor {
        id: user.id(),
        address,
    };
    surveys::mail_wave(state, actor, (&cycle, &scheme), &w, mailing, today).await
}

pub async fn invite(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, wave)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    mail(&state, (&user, &address), id, &wave, Mailing::Invite).await
}

pub async fn remind(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, wave)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    mail(&state, (&user, &address), id, &wave, Mailing::Remind).await
}

/// The cycle, once the policy allows exporting its research data; the export is audited.
async fn exportable(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    id: i64,
    what: &str,
) -> Result<(Cycle, Scheme), AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::research_export(&user.actor, cycle.scheme_id))?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    state
        .store
        .audit(NewAuditEntry {
            actor_id: Some(user.id()),
            action: "research_export",
            subject_kind: "cycle",
            subject_id: Some(id),
            detail: what,
            address,
        })
        .await?;
    Ok((cycle, scheme))
}

fn download(content_type: &'static str, file_name: String, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn export_answers(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    answers_download(&state, &user, &address, id).await
}

/// The research export of a cycle as a CSV download (the page and the API): refused unless
/// the policy allows it, audited before anything is sent.
pub async fn answers_download(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    id: i64,
) -> Result<Response, AppError> {
    let (cycle, _) = exportable(state, user, address, id, "answers.csv").await?;
    let rows = state.store.research_rows(id).await?;
    let body = research_export::csv(&rows).map_err(AppError::internal)?;
    Ok(download(
        "text/csv; charset=utf-8",
        format!("answers-{}.csv", cycle.year().to_string().replace('/', "-")),
        body,
    ))
}

pub async fn export_codebook(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    codebook_download(&state, &user, &address, id).await
}

/// The codebook of a cycle's research export as a Markdown download (the page and the API):
/// refused unless the policy allows the export, audited before anything is sent.
pub async fn codebook_download(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    id: i64,
) -> Result<Response, AppError> {
    let (cycle, scheme) = exportable(state, user, address, id, "codebook.md").await?;
    // The statements this cycle asked, in its words (issue 11), with its side's scale labels.
    let labels: BTreeMap<String, String> = state
        .store
        .instruments()
        .await?
        .into_iter()
        .map(|i| (i.audience, i.scale_labels))
        .collect();
    let statements: Vec<CodebookStatement> = state
        .store
        .cycle_instrument(cycle.id)
        .await?
        .statements
        .into_iter()
        .filter(|s| !s.retired)
        .map(|s| CodebookStatement {
            labels: stored_scale_labels(labels.get(&s.role).map_or("", String::as_str)),
            role: s.role,
            code: s.code,
            aim: s.heading,
            text: s.text,
        })
        .collect();
    let body = research_export::codebook(
        &format!("{} {}", scheme.name, cycle.year()),
        "Row-level data of consenting participants: keep it within the evaluation team and apply the organisation's disclosure rule to anything published from it.",
        &statements,
    );
    Ok(download(
        "text/markdown; charset=utf-8",
        format!("codebook-{}.md", cycle.year().to_string().replace('/', "-")),
        body,
    ))
}
