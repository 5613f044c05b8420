//! Schemes: the programmes an organisation runs (SPEC §3.1).
use serde::{Deserialize, Serialize};

/// What sort of scheme this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchemeKind {
    /// The organisation-wide reverse-mentoring scheme.
    Institutional,
    /// A pilot run by one School beside the institutional scheme.
    School,
    /// Academic personal tutoring co-design with Student APT Leads.
    AptCoDesign,
    /// The model run outside a university (e.g. in a profession).
    External,
}

impl SchemeKind {
    pub const ALL: [SchemeKind; 4] = [
        SchemeKind::Institutional,
        SchemeKind::School,
        SchemeKind::AptCoDesign,
        SchemeKind::External,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SchemeKind::Institutional => "institutional",
            SchemeKind::School => "school",
            SchemeKind::AptCoDesign => "apt_co_design",
            SchemeKind::External => "external",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SchemeKind::Institutional => "Institutional reverse mentoring",
            SchemeKind::School => "School-level pilot",
            SchemeKind::AptCoDesign => "Personal tutoring co-design",
            SchemeKind::External => "External (outside the university)",
        }
    }

    pub fn parse(s: &str) -> Option<SchemeKind> {
        SchemeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A School-level pilot belongs to one School.
    pub fn needs_school(self) -> bool {
        self == SchemeKind::School
    }
}

// Bounded text grew up here, for scheme names; it lives in `text` now, for every form.
pub use crate::text::{BoundedText, TextError};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_kinds_round_trip_and_only_school_pilots_need_a_school() {
        for k in SchemeKind::ALL {
            assert_eq!(SchemeKind::parse(k.as_str()), Some(k));
            assert_eq!(k.needs_school(), k == SchemeKind::School);
        }
        assert_eq!(SchemeKind::parse("pilot"), None);
    }
}
