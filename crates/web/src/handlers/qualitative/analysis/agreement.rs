//! Two coders compared (`/cycles/{id}/agreement`, optionally `?chat=` for one chat): per
//! code, percentage agreement and Cohen's kappa at the character or segment level (the page
//! says which), with the disagreements listed side by side. For the scheme's research team;
//! the read is audited (the disagreements quote the chats).
use super::cycle_for;
use crate::auth::{ClientAddress, CurrentUser};
use crate::error::AppError;
use crate::handlers::audit_read;
use crate::operations::codebook::CycleCoding;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use flipside_core::policy;
use flipside_core::qualitative::agreement::{CodedTwice, Level, compare};
use flipside_core::qualitative::codebook::CodeId;
use flipside_core::qualitative::excerpt::Excerpt;
use flipside_core::qualitative::views::{coded_by_both, coders_by_excerpts, default_pair};
use flipside_store::{Cycle, Scheme};
use serde::Deserialize;

/// What the page is asked for; every field optional (defaults: the two who coded most, the
/// segment level, every chat both coded).
#[derive(Debug, Default, Deserialize)]
pub struct AgreementQuery {
    #[serde(default)]
    pub a: Option<String>,
    #[serde(default)]
    pub b: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub chat: Option<String>,
}

/// One stretch where the coders differ.
pub struct DisagreementRow {
    /// "Mentor 3, End of cycle, passages 4–5".
    pub place: String,
    pub text: String,
    pub coded_by_a: bool,
}

/// One code's agreement.
pub struct AgreementRow {
    pub code: CodeId,
    pub path: String,
    pub colour: String,
    pub units: u64,
    pub both: u64,
    pub only_a: u64,
    pub only_b: u64,
    pub neither: u64,
    pub percentage: String,
    pub kappa: String,
    /// The figures as computed (percentage from 0 to 100; kappa undefined when both coders
    /// put every unit in the same class).
    pub percentage_value: Option<f64>,
    pub kappa_value: Option<f64>,
    pub disagreements: Vec<DisagreementRow>,
}

/// A chat to choose: (id, "Mentor 3, End of cycle, 10 June 2026").
pub type ChatChoice = (i64, String);

/// Someone who coded chats of the cycle, with how many excerpts.
pub struct Coder {
    pub id: i64,
    pub name: String,
    pub excerpts: usize,
}

/// Two coders compared, as the page shows it and the API answers it.
pub struct Agreement {
    pub scheme: Scheme,
    pub cycle: Cycle,
    /// Everyone who coded, most excerpts first.
    pub coders: Vec<Coder>,
    pub a: Option<i64>,
    pub b: Option<i64>,
    pub a_name: String,
    pub b_name: String,
    pub level: Level,
    pub chats: Vec<ChatChoice>,
    pub chat: Option<i64>,
    /// How many chats both coders coded, and so were compared.
    pub compared: usize,
    pub rows: Vec<AgreementRow>,
    /// Why nothing could be compared, when nothing could.
    pub problem: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "qualitative/analysis/agreement.html")]
pub struct AgreementPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    /// Everyone who coded, with their excerpt count: (id, "Name (12 excerpts)").
    coders: Vec<(i64, String)>,
    a: Option<i64>,
    b: Option<i64>,
    a_name: String,
    b_name: String,
    level: Level,
    chats: Vec<ChatChoice>,
    chat: Option<i64>,
    /// How many chats both coders coded, and so were compared.
    compared: usize,
    rows: Vec<AgreementRow>,
    /// Why nothing could be compared, when nothing could.
    problem: Option<String>,
}

impl AgreementPage {
    fn level_value(&self) -> &'static str {
        self.level.as_str()
    }
}

fn id(value: &Option<String>) -> Option<i64> {
    value.as_deref().and_then(|v| v.trim().parse().ok())
}

/// Percentage agreement as the page prints it.
pub fn percentage(p: Option<f64>) -> String {
    p.map_or_else(|| "–".into(), |p| format!("{p:.1}%"))
}

/// Cohen's kappa as the page prints it.
pub fn kappa(k: Option<f64>) -> String {
    k.map_or_else(|| "undefined".into(), |k| format!("{k:.3}"))
}

fn passages(numbers: &[u32]) -> String {
    match numbers {
        [] => String::new(),
        [one] => format!(", passage {one}"),
        [first, .., last] => format!(", passages {first}–{last}"),
    }
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    ClientAddress(address): ClientAddress,
    Path(id): Path<i64>,
    Query(query): Query<AgreementQuery>,
) -> Result<AgreementPage, AppError> {
    let a = agreement(&state, &user, &address, id, &query).await?;
    Ok(AgreementPage {
        ctx,
        coders: a
            .coders
            .iter()
            .map(|c| {
                (
                    c.id,
                    format!(
                        "{} ({} excerpt{})",
                        c.name,
                        c.excerpts,
                        if c.excerpts == 1 { "" } else { "s" }
                    ),
                )
            })
            .collect(),
        scheme: a.scheme,
        cycle: a.cycle,
        a: a.a,
        b: a.b,
        a_name: a.a_name,
        b_name: a.b_name,
        level: a.level,
        chats: a.chats,
        chat: a.chat,
        compared: a.compared,
        rows: a.rows,
        problem: a.problem,
    })
}

