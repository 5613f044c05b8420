//! Reflective chats, their coding, the quote bank and the findings per aim (issue 11, SPEC
//! §3.7). The rules are `flipside_core::qualitative`; this module keeps what they decide.
//! Reads are methods on [`Store`]; writes are methods on [`Tx`], each business operation one
//! transaction with its audit entry.
use crate::error::{OrNotFound, StoreError};
use crate::pool::on_pool;
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use chrono::{DateTime, NaiveDate, Utc};
use flipside_core::qualitative::aims::{Aim, AimAudience, default_aims};
use flipside_core::qualitative::codebook::{Codebook, default_codebook};
use flipside_core::qualitative::excerpt::{Excerpt, NewExcerpt, Span};
use flipside_core::qualitative::transcript::{Chat, ChatStage, Segment};
use flipside_core::recruitment::ConsentKind;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A recorded reflective chat.
#[derive(Debug, Clone, Serialize)]
pub struct ChatRecord {
    pub id: i64,
    pub cycle_id: i64,
    pub participant_user_id: i64,
    /// `mentor` or `mentee`: the participant's side in the cycle.
    pub participant_role: String,
    pub interviewer_user_id: Option<i64>,
    pub held_on: NaiveDate,
    pub stage: ChatStage,
    /// `typed`, `txt`, `docx` or `vtt`.
    pub format: String,
    /// The text and its numbered segments.
    pub chat: Chat,
    pub recorded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ChatRow {
    id: i64,
    cycle_id: i64,
    participant_user_id: i64,
    participant_role: String,
    interviewer_user_id: Option<i64>,
    held_on: NaiveDate,
    stage: String,
    format: String,
    text: String,
    segments: String,
    recorded_by: Option<i64>,
    created_at: DateTime<Utc>,
}

impl TryFrom<ChatRow> for ChatRecord {
    type Error = StoreError;
    fn try_from(r: ChatRow) -> Result<ChatRecord> {
        let stage = ChatStage::parse(&r.stage)
            .ok_or_else(|| StoreError::Corrupt(format!("chat stage {:?}", r.stage)))?;
        let segments = decode_segments(&r.segments, r.text.len())?;
        Ok(ChatRecord {
            id: r.id,
            cycle_id: r.cycle_id,
            participant_user_id: r.participant_user_id,
            participant_role: r.participant_role,
            interviewer_user_id: r.interviewer_user_id,
            held_on: r.held_on,
            stage,
            format: r.format,
            chat: Chat {
                text: r.text,
                segments,
            },
            recorded_by: r.recorded_by,
            created_at: r.created_at,
        })
    }
}

/// Segments as stored: one line per segment, `start<TAB>end<TAB>speaker`, numbered by line.
pub(crate) fn encode_segments(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        let speaker = s
            .speaker
            .as_deref()
            .unwrap_or("")
            .replace(['\t', '\n', '\r'], " ");
        out.push_str(&format!("{}\t{}\t{}\n", s.start, s.end, speaker));
    }
    out
}

fn decode_segments(stored: &str, text_len: usize) -> Result<Vec<Segment>> {
    let corrupt = || StoreError::Corrupt("chat segments".into());
    let mut out = Vec::new();
    for (i, line) in stored.lines().enumerate() {
        let mut parts = line.splitn(3, '\t');
        let start: usize = parts
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(corrupt)?;
        let end: usize = parts
            .next()
            .and_then(|p| p.parse().ok())
            .ok_or_else(corrupt)?;
        if start > end || end > text_len {
            return Err(corrupt());
        }
        let speaker = parts.next().unwrap_or("");
        out.push(Segment {
            number: u32::try_from(i + 1).map_err(|_| corrupt())?,
            speaker: (!speaker.is_empty()).then(|| speaker.to_string()),
            start,
            end,
        });
    }
    Ok(out)
}

