//! Server-side sessions, API tokens, sign-in throttling and OpenID Connect flow state.
//!
//! Sessions live in flipside's own tables rather than a session-store crate so that both
//! backends share one schema and migrations, and so that a session is tied to a person (for
//! sign-out everywhere and for the audit log). Only a SHA-256 hash of each token is stored:
//! a copy of the database does not let anyone sign in.
use crate::error::{OrNotFound, StoreError};
use crate::pool::{on_pool, on_pool_write};
use crate::tx::{Tx, on_tx};
use crate::{GrantRow, Result, Store, User, now};
use chrono::{DateTime, Duration, Utc};
use flipside_core::account::Failures;
use flipside_core::api_scope::Scopes;
use flipside_core::local_time::Zone;
use flipside_core::policy::TutoringSelf;
use rand::Rng;
use sha2::{Digest, Sha256};

/// A secret handed to a browser (as a cookie) or to an API client (as a bearer token).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(pub String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

/// What is stored of a session or API token.
pub(crate) fn session_hash(token: &str) -> String {
    flipside_core::digest::hex_of(&Sha256::digest(token.as_bytes()))
}

impl SessionToken {
    fn generate() -> SessionToken {
        let bytes: [u8; 32] = rand::rng().random();
        SessionToken(hex::encode(bytes))
    }

    fn hash(token: &str) -> String {
        session_hash(token)
    }
}

/// An API token as its owner sees it in the list (the token itself is never stored).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The token's scopes, as stored (`flipside_core::api_scope::Scopes::parse` reads them).
    pub scopes: String,
}

/// Recent failed sign-ins, for slowing the next attempt down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// Of this account from this address.
    pub pair: Failures,
    /// From this address, whatever the account.
    pub from_address: Failures,
}

/// Everything a page needs to know about who is asking, read with one query per request (see
/// [`Store::session_context`]).
#[derive(Debug, Clone)]
pub struct SessionContext {
    pub user: User,
    /// Their role grants, in the order of [`Store::grants_of`].
    pub grants: Vec<GrantRow>,
    /// Their linked tutoring records.
    pub tutoring: TutoringSelf,
    /// Some tutor or student record names their email and no account holds it yet (they may
    /// confirm it as theirs: `operations::tutoring::tutoring_self`).
    pub unlinked_records: bool,
    /// The organisation's time zone (`None`: the stored name is not a zone; whoever needs the
    /// zone reads it with [`Store::zone`], which reports the corruption).
    pub zone: Option<Zone>,
    /// The organisation, as [`Store::organisation`] reads it (`None`: not set up yet).
    pub organisation: Option<crate::Organisation>,
}

/// One row of [`SESSION_CONTEXT`]: the person and one of their grants (none: the grant columns
/// are NULL).
#[derive(sqlx::FromRow)]
struct SessionContextRow {
    #[sqlx(flatten)]
    user: User,
    tutor_id: Option<i64>,
    student_id: Option<i64>,
    unlinked_records: bool,
    time_zone: Option<String>,
    org_name: Option<String>,
    org_short_name: Option<String>,
    org_min_cell: Option<i64>,
    org_disclosure_preset: Option<String>,
    org_hours_target: Option<i64>,
    org_created_at: Option<DateTime<Utc>>,
    org_population_total: Option<i64>,
    org_population_source: Option<String>,
    org_stale_pair_weeks: Option<i64>,
    session_expires_at: DateTime<Utc>,
    people_version: i64,
    grant_id: Option<i64>,
    role: Option<String>,
    scope_kind: Option<String>,
    scope_id: Option<i64>,
    granted_at: Option<DateTime<Utc>>,
}

