//! Design sprints (SPEC §3.11): the list per faculty, creating one, and a sprint's page where
//! people add items in the current stage, comment and support, the lead promotes items, and a
//! proposal is decided and followed to done.
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
use chrono::NaiveDate;
use flipside_core::policy;
use flipside_core::scheme::BoundedText;
use flipside_core::sprint::{
    Decision, Implementation, SprintState, Stage, check_add, check_promote,
};
use flipside_store::{Faculty, NewSprint, Sprint, SprintComment, SprintItem, StoreError};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "sprints/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    faculties: Vec<(String, Vec<Sprint>)>,
    can_create: bool,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<ListPage, AppError> {
    allow(policy::sprint_contribute(&user.actor))?;
    let mut faculties: Vec<(String, Vec<Sprint>)> = Vec::new();
    for s in state.store.sprints().await? {
        match faculties.last_mut() {
            Some((name, v)) if *name == s.faculty_name => v.push(s),
            _ => faculties.push((s.faculty_name.clone(), vec![s])),
        }
    }
    Ok(ListPage {
        ctx,
        faculties,
        can_create: policy::sprint_run(&user.actor),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "sprints/new.html")]
pub struct NewPage {
    ctx: PageCtx,
    form: SprintForm,
    errors: FormErrors,
    faculties: Vec<Faculty>,
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

pub async fn new(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
) -> Result<NewPage, AppError> {
    allow(policy::sprint_run(&user.actor))?;
    Ok(NewPage {
        ctx,
        form: SprintForm::default(),
        errors: FormErrors::default(),
        faculties: state.store.faculties().await?,
    })
}

fn text(errors: &mut FormErrors, field: &str, what: &str, value: &str, max: usize) -> String {
    match BoundedText::parse(value, max) {
        Ok(t) => t.into_string(),
        Err(e) => {
            errors.add(field, format!("{what} {e}."));
            String::new()
        }
    }
}

fn date(errors: &mut FormErrors, field: &str, what: &str, value: &str) -> Option<NaiveDate> {
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

pub async fn create(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Form(form): Form<SprintForm>,
) -> Result<Response, AppError> {
    allow(policy::sprint_run(&user.actor))?;
    let faculties = state.store.faculties().await?;
    let mut errors = FormErrors::default();
    let title = text(&mut errors, "title", "Title", &form.title, 120);
    let faculty = form
        .faculty_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| faculties.iter().any(|f| f.id == *id));
    if faculty.is_none() {
        errors.add("faculty_id", "Choose the faculty the sprint runs in.");
    }
    let question = text(
        &mut errors,
        "question",
        "The question",
        &form.question,
        1000,
    );
    let starts = date(&mut errors, "starts_on", "Start date", &form.starts_on);
    let ends = date(&mut errors, "ends_on", "End date", &form.ends_on);
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        errors.add("ends_on", "End date must be on or after the start date.");
    }
    let (Some(faculty_id), Some(starts), Some(ends), true) =
        (faculty, starts, ends, errors.is_empty())
    else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            NewPage {
                ctx,
                form,
                errors,
                faculties,
            },
        )
            .into_response());
    };
    let id = state
        .store
        .create_sprint(NewSprint {
            faculty_id,
            title: &title,
            question: &question,
            starts_on: &starts.to_string(),
            ends_on: &ends.to_string(),
            created_by: Some(user.id()),
        })
        .await?;
    Ok(redirect_with_flash(
        &format!("/sprints/{id}"),
        &format!("Sprint '{title}' created. It is collecting problems."),
    ))
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