/// A chat about to be recorded.
#[derive(Debug, Clone)]
pub struct NewChat<'a> {
    pub cycle_id: i64,
    pub participant_user_id: i64,
    pub participant_role: &'a str,
    pub interviewer_user_id: Option<i64>,
    pub held_on: NaiveDate,
    pub stage: ChatStage,
    pub format: &'a str,
    pub chat: &'a Chat,
    pub recorded_by: Option<i64>,
}

/// A quote in the bank, with its participant.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct QuoteRow {
    pub id: i64,
    pub excerpt_id: i64,
    pub chat_id: i64,
    pub participant_user_id: i64,
    pub original: String,
    pub edited: String,
    pub created_at: DateTime<Utc>,
}

/// The coordinator's finding for one aim of a cycle.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Finding {
    pub aim: String,
    pub finding: String,
    pub updated_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) const CHAT_COLUMNS: &str = "id, cycle_id, participant_user_id, participant_role, interviewer_user_id, held_on, stage, format, text, segments, recorded_by, created_at";

/// Every consent event with its cycle and person: students' on their applications, staff
/// leaders' on their accepted invitations.
pub(crate) const CONSENT_EVENTS: &str = "SELECT a.cycle_id, a.user_id, ac.kind, ac.given, ac.at, ac.id FROM application_consents ac JOIN applications a ON a.id = ac.application_id \
     UNION ALL SELECT i.cycle_id, i.user_id, ic.kind, ic.given, ic.at, ic.id FROM invitation_consents ic JOIN staff_invitations i ON i.id = ic.invitation_id";

