//! The quote bank, a scheme's aims and the triangulation page per aim (issue 11, SPEC §3.7).
//!
//! | page | module |
//! | --- | --- |
//! | `/cycles/{id}/quotes`: promote, trim and remove quotes | [`bank`] |
//! | `/cycles/{id}/aims` and `/cycles/{id}/aims/{aim}`: survey change beside the chats, the finding | [`triangulation`] |
//! | `/schemes/{id}/aims`: relabel, add and reorder aims; each statement's aim | [`aims`] |
//! | a student gives their quote consent again on their application | [`consent`] |
//!
//! [`Evidence`] gathers what these pages share: pseudonyms, codes and the consents as they
//! stand now, so that a withdrawal takes a person's quotes out of every page at once.
use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use flipside_core::qualitative::aims::Aim;
use flipside_core::qualitative::codebook::Codebook;
use flipside_core::qualitative::excerpt::Excerpt;
use flipside_core::qualitative::quotes::{ParticipantId, pseudonyms};
use flipside_core::recruitment::ConsentKind;
use flipside_store::{ChatPerson, Cycle, QuoteRow};
use std::collections::{BTreeMap, BTreeSet};

pub mod aims;
pub mod bank;
pub mod consent;
pub mod triangulation;

/// This module's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cycles/{id}/quotes", get(bank::show).post(bank::promote))
        .route("/cycles/{id}/quotes/{quote}/trim", post(bank::trim))
        .route("/cycles/{id}/quotes/{quote}/remove", post(bank::remove))
        .route("/cycles/{id}/aims", get(triangulation::index))
        .route("/cycles/{id}/aims/{aim}", get(triangulation::show))
        .route(
            "/cycles/{id}/aims/{aim}/finding",
            post(triangulation::save_finding),
        )
        .route("/schemes/{id}/aims", get(aims::show).post(aims::save))
        .route(
            "/cycles/{id}/my-application/consents/{kind}/give",
            post(consent::give),
        )
}

/// A cycle's qualitative evidence as it stands now: the scheme's aims and codebook, everyone's
/// pseudonym, every coded excerpt with who said it, and the quotes whose speaker's quote
/// consent stands (a withdrawn consent deletes its quotes; a quote without a standing consent
/// for any other reason is left out here too).
pub struct Evidence {
    pub aims: Vec<Aim>,
    pub codebook: Codebook,
    pub pseudonyms: BTreeMap<ParticipantId, String>,
    pub excerpts: Vec<Excerpt>,
    /// Each chat's participant and side, by chat id.
    pub chats: BTreeMap<i64, ChatPerson>,
    /// Usable quotes, oldest first.
    pub quotes: Vec<QuoteRow>,
    pub quote_consenting: BTreeSet<i64>,
    pub research_consenting: BTreeSet<i64>,
}

impl Evidence {
    pub async fn load(state: &AppState, cycle: &Cycle) -> Result<Evidence, AppError> {
        let store = &state.store;
        let participants = store.qualitative_participants(cycle.id).await?;
        let names = pseudonyms(
            &participants
                .iter()
                .map(|(id, role)| (*id, role.as_str()))
                .collect::<Vec<_>>(),
        );
        let quote_consenting = store.consenting_to(cycle.id, ConsentKind::Quotes).await?;
        let quotes = store
            .quotes_of_cycle(cycle.id)
            .await?
            .into_iter()
            .filter(|q| quote_consenting.contains(&q.participant_user_id))
            .collect();
        Ok(Evidence {
            aims: store.aims_of_scheme(cycle.scheme_id).await?,
            codebook: store.codebook_of_scheme(cycle.scheme_id).await?,
            pseudonyms: names,
            excerpts: store.excerpts_of_cycle(cycle.id).await?,
            chats: store
                .chat_people(cycle.id)
                .await?
                .into_iter()
                .map(|c| (c.chat_id, c))
                .collect(),
            quotes,
            quote_consenting,
            research_consenting: store.consenting_to(cycle.id, ConsentKind::Research).await?,
        })
    }

    /// A participant's pseudonym in the cycle, never their name.
    pub fn pseudonym(&self, participant: i64) -> String {
        self.pseudonyms
            .get(&participant)
            .cloned()
            .unwrap_or_else(|| "Participant".into())
    }

    fn excerpt(&self, id: i64) -> Option<&Excerpt> {
        self.excerpts.iter().find(|e| e.id == id)
    }

    /// The codes of an excerpt, as paths ("Belonging › Isolation").
    pub fn code_paths(&self, excerpt: i64) -> Vec<String> {
        self.excerpt(excerpt)
            .map(|e| {
                e.codes
                    .iter()
                    .filter_map(|c| self.codebook.path(*c))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The aims an excerpt's codes evidence (a code's own aim or its nearest ancestor's), by
    /// key.
    pub fn aim_keys(&self, excerpt: i64) -> BTreeSet<String> {
        self.excerpt(excerpt)
            .map(|e| {
                e.codes
                    .iter()
                    .filter_map(|c| self.codebook.aim_of(*c).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// An aim's label by key (the key itself for an aim the scheme no longer lists).
    pub fn aim_label(&self, key: &str) -> String {
        self.aims
            .iter()
            .find(|a| a.key == key)
            .map_or_else(|| key.to_string(), |a| a.label.clone())
    }

    /// The usable quotes evidencing `aim`.
    pub fn quotes_of_aim(&self, aim: &str) -> Vec<&QuoteRow> {
        self.quotes
            .iter()
            .filter(|q| self.aim_keys(q.excerpt_id).contains(aim))
            .collect()
    }
}

/// Which aim of the scheme each statement a cycle asks evidences, by statement code
/// (as the cycle's instrument holds it: chosen when the statement was added, or on the scheme's
/// aims page).
pub async fn statement_aims(
    state: &AppState,
    cycle_id: i64,
) -> Result<BTreeMap<String, String>, AppError> {
    Ok(state
        .store
        .cycle_instrument(cycle_id)
        .await?
        .aims_by_statement())
}
