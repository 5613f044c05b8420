//! Editing a cycle's meeting plan, expectations and hours target (coordinators, SPEC §3.4).
//! The plan is written as text (see `flipside_core::framework::plan_from_text`), so the page
//! needs no scripts; each mistake is reported with its line.
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::page::{FormErrors, PageCtx, redirect_with_flash};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flipside_core::cycle::CycleState;
use flipside_core::framework::{
    Framework, PlanError, expectations_from_text, plan_from_text, plan_to_text,
};
use flipside_core::policy::{self, Action, CycleRef};
use flipside_store::{Cycle, Scheme};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "cycles/plan.html")]
pub struct PlanPage {
    ctx: PageCtx,
    cycle: Cycle,
    scheme: Scheme,
    errors: FormErrors,
    form: PlanForm,
    closed: bool,
    /// The plan as pairs will see it: the saved one, or the one typed when previewing.
    preview: Option<Framework>,
    /// Whether `preview` shows text not saved yet.
    unsaved: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    pub sessions: String,
    #[serde(default)]
    pub expectations: String,
    #[serde(default)]
    pub hours_target: String,
    /// Set by the "Preview" button: show the plan as typed, save nothing.
    #[serde(default)]
    pub preview: Option<String>,
}

async fn editable(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Cycle, Scheme), AppError> {
    crate::handlers::cycle_if(state, id, |c| {
        policy::cycle(
            &user.actor,
            CycleRef {
                id,
                scheme_id: c.scheme_id,
            },
            Action::Edit,
        )
    })
    .await
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<PlanPage, AppError> {
    let (cycle, scheme) = editable(&state, &user, id).await?;
    let framework: Framework =
        serde_json::from_str(&cycle.framework).unwrap_or_else(|_| Framework::default_plan());
    let form = PlanForm {
        sessions: plan_to_text(&framework.sessions),
        expectations: framework.expectations.join("\n"),
        hours_target: cycle.hours_target.to_string(),
        preview: None,
    };
    Ok(PlanPage {
        ctx,
        closed: cycle.state()? == CycleState::Closed,
        cycle,
        scheme,
        errors: FormErrors::default(),
        form,
        preview: Some(framework),
        unsaved: false,
    })
}

fn lines(errors: &[PlanError]) -> String {
    errors
        .iter()
        .map(|e| format!("Line {}: {}.", e.line, e.message))
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn update(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Form(form): Form<PlanForm>,
) -> Result<Response, AppError> {
    let (cycle, scheme) = editable(&state, &user, id).await?;
    let mut errors = FormErrors::default();
    let sessions = plan_from_text(&form.sessions)
        .map_err(|e| errors.add("sessions", format!("The plan has problems. {}", lines(&e))));
    let expectations = expectations_from_text(&form.expectations).map_err(|e| {
        errors.add(
            "expectations",
            format!("The expectations have problems. {}", lines(&e)),
        )
    });
    let hours = form
        .hours_target
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=200).contains(n));
    if hours.is_none() {
        errors.add(
            "hours_target",
            "Enter the hours target as a whole number from 1 to 200.",
        );
    }
    let closed = cycle.state()? == CycleState::Closed;
    let (Ok(sessions), Ok(expectations), Some(hours)) = (sessions, expectations, hours) else {
        let page = PlanPage {
            ctx,
            cycle,
            scheme,
            errors,
            form,
            closed,
            preview: None,
            unsaved: false,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let framework = Framework {
        sessions,
        expectations,
    };
    if form.preview.is_some() {
        return Ok(PlanPage {
            ctx,
            cycle,
            scheme,
            errors,
            form,
            closed,
            preview: Some(framework),
            unsaved: true,
        }
        .into_response());
    }
    let actor = crate::operations::cycles::Actor {
        id: user.id(),
        address: &address,
    };
    match crate::operations::cycles::update_plan(&state, actor, id, &framework, hours).await {
        Ok(()) => {}
        Err(AppError::Conflict(m)) => {
            return Ok(redirect_with_flash(&format!("/cycles/{id}"), &m));
        }
        Err(e) => return Err(e),
    }
    Ok(redirect_with_flash(
        &format!("/cycles/{id}"),
        "Meeting plan saved.",
    ))
}
