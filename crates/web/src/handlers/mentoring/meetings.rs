//! Meetings of a pair (SPEC §3.4): proposed by one member, confirmed or declined by the other,
//! downloaded as iCalendar, logged as held with how long they lasted; and the coordinators'
//! view of hours per pair against the target, with no content.
use crate::auth::ClientAddress;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::mentoring::pair_page::{
    Drafts, MeetingForm, framework_of, member_pair, pair_ref, render,
};
use crate::operations::{
    self,
    meetings::{Confirmation, Proposal},
};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use flipside_core::meetings::{
    MeetingStatus, ProposalInput, check_held_minutes, check_proposal, hours,
};
use flipside_core::policy::{self, Action};
use flipside_store::{Cycle, Meeting, Pair, PairHours, PairStatus, Scheme};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use serde::Deserialize;

pub async fn propose(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<MeetingForm>,
) -> Result<Response, AppError> {
    match propose_for(&state, &user, id, &form).await? {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/pairs/{id}#meetings"),
            "Meeting proposed. Your partner has been asked to confirm it.",
        )),
        Err(list) => {
            let (pair, cycle) = member_pair(&state, &user, id, Action::Create).await?;
            let mut errors = FormErrors::default();
            for (field, message) in list {
                errors.add(field, message);
            }
            let drafts = Drafts {
                meeting: form,
                ..Drafts::default()
            };
            render(&state, ctx, &user, &address, pair, cycle, (errors, drafts)).await
        }
    }
}

/// A member proposes a meeting of their pair, for the page and the API alike: the policy, the
/// pair's state and agreement, the proposal's checks, then the operation. Returns the
/// meeting's id, or the proposal's field errors (field, message).
pub(crate) async fn propose_for(
    state: &AppState,
    user: &CurrentUser,
    pair_id: i64,
    form: &MeetingForm,
) -> Result<Result<i64, Vec<(&'static str, String)>>, AppError> {
    let (pair, cycle) = member_pair(state, user, pair_id, Action::Create).await?;
    if pair.status() != PairStatus::Active {
        return Err(AppError::Conflict(
            "This pair has ended: no more meetings can be proposed.".into(),
        ));
    }
    let agreed = state.store.agreements(pair.id).await?;
    if ![pair.mentor_id, pair.mentee_id]
        .iter()
        .all(|m| agreed.iter().any(|a| a.user_id == *m))
    {
        return Err(AppError::Conflict(
            "Both of you must accept the expectations agreement before the first meeting is proposed.".into(),
        ));
    }
    let framework = framework_of(&cycle);
    let busy: Vec<_> = state
        .store
        .busy_meetings(pair.mentor_id, pair.mentee_id)
        .await?
        .iter()
        .map(Meeting::slot)
        .collect();
    let input = ProposalInput {
        date: &form.date,
        time: &form.time,
        minutes: &form.minutes,
        session: &form.session,
    };
    let zone = state.store.zone().await?;
    let proposal = match check_proposal(
        &input,
        framework.sessions.len(),
        state.clock.now(),
        &busy,
        zone,
    ) {
        Ok(p) => p,
        Err(list) => return Ok(Err(list)),
    };
    let partner = match pair.partner_of(user.id()) {
        Some((partner_id, _)) => Some(state.store.user(partner_id).await?),
        None => None,
    };
    let link = page_link(state, pair.id)?;
    let when = zone.span(proposal.slot.start, proposal.slot.minutes);
    let id = operations::meetings::propose(
        state,
        &user.user,
        pair.id,
        partner.as_ref(),
        Proposal {
            session_index: proposal.session as i64,
            slot: proposal.slot,
            topic: &framework.sessions[proposal.session].topic,
            when: &when,
            link: &link,
        },
    )
    .await?;
    Ok(Ok(id))
}

fn page_link(state: &AppState, pair_id: i64) -> Result<String, AppError> {
    Ok(state
        .settings
        .public_url
        .join(&format!("pairs/{pair_id}"))
        .map_err(AppError::internal)?
        .to_string())
}

/// A meeting and its pair, for one of the pair's members.
pub(crate) async fn member_meeting(
    state: &AppState,
    user: &CurrentUser,
    meeting_id: i64,
) -> Result<(Meeting, Pair, Cycle), AppError> {
    let meeting = state.store.meeting(meeting_id).await?;
    let (pair, cycle) = member_pair(state, user, meeting.pair_id, Action::View).await?;
    Ok((meeting, pair, cycle))
}

#[derive(Debug, Deserialize)]
pub struct RespondForm {
    decision: String,
}

