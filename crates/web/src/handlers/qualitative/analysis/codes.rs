//! A cycle's codes: their frequencies per aim and per role (`/cycles/{id}/codes`), and every
//! excerpt coded with one code across the cycle's chats (`/cycles/{id}/codes/{code}`).
//!
//! The research team sees the frequencies as counted; anyone else the policy lets see them
//! (`policy::code_frequencies`: admins, who see the cycle's other aggregate results) sees them
//! under the organisation's disclosure rule. Excerpts are the chats' words: research team
//! only, and each read is audited. Passages coded identically by two coders count once.
use super::{cycle_for, role_title};
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::evaluation::results::rule_of;
use crate::handlers::{allow, audit_read};
use crate::operations::codebook::CycleCoding;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use flipside_core::policy;
use flipside_core::qualitative::codebook::CodeId;
use flipside_core::qualitative::excerpt::Span;
use flipside_core::qualitative::triangulation::{Attributed, Audience, code_frequencies};
use flipside_core::qualitative::views::{FrequencyRow, RoleFigures, aim_totals, by_role, passages};
use flipside_store::{Cycle, Scheme};
use std::collections::BTreeMap;

/// The roles, in the order the tables show them (students first: the scheme is theirs).
const ROLES: [&str; 2] = ["mentor", "mentee"];

/// One aim's section of the frequencies page.
pub struct AimSection {
    /// The aim's label, or "Not tied to an aim".
    pub label: String,
    /// Totals over the aim's codes, per role (none for the codes without an aim).
    pub totals: Option<Vec<RoleFigures>>,
    pub rows: Vec<FrequencyRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/analysis/frequencies.html")]
pub struct FrequenciesPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    /// Inside the research team: counts as counted, links to excerpts and exports.
    team: bool,
    can_export: bool,
    rule_name: String,
    /// Which rule it is ([`flipside_core::disclosure::DisclosureRule::kind`]).
    rule_kind: &'static str,
    rule_description: String,
    role_titles: Vec<&'static str>,
    sections: Vec<AimSection>,
    chats: usize,
    passages: usize,
}

/// "–" for a suppressed figure, the number otherwise; a dash too where nobody of the role was
/// coded with it (there is nothing to count, and nothing to hide).
pub fn figure(cell: Option<&RoleFigures>, people: bool) -> String {
    match cell {
        None => "0".into(),
        Some(f) => {
            crate::handlers::figures::count(if people { &f.participants } else { &f.excerpts })
        }
    }
}

