//! `/schemes/{id}/aims`: a scheme's aims. The research team reads them; the scheme's
//! coordinators relabel, reorder and add aims, and tie each survey statement to one. An aim is
//! never deleted (findings and codes refer to it by its key).
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::operations::cycles::Actor;
use crate::operations::quotes::save_aims;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::policy::{self, Action};
use flipside_core::qualitative::aims::{Aim, AimAudience};
use flipside_core::qualitative::instrument::{CycleInstrument, InstrumentStatement};
use flipside_store::Scheme;
use std::collections::BTreeMap;

/// One aim's row of the form, as stored or as typed.
pub struct AimRow {
    pub key: String,
    pub label: String,
    pub audience: AimAudience,
    pub error: Option<String>,
    pub statements: Vec<String>,
}

/// One survey statement and the aim it evidences.
pub struct StatementRow {
    pub code: String,
    pub role: &'static str,
    pub text: String,
    pub aim: String,
    /// The aims it may belong to: those of its side.
    pub choices: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/quotes/scheme_aims.html")]
pub struct AimsPage {
    ctx: PageCtx,
    scheme: Scheme,
    aims: Vec<AimRow>,
    statements: Vec<StatementRow>,
    new_label: String,
    new_audience: String,
    can_edit: bool,
    errors: FormErrors,
}

fn side(role: &str) -> &'static str {
    if role == "mentor" {
        "Student mentors"
    } else {
        "Staff mentees"
    }
}

/// What the form said: labels by key, statement aims by code, the new aim and a move.
#[derive(Default)]
struct Typed {
    labels: BTreeMap<String, String>,
    statements: BTreeMap<String, String>,
    new_label: String,
    new_audience: String,
    moving: Option<(bool, String)>,
}

impl Typed {
    fn parse(fields: Vec<(String, String)>) -> Typed {
        let mut t = Typed::default();
        for (name, value) in fields {
            if let Some(key) = name.strip_prefix("label_") {
                t.labels.insert(key.to_string(), value);
            } else if let Some(code) = name.strip_prefix("statement_") {
                t.statements.insert(code.to_string(), value);
            } else if name == "new_label" {
                t.new_label = value;
            } else if name == "new_audience" {
                t.new_audience = value;
            } else if name == "move" {
                t.moving = match value.split_once(':') {
                    Some(("up", key)) => Some((true, key.to_string())),
                    Some(("down", key)) => Some((false, key.to_string())),
                    _ => None,
                };
            }
        }
        t
    }
}

/// A key for a new aim from its label: "Student voice" → `student_voice`.
fn key_of(label: &str) -> String {
    let mut key = String::new();
    for c in label.trim().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('_') {
            key.push('_');
        }
    }
    key.trim_matches('_').chars().take(40).collect()
}

async fn render(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    scheme: Scheme,
    typed: Option<(Typed, FormErrors)>,
) -> Result<AimsPage, AppError> {
    let aims = state.store.aims_of_scheme(scheme.id).await?;
    // The statements the scheme asks now: its newest cycle's, or the default ones before it
    // has a cycle (issue 11: each cycle has its own instrument).
    let asked: Vec<InstrumentStatement> = match state.store.cycles_of(scheme.id).await?.first() {
        Some(newest) => {
            state
                .store
                .cycle_instrument(newest.id)
                .await?
                .rules()
                .statements
        }
        None => {
            let chosen = state.store.statement_aims_of_scheme(scheme.id).await?;
            CycleInstrument::default_for()
                .statements
                .into_iter()
                .map(|mut s| {
                    if let Some(aim) = chosen.get(&s.code) {
                        s.aim = aim.clone();
                    }
                    s
                })
                .collect()
        }
    };
    let (typed, errors) = typed.unwrap_or_default();
    let mut statements = Vec::new();
    for role in ["mentor", "mentee"] {
        for s in asked
            .iter()
            .filter(|s| s.role == role && !s.retired)
            .cloned()
        {
            let aim = typed.statements.get(&s.code).cloned().unwrap_or(s.aim);
            statements.push(StatementRow {
                choices: aims
                    .iter()
                    .filter(|a| a.audience.role() == role)
                    .map(|a| (a.key.clone(), a.label.clone()))
                    .collect(),
                code: s.code,
                role: side(role),
                text: s.text,
                aim,
            });
        }
    }
    let rows = aims
        .into_iter()
        .map(|a| AimRow {
            label: typed
                .labels
                .get(&a.key)
                .cloned()
                .unwrap_or_else(|| a.label.clone()),
            error: errors.get(&format!("label_{}", a.key)).cloned(),
            statements: statements
                .iter()
                .filter(|s| s.aim == a.key)
                .map(|s| s.text.clone())
                .collect(),
            key: a.key,
            audience: a.audience,
        })
        .collect();
    Ok(AimsPage {
        ctx,
        can_edit: policy::aims(&user.actor, scheme.id, Action::Edit),
        scheme,
        aims: rows,
        statements,
        new_label: typed.new_label,
        new_audience: typed.new_audience,
        errors,
    })
}