/// Compares two coders of the cycle as `query` asks (for the scheme's research team,
/// `policy::code_chats`); a comparison made is audited, since its disagreements quote the
/// chats.
pub async fn agreement(
    state: &AppState,
    user: &CurrentUser,
    address: &str,
    id_: i64,
    query: &AgreementQuery,
) -> Result<Agreement, AppError> {
    let (cycle, scheme) = cycle_for(state, id_, |s| policy::code_chats(&user.actor, s)).await?;
    let coding = CycleCoding::load(&state.store, cycle.id, scheme.id).await?;
    let level = query
        .level
        .as_deref()
        .and_then(Level::parse)
        .unwrap_or(Level::Segment);
    let chat = id(&query.chat).filter(|c| coding.chat(*c).is_some());
    if query.chat.as_deref().is_some_and(|c| !c.is_empty()) && chat.is_none() {
        return Err(AppError::NotFound);
    }
    let in_scope: Vec<Excerpt> = coding
        .excerpts
        .iter()
        .filter(|e| chat.is_none_or(|c| e.chat == c))
        .cloned()
        .collect();
    let mut coders = Vec::new();
    for (coder, n) in coders_by_excerpts(&coding.excerpts) {
        let name = state.store.user(coder).await?.display_name;
        coders.push(Coder {
            id: coder,
            name,
            excerpts: n,
        });
    }
    let defaults = default_pair(&in_scope).or_else(|| default_pair(&coding.excerpts));
    let a = id(&query.a).or(defaults.map(|d| d.0));
    let b = id(&query.b).or(defaults.map(|d| d.1));
    let name_of = |who: Option<i64>| {
        who.and_then(|w| coders.iter().find(|c| c.id == w))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let (a_name, b_name) = (name_of(a), name_of(b));
    let chats: Vec<ChatChoice> = coding
        .chats
        .iter()
        .filter(|c| coding.excerpts.iter().any(|e| e.chat == c.id))
        .map(|c| {
            (
                c.id,
                format!(
                    "{}, {}, {}",
                    coding.pseudonym(c),
                    c.stage.label(),
                    c.held_on.format("%-d %B %Y")
                ),
            )
        })
        .collect();
    let mut page = Agreement {
        scheme,
        cycle,
        coders,
        a,
        b,
        a_name,
        b_name,
        level,
        chats,
        chat,
        compared: 0,
        rows: Vec::new(),
        problem: None,
    };
    let (Some(a), Some(b)) = (a, b) else {
        page.problem = Some(
            "Agreement needs two people who coded the same chats; so far fewer than two have coded any."
                .into(),
        );
        return Ok(page);
    };
    if a == b {
        page.problem = Some("Choose two different coders.".into());
        return Ok(page);
    }
    if page
        .coders
        .iter()
        .filter(|c| c.id == a || c.id == b)
        .count()
        < 2
    {
        page.problem = Some("Choose two people who have coded chats of this cycle.".into());
        return Ok(page);
    }
    let shared = coded_by_both(&in_scope, a, b);
    let mut split: Vec<(i64, Vec<Excerpt>, Vec<Excerpt>)> = Vec::new();
    for chat_id in &shared {
        let of = |coder| {
            in_scope
                .iter()
                .filter(|e| e.chat == *chat_id && e.coder == coder)
                .cloned()
                .collect::<Vec<_>>()
        };
        split.push((*chat_id, of(a), of(b)));
    }
    let twice: Vec<CodedTwice> = split
        .iter()
        .filter_map(|(chat_id, xa, xb)| {
            coding.chat(*chat_id).map(|c| CodedTwice {
                chat: c.id,
                text: &c.chat.text,
                segments: &c.chat.segments,
                a: xa,
                b: xb,
            })
        })
        .collect();
    let codes: Vec<i64> = coding.book.tree().into_iter().map(|(_, c)| c.id).collect();
    page.compared = twice.len();
    for result in compare(level, &codes, &twice) {
        let t = result.table;
        if t.both + t.only_a + t.only_b == 0 {
            continue;
        }
        let code = coding.book.get(result.code);
        let disagreements = result
            .disagreements
            .iter()
            .filter_map(|d| {
                let chat = coding.chat(d.chat)?;
                Some(DisagreementRow {
                    place: format!(
                        "{}, {}{}",
                        coding.pseudonym(chat),
                        chat.stage.label(),
                        passages(&d.segments)
                    ),
                    text: d.span.text(&chat.chat.text).to_string(),
                    coded_by_a: d.coded_by_a,
                })
            })
            .collect();
        page.rows.push(AgreementRow {
            code: result.code,
            path: coding.book.path(result.code).unwrap_or_default(),
            colour: code
                .map(|c| c.colour.as_str().to_string())
                .unwrap_or_default(),
            units: t.units(),
            both: t.both,
            only_a: t.only_a,
            only_b: t.only_b,
            neither: t.neither,
            percentage: percentage(result.percentage),
            kappa: kappa(result.kappa),
            percentage_value: result.percentage,
            kappa_value: result.kappa,
            disagreements,
        });
    }
    if page.compared == 0 {
        page.problem = Some(format!(
            "{} and {} have not both coded any chat{} yet, so there is nothing to compare.",
            page.a_name,
            page.b_name,
            if chat.is_some() {
                " of this selection"
            } else {
                ""
            }
        ));
    }
    audit_read(
        state,
        user,
        address,
        "agreement_read",
        ("cycle", page.cycle.id),
        &format!(
            "coders {a} and {b}, {} level, {} chat(s)",
            level.as_str(),
            page.compared
        ),
    )
    .await?;
    Ok(page)
}
