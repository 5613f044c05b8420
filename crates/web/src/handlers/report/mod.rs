//! The annual report's pages (SPEC §3.9), per cycle (`/cycles/{id}/report`) and per academic
//! year across schemes (`/years/{year}/report`): the coordinator writes the introduction and
//! recommendations, previews the report, publishes frozen versions and downloads any of them as
//! HTML or PDF. Every handler serves both kinds of report through [`ReportAt`] and asks
//! `policy::annual_report` through [`subject`].
pub mod download;
pub mod publish;
pub mod show;

use crate::annual_report::{self, Gathered};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use flipside_core::annual_report::ReportScope;
use flipside_core::cycle::AcademicYear;
use flipside_core::policy::{self, ReportSubject};
use flipside_report::Disclosure;
use std::collections::{BTreeMap, BTreeSet};

/// Which report a request is about, from its path: `{id}` (a cycle) or `{year}` (the year it
/// starts in), and `{number}` (a published version) where the route has one.
#[derive(Debug, Clone, Copy)]
pub struct ReportAt {
    pub scope: ReportScope,
    pub version: Option<i64>,
}

impl<S: Send + Sync> FromRequestParts<S> for ReportAt {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(params) = Path::<BTreeMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let number = |key: &str| {
            params
                .get(key)
                .map(|v| v.parse::<i64>().map_err(|_| AppError::NotFound))
                .transpose()
        };
        let scope = match (number("id")?, number("year")?) {
            (Some(id), _) => ReportScope::Cycle(id),
            (None, Some(year)) => year_scope(year)?,
            _ => return Err(AppError::NotFound),
        };
        Ok(ReportAt {
            scope,
            version: number("number")?,
        })
    }
}

/// The report of the academic year starting in `year`, for the pages and the API alike: only
/// years flipside could hold; any other is no report (404).
pub fn year_scope(year: i64) -> Result<ReportScope, AppError> {
    i32::try_from(year)
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .map(|y| ReportScope::Year(AcademicYear::from_start_year(y)))
        .ok_or(AppError::NotFound)
}

/// A report's subject as its pages name it, once the policy has let the actor in.
pub struct Subject {
    pub scope: ReportScope,
    /// "Reverse Mentoring 2025/26", "All schemes, 2025/26".
    pub heading: String,
    /// Where the page leads back to, and the link's words.
    pub back: (String, String),
    /// The cycles the report covers (for the quotes its versions print).
    pub cycles: Vec<i64>,
}

/// Loads what a report is about and refuses (403) unless the policy lets the actor in; 404
/// for a cycle that does not exist or a year without cycles.
pub async fn subject(
    state: &AppState,
    user: &CurrentUser,
    scope: ReportScope,
) -> Result<Subject, AppError> {
    match scope {
        ReportScope::Cycle(id) => {
            let cycle = state.store.cycle(id).await?;
            allow(policy::annual_report(
                &user.actor,
                ReportSubject::Cycle {
                    scheme_id: cycle.scheme_id,
                },
            ))?;
            let scheme = state.store.scheme(cycle.scheme_id).await?;
            Ok(Subject {
                scope,
                heading: format!("{} {}", scheme.name, cycle.year()),
                back: (
                    format!("/cycles/{id}"),
                    format!("The {} cycle", cycle.year()),
                ),
                cycles: vec![id],
            })
        }
        ReportScope::Year(year) => {
            allow(policy::annual_report(&user.actor, ReportSubject::Year))?;
            let mut cycles = Vec::new();
            for scheme in state.store.schemes().await? {
                for cycle in state.store.cycles_of(scheme.id).await? {
                    if cycle.year() == year {
                        cycles.push(cycle.id);
                    }
                }
            }
            if cycles.is_empty() {
                return Err(AppError::NotFound);
            }
            Ok(Subject {
                scope,
                heading: format!("All schemes, {year}"),
                back: ("/schemes".into(), "Schemes".into()),
                cycles,
            })
        }
    }
}

/// The disclosure rule a report is made under, chosen per output: the publication rule unless
/// the coordinator asks for the organisation's internal rule (a report for the steering group,
/// say). The report prints the rule it follows either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportRule {
    #[default]
    Publication,
    Internal,
}

/// `?rule=internal` on a preview, or the publish form's `rule` field; absent means the
/// publication rule.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RuleChoice {
    #[serde(default)]
    pub rule: ReportRule,
}

impl ReportRule {
    async fn disclosure(self, state: &AppState) -> Result<Disclosure, AppError> {
        Ok(match self {
            ReportRule::Publication => Disclosure::publication(),
            ReportRule::Internal => match state.organisation().await? {
                Some(org) => Disclosure::new(crate::handlers::evaluation::results::rule_of(&org)?),
                None => Disclosure::new(flipside_core::disclosure::DisclosureRule::default()),
            },
        })
    }
}

/// The report as it would be published now: today's figures under the chosen rule, the saved
/// text, and the quotes whose speakers' consent stands.
pub async fn current(
    state: &AppState,
    scope: ReportScope,
    rule: ReportRule,
) -> Result<Gathered, AppError> {
    annual_report::gather(
        &state.store,
        scope,
        rule.disclosure(state).await?,
        state.today().await?,
    )
    .await
}

/// The quotes of the subject's cycles that may still be printed: in the bank, with their
/// speaker's quote consent standing. A published version that prints any other quote is
/// flagged for the coordinator.
pub async fn usable_quotes(state: &AppState, subject: &Subject) -> Result<BTreeSet<i64>, AppError> {
    let mut out = BTreeSet::new();
    for &cycle in &subject.cycles {
        let consenting = state.store.quote_consenting(cycle).await?;
        for q in state.store.quotes_of_cycle(cycle).await? {
            if consenting.contains(&q.participant_user_id) {
                out.insert(q.id);
            }
        }
    }
    Ok(out)
}
