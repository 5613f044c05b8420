//! What an annual report holds (SPEC §3.9). Every figure about people is a [`Count`],
//! [`Percent`], [`Mean`] or [`Statistic`], made by the report's [`Disclosure`]; everything else
//! is words (user text is escaped by each renderer, and the Markdown-like fields are rendered
//! with raw HTML escaped).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::figures::{Count, Disclosure, Mean, Percent, Statistic};

/// One annual report, ready to render as HTML ([`crate::html`]) or PDF ([`crate::pdf`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportData {
    /// "Reverse mentoring: annual report 2025/26".
    pub title: String,
    /// The organisation's name.
    pub organisation: String,
    /// The day the figures were taken.
    pub prepared_on: NaiveDate,
    /// Who wrote the report (the coordinator or their unit).
    pub author: String,
    /// One cycle, or an academic year across schemes.
    pub scope: Scope,
    /// The rule every figure followed; the report names it.
    pub disclosure: Disclosure,
    /// The coordinator's introduction (Markdown-like; raw HTML is escaped).
    pub introduction: String,
    /// One section per scheme (one for a cycle's report).
    pub schemes: Vec<SchemeReport>,
    /// The coordinator's recommendations (Markdown-like; raw HTML is escaped).
    pub recommendations: String,
    /// The methods appendix.
    pub methods: Methods,
}

/// What the report covers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Scope {
    /// One cycle of one scheme.
    Cycle {
        /// The scheme's name.
        scheme: String,
        /// The cycle's academic year, "2025/26".
        academic_year: String,
    },
    /// The organisation's year across all its schemes.
    Year {
        /// "2025/26".
        academic_year: String,
    },
}

impl Scope {
    /// "2025/26".
    pub fn academic_year(&self) -> &str {
        match self {
            Self::Cycle { academic_year, .. } | Self::Year { academic_year } => academic_year,
        }
    }

    /// A sentence naming the scope.
    pub fn describe(&self) -> String {
        match self {
            Self::Cycle {
                scheme,
                academic_year,
            } => format!("The {academic_year} cycle of {scheme}"),
            Self::Year { academic_year } => {
                format!("The academic year {academic_year}, across all schemes")
            }
        }
    }
}

/// One scheme's cycle within the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SchemeReport {
    /// The scheme's name.
    pub scheme: String,
    /// Its stated purpose.
    pub purpose: String,
    /// What the two sides are called ("Mentors (students)", "Mentees (staff)").
    pub mentor_label: String,
    /// See `mentor_label`.
    pub mentee_label: String,
    /// Recruitment, matching, completion and meetings.
    pub participation: Participation,
    /// Survey results.
    pub evaluation: Evaluation,
    /// Triangulated findings per aim; `None` when no qualitative evidence was gathered (the
    /// report says so).
    pub findings: Option<Vec<Finding>>,
    /// Actions raised from the conversations and what came of them.
    pub actions: Actions,
    /// Design-sprint proposals accepted this year.
    pub proposals: Vec<Proposal>,
}

/// Recruitment to completion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Participation {
    /// Students who applied.
    pub applicants: Count,
    /// Applicants accepted.
    pub accepted: Count,
    /// Staff invited as mentees.
    pub staff_invited: Count,
    /// Pairs matched.
    pub matched_pairs: Count,
    /// Pairs that completed the cycle.
    pub completed_pairs: Count,
    /// Completed as a share of matched.
    pub completion_rate: Percent,
    /// Pairs that ended early, by category of reason (never by person).
    pub ended_early: Vec<Category>,
    /// The hours each pair aims to meet (a setting of the cycle, not a figure about people).
    pub hours_target: u32,
    /// Mean hours met per completed pair.
    pub mean_hours: Mean,
    /// Pairs that met the target.
    pub pairs_meeting_target: Count,
    /// Meetings held in all.
    pub meetings_held: Count,
}

/// A category and how many fall in it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Category {
    /// The category's words.
    pub label: String,
    /// How many.
    pub count: Count,
}

/// Survey results of one scheme's cycle.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Evaluation {
    /// Response rates per wave and role.
    pub response_rates: Vec<ResponseRate>,
    /// Results per aim.
    pub aims: Vec<AimResult>,
}

/// A survey wave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Wave {
    /// Before the cycle.
    Pre,
    /// At its end.
    Post,
    /// About six months later.
    FollowUp,
}

impl Wave {
    /// "Pre", "Post", "Follow-up".
    pub fn label(self) -> &'static str {
        match self {
            Self::Pre => "Before",
            Self::Post => "After",
            Self::FollowUp => "Follow-up",
        }
    }
}