async fn show_page(
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
    let open = SprintState::parse(&sprint.state) == Some(SprintState::Open);
    let can_run = policy::sprint_run(&user.actor);
    let can_decide = decider(state, user, &sprint).await?;
    let stages = Stage::ALL
        .into_iter()
        .map(|stage| StageView {
            stage,
            items: items
                .iter()
                .filter(|i| i.stage == stage.as_str())
                .map(|i| {
                    let mine: Vec<SprintComment> = comments
                        .iter()
                        .filter(|c| c.item_id == i.id)
                        .cloned()
                        .collect();
                    let decision = i.decision.as_deref().and_then(Decision::parse);
                    ItemView {
                        comments: mine,
                        supported: supported.contains(&i.id),
                        promote_to: stage
                            .next()
                            .filter(|_| can_run && open && i.promoted_to.is_none()),
                        can_decide: can_decide && stage == Stage::Proposals && decision.is_none(),
                        can_set_status: can_decide && i.action_status.is_some(),
                        status: i.action_status.as_deref().and_then(Implementation::parse),
                        decision,
                        errors: ItemFields::of(&errors, i.id),
                        kept: ItemFields::of(&kept, i.id),
                        item: i.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    let current = Stage::parse(&sprint.stage).unwrap_or(Stage::Problems);
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
async fn decider(state: &AppState, user: &CurrentUser, sprint: &Sprint) -> Result<bool, AppError> {
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

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ShowPage, AppError> {
    let sprint = state.store.sprint(id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    show_page(
        &state,
        ctx,
        &user,
        sprint,
        FormErrors::default(),
        FormErrors::default(),
    )
    .await
}

/// The sprint page again with the errors of the form just sent, and what was typed.
async fn again(
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

fn back(id: i64, anchor: &str, message: &str) -> Response {
    redirect_with_flash(&format!("/sprints/{id}#{anchor}"), message)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
}

pub async fn add_item(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ItemForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    let mut errors = FormErrors::default();
    let current = Stage::parse(&sprint.stage).unwrap_or(Stage::Problems);
    let sprint_state = SprintState::parse(&sprint.state).unwrap_or(SprintState::Closed);
    match Stage::parse(&form.stage) {
        Some(wanted) => {
            if let Err(m) = check_add(sprint_state, current, wanted) {
                errors.add("title", m);
            }
        }
        None => errors.add("title", "Say which stage the item is for."),
    }
    let title = text(&mut errors, "title", "Title", &form.title, 120);
    let body = text(&mut errors, "body", "Description", &form.body, 2000);
    if !errors.is_empty() {
        let mut kept = FormErrors::default();
        kept.add("title", form.title);
        kept.add("body", form.body);
        return again(&state, ctx, &user, sprint, errors, kept).await;
    }
    let item = state
        .store
        .add_sprint_item(id, current.as_str(), &title, &body, user.id())
        .await?;
    Ok(back(
        id,
        &format!("item-{item}"),
        &format!("Your {} '{title}' was added.", current.singular()),
    ))
}

/// The item, which must belong to the sprint.
async fn item_of(state: &AppState, sprint: &Sprint, item_id: i64) -> Result<SprintItem, AppError> {
    let item = state.store.sprint_item(item_id).await?;
    if item.sprint_id != sprint.id {
        return Err(AppError::NotFound);
    }
    Ok(item)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    pub body: String,
}

pub async fn comment(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(form): Form<CommentForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    let key = format!("comment-{item_id}");
    let mut errors = FormErrors::default();
    let body = text(&mut errors, &key, "Comment", &form.body, 1000);
    if !errors.is_empty() {
        let mut kept = FormErrors::default();
        kept.add(&key, form.body);
        return again(&state, ctx, &user, sprint, errors, kept).await;
    }
    state
        .store
        .add_sprint_comment(item.id, user.id(), &body)
        .await?;
    Ok(back(
        id,
        &format!("item-{item_id}"),
        "Your comment was added.",
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SupportForm {
    #[serde(default)]
    pub support: String,
}

pub async fn support(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(form): Form<SupportForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(policy::sprint_contribute(&user.actor))?;
    let message = match form.support.as_str() {
        "yes" => {
            state.store.support_sprint_item(item.id, user.id()).await?;
            format!("You support '{}'.", item.title)
        }
        "no" => {
            state
                .store
                .withdraw_sprint_support(item.id, user.id())
                .await?;
            format!("You no longer support '{}'.", item.title)
        }
        _ => return Err(AppError::BadRequest("Support must be yes or no.".into())),
    };
    Ok(back(id, &format!("item-{item_id}"), &message))
}

pub async fn promote(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, item_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(policy::sprint_run(&user.actor))?;
    let sprint_state = SprintState::parse(&sprint.state).unwrap_or(SprintState::Closed);
    let stage = Stage::parse(&item.stage).unwrap_or(Stage::Proposals);
    let key = format!("promote-{item_id}");
    let to = match check_promote(sprint_state, stage) {
        Ok(to) => to,
        Err(m) => {
            let mut errors = FormErrors::default();
            errors.add(&key, m);
            return again(&state, ctx, &user, sprint, errors, FormErrors::default()).await;
        }
    };
    match state.store.promote_sprint_item(item.id, to.as_str()).await {
        Ok(new_id) => Ok(back(
            id,
            &format!("item-{new_id}"),
            &format!("'{}' is now {} {}.", item.title, article(to), to.singular()),
        )),
        Err(StoreError::Conflict(m)) => {
            let mut errors = FormErrors::default();
            errors.add(&key, m);
            again(&state, ctx, &user, sprint, errors, FormErrors::default()).await
        }
        Err(e) => Err(e.into()),
    }
}

fn article(stage: Stage) -> &'static str {
    match stage {
        Stage::Ideas => "an",
        _ => "a",
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub reasons: String,
    #[serde(default)]
    pub action_title: String,
    #[serde(default)]
    pub action_owner: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(decider(&state, &user, &sprint).await?)?;
    let mut errors = FormErrors::default();
    let decision_key = format!("decision-{item_id}");
    if item.stage != Stage::Proposals.as_str() {
        errors.add(
            &decision_key,
            "Only a proposal can be decided; promote this item first.",
        );
    }
    let decision = Decision::parse(&form.decision);
    if decision.is_none() {
        errors.add(
            &decision_key,
            "Choose whether the proposal is accepted or not taken forward.",
        );
    }
    let reasons = text(
        &mut errors,
        &format!("reasons-{item_id}"),
        "Reasons",
        &form.reasons,
        2000,
    );
    let action = if decision == Some(Decision::Accepted) {
        let t = text(
            &mut errors,
            &format!("action_title-{item_id}"),
            "The action",
            &form.action_title,
            200,
        );
        let o = text(
            &mut errors,
            &format!("action_owner-{item_id}"),
            "The action's owner",
            &form.action_owner,
            120,
        );
        Some((t, o))
    } else {
        None
    };
    let result = match decision {
        Some(d) if errors.is_empty() => state
            .store
            .decide_proposal(
                item.id,
                d.as_str(),
                &reasons,
                user.id(),
                action.as_ref().map(|(t, o)| (t.as_str(), o.as_str())),
            )
            .await
            .map(|()| d),
        _ => Err(StoreError::Conflict(String::new())),
    };
    match result {
        Ok(d) => Ok(back(
            id,
            &format!("item-{item_id}"),
            &format!("'{}': {}.", item.title, d.label()),
        )),
        Err(StoreError::Conflict(m)) => {
            if !m.is_empty() {
                errors.add(&decision_key, m);
            }
            let mut kept = FormErrors::default();
            kept.add(&format!("reasons-{item_id}"), form.reasons);
            kept.add(&format!("action_title-{item_id}"), form.action_title);
            kept.add(&format!("action_owner-{item_id}"), form.action_owner);
            again(&state, ctx, &user, sprint, errors, kept).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path((id, item_id)): Path<(i64, i64)>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    let item = item_of(&state, &sprint, item_id).await?;
    allow(decider(&state, &user, &sprint).await?)?;
    let key = format!("status-{item_id}");
    let mut errors = FormErrors::default();
    let status = Implementation::parse(&form.status);
    if item.action_status.is_none() {
        errors.add(
            &key,
            "Only an accepted proposal has an implementation status.",
        );
    } else if status.is_none() {
        errors.add(&key, "Choose not started, in progress or done.");
    }
    let Some(status) = status.filter(|_| errors.is_empty()) else {
        return again(&state, ctx, &user, sprint, errors, FormErrors::default()).await;
    };
    state
        .store
        .set_sprint_action_status(item.id, status.as_str())
        .await?;
    Ok(back(
        id,
        &format!("item-{item_id}"),
        &format!("'{}' is now: {}.", item.title, status.label()),
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StageForm {
    #[serde(default)]
    pub from: String,
}

/// Moves the sprint on to its next stage, or closes it after proposals.
pub async fn advance(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<StageForm>,
) -> Result<Response, AppError> {
    let sprint = state.store.sprint(id).await?;
    allow(policy::sprint_run(&user.actor))?;
    if sprint.state != SprintState::Open.as_str() {
        return Err(AppError::Conflict("This sprint is closed.".into()));
    }
    if form.from != sprint.stage {
        return Err(AppError::Conflict(
            "The sprint has already moved on; reload the page.".into(),
        ));
    }
    let from = Stage::parse(&sprint.stage).unwrap_or(Stage::Proposals);
    match from.next() {
        Some(to) => {
            state
                .store
                .set_sprint_stage(id, from.as_str(), to.as_str())
                .await?;
            Ok(back(
                id,
                "stages",
                &format!("The sprint is now collecting {}.", to.as_str()),
            ))
        }
        None => {
            state
                .store
                .set_sprint_state(id, SprintState::Closed.as_str())
                .await?;
            Ok(back(id, "stages", "The sprint is closed."))
        }
    }
}
