//! Survey waves with their dates, respondents' drafts and submissions, the people to invite or
//! remind, instruments' scale labels, and the researchers' export rows (SPEC §3.5, §3.12).
use crate::decoded::Decoded;
use crate::error::{OrNotFound, StoreError};
use crate::pool::{on_pool, on_pool_write};
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use chrono::NaiveDate;
use flipside_core::evaluation::Wave;
use flipside_core::research_export::ExportRow;
use flipside_core::surveys::WaveDates;
use serde::Serialize;

/// A wave of a cycle's evaluation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SurveyWave {
    pub id: i64,
    pub cycle_id: i64,
    pub wave: Decoded<Wave>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Reminders go out on their own every this many days after the wave opens.
    pub remind_every_days: Option<i64>,
    /// Reminders go out on their own on these dates ("2026-10-08, 2026-10-15"; empty: none).
    pub remind_on_dates: String,
}

/// The columns of [`SurveyWave`], for its queries.
const WAVE_COLUMNS: &str =
    "id, cycle_id, wave, opens_on, closes_on, remind_every_days, remind_on_dates";

impl SurveyWave {
    pub fn wave(&self) -> Wave {
        self.wave.get()
    }

    pub fn dates(&self) -> WaveDates {
        WaveDates {
            wave: self.wave(),
            opens_on: self.opens_on,
            closes_on: self.closes_on,
        }
    }
}

/// Someone enrolled in a cycle's evaluation under a pseudonymous code.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SurveyParticipant {
    pub id: i64,
    pub cycle_id: i64,
    pub code: String,
    pub role: String,
    pub user_id: Option<i64>,
    pub research_consent: bool,
}

/// A survey the signed-in person can answer now.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OpenSurvey {
    pub participant_id: i64,
    pub wave: String,
    pub closes_on: NaiveDate,
    pub scheme_name: String,
    pub academic_year: i64,
    /// Whether a draft is saved.
    pub drafted: bool,
}

/// Someone to invite to a wave or remind of it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct WaveRecipient {
    pub participant_id: i64,
    pub email: String,
    pub display_name: String,
    pub responded: bool,
}

/// An instrument and its scale labels (a JSON array, or empty for the defaults).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct InstrumentRow {
    pub id: i64,
    pub audience: String,
    pub scale_labels: String,
}

#[derive(sqlx::FromRow)]
struct ExportRecord {
    code: String,
    role: String,
    wave: Decoded<Wave>,
    statement_code: String,
    aim: String,
    score: i64,
}

