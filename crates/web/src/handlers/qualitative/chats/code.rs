//! `/chats/{id}/code`: one coder codes a chat, independently of the others: they see and
//! remove only their own excerpts here. Without JavaScript they tick numbered passages (each
//! run of consecutive ones becomes one excerpt); with the page's script they select any span
//! of the words and the same form codes exactly that span (character offsets in hidden
//! fields). Excerpts may overlap.
use super::{LoadedChat, Passage, load, passages};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::{allow, audit_read};
use crate::operations::chats::{code_passages, excerpt_coder, remove_own_excerpt};
use crate::operations::cycles::Actor;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use flipside_core::policy;
use flipside_core::qualitative::codebook::{Code, CodeId, Codebook};
use flipside_core::qualitative::excerpt::{Span, segments_of, spans_from_segments};

/// A code as a chip: its colour swatch and its name (never the colour alone).
pub struct Chip {
    pub name: String,
    pub colour: String,
}

fn chips(book: &Codebook, ids: &[CodeId]) -> Vec<Chip> {
    ids.iter()
        .filter_map(|id| book.get(*id))
        .map(|c| Chip {
            name: c.name.clone(),
            colour: c.colour.as_str().to_string(),
        })
        .collect()
}

/// A passage with the codes of the coder's own excerpts that touch it.
pub struct CodingPassage {
    pub passage: Passage,
    pub mine: Vec<Chip>,
    pub ticked: bool,
}

/// One of the coder's excerpts.
pub struct MyExcerpt {
    pub id: i64,
    pub words: String,
    pub passages: String,
    pub codes: Vec<Chip>,
    pub memo: Option<String>,
}

