//! Figures as the pages show them. A figure the disclosure rule suppresses is shown as "–",
//! the same on every page (recruitment, results, tutoring), and never as a number.
use flipside_core::disclosure::Cell;

/// A count: the number, or "–" when suppressed.
pub fn count(cell: &Cell<u64>) -> String {
    cell.shown().map_or_else(|| "–".into(), |v| v.to_string())
}

/// A mean: two decimal places ("3.08"), or "–" when suppressed.
pub fn figure(cell: &Cell<f64>) -> String {
    cell.shown()
        .map_or_else(|| "–".into(), |v| format!("{v:.2}"))
}

/// A percentage: one decimal place, or "–" when it cannot be shown.
pub fn percent(p: &Option<f64>) -> String {
    p.map_or_else(|| "–".into(), |v| format!("{v:.1}%"))
}

/// A share of people under the rule (who moved up, stayed or moved down): whole percentages,
/// as the report prints them ("77%"), or "–" when the rule hides it.
pub fn share(cell: &Cell<f64>) -> String {
    cell.shown()
        .map_or_else(|| "–".into(), |v| format!("{v:.0}%"))
}