pub async fn frequencies(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<FrequenciesPage, AppError> {
    let cycle = state.store.cycle(id).await?;
    let audience = policy::code_frequencies(&user.actor, cycle.scheme_id);
    allow(audience.is_some())?;
    let audience = audience.unwrap_or(Audience::Outside);
    let scheme = state.store.scheme(cycle.scheme_id).await?;
    let org = state.organisation().await?.ok_or(AppError::NotFound)?;
    let rule = rule_of(&org)?;
    let coding = CycleCoding::load(&state.store, id, scheme.id).await?;
    let joined = passages(&coding.excerpts);
    let attributed: Vec<Attributed> = joined
        .iter()
        .filter_map(|e| {
            let chat = coding.chat(e.chat)?;
            Some(Attributed {
                excerpt: e,
                participant: chat.participant_user_id,
                role: &chat.participant_role,
            })
        })
        .collect();
    let mut sections: Vec<AimSection> = coding
        .aims
        .iter()
        .map(|aim| AimSection {
            label: format!(
                "{} ({})",
                aim.label,
                role_title(aim.audience.role()).to_lowercase()
            ),
            totals: Some(aim_totals(
                &coding.book,
                &aim.key,
                &attributed,
                &ROLES,
                audience,
                &rule,
            )),
            rows: by_role(
                &code_frequencies(
                    &coding.book,
                    Some(aim.key.as_str()),
                    &attributed,
                    audience,
                    &rule,
                ),
                &ROLES,
            ),
        })
        .collect();
    let untied: Vec<_> = code_frequencies(&coding.book, None, &attributed, audience, &rule)
        .into_iter()
        .filter(|f| coding.book.aim_of(f.code).is_none())
        .collect();
    if !untied.is_empty() {
        sections.push(AimSection {
            label: "Codes not tied to an aim".into(),
            totals: None,
            rows: by_role(&untied, &ROLES),
        });
    }
    let team = audience == Audience::ResearchTeam;
    Ok(FrequenciesPage {
        ctx,
        team,
        can_export: policy::qualitative_export(&user.actor, scheme.id),
        rule_name: rule.name(),
        rule_kind: rule.kind(),
        rule_description: rule.description(),
        role_titles: ROLES.iter().map(|r| role_title(r)).collect(),
        sections,
        chats: coding.chats.len(),
        passages: attributed.len(),
        scheme,
        cycle,
    })
}

/// One passage coded with the code.
pub struct ExcerptRow {
    pub pseudonym: String,
    pub role: &'static str,
    pub place: String,
    pub text: String,
    /// "Coder 1, Coder 2": who coded this passage with the code.
    pub coders: String,
    pub memos: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/analysis/excerpts.html")]
pub struct ExcerptsPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    path: String,
    colour: String,
    aim: Option<String>,
    description: String,
    /// Its sub-codes: (id, name).
    children: Vec<(CodeId, String)>,
    rows: Vec<ExcerptRow>,
}

pub async fn excerpts(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path((id, code_id)): Path<(i64, CodeId)>,
) -> Result<ExcerptsPage, AppError> {
    let (cycle, scheme) = cycle_for(&state, id, |s| policy::code_chats(&user.actor, s)).await?;
    let coding = CycleCoding::load(&state.store, id, scheme.id).await?;
    let code = coding.book.get(code_id).ok_or(AppError::NotFound)?;
    let coders = coding.coder_labels();
    // Passages in chat order, each with the coders who coded it with this code.
    let mut rows: Vec<ExcerptRow> = Vec::new();
    let mut at: BTreeMap<(i64, Span), usize> = BTreeMap::new();
    for chat in &coding.chats {
        for e in coding
            .excerpts
            .iter()
            .filter(|e| e.chat == chat.id && e.codes.contains(&code_id))
        {
            let coder = coders.get(&e.coder).cloned().unwrap_or_default();
            let i = *at.entry((chat.id, e.span)).or_insert_with(|| {
                rows.push(ExcerptRow {
                    pseudonym: coding.pseudonym(chat),
                    role: role_title(&chat.participant_role),
                    place: format!(
                        "{}, {}",
                        chat.stage.label(),
                        chat.held_on.format("%-d %B %Y")
                    ),
                    text: e.span.text(&chat.chat.text).to_string(),
                    coders: String::new(),
                    memos: Vec::new(),
                });
                rows.len() - 1
            });
            let row = &mut rows[i];
            if !row.coders.split(", ").any(|c| c == coder) {
                if !row.coders.is_empty() {
                    row.coders.push_str(", ");
                }
                row.coders.push_str(&coder);
            }
            if let Some(memo) = &e.memo {
                row.memos.push(format!("{coder}: {memo}"));
            }
        }
    }
    audit_read(
        &state,
        &user,
        &address,
        "excerpts_read",
        ("cycle", id),
        &format!("code {code_id}: {} passage(s)", rows.len()),
    )
    .await?;
    let aims = &coding.aims;
    Ok(ExcerptsPage {
        ctx,
        path: coding.book.path(code_id).unwrap_or_default(),
        colour: code.colour.as_str().to_string(),
        aim: coding.book.aim_of(code_id).map(|key| {
            aims.iter()
                .find(|a| a.key == key)
                .map_or_else(|| key.to_string(), |a| a.label.clone())
        }),
        description: code.description.clone(),
        children: coding
            .book
            .children(Some(code_id))
            .into_iter()
            .map(|c| (c.id, c.name.clone()))
            .collect(),
        rows,
        scheme,
        cycle,
    })
}
