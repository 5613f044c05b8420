//! What a pair's page shows, shared by the actions taken on it (pairs, meetings, actions): the
//! pair as its member reaches it, the forms as typed, and the page itself, re-rendered with a
//! refused form's errors.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::{FormErrors, PageCtx};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use flipside_core::actions::ActionStatus;
use flipside_core::framework::Framework;
use flipside_core::meetings::{MeetingStatus, hours};
use flipside_core::policy::{self, Action, PairRef};
use flipside_store::{Agreement, Concern, Cycle, Evidence, FollowUpAction, Pair, PairStatus};
use serde::Deserialize;
use std::collections::HashMap;

/// Loads a pair and its cycle, refusing (as the policy says for `action`) anyone who is not one of its members.
pub async fn member_pair(
    state: &AppState,
    user: &CurrentUser,
    pair_id: i64,
    action: Action,
) -> Result<(Pair, Cycle), AppError> {
    let pair = state.store.pair_records(pair_id).await?.pair.clone();
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
    /// Already logged as held: the form corrects the time met instead.
    pub held: bool,
    /// A confirmed meeting that has not started yet: it can be logged as held from then.
    pub held_from: Option<String>,
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
    /// The viewer is the pair's mentee (the staff leader), to whom raised actions go.
    i_am_mentee: bool,
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
    /// What the meeting form says about the hours the clocks skip or repeat.
    repeated_hour_rule: &'static str,
    /// The concerns the viewer raised, with their status and the coordinators' reply (only
    /// the raiser sees them: not their partner).
    my_concerns: Vec<Concern>,
}

/// Builds the pair page for a member.
pub async fn render(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    address: &str,
    pair: Pair,
    cycle: Cycle,
    (errors, drafts): (FormErrors, Drafts),
) -> Result<Response, AppError> {
    let me = user.id();
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let framework = framework_of(&cycle);
    let records = state.store.pair_records(pair.id).await?;
    let agreements = records.agreements.clone();
    let now = state.clock.now();
    let zone = ctx.zone;
    // The hours met: every held meeting's minutes, as `Store::minutes_held` sums them.
    let minutes: i64 = records
        .meetings
        .iter()
        .filter(|m| m.status() == MeetingStatus::Held)
        .filter_map(|m| m.held_minutes)
        .sum();
    let meetings = records
        .meetings
        .iter()
        .map(|m| {
            let status = m.status();
            MeetingView {
                id: m.id,
                topic: framework
                    .sessions
                    .get(m.session_index as usize)
                    .map(|s| format!("Session {}: {}", m.session_index + 1, s.topic))
                    .unwrap_or_else(|| format!("Session {}", m.session_index + 1)),
                when: zone.span(m.starts_at, m.duration_minutes),
                status: status.as_str(),
                proposed_by_me: m.proposed_by == me,
                can_respond: status == MeetingStatus::Proposed && m.proposed_by != me,
                can_download: matches!(status, MeetingStatus::Confirmed | MeetingStatus::Held),
                can_log_held: matches!(status, MeetingStatus::Confirmed | MeetingStatus::Held)
                    && m.starts_at <= now,
                held_from: (status == MeetingStatus::Confirmed && m.starts_at > now)
                    .then(|| zone.long(m.starts_at)),
                held: status == MeetingStatus::Held,
                held_hours: m.held_minutes.map(hours),
                minutes: m.held_minutes.unwrap_or(m.duration_minutes),
            }
        })
        .collect();
    let notes: Vec<_> = records
        .notes
        .iter()
        .filter(|n| {
            let shared_with = if n.shared {
                partner_of_author(&pair, n.author_id)
            } else {
                None
            };
            policy::private_note(&user.actor, n.author_id, shared_with, Action::View)
        })
        .collect();
    // The partner's shared notes this page shows are a read of their private writing, audited
    // (without its words) whenever the page is shown: on a visit and when a form comes back
    // with an error alike, counted from the very notes shown.
    let shared_with_me = notes
        .iter()
        .filter(|n| n.shared && n.author_id != me)
        .count();
    if shared_with_me > 0 {
        crate::handlers::audit_read(
            state,
            user,
            address,
            "shared_notes_read",
            ("pair", pair.id),
            &format!("{shared_with_me} notes the partner shared"),
        )
        .await?;
    }
    let notes = notes
        .into_iter()
        .map(|n| NoteView {
            id: n.id,
            mine: n.author_id == me,
            shared: n.shared,
            written: zone.long(n.created_at),
            body: n.body.clone(),
        })
        .collect();
    let actions = action_views(state, user, records.actions.iter().cloned()).await?;
    let my_concerns = records.concerns_raised_by(me);
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
        i_am_mentee: pair.mentee_id == me,
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
        repeated_hour_rule: flipside_core::local_time::REPEATED_HOUR_RULE,
        my_concerns,
    };
    let code = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((code, page).into_response())
}

/// An action as a page shows it to this viewer.
pub struct ActionView {
    pub action: FollowUpAction,
    /// Who raised it ("Raised by …"), or words saying it was raised anonymously.
    pub raiser: String,
    pub status_label: &'static str,
    pub evidence: Vec<Evidence>,
    /// The viewer owns it and may move it on and add evidence.
    pub is_owner: bool,
    /// (status code, button label) of each step the owner may take.
    pub next: Vec<(&'static str, &'static str)>,
    pub can_decline: bool,
    /// The cycle the action came from, for the scheme-wide page.
    pub cycle_label: String,
}

fn step_label(s: ActionStatus) -> &'static str {
    match s {
        ActionStatus::Agreed => "Accept this action",
        ActionStatus::InProgress => "Mark as in progress",
        ActionStatus::Done => "Mark as done",
        ActionStatus::Declined => "Decline",
        ActionStatus::Proposed => "Propose",
    }
}

/// Builds what the viewer may see of each action (with its evidence): an anonymous raiser is
/// named only to themselves.
pub async fn action_views(
    state: &AppState,
    user: &CurrentUser,
    actions: impl IntoIterator<Item = (FollowUpAction, Vec<Evidence>)>,
) -> Result<Vec<ActionView>, AppError> {
    let mut years: HashMap<i64, String> = HashMap::new();
    let mut out = Vec::new();
    for (a, evidence) in actions {
        if let std::collections::hash_map::Entry::Vacant(e) = years.entry(a.cycle_id) {
            e.insert(state.store.cycle(a.cycle_id).await?.year().to_string());
        }
        let status = a.status();
        let raiser = if policy::action_raiser_name(&user.actor, a.raised_by, a.anonymous) {
            if a.anonymous {
                format!(
                    "Raised by {}, anonymously to the organisation",
                    a.raiser_name
                )
            } else {
                format!("Raised by {}", a.raiser_name)
            }
        } else {
            "Raised anonymously".to_string()
        };
        out.push(ActionView {
            evidence,
            is_owner: policy::action_owner(&user.actor, a.owner_id),
            next: status
                .next_steps()
                .iter()
                .filter(|s| **s != ActionStatus::Declined)
                .map(|s| (s.as_str(), step_label(*s)))
                .collect(),
            can_decline: status.next_steps().contains(&ActionStatus::Declined),
            status_label: status.label(),
            cycle_label: years.get(&a.cycle_id).cloned().unwrap_or_default(),
            raiser,
            action: a,
        });
    }
    Ok(out)
}

/// The member a note is shared with: the other member of the pair.
fn partner_of_author(pair: &Pair, author_id: i64) -> Option<i64> {
    pair.partner_of(author_id).map(|(id, _)| id)
}
