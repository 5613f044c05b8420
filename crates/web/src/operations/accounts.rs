//! Local accounts without single sign-on: links to set a password, resets, password changes,
//! and disabling an account. Each is one transaction with its audit entry and its email.
use crate::auth::password;
use crate::error::AppError;
use crate::mail::messages::{Recipient, SetPasswordLink, SetPasswordReason, SignInLink};
use crate::operations::cycles::Actor;
use crate::state::AppState;
use chrono::Duration;
use flipside_store::{LinkPurpose, NewAuditEntry, StoreError, Tx, User};

/// How long a link to set a new account's first password lasts.
pub const NEW_ACCOUNT_LINK_HOURS: i64 = 72;
/// How long a reset link lasts: short, because it arrives on request and is used at once.
pub const RESET_LINK_HOURS: i64 = 1;

/// How long an email sign-in link lasts.
pub const SIGN_IN_LINK_MINUTES: i64 = 15;

/// Queues a link to set a password for `user`, in the caller's transaction.
pub async fn queue_set_password_link(
    tx: &mut Tx,
    state: &AppState,
    user: &User,
    reason: SetPasswordReason,
) -> Result<(), AppError> {
    let hours = match reason {
        SetPasswordReason::Reset => RESET_LINK_HOURS,
        SetPasswordReason::NewAccount | SetPasswordReason::InvitationAccepted => {
            NEW_ACCOUNT_LINK_HOURS
        }
    };
    let link = tx
        .create_account_link(user.id, LinkPurpose::SetPassword, Duration::hours(hours))
        .await?;
    // Through the transaction: on SQLite it holds the write lock, and waiting for another
    // connection of the pool would starve every writer waiting for that lock.
    let organisation = tx
        .organisation()
        .await?
        .map(|o| o.name)
        .unwrap_or_else(|| "your organisation".into());
    let email = SetPasswordLink {
        link_id: link.id,
        reason,
        organisation: &organisation,
        link: &state.settings.link(&format!("password/set/{}", link.token)),
        valid_hours: hours,
    }
    .to(Recipient {
        name: &user.display_name,
        email: &user.email,
    });
    tx.enqueue_email(&email.as_new()).await?;
    Ok(())
}

