//! Schemes: the list, creating one, and a scheme's page with its cycles.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::policy::{self, Action, CycleRef, SchemeRef};
use flipside_core::scheme::{BoundedText, SchemeKind};
use flipside_store::{Cycle, NewScheme, Scheme, School, Store, StoreError};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "schemes/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    schemes: Vec<SchemeRow>,
    can_create: bool,
}

pub struct SchemeRow {
    pub scheme: Scheme,
    pub kind_label: &'static str,
    pub school: Option<String>,
}

async fn rows(store: &Store, schemes: Vec<Scheme>) -> Result<Vec<SchemeRow>, StoreError> {
    let schools = store.schools().await?;
    Ok(schemes
        .into_iter()
        .map(|s| SchemeRow {
            kind_label: s.kind.get().label(),
            school: s
                .school_id
                .and_then(|id| schools.iter().find(|x| x.id == id))
                .map(|x| x.name.clone()),
            scheme: s,
        })
        .collect())
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<ListPage, AppError> {
    let schemes = state.store.schemes().await?;
    Ok(ListPage {
        ctx,
        schemes: rows(&state.store, schemes).await?,
        can_create: policy::scheme(&user.actor, None, Action::Create),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "schemes/new.html")]
pub struct NewPage {
    ctx: PageCtx,
    form: SchemeForm,
    errors: FormErrors,
    kinds: Vec<(&'static str, &'static str)>,
    schools: Vec<School>,
}

/// The scheme form as typed, kept to show again beside its errors.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SchemeForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub school_id: String,
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    SchemeKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

pub async fn new(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<NewPage, AppError> {
    allow(policy::scheme(&user.actor, None, Action::Create))?;
    Ok(NewPage {
        ctx,
        form: SchemeForm {
            kind: SchemeKind::Institutional.as_str().into(),
            ..Default::default()
        },
        errors: FormErrors::default(),
        kinds: kinds(),
        schools: state.store.schools().await?,
    })
}

/// A validated scheme form.
pub struct ValidScheme {
    pub name: String,
    pub kind: SchemeKind,
    pub purpose: String,
    pub school_id: Option<i64>,
}

/// Checks a scheme form; each error is keyed by its field.
pub fn validate(form: &SchemeForm, schools: &[School]) -> Result<ValidScheme, FormErrors> {
    let mut errors = FormErrors::default();
    let name =
        BoundedText::parse(&form.name, 120).map_err(|e| errors.add("name", format!("Name {e}.")));
    let purpose = BoundedText::parse(&form.purpose, 2000)
        .map_err(|e| errors.add("purpose", format!("Purpose {e}.")));
    let kind = SchemeKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Choose what kind of scheme this is.");
    }
    let school_id = match form.school_id.trim() {
        "" => None,
        s => match s
            .parse::<i64>()
            .ok()
            .filter(|id| schools.iter().any(|x| x.id == *id))
        {
            Some(id) => Some(id),
            None => {
                errors.add("school_id", "Choose a School from the list.");
                None
            }
        },
    };
    if kind.is_some_and(SchemeKind::needs_school) && school_id.is_none() {
        errors.add("school_id", "A School-level pilot needs its School.");
    }
    match (name, purpose, kind) {
        (Ok(name), Ok(purpose), Some(kind)) if errors.is_empty() => Ok(ValidScheme {
            name: name.into_string(),
            kind,
            purpose: purpose.into_string(),
            school_id: if kind.needs_school() {
                school_id
            } else {
                school_id.filter(|_| false)
            },
        }),
        _ => Err(errors),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(form): Form<SchemeForm>,
) -> Result<Response, AppError> {
    allow(policy::scheme(&user.actor, None, Action::Create))?;
    let schools = state.store.schools().await?;
    let again = |errors: FormErrors| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            NewPage {
                ctx: ctx.clone(),
                form: form.clone(),
                errors,
                kinds: kinds(),
                schools: schools.clone(),
            },
        )
            .into_response()
    };
    let valid = match validate(&form, &schools) {
        Ok(v) => v,
        Err(errors) => return Ok(again(errors)),
    };
    let created = state
        .store
        .create_scheme(NewScheme {
            name: &valid.name,
            kind: valid.kind,
            purpose: &valid.purpose,
            school_id: valid.school_id,
            created_by: Some(user.id()),
        })
        .await;
    match created {
        Ok(id) => Ok(redirect_with_flash(
            &format!("/schemes/{id}"),
            &format!("Scheme '{}' created.", valid.name),
        )),
        Err(StoreError::Conflict(m)) => {
            let mut errors = FormErrors::default();
            errors.add("name", m);
            Ok(again(errors))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "schemes/show.html")]
pub struct ShowPage {
    ctx: PageCtx,
    row: SchemeRow,
    cycles: Vec<Cycle>,
    can_edit: bool,
    /// The scheme's research team: a link to its codebook.
    can_code: bool,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ShowPage, AppError> {
    let scheme = state.store.scheme(id).await?;
    allow(policy::scheme(
        &user.actor,
        Some(SchemeRef { id }),
        Action::View,
    ))?;
    let cycles = state
        .store
        .cycles_of(id)
        .await?
        .into_iter()
        .filter(|c| {
            policy::cycle(
                &user.actor,
                CycleRef {
                    id: c.id,
                    scheme_id: id,
                },
                Action::View,
            )
        })
        .collect();
    Ok(ShowPage {
        ctx,
        row: rows(&state.store, vec![scheme]).await?.remove(0),
        cycles,
        can_edit: policy::scheme(&user.actor, Some(SchemeRef { id }), Action::Edit),
        can_code: policy::codebook(&user.actor, id, Action::View),
    })
}
