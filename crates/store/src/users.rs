//! People, their sign-in identities and their roles.
use crate::error::{OrNotFound, StoreError};
use crate::pool::{on_pool, on_pool_write};
use crate::tx::on_tx;
use crate::{Result, Store, Tx, now};
use chrono::{DateTime, Utc};
// Emails are compared without regard to case, in the one form `Email::parse` also produces
// (a caller holding a plain string, such as the sign-in form, is normalised the same way).
use flipside_core::email::normalise as normalise_email;
use flipside_core::role::{Grant, Role, Scope, ScopeKind};
use serde::Serialize;

/// A person with an account.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub school_id: Option<i64>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// What creating a person needs.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    /// An Argon2id PHC string, or `None` for people who sign in through SSO only.
    pub password_hash: Option<&'a str>,
    pub school_id: Option<i64>,
}

/// A stored role grant.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct GrantRow {
    pub id: i64,
    pub user_id: i64,
    pub role: String,
    pub scope_kind: String,
    pub scope_id: i64,
    pub granted_at: DateTime<Utc>,
}

impl GrantRow {
    /// The typed grant; rows that no longer parse (a role removed from the product) are skipped.
    pub fn grant(&self) -> Option<Grant> {
        let role = Role::parse(&self.role).ok()?;
        let kind = ScopeKind::parse(&self.scope_kind)?;
        let id = (kind != ScopeKind::Organisation).then_some(self.scope_id);
        Some(Grant {
            role,
            scope: Scope::from_parts(kind, id)?,
        })
    }
}

pub(crate) const USER_COLUMNS: &str =
    "id, email, display_name, password_hash, school_id, disabled, created_at";

impl Store {
    pub async fn create_user(&self, new: NewUser<'_>) -> Result<i64> {
        let email = normalise_email(new.email);
        let (id,): (i64,) = on_pool_write!(self, pool => sqlx::query_as(
            "INSERT INTO users (email, display_name, password_hash, school_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        ).bind(&email).bind(new.display_name).bind(new.password_hash).bind(new.school_id).bind(now())
            .fetch_one(pool).await)
            .map_err(|e| StoreError::unique(e, format!("someone with the email {email} already exists")))?;
        Ok(id)
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        on_pool!(self, pool => sqlx::query_as::<_, User>(&sql).bind(id).fetch_optional(pool).await)
            .or_not_found()
    }

    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        on_pool!(self, pool => sqlx::query_as::<_, User>(&sql).bind(normalise_email(email)).fetch_optional(pool).await).or_not_found()
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY display_name, id");
        Ok(on_pool!(self, pool => sqlx::query_as::<_, User>(&sql).fetch_all(pool).await)?)
    }