/// The session's person, each of their grants as a row, their linked tutoring records, whether
/// a record waits to be linked, and the organisation (its zone among it): what six queries read
/// before. With them the session's expiry and the `people` data version, read in the same
/// statement (so in the same snapshot) as what it stamps.
const SESSION_CONTEXT: &str = "SELECT u.id, u.email, u.display_name, u.password_hash, u.school_id, u.disabled, u.created_at,
        (SELECT id FROM tutoring_tutors WHERE user_id = u.id ORDER BY id LIMIT 1) AS tutor_id,
        (SELECT id FROM tutoring_students WHERE user_id = u.id ORDER BY id LIMIT 1) AS student_id,
        (EXISTS (SELECT 1 FROM tutoring_tutors WHERE user_id IS NULL AND lower(email) = lower(u.email))
            OR EXISTS (SELECT 1 FROM tutoring_students WHERE user_id IS NULL AND lower(email) = lower(u.email))) AS unlinked_records,
        o.time_zone, o.name AS org_name, o.short_name AS org_short_name, o.min_cell AS org_min_cell,
        o.disclosure_preset AS org_disclosure_preset, o.hours_target AS org_hours_target,
        o.created_at AS org_created_at, o.population_total AS org_population_total,
        o.population_source AS org_population_source, o.stale_pair_weeks AS org_stale_pair_weeks,
        s.expires_at AS session_expires_at,
        (SELECT version FROM data_versions WHERE name = 'people') AS people_version,
        g.id AS grant_id, g.role, g.scope_kind, g.scope_id, g.granted_at
     FROM sessions s JOIN users u ON u.id = s.user_id
     LEFT JOIN organisation o ON o.id = 1
     LEFT JOIN role_grants g ON g.user_id = u.id
     WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled
     ORDER BY g.role, g.scope_kind, g.scope_id";

impl Store {
    /// Who a live session belongs to, with their grants, tutoring records and the
    /// organisation's zone, in one query (every signed-in page asks this first); `NotFound` for
    /// an unknown, expired or disabled session.
    ///
    /// Kept in memory per session while the `people` data version is unchanged (migration 0230
    /// raises it with every write that could change the answer) and the session has not
    /// expired: a page then asks the database nothing to learn who is asking. A write made by
    /// this process is seen at once, another process's within the store's staleness bound
    /// (`crate::versions`). Unknown sessions are not remembered.
    pub async fn session_context(&self, token: &str) -> Result<SessionContext> {
        let hash = SessionToken::hash(token);
        let version = self
            .data_version(crate::versions::Versioned::People)
            .await?;
        let at = now();
        if let Some(context) = self.caches.sessions.lookup(&hash, version, at) {
            return Ok(context);
        }
        let rows: Vec<SessionContextRow> = on_pool!(self, pool => sqlx::query_as(SESSION_CONTEXT)
            .bind(&hash).bind(at).fetch_all(pool).await)?;
        let mut grants = Vec::new();
        let mut first = None;
        for row in rows {
            if let (Some(id), Some(role), Some(scope_kind), Some(scope_id), Some(granted_at)) = (
                row.grant_id,
                row.role.clone(),
                row.scope_kind.clone(),
                row.scope_id,
                row.granted_at,
            ) {
                grants.push(GrantRow {
                    id,
                    user_id: row.user.id,
                    role,
                    scope_kind,
                    scope_id,
                    granted_at,
                });
            }
            first.get_or_insert(row);
        }
        let row = first.ok_or(StoreError::NotFound)?;
        let organisation = match (
            row.org_name,
            row.org_short_name,
            row.org_min_cell,
            row.org_disclosure_preset,
            row.org_hours_target,
            row.org_created_at,
            row.org_population_source,
            row.org_stale_pair_weeks,
            row.time_zone.clone(),
        ) {
            (
                Some(name),
                Some(short_name),
                Some(min_cell),
                Some(disclosure_preset),
                Some(hours_target),
                Some(created_at),
                Some(population_source),
                Some(stale_pair_weeks),
                Some(time_zone),
            ) => Some(crate::Organisation {
                name,
                short_name,
                min_cell,
                disclosure_preset,
                hours_target,
                created_at,
                population_total: row.org_population_total,
                population_source,
                time_zone,
                stale_pair_weeks,
            }),
            _ => None,
        };
        let context = SessionContext {
            organisation,
            zone: crate::organisation::zone_named(row.time_zone).ok(),
            tutoring: TutoringSelf {
                tutor_id: row.tutor_id,
                student_id: row.student_id,
            },
            unlinked_records: row.unlinked_records,
            grants,
            user: row.user,
        };
        self.caches.sessions.keep(
            hash,
            row.people_version,
            row.session_expires_at,
            context.clone(),
        );
        Ok(context)
    }

