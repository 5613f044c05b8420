//! Small-cell suppression under the organisation's disclosure rules (SPEC §3.6).
//!
//! A [`DisclosureRule`] comes as a preset — [`DisclosureRule::internal`] (counts under a
//! minimum cell hidden) or [`DisclosureRule::publication`] (the HESA rounding strategy) — whose
//! fields can then be edited. It applies to single figures ([`DisclosureRule::count`],
//! [`DisclosureRule::percentage`], [`DisclosureRule::mean`]) and to tables
//! ([`DisclosureRule::one_way`], [`DisclosureRule::two_way`], [`DisclosureRule::labels`]).
//! Every figure comes back as a [`Cell`]: the value to show, or `Suppressed` with the
//! [`Suppression`] reason, so pages and reports can print "–" with a footnote
//! ([`DisclosureRule::footnote`]); every table carries [`DisclosureRule::name`].
//!
//! # Complementary suppression
//! A table publishes totals, so hiding one small cell is not enough: it could be recovered by
//! subtracting the shown cells from the shown total. After hiding the small cells (*primary*
//! suppression) the tables hide further cells (*complementary* suppression), smallest first,
//! until
//! * every row, column or total equation holds either no hidden figure or at least two;
//! * where a total is shown, the hidden cells it covers add up to at least the minimum cell,
//!   so their sum is not itself a small count (hiding a 0 beside a 2 protects neither); and
//! * no hidden figure follows from *any combination* of shown figures (checked exactly by
//!   linear algebra over the table's underlying cells, which catches a cell that is fixed by
//!   chaining several rows and columns).
//!
//! Multi-select identity labels overlap, so "people holding label A" is not a cell of a
//! partition. The label table therefore rests on the cells that do partition the population —
//! people holding *exactly* a given combination of labels — and every count it shows (each
//! label, each combination, the total) is a sum of those; the same three checks run over
//! them, so "A" minus "only A" cannot reveal a small "A and B" cell.
//!
//! Under rounding (the publication rule) small counts are shown rounded rather than hidden;
//! totals are rounded from the unrounded sum, as HESA does, so rounded cells need not add up
//! to the rounded total.

mod engine;
mod tables;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use tables::{CombinationRow, CountRow, DisclosureError, LabelTable, OneWayTable, TwoWayTable};

/// Which preset a rule started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulePreset {
    /// Counts under a minimum cell hidden; for dashboards inside the organisation.
    Internal,
    /// The HESA rounding strategy; for anything published.
    Publication,
}

/// How figures about people are protected before they are shown. Fields are editable; a rule
/// whose fields no longer match its preset is described as a custom rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisclosureRule {
    /// The preset this rule started from, if any.
    pub preset: Option<RulePreset>,
    /// Counts below this are hidden (0: no count is hidden).
    pub min_count: u64,
    /// Show counts of zero even when `min_count` would hide them.
    pub show_zeros: bool,
    /// Shown counts are rounded to the nearest multiple of this (0 or 1: shown exactly).
    pub rounding_base: u64,
    /// Percentages whose base (denominator) is below this are hidden.
    pub min_percentage_base: f64,
    /// Averages based on fewer people than this are hidden.
    pub min_mean_n: u64,
}

/// Why a figure is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Suppression {
    /// A count under the minimum cell (primary suppression).
    SmallCount,
    /// A percentage based on too few people, or on a count that is itself hidden.
    SmallBase,
    /// An average based on too few people.
    SmallMeanN,
    /// Hidden so that another hidden figure cannot be worked out by subtraction.
    Complementary,
}

/// A figure as it may be shown: the value, or the reason it is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell<T> {
    /// The value to show (already rounded where the rule rounds).
    Shown(T),
    /// Hidden, and why.
    Suppressed(Suppression),
}

impl<T: Copy> Cell<T> {
    /// The value, when shown.
    pub fn shown(&self) -> Option<T> {
        match self {
            Self::Shown(v) => Some(*v),
            Self::Suppressed(_) => None,
        }
    }

    /// Whether the figure is hidden.
    pub fn is_suppressed(&self) -> bool {
        matches!(self, Self::Suppressed(_))
    }

    /// The reason, when hidden.
    pub fn suppression(&self) -> Option<Suppression> {
        match self {
            Self::Shown(_) => None,
            Self::Suppressed(s) => Some(*s),
        }
    }
}

/// "22.5", "5": numbers as people write them.
fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// The smallest minimum cell an organisation may choose for the internal rule: a count of 1
/// or 2 can point at a person. (The publication rule has no setting: it is HESA's.)
pub const INTERNAL_MIN_COUNT_FLOOR: u64 = 3;

impl DisclosureRule {
    /// The internal preset with the default minimum cell of 5.
    pub fn internal() -> Self {
        Self::internal_with_min(5)
    }

    /// The internal preset: counts, percentage bases and averages' n under `min_count` hidden.
    pub fn internal_with_min(min_count: u64) -> Self {
        Self {
            preset: Some(RulePreset::Internal),
            min_count,
            show_zeros: false,
            rounding_base: 0,
            min_percentage_base: min_count as f64,
            min_mean_n: min_count,
        }
    }

    /// The publication preset, following the HESA rounding strategy: counts rounded to the
    /// nearest 5 (0, 1 and 2 shown as 0), percentages based on fewer than 22.5 people and
    /// averages based on 7 or fewer people hidden.
    pub fn publication() -> Self {
        Self {
            preset: Some(RulePreset::Publication),
            min_count: 0,
            show_zeros: true,
            rounding_base: 5,
            min_percentage_base: 22.5,
            min_mean_n: 8,
        }
    }