/// `GET /schemes/{id}/aims`.
pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<AimsPage, AppError> {
    let scheme = state.store.scheme(id).await?;
    allow(policy::aims(&user.actor, id, Action::View))?;
    render(&state, ctx, &user, scheme, None).await
}

/// `POST /schemes/{id}/aims`: the labels, the order (one aim moved up or down), a new aim and
/// each statement's aim, saved together.
pub async fn save(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let scheme = state.store.scheme(id).await?;
    allow(policy::aims(&user.actor, id, Action::Edit))?;
    let typed = Typed::parse(fields);
    let mut errors = FormErrors::default();
    let mut aims: Vec<Aim> = Vec::new();
    for stored in state.store.aims_of_scheme(id).await? {
        let label = typed
            .labels
            .get(&stored.key)
            .map_or(stored.label.as_str(), String::as_str);
        match Aim::parse(&stored.key, label, stored.audience) {
            Ok(aim) => aims.push(aim),
            Err(_) => {
                errors.add(
                    &format!("label_{}", stored.key),
                    "Give the aim a name of 1 to 80 characters.",
                );
                aims.push(stored);
            }
        }
    }
    if !typed.new_label.trim().is_empty() {
        let key = key_of(&typed.new_label);
        match AimAudience::parse(&typed.new_audience) {
            None => errors.add(
                "new_audience_students",
                "Choose whom the new aim is about: student mentors or staff mentees.",
            ),
            Some(audience) => match Aim::parse(&key, &typed.new_label, audience) {
                Err(_) => errors.add(
                    "new_label",
                    "Name the new aim in 1 to 80 characters, with at least one letter or digit.",
                ),
                Ok(_) if aims.iter().any(|a| a.key == key) => errors.add(
                    "new_label",
                    "The scheme already has an aim of that name: choose another.",
                ),
                Ok(aim) => aims.push(aim),
            },
        }
    }
    if let Some((up, key)) = &typed.moving
        && let Some(at) = aims.iter().position(|a| &a.key == key)
    {
        let to = if *up {
            at.checked_sub(1)
        } else {
            Some(at + 1).filter(|t| *t < aims.len())
        };
        if let Some(to) = to {
            aims.swap(at, to);
        }
    }
    let mut tied = Vec::new();
    for (code, aim) in &typed.statements {
        if aims.iter().any(|a| &a.key == aim) {
            tied.push((code.clone(), aim.clone()));
        } else {
            errors.add(
                &format!("statement_{code}"),
                "Choose the aim this statement evidences.",
            );
        }
    }
    if errors.is_empty() {
        let actor = Actor {
            id: user.id(),
            address: &address,
        };
        match save_aims(&state.store, actor, id, &aims, &tied).await {
            Ok(()) => {
                return Ok(redirect_with_flash(
                    &format!("/schemes/{id}/aims"),
                    "The aims are saved.",
                ));
            }
            Err(AppError::Invalid { field, message }) => errors.add(&field, message),
            Err(e) => return Err(e),
        }
    }
    let page = render(&state, ctx, &user, scheme, Some((typed, errors))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::key_of;

    #[test]
    fn a_new_aims_key_comes_from_its_label() {
        assert_eq!(key_of("Student voice"), "student_voice");
        assert_eq!(key_of("  Voice & -- agency! "), "voice_agency");
        assert_eq!(key_of("…"), "");
    }
}
