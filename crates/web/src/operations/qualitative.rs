//! Operations on a cycle's reflective chats (issue 11): recording a chat, coding it, promoting
//! a quote, writing a finding, and exporting the coding as a REFI-QDA project. Each write is
//! one transaction with its audit entry; the rules are `flipside_core::qualitative`.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use flipside_core::policy;
use flipside_core::qualitative::codebook::CodeId;
use flipside_core::qualitative::excerpt::{NewExcerpt, Span, check_excerpt};
use flipside_core::qualitative::quotes::{check_trim, pseudonyms};
use flipside_core::qualitative::refi::{RefiProject, RefiSource, RefiUser, write_project};
use flipside_core::recruitment::ConsentKind;
use flipside_store::{NewAuditEntry, NewChat, Store, StoreError};
use std::collections::{BTreeMap, BTreeSet};

fn invalid(field: &str, message: impl std::fmt::Display) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.to_string(),
    }
}

/// Records a chat with a participant of a cycle, with the aims and codebook the scheme needs
/// to code it, and the audit entry. A participant without research consent cannot have a
/// chat recorded.
pub async fn record_chat(
    store: &Store,
    actor: Actor<'_>,
    new: &NewChat<'_>,
) -> Result<i64, AppError> {
    let consent = store
        .consent_stands(new.cycle_id, new.participant_user_id, ConsentKind::Research)
        .await?;
    if !policy::can_record_chat(consent) {
        return Err(AppError::Conflict(
            "this participant has not given research consent, so no chat can be recorded".into(),
        ));
    }
    let cycle = store.cycle(new.cycle_id).await?;
    let mut tx = store.begin().await?;
    tx.ensure_aims(cycle.scheme_id).await?;
    tx.ensure_codebook(cycle.scheme_id).await?;
    let id = tx.record_chat(new).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "chat_recorded",
        subject_kind: "chat",
        subject_id: Some(id),
        detail: &format!(
            "cycle {}, {} segment(s), {}",
            new.cycle_id,
            new.chat.segments.len(),
            new.stage.as_str()
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Codes a span of a chat for one coder, checked against the chat's text and the scheme's
/// codebook.
pub async fn code_excerpt(
    store: &Store,
    actor: Actor<'_>,
    chat_id: i64,
    span: Span,
    codes: &[CodeId],
    memo: Option<&str>,
) -> Result<i64, AppError> {
    let chat = store.chat_record(chat_id).await?;
    let cycle = store.cycle(chat.cycle_id).await?;
    let book = store.codebook_of_scheme(cycle.scheme_id).await?;
    let known: BTreeSet<CodeId> = book.codes.iter().map(|c| c.id).collect();
    let excerpt: NewExcerpt = check_excerpt(&chat.chat.text, span, codes, memo, &known)
        .map_err(|e| invalid("codes", e))?;
    let mut tx = store.begin().await?;
    let id = tx.add_excerpt(chat_id, actor.id, &excerpt).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "excerpt_coded",
        subject_kind: "chat",
        subject_id: Some(chat_id),
        detail: &format!("excerpt {id}, {} code(s)", excerpt.codes.len()),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Promotes an excerpt of a chat to a quote, trimmed to `edited` (only by removals marked with
/// an ellipsis), while the participant's quote consent stands.
pub async fn promote_quote(
    store: &Store,
    actor: Actor<'_>,
    chat_id: i64,
    excerpt_id: i64,
    edited: &str,
) -> Result<i64, AppError> {
    let chat = store.chat_record(chat_id).await?;
    let excerpt = store
        .excerpts_of_chat(chat_id)
        .await?
        .into_iter()
        .find(|e| e.id == excerpt_id)
        .ok_or(AppError::NotFound)?;
    let original = excerpt.span.text(&chat.chat.text).trim().to_string();
    let edited = if edited.trim().is_empty() {
        original.clone()
    } else {
        edited.trim().to_string()
    };
    check_trim(&original, &edited).map_err(|e| invalid("edited", e))?;
    if !store
        .consent_stands(chat.cycle_id, chat.participant_user_id, ConsentKind::Quotes)
        .await?
    {
        return Err(AppError::Conflict(
            "this participant has not consented to being quoted".into(),
        ));
    }
    let mut tx = store.begin().await?;
    let id = tx
        .promote_quote(
            excerpt_id,
            chat.participant_user_id,
            &original,
            &edited,
            Some(actor.id),
        )
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "quote_promoted",
        subject_kind: "chat",
        subject_id: Some(chat_id),
        detail: &format!("quote {id} from excerpt {excerpt_id}"),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Writes the coordinator's finding for one aim of a cycle.
pub async fn set_finding(
    store: &Store,
    actor: Actor<'_>,
    cycle_id: i64,
    aim: &str,
    finding: &str,
) -> Result<(), AppError> {
    let cycle = store.cycle(cycle_id).await?;
    let aims = store.aims_of_scheme(cycle.scheme_id).await?;
    if !aims.iter().any(|a| a.key == aim) {
        return Err(invalid("aim", format!("the scheme has no aim '{aim}'")));
    }
    let mut tx = store.begin().await?;
    tx.set_finding(cycle_id, aim, finding.trim(), Some(actor.id))
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "finding_written",
        subject_kind: "cycle",
        subject_id: Some(cycle_id),
        detail: aim,
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Why a cycle's project could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("there is no cycle {0}")]
    NoSuchCycle(i64),
    #[error("the export could not be written: {0}")]
    Write(#[from] flipside_core::qualitative::refi::RefiWriteError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an export holds, for the caller's message and the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportCounts {
    pub chats: usize,
    pub excerpts: usize,
    pub codes: usize,
}

/// A cycle's chats, codebook and every coder's excerpts as a REFI-QDA project (`.qdpx`).
/// Participants appear by their pseudonym in the cycle only, coders as "Coder 1", "Coder 2":
/// no name or email is written. Chats of participants whose research consent has since been
/// withdrawn are left out. `site` keys the GUIDs (the public address).
pub async fn export_project(
    store: &Store,
    cycle_id: i64,
    site: &str,
    created: chrono::DateTime<chrono::Utc>,
) -> Result<(Vec<u8>, ExportCounts), ExportError> {
    let cycle = match store.cycle(cycle_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(ExportError::NoSuchCycle(cycle_id)),
        Err(e) => return Err(e.into()),
    };
    let scheme = store.scheme(cycle.scheme_id).await?;
    let mut book = store.codebook_of_scheme(cycle.scheme_id).await?;
    if book.codes.is_empty() {
        book = flipside_core::qualitative::codebook::default_codebook();
    }
    let aims: BTreeMap<String, String> = store
        .aims_of_scheme(cycle.scheme_id)
        .await?
        .into_iter()
        .map(|a| (a.key, a.label))
        .collect();
    let participants = store.qualitative_participants(cycle_id).await?;
    let names = pseudonyms(
        &participants
            .iter()
            .map(|(id, role)| (*id, role.as_str()))
            .collect::<Vec<_>>(),
    );
    let mut excerpts_by_chat: BTreeMap<i64, Vec<_>> = BTreeMap::new();
    for e in store.excerpts_of_cycle(cycle_id).await? {
        excerpts_by_chat.entry(e.chat).or_default().push(e);
    }
    let mut sources = Vec::new();
    let mut coders: BTreeMap<i64, usize> = BTreeMap::new();
    let mut excerpts = 0;
    for chat in store.chats_of_cycle(cycle_id).await? {
        if !store
            .consent_stands(cycle_id, chat.participant_user_id, ConsentKind::Research)
            .await?
        {
            continue;
        }
        let pseudonym = names
            .get(&chat.participant_user_id)
            .cloned()
            .unwrap_or_else(|| "Participant".into());
        let chat_excerpts = excerpts_by_chat.remove(&chat.id).unwrap_or_default();
        for e in &chat_excerpts {
            let next = coders.len() + 1;
            coders.entry(e.coder).or_insert(next);
        }
        excerpts += chat_excerpts.len();
        sources.push(RefiSource {
            chat: chat.id,
            name: format!(
                "{pseudonym}, {}, {}",
                chat.stage.label(),
                chat.held_on.format("%Y-%m-%d")
            ),
            pseudonym,
            text: chat.chat.text,
            excerpts: chat_excerpts,
        });
    }
    let users: Vec<RefiUser> = coders
        .iter()
        .map(|(&id, n)| RefiUser {
            id,
            name: format!("Coder {n}"),
        })
        .collect();
    let key = format!("flipside cycle {cycle_id} at {site}");
    let name = format!(
        "{}, {}/{:02} reflective chats",
        scheme.name,
        cycle.academic_year,
        (cycle.academic_year + 1) % 100
    );
    let bytes = write_project(&RefiProject {
        key: &key,
        name: &name,
        created,
        users: &users,
        codebook: &book,
        aims: &aims,
        sources: &sources,
    })?;
    Ok((
        bytes,
        ExportCounts {
            chats: sources.len(),
            excerpts,
            codes: book.codes.len(),
        },
    ))
}
