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
use chrono::NaiveDate;
use flipside_core::cycle::AcademicYear;
use flipside_core::disclosure::{Cell, DisclosureRule};
use flipside_core::policy;
use flipside_core::tutoring;
use flipside_core::tutoring_dashboard::{self, DashboardRow, SchoolFigures};
use flipside_store::{SchoolCounts, SchoolHistogram, SchoolRulesRow};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/dashboard.html")]
pub struct DashboardPage {
    ctx: PageCtx,
    year: AcademicYear,
    /// Which rule it is ([`flipside_core::disclosure::DisclosureRule::kind`]).
    rule_kind: &'static str,
    rule_description: String,
    /// Each School's row with its no-contact-by date, and the institution's, with their table.
    f: Arc<Figures>,
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
    /// The page's table, rendered by the first request that shows it and kept with the
    /// figures (issue 15).
    rendered: OnceLock<String>,
}

/// The dashboard's table.
#[derive(Template)]
#[template(path = "tutoring/dashboard_table.html")]
struct TableHtml<'a> {
    f: &'a Figures,
    rule_name: String,
}

impl Figures {
    /// The page's table of these figures, rendered once and then kept.
    pub fn table_html(&self) -> Result<&str, askama::Error> {
        crate::page::rendered_once(&self.rendered, || {
            TableHtml {
                f: self,
                rule_name: self.rule.name(),
            }
            .render()
        })
    }
}

/// What the dashboard shown to someone depends on besides the stored records: the year, the
/// Schools they see and whether they see the institution's row, the disclosure setting (preset
/// and smallest cell) and today (which no-contact-by dates have passed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DashboardKey {
    year: i32,
    schools: Vec<i64>,
    institution: bool,
    disclosure: Option<(String, i64)>,
    today: NaiveDate,
}

/// The dashboard of the year `year` names (empty: the current one). Refused when the caller
/// sees no School, before the year is read. Kept per [`DashboardKey`] while the tutoring
/// records and the Schools are unchanged ([`AppState::dashboards`]).
pub async fn figures(
    state: &AppState,
    user: &CurrentUser,
    year: &str,
) -> Result<Arc<Figures>, AppError> {
    // Read before the Schools, so that what is kept is at least as new as its version.
    let version = state.store.tutoring_dashboard_version().await?;
    let schools = state.store.tutoring_school_rules().await?;
    let institution = policy::tutoring_dashboard(&user.actor, None);
    let visible: Vec<_> = schools
        .into_iter()
        .filter(|s| policy::tutoring_dashboard(&user.actor, Some(s.school_id)))
        .collect();
    allow(institution || !visible.is_empty())?;
    let year = year_of(state, year).await?;
    let org = state.organisation().await?;
    let rule = match &org {
        Some(org) => rule_of(org)?,
        None => DisclosureRule::default(),
    };
    let today = state.today().await?;
    let key = DashboardKey {
        year: year.start_year(),
        schools: visible.iter().map(|s| s.school_id).collect(),
        institution,
        disclosure: org.map(|o| (o.disclosure_preset, o.min_cell)),
        today,
    };
    Ok(state
        .dashboards
        .get(key, version, || async {
            compute(state, year, rule, &visible, institution, today).await
        })
        .await?)
}

/// The dashboard of `visible` Schools (and the institution's row when `institution`) from the
/// stored figures of `year`, under `rule`.
async fn compute(
    state: &AppState,
    year: AcademicYear,
    rule: DisclosureRule,
    visible: &[SchoolRulesRow],
    institution: bool,
    today: NaiveDate,
) -> flipside_store::Result<Figures> {
    let stored = state.store.dashboard_figures(year.start_year()).await?;
    let counts: HashMap<i64, &SchoolCounts> =
        stored.counts.iter().map(|c| (c.school_id, c)).collect();
    let (first, loads) = (&stored.first_contact_days, &stored.loads);

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
        .zip(visible)
        .map(|(r, s)| (r, tutoring::no_contact_by(year, &s.rules()).to_string()))
        .collect();
    Ok(Figures {
        year,
        rule,
        rows,
        total: shown.total,
        rendered: OnceLock::new(),
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
        rule_kind: f.rule.kind(),
        rule_description: f.rule.description(),
        f,
    })
}
