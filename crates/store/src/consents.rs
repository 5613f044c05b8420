//! Consents and what withdrawing them does (SPEC §3.12, issue 13). A student's consents are
//! events on their application (`application_consents`), a staff leader's on their accepted
//! invitation (`invitation_consents`); either way the latest event of a kind is the consent as
//! it stands, and each change is one transaction with everything it causes:
//!
//! - taking part withdrawn: the application is withdrawn and the identity data given on it
//!   deleted, an active pair in the cycle ends early with the reason "withdrew", their survey
//!   answers leave later analysis, and the cycle's role is removed last;
//! - research use withdrawn: their survey answers and chats of the cycle leave analysis and
//!   the research exports (both read the consent as it stands);
//! - quotes withdrawn: their quotes of the cycle are deleted from the quote bank.
use crate::error::{OrNotFound, StoreError};
use crate::pairs::PairStatus;
use crate::recruitment::{ConsentEvent, current_consents};
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use flipside_core::recruitment::{ApplicationStatus, ConsentKind};
use flipside_core::role::Role;
use serde::Serialize;

/// The reason an active pair ends with when one of its members withdraws.
pub const WITHDREW: &str = "withdrew";

/// What a withdrawal changed besides the consent itself, for the audit entry and the message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Withdrawal {
    /// Active pairs ended early.
    pub pairs_ended: u64,
    /// Role grants removed.
    pub roles_removed: u64,
    /// Survey participations taken out of analysis.
    pub answers_withdrawn: u64,
    /// Quotes deleted.
    pub quotes_deleted: u64,
}

impl Withdrawal {
    /// The counts in words, for the audit entry (no personal data).
    pub fn words(&self) -> String {
        format!(
            "pairs ended {}, roles removed {}, survey participations out of analysis {}, quotes deleted {}",
            self.pairs_ended, self.roles_removed, self.answers_withdrawn, self.quotes_deleted
        )
    }
}

/// A staff leader's accepted invitation with its consents, for their consents page.
#[derive(Debug, Clone, Serialize)]
pub struct StaffConsents {
    pub invitation_id: i64,
    pub cycle_id: i64,
    pub academic_year: i64,
    pub scheme_name: String,
    /// Every consent given or withdrawn, oldest first.
    pub events: Vec<ConsentEvent>,
}

/// The consents a staff leader can give and withdraw themselves (taking part is their
/// acceptance of the invitation, which the coordinator ends).
pub const STAFF_CONSENTS: [ConsentKind; 2] = [ConsentKind::Research, ConsentKind::Quotes];

impl Store {
    /// Withdraws one consent on an application on its own (set-up and the demo); the page does
    /// it with its audit entry through [`Tx::withdraw_application_consent`].
    pub async fn withdraw_consent(&self, application_id: i64, kind: ConsentKind) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.withdraw_application_consent(application_id, kind)
            .await?;
        tx.commit().await
    }

    /// The invitations `user_id` accepted, each with its consent history, newest cycle first.
    pub async fn staff_consents(&self, user_id: i64) -> Result<Vec<StaffConsents>> {
        let rows: Vec<(i64, i64, i64, String)> = crate::pool::on_pool!(self, pool => sqlx::query_as(
            "SELECT i.id, i.cycle_id, c.academic_year, s.name FROM staff_invitations i
             JOIN cycles c ON c.id = i.cycle_id JOIN schemes s ON s.id = c.scheme_id
             WHERE i.user_id = $1 AND i.status = 'accepted' ORDER BY c.academic_year DESC, i.id DESC"
        ).bind(user_id).fetch_all(pool).await)?;
        let mut out = Vec::new();
        for (invitation_id, cycle_id, academic_year, scheme_name) in rows {
            let events = crate::pool::on_pool!(self, pool => sqlx::query_as::<_, ConsentEvent>(
                "SELECT kind, given, at FROM invitation_consents WHERE invitation_id = $1 ORDER BY id"
            ).bind(invitation_id).fetch_all(pool).await)?;
            out.push(StaffConsents {
                invitation_id,
                cycle_id,
                academic_year,
                scheme_name,
                events,
            });
        }
        Ok(out)
    }
}

impl Store {
    /// The cycles `user_id` applied to, as (cycle id, academic year, scheme name), newest first:
    /// their consents there are on their application's page.
    pub async fn applied_cycles(&self, user_id: i64) -> Result<Vec<(i64, i64, String)>> {
        Ok(crate::pool::on_pool!(self, pool => sqlx::query_as(
            "SELECT c.id, c.academic_year, s.name FROM applications a
             JOIN cycles c ON c.id = a.cycle_id JOIN schemes s ON s.id = c.scheme_id
             WHERE a.user_id = $1 ORDER BY c.academic_year DESC, a.id DESC"
        ).bind(user_id).fetch_all(pool).await)?)
    }
}

impl Tx {
    /// The consent history of an application, as this transaction sees it.
    async fn application_consent_events(
        &mut self,
        application_id: i64,
    ) -> Result<Vec<ConsentEvent>> {
        Ok(on_tx!(self, c => sqlx::query_as::<_, ConsentEvent>(
            "SELECT kind, given, at FROM application_consents WHERE application_id = $1 ORDER BY id"
        ).bind(application_id).fetch_all(&mut *c).await)?)
    }

