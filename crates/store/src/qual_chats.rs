//! The pages of reflective chats (issue 11): who a chat can be recorded with, the list of a
//! cycle's chats, a participant's own chats, removing one's own excerpt, and the participant's
//! requests to remove a passage with the coordinator's answer. The chats themselves and their
//! excerpts are kept by `qualitative.rs`; this module adds what the pages need around them.
use crate::error::{OrNotFound, StoreError};
use crate::pool::on_pool;
use crate::qualitative::{CHAT_COLUMNS, CONSENT_EVENTS, ChatRow, encode_segments};
use crate::tx::on_tx;
use crate::{ChatRecord, Result, Store, Tx, now};
use chrono::{DateTime, NaiveDate, Utc};
use flipside_core::qualitative::excerpt::Span;
use flipside_core::qualitative::transcript::{Chat, ChatStage};
use flipside_core::recruitment::ConsentKind;
use serde::Serialize;
use std::collections::BTreeMap;

/// A member of one of a cycle's pairs, as the form to record a chat offers them.
#[derive(Debug, Clone, Serialize)]
pub struct ChatCandidate {
    pub user_id: i64,
    pub name: String,
    /// `mentor` or `mentee`.
    pub role: String,
    /// Their research consent to this cycle stands now.
    pub research_consent: bool,
}

/// One chat in a cycle's list (no text).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ChatListRow {
    pub id: i64,
    pub participant_user_id: i64,
    pub participant_name: String,
    pub participant_role: String,
    pub held_on: NaiveDate,
    pub stage: String,
    pub interviewer_name: Option<String>,
}

impl ChatListRow {
    /// The stage's words ("End of cycle"); a corrupt stored value shows as itself.
    pub fn stage_label(&self) -> &str {
        match ChatStage::parse(&self.stage) {
            Some(stage) => stage.label(),
            None => &self.stage,
        }
    }

    /// The participant's side in words.
    pub fn side_label(&self) -> &'static str {
        side_label(&self.participant_role)
    }
}

/// A participant's side (`mentor` or `mentee`) in words.
pub fn side_label(role: &str) -> &'static str {
    match role {
        "mentor" => "Mentor (student)",
        "mentee" => "Mentee (senior leader)",
        _ => "Participant",
    }
}

/// A person who could interview: the scheme's coordinators and researchers.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Interviewer {
    pub id: i64,
    pub name: String,
}

/// Where a request to remove a passage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RemovalStatus {
    Open,
    Accepted,
    Declined,
}

impl RemovalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RemovalStatus::Open => "open",
            RemovalStatus::Accepted => "accepted",
            RemovalStatus::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<RemovalStatus> {
        [
            RemovalStatus::Open,
            RemovalStatus::Accepted,
            RemovalStatus::Declined,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A participant's request to remove passages of their chat.
#[derive(Debug, Clone, Serialize)]
pub struct RemovalRequest {
    pub id: i64,
    pub chat_id: i64,
    pub requested_by: i64,
    /// The passages, in the chat's current offsets (while open).
    pub spans: Vec<Span>,
    pub reason: String,
    pub status: RemovalStatus,
    /// The coordinator's words when they declined.
    pub reply: String,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RemovalRow {
    id: i64,
    chat_id: i64,
    requested_by: i64,
    spans: String,
    reason: String,
    status: String,
    reply: String,
    decided_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl TryFrom<RemovalRow> for RemovalRequest {
    type Error = StoreError;
    fn try_from(r: RemovalRow) -> Result<RemovalRequest> {
        let status = RemovalStatus::parse(&r.status)
            .ok_or_else(|| StoreError::Corrupt(format!("removal status {:?}", r.status)))?;
        Ok(RemovalRequest {
            id: r.id,
            chat_id: r.chat_id,
            requested_by: r.requested_by,
            spans: decode_spans(&r.spans)?,
            reason: r.reason,
            status,
            reply: r.reply,
            decided_at: r.decided_at,
            created_at: r.created_at,
        })
    }
}

/// Spans as stored: `start-end` pairs separated by commas.
pub(crate) fn encode_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| format!("{}-{}", s.start, s.end))
        .collect::<Vec<_>>()
        .join(",")
}

fn decode_spans(stored: &str) -> Result<Vec<Span>> {
    let corrupt = || StoreError::Corrupt(format!("removal spans {stored:?}"));
    stored
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (a, b) = p.split_once('-').ok_or_else(corrupt)?;
            Ok(Span {
                start: a.parse().map_err(|_| corrupt())?,
                end: b.parse().map_err(|_| corrupt())?,
            })
        })
        .collect()
}