impl Store {
    /// A scheme's aims in order; the defaults when the scheme has none stored yet.
    pub async fn aims_of_scheme(&self, scheme_id: i64) -> Result<Vec<Aim>> {
        let rows: Vec<(String, String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT key, label, audience FROM qual_aims WHERE scheme_id = $1 ORDER BY position, id"
        ).bind(scheme_id).fetch_all(pool).await)?;
        if rows.is_empty() {
            return Ok(default_aims());
        }
        rows.into_iter()
            .map(|(key, label, audience)| {
                let audience = AimAudience::parse(&audience)
                    .ok_or_else(|| StoreError::Corrupt(format!("aim audience {audience:?}")))?;
                Ok(Aim {
                    key,
                    label,
                    audience,
                })
            })
            .collect()
    }

    /// A scheme's codebook (empty until [`Tx::ensure_codebook`] or a code is added).
    pub async fn codebook_of_scheme(&self, scheme_id: i64) -> Result<Codebook> {
        use crate::qual_analysis::{CODE_SELECT, CodeRow, decode};
        let rows: Vec<CodeRow> = on_pool!(self, pool => sqlx::query_as(CODE_SELECT).bind(scheme_id).fetch_all(pool).await)?;
        decode(rows)
    }

    /// One chat. Callers decide access with `flipside_core::policy` and audit the read.
    pub async fn chat_record(&self, id: i64) -> Result<ChatRecord> {
        let sql = format!("SELECT {CHAT_COLUMNS} FROM qual_chats WHERE id = $1");
        let row = on_pool!(self, pool => sqlx::query_as::<_, ChatRow>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()?;
        row.try_into()
    }

    /// A cycle's chats, in the order they were recorded.
    pub async fn chats_of_cycle(&self, cycle_id: i64) -> Result<Vec<ChatRecord>> {
        let sql = format!("SELECT {CHAT_COLUMNS} FROM qual_chats WHERE cycle_id = $1 ORDER BY id");
        let rows = on_pool!(self, pool => sqlx::query_as::<_, ChatRow>(&sql).bind(cycle_id).fetch_all(pool).await)?;
        rows.into_iter().map(ChatRecord::try_from).collect()
    }

    /// Every coder's excerpts of a chat, with their codes, oldest first.
    pub async fn excerpts_of_chat(&self, chat_id: i64) -> Result<Vec<Excerpt>> {
        self.excerpts_where("e.chat_id = $1", chat_id).await
    }

    /// Every excerpt of every chat of a cycle.
    pub async fn excerpts_of_cycle(&self, cycle_id: i64) -> Result<Vec<Excerpt>> {
        self.excerpts_where(
            "e.chat_id IN (SELECT id FROM qual_chats WHERE cycle_id = $1)",
            cycle_id,
        )
        .await
    }

    async fn excerpts_where(&self, condition: &str, id: i64) -> Result<Vec<Excerpt>> {
        type Row = (i64, i64, i64, i64, i64, Option<String>);
        let sql = format!(
            "SELECT e.id, e.chat_id, e.coder_user_id, e.span_start, e.span_end, e.memo FROM qual_excerpts e WHERE {condition} ORDER BY e.id"
        );
        let rows: Vec<Row> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_all(pool).await)?;
        let sql = format!(
            "SELECT c.excerpt_id, c.code_id FROM qual_excerpt_codes c JOIN qual_excerpts e ON e.id = c.excerpt_id WHERE {condition} ORDER BY c.excerpt_id, c.code_id"
        );
        let links: Vec<(i64, i64)> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_all(pool).await)?;
        let mut codes: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (excerpt, code) in links {
            codes.entry(excerpt).or_default().push(code);
        }
        let corrupt = || StoreError::Corrupt("excerpt span".into());
        rows.into_iter()
            .map(|(id, chat, coder, start, end, memo)| {
                Ok(Excerpt {
                    id,
                    chat,
                    coder,
                    span: Span {
                        start: usize::try_from(start).map_err(|_| corrupt())?,
                        end: usize::try_from(end).map_err(|_| corrupt())?,
                    },
                    codes: codes.remove(&id).unwrap_or_default(),
                    memo,
                })
            })
            .collect()
    }

    /// A cycle's quotes, whoever's consent stands or not (filter with
    /// `flipside_core::qualitative::quotes::usable` and [`Store::quote_consenting`]).
    pub async fn quotes_of_cycle(&self, cycle_id: i64) -> Result<Vec<QuoteRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, QuoteRow>(
            "SELECT q.id, q.excerpt_id, e.chat_id, q.participant_user_id, q.original, q.edited, q.created_at
             FROM qual_quotes q JOIN qual_excerpts e ON e.id = q.excerpt_id JOIN qual_chats c ON c.id = e.chat_id
             WHERE c.cycle_id = $1 ORDER BY q.id"
        ).bind(cycle_id).fetch_all(pool).await)?)
    }

    /// Whether `user_id`'s consent of `kind` to cycle `cycle_id` stands now (their latest
    /// consent event of that kind, on their application or their staff invitation, was a
    /// giving).
    pub async fn consent_stands(
        &self,
        cycle_id: i64,
        user_id: i64,
        kind: ConsentKind,
    ) -> Result<bool> {
        let sql = format!(
            "SELECT x.given FROM ({CONSENT_EVENTS}) x WHERE x.cycle_id = $1 AND x.user_id = $2 AND x.kind = $3
             ORDER BY x.at DESC, x.id DESC LIMIT 1"
        );
        let latest: Option<(bool,)> = on_pool!(self, pool => sqlx::query_as(&sql).bind(cycle_id).bind(user_id).bind(kind.as_str()).fetch_optional(pool).await)?;
        Ok(latest.is_some_and(|(given,)| given))
    }

    /// The people of a cycle whose consent of `kind` stands now (their latest event of that
    /// kind, on their application or their staff invitation, was a giving).
    pub async fn consenting_to(&self, cycle_id: i64, kind: ConsentKind) -> Result<BTreeSet<i64>> {
        let sql = format!(
            "SELECT x.user_id, x.given FROM ({CONSENT_EVENTS}) x WHERE x.cycle_id = $1 AND x.kind = $2 ORDER BY x.at, x.id"
        );
        let rows: Vec<(i64, bool)> = on_pool!(self, pool => sqlx::query_as(&sql).bind(cycle_id).bind(kind.as_str()).fetch_all(pool).await)?;
        let mut latest = BTreeMap::new();
        for (user, given) in rows {
            latest.insert(user, given);
        }
        Ok(latest
            .into_iter()
            .filter_map(|(user, given)| given.then_some(user))
            .collect())
    }

    /// The people of a cycle whose quote consent stands now.
    pub async fn quote_consenting(&self, cycle_id: i64) -> Result<std::collections::BTreeSet<i64>> {
        let sql = format!(
            "SELECT x.user_id, x.given FROM ({CONSENT_EVENTS}) x WHERE x.cycle_id = $1 AND x.kind = $2 ORDER BY x.at, x.id"
        );
        let rows: Vec<(i64, bool)> = on_pool!(self, pool => sqlx::query_as(&sql).bind(cycle_id).bind(ConsentKind::Quotes.as_str()).fetch_all(pool).await)?;
        let mut latest = BTreeMap::new();
        for (user, given) in rows {
            latest.insert(user, given);
        }
        Ok(latest
            .into_iter()
            .filter(|&(_, given)| given)
            .map(|(user, _)| user)
            .collect())
    }

    /// Everyone who took part in a cycle with their side (`mentor` or `mentee`): the members
    /// of its pairs and the participants of its chats. For stable pseudonyms
    /// (`flipside_core::qualitative::quotes::pseudonyms`).
    pub async fn qualitative_participants(&self, cycle_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(on_pool!(self, pool => sqlx::query_as(
            "SELECT mentor_id AS user_id, 'mentor' AS role FROM pairs WHERE cycle_id = $1
             UNION SELECT mentee_id, 'mentee' FROM pairs WHERE cycle_id = $1
             UNION SELECT participant_user_id, participant_role FROM qual_chats WHERE cycle_id = $1"
        ).bind(cycle_id).fetch_all(pool).await)?)
    }

    /// The findings of a cycle, by aim.
    pub async fn findings_of_cycle(&self, cycle_id: i64) -> Result<Vec<Finding>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, Finding>(
            "SELECT aim, finding, updated_by, updated_at FROM qual_findings WHERE cycle_id = $1 ORDER BY aim"
        ).bind(cycle_id).fetch_all(pool).await)?)
    }
}

