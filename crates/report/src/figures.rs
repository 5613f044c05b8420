//! Figures as the report may print them: each one can only be made by applying the report's
//! [`DisclosureRule`], so no raw count, percentage or average reaches a page.
//!
//! [`Disclosure`] is the only constructor. Its methods take the true values (counts of people,
//! an average and how many people it rests on) and return [`Count`], [`Percent`] or [`Mean`],
//! whose cells are private: rounded or hidden as the rule says, and never changed afterwards.
//!
//! The one other way in is deserialising a published report version (SPEC §3.9: a version is
//! frozen as published). Its figures were made by a `Disclosure` when it was published and are
//! stored as shown (a hidden figure stores only why it is hidden), so nothing raw comes back.

use flipside_core::disclosure::{Cell, DisclosureRule, Suppression};
use serde::{Deserialize, Serialize};

/// The disclosure rule a report follows, and the only way to make its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disclosure {
    rule: DisclosureRule,
}

impl Disclosure {
    /// Figures under `rule` (a report defaults to [`DisclosureRule::publication`]).
    pub fn new(rule: DisclosureRule) -> Self {
        Self { rule }
    }

    /// The publication preset (HESA rounding strategy).
    pub fn publication() -> Self {
        Self::new(DisclosureRule::publication())
    }

    /// The rule the figures follow.
    pub fn rule(&self) -> &DisclosureRule {
        &self.rule
    }

    /// A number of people (or of things whose count gives people away, such as meetings).
    pub fn count(&self, n: u64) -> Count {
        Count(self.rule.count(n))
    }

    /// `numerator` of `denominator` people as a percentage, from the unrounded counts.
    pub fn percent(&self, numerator: u64, denominator: u64) -> Percent {
        Percent(self.rule.percentage(numerator, denominator))
    }

    /// An average over `n` people (a mean, a standard deviation, a mean change).
    pub fn mean(&self, value: f64, n: u64) -> Mean {
        Mean(self.rule.mean(value, n))
    }

    /// A count hidden because, beside the figures shown with it, it would give a hidden one
    /// away (complementary suppression, decided from those figures by the caller).
    pub fn complementary_count(&self) -> Count {
        Count(Cell::Suppressed(Suppression::Complementary))
    }

    /// A percentage hidden as [`Disclosure::complementary_count`] is.
    pub fn complementary_percent(&self) -> Percent {
        Percent(Cell::Suppressed(Suppression::Complementary))
    }

    /// An average hidden as [`Disclosure::complementary_count`] is.
    pub fn complementary_mean(&self) -> Mean {
        Mean(Cell::Suppressed(Suppression::Complementary))
    }

    /// A statistic computed over `n` people (an effect size, a p-value): shown only where an
    /// average over the same people would be, since with few people it describes individuals.
    pub fn statistic(&self, value: f64, n: u64) -> Statistic {
        Statistic(self.rule.mean(value, n))
    }
}

/// A count of people, rounded or hidden by the rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Count(Cell<u64>);

/// A percentage (0–100), hidden when its base is too small.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Percent(Cell<f64>);

/// An average over people, hidden when based on too few.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mean(Cell<f64>);

/// A test statistic, effect size or p-value, hidden when based on too few people.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Statistic(Cell<f64>);

/// A figure as printed: its text, or the reason it is hidden.
#[derive(Debug, Clone, PartialEq)]
pub enum Printed {
    /// The text to print.
    Shown(String),
    /// Hidden; print a dash and say why.
    Hidden(Suppression),
}

/// What kind of figure a printed number is (used by renderers to mark figures up, and by the
/// tests that check every printed number against the rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// [`Count`]
    Count,
    /// [`Percent`]
    Percent,
    /// [`Mean`]
    Mean,
    /// [`Statistic`]
    Statistic,
}

impl Kind {
    /// A short name for markup (`data` classes).
    pub fn name(self) -> &'static str {
        match self {
            Self::Count => "count",
            Self::Percent => "percent",
            Self::Mean => "mean",
            Self::Statistic => "statistic",
        }
    }
}

