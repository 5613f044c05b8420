//! Schemes: the list, creating one, a scheme's page with its cycles, editing its name and
//! purpose, archiving it once it has finished and bringing it back.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::confirm::ConfirmPage;
use crate::operations::{self, cycles::Actor};
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
    /// How many schemes are archived (listed on a page of their own).
    archived: usize,
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
    let (archived, current): (Vec<Scheme>, Vec<Scheme>) = state
        .store
        .schemes()
        .await?
        .into_iter()
        .partition(|s| s.archived_at.is_some());
    Ok(ListPage {
        ctx,
        schemes: rows(&state.store, current).await?,
        can_create: policy::scheme(&user.actor, None, Action::Create),
        archived: archived.len(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "schemes/archived.html")]
pub struct ArchivedPage {
    ctx: PageCtx,
    schemes: Vec<SchemeRow>,
}

/// The archived schemes, for whoever may see the list.
pub async fn archived(
    State(state): State<AppState>,
    ctx: PageCtx,
    _user: CurrentUser,
) -> Result<ArchivedPage, AppError> {
    let archived = state
        .store
        .schemes()
        .await?
        .into_iter()
        .filter(|s| s.archived_at.is_some())
        .collect();
    Ok(ArchivedPage {
        ctx,
        schemes: rows(&state.store, archived).await?,
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

#[derive(Template, WebTemplate)]
#[template(path = "schemes/edit.html")]
pub struct EditPage {
    ctx: PageCtx,
    scheme: Scheme,
    form: EditForm,
    errors: FormErrors,
}

/// The edit form as typed: a scheme's name and purpose (its kind and School stay).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub purpose: String,
}

/// Checks the edit form with the rules creating a scheme follows: (name, purpose).
pub fn validate_edit(form: &EditForm) -> Result<(String, String), FormErrors> {
    let mut errors = FormErrors::default();
    let name =
        BoundedText::parse(&form.name, 120).map_err(|e| errors.add("name", format!("Name {e}.")));
    let purpose = BoundedText::parse(&form.purpose, 2000)
        .map_err(|e| errors.add("purpose", format!("Purpose {e}.")));
    match (name, purpose) {
        (Ok(n), Ok(p)) => Ok((n.into_string(), p.into_string())),
        _ => Err(errors),
    }
}

/// The scheme, if the actor may change it (its coordinators).
async fn editable(state: &AppState, user: &CurrentUser, id: i64) -> Result<Scheme, AppError> {
    let scheme = state.store.scheme(id).await?;
    allow(policy::scheme(
        &user.actor,
        Some(SchemeRef { id }),
        Action::Edit,
    ))?;
    Ok(scheme)
}

pub async fn edit(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<EditPage, AppError> {
    let scheme = editable(&state, &user, id).await?;
    Ok(EditPage {
        ctx,
        form: EditForm {
            name: scheme.name.clone(),
            purpose: scheme.purpose.clone(),
        },
        scheme,
        errors: FormErrors::default(),
    })
}

pub async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<EditForm>,
) -> Result<Response, AppError> {
    let scheme = editable(&state, &user, id).await?;
    let again = |errors: FormErrors, scheme: Scheme| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            EditPage {
                ctx: ctx.clone(),
                scheme,
                form: form.clone(),
                errors,
            },
        )
            .into_response()
    };
    let (name, purpose) = match validate_edit(&form) {
        Ok(v) => v,
        Err(errors) => return Ok(again(errors, scheme)),
    };
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match operations::schemes::update(&state, actor, id, &name, &purpose).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/schemes/{id}"),
            &format!("Scheme '{name}' saved."),
        )),
        Err(AppError::Conflict(m)) => {
            let mut errors = FormErrors::default();
            errors.add("name", format!("{}.", capitalise(&m)));
            Ok(again(errors, scheme))
        }
        Err(e) => Err(e),
    }
}

fn capitalise(m: &str) -> String {
    let mut chars = m.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Asks before archiving, saying what archiving does; or says why it cannot be done yet.
pub async fn archive_confirm(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let scheme = editable(&state, &user, id).await?;
    if scheme.archived_at.is_some() {
        return Ok(redirect_with_flash(
            &format!("/schemes/{id}"),
            "This scheme is already archived.",
        ));
    }
    let cycles = state.store.cycles_of(id).await?;
    let refused =
        flipside_core::scheme::may_archive(cycles.iter().map(|c| (c.year(), c.state.get())))
            .err()
            .map(|e| e.to_string());
    Ok(ConfirmPage {
        ctx,
        title: format!("Archive {}?", scheme.name),
        back_href: format!("/schemes/{id}"),
        back_label: scheme.name.clone(),
        effects: vec![
            "The scheme leaves the list of schemes and everyone's home page; it is listed under archived schemes.".into(),
            format!(
                "Its {} cycle(s), their results, chats, quotes and reports stay as they are and stay readable from the scheme's page.",
                cycles.len()
            ),
            "No one is emailed. You can bring the scheme back into the lists later.".into(),
        ],
        action: format!("/schemes/{id}/archive"),
        hidden: vec![],
        button: "Archive the scheme".into(),
        refused,
    }
    .into_response())
}

pub async fn archive(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let scheme = editable(&state, &user, id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match operations::schemes::archive(&state, actor, id).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/schemes/{id}"),
            &format!(
                "'{}' is archived: it no longer appears in lists, and its data stays readable here.",
                scheme.name
            ),
        )),
        Err(AppError::Conflict(m)) => Ok(redirect_with_flash(&format!("/schemes/{id}"), &m)),
        Err(e) => Err(e),
    }
}

pub async fn restore(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let scheme = editable(&state, &user, id).await?;
    let actor = Actor {
        id: user.id(),
        address: &address,
    };
    match operations::schemes::restore(&state, actor, id).await {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/schemes/{id}"),
            &format!("'{}' is back in the lists.", scheme.name),
        )),
        Err(AppError::Conflict(m)) => Ok(redirect_with_flash(
            &format!("/schemes/{id}"),
            &format!("{}.", capitalise(&m)),
        )),
        Err(e) => Err(e),
    }
}
