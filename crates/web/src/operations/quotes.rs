//! The quote bank's edits, a scheme's aims and a student's quote consent given again (issue
//! 11). Each is one transaction with its audit entry; the rules are
//! `flipside_core::qualitative`. Promoting a quote and writing a finding are
//! `operations::qualitative::{promote_quote, set_finding}`.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use flipside_core::qualitative::aims::{Aim, validate_aims};
use flipside_core::qualitative::quotes::check_trim;
use flipside_core::recruitment::ConsentKind;
use flipside_store::{NewAuditEntry, Store, StoreError};

fn invalid(field: &str, message: impl std::fmt::Display) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.to_string(),
    }
}

/// Replaces a quote's words with a trim of its original (removals marked by "…" only); the
/// original stays as it was.
pub async fn trim_quote(
    store: &Store,
    actor: Actor<'_>,
    quote_id: i64,
    edited: &str,
) -> Result<(), AppError> {
    let quote = store.quote_in_cycle(quote_id).await?.quote;
    let edited = edited.trim();
    check_trim(&quote.original, edited).map_err(|e| invalid("edited", e))?;
    let mut tx = store.begin().await?;
    tx.trim_quote(quote_id, edited).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "quote_trimmed",
        subject_kind: "quote",
        subject_id: Some(quote_id),
        detail: &format!(
            "{} of {} characters kept",
            edited.chars().count(),
            quote.original.chars().count()
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a quote out of the bank; its excerpt stays coded and can be promoted again.
pub async fn remove_quote(store: &Store, actor: Actor<'_>, quote_id: i64) -> Result<(), AppError> {
    let quote = store.quote_in_cycle(quote_id).await?;
    let mut tx = store.begin().await?;
    tx.remove_quote(quote_id).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "quote_removed",
        subject_kind: "cycle",
        subject_id: Some(quote.cycle_id),
        detail: &format!("quote {quote_id} from excerpt {}", quote.quote.excerpt_id),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Saves a scheme's aims (in order: relabelled, reordered, added) and which aim each survey
/// statement evidences. Every statement must name one of the aims.
pub async fn save_aims(
    store: &Store,
    actor: Actor<'_>,
    scheme_id: i64,
    aims: &[Aim],
    statement_aims: &[(String, String)],
) -> Result<(), AppError> {
    validate_aims(aims).map_err(|e| invalid("aims", e))?;
    for (code, aim) in statement_aims {
        if !aims.iter().any(|a| &a.key == aim) {
            return Err(invalid(
                &format!("statement_{code}"),
                format!("choose one of the scheme's aims for the statement {code:?}"),
            ));
        }
    }
    let mut tx = store.begin().await?;
    tx.save_aims(scheme_id, aims).await?;
    for (code, aim) in statement_aims {
        tx.set_statement_aim(scheme_id, code, aim).await?;
    }
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "aims_saved",
        subject_kind: "scheme",
        subject_id: Some(scheme_id),
        detail: &format!(
            "{} aim(s): {}",
            aims.len(),
            aims.iter()
                .map(|a| a.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A student gives their consent to being quoted (again) on their application.
pub async fn give_application_quote_consent(
    store: &Store,
    actor: Actor<'_>,
    application_id: i64,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    tx.give_application_consent(application_id, ConsentKind::Quotes)
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "consent_given",
        subject_kind: "application",
        subject_id: Some(application_id),
        detail: ConsentKind::Quotes.as_str(),
        address: actor.address,
    })
    .await?;
    tx.commit().await
}