/// Any figure of the report.
pub trait Figure {
    /// What kind it is.
    fn kind(&self) -> Kind;
    /// How it prints.
    fn printed(&self) -> Printed;
    /// The value as shown (rounded where the rule rounds), for charts.
    fn value(&self) -> Option<f64>;
}

fn print<T: Copy>(cell: &Cell<T>, f: impl Fn(T) -> String) -> Printed {
    match cell {
        Cell::Shown(v) => Printed::Shown(f(*v)),
        Cell::Suppressed(s) => Printed::Hidden(*s),
    }
}

impl Figure for Count {
    fn kind(&self) -> Kind {
        Kind::Count
    }
    fn printed(&self) -> Printed {
        print(&self.0, |v| v.to_string())
    }
    fn value(&self) -> Option<f64> {
        self.0.shown().map(|v| v as f64)
    }
}

impl Figure for Percent {
    fn kind(&self) -> Kind {
        Kind::Percent
    }
    fn printed(&self) -> Printed {
        // Whole percentages: a decimal place would let a reader work back to small counts.
        print(&self.0, |v| format!("{v:.0}%"))
    }
    fn value(&self) -> Option<f64> {
        self.0.shown()
    }
}

impl Figure for Mean {
    fn kind(&self) -> Kind {
        Kind::Mean
    }
    fn printed(&self) -> Printed {
        print(&self.0, |v| signed_if_negative(v, 2))
    }
    fn value(&self) -> Option<f64> {
        self.0.shown()
    }
}

impl Mean {
    /// A change printed with its sign ("+0.62", "−0.10").
    pub fn printed_change(&self) -> Printed {
        print(&self.0, |v| {
            if v > 0.0 {
                format!("+{v:.2}")
            } else {
                signed_if_negative(v, 2)
            }
        })
    }
}

impl Figure for Statistic {
    fn kind(&self) -> Kind {
        Kind::Statistic
    }
    fn printed(&self) -> Printed {
        print(&self.0, |v| signed_if_negative(v, 2))
    }
    fn value(&self) -> Option<f64> {
        self.0.shown()
    }
}

impl Statistic {
    /// A p-value: three decimals, or "< 0.001".
    pub fn printed_p(&self) -> Printed {
        print(&self.0, |v| {
            if v < 0.001 {
                "< 0.001".to_owned()
            } else {
                format!("{v:.3}")
            }
        })
    }
}

/// Negative numbers with a true minus sign, so they read (and extract) as one token.
fn signed_if_negative(v: f64, places: usize) -> String {
    let text = format!("{:.*}", places, v.abs());
    if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("−{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_counts_are_rounded_to_fives_and_small_averages_hidden() {
        let d = Disclosure::publication();
        assert_eq!(d.count(26).printed(), Printed::Shown("25".into()));
        assert_eq!(d.count(7).printed(), Printed::Shown("5".into()));
        assert_eq!(d.count(2).printed(), Printed::Shown("0".into()));
        assert_eq!(
            d.mean(4.5, 7).printed(),
            Printed::Hidden(Suppression::SmallMeanN)
        );
        assert_eq!(d.mean(3.7, 20).printed(), Printed::Shown("3.70".into()));
        assert_eq!(
            d.percent(20, 22).printed(),
            Printed::Hidden(Suppression::SmallBase)
        );
        assert_eq!(d.percent(20, 26).printed(), Printed::Shown("77%".into()));
        assert_eq!(
            d.statistic(0.03, 7).printed_p(),
            Printed::Hidden(Suppression::SmallMeanN)
        );
    }

    #[test]
    fn changes_carry_their_sign() {
        let d = Disclosure::publication();
        assert_eq!(
            d.mean(0.62, 20).printed_change(),
            Printed::Shown("+0.62".into())
        );
        assert_eq!(
            d.mean(-0.1, 20).printed_change(),
            Printed::Shown("−0.10".into())
        );
        assert_eq!(
            d.mean(-0.001, 20).printed_change(),
            Printed::Shown("0.00".into())
        );
    }
}