const REMOVAL_COLUMNS: &str =
    "id, chat_id, requested_by, spans, reason, status, reply, decided_at, created_at";

const LIST_SQL: &str = "SELECT c.id, c.participant_user_id, p.display_name AS participant_name, c.participant_role, c.held_on, c.stage, i.display_name AS interviewer_name
     FROM qual_chats c JOIN users p ON p.id = c.participant_user_id LEFT JOIN users i ON i.id = c.interviewer_user_id";

impl Store {
    /// The members of a cycle's pairs, each with whether their research consent stands (only
    /// those can have a chat recorded), mentors first, then by name.
    pub async fn chat_candidates(&self, cycle_id: i64) -> Result<Vec<ChatCandidate>> {
        let people: Vec<(i64, String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT x.user_id, u.display_name, x.role FROM (
                 SELECT mentor_id AS user_id, 'mentor' AS role FROM pairs WHERE cycle_id = $1
                 UNION SELECT mentee_id, 'mentee' FROM pairs WHERE cycle_id = $1) x
             JOIN users u ON u.id = x.user_id ORDER BY x.role DESC, u.display_name, x.user_id"
        ).bind(cycle_id).fetch_all(pool).await)?;
        let sql = format!(
            "SELECT x.user_id, x.given FROM ({CONSENT_EVENTS}) x WHERE x.cycle_id = $1 AND x.kind = $2 ORDER BY x.at, x.id"
        );
        let events: Vec<(i64, bool)> = on_pool!(self, pool => sqlx::query_as(&sql).bind(cycle_id).bind(ConsentKind::Research.as_str()).fetch_all(pool).await)?;
        let mut latest = BTreeMap::new();
        for (user, given) in events {
            latest.insert(user, given);
        }
        Ok(people
            .into_iter()
            .map(|(user_id, name, role)| ChatCandidate {
                research_consent: latest.get(&user_id).copied().unwrap_or(false),
                user_id,
                name,
                role,
            })
            .collect())
    }

    /// Who can be named as a chat's interviewer: the coordinators and researchers of the
    /// scheme (organisation-wide or scoped to it), by name.
    pub async fn chat_interviewers(&self, scheme_id: i64) -> Result<Vec<Interviewer>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, Interviewer>(
            "SELECT DISTINCT u.id, u.display_name AS name FROM users u JOIN role_grants g ON g.user_id = u.id
             WHERE g.role IN ('coordinator', 'researcher') AND u.disabled = FALSE
               AND (g.scope_kind = 'organisation' OR (g.scope_kind = 'scheme' AND g.scope_id = $1))
             ORDER BY 2, 1"
        ).bind(scheme_id).fetch_all(pool).await)?)
    }

    /// A cycle's chats for its list, newest first.
    pub async fn chat_list(&self, cycle_id: i64) -> Result<Vec<ChatListRow>> {
        let sql = format!("{LIST_SQL} WHERE c.cycle_id = $1 ORDER BY c.held_on DESC, c.id DESC");
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, ChatListRow>(&sql).bind(cycle_id).fetch_all(pool).await)?,
        )
    }

    /// A participant's own chats, newest first.
    pub async fn chats_with(&self, user_id: i64) -> Result<Vec<ChatListRow>> {
        if self.chat_count_with(user_id).await? == 0 {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{LIST_SQL} WHERE c.participant_user_id = $1 ORDER BY c.held_on DESC, c.id DESC"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, ChatListRow>(&sql).bind(user_id).fetch_all(pool).await)?,
        )
    }

    /// The requests to remove passages of a chat, oldest first.
    pub async fn removal_requests(&self, chat_id: i64) -> Result<Vec<RemovalRequest>> {
        let sql = format!(
            "SELECT {REMOVAL_COLUMNS} FROM qual_chat_removals WHERE chat_id = $1 ORDER BY id"
        );
        let rows = on_pool!(self, pool => sqlx::query_as::<_, RemovalRow>(&sql).bind(chat_id).fetch_all(pool).await)?;
        rows.into_iter().map(RemovalRequest::try_from).collect()
    }
}

impl Tx {
    /// Serialises the operations that change a chat's text or its excerpts' offsets.
    pub async fn lock_chat(&mut self, chat_id: i64) -> Result<()> {
        self.lock(&format!("qual-chat:{chat_id}")).await
    }

    /// One chat, read in the transaction (after [`Tx::lock_chat`]).
    pub async fn chat_record(&mut self, id: i64) -> Result<ChatRecord> {
        let sql = format!("SELECT {CHAT_COLUMNS} FROM qual_chats WHERE id = $1");
        let row = on_tx!(self, c => sqlx::query_as::<_, ChatRow>(&sql).bind(id).fetch_optional(&mut *c).await)
            .or_not_found()?;
        row.try_into()
    }

