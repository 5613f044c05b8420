//! The sprints of every faculty.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use flipside_core::policy;
use flipside_store::Sprint;

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
