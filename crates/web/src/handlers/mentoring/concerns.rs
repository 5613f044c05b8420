//! The concerns participants raised with a cycle's coordinators (SPEC §3.4).
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use flipside_core::policy;
use flipside_store::{Concern, Cycle, Pair, Scheme};

#[derive(Template, WebTemplate)]
#[template(path = "concerns/list.html")]
pub struct ConcernsPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    concerns: Vec<(Concern, Pair)>,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ConcernsPage, AppError> {
    let cycle = state.store.cycle(id).await?;
    allow(policy::concerns(&user.actor, cycle.scheme_id))?;
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let mut concerns = Vec::new();
    for c in state.store.concerns_of_cycle(id).await? {
        let pair = state.store.pair(c.pair_id).await?;
        concerns.push((c, pair));
    }
    Ok(ConcernsPage {
        ctx,
        scheme,
        cycle,
        concerns,
    })
}