    /// The id, coder and span of every excerpt of a chat, read in the transaction.
    pub async fn excerpt_spans(&mut self, chat_id: i64) -> Result<Vec<(i64, i64, Span)>> {
        let rows: Vec<(i64, i64, i64, i64)> = on_tx!(self, c => sqlx::query_as(
            "SELECT id, coder_user_id, span_start, span_end FROM qual_excerpts WHERE chat_id = $1 ORDER BY id"
        ).bind(chat_id).fetch_all(&mut *c).await)?;
        let corrupt = || StoreError::Corrupt("excerpt span".into());
        rows.into_iter()
            .map(|(id, coder, s, e)| {
                Ok((
                    id,
                    coder,
                    Span {
                        start: usize::try_from(s).map_err(|_| corrupt())?,
                        end: usize::try_from(e).map_err(|_| corrupt())?,
                    },
                ))
            })
            .collect()
    }

    /// Deletes one excerpt of a chat by its coder (its codes and any quote made from it go
    /// with it). Not found unless that coder made it on that chat.
    pub async fn delete_own_excerpt(
        &mut self,
        chat_id: i64,
        excerpt_id: i64,
        coder_user_id: i64,
    ) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query(
            "DELETE FROM qual_excerpts WHERE id = $1 AND chat_id = $2 AND coder_user_id = $3"
        ).bind(excerpt_id).bind(chat_id).bind(coder_user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes an excerpt (with its codes and quote) whatever its coder: a removed passage
    /// takes every excerpt that overlaps it.
    pub async fn delete_excerpt(&mut self, excerpt_id: i64) -> Result<()> {
        on_tx!(self, c => sqlx::query("DELETE FROM qual_excerpts WHERE id = $1")
            .bind(excerpt_id).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Moves an excerpt to new offsets (the same words, after an earlier passage shrank).
    pub async fn move_excerpt(&mut self, excerpt_id: i64, span: Span) -> Result<()> {
        on_tx!(self, c => sqlx::query("UPDATE qual_excerpts SET span_start = $1, span_end = $2 WHERE id = $3")
            .bind(span.start as i64).bind(span.end as i64).bind(excerpt_id).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Replaces a chat's text and segments (a passage removed).
    pub async fn replace_chat_text(&mut self, chat_id: i64, chat: &Chat) -> Result<()> {
        on_tx!(self, c => sqlx::query("UPDATE qual_chats SET text = $1, segments = $2 WHERE id = $3")
            .bind(&chat.text).bind(encode_segments(&chat.segments)).bind(chat_id).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Records a participant's request to remove passages of their chat.
    pub async fn request_removal(
        &mut self,
        chat_id: i64,
        requested_by: i64,
        spans: &[Span],
        reason: &str,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO qual_chat_removals (chat_id, requested_by, spans, reason, status, reply, created_at) VALUES ($1, $2, $3, $4, 'open', '', $5) RETURNING id"
        ).bind(chat_id).bind(requested_by).bind(encode_spans(spans)).bind(reason).bind(now())
            .fetch_one(&mut *c).await)?;
        Ok(id)
    }

    /// The requests of a chat still open, read in the transaction.
    pub async fn open_removals(&mut self, chat_id: i64) -> Result<Vec<RemovalRequest>> {
        let sql = format!(
            "SELECT {REMOVAL_COLUMNS} FROM qual_chat_removals WHERE chat_id = $1 AND status = 'open' ORDER BY id"
        );
        let rows = on_tx!(self, c => sqlx::query_as::<_, RemovalRow>(&sql).bind(chat_id).fetch_all(&mut *c).await)?;
        rows.into_iter().map(RemovalRequest::try_from).collect()
    }

    /// Moves an open request's passages (after another request shifted the text).
    pub async fn move_removal(&mut self, removal_id: i64, spans: &[Span]) -> Result<()> {
        on_tx!(self, c => sqlx::query("UPDATE qual_chat_removals SET spans = $1 WHERE id = $2")
            .bind(encode_spans(spans)).bind(removal_id).execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }

    /// Closes an open request as accepted or declined. Conflict when it is no longer open.
    pub async fn decide_removal(
        &mut self,
        removal_id: i64,
        status: RemovalStatus,
        reply: &str,
        decided_by: i64,
    ) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE qual_chat_removals SET status = $1, reply = $2, decided_by = $3, decided_at = $4 WHERE id = $5 AND status = 'open'"
        ).bind(status.as_str()).bind(reply).bind(decided_by).bind(now()).bind(removal_id)
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::Conflict(
                "that request has already been answered".into(),
            ));
        }
        Ok(())
    }
}
