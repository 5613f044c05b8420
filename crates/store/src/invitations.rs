//! Staff invitations (SPEC §3.2): a single-use link, sent by email, that expires. Only a
//! SHA-256 hash of each link's token is stored.
use crate::decoded::Decoded;
use crate::error::{OrNotFound, StoreError};
use crate::pool::{on_pool, on_pool_write};
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use chrono::{DateTime, Utc};
use flipside_core::invitation::InvitationStatus;
use flipside_core::recruitment::ConsentKind;
use flipside_core::role::Role;
use rand::Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// One invitation of a staff leader to a cycle.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Invitation {
    pub id: i64,
    pub cycle_id: i64,
    /// The person, once the invitation is accepted.
    pub user_id: Option<i64>,
    pub email: String,
    pub name: String,
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    pub status: Decoded<InvitationStatus>,
    pub expires_at: DateTime<Utc>,
    /// How many times the link was sent.
    pub sends: i64,
    pub decline_reason: String,
    pub interests: String,
    pub availability: String,
    pub created_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
}

impl Invitation {
    /// Where it stands now (an unanswered one past its expiry is expired).
    pub fn status(&self) -> InvitationStatus {
        InvitationStatus::at(self.status.as_str(), self.expires_at, now())
    }
}

/// What inviting someone needs; already validated by the caller.
#[derive(Debug, Clone)]
pub struct NewInvitation<'a> {
    pub cycle_id: i64,
    pub email: &'a str,
    pub name: &'a str,
    pub school_id: Option<i64>,
    pub invited_by: Option<i64>,
    pub expires_at: DateTime<Utc>,
}

const INVITATION_COLUMNS: &str = "i.id, i.cycle_id, i.user_id, i.email, i.name, i.school_id, s.name AS school_name, i.status, i.expires_at, i.sends, i.decline_reason, i.interests, i.availability, i.created_at, i.responded_at";
const INVITATION_FROM: &str = "staff_invitations i LEFT JOIN schools s ON s.id = i.school_id";

/// A fresh link token (returned once, to be put in the email) and its stored hash.
fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::rng().random();
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