impl Tx {
    /// Stores a scheme's default aims if it has none. Returns whether it stored them.
    pub async fn ensure_aims(&mut self, scheme_id: i64) -> Result<bool> {
        let (n,): (i64,) = on_tx!(self, c => sqlx::query_as("SELECT COUNT(*) FROM qual_aims WHERE scheme_id = $1")
            .bind(scheme_id).fetch_one(&mut *c).await)?;
        if n > 0 {
            return Ok(false);
        }
        for (position, aim) in default_aims().iter().enumerate() {
            on_tx!(self, c => sqlx::query(
                "INSERT INTO qual_aims (scheme_id, key, label, audience, position) VALUES ($1, $2, $3, $4, $5)"
            ).bind(scheme_id).bind(&aim.key).bind(&aim.label).bind(aim.audience.as_str()).bind(position as i64)
                .execute(&mut *c).await.map(|_| ()).map_err(|e| StoreError::unique(e, "that aim already exists")))?;
        }
        Ok(true)
    }

    /// Stores the default codebook for a scheme that has no codes. Returns whether it did.
    pub async fn ensure_codebook(&mut self, scheme_id: i64) -> Result<bool> {
        let (n,): (i64,) = on_tx!(self, c => sqlx::query_as("SELECT COUNT(*) FROM qual_codes WHERE scheme_id = $1")
            .bind(scheme_id).fetch_one(&mut *c).await)?;
        if n > 0 {
            return Ok(false);
        }
        let book = default_codebook();
        // Parents come before their children in the default book's tree order.
        let mut ids: BTreeMap<i64, i64> = BTreeMap::new();
        for (position, (_, code)) in book.tree().into_iter().enumerate() {
            let parent = code.parent.and_then(|p| ids.get(&p).copied());
            let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
                "INSERT INTO qual_codes (scheme_id, parent_id, name, description, colour, aim, position) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
            ).bind(scheme_id).bind(parent).bind(&code.name).bind(&code.description).bind(code.colour.as_str())
                .bind(code.aim.as_deref()).bind(position as i64)
                .fetch_one(&mut *c).await.map_err(|e| StoreError::unique(e, "a code with that name already exists")))?;
            ids.insert(code.id, id);
        }
        Ok(true)
    }

    /// Records a chat. The caller has checked the participant's research consent
    /// (`flipside_core::policy::can_record_chat`).
    pub async fn record_chat(&mut self, new: &NewChat<'_>) -> Result<i64> {
        let segments = encode_segments(&new.chat.segments);
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO qual_chats (cycle_id, participant_user_id, participant_role, interviewer_user_id, held_on, stage, format, text, segments, recorded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
        ).bind(new.cycle_id).bind(new.participant_user_id).bind(new.participant_role).bind(new.interviewer_user_id)
            .bind(new.held_on).bind(new.stage.as_str()).bind(new.format).bind(&new.chat.text).bind(segments)
            .bind(new.recorded_by).bind(now())
            .fetch_one(&mut *c).await)?;
        Ok(id)
    }

    /// Adds one coder's excerpt of a chat with its codes (checked by
    /// `flipside_core::qualitative::excerpt::check_excerpt`).
    pub async fn add_excerpt(
        &mut self,
        chat_id: i64,
        coder_user_id: i64,
        excerpt: &NewExcerpt,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO qual_excerpts (chat_id, coder_user_id, span_start, span_end, memo, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        ).bind(chat_id).bind(coder_user_id).bind(excerpt.span.start as i64).bind(excerpt.span.end as i64)
            .bind(excerpt.memo.as_deref()).bind(now())
            .fetch_one(&mut *c).await)?;
        for code in &excerpt.codes {
            on_tx!(self, c => sqlx::query("INSERT INTO qual_excerpt_codes (excerpt_id, code_id) VALUES ($1, $2)")
                .bind(id).bind(*code).execute(&mut *c).await.map(|_| ())
                .map_err(|e| StoreError::unique(e, "the excerpt already has that code")))?;
        }
        Ok(id)
    }

    /// Promotes an excerpt to a quote; `edited` has been checked as a trim of `original`.
    pub async fn promote_quote(
        &mut self,
        excerpt_id: i64,
        participant_user_id: i64,
        original: &str,
        edited: &str,
        promoted_by: Option<i64>,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO qual_quotes (excerpt_id, participant_user_id, original, edited, promoted_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        ).bind(excerpt_id).bind(participant_user_id).bind(original).bind(edited).bind(promoted_by).bind(now())
            .fetch_one(&mut *c).await.map_err(|e| StoreError::unique(e, "that excerpt is already a quote")))?;
        Ok(id)
    }

    /// Sets (or replaces) the coordinator's finding for an aim of a cycle.
    pub async fn set_finding(
        &mut self,
        cycle_id: i64,
        aim: &str,
        finding: &str,
        updated_by: Option<i64>,
    ) -> Result<()> {
        on_tx!(self, c => sqlx::query(
            "INSERT INTO qual_findings (cycle_id, aim, finding, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (cycle_id, aim) DO UPDATE SET finding = excluded.finding, updated_by = excluded.updated_by, updated_at = excluded.updated_at"
        ).bind(cycle_id).bind(aim).bind(finding).bind(updated_by).bind(now())
            .execute(&mut *c).await.map(|_| ()))?;
        Ok(())
    }
}