/// How many of a role answered a wave.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResponseRate {
    /// The wave.
    pub wave: Wave,
    /// The role as the scheme names it ("Mentors").
    pub role: String,
    /// Invited to answer.
    pub invited: Count,
    /// Answered.
    pub responded: Count,
    /// Answered as a share of invited.
    pub rate: Percent,
}

/// One aim's statements, answered by one role.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AimResult {
    /// The aim's words.
    pub aim: String,
    /// Who answered ("Mentors").
    pub role: String,
    /// Per statement.
    pub statements: Vec<StatementResult>,
}

/// One Likert statement's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatementResult {
    /// A short label for charts ("Belonging").
    pub short: String,
    /// The statement's words.
    pub text: String,
    /// Per wave answered.
    pub waves: Vec<WaveResult>,
    /// Change on those who answered both the first and last wave compared.
    pub paired: PairedChange,
    /// Before vs follow-up, where a follow-up was run.
    pub follow_up: Option<PairedChange>,
}

/// One wave's figures of a statement.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WaveResult {
    /// The wave.
    pub wave: Wave,
    /// Respondents.
    pub n: Count,
    /// Mean score (1–5).
    pub mean: Mean,
    /// Sample standard deviation.
    pub sd: Mean,
}

/// The paired change between two waves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairedChange {
    /// The waves compared.
    pub from: Wave,
    /// See `from`.
    pub to: Wave,
    /// People who answered both.
    pub n: Count,
    /// Mean of (later − earlier).
    pub mean_change: Mean,
    /// People whose answer moved up, stayed, moved down.
    pub moved_up: Count,
    /// See `moved_up`.
    pub same: Count,
    /// See `moved_up`.
    pub moved_down: Count,
    /// The same three as shares of `n`.
    pub moved_up_pct: Percent,
    /// See `moved_up_pct`.
    pub same_pct: Percent,
    /// See `moved_up_pct`.
    pub moved_down_pct: Percent,
    /// Effect size r = z / √n (positive when later is higher).
    pub effect_size_r: Statistic,
    /// The p-value of the test named in `test`.
    pub p_value: Statistic,
    /// The test and its method, "Wilcoxon signed-rank, exact".
    pub test: String,
}

/// Survey change and coded evidence side by side for one aim.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// The aim.
    pub aim: String,
    /// What the chats said, in the analyst's words.
    pub summary: String,
    /// Quotes whose speakers consented, labelled by pseudonym.
    pub quotes: Vec<Quote>,
}

/// An approved quote.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Quote {
    /// "Mentor 4", "Mentee B".
    pub pseudonym: String,
    /// The words.
    pub text: String,
}

/// Actions raised and taken.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Actions {
    /// Actions by status (proposed, agreed, in progress, done, declined).
    pub by_status: Vec<Category>,
    /// "You said, we did".
    pub you_said_we_did: Vec<YouSaidWeDid>,
}

/// One "you said, we did" entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct YouSaidWeDid {
    /// What students said.
    pub you_said: String,
    /// What changed.
    pub we_did: String,
    /// The owner's role, not their name ("Dean of Engineering").
    pub owner: String,
    /// The action's status.
    pub status: String,
}

/// An accepted design-sprint proposal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Proposal {
    /// The sprint ("Faculty of Science, spring sprint").
    pub sprint: String,
    /// The proposal's title.
    pub title: String,
    /// What it proposes.
    pub summary: String,
    /// Who owns its implementation (a role).
    pub owner: String,
    /// Its implementation status.
    pub status: String,
    /// Evidence of change, where any.
    pub evidence: Option<String>,
}

/// The methods appendix.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Methods {
    /// The instruments and their words.
    pub instruments: Vec<Instrument>,
    /// The statistical methods, in plain words.
    pub statistics: Vec<String>,
    /// Who was invited to take part and to answer.
    pub invited: Vec<Category>,
}

/// A survey instrument.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Instrument {
    /// Its name.
    pub name: String,
    /// The scale's labels, from 1 upwards.
    pub scale: Vec<String>,
    /// Statements grouped by aim: (aim, statements).
    pub aims: Vec<(String, Vec<String>)>,
}

impl ReportData {
    /// The rule's short name, as every table prints it.
    pub fn rule_name(&self) -> String {
        self.disclosure.rule().name()
    }

    /// Which rule the report follows, in words for a sentence ("the publication rule (HESA
    /// rounding strategy)").
    pub fn rule_title(&self) -> &'static str {
        use flipside_core::disclosure::RulePreset;
        match self.disclosure.rule().current_preset() {
            Some(RulePreset::Publication) => "the publication rule (HESA rounding strategy)",
            Some(RulePreset::Internal) => "the organisation's internal rule",
            None => "the organisation's own disclosure rule",
        }
    }
}
