//! The annual report (SPEC §3.9): a report's data ([`ReportData`]), every figure made under
//! the organisation's disclosure rule ([`Disclosure`]), rendered as an accessible HTML page
//! ([`html::render`]) and a typeset PDF ([`pdf::render`]), with SVG charts ([`chart`]).
//!
//! How a caller builds a report: make a [`Disclosure`] from the rule the output follows
//! (`Disclosure::publication()` by default), turn the store's true counts, means and test
//! results into figures with its methods (`d.count(n)`, `d.percent(k, n)`, `d.mean(m, n)`,
//! `d.statistic(p, n)`), and fill a [`ReportData`]. Figures cannot be made any other way, so a
//! raw value cannot reach a page.

pub mod chart;
mod example;
pub mod figures;
pub mod html;
pub mod markdown;
pub mod model;
mod outline;
#[cfg(feature = "pdf")]
pub mod pdf;

pub use figures::{Count, Disclosure, Mean, Percent, Statistic};
pub use model::*;
