//! Retention: the rules of `flipside_core::privacy::Rule` applied to the database, in
//! batches, idempotently, each applied run recorded in `retention_runs`.
//!
//! Which rows have expired is decided in Rust by [`RetentionSettings::decide`] on each row's
//! anchor, so the rule tested without a database is the rule applied; the store only finds
//! candidates with their anchors and deletes the expired ones by key.
use crate::pool::on_pool;
use crate::tx::on_tx;
use crate::{Result, Store, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use flipside_core::privacy::{DataKind, RetentionSettings, Rule};
use serde::Serialize;

/// Rows deleted per statement.
const BATCH: usize = 500;

const CYCLE_CLOSED: &str = "(SELECT MAX(e.at) FROM cycle_events e WHERE e.cycle_id = x.cycle_id AND e.to_state = 'closed')";

/// What one rule would delete (dry run) or deleted.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionOutcome {
    pub rule: Rule,
    pub kind: DataKind,
    pub rows: u64,
    /// What goes and why, in words: the rule and the reason of its oldest expired row.
    pub why: String,
}

/// One run of the retention rules.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionReport {
    pub now: DateTime<Utc>,
    pub dry_run: bool,
    /// One line per rule, in the order applied (rules with nothing to delete included).
    pub outcomes: Vec<RetentionOutcome>,
}

impl RetentionReport {
    pub fn total(&self) -> u64 {
        self.outcomes.iter().map(|o| o.rows).sum()
    }
}

/// A recorded run.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RetentionRun {
    pub id: i64,
    pub ran_at: DateTime<Utc>,
    pub deleted: i64,
    /// JSON: `{rule: rows}`.
    pub summary: String,
}

/// The key of a candidate row.
#[derive(Debug, Clone)]
enum Key {
    Id(i64),
    Text(String),
}

/// The candidates of a rule: keys and anchors.
async fn candidates(store: &Store, rule: Rule) -> Result<Vec<(Key, Option<DateTime<Utc>>)>> {
    let instants = |sql: String| async move {
        let rows: Vec<(i64, Option<DateTime<Utc>>)> =
            on_pool!(store, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        Ok::<_, crate::StoreError>(
            rows.into_iter()
                .map(|(k, a)| (Key::Id(k), a))
                .collect::<Vec<_>>(),
        )
    };
    match rule {
        Rule::UnsuccessfulApplications => {
            instants(format!("SELECT x.id, {CYCLE_CLOSED} FROM applications x WHERE x.status <> 'accepted'")).await
        }
        Rule::AcceptedApplications => {
            instants(format!("SELECT x.id, {CYCLE_CLOSED} FROM applications x WHERE x.status = 'accepted'")).await
        }
        Rule::Invitations => {
            instants(format!("SELECT x.id, {CYCLE_CLOSED} FROM staff_invitations x")).await
        }
        Rule::MatchingRecords => {
            // Keyed by cycle: both tables' rows of a cycle go together.
            instants(format!(
                "SELECT x.cycle_id, {CYCLE_CLOSED} FROM (SELECT cycle_id FROM do_not_pair UNION SELECT cycle_id FROM cycle_leavers UNION SELECT cycle_id FROM same_school_exceptions) x"
            ))
            .await
        }
        Rule::PrivateNotes => {
            instants(format!(
                "SELECT n.id, COALESCE(p.ended_at, {CYCLE_CLOSED}) FROM pair_notes n JOIN pairs p ON p.id = n.pair_id JOIN pairs x ON x.id = p.id"
            ))
            .await
        }
        Rule::Pairs => {
            instants(format!("SELECT x.id, COALESCE(x.ended_at, {CYCLE_CLOSED}) FROM pairs x")).await
        }
        Rule::Concerns => {
            instants(format!("SELECT x.id, {CYCLE_CLOSED} FROM concerns x")).await
        }
        Rule::AuditLog => instants("SELECT id, at FROM audit_log".into()).await,
        Rule::LoginFailures => instants("SELECT id, at FROM login_failures".into()).await,
        Rule::Emails => {
            // Pending emails are not candidates: they have not been sent yet.
            instants("SELECT id, COALESCE(sent_at, created_at) FROM outbox WHERE status <> 'pending'".into()).await
        }
        Rule::Sessions => {
            let rows: Vec<(String, DateTime<Utc>)> = on_pool!(store, pool =>
                sqlx::query_as("SELECT id_hash, expires_at FROM sessions").fetch_all(pool).await)?;
            Ok(rows.into_iter().map(|(k, a)| (Key::Text(k), Some(a))).collect())
        }
        Rule::SurveyLink => {
            // The wave is open through its closing day: the link goes from the next midnight.
            let rows: Vec<(i64, Option<NaiveDate>)> = on_pool!(store, pool => sqlx::query_as(
                "SELECT p.id, (SELECT MAX(w.closes_on) FROM survey_waves w WHERE w.cycle_id = p.cycle_id AND w.wave = 'followup') \
                 FROM survey_participants p WHERE p.user_id IS NOT NULL").fetch_all(pool).await)?;
            Ok(rows
                .into_iter()
                .map(|(k, day)| (Key::Id(k), day.and_then(|d| d.succ_opt()).map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())))
                .collect())
        }
        Rule::TutoringRecords => {
            // A student has left at the end (31 July) of the last academic year they had a
            // tutor; the period runs from 1 August.
            let rows: Vec<(i64, Option<i64>)> = on_pool!(store, pool => sqlx::query_as(
                "SELECT s.id, CAST(MAX(a.academic_year) AS BIGINT) FROM tutoring_students s \
                 LEFT JOIN tutoring_assignments a ON a.student_id = s.id GROUP BY s.id").fetch_all(pool).await)?;
            Ok(rows
                .into_iter()
                .map(|(k, year)| {
                    let left = year
                        .and_then(|y| NaiveDate::from_ymd_opt(i32::try_from(y + 1).ok()?, 8, 1))
                        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc());
                    (Key::Id(k), left)
                })
                .collect())
        }
    }
}

