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
use flipside_core::tutoring::{self, Spread, spread};
use flipside_store::{SchoolCounts, SchoolHistogram};
use std::collections::HashMap;

/// One row of the dashboard, every figure as it may be shown.
pub struct DashboardRow {
    pub name: String,
    pub students: Cell<u64>,
    pub contacted: Cell<u64>,
    pub coverage: Cell<f64>,
    pub median_first: Cell<f64>,
    pub load: Option<(Cell<f64>, Cell<f64>, Cell<f64>)>,
    pub continuity: Cell<f64>,
    /// `None` while the School's no-contact-by date has not passed.
    pub no_contact: Option<Cell<u64>>,
    pub no_contact_by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "tutoring/dashboard.html")]
pub struct DashboardPage {
    ctx: PageCtx,
    year: AcademicYear,
    rule_name: String,
    rule_description: String,
    rows: Vec<DashboardRow>,
    total: Option<DashboardRow>,
}

/// "12", "45%", "3.5" or "–".
pub fn count(c: &Cell<u64>) -> String {
    c.shown().map_or_else(|| "–".into(), |v| v.to_string())
}

pub fn percent(c: &Cell<f64>) -> String {
    c.shown().map_or_else(|| "–".into(), |v| format!("{v:.0}%"))
}

pub fn number(c: &Cell<f64>) -> String {
    c.shown().map_or_else(|| "–".into(), |v| format!("{v:.1}"))
}

fn histogram_of(h: &SchoolHistogram, school: Option<i64>) -> Vec<(i64, u64)> {
    let mut merged: HashMap<i64, u64> = HashMap::new();
    for (s, v, c) in h {
        if school.is_none_or(|x| x == *s) {
            *merged.entry(*v).or_default() += c;
        }
    }
    merged.into_iter().collect()
}

fn spread_cells(
    rule: &DisclosureRule,
    s: Option<Spread>,
) -> Option<(Cell<f64>, Cell<f64>, Cell<f64>)> {
    s.map(|s| {
        (
            rule.mean(s.min as f64, s.n),
            rule.mean(s.median, s.n),
            rule.mean(s.max as f64, s.n),
        )
    })
}

pub async fn show(
    State(state): State<AppState>,
    ctx: PageCtx,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<DashboardPage, AppError> {
    let schools = state.store.tutoring_school_rules().await?;
    let institution = policy::tutoring_dashboard(&user.actor, None);
    let visible: Vec<_> = schools
        .into_iter()
        .filter(|s| policy::tutoring_dashboard(&user.actor, Some(s.school_id)))
        .collect();
    allow(institution || !visible.is_empty())?;
    let year = year_of(&q.year)?;
    let y = year.start_year();
    let rule = match state.store.organisation().await? {
        Some(org) => rule_of(&org),
        None => DisclosureRule::default(),
    };
    let counts: HashMap<i64, SchoolCounts> = state
        .store
        .dashboard_counts(y)
        .await?
        .into_iter()
        .map(|c| (c.school_id, c))
        .collect();
    let first = state.store.first_contact_days(y).await?;
    let loads = state.store.tutor_load_histogram(y).await?;
    let today = chrono::Utc::now().date_naive();

    let c = |id: i64| counts.get(&id).cloned().unwrap_or_default();
    let u = |n: i64| u64::try_from(n).unwrap_or(0);
    // Counts shown with a total are suppressed together, so a hidden cell cannot be
    // worked out from the total and the others.
    let students = rule.one_way(
        &visible
            .iter()
            .map(|s| (s.name.clone(), u(c(s.school_id).students)))
            .collect::<Vec<_>>(),
    );
    let contacted = rule.one_way(
        &visible
            .iter()
            .map(|s| (s.name.clone(), u(c(s.school_id).contacted)))
            .collect::<Vec<_>>(),
    );
    let due: Vec<bool> = visible
        .iter()
        .map(|s| today > tutoring::no_contact_by(year, &s.rules()))
        .collect();
    let overdue_rows: Vec<(String, u64)> = visible
        .iter()
        .zip(&due)
        .filter(|(_, d)| **d)
        .map(|(s, _)| (s.name.clone(), u(c(s.school_id).no_contact_by_date)))
        .collect();
    let overdue = rule.one_way(&overdue_rows);
    let mut overdue_cells = overdue.rows.iter().map(|r| r.count);

    let mut rows = Vec::new();
    for (i, s) in visible.iter().enumerate() {
        let sc = c(s.school_id);
        let contacted_cell = contacted.rows[i].count;
        let coverage = if contacted_cell.is_suppressed() {
            Cell::Suppressed(flipside_core::disclosure::Suppression::SmallBase)
        } else {
            rule.percentage(u(sc.contacted), u(sc.students))
        };
        let first_spread = spread(&histogram_of(&first, Some(s.school_id)));
        rows.push(DashboardRow {
            name: s.name.clone(),
            students: students.rows[i].count,
            contacted: contacted_cell,
            coverage,
            median_first: first_spread.map_or(
                Cell::Suppressed(flipside_core::disclosure::Suppression::SmallMeanN),
                |f| rule.mean(f.median, f.n),
            ),
            load: spread_cells(&rule, spread(&histogram_of(&loads, Some(s.school_id)))),
            continuity: rule.percentage(u(sc.kept), u(sc.had_last_year)),
            no_contact: if due[i] { overdue_cells.next() } else { None },
            no_contact_by: tutoring::no_contact_by(year, &s.rules()).to_string(),
        });
    }
    let total = institution.then(|| {
        let all = counts.values().fold(SchoolCounts::default(), |mut a, x| {
            a.students += x.students;
            a.contacted += x.contacted;
            a.kept += x.kept;
            a.had_last_year += x.had_last_year;
            a
        });
        let first_spread = spread(&histogram_of(&first, None));
        DashboardRow {
            name: "Whole institution".into(),
            students: students.total,
            contacted: contacted.total,
            coverage: if contacted.total.is_suppressed() {
                Cell::Suppressed(flipside_core::disclosure::Suppression::SmallBase)
            } else {
                rule.percentage(u(all.contacted), u(all.students))
            },
            median_first: first_spread.map_or(
                Cell::Suppressed(flipside_core::disclosure::Suppression::SmallMeanN),
                |f| rule.mean(f.median, f.n),
            ),
            load: spread_cells(&rule, spread(&histogram_of(&loads, None))),
            continuity: rule.percentage(u(all.kept), u(all.had_last_year)),
            no_contact: (!overdue_rows.is_empty()).then_some(overdue.total),
            no_contact_by: "each School's date".into(),
        }
    });
    Ok(DashboardPage {
        ctx,
        year,
        rule_name: rule.name(),
        rule_description: rule.description(),
        rows,
        total,
    })
}