/// The partner confirms or declines a proposal; a confirmation emails both members the
/// meeting as an iCalendar attachment.
pub async fn respond(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(meeting_id): Path<i64>,
    Form(form): Form<RespondForm>,
) -> Result<Response, AppError> {
    let (pair, confirm) = respond_for(&state, &user, meeting_id, &form.decision).await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{}#meetings", pair.id),
        if confirm {
            "Meeting confirmed. You can add it to your calendar."
        } else {
            "Meeting declined."
        },
    ))
}

/// The partner's answer to a proposed meeting (`confirm` or `decline`), for the page and the
/// API alike: the policy, the pair's state, then the operation. Returns the pair and whether
/// the meeting was confirmed.
pub(crate) async fn respond_for(
    state: &AppState,
    user: &CurrentUser,
    meeting_id: i64,
    decision: &str,
) -> Result<(Pair, bool), AppError> {
    let (meeting, pair, cycle) = member_meeting(state, user, meeting_id).await?;
    allow(policy::pair(
        &user.actor,
        pair_ref(&pair, &cycle),
        Action::Edit,
    ))?;
    let confirm = match decision {
        "confirm" => true,
        "decline" => false,
        _ => {
            return Err(AppError::BadRequest(
                "Choose to confirm or decline the meeting.".into(),
            ));
        }
    };
    if pair.status() != PairStatus::Active {
        return Err(AppError::Conflict(
            "This pair has ended: its meetings can no longer be confirmed.".into(),
        ));
    }
    if !policy::respond_to_meeting(&user.actor, pair_ref(&pair, &cycle), meeting.proposed_by) {
        return Err(AppError::Conflict(
            "You proposed this meeting: your partner confirms or declines it.".into(),
        ));
    }
    let mentor = state.store.user(pair.mentor_id).await?;
    let mentee = state.store.user(pair.mentee_id).await?;
    if confirm {
        let scheme = state.store.scheme(cycle.scheme_id).await?;
        let ics = calendar(state, &meeting, &pair, &cycle, &scheme);
        let link = page_link(state, pair.id)?;
        let when = state
            .store
            .zone()
            .await?
            .span(meeting.starts_at, meeting.duration_minutes);
        let confirmation = Confirmation {
            when: &when,
            link: &link,
            calendar: &ics,
        };
        operations::meetings::respond(state, meeting.id, [&mentor, &mentee], Some(confirmation))
            .await?;
    } else {
        operations::meetings::respond(state, meeting.id, [&mentor, &mentee], None).await?;
    }
    Ok((pair, confirm))
}

/// The meeting as an RFC 5545 calendar, with the session's topic, prompts and pre-reading.
fn calendar(
    state: &AppState,
    meeting: &Meeting,
    pair: &Pair,
    cycle: &Cycle,
    scheme: &Scheme,
) -> String {
    let framework = framework_of(cycle);
    let session = framework.sessions.get(meeting.session_index as usize);
    let topic = session
        .map(|s| s.topic.as_str())
        .unwrap_or("Mentoring meeting");
    let mut description = format!(
        "{} {}: {} and {}.\n\nSession {}: {}\n",
        scheme.name,
        cycle.year(),
        pair.mentor_name,
        pair.mentee_name,
        meeting.session_index + 1,
        topic
    );
    if let Some(s) = session {
        description.push_str("\nPrompts:\n");
        for p in &s.prompts {
            description.push_str(&format!("- {p}\n"));
        }
        if let Some(r) = &s.pre_reading {
            description.push_str(&format!("\nPre-reading: {r}\n"));
        }
    }
    let host = state
        .settings
        .public_url
        .host_str()
        .unwrap_or("flipside")
        .to_string();
    let status = if meeting.status() == MeetingStatus::Proposed {
        EventStatus::Tentative
    } else {
        EventStatus::Confirmed
    };
    let event = Event::with_uid(&format!("meeting-{}@{host}", meeting.id))
        .summary(&format!("Reverse mentoring: {topic}"))
        .description(&description)
        .starts(meeting.starts_at)
        .ends(meeting.slot().end())
        .status(status)
        .url(&format!("{}pairs/{}", state.settings.public_url, pair.id))
        .done();
    Calendar::new().push(event).done().to_string()
}

