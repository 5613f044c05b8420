//! The events operations record, and what each one's payload says. Only ids, states, dates and
//! links: a payload never holds a name, an email address, a note, a concern's or an action's
//! words, or anything of the special categories, and these variants have no field that could.
use crate::error::AppError;
use crate::settings::Settings;
use flipside_core::webhook::EventKind;
use flipside_store::Tx;
use serde_json::{Value, json};

/// Something that happened, to be sent to the subscribed endpoints.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// A coordinator decided an application (`decision` is its state: `accepted`, ...).
    ApplicationDecided {
        application_id: i64,
        cycle_id: i64,
        decision: &'a str,
    },
    /// A cycle's pairs were published; `pair_ids` are the newly published pairs.
    PairsPublished { cycle_id: i64, pair_ids: &'a [i64] },
    /// A pair's meeting was confirmed by the partner.
    MeetingConfirmed { meeting_id: i64, pair_id: i64 },
    /// An action moved from one state to another.
    ActionStatusChanged {
        action_id: i64,
        pair_id: i64,
        from: &'a str,
        to: &'a str,
    },
    /// A survey wave's invitations went out: the wave is open to its respondents.
    SurveyWaveOpened {
        cycle_id: i64,
        wave_id: i64,
        wave: &'a str,
        opens_on: &'a str,
        closes_on: &'a str,
    },
    /// A report's version was published. `scope` is `cycle` or `year`, `scope_id` the cycle's
    /// id or the year it starts in.
    ReportPublished {
        scope: &'a str,
        scope_id: i64,
        version: i64,
        link: &'a str,
    },
}

impl Event<'_> {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::ApplicationDecided { .. } => EventKind::ApplicationDecided,
            Event::PairsPublished { .. } => EventKind::PairsPublished,
            Event::MeetingConfirmed { .. } => EventKind::MeetingConfirmed,
            Event::ActionStatusChanged { .. } => EventKind::ActionStatusChanged,
            Event::SurveyWaveOpened { .. } => EventKind::SurveyWaveOpened,
            Event::ReportPublished { .. } => EventKind::ReportPublished,
        }
    }

    /// The key that names this occurrence (recorded once), and the payload's `data`.
    fn key_and_data(
        &self,
        settings: &Settings,
        at: chrono::DateTime<chrono::Utc>,
    ) -> (String, Value) {
        let api = |path: String| settings.link(&format!("api/v1/{path}"));
        match *self {
            Event::ApplicationDecided {
                application_id,
                cycle_id,
                decision,
            } => (
                format!("application:{application_id}:{decision}"),
                json!({
                    "application_id": application_id,
                    "cycle_id": cycle_id,
                    "status": decision,
                    "links": { "cycle": api(format!("cycles/{cycle_id}")) },
                }),
            ),
            Event::PairsPublished { cycle_id, pair_ids } => (
                format!(
                    "pairs:{cycle_id}:{}",
                    pair_ids
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                json!({
                    "cycle_id": cycle_id,
                    "pair_ids": pair_ids,
                    "links": {
                        "cycle": api(format!("cycles/{cycle_id}")),
                        "pairs": api(format!("cycles/{cycle_id}/pairs")),
                    },
                }),
            ),
            Event::MeetingConfirmed {
                meeting_id,
                pair_id,
            } => (
                format!("meeting:{meeting_id}:confirmed"),
                json!({
                    "meeting_id": meeting_id,
                    "pair_id": pair_id,
                    "status": "confirmed",
                    "links": { "pair": settings.link(&format!("pairs/{pair_id}")) },
                }),
            ),
            Event::ActionStatusChanged {
                action_id,
                pair_id,
                from,
                to,
            } => (
                // An action can return to a state it left, so each move is its own occurrence.
                format!("action:{action_id}:{from}:{to}:{}", at.timestamp_micros()),
                json!({
                    "action_id": action_id,
                    "pair_id": pair_id,
                    "from": from,
                    "status": to,
                    "links": { "action": settings.link(&format!("pairs/{pair_id}#action-{action_id}")) },
                }),
            ),
            Event::SurveyWaveOpened {
                cycle_id,
                wave_id,
                wave,
                opens_on,
                closes_on,
            } => (
                format!("wave:{wave_id}:opened"),
                json!({
                    "cycle_id": cycle_id,
                    "wave_id": wave_id,
                    "wave": wave,
                    "opens_on": opens_on,
                    "closes_on": closes_on,
                    "links": { "surveys": settings.link(&format!("cycles/{cycle_id}/surveys")) },
                }),
            ),
            Event::ReportPublished {
                scope,
                scope_id,
                version,
                link,
            } => (
                format!("report:{scope}:{scope_id}:{version}"),
                json!({
                    "scope": scope,
                    "scope_id": scope_id,
                    "version": version,
                    "links": { "report": settings.link(link) },
                }),
            ),
        }
    }

    /// The JSON document sent, and the key naming the occurrence.
    pub fn payload(
        &self,
        settings: &Settings,
        at: chrono::DateTime<chrono::Utc>,
    ) -> (String, String) {
        let (key, data) = self.key_and_data(settings, at);
        let kind = self.kind().as_str();
        let body = json!({
            "event": kind,
            "occurred_at": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "data": data,
        });
        (format!("{kind}:{key}"), body.to_string())
    }
}

/// Records `event` in the operation's transaction `tx`; it is delivered to each active
/// subscription to its kind once `tx` commits. Returns how many deliveries were queued.
pub async fn record(tx: &mut Tx, settings: &Settings, event: Event<'_>) -> Result<usize, AppError> {
    let (key, body) = event.payload(settings, flipside_store::now());
    Ok(tx.record_event(&key, event.kind(), &body).await?)
}