impl Store {
    /// Invites someone; returns the invitation's id and the link's token. Inviting the same
    /// address to the same cycle twice is a conflict.
    /// Creates an invitation on its own (set-up and import; the coordinator's page queues the
    /// email in the same transaction, with [`Tx::create_invitation`]).
    pub async fn create_invitation(&self, new: NewInvitation<'_>) -> Result<(i64, String)> {
        let mut tx = self.begin().await?;
        let created = tx.create_invitation(new).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn invitation(&self, id: i64) -> Result<Invitation> {
        let sql = format!("SELECT {INVITATION_COLUMNS} FROM {INVITATION_FROM} WHERE i.id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, Invitation>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    /// The invitation a link's token belongs to (`NotFound` for an unknown or replaced one).
    pub async fn invitation_by_token(&self, token: &str) -> Result<Invitation> {
        let sql =
            format!("SELECT {INVITATION_COLUMNS} FROM {INVITATION_FROM} WHERE i.token_hash = $1");
        on_pool!(self, pool => sqlx::query_as::<_, Invitation>(&sql).bind(token_hash(token)).fetch_optional(pool).await)
            .or_not_found()
    }

    /// A cycle's invitations, oldest first.
    pub async fn invitations_of(&self, cycle_id: i64) -> Result<Vec<Invitation>> {
        let sql = format!(
            "SELECT {INVITATION_COLUMNS} FROM {INVITATION_FROM} WHERE i.cycle_id = $1 ORDER BY i.id"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as::<_, Invitation>(&sql).bind(cycle_id).fetch_all(pool).await)?,
        )
    }

    /// Sends an unanswered, unexpired invitation again with a new link (the old one stops
    /// working) that expires at `expires_at`. Returns the new token and which sending this is.
    /// Gives an invitation a new link on its own (see [`Tx::resend_invitation`]).
    pub async fn resend_invitation(
        &self,
        id: i64,
        expires_at: DateTime<Utc>,
    ) -> Result<(String, i64)> {
        let mut tx = self.begin().await?;
        let sent = tx.resend_invitation(id, expires_at).await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// Accepts an invitation by its link, in one transaction: records the answer, finds or
    /// creates the person by email, and grants them the mentee role in the cycle. A link
    /// already used or expired is a conflict and changes nothing. Returns the person's id.
    pub async fn accept_invitation(
        &self,
        token: &str,
        interests: &str,
        availability: &str,
        research_consent: bool,
    ) -> Result<i64> {
        let mut tx = self.begin().await?;
        let user_id = tx
            .accept_invitation(token, interests, availability, research_consent)
            .await?;
        tx.commit().await?;
        Ok(user_id)
    }

    /// Declines an invitation by its link, with the reason. A link already used or expired is
    /// a conflict and changes nothing.
    pub async fn decline_invitation(&self, token: &str, reason: &str) -> Result<()> {
        let at = now();
        let done = on_pool_write!(self, pool => sqlx::query(
            "UPDATE staff_invitations SET status = $1, decline_reason = $2, responded_at = $3
             WHERE token_hash = $4 AND status = $5 AND expires_at > $3"
        ).bind(InvitationStatus::Declined.as_str()).bind(reason).bind(at).bind(token_hash(token))
            .bind(InvitationStatus::Invited.as_str())
            .execute(pool).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::Conflict(
                "this invitation has already been answered or has expired".into(),
            ));
        }
        Ok(())
    }
}

impl Tx {
    /// Accepts an invitation in the transaction of a larger operation (see
    /// [`Store::accept_invitation`]).
    pub async fn accept_invitation(
        &mut self,
        token: &str,
        interests: &str,
        availability: &str,
        research_consent: bool,
    ) -> Result<i64> {
        let at = now();
        let hash = token_hash(token);
        let user_id = on_tx!(self, c => {
            let row: Option<(i64, i64, String, String, Option<i64>)> = sqlx::query_as(
                "UPDATE staff_invitations SET status = $1, interests = $2, availability = $3, responded_at = $4, research_consent = $7
                 WHERE token_hash = $5 AND status = $6 AND expires_at > $4
                 RETURNING id, cycle_id, email, name, school_id"
            ).bind(InvitationStatus::Accepted.as_str()).bind(interests).bind(availability).bind(at)
                .bind(&hash).bind(InvitationStatus::Invited.as_str()).bind(research_consent)
                .fetch_optional(&mut *c).await?;
            let Some((id, cycle_id, email, name, school_id)) = row else {
                return Err(StoreError::Conflict("this invitation has already been answered or has expired".into()));
            };
            sqlx::query("INSERT INTO users (email, display_name, school_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING")
                .bind(&email).bind(&name).bind(school_id).bind(at).execute(&mut *c).await?;
            let (user_id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
                .bind(&email).fetch_one(&mut *c).await?;
            sqlx::query("INSERT INTO role_grants (user_id, role, scope_kind, scope_id, granted_at) VALUES ($1, $2, 'cycle', $3, $4)
                         ON CONFLICT (user_id, role, scope_kind, scope_id) DO NOTHING")
                .bind(user_id).bind(Role::Mentee.as_str()).bind(cycle_id).bind(at).execute(&mut *c).await?;
            sqlx::query("UPDATE staff_invitations SET user_id = $1 WHERE id = $2")
                .bind(user_id).bind(id).execute(&mut *c).await?;
            if research_consent {
                sqlx::query("INSERT INTO invitation_consents (invitation_id, kind, given, at) VALUES ($1, $2, $3, $4)")
                    .bind(id).bind(ConsentKind::Research.as_str()).bind(true).bind(at).execute(&mut *c).await?;
            }
            Ok::<i64, StoreError>(user_id)
        })?;
        Ok(user_id)
    }

    /// Creates an invitation with a new single-use link. Returns its id and the link's token
    /// (only its hash is stored). Inviting the same address to the same cycle again is a
    /// conflict.
    pub async fn create_invitation(&mut self, new: NewInvitation<'_>) -> Result<(i64, String)> {
        let (token, hash) = new_token();
        let email = new.email.trim().to_lowercase();
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO staff_invitations (cycle_id, email, name, school_id, token_hash, status, expires_at, invited_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        ).bind(new.cycle_id).bind(&email).bind(new.name).bind(new.school_id).bind(&hash)
            .bind(InvitationStatus::Invited.as_str()).bind(new.expires_at).bind(new.invited_by).bind(now())
            .fetch_one(&mut *c).await)
            .map_err(|e| StoreError::unique(e, format!("{email} has already been invited to this cycle; resend that invitation instead")))?;
        Ok((id, token))
    }

    /// An invitation as this transaction sees it.
    pub async fn invitation(&mut self, id: i64) -> Result<Invitation> {
        let sql = format!("SELECT {INVITATION_COLUMNS} FROM {INVITATION_FROM} WHERE i.id = $1");
        on_tx!(self, c => sqlx::query_as::<_, Invitation>(&sql).bind(id).fetch_optional(&mut *c).await)
            .or_not_found()
    }

    /// Cancels an invitation still waiting for its answer: its link stops working at once. One
    /// answered, expired or already cancelled is a conflict and changes nothing.
    pub async fn cancel_invitation(&mut self, id: i64) -> Result<()> {
        let at = now();
        let done = on_tx!(self, c => sqlx::query(
            "UPDATE staff_invitations SET status = $1 WHERE id = $3 AND status = $4 AND expires_at > $2"
        ).bind(InvitationStatus::Cancelled.as_str()).bind(at).bind(id).bind(InvitationStatus::Invited.as_str())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            self.invitation(id).await?;
            return Err(StoreError::Conflict(
                "only an invitation still waiting for its answer can be cancelled".into(),
            ));
        }
        Ok(())
    }

    /// Replaces an unanswered, unexpired invitation's link with a new one (the old one stops
    /// working) and extends it. Returns the new token and how many times it has now been
    /// sent. Queue the new link's email in the same transaction: the old link must not die
    /// unless the new one is on its way.
    pub async fn resend_invitation(
        &mut self,
        id: i64,
        expires_at: DateTime<Utc>,
    ) -> Result<(String, i64)> {
        let (token, hash) = new_token();
        let row: Option<(i64,)> = on_tx!(self, c => sqlx::query_as(
            "UPDATE staff_invitations SET token_hash = $1, expires_at = $2, sends = sends + 1
             WHERE id = $3 AND status = $4 AND expires_at > $5 RETURNING sends"
        ).bind(&hash).bind(expires_at).bind(id).bind(InvitationStatus::Invited.as_str()).bind(now())
            .fetch_optional(&mut *c).await)?;
        match row {
            Some((sends,)) => Ok((token, sends)),
            None => {
                self.invitation(id).await?;
                Err(StoreError::Conflict(
                    "only an unanswered invitation that has not expired can be sent again".into(),
                ))
            }
        }
    }
}
