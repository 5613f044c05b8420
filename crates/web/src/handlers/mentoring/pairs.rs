//! A pair's own page (SPEC §3.4): partner, the cycle's meeting plan, hours against the target,
//! the expectations agreement, meetings, private notes, actions, and the route to raise a
//! concern. Only the pair's two members reach it (`policy::pair`); each note is shown only
//! where `policy::private_note` allows.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::mentoring::actions::{ActionView, action_views};
use crate::operations::{self, cycles::Actor};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::actions::{TEXT_MAX, text};
use flipside_core::framework::Framework;
use flipside_core::meetings::{MeetingStatus, hours};
use flipside_core::policy::{self, Action, PairRef};
use flipside_store::{Agreement, Cycle, Pair, PairStatus};
use serde::Deserialize;

/// Loads a pair and its cycle, refusing (as the policy says for `action`) anyone who is not one of its members.
pub async fn member_pair(
    state: &AppState,
    user: &CurrentUser,
    pair_id: i64,
    action: Action,
) -> Result<(Pair, Cycle), AppError> {
    let pair = state.store.pair(pair_id).await?;
    let cycle = state.store.cycle(pair.cycle_id).await?;
    allow(policy::pair(&user.actor, pair_ref(&pair, &cycle), action))?;
    Ok((pair, cycle))
}

pub fn pair_ref(pair: &Pair, cycle: &Cycle) -> PairRef {
    PairRef {
        mentor_id: pair.mentor_id,
        mentee_id: pair.mentee_id,
        scheme_id: cycle.scheme_id,
    }
}

/// The cycle's plan; a cycle whose framework cannot be read falls back to the default plan,
/// so a pair can still meet.
pub fn framework_of(cycle: &Cycle) -> Framework {
    serde_json::from_str(&cycle.framework).unwrap_or_else(|_| Framework::default_plan())
}

/// What the person typed into the page's forms, shown again when one is refused.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub time: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub session: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    pub note_body: String,
    #[serde(default)]
    pub note_shared: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConcernForm {
    #[serde(default)]
    pub concern: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub action_title: String,
    #[serde(default)]
    pub action_description: String,
    #[serde(default)]
    pub action_anonymous: Option<String>,
}

/// Every form of the page, as typed.
#[derive(Debug, Clone, Default)]
pub struct Drafts {
    pub meeting: MeetingForm,
    pub note: NoteForm,
    pub concern: ConcernForm,
    pub action: ActionForm,
    /// The action or meeting whose own small form was refused, with what was typed.
    pub target: Option<i64>,
    pub reason: String,
    pub evidence_body: String,
    pub evidence_link: String,
    pub held_minutes: String,
}

impl Drafts {
    /// Whether this meeting's or action's own form is the one being shown again.
    pub fn targets(&self, id: &i64) -> bool {
        self.target == Some(*id)
    }
}

/// A meeting as the pair page shows it.
pub struct MeetingView {
    pub id: i64,
    pub topic: String,
    pub when: String,
    pub status: &'static str,
    pub proposed_by_me: bool,
    pub can_respond: bool,
    pub can_download: bool,
    pub can_log_held: bool,
    pub held_hours: Option<String>,
    pub minutes: i64,
}

