//! `/cycles/{id}/chats`: a cycle's reflective chats, for the scheme's research team, with each
//! coder's progress and the removal requests waiting for an answer.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::cycle_if;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use flipside_core::policy::{self, Action};
use flipside_core::qualitative::excerpt::segments_of;
use flipside_store::{ChatListRow, Cycle, RemovalStatus, Scheme};
use std::collections::{BTreeMap, BTreeSet};

/// One coder's progress on one chat.
pub struct CoderProgress {
    pub name: String,
    pub excerpts: usize,
    /// Passages touched by at least one of their excerpts.
    pub passages_coded: usize,
}

/// One chat in the list.
pub struct Row {
    pub chat: ChatListRow,
    pub passages: usize,
    pub coders: Vec<CoderProgress>,
    pub open_removals: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/chats/list.html")]
pub struct ListPage {
    ctx: PageCtx,
    cycle: Cycle,
    scheme: Scheme,
    rows: Vec<Row>,
    can_record: bool,
    can_code: bool,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<ListPage, AppError> {
    let (cycle, scheme) =
        cycle_if(&state, id, |c| policy::chat_list(&user.actor, c.scheme_id)).await?;
    let rows = rows(&state, id).await?;
    Ok(ListPage {
        ctx,
        can_record: policy::chat(&user.actor, scheme.id, 0, Action::Create),
        can_code: policy::code_chats(&user.actor, scheme.id),
        cycle,
        scheme,
        rows,
    })
}

/// The chats of cycle `id`, oldest first, each with its passages, each coder's progress and its
/// open removal requests (the list page's and the API's). Callers ask the policy first.
pub async fn rows(state: &AppState, id: i64) -> Result<Vec<Row>, AppError> {
    let chats: BTreeMap<i64, _> = state
        .store
        .chats_of_cycle(id)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    // (chat, coder) → the passages their excerpts touch, and how many excerpts.
    let mut progress: BTreeMap<(i64, i64), (usize, BTreeSet<u32>)> = BTreeMap::new();
    for e in state.store.excerpts_of_cycle(id).await? {
        let Some(chat) = chats.get(&e.chat) else {
            continue;
        };
        let entry = progress.entry((e.chat, e.coder)).or_default();
        entry.0 += 1;
        entry.1.extend(segments_of(&chat.chat.segments, e.span));
    }
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    for &(_, coder) in progress.keys() {
        if let std::collections::btree_map::Entry::Vacant(v) = names.entry(coder) {
            v.insert(state.store.user(coder).await?.display_name);
        }
    }
    let mut rows = Vec::new();
    for chat in state.store.chat_list(id).await? {
        let open_removals = state
            .store
            .removal_requests(chat.id)
            .await?
            .iter()
            .filter(|r| r.status == RemovalStatus::Open)
            .count();
        let coders = progress
            .range((chat.id, i64::MIN)..=(chat.id, i64::MAX))
            .map(|(&(_, coder), (excerpts, passages))| CoderProgress {
                name: names.get(&coder).cloned().unwrap_or_default(),
                excerpts: *excerpts,
                passages_coded: passages.len(),
            })
            .collect();
        rows.push(Row {
            passages: chats.get(&chat.id).map_or(0, |c| c.chat.segments.len()),
            chat,
            coders,
            open_removals,
        });
    }
    Ok(rows)
}
