//! `/cycles/{id}/quotes`: the quote bank. The research team reads it; the scheme's coordinators
//! promote coded excerpts of participants whose quote consent stands, trim a quote's words
//! (only cuts marked with "…", the original staying beside it) and remove quotes.
use super::Evidence;
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::{allow, audit_read, cycle_if};
use crate::operations::cycles::Actor;
use crate::operations::{qualitative, quotes};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::policy::{self, Action};
use flipside_store::{Cycle, Scheme};
use serde::Deserialize;
use std::collections::BTreeSet;

/// A quote as the bank shows it.
pub struct QuoteView {
    pub id: i64,
    pub pseudonym: String,
    pub codes: Vec<String>,
    pub aims: Vec<String>,
    /// The words shown.
    pub text: String,
    /// The excerpt's words as coded.
    pub original: String,
    /// The trim form's text: the words shown, or what was typed when it was refused.
    pub typed: String,
    pub error: Option<String>,
}

impl QuoteView {
    pub fn trimmed(&self) -> bool {
        self.text != self.original
    }
}

/// A coded excerpt that may be promoted.
pub struct CandidateView {
    pub excerpt: i64,
    pub pseudonym: String,
    pub codes: Vec<String>,
    pub aims: Vec<String>,
    pub text: String,
    pub typed: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/quotes/bank.html")]
pub struct BankPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    quotes: Vec<QuoteView>,
    candidates: Vec<CandidateView>,
    /// Coded passages held back because their speaker has not consented to being quoted.
    held_back: usize,
    can_edit: bool,
    errors: FormErrors,
}

/// What was typed into one form that was refused: (which form, the text, the message).
enum Typed {
    Trim(i64, String, String),
    Promote(i64, String, String),
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    cycle: Cycle,
    scheme: Scheme,
    typed: Option<Typed>,
) -> Result<BankPage, AppError> {
    let evidence = Evidence::load(state, &cycle).await?;
    let aim_labels = |excerpt: i64| {
        evidence
            .aim_keys(excerpt)
            .iter()
            .map(|k| evidence.aim_label(k))
            .collect::<Vec<_>>()
    };
    let mut errors = FormErrors::default();
    let quotes = evidence
        .quotes
        .iter()
        .map(|q| {
            let (typed_text, error) = match &typed {
                Some(Typed::Trim(id, text, message)) if *id == q.id => {
                    errors.add(&format!("edited-{}", q.id), message.clone());
                    (text.clone(), Some(message.clone()))
                }
                _ => (q.edited.clone(), None),
            };
            QuoteView {
                id: q.id,
                pseudonym: evidence.pseudonym(q.participant_user_id),
                codes: evidence.code_paths(q.excerpt_id),
                aims: aim_labels(q.excerpt_id),
                text: q.edited.clone(),
                original: q.original.clone(),
                typed: typed_text,
                error,
            }
        })
        .collect();
    let (found, held_back) = candidates(state, cycle.id, &evidence).await?;
    let candidates = found
        .into_iter()
        .map(|c| {
            let (typed_text, error) = match &typed {
                Some(Typed::Promote(id, text, message)) if *id == c.excerpt => {
                    errors.add(&format!("promote-{}", c.excerpt), message.clone());
                    (text.clone(), Some(message.clone()))
                }
                _ => (c.text.clone(), None),
            };
            CandidateView {
                excerpt: c.excerpt,
                pseudonym: c.pseudonym,
                codes: c.codes,
                aims: c.aims,
                text: c.text,
                typed: typed_text,
                error,
            }
        })
        .collect();
    Ok(BankPage {
        ctx,
        can_edit: policy::quotes(&user.actor, scheme.id, Action::Edit),
        scheme,
        cycle,
        quotes,
        candidates,
        held_back,
        errors,
    })
}

/// `GET /cycles/{id}/quotes` (audited: it shows words from the chats).
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<BankPage, AppError> {
    let (cycle, scheme) = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::View)
    })
    .await?;
    audit_read(
        &state,
        &user,
        &address,
        "quote_bank_read",
        ("cycle", id),
        "the quote bank",
    )
    .await?;
    render(&state, ctx, &user, cycle, scheme, None).await
}

#[derive(Debug, Deserialize)]
pub struct PromoteForm {
    pub excerpt: i64,
    #[serde(default)]
    pub edited: String,
}

/// The page again with one form's refusal, 422.
async fn refused(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    (cycle, scheme): (Cycle, Scheme),
    typed: Typed,
) -> Result<Response, AppError> {
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(state, ctx, user, cycle, scheme, Some(typed)).await?,
    )
        .into_response())
}

