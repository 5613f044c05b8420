//! Design sprints (SPEC §3.11): the list per faculty, creating one, and a sprint's page where
//! people add items in the current stage, comment and support, the lead promotes items, and a
//! proposal is decided and followed to done. One file per action; this module holds what they
//! share: the sprint page (re-shown with a form's errors), form parsing and the item loader.
//! The stage rules live in `flipside_core::sprint`.
pub mod add_item;
pub mod advance;
pub mod comment;
pub mod create;
pub mod decide;
pub mod list;
pub mod new;
pub mod promote;
pub mod set_status;
pub mod show;
pub mod support;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use flipside_core::policy;
use flipside_core::scheme::BoundedText;
use flipside_core::sprint::{Decision, Implementation, SprintState, Stage};
use flipside_store::{Faculty, Sprint, SprintComment, SprintItem};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "sprints/new.html")]
pub struct NewPage {
    pub(super) ctx: PageCtx,
    pub(super) form: SprintForm,
    pub(super) errors: FormErrors,
    pub(super) faculties: Vec<Faculty>,
}

/// The sprint form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SprintForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub faculty_id: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub starts_on: String,
    #[serde(default)]
    pub ends_on: String,
}

pub(crate) fn text(
    errors: &mut FormErrors,
    field: &str,
    what: &str,
    value: &str,
    max: usize,
) -> String {
    match BoundedText::parse(value, max) {
        Ok(t) => t.into_string(),
        Err(e) => {
            errors.add(field, format!("{what} {e}."));
            String::new()
        }
    }
}

pub(crate) fn date(
    errors: &mut FormErrors,
    field: &str,
    what: &str,
    value: &str,
) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        errors.add(field, format!("{what} is required."));
        return None;
    }
    match flipside_core::dates::plausible_date(value) {
        Ok(d) => Some(d),
        Err(message) => {
            errors.add(field, format!("{what}: {message}"));
            None
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "sprints/show.html")]
pub struct ShowPage {
    ctx: PageCtx,
    sprint: Sprint,
    open: bool,
    current: Stage,
    next_stage: Option<Stage>,
    stages: Vec<StageView>,
    can_run: bool,
    errors: FormErrors,
    kept: FormErrors,
    decisions: [Decision; 2],
    statuses: [Implementation; 3],
}

/// One stage's column.
pub struct StageView {
    stage: Stage,
    items: Vec<ItemView>,
}

/// One item as the page shows it to this person.
pub struct ItemView {
    item: SprintItem,
    comments: Vec<SprintComment>,
    supported: bool,
    promote_to: Option<Stage>,
    can_decide: bool,
    can_set_status: bool,
    decision: Option<Decision>,
    status: Option<Implementation>,
    /// The errors of this item's forms and what was typed into them, by field.
    errors: ItemFields,
    kept: ItemFields,
}

/// The fields of one item's forms (comment, promotion, decision, status).
#[derive(Default)]
pub struct ItemFields {
    comment: Option<String>,
    promote: Option<String>,
    decision: Option<String>,
    reasons: Option<String>,
    action_title: Option<String>,
    action_owner: Option<String>,
    status: Option<String>,
}

impl ItemFields {
    fn of(map: &FormErrors, id: i64) -> ItemFields {
        let get = |f: &str| map.get(&format!("{f}-{id}")).cloned();
        ItemFields {
            comment: get("comment"),
            promote: get("promote"),
            decision: get("decision"),
            reasons: get("reasons"),
            action_title: get("action_title"),
            action_owner: get("action_owner"),
            status: get("status"),
        }
    }
}

pub(super) async fn show_page(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    sprint: Sprint,
    errors: FormErrors,
    kept: FormErrors,
) -> Result<ShowPage, AppError> {
    let items = state.store.sprint_items(sprint.id).await?;
    let comments = state.store.sprint_comments(sprint.id).await?;
    let supported = state
        .store
        .sprint_supported_by(sprint.id, user.id())
        .await?;
    let open = sprint.state.get() == SprintState::Open;
    let can_run = policy::sprint_run(&user.actor);
    let can_decide = decider(state, user, &sprint).await?;
    let stages = Stage::ALL
        .into_iter()
        .map(|stage| StageView {
            stage,
            items: items
                .iter()
                .filter(|i| i.stage.get() == stage)
                .map(|i| {
                    let mine: Vec<SprintComment> = comments
                        .iter()
                        .filter(|c| c.item_id == i.id)
                        .cloned()
                        .collect();
                    let decision = i.decision.map(|d| d.get());
                    ItemView {
                        comments: mine,
                        supported: supported.contains(&i.id),
                        promote_to: stage
                            .next()
                            .filter(|_| can_run && open && i.promoted_to.is_none()),
                        can_decide: can_decide && stage == Stage::Proposals && decision.is_none(),
                        can_set_status: can_decide && i.action_status.is_some(),
                        status: i.action_status.map(|s| s.get()),
                        decision,
                        errors: ItemFields::of(&errors, i.id),
                        kept: ItemFields::of(&kept, i.id),
                        item: i.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    let current = sprint.stage.get();
    Ok(ShowPage {
        ctx,
        open,
        current,
        next_stage: current.next().filter(|_| can_run && open),
        stages,
        can_run,
        errors,
        kept,
        decisions: Decision::ALL,
        statuses: Implementation::ALL,
        sprint,
    })
}

/// Whether this person decides the sprint's proposals (asks the policy with the faculty's
/// Schools).
pub(crate) async fn decider(
    state: &AppState,
    user: &CurrentUser,
    sprint: &Sprint,
) -> Result<bool, AppError> {
    let schools: Vec<i64> = state
        .store
        .schools()
        .await?
        .into_iter()
        .filter(|s| s.faculty_id == sprint.faculty_id)
        .map(|s| s.id)
        .collect();
    Ok(policy::sprint_decide(&user.actor, &schools))
}

/// The sprint page again with the errors of the form just sent, and what was typed.
pub(super) async fn again(
    state: &AppState,
    ctx: PageCtx,
    user: &CurrentUser,
    sprint: Sprint,
    errors: FormErrors,
    kept: FormErrors,
) -> Result<Response, AppError> {
    let page = show_page(state, ctx, user, sprint, errors, kept).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub(super) fn back(id: i64, anchor: &str, message: &str) -> Response {
    redirect_with_flash(&format!("/sprints/{id}#{anchor}"), message)
}

/// The item, which must belong to the sprint.
pub(crate) async fn item_of(
    state: &AppState,
    sprint: &Sprint,
    item_id: i64,
) -> Result<SprintItem, AppError> {
    let item = state.store.sprint_item(item_id).await?;
    if item.sprint_id != sprint.id {
        return Err(AppError::NotFound);
    }
    Ok(item)
}
