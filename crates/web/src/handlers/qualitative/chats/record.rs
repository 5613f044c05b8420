//! `/cycles/{id}/chats/new`: recording a reflective chat — typed or pasted, or an uploaded
//! transcript (`.txt`, `.docx`, WebVTT `.vtt`, speaker turns kept). Only a participant of the
//! cycle whose research consent stands can be chosen; a bad file or field is named in the
//! form's errors and nothing is stored.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::cycle_if;
use crate::operations::cycles::Actor;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use flipside_core::policy::{self, Action};
use flipside_core::qualitative::transcript::{self, Chat, ChatStage, TranscriptFormat};
use flipside_store::{ChatCandidate, Cycle, Interviewer, NewChat, Scheme};

/// What the form sent back, to show it again with its errors (never the file).
#[derive(Debug, Default)]
pub struct RecordForm {
    pub participant: String,
    pub held_on: String,
    pub stage: String,
    pub interviewer: String,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/chats/new.html")]
pub struct NewPage {
    ctx: PageCtx,
    cycle: Cycle,
    scheme: Scheme,
    form: RecordForm,
    errors: FormErrors,
    /// Participants whose research consent stands.
    choosable: Vec<ChatCandidate>,
    /// Participants who cannot be chosen (no research consent to this cycle).
    refused: Vec<ChatCandidate>,
    interviewers: Vec<Interviewer>,
    stages: Vec<(&'static str, &'static str)>,
    today: String,
}

impl NewPage {
    fn side(&self, role: &str) -> &'static str {
        flipside_store::side_label(role)
    }
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    cycle: Cycle,
    scheme: Scheme,
    form: RecordForm,
    errors: FormErrors,
) -> Result<NewPage, AppError> {
    let (choosable, refused) = state
        .store
        .chat_candidates(cycle.id)
        .await?
        .into_iter()
        .partition(|c| c.research_consent);
    Ok(NewPage {
        ctx,
        interviewers: state.store.chat_interviewers(scheme.id).await?,
        cycle,
        scheme,
        form,
        errors,
        choosable,
        refused,
        stages: ChatStage::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        today: state.today().await?.format("%Y-%m-%d").to_string(),
    })
}

pub fn may_record(user: &CurrentUser) -> impl FnOnce(&Cycle) -> bool + '_ {
    // Recording is for the research team whoever the participant is (the participant is
    // chosen on the form; the rule does not depend on them).
    move |c: &Cycle| policy::chat(&user.actor, c.scheme_id, 0, Action::Create)
}

pub async fn new(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<NewPage, AppError> {
    let (cycle, scheme) = cycle_if(&state, id, may_record(&user)).await?;
    let form = RecordForm {
        held_on: state.today().await?.format("%Y-%m-%d").to_string(),
        stage: ChatStage::End.as_str().into(),
        interviewer: user.id().to_string(),
        ..RecordForm::default()
    };
    page(&state, ctx, cycle, scheme, form, FormErrors::default()).await
}

/// An uploaded file: its name and bytes.
pub struct Upload<'a> {
    pub name: String,
    pub bytes: &'a [u8],
}

/// A chat whose every field passed the record form's checks, ready to store.
pub struct CheckedChat {
    pub participant: ChatCandidate,
    pub held_on: NaiveDate,
    pub stage: ChatStage,
    pub interviewer: Option<i64>,
    pub chat: Chat,
    /// `typed`, `txt`, `docx` or `vtt`.
    pub format: &'static str,
}