/// A note the viewer may read.
pub struct NoteView {
    pub id: i64,
    pub body: String,
    pub mine: bool,
    pub shared: bool,
    pub written: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pairs/show.html")]
pub struct PairPage {
    ctx: PageCtx,
    pair: Pair,
    status_label: &'static str,
    cycle_label: String,
    scheme_id: i64,
    scheme_name: String,
    partner: String,
    framework: Framework,
    hours_done: String,
    hours_target: i64,
    agreements: Vec<Agreement>,
    i_accepted: bool,
    both_accepted: bool,
    active: bool,
    meetings: Vec<MeetingView>,
    notes: Vec<NoteView>,
    actions: Vec<ActionView>,
    errors: FormErrors,
    drafts: Drafts,
}

/// When a meeting takes place, in words.
pub fn when(start: chrono::DateTime<chrono::Utc>, minutes: i64) -> String {
    let end = start + chrono::Duration::minutes(minutes);
    format!(
        "{}, {}–{} UTC",
        start.format("%A %-d %B %Y"),
        start.format("%H:%M"),
        end.format("%H:%M")
    )
}

/// Builds the pair page for a member.
pub async fn render(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    pair: Pair,
    cycle: Cycle,
    errors: FormErrors,
    drafts: Drafts,
) -> Result<Response, AppError> {
    let me = user.id();
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let framework = framework_of(&cycle);
    let agreements = state.store.agreements(pair.id).await?;
    let now = chrono::Utc::now();
    let meetings = state
        .store
        .meetings_of_pair(pair.id)
        .await?
        .into_iter()
        .map(|m| {
            let status = m.status();
            MeetingView {
                id: m.id,
                topic: framework
                    .sessions
                    .get(m.session_index as usize)
                    .map(|s| format!("Session {}: {}", m.session_index + 1, s.topic))
                    .unwrap_or_else(|| format!("Session {}", m.session_index + 1)),
                when: when(m.starts_at, m.duration_minutes),
                status: status.as_str(),
                proposed_by_me: m.proposed_by == me,
                can_respond: status == MeetingStatus::Proposed && m.proposed_by != me,
                can_download: matches!(status, MeetingStatus::Confirmed | MeetingStatus::Held),
                can_log_held: matches!(status, MeetingStatus::Confirmed | MeetingStatus::Held)
                    && m.starts_at <= now,
                held_hours: m.held_minutes.map(hours),
                minutes: m.held_minutes.unwrap_or(m.duration_minutes),
            }
        })
        .collect();
    let notes = state
        .store
        .notes_of_pair(pair.id)
        .await?
        .into_iter()
        .filter(|n| {
            let shared_with = if n.shared {
                partner_of_author(&pair, n.author_id)
            } else {
                None
            };
            policy::private_note(&user.actor, n.author_id, shared_with, Action::View)
        })
        .map(|n| NoteView {
            id: n.id,
            mine: n.author_id == me,
            shared: n.shared,
            written: n.created_at.format("%-d %B %Y, %H:%M UTC").to_string(),
            body: n.body,
        })
        .collect();
    let actions = action_views(state, user, state.store.actions_of_pair(pair.id).await?).await?;
    let minutes = state.store.minutes_held(pair.id).await?;
    let page = PairPage {
        ctx,
        status_label: pair.status().label(),
        cycle_label: format!("{} {}", scheme.name, cycle.year()),
        scheme_id: scheme.id,
        scheme_name: scheme.name,
        partner: pair
            .partner_of(me)
            .map(|(_, n)| n.to_string())
            .unwrap_or_default(),
        hours_done: hours(minutes),
        hours_target: cycle.hours_target,
        i_accepted: agreements.iter().any(|a| a.user_id == me),
        both_accepted: [pair.mentor_id, pair.mentee_id]
            .iter()
            .all(|m| agreements.iter().any(|a| a.user_id == *m)),
        active: pair.status() == PairStatus::Active,
        agreements,
        framework,
        meetings,
        notes,
        actions,
        pair,
        drafts,
        errors,
    };
    let code = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((code, page).into_response())
}

/// The member a note is shared with: the other member of the pair.
fn partner_of_author(pair: &Pair, author_id: i64) -> Option<i64> {
    pair.partner_of(author_id).map(|(id, _)| id)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (pair, cycle) = member_pair(&state, &user, id, Action::View).await?;
    let shared_with_me = state
        .store
        .notes_of_pair(pair.id)
        .await?
        .iter()
        .filter(|n| n.shared && n.author_id != user.id())
        .count();
    if shared_with_me > 0 {
        crate::handlers::audit_read(
            &state,
            &user,
            &address,
            "shared_notes_read",
            ("pair", pair.id),
            &format!("{shared_with_me} notes the partner shared"),
        )
        .await?;
    }
    render(
        &state,
        ctx,
        &user,
        pair,
        cycle,
        FormErrors::default(),
        Drafts::default(),
    )
    .await
}

/// Accepting the expectations agreement.
pub async fn accept_agreement(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (pair, _) = member_pair(&state, &user, id, Action::Edit).await?;
    if pair.status() != PairStatus::Active {
        return Err(AppError::Conflict("This pair has ended.".into()));
    }
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::meetings::accept_agreement(&state, actor, pair.id).await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{id}"),
        "You accepted the expectations agreement.",
    ))
}

pub async fn add_note(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<NoteForm>,
) -> Result<Response, AppError> {
    let (pair, cycle) = member_pair(&state, &user, id, Action::Create).await?;
    let body = match text(&form.note_body, "your note", true, TEXT_MAX) {
        Ok(b) => b,
        Err(m) => {
            let mut errors = FormErrors::default();
            errors.add("note_body", m);
            let drafts = Drafts {
                note: form,
                ..Drafts::default()
            };
            return render(&state, ctx, &user, pair, cycle, errors, drafts).await;
        }
    };
    let shared = form.note_shared.is_some();
    state
        .store
        .add_note(pair.id, user.id(), &body, shared)
        .await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{id}#notes"),
        if shared {
            "Your note is saved and shared with your partner."
        } else {
            "Your note is saved. Only you can read it."
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct ShareForm {
    shared: String,
}

/// Sharing a note with the partner, or taking it back: its author only.
pub async fn share_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, note_id)): Path<(i64, i64)>,
    Form(form): Form<ShareForm>,
) -> Result<Response, AppError> {
    let (pair, _) = member_pair(&state, &user, id, Action::View).await?;
    let note = state.store.note(note_id).await?;
    if note.pair_id != pair.id {
        return Err(AppError::NotFound);
    }
    allow(policy::private_note(
        &user.actor,
        note.author_id,
        None,
        Action::Edit,
    ))?;
    let shared = form.shared == "yes";
    state.store.set_note_shared(note.id, shared).await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{id}#notes"),
        if shared {
            "Your partner can now read this note."
        } else {
            "This note is private to you again."
        },
    ))
}

/// Raising a concern with the scheme's coordinators: stored, audited without its words, and
/// emailed to each coordinator.
pub async fn raise_concern(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<ConcernForm>,
) -> Result<Response, AppError> {
    let (pair, cycle) = member_pair(&state, &user, id, Action::Create).await?;
    let body = match text(
        &form.concern,
        "what you would like the coordinator to know",
        true,
        TEXT_MAX,
    ) {
        Ok(b) => b,
        Err(m) => {
            let mut errors = FormErrors::default();
            errors.add("concern", m);
            let drafts = Drafts {
                concern: form,
                ..Drafts::default()
            };
            return render(&state, ctx, &user, pair, cycle, errors, drafts).await;
        }
    };
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let coordinators = state.store.coordinators_of(cycle.scheme_id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    operations::meetings::raise_concern(
        &state,
        actor,
        &user.user.display_name,
        (&pair, &cycle, &scheme),
        &body,
        &coordinators,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/pairs/{id}"),
        "Your concern has been sent to the scheme's coordinators.",
    ))
}