impl Store {
    /// Sets the dates of a cycle's waves (adding waves that are not there yet), on their own;
    /// an operation that audits it calls [`Tx::set_wave_dates`] in its transaction.
    pub async fn set_wave_dates(&self, cycle_id: i64, waves: &[WaveDates]) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.set_wave_dates(cycle_id, waves).await?;
        tx.commit().await
    }

    /// A cycle's waves, in order pre, post, follow-up.
    pub async fn survey_waves(&self, cycle_id: i64) -> Result<Vec<SurveyWave>> {
        let sql = format!("SELECT {WAVE_COLUMNS} FROM survey_waves WHERE cycle_id = $1");
        let mut waves = on_pool!(self, pool => sqlx::query_as::<_, SurveyWave>(&sql)
            .bind(cycle_id).fetch_all(pool).await)?;
        waves.sort_by_key(SurveyWave::wave);
        Ok(waves)
    }

    /// One wave of a cycle, if its dates are set.
    pub async fn survey_wave(&self, cycle_id: i64, wave: Wave) -> Result<Option<SurveyWave>> {
        let sql =
            format!("SELECT {WAVE_COLUMNS} FROM survey_waves WHERE cycle_id = $1 AND wave = $2");
        Ok(on_pool!(self, pool => sqlx::query_as::<_, SurveyWave>(&sql)
            .bind(cycle_id).bind(wave.as_str()).fetch_optional(pool).await)?)
    }

    /// Every wave with reminders on a schedule, for the email worker.
    pub async fn waves_with_reminder_schedules(&self) -> Result<Vec<SurveyWave>> {
        let sql = format!(
            "SELECT {WAVE_COLUMNS} FROM survey_waves
             WHERE remind_every_days IS NOT NULL OR remind_on_dates <> '' ORDER BY id"
        );
        Ok(on_pool!(self, pool => sqlx::query_as::<_, SurveyWave>(&sql)
            .fetch_all(pool).await)?)
    }

    /// One enrolled participant.
    pub async fn survey_participant(&self, id: i64) -> Result<SurveyParticipant> {
        on_pool!(self, pool => sqlx::query_as::<_, SurveyParticipant>(
            "SELECT id, cycle_id, code, role, user_id, research_consent FROM survey_participants WHERE id = $1"
        ).bind(id).fetch_optional(pool).await).or_not_found()
    }

    /// The surveys this person is enrolled in whose wave is open on `today` and that they have
    /// not submitted.
    pub async fn open_surveys_of(&self, user_id: i64, today: NaiveDate) -> Result<Vec<OpenSurvey>> {
        if !self.may_be_enrolled(user_id).await? {
            return Ok(Vec::new());
        }
        Ok(on_pool!(self, pool => sqlx::query_as::<_, OpenSurvey>(
            "SELECT p.id AS participant_id, w.wave, w.closes_on, s.name AS scheme_name, c.academic_year,
                    EXISTS (SELECT 1 FROM survey_drafts d WHERE d.participant_id = p.id AND d.wave = w.wave) AS drafted
             FROM survey_participants p JOIN survey_waves w ON w.cycle_id = p.cycle_id
             JOIN cycles c ON c.id = p.cycle_id JOIN schemes s ON s.id = c.scheme_id
             WHERE p.user_id = $1 AND w.opens_on <= $2 AND w.closes_on >= $2
               AND NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.participant_id = p.id AND r.wave = w.wave)
             ORDER BY w.closes_on, p.id"
        ).bind(user_id).bind(today).fetch_all(pool).await)?)
    }

    /// Whether a participant has submitted a wave.
    pub async fn has_submitted(&self, participant_id: i64, wave: Wave) -> Result<bool> {
        let (n,): (i64,) = on_pool!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM survey_responses WHERE participant_id = $1 AND wave = $2"
        ).bind(participant_id).bind(wave.as_str()).fetch_one(pool).await)?;
        Ok(n > 0)
    }

    /// A participant's saved draft of a wave: (statement code, score).
    pub async fn draft_answers(
        &self,
        participant_id: i64,
        wave: Wave,
    ) -> Result<Vec<(String, i64)>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, (String, i64)>(
            "SELECT s.code, d.score FROM survey_drafts d JOIN instrument_statements s ON s.id = d.statement_id
             WHERE d.participant_id = $1 AND d.wave = $2 ORDER BY s.position"
        ).bind(participant_id).bind(wave.as_str()).fetch_all(pool).await)?)
    }

    /// Saves a draft to return to: it replaces the previous draft of that wave. Refused once
    /// the wave is submitted.
    pub async fn save_draft(
        &self,
        participant_id: i64,
        wave: Wave,
        answers: &[(String, i64)],
    ) -> Result<()> {
        self.write_answers(participant_id, wave, answers, false)
            .await
    }

    /// Submits a wave's answers, all or nothing, and discards the draft. A wave is submitted
    /// once: submitting again is refused.
    pub async fn submit_answers(
        &self,
        participant_id: i64,
        wave: Wave,
        answers: &[(String, i64)],
    ) -> Result<()> {
        self.write_answers(participant_id, wave, answers, true)
            .await
    }

    async fn write_answers(
        &self,
        participant_id: i64,
        wave: Wave,
        answers: &[(String, i64)],
        submit: bool,
    ) -> Result<()> {
        if let Some((code, score)) = answers.iter().find(|(_, s)| !(1..=5).contains(s)) {
            return Err(StoreError::Conflict(format!(
                "the answer to {code} must be from 1 to 5, not {score}"
            )));
        }
        let at = now();
        let insert = if submit {
            "INSERT INTO survey_responses (participant_id, wave, statement_id, score, answered_at) VALUES ($1, $2, $3, $4, $5)"
        } else {
            "INSERT INTO survey_drafts (participant_id, wave, statement_id, score, saved_at) VALUES ($1, $2, $3, $4, $5)"
        };
        on_pool_write!(self, pool => {
            let mut tx = pool.begin().await?;
            let (submitted,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM survey_responses WHERE participant_id = $1 AND wave = $2"
            ).bind(participant_id).bind(wave.as_str()).fetch_one(&mut *tx).await?;
            if submitted > 0 {
                return Err(StoreError::Conflict("This survey has already been submitted.".into()));
            }
            sqlx::query("DELETE FROM survey_drafts WHERE participant_id = $1 AND wave = $2")
                .bind(participant_id).bind(wave.as_str()).execute(&mut *tx).await?;
            for (code, score) in answers {
                let statement: Option<(i64,)> = sqlx::query_as(crate::surveys::ASKED_STATEMENT)
                    .bind(participant_id).bind(code).fetch_optional(&mut *tx).await?;
                let Some((statement_id,)) = statement else {
                    return Err(StoreError::Conflict(format!("'{code}' is not a statement of this participant's survey")));
                };
                sqlx::query(insert).bind(participant_id).bind(wave.as_str()).bind(statement_id).bind(score).bind(at)
                    .execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The people of a cycle's evaluation who can be emailed about a wave (enrolled with an
    /// account), and whether each has submitted it.
    pub async fn wave_recipients(&self, cycle_id: i64, wave: Wave) -> Result<Vec<WaveRecipient>> {
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, WaveRecipient>(WAVE_RECIPIENTS)
            .bind(cycle_id).bind(wave.as_str()).fetch_all(pool).await)?,
        )
    }

    /// Every submitted answer of participants who consented to research use, for the export:
    /// codes only, never names.
    pub async fn research_rows(&self, cycle_id: i64) -> Result<Vec<ExportRow>> {
        let rows = on_pool!(self, pool => sqlx::query_as::<_, ExportRecord>(
            "SELECT p.code, p.role, r.wave, s.code AS statement_code, COALESCE(cs.heading, s.aim) AS aim, r.score
             FROM survey_responses r JOIN survey_participants p ON p.id = r.participant_id
             JOIN instrument_statements s ON s.id = r.statement_id
             LEFT JOIN cycle_statements cs ON cs.cycle_id = p.cycle_id AND cs.statement_id = s.id
             WHERE p.cycle_id = $1 AND p.research_consent ORDER BY p.role, p.code, r.wave, COALESCE(cs.position, s.position)"
        ).bind(cycle_id).fetch_all(pool).await)?;
        let mut out: Vec<ExportRow> = rows
            .into_iter()
            .map(|r| ExportRow {
                participant: r.code,
                role: r.role,
                wave: r.wave.as_str().to_string(),
                statement: r.statement_code,
                aim: r.aim,
                score: r.score,
            })
            .collect();
        // Waves in their own order (pre, post, follow-up), not alphabetically.
        out.sort_by_key(|r| (r.role.clone(), r.participant.clone(), Wave::parse(&r.wave)));
        Ok(out)
    }

    /// Every instrument with its scale labels.
    pub async fn instruments(&self) -> Result<Vec<InstrumentRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, InstrumentRow>(
            "SELECT id, audience, scale_labels FROM instruments ORDER BY audience"
        ).fetch_all(pool).await)?)
    }

    /// An audience's scale labels (a JSON array, or empty for the defaults).
    pub async fn scale_labels_of(&self, audience: &str) -> Result<String> {
        let row: Option<(String,)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT scale_labels FROM instruments WHERE audience = $1"
        ).bind(audience).fetch_optional(pool).await)?;
        Ok(row.map(|(s,)| s).unwrap_or_default())
    }

    /// The identity labels each consenting respondent chose when applying to the same cycle
    /// (survey participant → the user's application to that cycle): (participant code, label).
    /// Only participants who consented to research use; for aggregate, suppressed breakdowns.
    pub async fn respondent_labels(&self, cycle_id: i64) -> Result<Vec<(String, String)>> {
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, (String, String)>(
            "SELECT p.code, l.name FROM survey_participants p
             JOIN applications a ON a.user_id = p.user_id AND a.cycle_id = p.cycle_id
             JOIN application_labels al ON al.application_id = a.id
             JOIN identity_labels l ON l.id = al.label_id
             WHERE p.cycle_id = $1 AND p.research_consent ORDER BY p.code, l.name"
        ).bind(cycle_id).fetch_all(pool).await)?,
        )
    }
}