    /// Withdraws one consent on an application, with everything it causes (see the module's
    /// comment). A consent not given is a conflict and changes nothing.
    pub async fn withdraw_application_consent(
        &mut self,
        application_id: i64,
        kind: ConsentKind,
    ) -> Result<Withdrawal> {
        let history = self.application_consent_events(application_id).await?;
        if !current_consents(&history).contains(&kind) {
            return Err(not_given(kind));
        }
        let (cycle_id, user_id): (i64, i64) = on_tx!(self, c => sqlx::query_as(
            "SELECT cycle_id, user_id FROM applications WHERE id = $1"
        ).bind(application_id).fetch_optional(&mut *c).await)
        .or_not_found()?;
        let at = now();
        on_tx!(self, c => sqlx::query("INSERT INTO application_consents (application_id, kind, given, at) VALUES ($1, $2, $3, $4)")
            .bind(application_id).bind(kind.as_str()).bind(false).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        let mut done = Withdrawal::default();
        if kind == ConsentKind::TakePart {
            on_tx!(self, c => {
                sqlx::query("UPDATE applications SET status = $1, own_words = '', updated_at = $2 WHERE id = $3")
                    .bind(ApplicationStatus::Withdrawn.as_str()).bind(at).bind(application_id).execute(&mut *c).await?;
                sqlx::query("DELETE FROM application_labels WHERE application_id = $1")
                    .bind(application_id).execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
            done.pairs_ended = on_tx!(self, c => sqlx::query(
                "UPDATE pairs SET status = $1, ended_reason = $2, ended_at = $3
                 WHERE cycle_id = $4 AND (mentor_id = $5 OR mentee_id = $5) AND status = $6"
            ).bind(PairStatus::EndedEarly.as_str()).bind(WITHDREW).bind(at).bind(cycle_id).bind(user_id)
                .bind(PairStatus::Active.as_str()).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        self.withdrawal_effects(cycle_id, user_id, kind, &mut done)
            .await?;
        Ok(done)
    }

    /// Gives or withdraws one of a staff leader's consents on their accepted invitation
    /// ([`STAFF_CONSENTS`]); withdrawing has the effects in the module's comment, giving
    /// research use back counts their answers again. Giving what stands, or withdrawing what
    /// does not, is a conflict and changes nothing.
    pub async fn change_staff_consent(
        &mut self,
        invitation_id: i64,
        kind: ConsentKind,
        given: bool,
    ) -> Result<Withdrawal> {
        if !STAFF_CONSENTS.contains(&kind) {
            return Err(StoreError::Conflict(format!(
                "consent to {} is not one a staff leader changes here",
                kind.label().to_lowercase()
            )));
        }
        let (cycle_id, user_id): (i64, i64) = on_tx!(self, c => sqlx::query_as(
            "SELECT cycle_id, user_id FROM staff_invitations WHERE id = $1 AND status = 'accepted' AND user_id IS NOT NULL"
        ).bind(invitation_id).fetch_optional(&mut *c).await)
        .or_not_found()?;
        let history = on_tx!(self, c => sqlx::query_as::<_, ConsentEvent>(
            "SELECT kind, given, at FROM invitation_consents WHERE invitation_id = $1 ORDER BY id"
        ).bind(invitation_id).fetch_all(&mut *c).await)?;
        if current_consents(&history).contains(&kind) == given {
            return Err(if given {
                StoreError::Conflict(format!(
                    "consent to {} is already given",
                    kind.label().to_lowercase()
                ))
            } else {
                not_given(kind)
            });
        }
        let at = now();
        on_tx!(self, c => sqlx::query("INSERT INTO invitation_consents (invitation_id, kind, given, at) VALUES ($1, $2, $3, $4)")
            .bind(invitation_id).bind(kind.as_str()).bind(given).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if kind == ConsentKind::Research {
            on_tx!(self, c => sqlx::query("UPDATE staff_invitations SET research_consent = $1 WHERE id = $2")
                .bind(given).bind(invitation_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        let mut done = Withdrawal::default();
        if given {
            if kind == ConsentKind::Research {
                on_tx!(self, c => sqlx::query("UPDATE survey_participants SET research_consent = $1 WHERE cycle_id = $2 AND user_id = $3")
                    .bind(true).bind(cycle_id).bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
            }
        } else {
            self.withdrawal_effects(cycle_id, user_id, kind, &mut done)
                .await?;
        }
        Ok(done)
    }

    /// What withdrawing `kind` does to `user_id`'s data in cycle `cycle_id`, whoever they are.
    async fn withdrawal_effects(
        &mut self,
        cycle_id: i64,
        user_id: i64,
        kind: ConsentKind,
        done: &mut Withdrawal,
    ) -> Result<()> {
        if matches!(kind, ConsentKind::TakePart | ConsentKind::Research) {
            done.answers_withdrawn = on_tx!(self, c => sqlx::query(
                "UPDATE survey_participants SET research_consent = $1 WHERE cycle_id = $2 AND user_id = $3 AND research_consent"
            ).bind(false).bind(cycle_id).bind(user_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        if kind == ConsentKind::Quotes {
            done.quotes_deleted = on_tx!(self, c => sqlx::query(
                "DELETE FROM qual_quotes WHERE participant_user_id = $1 AND excerpt_id IN
                 (SELECT e.id FROM qual_excerpts e JOIN qual_chats ch ON ch.id = e.chat_id WHERE ch.cycle_id = $2)"
            ).bind(user_id).bind(cycle_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        if kind == ConsentKind::TakePart {
            // Last, once everything the role gave access to is settled.
            done.roles_removed = on_tx!(self, c => sqlx::query(
                "DELETE FROM role_grants WHERE user_id = $1 AND scope_kind = 'cycle' AND scope_id = $2 AND role IN ($3, $4)"
            ).bind(user_id).bind(cycle_id).bind(Role::Mentor.as_str()).bind(Role::Mentee.as_str())
                .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }
}

fn not_given(kind: ConsentKind) -> StoreError {
    StoreError::Conflict(format!(
        "consent to {} is not given, so there is nothing to withdraw",
        kind.label().to_lowercase()
    ))
}
