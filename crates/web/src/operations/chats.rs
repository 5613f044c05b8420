//! Operations of the chat pages (issue 11): coding passages, removing one's own excerpt, and a
//! participant's request to remove a passage with the coordinator's answer. Each is one
//! transaction with its audit entry; the rules are `flipside_core::qualitative` (excerpts and
//! redaction). Recording a chat is `operations::qualitative::record_chat`.
use crate::error::AppError;
use crate::operations::cycles::Actor;
use flipside_core::qualitative::codebook::CodeId;
use flipside_core::qualitative::excerpt::{NewExcerpt, Span, check_excerpt, spans_from_segments};
use flipside_core::qualitative::redaction::remove_passages;
use flipside_store::{NewAuditEntry, RemovalStatus, Store, StoreError};
use std::collections::BTreeSet;

/// Longest reason for a removal request, and longest reply to one, in characters.
pub const MAX_REMOVAL_WORDS: usize = 1000;

fn invalid(field: &str, message: impl std::fmt::Display) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.to_string(),
    }
}

/// The chat changed since the page that sent the offsets was shown (a passage was removed).
fn stale() -> AppError {
    AppError::Conflict(
        "The chat has changed since you opened it (a passage was removed at the participant's request). Reload the page and select again.".into(),
    )
}

/// Codes passages of a chat for one coder: each span becomes one excerpt with the same codes
/// and memo, all in one transaction. `text_len` is the length of the text the coder's page
/// showed: offsets into an older text are refused rather than coding the wrong words.
pub async fn code_passages(
    store: &Store,
    actor: Actor<'_>,
    chat_id: i64,
    spans: &[Span],
    codes: &[CodeId],
    memo: Option<&str>,
    text_len: usize,
) -> Result<Vec<i64>, AppError> {
    let scheme_id = store
        .cycle(store.chat_record(chat_id).await?.cycle_id)
        .await?
        .scheme_id;
    let book = store.codebook_of_scheme(scheme_id).await?;
    let known: BTreeSet<CodeId> = book.codes.iter().map(|c| c.id).collect();
    let mut tx = store.begin().await?;
    tx.lock_chat(chat_id).await?;
    let chat = tx.chat_record(chat_id).await?;
    if chat.chat.text.len() != text_len {
        return Err(stale());
    }
    let excerpts: Vec<NewExcerpt> = spans
        .iter()
        .map(|&span| check_excerpt(&chat.chat.text, span, codes, memo, &known))
        .collect::<Result<_, _>>()
        .map_err(|e| invalid("codes", e))?;
    let mut ids = Vec::new();
    for excerpt in &excerpts {
        ids.push(tx.add_excerpt(chat_id, actor.id, excerpt).await?);
    }
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "excerpt_coded",
        subject_kind: "chat",
        subject_id: Some(chat_id),
        detail: &format!(
            "{} excerpt(s) {:?}, {} code(s)",
            ids.len(),
            ids,
            excerpts.first().map_or(0, |e| e.codes.len())
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(ids)
}

/// Removes one of the coder's own excerpts (its codes go with it).
pub async fn remove_own_excerpt(
    store: &Store,
    actor: Actor<'_>,
    chat_id: i64,
    excerpt_id: i64,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.lock_chat(chat_id).await?;
    tx.delete_own_excerpt(chat_id, excerpt_id, actor.id).await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "excerpt_removed",
        subject_kind: "chat",
        subject_id: Some(chat_id),
        detail: &format!("excerpt {excerpt_id}"),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A participant asks for the numbered passages of their chat to be removed, with an optional
/// reason. The chat is unchanged until a coordinator accepts.
pub async fn request_removal(
    store: &Store,
    actor: Actor<'_>,
    chat_id: i64,
    segments: &[u32],
    reason: &str,
    text_len: usize,
) -> Result<i64, AppError> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_REMOVAL_WORDS {
        return Err(invalid(
            "reason",
            format!("The reason is at most {MAX_REMOVAL_WORDS} characters."),
        ));
    }
    let mut tx = store.begin().await?;
    tx.lock_chat(chat_id).await?;
    let chat = tx.chat_record(chat_id).await?;
    if chat.chat.text.len() != text_len {
        return Err(stale());
    }
    let spans = spans_from_segments(&chat.chat.segments, segments).map_err(|e| {
        invalid(
            "passages",
            match e {
                flipside_core::qualitative::excerpt::ExcerptError::NoSegments => {
                    "Choose at least one numbered passage to remove.".to_string()
                }
                other => format!("{}.", capitalise(&other.to_string())),
            },
        )
    })?;
    let id = tx
        .request_removal(chat_id, actor.id, &spans, reason)
        .await?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "chat_removal_requested",
        subject_kind: "chat",
        subject_id: Some(chat_id),
        detail: &format!("request {id}, {} passage(s)", segments.len()),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// What accepting a removal did, for the coordinator's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemovalOutcome {
    pub passages: usize,
    pub excerpts_deleted: usize,
    pub excerpts_moved: usize,
}

/// Accepts a participant's request: the passages are replaced by the marker, every excerpt
/// (and so every quote) overlapping them is deleted, later excerpts and other open requests
/// shift, and the request is closed — one transaction, audited without the removed words.
pub async fn accept_removal(
    store: &Store,
    actor: Actor<'_>,
    chat_id: i64,
    removal_id: i64,
) -> Result<RemovalOutcome, AppError> {
    let mut tx = store.begin().await?;
    tx.lock_chat(chat_id).await?;
    let chat = tx.chat_record(chat_id).await?;
    let open = tx.open_removals(chat_id).await?;
    let request = match open.iter().find(|r| r.id == removal_id) {
        Some(r) => r.clone(),
        None => {
            return Err(AppError::Conflict(
                "That request has already been answered, or is not one of this chat's.".into(),
            ));
        }
    };
    let redacted = remove_passages(&chat.chat, &request.spans)
        .map_err(|e| AppError::Conflict(format!("The request cannot be applied: {e}.")))?;
    tx.replace_chat_text(chat_id, &redacted.chat).await?;
    let (mut deleted, mut moved) = (0, 0);
    for (id, _, span) in tx.excerpt_spans(chat_id).await? {
        match redacted.map_excerpt(span) {
            None => {
                tx.delete_excerpt(id).await?;
                deleted += 1;
            }
            Some(new) if new != span => {
                tx.move_excerpt(id, new).await?;
                moved += 1;
            }
            Some(_) => {}
        }
    }
    for other in open.iter().filter(|r| r.id != removal_id) {
        let spans: Vec<Span> = other
            .spans
            .iter()
            .map(|&s| redacted.map_passage(s))
            .collect();
        tx.move_removal(other.id, &spans).await?;
    }
    tx.decide_removal(removal_id, RemovalStatus::Accepted, "", actor.id)
        .await
        .map_err(conflict_message)?;
    let outcome = RemovalOutcome {
        passages: redacted.removed.len(),
        excerpts_deleted: deleted,
        excerpts_moved: moved,
    };
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "chat_removal_accepted",
        subject_kind: "chat",
        subject_id: Some(chat_id),
        detail: &format!(
            "request {removal_id}: {} passage(s) removed, {deleted} excerpt(s) deleted, {moved} moved",
            outcome.passages
        ),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

fn conflict_message(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(m) => AppError::Conflict(format!("{}.", capitalise(&m))),
        other => other.into(),
    }
}

/// Declines a participant's request with a reply they will read; the chat is unchanged.
pub async fn decline_removal(
    store: &Store,
    actor: Actor<'_>,
    chat_id: i64,
    removal_id: i64,
    reply: &str,
) -> Result<(), AppError> {
    let reply = reply.trim();
    if reply.is_empty() {
        return Err(invalid(
            "reply",
            "Write a reply: the participant reads why their request was declined.",
        ));
    }
    if reply.chars().count() > MAX_REMOVAL_WORDS {
        return Err(invalid(
            "reply",
            format!("The reply is at most {MAX_REMOVAL_WORDS} characters."),
        ));
    }
    let mut tx = store.begin().await?;
    tx.lock_chat(chat_id).await?;
    if !tx
        .open_removals(chat_id)
        .await?
        .iter()
        .any(|r| r.id == removal_id)
    {
        return Err(AppError::Conflict(
            "That request has already been answered, or is not one of this chat's.".into(),
        ));
    }
    tx.decide_removal(removal_id, RemovalStatus::Declined, reply, actor.id)
        .await
        .map_err(conflict_message)?;
    tx.audit(NewAuditEntry {
        actor_id: Some(actor.id),
        action: "chat_removal_declined",
        subject_kind: "chat",
        subject_id: Some(chat_id),
        detail: &format!("request {removal_id}"),
        address: actor.address,
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Who coded excerpt `excerpt` of chat `chat` (whose removal the policy judges by it); an
/// excerpt of another chat is not found.
pub async fn excerpt_coder(store: &Store, chat: i64, excerpt: i64) -> Result<i64, AppError> {
    store
        .excerpts_of_chat(chat)
        .await?
        .into_iter()
        .find(|e| e.id == excerpt)
        .map(|e| e.coder)
        .ok_or(AppError::NotFound)
}
