//! What both outputs share beyond the figures: section numbers and the plain-words caveats.

use crate::figures::{Figure, Printed};
use crate::model::{AimResult, Evaluation, ReportData};

/// Section numbers: 1 introduction, then one per scheme, then recommendations; the methods
/// are appendix A.
pub struct Outline {
    /// The introduction's number.
    pub introduction: String,
    /// Each scheme's number, in order.
    pub schemes: Vec<String>,
    /// The recommendations' number.
    pub recommendations: String,
}

impl Outline {
    /// The outline of a report.
    pub fn of(report: &ReportData) -> Self {
        let schemes: Vec<String> = (0..report.schemes.len())
            .map(|i| (i + 2).to_string())
            .collect();
        Self {
            introduction: "1".into(),
            recommendations: (report.schemes.len() + 2).to_string(),
            schemes,
        }
    }
}

/// Plain-words caveats for an aim's results: changes hidden for want of paired answers, and
/// changes resting on few people.
pub fn caveats(aim: &AimResult) -> Vec<String> {
    let mut out = Vec::new();
    let any_hidden = aim
        .statements
        .iter()
        .any(|s| matches!(s.paired.mean_change.printed(), Printed::Hidden(_)));
    if any_hidden {
        out.push(format!(
            "Too few {} answered both before and after to publish the change for some \
             statements; those figures are hidden rather than shown on a handful of people.",
            aim.role.to_lowercase()
        ));
    }
    let few = aim.statements.iter().any(|s| {
        s.paired
            .n
            .value()
            .is_some_and(|n| n < 30.0 && s.paired.mean_change.value().is_some())
    });
    if few {
        out.push(
            "Changes rest on fewer than 30 people who answered both waves: read them as \
             indications, not proof. A p-value above 0.05 means the change could well be \
             chance; the effect size says how large it is."
                .into(),
        );
    }
    out
}

/// Plain-words caveats on non-response.
pub fn rate_caveats(evaluation: &Evaluation) -> Vec<String> {
    let mut out = Vec::new();
    for r in &evaluation.response_rates {
        if let Some(rate) = r.rate.value()
            && rate < 50.0
        {
            out.push(format!(
                "Fewer than half of {} answered the {} survey. Those who answered may not be \
                 typical of everyone who took part.",
                r.role.to_lowercase(),
                r.wave.label().to_lowercase()
            ));
        }
    }
    out
}