    /// The person a live session belongs to, or `NotFound` for an unknown, expired or disabled one.
    pub async fn session_user(&self, token: &str) -> Result<User> {
        on_pool!(self, pool => sqlx::query_as::<_, User>(
            "SELECT u.id, u.email, u.display_name, u.password_hash, u.school_id, u.disabled, u.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled"
        ).bind(SessionToken::hash(token)).bind(now()).fetch_optional(pool).await).or_not_found()
    }

    /// Ends every session of a person (on disabling an account or changing a password).
    pub async fn delete_sessions_of(&self, user_id: i64) -> Result<()> {
        on_pool_write!(self, pool => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Removes expired sessions, stale sign-in failures and abandoned SSO flows.
    pub async fn purge_expired(&self, failures_before: DateTime<Utc>) -> Result<()> {
        let at = now();
        on_pool_write!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(at).execute(pool).await?;
            sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(failures_before).execute(pool).await?;
            sqlx::query("DELETE FROM oidc_flows WHERE created_at < $1").bind(at - Duration::hours(1)).execute(pool).await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Failed sign-ins since `since` of this account from this address, and from this
    /// address whatever the account.
    pub async fn login_failures(
        &self,
        account: &str,
        address: &str,
        since: DateTime<Utc>,
    ) -> Result<LoginFailures> {
        let account = account.trim().to_lowercase();
        let (pair, pair_last, from_address, address_last): (
            i64,
            Option<DateTime<Utc>>,
            i64,
            Option<DateTime<Utc>>,
        ) = on_pool!(self, pool => sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM login_failures WHERE account = $1 AND address = $2 AND at >= $3),
                        (SELECT MAX(at) FROM login_failures WHERE account = $1 AND address = $2 AND at >= $3),
                        (SELECT COUNT(*) FROM login_failures WHERE address = $2 AND at >= $3),
                        (SELECT MAX(at) FROM login_failures WHERE address = $2 AND at >= $3)"
            ).bind(&account).bind(address).bind(since).fetch_one(pool).await)?;
        Ok(LoginFailures {
            pair: Failures {
                count: pair,
                last: pair_last,
            },
            from_address: Failures {
                count: from_address,
                last: address_last,
            },
        })
    }

    /// Issues a named API token with every scope that expires after `ttl`; the plain token is
    /// returned once and never stored.
    pub async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        ttl: Duration,
    ) -> Result<SessionToken> {
        self.create_scoped_api_token(user_id, name, ttl, &Scopes::all())
            .await
    }

