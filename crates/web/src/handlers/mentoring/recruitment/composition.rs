//! The pool's composition by identity label, under the disclosure rule, against the
//! organisation's population when known.
use super::cycle_and_scheme;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::evaluation::results::rule_of;
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use flipside_core::disclosure::{LabelTable, Suppression};
use flipside_core::outreach::{self, Population, ReachRow};
use flipside_core::policy::{self};
use flipside_store::{Cycle, Scheme};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Template, WebTemplate)]
#[template(path = "recruitment/composition.html")]
pub struct CompositionPage {
    ctx: PageCtx,
    scheme: Scheme,
    cycle: Cycle,
    table: LabelTable,
    /// Which rule it is ([`flipside_core::disclosure::DisclosureRule::kind`]).
    rule_kind: &'static str,
    rule_description: String,
    footnotes: Vec<String>,
    /// The pool against the organisation's population, when its figures are known.
    reach: Option<Vec<ReachRow>>,
    population_source: String,
}

/// The applicants' label sets: one set per application that is not withdrawn (an empty set
/// for someone who chose no label).
pub fn label_sets(ids: &[i64], choices: &[(i64, String)]) -> Vec<BTreeSet<String>> {
    let mut sets: BTreeMap<i64, BTreeSet<String>> =
        ids.iter().map(|id| (*id, BTreeSet::new())).collect();
    for (id, name) in choices {
        if let Some(s) = sets.get_mut(id) {
            s.insert(name.clone());
        }
    }
    sets.into_values().collect()
}

pub async fn composition(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<CompositionPage, AppError> {
    let (cycle, scheme) = cycle_and_scheme(&state, id).await?;
    allow(policy::review_applications(&user.actor, scheme.id))?;
    let org = state.organisation().await?.ok_or(AppError::NotFound)?;
    let rule = rule_of(&org)?;
    let (ids, choices) = state.store.cycle_label_choices(id).await?;
    let table = rule.labels(&label_sets(&ids, &choices));
    let reach = match org.population_total {
        Some(total) if total > 0 => {
            let labels = state.store.identity_labels().await?;
            let population = Population {
                total: total.unsigned_abs(),
                by_label: labels
                    .into_iter()
                    .filter_map(|l| Some((l.name, l.population?.unsigned_abs())))
                    .collect(),
            };
            Some(outreach::compare(&table, &population))
        }
        _ => None,
    };
    let reasons: BTreeSet<Suppression> = table
        .labels
        .iter()
        .map(|r| r.count)
        .chain(table.combinations.iter().map(|r| r.count))
        .chain([table.total])
        .filter_map(|c| c.suppression())
        .collect();
    Ok(CompositionPage {
        ctx,
        rule_kind: rule.kind(),
        rule_description: rule.description(),
        footnotes: reasons.into_iter().map(|r| rule.footnote(r)).collect(),
        table,
        scheme,
        cycle,
        reach,
        population_source: org.population_source,
    })
}
