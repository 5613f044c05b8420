//! A scheme's codebook page: the codes as a tree with colour, description and aim; adding a
//! code; editing one (rename, describe, recolour, move, tie to an aim) and merging it into
//! another; starting from the default codebook or a REFI-QDA `.qdc` file; downloading it as
//! `.qdc`. For the scheme's research team (`policy::codebook`).
use super::{file_download, scheme_for};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::operations::cycles::Actor;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use flipside_core::policy::{self, Action};
use flipside_core::qualitative::aims::Aim;
use flipside_core::qualitative::codebook::{CodeFields, CodeId, Codebook};
use flipside_store::{Cycle, Scheme};
use serde::Deserialize;

/// One code as the tree shows it.
pub struct CodeRow {
    pub id: CodeId,
    pub depth: usize,
    pub name: String,
    pub description: String,
    pub colour: String,
    /// The aim's label; `inherited` when it comes from a parent code.
    pub aim: Option<String>,
    pub inherited: bool,
    /// For the nested list: a deeper level starts before this code; this code has
    /// sub-codes (its item stays open for their list); how many levels end after it.
    pub opens: bool,
    pub has_children: bool,
    pub closes: usize,
}

/// A code to choose in a list: (id, "Belonging › Isolation").
pub type Choice = (CodeId, String);

/// The add and edit forms' fields, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub colour: String,
    /// A code's id, or empty for the top level.
    #[serde(default)]
    pub parent: String,
    /// An aim's key, or empty for none.
    #[serde(default)]
    pub aim: String,
}

impl CodeForm {
    fn blank() -> CodeForm {
        CodeForm {
            colour: "#0072b2".into(),
            ..CodeForm::default()
        }
    }