/// Answers a request for a reset link. Whether or not the address has an account, the
/// request takes the same path (a transaction that looks the person up and queues an email
/// or not) and the caller answers the same page, so the answer tells nobody who has an
/// account. A disabled account gets no link.
pub async fn request_reset(state: &AppState, email: &str, address: &str) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    let user = match tx.user_by_email(email).await {
        Ok(u) if !u.disabled => Some(u),
        Ok(_) | Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    if let Some(user) = &user {
        queue_set_password_link(&mut tx, state, user, SetPasswordReason::Reset).await?;
        tx.audit(NewAuditEntry {
            actor_id: None,
            action: "password_reset_requested",
            subject_kind: "user",
            subject_id: Some(user.id),
            detail: "",
            address,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Uses a set-password link: sets the password, ends every session of the person and every
/// other link, and records it. `Ok(None)` when the link is unknown, used or expired.
pub async fn set_password_by_link(
    state: &AppState,
    token: &str,
    new_password: &str,
    address: &str,
) -> Result<Option<User>, AppError> {
    // Hash before the transaction: Argon2 takes a while and SQLite's write lock should not.
    let hash = password::hash(new_password).map_err(AppError::Internal)?;
    let mut tx = state.store.begin().await?;
    let user = match tx.take_account_link(token, LinkPurpose::SetPassword).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    tx.set_password(user.id, &hash, None).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(user.id),
        action: "password_set",
        subject_kind: "user",
        subject_id: Some(user.id),
        detail: "by link",
        address,
    })
    .await?;
    tx.commit().await?;
    Ok(Some(user))
}

/// Changes a signed-in person's password (the caller has checked the current one); their
/// other sessions end, the one they are using stays.
pub async fn change_password(
    state: &AppState,
    user: &User,
    session: Option<&str>,
    new_password: &str,
    address: &str,
) -> Result<(), AppError> {
    let hash = password::hash(new_password).map_err(AppError::Internal)?;
    let mut tx = state.store.begin().await?;
    tx.set_password(user.id, &hash, session).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(user.id),
        action: "password_changed",
        subject_kind: "user",
        subject_id: Some(user.id),
        detail: "",
        address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables or re-enables an account, audited. A disabled account's sessions end at once and
/// its API tokens are refused from the next request (every request checks the account).
pub async fn set_disabled(
    state: &AppState,
    actor: Actor<'_>,
    user_id: i64,
    disabled: bool,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    tx.set_disabled(user_id, disabled).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: if disabled {
            "user_disabled"
        } else {
            "user_enabled"
        },
        subject_kind: "user",
        subject_id: Some(user_id),
        detail: "",
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Answers a request for an email sign-in link, like [`request_reset`]: the same path and the
/// same answer whether or not the address has an account. The link carries `next` (a path
/// already checked by `safe_next`), the page to return to once signed in.
pub async fn request_sign_in_link(
    state: &AppState,
    email: &str,
    address: &str,
    next: &str,
) -> Result<(), AppError> {
    let mut tx = state.store.begin().await?;
    let user = match tx.user_by_email(email).await {
        Ok(u) if !u.disabled => Some(u),
        Ok(_) | Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    if let Some(user) = &user {
        let link = tx
            .create_account_link(
                user.id,
                LinkPurpose::SignIn,
                Duration::minutes(SIGN_IN_LINK_MINUTES),
            )
            .await?;
        let mut page = format!("sign-in/email/{}", link.token);
        if next != "/" {
            page.push('?');
            page.push_str(&serde_urlencoded::to_string([("next", next)]).unwrap_or_default());
        }
        let email = SignInLink {
            link_id: link.id,
            link: &state.settings.link(&page),
            valid_minutes: SIGN_IN_LINK_MINUTES,
        }
        .to(Recipient {
            name: &user.display_name,
            email: &user.email,
        });
        tx.enqueue_email(&email.as_new()).await?;
        tx.audit(NewAuditEntry {
            actor_id: None,
            action: "sign_in_link_requested",
            subject_kind: "user",
            subject_id: Some(user.id),
            detail: "",
            address,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Uses an email sign-in link; `Ok(None)` when it is unknown, used or expired. The caller
/// starts the session.
pub async fn take_sign_in_link(state: &AppState, token: &str) -> Result<Option<User>, AppError> {
    let mut tx = state.store.begin().await?;
    let user = match tx.take_account_link(token, LinkPurpose::SignIn).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(Some(user))
}

/// Issues one of `actor`'s own API tokens, named `name`, lasting `days` and limited to
/// `scopes`, with its audit entry, in one transaction. Returns the plain token (shown once).
pub async fn create_api_token(
    state: &AppState,
    actor: Actor<'_>,
    name: &str,
    days: i64,
    scopes: &flipside_core::api_scope::Scopes,
) -> Result<flipside_store::SessionToken, AppError> {
    let mut tx = state.store.begin().await?;
    let token = tx
        .create_scoped_api_token(actor.id, name, Duration::days(days), scopes)
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "api_token_created",
        subject_kind: "user",
        subject_id: Some(actor.id),
        detail: &format!("{name} ({days} days; {})", scopes.to_stored()),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Revokes one of `actor`'s own API tokens with its audit entry, in one transaction; another
/// person's token, or one already revoked, is `NotFound`. Returns its name.
pub async fn revoke_api_token(
    state: &AppState,
    actor: Actor<'_>,
    token_id: i64,
) -> Result<String, AppError> {
    let mut tx = state.store.begin().await?;
    let name = tx.revoke_api_token(actor.id, token_id).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "api_token_revoked",
        subject_kind: "user",
        subject_id: Some(actor.id),
        detail: &name,
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(name)
}
