//! Local accounts: single-use, expiring links by email (set a password, sign in), setting a
//! password, and disabling an account. Only a SHA-256 of each link's token is stored.
use crate::error::{OrNotFound, StoreError};
use crate::tx::on_tx;
use crate::users::USER_COLUMNS;
use crate::{Result, Store, Tx, User, now};
use chrono::Duration;
use rand::Rng;
use sha2::{Digest, Sha256};

/// What a link by email lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Choose a password: a new account's first, or a reset.
    SetPassword,
    /// Sign in once, without a password (when the organisation allows it).
    SignIn,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::SetPassword => "set_password",
            LinkPurpose::SignIn => "sign_in",
        }
    }
}

/// A link just made: its id (which keys its email) and the token to put in it, shown once.
#[derive(Clone)]
pub struct AccountLink {
    pub id: i64,
    pub token: String,
}

impl std::fmt::Debug for AccountLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccountLink({}, <redacted>)", self.id)
    }
}

fn link_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

impl Store {
    /// The person a link is for, while it is unused and unexpired (to show its form). Using
    /// it is [`Tx::take_account_link`].
    pub async fn account_link_user(&self, token: &str, purpose: LinkPurpose) -> Result<User> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = (SELECT user_id FROM account_links
             WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3) AND NOT disabled"
        );
        crate::pool::on_pool!(self, pool => sqlx::query_as::<_, User>(&sql)
            .bind(link_hash(token)).bind(purpose.as_str()).bind(now()).fetch_optional(pool).await)
        .or_not_found()
    }
}

impl Store {
    /// Whether the organisation lets people sign in by a link sent to their email.
    pub async fn email_sign_in_allowed(&self) -> Result<bool> {
        let row: Option<(bool,)> = crate::pool::on_pool!(self, pool => sqlx::query_as(
            "SELECT email_sign_in FROM organisation WHERE id = 1"
        ).fetch_optional(pool).await)?;
        Ok(row.is_some_and(|(on,)| on))
    }
}

impl Tx {
    /// Switches email sign-in links on or off.
    pub async fn set_email_sign_in(&mut self, allowed: bool) -> Result<()> {
        on_tx!(self, c => sqlx::query("UPDATE organisation SET email_sign_in = $1 WHERE id = 1")
            .bind(allowed).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
    /// Makes a link for a person, valid for `ttl`.
    pub async fn create_account_link(
        &mut self,
        user_id: i64,
        purpose: LinkPurpose,
        ttl: Duration,
    ) -> Result<AccountLink> {
        let token = hex::encode(rand::rng().random::<[u8; 32]>());
        let at = now();
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO account_links (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        ).bind(link_hash(&token)).bind(user_id).bind(purpose.as_str()).bind(at).bind(at + ttl)
            .fetch_one(&mut *c).await)?;
        Ok(AccountLink { id, token })
    }

    /// Uses a link: marks it used and returns its person. An unknown, used or expired link,
    /// or one of a disabled account, is `NotFound` and changes nothing.
    pub async fn take_account_link(&mut self, token: &str, purpose: LinkPurpose) -> Result<User> {
        let at = now();
        let user_id: Option<(i64,)> = on_tx!(self, c => sqlx::query_as(
            "UPDATE account_links SET used_at = $1
             WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
             RETURNING user_id"
        ).bind(at).bind(link_hash(token)).bind(purpose.as_str()).fetch_optional(&mut *c).await)?;
        let (user_id,) = user_id.ok_or(StoreError::NotFound)?;
        let user = self.user(user_id).await?;
        if user.disabled {
            return Err(StoreError::NotFound);
        }
        Ok(user)
    }

    /// A person by email (compared without regard to case), as this transaction sees them.
    pub async fn user_by_email(&mut self, email: &str) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        on_tx!(self, c => sqlx::query_as::<_, User>(&sql).bind(email.trim().to_lowercase()).fetch_optional(&mut *c).await)
            .or_not_found()
    }

    /// Sets a person's password and ends their sessions, all but `keep` (the session of the
    /// person changing it, if any): whoever knew the old password is signed out everywhere.
    /// Every other unused link to set a password ends too.
    pub async fn set_password(
        &mut self,
        user_id: i64,
        hash: &str,
        keep: Option<&str>,
    ) -> Result<()> {
        let keep = keep.map(crate::sessions::session_hash).unwrap_or_default();
        let at = now();
        on_tx!(self, c => {
            sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(user_id).execute(&mut *c).await?;
            sqlx::query("UPDATE account_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL AND purpose = $3")
                .bind(at).bind(user_id).bind(LinkPurpose::SetPassword.as_str()).execute(&mut *c).await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2").bind(user_id).bind(&keep).execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Disables or re-enables an account. Disabling ends its sessions; its API tokens stop
    /// working because every request checks the account (see `Store::api_token_user`).
    pub async fn set_disabled(&mut self, user_id: i64, disabled: bool) -> Result<()> {
        let changed = on_tx!(self, c => {
            let r = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2").bind(disabled).bind(user_id).execute(&mut *c).await?;
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *c).await?;
            }
            Ok::<u64, sqlx::Error>(r.rows_affected())
        })?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