    pub async fn set_password_hash(&self, user_id: i64, hash: &str) -> Result<()> {
        on_pool_write!(self, pool => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(user_id).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The person an OpenID Connect identity belongs to. An identity seen for the first time is
    /// linked to the account with the same (verified) email, if there is one; otherwise a new
    /// account without roles is created, for an admin to grant roles to.
    pub async fn user_for_oidc(
        &self,
        issuer: &str,
        subject: &str,
        email: &str,
        name: &str,
    ) -> Result<(User, bool)> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2"
        );
        let found = on_pool!(self, pool => sqlx::query_as::<_, User>(&sql).bind(issuer).bind(subject).fetch_optional(pool).await)?;
        if let Some(user) = found {
            return Ok((user, false));
        }
        let (id, created) = match self.user_by_email(email).await {
            Ok(user) => (user.id, false),
            Err(StoreError::NotFound) => (
                self.create_user(NewUser {
                    email,
                    display_name: name,
                    password_hash: None,
                    school_id: None,
                })
                .await?,
                true,
            ),
            Err(e) => return Err(e),
        };
        on_pool_write!(self, pool => sqlx::query("UPDATE users SET oidc_issuer = $1, oidc_subject = $2 WHERE id = $3")
            .bind(issuer).bind(subject).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok((self.user(id).await?, created))
    }

    pub async fn grants_of(&self, user_id: i64) -> Result<Vec<GrantRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, GrantRow>(
            "SELECT id, user_id, role, scope_kind, scope_id, granted_at FROM role_grants WHERE user_id = $1 ORDER BY role, scope_kind, scope_id"
        ).bind(user_id).fetch_all(pool).await)?)
    }

    pub async fn all_grants(&self) -> Result<Vec<GrantRow>> {
        Ok(on_pool!(self, pool => sqlx::query_as::<_, GrantRow>(
            "SELECT id, user_id, role, scope_kind, scope_id, granted_at FROM role_grants ORDER BY user_id, role"
        ).fetch_all(pool).await)?)
    }

    /// Grants a role; granting one already held is a conflict.
    pub async fn grant_role(
        &self,
        user_id: i64,
        grant: Grant,
        granted_by: Option<i64>,
    ) -> Result<i64> {
        let (id,): (i64,) = on_pool_write!(self, pool => sqlx::query_as(
            "INSERT INTO role_grants (user_id, role, scope_kind, scope_id, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        ).bind(user_id).bind(grant.role.as_str()).bind(grant.scope.kind().as_str()).bind(grant.scope.id().unwrap_or(0))
            .bind(granted_by).bind(now()).fetch_one(pool).await)
            .map_err(|e| StoreError::unique(e, format!("this person already holds the role {}", grant.role.label())))?;
        Ok(id)
    }

    /// Whether the scheme, cycle or School a scope names exists (the organisation always
    /// does). Every way of granting a role asks first: a grant in `cycle:-1` would sit in
    /// the person's roles naming nothing, and apply to whatever later takes that id.
    pub async fn scope_exists(&self, scope: Scope) -> Result<bool> {
        let table = match scope {
            Scope::Organisation => return Ok(true),
            Scope::Scheme(_) => "schemes",
            Scope::Cycle(_) => "cycles",
            Scope::School(_) => "schools",
        };
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = $1");
        let (n,): (i64,) = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(scope.id()).fetch_one(pool).await)?;
        Ok(n > 0)
    }

    /// Removes a grant, returning what it was.
    pub async fn revoke_grant(&self, grant_id: i64) -> Result<GrantRow> {
        on_pool_write!(self, pool => sqlx::query_as::<_, GrantRow>(
            "DELETE FROM role_grants WHERE id = $1 RETURNING id, user_id, role, scope_kind, scope_id, granted_at"
        ).bind(grant_id).fetch_optional(pool).await).or_not_found()
    }
}

impl Tx {
    /// Adds a person. `Conflict` when someone already has the email.
    pub async fn create_user(&mut self, new: NewUser<'_>) -> Result<i64> {
        let email = normalise_email(new.email);
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO users (email, display_name, password_hash, school_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        ).bind(&email).bind(new.display_name).bind(new.password_hash).bind(new.school_id).bind(now())
            .fetch_one(&mut *c).await
            .map_err(|e| StoreError::unique(e, format!("someone with the email {email} already exists"))))?;
        Ok(id)
    }

    /// Gives a person a role. `Conflict` when they already hold it in that scope.
    pub async fn grant_role(
        &mut self,
        user_id: i64,
        grant: Grant,
        granted_by: Option<i64>,
    ) -> Result<i64> {
        let (id,): (i64,) = on_tx!(self, c => sqlx::query_as(
            "INSERT INTO role_grants (user_id, role, scope_kind, scope_id, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        ).bind(user_id).bind(grant.role.as_str()).bind(grant.scope.kind().as_str()).bind(grant.scope.id().unwrap_or(0))
            .bind(granted_by).bind(now()).fetch_one(&mut *c).await
            .map_err(|e| StoreError::unique(e, format!("this person already holds the role {}", grant.role.label()))))?;
        Ok(id)
    }

    /// Removes a grant, returning what it was.
    pub async fn revoke_grant(&mut self, grant_id: i64) -> Result<GrantRow> {
        on_tx!(self, c => sqlx::query_as::<_, GrantRow>(
            "DELETE FROM role_grants WHERE id = $1 RETURNING id, user_id, role, scope_kind, scope_id, granted_at"
        ).bind(grant_id).fetch_optional(&mut *c).await).or_not_found()
    }

    /// A person, as this transaction sees them.
    pub async fn user(&mut self, id: i64) -> Result<User> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        on_tx!(self, c => sqlx::query_as::<_, User>(&sql).bind(id).fetch_optional(&mut *c).await)
            .or_not_found()
    }
}
