//! `/cycles/{id}/instrument`: a cycle's survey statements (issue 11), per side, with the
//! instrument's version. Until the cycle's first wave opens the scheme's coordinators add,
//! reword and retire statements here; from then on the page says why they are fixed. Past
//! cycles keep the words their respondents saw.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::cycle_if;
use crate::operations::cycles::Actor;
use crate::operations::instruments::{InstrumentLock, edit_instrument};
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use flipside_core::policy::{self, Action};
use flipside_core::qualitative::instrument::InstrumentEdit;
use flipside_store::{Cycle, Scheme};
use serde::Deserialize;

/// One statement as the page shows it.
pub struct StatementView {
    pub code: String,
    pub aim: String,
    /// As stored, or as typed when rewording it failed.
    pub text: String,
    pub retired: bool,
    pub error: Option<String>,
}

impl StatementView {
    /// The id of its reword field.
    pub fn field(&self) -> String {
        format!("text_{}", self.code)
    }
}

/// The statements asked of one side.
pub struct Side {
    pub heading: &'static str,
    pub statements: Vec<StatementView>,
}

/// The new statement's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct NewStatement {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub aim: String,
    #[serde(default)]
    pub text: String,
}

/// An aim a new statement can evidence: (key, label, side).
pub struct AimChoice {
    pub key: String,
    pub label: String,
    pub side: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "cycles/instrument.html")]
pub struct InstrumentPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    version: i64,
    sides: Vec<Side>,
    first_wave_opens: Option<NaiveDate>,
    /// Why the statements can no longer change, once they cannot.
    locked: Option<String>,
    can_edit: bool,
    aims: Vec<AimChoice>,
    new: NewStatement,
    errors: FormErrors,
}

fn side_words(role: &str) -> &'static str {
    if role == "mentor" {
        "Asked of student mentors"
    } else {
        "Asked of staff mentees"
    }
}

/// What the failed form said: the new statement, or one statement's new words.
enum Typed {
    New(NewStatement),
    Reword { code: String, text: String },
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    (cycle, scheme): (Cycle, Scheme),
    typed: Option<Typed>,
    errors: FormErrors,
) -> Result<InstrumentPage, AppError> {
    let instrument = state.store.cycle_instrument(cycle.id).await?;
    let aims = state.store.aims_of_scheme(scheme.id).await?;
    let lock = InstrumentLock::of(&state.store, cycle.id).await?;
    let label = |key: &str| {
        aims.iter()
            .find(|a| a.key == key)
            .map_or_else(|| key.to_string(), |a| a.label.clone())
    };
    let mut sides = Vec::new();
    for role in ["mentor", "mentee"] {
        let statements = instrument
            .statements
            .iter()
            .filter(|s| s.role == role)
            .map(|s| {
                let typed_text = match &typed {
                    Some(Typed::Reword { code, text }) if *code == s.code => Some(text.clone()),
                    _ => None,
                };
                StatementView {
                    error: errors.get(&format!("text_{}", s.code)).cloned(),
                    code: s.code.clone(),
                    aim: label(&s.aim),
                    text: typed_text.unwrap_or_else(|| s.text.clone()),
                    retired: s.retired,
                }
            })
            .collect();
        sides.push(Side {
            heading: side_words(role),
            statements,
        });
    }
    let new = match typed {
        Some(Typed::New(n)) => n,
        _ => NewStatement::default(),
    };
    Ok(InstrumentPage {
        ctx,
        version: instrument.version,
        sides,
        first_wave_opens: lock.first_wave_opens,
        locked: lock.reason(state.today().await?),
        can_edit: policy::cycle_instrument(&user.actor, scheme.id, Action::Edit),
        aims: aims
            .iter()
            .map(|a| AimChoice {
                key: a.key.clone(),
                label: a.label.clone(),
                side: if a.audience.role() == "mentor" {
                    "student mentors"
                } else {
                    "staff mentees"
                },
            })
            .collect(),
        new,
        errors,
        scheme,
        cycle,
    })
}

/// `GET /cycles/{id}/instrument`.
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<InstrumentPage, AppError> {
    let loaded = cycle_if(&state, id, |c| {
        policy::cycle_instrument(&user.actor, c.scheme_id, Action::View)
    })
    .await?;
    render(&state, ctx, &user, loaded, None, FormErrors::default()).await
}

/// One edit as a form asked for it: the edit, what was typed (to show again if it is refused)
/// and what to say once it is done.
struct Change {
    edit: InstrumentEdit,
    typed: Option<Typed>,
    done: &'static str,
}

/// Applies one edit, or shows the page again (422) with what was typed and the field at fault.
async fn edit(
    state: AppState,
    ctx: PageCtx,
    user: CurrentUser,
    address: String,
    id: i64,
    change: Change,
) -> Result<Response, AppError> {
    let Change { edit, typed, done } = change;
    let (cycle, scheme) = cycle_if(&state, id, |c| {
        policy::cycle_instrument(&user.actor, c.scheme_id, Action::Edit)
    })
    .await?;
    let aims = state.store.aims_of_scheme(scheme.id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    let today = state.today().await?;
    match edit_instrument(&state.store, actor, id, edit, &aims, today).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/cycles/{id}/instrument"),
            done,
        )),
        Err(AppError::Invalid { field, message }) => {
            let mut errors = FormErrors::default();
            errors.add(&field, message);
            let page = render(&state, ctx, &user, (cycle, scheme), typed, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e),
    }
}

/// `POST /cycles/{id}/instrument/statements`: adds a statement.
pub async fn add(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<NewStatement>,
) -> Result<Response, AppError> {
    let change = InstrumentEdit::Add {
        code: form.code.clone(),
        role: form.role.clone(),
        aim: form.aim.clone(),
        text: form.text.clone(),
    };
    edit(
        state,
        ctx,
        user,
        address,
        id,
        Change {
            edit: change,
            typed: Some(Typed::New(form)),
            done: "The statement is added.",
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct RewordForm {
    #[serde(default)]
    text: String,
}

/// `POST /cycles/{id}/instrument/statements/{code}/reword`: new words for a statement.
pub async fn reword(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, code)): Path<(i64, String)>,
    Form(form): Form<RewordForm>,
) -> Result<Response, AppError> {
    let change = InstrumentEdit::Reword {
        code: code.clone(),
        text: form.text.clone(),
    };
    let typed = Some(Typed::Reword {
        code,
        text: form.text,
    });
    edit(
        state,
        ctx,
        user,
        address,
        id,
        Change {
            edit: change,
            typed,
            done: "The statement's new words are saved.",
        },
    )
    .await
}

/// `POST /cycles/{id}/instrument/statements/{code}/retire`: stops asking a statement.
pub async fn retire(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let change = InstrumentEdit::Retire { code };
    edit(
        state,
        ctx,
        user,
        address,
        id,
        Change {
            edit: change,
            typed: None,
            done: "The statement is retired: this cycle no longer asks it, nor will the next.",
        },
    )
    .await
}