/// The statements that delete a batch of a rule's keys; `{keys}` is replaced by the
/// placeholders. Children go before the rows they reference.
fn deletes(rule: Rule) -> &'static [&'static str] {
    match rule {
        Rule::UnsuccessfulApplications | Rule::AcceptedApplications => &[
            "DELETE FROM application_labels WHERE application_id IN ({keys})",
            "DELETE FROM application_consents WHERE application_id IN ({keys})",
            "DELETE FROM applications WHERE id IN ({keys})",
        ],
        Rule::Invitations => &[
            "DELETE FROM invitation_consents WHERE invitation_id IN ({keys})",
            "DELETE FROM staff_invitations WHERE id IN ({keys})",
        ],
        Rule::MatchingRecords => &[
            "DELETE FROM do_not_pair WHERE cycle_id IN ({keys})",
            "DELETE FROM same_school_exceptions WHERE cycle_id IN ({keys})",
            "DELETE FROM cycle_leavers WHERE cycle_id IN ({keys})",
        ],
        Rule::PrivateNotes => &["DELETE FROM pair_notes WHERE id IN ({keys})"],
        Rule::Concerns => &["DELETE FROM concerns WHERE id IN ({keys})"],
        Rule::Pairs => &[
            "DELETE FROM pair_notes WHERE pair_id IN ({keys})",
            "DELETE FROM concerns WHERE pair_id IN ({keys})",
            "DELETE FROM action_evidence WHERE action_id IN (SELECT id FROM follow_up_actions WHERE pair_id IN ({keys}))",
            "DELETE FROM follow_up_actions WHERE pair_id IN ({keys})",
            "DELETE FROM meetings WHERE pair_id IN ({keys})",
            "DELETE FROM pair_agreements WHERE pair_id IN ({keys})",
            "DELETE FROM pairs WHERE id IN ({keys})",
        ],
        Rule::SurveyLink => &["UPDATE survey_participants SET user_id = NULL WHERE id IN ({keys})"],
        // Labels, allocations, contacts, profile and change requests cascade.
        Rule::TutoringRecords => &["DELETE FROM tutoring_students WHERE id IN ({keys})"],
        Rule::AuditLog => &["DELETE FROM audit_log WHERE id IN ({keys})"],
        Rule::Sessions => &["DELETE FROM sessions WHERE id_hash IN ({keys})"],
        Rule::LoginFailures => &["DELETE FROM login_failures WHERE id IN ({keys})"],
        Rule::Emails => &["DELETE FROM outbox WHERE id IN ({keys})"],
    }
}

impl Store {
    /// What applying the rules at `now` would delete, per rule, and why.
    pub async fn retention_dry_run(
        &self,
        settings: &RetentionSettings,
        now: DateTime<Utc>,
    ) -> Result<RetentionReport> {
        let mut outcomes = Vec::new();
        for rule in Rule::ALL {
            let (expired, why) = self.expired(settings, rule, now).await?;
            outcomes.push(RetentionOutcome {
                rule,
                kind: rule.kind(),
                rows: expired.len() as u64,
                why,
            });
        }
        Ok(RetentionReport {
            now,
            dry_run: true,
            outcomes,
        })
    }