/// `POST /cycles/{id}/quotes`: promotes a coded excerpt of this cycle to a quote, its words
/// as coded or trimmed.
pub async fn promote(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<PromoteForm>,
) -> Result<Response, AppError> {
    let loaded = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::Create)
    })
    .await?;
    let chat_id = state
        .store
        .excerpts_of_cycle(id)
        .await?
        .into_iter()
        .find(|e| e.id == form.excerpt)
        .map(|e| e.chat)
        .ok_or(AppError::NotFound)?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    let to = format!("/cycles/{id}/quotes");
    match qualitative::promote_quote(&state.store, actor, chat_id, form.excerpt, &form.edited).await
    {
        Ok(_) => Ok(redirect_with_flash(&to, "The quote is in the bank.")),
        Err(AppError::Invalid { message, .. }) => {
            refused(
                &state,
                ctx,
                &user,
                loaded,
                Typed::Promote(form.excerpt, form.edited, capitalised(&message)),
            )
            .await
        }
        Err(AppError::Conflict(message)) => Ok(redirect_with_flash(
            &to,
            &format!("Not promoted: {message}."),
        )),
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct TrimForm {
    #[serde(default)]
    pub edited: String,
}

/// The quote `quote` if it belongs to cycle `id` and its speaker's quote consent stands
/// (otherwise, as for any quote not in the bank, 404).
pub(crate) async fn quote_of_cycle(state: &AppState, id: i64, quote: i64) -> Result<(), AppError> {
    let q = state.store.quote_in_cycle(quote).await?;
    if q.cycle_id != id {
        return Err(AppError::NotFound);
    }
    allow(
        state
            .store
            .consenting_to(id, flipside_core::recruitment::ConsentKind::Quotes)
            .await?
            .contains(&q.quote.participant_user_id),
    )
    .map_err(|_| AppError::NotFound)
}

/// `POST /cycles/{id}/quotes/{quote}/trim`: the quote's words become a trim of its original.
pub async fn trim(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, quote)): Path<(i64, i64)>,
    Form(form): Form<TrimForm>,
) -> Result<Response, AppError> {
    let loaded = cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::Edit)
    })
    .await?;
    quote_of_cycle(&state, id, quote).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match quotes::trim_quote(&state.store, actor, quote, &form.edited).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/cycles/{id}/quotes#quote-{quote}"),
            "The quote's words are saved; its original stays beside it.",
        )),
        Err(AppError::Invalid { message, .. }) => {
            refused(
                &state,
                ctx,
                &user,
                loaded,
                Typed::Trim(quote, form.edited, capitalised(&message)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /cycles/{id}/quotes/{quote}/remove`: takes the quote out of the bank.
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, quote)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    cycle_if(&state, id, |c| {
        policy::quotes(&user.actor, c.scheme_id, Action::Edit)
    })
    .await?;
    quote_of_cycle(&state, id, quote).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    quotes::remove_quote(&state.store, actor, quote).await?;
    Ok(redirect_with_flash(
        &format!("/cycles/{id}/quotes"),
        "The quote is out of the bank; its excerpt stays coded.",
    ))
}

/// "the quote has no words left" → "The quote has no words left."
pub(crate) fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// A coded excerpt that may be promoted to a quote.
pub struct Candidate {
    pub excerpt: i64,
    pub pseudonym: String,
    pub codes: Vec<String>,
    pub aims: Vec<String>,
    /// The excerpt's words as coded.
    pub text: String,
}

/// The excerpts of cycle `cycle_id` that may become quotes: one per coded passage (two coders
/// coding the same span show it once), not already a quote, from a participant whose quote
/// consent stands; and how many coded passages are held back because their speaker has not
/// consented to being quoted (the bank's page and the API's).
pub async fn candidates(
    state: &AppState,
    cycle_id: i64,
    evidence: &Evidence,
) -> Result<(Vec<Candidate>, usize), AppError> {
    let chats: std::collections::BTreeMap<i64, String> = state
        .store
        .chats_of_cycle(cycle_id)
        .await?
        .into_iter()
        .map(|c| (c.id, c.chat.text))
        .collect();
    let all = state.store.quotes_of_cycle(cycle_id).await?;
    let quoted_excerpts: BTreeSet<i64> = all.iter().map(|q| q.excerpt_id).collect();
    let mut seen: BTreeSet<(i64, usize, usize)> = evidence
        .excerpts
        .iter()
        .filter(|e| quoted_excerpts.contains(&e.id))
        .map(|e| (e.chat, e.span.start, e.span.end))
        .collect();
    let mut found = Vec::new();
    let mut held_back = 0;
    for e in &evidence.excerpts {
        let (Some(person), Some(text)) = (evidence.chats.get(&e.chat), chats.get(&e.chat)) else {
            continue;
        };
        if !seen.insert((e.chat, e.span.start, e.span.end)) {
            continue;
        }
        if !evidence
            .quote_consenting
            .contains(&person.participant_user_id)
        {
            held_back += 1;
            continue;
        }
        found.push(Candidate {
            excerpt: e.id,
            pseudonym: evidence.pseudonym(person.participant_user_id),
            codes: evidence.code_paths(e.id),
            aims: evidence
                .aim_keys(e.id)
                .iter()
                .map(|k| evidence.aim_label(k))
                .collect(),
            text: e.span.text(text).trim().to_string(),
        });
    }
    Ok((found, held_back))
}