    /// The preset this rule still matches, if its fields were not edited away from it.
    pub fn current_preset(&self) -> Option<RulePreset> {
        match self.preset? {
            RulePreset::Internal => {
                let mut expected = Self::internal_with_min(self.min_count);
                expected.show_zeros = self.show_zeros;
                (expected == *self).then_some(RulePreset::Internal)
            }
            RulePreset::Publication => {
                (Self::publication() == *self).then_some(RulePreset::Publication)
            }
        }
    }

    /// The short line every table prints, e.g. "Counts under 5 suppressed (internal rule)".
    pub fn name(&self) -> String {
        let counts = match (self.min_count, self.rounding_base) {
            (0, 0 | 1) => "Counts shown exactly".to_owned(),
            (0, base) => format!("Counts rounded to the nearest {base}"),
            (min, 0 | 1) => format!("Counts under {min} suppressed"),
            (min, base) => {
                format!("Counts under {min} suppressed, others rounded to the nearest {base}")
            }
        };
        let which = match self.current_preset() {
            Some(RulePreset::Internal) => "internal rule",
            Some(RulePreset::Publication) => "publication rule, HESA rounding strategy",
            None => "custom rule",
        };
        format!("{counts} ({which})")
    }

    /// Which rule this is, for a page's line on the rule before its [`Self::description`]:
    /// "internal", "publication, HESA rounding strategy" or "custom".
    pub fn kind(&self) -> &'static str {
        match self.current_preset() {
            Some(RulePreset::Internal) => "internal",
            Some(RulePreset::Publication) => "publication, HESA rounding strategy",
            None => "custom",
        }
    }

    /// The whole rule in one sentence, for a table's notes.
    pub fn description(&self) -> String {
        let mut parts = Vec::new();
        if self.min_count > 0 {
            let zeros = if self.show_zeros {
                " (zeros shown)"
            } else {
                ""
            };
            parts.push(format!("counts under {} suppressed{zeros}", self.min_count));
        }
        if self.rounding_base > 1 {
            parts.push(format!(
                "counts rounded to the nearest {} (0 to {} shown as 0)",
                self.rounding_base,
                (self.rounding_base - 1) / 2
            ));
        }
        if self.min_percentage_base > 0.0 {
            parts.push(format!(
                "percentages based on fewer than {} people suppressed",
                number(self.min_percentage_base)
            ));
        }
        if self.min_mean_n > 1 {
            parts.push(format!(
                "averages based on {} or fewer people suppressed",
                self.min_mean_n - 1
            ));
        }
        if self.min_count > 0 {
            parts.push(
                "further cells suppressed where a hidden one could be worked out from totals"
                    .to_owned(),
            );
        }
        let mut sentence = if parts.is_empty() {
            "No figures suppressed".to_owned()
        } else {
            parts.join("; ")
        };
        if let Some(first) = sentence.get(..1) {
            sentence = first.to_uppercase() + &sentence[1..];
        }
        sentence + "."
    }

    /// The footnote for a hidden figure, e.g. "– fewer than 5 people".
    pub fn footnote(&self, reason: Suppression) -> String {
        match reason {
            Suppression::SmallCount => format!("– fewer than {} people", self.min_count),
            Suppression::SmallBase => format!(
                "– percentage based on fewer than {} people, or on a suppressed count",
                number(self.min_percentage_base)
            ),
            Suppression::SmallMeanN => {
                format!(
                    "– average based on {} or fewer people",
                    self.min_mean_n.saturating_sub(1)
                )
            }
            Suppression::Complementary => {
                "– suppressed so that another suppressed figure cannot be worked out".to_owned()
            }
        }
    }

    /// Whether a count is too small to show (primary suppression).
    pub fn hides_count(&self, n: u64) -> bool {
        n < self.min_count && !(n == 0 && self.show_zeros)
    }

    /// A shown count, rounded as the rule says.
    pub fn round(&self, n: u64) -> u64 {
        match self.rounding_base {
            0 | 1 => n,
            base => (n + base / 2) / base * base,
        }
    }

    /// A single count.
    pub fn count(&self, n: u64) -> Cell<u64> {
        if self.hides_count(n) {
            Cell::Suppressed(Suppression::SmallCount)
        } else {
            Cell::Shown(self.round(n))
        }
    }

    /// `numerator / denominator` as a percentage (0–100), computed from the unrounded counts.
    /// Hidden when the base is under the rule's minimum (or zero), or when the numerator is a
    /// count the rule hides (a percentage of a known base gives the count away).
    pub fn percentage(&self, numerator: u64, denominator: u64) -> Cell<f64> {
        if denominator == 0
            || (denominator as f64) < self.min_percentage_base
            || self.hides_count(numerator)
            || self.hides_count(denominator)
        {
            Cell::Suppressed(Suppression::SmallBase)
        } else {
            Cell::Shown(100.0 * numerator as f64 / denominator as f64)
        }
    }

    /// An average of `n` people's values.
    pub fn mean(&self, mean: f64, n: u64) -> Cell<f64> {
        if n == 0 || n < self.min_mean_n {
            Cell::Suppressed(Suppression::SmallMeanN)
        } else {
            Cell::Shown(mean)
        }
    }
}

impl Default for DisclosureRule {
    /// The internal rule with a minimum cell of 5.
    fn default() -> Self {
        Self::internal()
    }
}