    /// The fields, or the form's errors: the parent must be a number when given.
    fn fields(&self) -> Result<CodeFields<'_>, AppError> {
        let parent = match self.parent.trim() {
            "" => None,
            p => Some(p.parse::<CodeId>().map_err(|_| AppError::Invalid {
                field: "parent".into(),
                message: "Choose a parent code from the list.".into(),
            })?),
        };
        Ok(CodeFields {
            name: &self.name,
            description: &self.description,
            colour: &self.colour,
            parent,
            aim: Some(self.aim.trim()).filter(|a| !a.is_empty()),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/analysis/codebook.html")]
pub struct CodebookPage {
    ctx: PageCtx,
    scheme: Scheme,
    rows: Vec<CodeRow>,
    parent_choices: Vec<Choice>,
    aims: Vec<Aim>,
    cycles: Vec<Cycle>,
    errors: FormErrors,
    form: CodeForm,
    /// What is wrong with an uploaded file.
    import_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/analysis/code.html")]
pub struct CodePage {
    ctx: PageCtx,
    scheme: Scheme,
    code: CodeRow,
    path: String,
    /// Codes it may move under (not itself or its sub-codes).
    parent_choices: Vec<Choice>,
    /// Codes it may merge into (not itself or its sub-codes).
    targets: Vec<Choice>,
    aims: Vec<Aim>,
    errors: FormErrors,
    form: CodeForm,
    merge_error: Option<String>,
}

fn rows(book: &Codebook, aims: &[Aim]) -> Vec<CodeRow> {
    let label = |key: &str| {
        aims.iter()
            .find(|a| a.key == key)
            .map_or_else(|| key.to_string(), |a| a.label.clone())
    };
    let tree = book.tree();
    let depth_at = |i: Option<usize>| i.and_then(|i| tree.get(i)).map_or(0, |(d, _)| *d);
    tree.iter()
        .enumerate()
        .map(|(i, &(depth, c))| {
            let previous = depth_at(i.checked_sub(1));
            let next = depth_at(Some(i + 1));
            CodeRow {
                id: c.id,
                depth,
                name: c.name.clone(),
                description: c.description.clone(),
                colour: c.colour.as_str().to_string(),
                aim: book.aim_of(c.id).map(label),
                inherited: c.aim.is_none() && book.aim_of(c.id).is_some(),
                opens: i > 0 && depth > previous,
                has_children: next > depth,
                closes: depth.saturating_sub(next),
            }
        })
        .collect()
}

fn choices(book: &Codebook, except: Option<CodeId>) -> Vec<Choice> {
    book.tree()
        .into_iter()
        .filter(|(_, c)| {
            except
                .is_none_or(|x| c.id != x && !book.ancestors(c.id).unwrap_or_default().contains(&x))
        })
        .map(|(_, c)| (c.id, book.path(c.id).unwrap_or_default()))
        .collect()
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    scheme: Scheme,
    errors: FormErrors,
    form: CodeForm,
    import_error: Option<String>,
) -> Result<CodebookPage, AppError> {
    let book = state.store.codebook_of_scheme(scheme.id).await?;
    let aims = state.store.aims_of_scheme(scheme.id).await?;
    Ok(CodebookPage {
        ctx,
        rows: rows(&book, &aims),
        parent_choices: choices(&book, None),
        aims,
        cycles: state.store.cycles_of(scheme.id).await?,
        scheme,
        errors,
        form,
        import_error,
    })
}

/// The form's errors from an operation's refusal; anything else passes through.
fn form_errors(e: AppError) -> Result<FormErrors, AppError> {
    match e {
        AppError::Invalid { field, message } => {
            let mut errors = FormErrors::default();
            errors.add(&field, message);
            Ok(errors)
        }
        other => Err(other),
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<CodebookPage, AppError> {
    let scheme = scheme_for(&state, &user, id).await?;
    page(
        &state,
        ctx,
        scheme,
        FormErrors::default(),
        CodeForm::blank(),
        None,
    )
    .await
}

pub async fn add(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let scheme = scheme_for(&state, &user, id).await?;
    allow_edit(&user, id)?;
    let added = match form.fields() {
        Ok(fields) => {
            crate::operations::codebook::add_code(
                &state.store,
                Actor::of(&user, &address),
                id,
                &fields,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/schemes/{id}/codebook"),
            &format!("Code \u{201c}{}\u{201d} added.", form.name.trim()),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let shown = page(&state, ctx, scheme, errors, form, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
    }
}

fn allow_edit(user: &CurrentUser, scheme_id: i64) -> Result<(), AppError> {
    crate::handlers::allow(policy::codebook(&user.actor, scheme_id, Action::Edit))
}

pub async fn defaults(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    scheme_for(&state, &user, id).await?;
    allow_edit(&user, id)?;
    let started = crate::operations::codebook::start_default_codebook(
        &state.store,
        Actor::of(&user, &address),
        id,
    )
    .await?;
    let message = if started {
        "The default codebook is in place: a code for each aim, with sub-codes. Rename, merge and add to it as the coding goes."
    } else {
        "The codebook already has codes, so nothing was changed."
    };
    Ok(redirect_with_flash(
        &format!("/schemes/{id}/codebook"),
        message,
    ))
}

pub async fn import(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let scheme = scheme_for(&state, &user, id).await?;
    allow_edit(&user, id)?;
    let parts = crate::multipart::parts(&headers, &body)
        .ok_or_else(|| AppError::BadRequest("The upload could not be read.".into()))?;
    let file = parts
        .iter()
        .find(|p| p.name == "file" && !p.data.is_empty())
        .map(|p| p.data);
    let result = match file {
        None => Err(AppError::Invalid {
            field: "file".into(),
            message: "Choose a REFI-QDA codebook file (.qdc) to import.".into(),
        }),
        Some(bytes) => {
            crate::operations::codebook::import_codebook(
                &state.store,
                Actor::of(&user, &address),
                id,
                bytes,
            )
            .await
        }
    };
    match result {
        Ok(done) => Ok(redirect_with_flash(
            &format!("/schemes/{id}/codebook"),
            &format!(
                "Codebook imported: {} code(s) added, {} already here (by name) and left as they were.",
                done.added, done.present
            ),
        )),
        Err(AppError::Invalid { message, .. }) => {
            let shown = page(
                &state,
                ctx,
                scheme,
                FormErrors::default(),
                CodeForm::blank(),
                Some(message),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
        Err(e) => Err(e),
    }
}

pub async fn download_qdc(
    state: &AppState,
    scheme: &Scheme,
    key: &str,
) -> Result<Response, AppError> {
    let qdc = crate::operations::codebook::codebook_qdc(&state.store, scheme.id, key).await?;
    Ok(file_download(
        "application/xml; charset=utf-8",
        &format!("codebook-scheme-{}.qdc", scheme.id),
        qdc.into_bytes(),
    ))
}

pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let scheme = scheme_for(&state, &user, id).await?;
    let key = format!("flipside scheme {id} at {}", state.settings.public_url);
    download_qdc(&state, &scheme, &key).await
}

async fn code_page(
    state: &AppState,
    ctx: PageCtx,
    scheme: Scheme,
    code_id: CodeId,
    errors: FormErrors,
    form: Option<CodeForm>,
    merge_error: Option<String>,
) -> Result<CodePage, AppError> {
    let book = state.store.codebook_of_scheme(scheme.id).await?;
    let aims = state.store.aims_of_scheme(scheme.id).await?;
    let code = rows(&book, &aims)
        .into_iter()
        .find(|r| r.id == code_id)
        .ok_or(AppError::NotFound)?;
    let stored = book.get(code_id).ok_or(AppError::NotFound)?;
    let form = form.unwrap_or_else(|| CodeForm {
        name: stored.name.clone(),
        description: stored.description.clone(),
        colour: stored.colour.as_str().to_string(),
        parent: stored.parent.map(|p| p.to_string()).unwrap_or_default(),
        aim: stored.aim.clone().unwrap_or_default(),
    });
    let others = choices(&book, Some(code_id));
    Ok(CodePage {
        ctx,
        path: book.path(code_id).unwrap_or_default(),
        parent_choices: others.clone(),
        targets: others,
        scheme,
        code,
        aims,
        errors,
        form,
        merge_error,
    })
}

pub async fn show_code(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, code)): Path<(i64, CodeId)>,
) -> Result<CodePage, AppError> {
    let scheme = scheme_for(&state, &user, id).await?;
    code_page(&state, ctx, scheme, code, FormErrors::default(), None, None).await
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, code)): Path<(i64, CodeId)>,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let scheme = scheme_for(&state, &user, id).await?;
    allow_edit(&user, id)?;
    let edited = match form.fields() {
        Ok(fields) => {
            crate::operations::codebook::edit_code(
                &state.store,
                Actor::of(&user, &address),
                id,
                code,
                &fields,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match edited {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/schemes/{id}/codebook"),
            &format!(
                "Code \u{201c}{}\u{201d} saved; its excerpts keep it.",
                form.name.trim()
            ),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let shown = code_page(&state, ctx, scheme, code, errors, Some(form), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    into: String,
}

pub async fn merge(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, code)): Path<(i64, CodeId)>,
    Form(form): Form<MergeForm>,
) -> Result<Response, AppError> {
    let scheme = scheme_for(&state, &user, id).await?;
    allow_edit(&user, id)?;
    let merged = match form.into.trim().parse::<CodeId>() {
        Ok(into) => {
            crate::operations::codebook::merge_codes(
                &state.store,
                Actor::of(&user, &address),
                id,
                code,
                into,
            )
            .await
        }
        Err(_) => Err(AppError::Invalid {
            field: "into".into(),
            message: "Choose the code to merge into.".into(),
        }),
    };
    match merged {
        Ok((from, into, recoded)) => Ok(redirect_with_flash(
            &format!("/schemes/{id}/codebook"),
            &format!(
                "\u{201c}{from}\u{201d} merged into \u{201c}{into}\u{201d}: {recoded} excerpt(s) recoded, none lost."
            ),
        )),
        Err(AppError::Invalid { message, .. }) => {
            let shown = code_page(
                &state,
                ctx,
                scheme,
                code,
                FormErrors::default(),
                None,
                Some(message),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown).into_response())
        }
        Err(e) => Err(e),
    }
}