/// Checks what the record form (or the API's `recordChat`) sent for a chat of cycle `cycle_id`
/// of scheme `scheme_id`: the participant (of the cycle, with research consent), the date, the
/// stage, the interviewer, and the chat typed or as a transcript file, parsed. `Ok(Err(..))`
/// names every field that breaks a rule.
pub async fn check(
    state: &AppState,
    cycle_id: i64,
    scheme_id: i64,
    form: &RecordForm,
    upload: Option<&Upload<'_>>,
) -> Result<Result<CheckedChat, FormErrors>, AppError> {
    let mut errors = FormErrors::default();
    let candidates = state.store.chat_candidates(cycle_id).await?;
    let participant = match form.participant.trim().parse::<i64>() {
        Err(_) => {
            errors.add("participant", "Choose the participant the chat was with.");
            None
        }
        Ok(pid) => match candidates.iter().find(|c| c.user_id == pid) {
            None => {
                errors.add(
                    "participant",
                    "Choose a participant of this cycle: that person is not in one of its pairs.",
                );
                None
            }
            Some(c) if !policy::can_record_chat(c.research_consent) => {
                errors.add(
                    "participant",
                    format!(
                        "{} has not given research consent to this cycle, so no chat can be recorded with them.",
                        c.name
                    ),
                );
                None
            }
            Some(c) => Some(c.clone()),
        },
    };
    let today = state.today().await?;
    let held_on = match NaiveDate::parse_from_str(form.held_on.trim(), "%Y-%m-%d") {
        Ok(d) if d > today => {
            errors.add(
                "held_on",
                format!("Enter the date the chat took place: today ({today}) or earlier."),
            );
            None
        }
        Ok(d) => Some(d),
        Err(_) if form.held_on.trim().is_empty() => {
            errors.add("held_on", "Enter the date the chat took place.");
            None
        }
        Err(_) => {
            errors.add(
                "held_on",
                "Enter the date as YYYY-MM-DD, for example 2026-06-10.",
            );
            None
        }
    };
    let stage = ChatStage::parse(form.stage.trim());
    if stage.is_none() {
        errors.add(
            "stage",
            "Choose when the chat took place: mid-cycle, end of cycle or follow-up.",
        );
    }
    let interviewers = state.store.chat_interviewers(scheme_id).await?;
    let interviewer = match form.interviewer.trim() {
        "" => None,
        raw => match raw
            .parse::<i64>()
            .ok()
            .filter(|i| interviewers.iter().any(|p| p.id == *i))
        {
            Some(i) => Some(i),
            None => {
                errors.add(
                    "interviewer",
                    "Choose the interviewer from the list (the scheme's coordinators and researchers), or \"Not recorded\".",
                );
                None
            }
        },
    };
    let typed = form.text.trim();
    let chat: Option<(Chat, &'static str)> = match (upload, typed.is_empty()) {
        (Some(_), false) => {
            errors.add(
                "transcript",
                "Either type the chat or upload its transcript, not both: clear the text box or choose no file.",
            );
            None
        }
        (None, true) => {
            errors.add(
                "text",
                "Type or paste the chat, or upload its transcript (.txt, .docx or .vtt).",
            );
            None
        }
        (None, false) => match Chat::from_typed(&form.text) {
            Ok(c) => Some((c, "typed")),
            Err(e) => {
                errors.add("text", format!("The text cannot be used: {e}."));
                None
            }
        },
        (Some(file), true) => match TranscriptFormat::from_file_name(&file.name) {
            None => {
                errors.add(
                    "transcript",
                    if file.name.is_empty() {
                        "The file has no name: choose a .txt, .docx or .vtt transcript.".to_string()
                    } else {
                        format!(
                            "\"{}\" is not a transcript this page reads: choose a .txt, .docx or .vtt file.",
                            file.name
                        )
                    },
                );
                None
            }
            Some(format) => match transcript::parse(format, file.bytes) {
                Ok(c) => Some((
                    c,
                    match format {
                        TranscriptFormat::Text => "txt",
                        TranscriptFormat::Docx => "docx",
                        TranscriptFormat::WebVtt => "vtt",
                    },
                )),
                Err(e) => {
                    errors.add(
                        "transcript",
                        format!("\"{}\" could not be read: {e}.", file.name),
                    );
                    None
                }
            },
        },
    };
    Ok(
        match (participant, held_on, stage, chat, errors.is_empty()) {
            (Some(participant), Some(held_on), Some(stage), Some((chat, format)), true) => {
                Ok(CheckedChat {
                    participant,
                    held_on,
                    stage,
                    interviewer,
                    chat,
                    format,
                })
            }
            _ => Err(errors),
        },
    )
}

/// Stores a checked chat of cycle `cycle_id`, recorded by `user` (one transaction with its
/// audit entry).
pub async fn store_chat(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    cycle_id: i64,
    checked: &CheckedChat,
) -> Result<i64, AppError> {
    crate::operations::qualitative::record_chat(
        &state.store,
        Actor {
            id: user.id(),
            address,
        },
        &NewChat {
            cycle_id,
            participant_user_id: checked.participant.user_id,
            participant_role: &checked.participant.role,
            interviewer_user_id: checked.interviewer,
            held_on: checked.held_on,
            stage: checked.stage,
            format: checked.format,
            chat: &checked.chat,
            recorded_by: Some(user.id()),
        },
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let (cycle, scheme) = cycle_if(&state, id, may_record(&user)).await?;
    let parts = crate::multipart::parts(&headers, &body).ok_or_else(|| {
        AppError::BadRequest("The form could not be read: send it as multipart/form-data.".into())
    })?;
    let mut form = RecordForm::default();
    let mut upload: Option<Upload> = None;
    for part in parts {
        let text = || String::from_utf8_lossy(part.data).into_owned();
        match part.name.as_str() {
            "participant" => form.participant = text(),
            "held_on" => form.held_on = text(),
            "stage" => form.stage = text(),
            "interviewer" => form.interviewer = text(),
            "text" => form.text = text(),
            "transcript" => {
                let name = part.filename.clone().unwrap_or_default();
                if !name.is_empty() || !part.data.is_empty() {
                    upload = Some(Upload {
                        name,
                        bytes: part.data,
                    });
                }
            }
            _ => {}
        }
    }
    let errors = match check(&state, id, scheme.id, &form, upload.as_ref()).await? {
        Ok(checked) => {
            let chat_id = store_chat(&state, &user, &address, id, &checked).await?;
            let n = checked.chat.segments.len();
            return Ok(redirect_with_flash(
                &format!("/chats/{chat_id}"),
                &format!(
                    "Chat with {} recorded: {n} numbered passage{}.",
                    checked.participant.name,
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
        Err(errors) => errors,
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(&state, ctx, cycle, scheme, form, errors).await?,
    )
        .into_response())
}
