//! The personal tutoring consistency dashboard (SPEC §3.10): per School and for the
//! institution, contact coverage, time to first contact, tutor load, continuity and students
//! without a contact by the School's date. Aggregates only, computed in SQL, and suppressed
//! under the organisation's disclosure rule; School leads see their own School.
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::handlers::allow;
use crate::handlers::evaluation::results::rule_of;
use crate::handlers::tutoring::allocation::{YearQuery, year_of};
use crate::page::PageCtx;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use flipside_core::cycle::AcademicYear;
use flipside_core::disclosure::{Cell, DisclosureRule};
use flipside_core::policy;
use flipside_core::tutoring;
use flipside_core::tutoring_dashboard::{self, DashboardRow, SchoolFigures};
use flipside_store::{SchoolCounts, SchoolHistogram};
use std::collections::HashMap;

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/dashboard.html")]
pub struct DashboardPage {
    ctx: PageCtx,
    year: AcademicYear,
    rule_name: String,
    /// Which rule it is ([`flipside_core::disclosure::DisclosureRule::kind`]).
    rule_kind: &'static str,
    rule_description: String,
    /// Each School's row with its no-contact-by date.
    rows: Vec<(DashboardRow, String)>,
    total: Option<DashboardRow>,
}

/// "45%", "3.5" or "–" (counts: `handlers::figures::count`).
pub fn percent(c: &Cell<f64>) -> String {
    c.shown().map_or_else(|| "–".into(), |v| format!("{v:.0}%"))
}

pub fn number(c: &Cell<f64>) -> String {
    c.shown().map_or_else(|| "–".into(), |v| format!("{v:.1}"))
}

/// One School's part of a histogram.
fn histogram_of(h: &SchoolHistogram, school: i64) -> Vec<(i64, u64)> {
    h.iter()
        .filter(|(s, _, _)| *s == school)
        .map(|(_, v, c)| (*v, *c))
        .collect()
}

/// The dashboard as the caller may see it (the page and the API show the same).
pub struct Figures {
    pub year: AcademicYear,
    pub rule: DisclosureRule,
    /// Each visible School's row with its no-contact-by date.
    pub rows: Vec<(DashboardRow, String)>,
    /// The institution's row, for those who see it.
    pub total: Option<DashboardRow>,
}

/// The dashboard of the year `year` names (empty: the current one). Refused when the caller
/// sees no School, before the year is read.
pub async fn figures(
    state: &AppState,
    user: &CurrentUser,
    year: &str,
) -> Result<Figures, AppError> {
    let schools = state.store.tutoring_school_rules().await?;
    let institution = policy::tutoring_dashboard(&user.actor, None);
    let visible: Vec<_> = schools
        .into_iter()
        .filter(|s| policy::tutoring_dashboard(&user.actor, Some(s.school_id)))
        .collect();
    allow(institution || !visible.is_empty())?;
    let year = year_of(state, year).await?;
    let y = year.start_year();
    let rule = match state.organisation().await? {
        Some(org) => rule_of(&org)?,
        None => DisclosureRule::default(),
    };
    let stored = state.store.dashboard_figures(y).await?;
    let counts: HashMap<i64, &SchoolCounts> =
        stored.counts.iter().map(|c| (c.school_id, c)).collect();
    let (first, loads) = (&stored.first_contact_days, &stored.loads);
    let today = state.today().await?;

    let u = |n: i64| u64::try_from(n).unwrap_or(0);
    let figures: Vec<SchoolFigures> = visible
        .iter()
        .map(|s| {
            let c = counts
                .get(&s.school_id)
                .map_or_else(SchoolCounts::default, |c| (*c).clone());
            let due = today > tutoring::no_contact_by(year, &s.rules());
            SchoolFigures {
                name: s.name.clone(),
                students: u(c.students),
                contacted: u(c.contacted),
                kept: u(c.kept),
                had_last_year: u(c.had_last_year),
                first_contact_days: histogram_of(first, s.school_id),
                loads: histogram_of(loads, s.school_id),
                no_contact: due.then(|| u(c.no_contact_by_date)),
            }
        })
        .collect();
    // Whoever sees the institution's row sees every School, so its sum is the institution's.
    let shown = tutoring_dashboard::dashboard(&rule, &figures, institution);
    let rows = shown
        .rows
        .into_iter()
        .zip(&visible)
        .map(|(r, s)| (r, tutoring::no_contact_by(year, &s.rules()).to_string()))
        .collect();
    Ok(Figures {
        year,
        rule,
        rows,
        total: shown.total,
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<DashboardPage, AppError> {
    let f = figures(&state, &user, &q.year).await?;
    Ok(DashboardPage {
        ctx,
        year: f.year,
        rule_name: f.rule.name(),
        rule_kind: f.rule.kind(),
        rule_description: f.rule.description(),
        rows: f.rows,
        total: f.total,
    })
}