    /// [`Tx::create_scoped_api_token`] in a transaction of its own (tests and the demo; the
    /// account page issues one with its audit entry).
    pub async fn create_scoped_api_token(
        &self,
        user_id: i64,
        name: &str,
        ttl: Duration,
        scopes: &Scopes,
    ) -> Result<SessionToken> {
        let mut tx = self.begin().await?;
        let token = tx
            .create_scoped_api_token(user_id, name, ttl, scopes)
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The person an API token belongs to, unless it was revoked, has expired or its account
    /// is disabled; checked on every request. Records the token's use.
    pub async fn api_token_user(&self, token: &str) -> Result<User> {
        Ok(self.api_token_bearer(token).await?.0)
    }

    /// [`Store::api_token_user`] with the token's scopes.
    pub async fn api_token_bearer(&self, token: &str) -> Result<(User, Scopes)> {
        let at = now();
        let hash = SessionToken::hash(token);
        let user = on_pool!(self, pool => sqlx::query_as::<_, User>(
            "SELECT u.id, u.email, u.display_name, u.password_hash, u.school_id, u.disabled, u.created_at
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND NOT u.disabled"
        ).bind(&hash).bind(at).fetch_optional(pool).await).or_not_found()?;
        let (scopes,): (String,) = on_pool!(self, pool => sqlx::query_as(
            "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 RETURNING scopes"
        ).bind(at).bind(&hash).fetch_optional(pool).await)
        .or_not_found()?;
        let scopes = Scopes::parse(&scopes)
            .map_err(|e| crate::StoreError::Corrupt(format!("API token scopes: {e}")))?;
        Ok((user, scopes))
    }

    /// A person's API tokens, newest first (never the tokens themselves).
    pub async fn api_tokens_of(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, ApiToken>(
            "SELECT id, name, created_at, expires_at, last_used_at, revoked_at, scopes FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
        ).bind(user_id).fetch_all(pool).await)?)
    }

    /// [`Tx::revoke_api_token`] in a transaction of its own.
    pub async fn revoke_api_token(&self, user_id: i64, token_id: i64) -> Result<String> {
        let mut tx = self.begin().await?;
        let name = tx.revoke_api_token(user_id, token_id).await?;
        tx.commit().await?;
        Ok(name)
    }

    /// Remembers an SSO sign-in in progress (PKCE verifier and nonce, keyed by `state`).
    pub async fn save_oidc_flow(
        &self,
        state: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<()> {
        on_pool!(self, pool => sqlx::query("INSERT INTO oidc_flows (state, pkce_verifier, nonce, created_at) VALUES ($1, $2, $3, $4)")
            .bind(state).bind(pkce_verifier).bind(nonce).bind(now()).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Takes (and deletes: each flow completes at most once) an SSO sign-in in progress.
    pub async fn take_oidc_flow(&self, state: &str) -> Result<(String, String)> {
        let fresh_since = now() - Duration::minutes(15);
        on_pool!(self, pool => sqlx::query_as::<_, (String, String)>(
            "DELETE FROM oidc_flows WHERE state = $1 AND created_at >= $2 RETURNING pkce_verifier, nonce"
        ).bind(state).bind(fresh_since).fetch_optional(pool).await).or_not_found()
    }
}

impl Tx {
    /// Issues a named API token limited to `scopes` that expires after `ttl`; the plain token
    /// is returned once and never stored.
    pub async fn create_scoped_api_token(
        &mut self,
        user_id: i64,
        name: &str,
        ttl: Duration,
        scopes: &Scopes,
    ) -> Result<SessionToken> {
        let token = SessionToken(format!("fs_{}", SessionToken::generate().0));
        let at = now();
        on_tx!(self, c => sqlx::query("INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at, scopes) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(user_id).bind(name).bind(SessionToken::hash(&token.0)).bind(at).bind(at + ttl).bind(scopes.to_stored())
            .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(token)
    }

    /// Revokes one of a person's tokens; another person's token, or one already revoked, is
    /// `NotFound`. Returns its name.
    pub async fn revoke_api_token(&mut self, user_id: i64, token_id: i64) -> Result<String> {
        on_tx!(self, c => sqlx::query_as::<_, (String,)>(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING name"
        ).bind(now()).bind(token_id).bind(user_id).fetch_optional(&mut *c).await)
            .or_not_found()
            .map(|(name,)| name)
    }

    /// Starts a new session for a person. A fresh token every time: signing in never reuses a
    /// session id that existed before (no fixation).
    pub async fn create_session(&mut self, user_id: i64, ttl: Duration) -> Result<SessionToken> {
        let token = SessionToken::generate();
        let at = now();
        on_tx!(self, c => sqlx::query("INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(SessionToken::hash(&token.0)).bind(user_id).bind(at).bind(at + ttl).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(token)
    }

    pub async fn delete_session(&mut self, token: &str) -> Result<()> {
        on_tx!(self, c => sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(SessionToken::hash(token)).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failed sign-in of `account` from `address` at `at` (the app's clock).
    pub async fn record_login_failure(
        &mut self,
        account: &str,
        address: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_tx!(self, c => sqlx::query("INSERT INTO login_failures (account, address, at) VALUES ($1, $2, $3)")
            .bind(account.trim().to_lowercase()).bind(address).bind(at).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Forgets the failures of an account from the address it has just signed in from. Those
    /// from other addresses stay: they may be someone else's guesses.
    pub async fn clear_login_failures(&mut self, account: &str, address: &str) -> Result<()> {
        on_tx!(self, c => sqlx::query("DELETE FROM login_failures WHERE account = $1 AND address = $2")
            .bind(account.trim().to_lowercase()).bind(address).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_session_is_kept_under_the_hex_sha256_of_its_token() {
        // FIPS 180-2's example: SHA-256 of "abc". Stored hashes stay readable after a change
        // of how the hex is written.
        assert_eq!(
            super::session_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