    /// Applies the rules at `now`: each rule's expired rows are deleted in batches of
    /// [`BATCH`], one transaction per batch (a long run never holds the write lock for
    /// long, and an interrupted run resumes where it stopped: a second run finds only what is
    /// left). The run is recorded in `retention_runs`.
    pub async fn apply_retention(
        &self,
        settings: &RetentionSettings,
        now: DateTime<Utc>,
    ) -> Result<RetentionReport> {
        let mut outcomes = Vec::new();
        for rule in Rule::ALL {
            let (expired, why) = self.expired(settings, rule, now).await?;
            let mut rows = 0;
            for batch in expired.chunks(BATCH) {
                let mut tx = self.begin().await?;
                tx.delete_batch(rule, batch).await?;
                tx.commit().await?;
                rows += batch.len() as u64;
            }
            outcomes.push(RetentionOutcome {
                rule,
                kind: rule.kind(),
                rows,
                why,
            });
        }
        let report = RetentionReport {
            now,
            dry_run: false,
            outcomes,
        };
        let summary: serde_json::Map<String, serde_json::Value> = report
            .outcomes
            .iter()
            .map(|o| (o.rule.key().to_string(), o.rows.into()))
            .collect();
        let summary = serde_json::Value::Object(summary).to_string();
        let total = i64::try_from(report.total()).unwrap_or(i64::MAX);
        on_pool!(self, pool => sqlx::query("INSERT INTO retention_runs (ran_at, deleted, summary) VALUES ($1, $2, $3)")
            .bind(now).bind(total).bind(&summary).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(report)
    }

    /// Claims `day` for the daily retention job: `true` for exactly one caller per day, across
    /// every server instance sharing the database (the first to insert the day's row).
    pub async fn claim_retention_day(&self, day: NaiveDate, now: DateTime<Utc>) -> Result<bool> {
        let inserted = on_pool!(self, pool => sqlx::query(
            "INSERT INTO retention_days (day, claimed_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(day).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(inserted == 1)
    }

    /// The recorded runs, newest first.
    pub async fn retention_runs(&self) -> Result<Vec<RetentionRun>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, RetentionRun>(
            "SELECT id, ran_at, deleted, summary FROM retention_runs ORDER BY id DESC").fetch_all(pool).await)?)
    }

    async fn expired(
        &self,
        settings: &RetentionSettings,
        rule: Rule,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Key>, String)> {
        let mut expired = Vec::new();
        let mut oldest: Option<(DateTime<Utc>, String)> = None;
        for (key, anchor) in candidates(self, rule).await? {
            let decision = settings.decide(rule, anchor, now);
            if decision.expired {
                if let Some(deadline) = decision.deadline
                    && oldest.as_ref().is_none_or(|(d, _)| deadline < *d)
                {
                    oldest = Some((deadline, decision.reason));
                }
                expired.push(key);
            }
        }
        let why = match oldest {
            Some((_, reason)) => reason,
            None => format!(
                "nothing: {} are kept {} months after {}",
                rule.what(),
                settings.months(rule),
                anchor_words(rule)
            ),
        };
        Ok((expired, why))
    }
}

fn anchor_words(rule: Rule) -> &'static str {
    use flipside_core::privacy::Anchor;
    match rule.anchor() {
        Anchor::CycleClosed => "the cycle closes",
        Anchor::PairEnded => "the pair ends",
        Anchor::FollowUpClosed => "the follow-up wave closes",
        Anchor::StudentLeft => "the student leaves",
        Anchor::Recorded => "they are recorded",
        Anchor::Expired => "they expire",
        Anchor::Sent => "they are sent",
        Anchor::AccountErased | Anchor::WithApplication => "their account or application goes",
    }
}

impl Tx {
    async fn delete_batch(&mut self, rule: Rule, keys: &[Key]) -> Result<()> {
        let placeholders = (1..=keys.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        for statement in deletes(rule) {
            let sql = statement.replace("{keys}", &placeholders);
            on_tx!(self, c => {
                let mut q = sqlx::query(&sql);
                for key in keys {
                    q = match key {
                        Key::Id(id) => q.bind(*id),
                        Key::Text(text) => q.bind(text.clone()),
                    };
                }
                q.execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }
}

// `Pool` is matched by `on_pool!`; named here so the import is not reported unused when the
// macro's expansion changes.