/// What the form sent, to show again with its errors.
#[derive(Debug, Default)]
pub struct CodeForm {
    pub codes: Vec<CodeId>,
    pub memo: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/chats/code.html")]
pub struct CodePage {
    ctx: PageCtx,
    loaded: LoadedChat,
    participant_name: String,
    passages: Vec<CodingPassage>,
    /// The codebook in tree order, with each code's depth.
    codes: Vec<(usize, Code)>,
    mine: Vec<MyExcerpt>,
    form: CodeForm,
    errors: FormErrors,
    /// The length of the text shown, sent back so that offsets into an older text are refused.
    text_len: usize,
}

impl CodePage {
    fn chosen(&self, id: &i64) -> bool {
        self.form.codes.contains(id)
    }
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    loaded: LoadedChat,
    ticked: &[u32],
    form: CodeForm,
    errors: FormErrors,
) -> Result<CodePage, AppError> {
    let book = state.store.codebook_of_scheme(loaded.scheme.id).await?;
    let chat = &loaded.chat.chat;
    let own: Vec<_> = state
        .store
        .excerpts_of_chat(loaded.chat.id)
        .await?
        .into_iter()
        .filter(|e| e.coder == user.id())
        .collect();
    let coding_passages = passages(chat)
        .into_iter()
        .zip(&chat.segments)
        .map(|(passage, segment)| {
            let here = Span {
                start: segment.start,
                end: segment.end,
            };
            let mut ids: Vec<CodeId> = Vec::new();
            for e in own.iter().filter(|e| e.span.overlaps(here)) {
                for c in &e.codes {
                    if !ids.contains(c) {
                        ids.push(*c);
                    }
                }
            }
            CodingPassage {
                ticked: ticked.contains(&passage.number),
                passage,
                mine: chips(&book, &ids),
            }
        })
        .collect();
    let mine = own
        .iter()
        .map(|e| {
            let numbers = segments_of(&chat.segments, e.span);
            MyExcerpt {
                id: e.id,
                words: e.span.text(&chat.text).to_string(),
                passages: match (numbers.first(), numbers.last()) {
                    (Some(a), Some(b)) if a == b => format!("passage {a}"),
                    (Some(a), Some(b)) => format!("passages {a}–{b}"),
                    _ => String::new(),
                },
                codes: chips(&book, &e.codes),
                memo: e.memo.clone(),
            }
        })
        .collect();
    let participant_name = state
        .store
        .user(loaded.chat.participant_user_id)
        .await?
        .display_name;
    Ok(CodePage {
        ctx,
        participant_name,
        passages: coding_passages,
        codes: book
            .tree()
            .into_iter()
            .map(|(d, c)| (d, c.clone()))
            .collect(),
        mine,
        form,
        errors,
        text_len: chat.text.len(),
        loaded,
    })
}

async fn load_for_coding(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<LoadedChat, AppError> {
    let loaded = load(state, id).await?;
    allow(policy::code_chats(&user.actor, loaded.scheme.id))?;
    Ok(loaded)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<CodePage, AppError> {
    let loaded = load_for_coding(&state, &user, id).await?;
    audit_read(
        &state,
        &user,
        &address,
        "chat_read",
        ("chat", id),
        "a reflective chat's text, on the coding page",
    )
    .await?;
    page(
        &state,
        ctx,
        &user,
        loaded,
        &[],
        CodeForm::default(),
        FormErrors::default(),
    )
    .await
}

/// Where an excerpt's problem is shown on the form.
pub(crate) fn field_of(message: &str) -> &'static str {
    if message.contains("code") {
        "codes"
    } else if message.contains("memo") {
        "memo"
    } else {
        "passages"
    }
}

pub(crate) fn sentence(s: impl std::fmt::Display) -> String {
    let s = s.to_string();
    let mut chars = s.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    let mut out = first.unwrap_or_default() + chars.as_str();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let loaded = load_for_coding(&state, &user, id).await?;
    let mut errors = FormErrors::default();
    let mut ticked: Vec<u32> = Vec::new();
    let mut form = CodeForm::default();
    let (mut start, mut end, mut text_len) = (String::new(), String::new(), String::new());
    for (k, v) in &fields {
        match k.as_str() {
            "segment" => match v.parse() {
                Ok(n) => ticked.push(n),
                Err(_) => errors.add("passages", "A ticked passage is not a number."),
            },
            "code" => match v.parse() {
                Ok(c) => form.codes.push(c),
                Err(_) => errors.add("codes", "A ticked code is not one of the codebook's."),
            },
            "memo" => form.memo = v.clone(),
            "start" => start = v.trim().to_string(),
            "end" => end = v.trim().to_string(),
            "text_len" => text_len = v.trim().to_string(),
            _ => {}
        }
    }
    let text = &loaded.chat.chat.text;
    let spans: Vec<Span> = if !start.is_empty() || !end.is_empty() {
        match (start.parse::<usize>(), end.parse::<usize>()) {
            (Ok(s), Ok(e)) => match Span::from_char_offsets(text, s, e) {
                Ok(span) => vec![span],
                Err(err) => {
                    errors.add("passages", sentence(err));
                    Vec::new()
                }
            },
            _ => {
                errors.add(
                    "passages",
                    "The selection's start and end must be character positions.",
                );
                Vec::new()
            }
        }
    } else {
        match spans_from_segments(&loaded.chat.chat.segments, &ticked) {
            Ok(spans) => spans,
            Err(err) => {
                errors.add(
                    "passages",
                    if ticked.is_empty() {
                        "Tick at least one numbered passage, or select words in the text."
                            .to_string()
                    } else {
                        sentence(err)
                    },
                );
                Vec::new()
            }
        }
    };
    if form.codes.is_empty() {
        errors.add("codes", "Tick at least one code.");
    }
    if errors.is_empty() {
        let result = code_passages(
            &state.store,
            Actor {
                id: user.id(),
                address: &address,
            },
            id,
            &spans,
            &form.codes,
            Some(&form.memo),
            text_len.parse().unwrap_or(usize::MAX),
        )
        .await;
        match result {
            Ok(ids) => {
                return Ok(redirect_with_flash(
                    &format!("/chats/{id}/code"),
                    &if ids.len() == 1 {
                        "Excerpt coded.".to_string()
                    } else {
                        format!("{} excerpts coded.", ids.len())
                    },
                ));
            }
            Err(AppError::Invalid { message, .. }) => {
                errors.add(field_of(&message), sentence(message));
            }
            Err(AppError::Conflict(message)) => errors.add("passages", message),
            Err(e) => return Err(e),
        }
    }
    let shown = page(&state, ctx, &user, loaded, &ticked, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
}

pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, excerpt)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let loaded = load(&state, id).await?;
    let coder = excerpt_coder(&state.store, id, excerpt).await?;
    allow(policy::remove_excerpt(&user.actor, loaded.scheme.id, coder))?;
    remove_own_excerpt(
        &state.store,
        Actor {
            id: user.id(),
            address: &address,
        },
        id,
        excerpt,
    )
    .await?;
    Ok(redirect_with_flash(
        &format!("/chats/{id}/code"),
        "Excerpt removed.",
    ))
}

const SCRIPT: &str = include_str!("../../../../static/chat-coding.js");

/// The coding page's script (served from the app, as the CSP allows only its own scripts).
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}