/// Downloading a confirmed (or held) meeting as an `.ics` file.
pub async fn ics(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(meeting_id): Path<i64>,
) -> Result<Response, AppError> {
    let body = calendar_for(&state, &user, meeting_id).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"meeting-{meeting_id}.ics\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// A confirmed (or held) meeting as an RFC 5545 calendar, for one of its pair's members, for
/// the page and the API alike.
pub(crate) async fn calendar_for(
    state: &AppState,
    user: &CurrentUser,
    meeting_id: i64,
) -> Result<String, AppError> {
    let (meeting, pair, cycle) = member_meeting(state, user, meeting_id).await?;
    if !matches!(
        meeting.status(),
        MeetingStatus::Confirmed | MeetingStatus::Held
    ) {
        return Err(AppError::Conflict(
            "Only a confirmed meeting can be added to a calendar.".into(),
        ));
    }
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    Ok(calendar(state, &meeting, &pair, &cycle, &scheme))
}

#[derive(Debug, Deserialize)]
pub struct HeldForm {
    #[serde(default)]
    held_minutes: String,
}

/// Logging a meeting as held, with how long it lasted.
pub async fn held(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(meeting_id): Path<i64>,
    Form(form): Form<HeldForm>,
) -> Result<Response, AppError> {
    let (meeting, pair, cycle) = member_meeting(&state, &user, meeting_id).await?;
    match held_for(&state, &user, meeting_id, &form.held_minutes).await? {
        Ok(minutes) => Ok(redirect_with_flash(
            &format!("/pairs/{}#meetings", pair.id),
            &format!("Meeting logged: {}.", hours(minutes)),
        )),
        Err(message) => {
            let mut errors = FormErrors::default();
            errors.add(&format!("held-{}", meeting.id), message);
            let drafts = Drafts {
                target: Some(meeting.id),
                held_minutes: form.held_minutes,
                ..Drafts::default()
            };
            render(&state, ctx, &user, &address, pair, cycle, (errors, drafts)).await
        }
    }
}

/// A member logs a meeting as held, for the page and the API alike: the policy, then the
/// checks (it has started; the minutes are in range), then the change. Returns the minutes
/// logged, or why the input was refused.
pub(crate) async fn held_for(
    state: &AppState,
    user: &CurrentUser,
    meeting_id: i64,
    held_minutes: &str,
) -> Result<Result<i64, String>, AppError> {
    let (meeting, pair, cycle) = member_meeting(state, user, meeting_id).await?;
    allow(policy::pair(
        &user.actor,
        pair_ref(&pair, &cycle),
        Action::Edit,
    ))?;
    let checked = if meeting.starts_at > state.clock.now() {
        Err("You can log this meeting once it has started.".to_string())
    } else {
        check_held_minutes(held_minutes)
    };
    let minutes = match checked {
        Ok(m) => m,
        Err(message) => return Ok(Err(message)),
    };
    state.store.mark_meeting_held(meeting.id, minutes).await?;
    Ok(Ok(minutes))
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/hours.html")]
pub struct HoursPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    rows: Vec<HoursRow>,
    total_hours: String,
    mean_hours: String,
    at_target: usize,
    /// The organisation's weeks without a meeting before a pair is marked as not meeting.
    stale_weeks: u32,
}

impl HoursPage {
    /// Active pairs that have not met for the organisation's number of weeks.
    fn not_meeting(&self) -> usize {
        self.rows.iter().filter(|r| r.not_meeting).count()
    }
}

pub struct HoursRow {
    pub pair: PairHours,
    pub hours: String,
    pub status_label: &'static str,
    pub reached: bool,
    /// An active pair that has not met for the organisation's number of weeks.
    pub not_meeting: bool,
}

/// Hours met per pair against the target, for the scheme's coordinators.
pub async fn cycle_hours(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<HoursPage, AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::pair_hours(&user.actor, cycle.scheme_id))?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let pairs = state.store.hours_of_cycle(id).await?;
    let stale = crate::handlers::home::stale_weeks(state.organisation().await?.as_ref());
    let cutoff = stale.cutoff(state.clock.today_in(ctx.zone), ctx.zone);
    let total: i64 = pairs.iter().map(|p| p.minutes_held).sum();
    let target_minutes = cycle.hours_target * 60;
    let rows: Vec<HoursRow> = pairs
        .into_iter()
        .map(|p| HoursRow {
            hours: hours(p.minutes_held),
            status_label: p.status.get().label(),
            reached: p.minutes_held >= target_minutes,
            not_meeting: p.status.get() == PairStatus::Active
                && flipside_core::progress::not_meeting(p.published_at, p.last_met, cutoff),
            pair: p,
        })
        .collect();
    Ok(HoursPage {
        ctx,
        total_hours: hours(total),
        mean_hours: if rows.is_empty() {
            "–".into()
        } else {
            hours((total + rows.len() as i64 / 2) / rows.len() as i64)
        },
        at_target: rows.iter().filter(|r| r.reached).count(),
        stale_weeks: stale.get(),
        rows,
        scheme,
        cycle,
    })
}