const WAVE_RECIPIENTS: &str = "SELECT p.id AS participant_id, u.email, u.display_name,
        EXISTS (SELECT 1 FROM survey_responses r WHERE r.participant_id = p.id AND r.wave = $2) AS responded
     FROM survey_participants p JOIN users u ON u.id = p.user_id
     WHERE p.cycle_id = $1 ORDER BY p.id";

impl Tx {
    /// The people taking part in a cycle who are not yet enrolled in its evaluation, as
    /// (user id, role, research consent): students whose application was accepted (role
    /// `mentor`, consent as it stands on their application) and staff leaders who accepted their
    /// invitation (role `mentee`, consent given when they accepted). Read inside the enrolling
    /// operation's transaction (with its lock on PostgreSQL), so that two invitations sent at
    /// once enrol each person once.
    pub async fn survey_enrolment_candidates(
        &mut self,
        cycle_id: i64,
    ) -> Result<Vec<(i64, String, bool)>> {
        Ok(on_tx!(self, c => sqlx::query_as::<_, (i64, String, bool)>(
            "SELECT a.user_id, 'mentor',
                    COALESCE((SELECT c.given FROM application_consents c
                              WHERE c.application_id = a.id AND c.kind = 'research' ORDER BY c.id DESC LIMIT 1), FALSE)
             FROM applications a
             WHERE a.cycle_id = $1 AND a.status = 'accepted'
               AND NOT EXISTS (SELECT 1 FROM survey_participants p WHERE p.cycle_id = $1 AND p.user_id = a.user_id)
             UNION ALL
             SELECT i.user_id, 'mentee', i.research_consent
             FROM staff_invitations i
             WHERE i.cycle_id = $1 AND i.status = 'accepted' AND i.user_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM survey_participants p WHERE p.cycle_id = $1 AND p.user_id = i.user_id)
             ORDER BY 1"
        ).bind(cycle_id).fetch_all(&mut *c).await)?)
    }

    /// The people a wave's emails go to, as the inviting operation's transaction sees them
    /// (including whoever it has just enrolled).
    pub async fn wave_recipients(
        &mut self,
        cycle_id: i64,
        wave: Wave,
    ) -> Result<Vec<WaveRecipient>> {
        Ok(
            on_tx!(self, c => sqlx::query_as::<_, WaveRecipient>(WAVE_RECIPIENTS)
            .bind(cycle_id).bind(wave.as_str()).fetch_all(&mut *c).await)?,
        )
    }

    /// Sets the dates of a cycle's waves (adding waves that are not there yet).
    pub async fn set_wave_dates(&mut self, cycle_id: i64, waves: &[WaveDates]) -> Result<()> {
        for w in waves {
            on_tx!(self, c => sqlx::query(
                "INSERT INTO survey_waves (cycle_id, wave, opens_on, closes_on) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (cycle_id, wave) DO UPDATE SET opens_on = excluded.opens_on, closes_on = excluded.closes_on"
            ).bind(cycle_id).bind(w.wave.as_str()).bind(w.opens_on).bind(w.closes_on).execute(&mut *c).await.map(|_| ()))?;
        }
        Ok(())
    }

    /// Sets a wave's reminder schedule (`None` and "": reminders only when sent by hand).
    pub async fn set_wave_reminder_schedule(
        &mut self,
        wave_id: i64,
        every_days: Option<i64>,
        dates: &str,
    ) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE survey_waves SET remind_every_days = $1, remind_on_dates = $2 WHERE id = $3"
        ).bind(every_days).bind(dates).bind(wave_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Claims the scheduled reminder of `day` for a wave: true for the one transaction that
    /// moves the wave's last scheduled reminder forward to `day`, false when it is there
    /// already. On PostgreSQL a second instance's UPDATE waits for the first's row lock and
    /// then finds the condition false; on SQLite the write lock puts them in turn.
    pub async fn claim_scheduled_reminder(&mut self, wave_id: i64, day: NaiveDate) -> Result<bool> {
        let n = on_tx!(self, c => sqlx::query(
            "UPDATE survey_waves SET scheduled_reminder_on = $1
             WHERE id = $2 AND (scheduled_reminder_on IS NULL OR scheduled_reminder_on < $1)"
        ).bind(day).bind(wave_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Sets an instrument's scale labels (a JSON array of five).
    pub async fn set_scale_labels(&mut self, instrument_id: i64, labels_json: &str) -> Result<()> {
        let n = on_tx!(self, c => sqlx::query("UPDATE instruments SET scale_labels = $1 WHERE id = $2")
            .bind(labels_json).bind(instrument_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
