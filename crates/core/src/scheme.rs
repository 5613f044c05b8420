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

/// Why a scheme cannot be archived yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The {year} cycle is {state}: a scheme is archived once its cycles are closed (or never started), so close that cycle first."
)]
pub struct ArchiveRefused {
    pub year: crate::cycle::AcademicYear,
    pub state: crate::cycle::CycleState,
}

/// Whether a scheme whose cycles stand as given may be archived: not while a cycle is under
/// way, because its pairs, surveys and applicants would lose the scheme from their pages
/// mid-year. A draft that never opened its call holds nobody's data, so it does not stop it.
pub fn may_archive(
    cycles: impl IntoIterator<Item = (crate::cycle::AcademicYear, crate::cycle::CycleState)>,
) -> Result<(), ArchiveRefused> {
    match cycles.into_iter().find(|(_, s)| s.is_under_way()) {
        Some((year, state)) => Err(ArchiveRefused { year, state }),
        None => Ok(()),
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

    #[test]
    fn a_scheme_is_archived_only_once_no_cycle_is_under_way() {
        use crate::cycle::{AcademicYear, CycleState};
        let y = |s| AcademicYear::parse(s).unwrap();
        assert!(may_archive([]).is_ok());
        assert!(may_archive([(y("2024/25"), CycleState::Closed)]).is_ok());
        for state in [
            CycleState::Recruiting,
            CycleState::Matching,
            CycleState::Running,
            CycleState::Evaluating,
        ] {
            let err = may_archive([(y("2024/25"), CycleState::Closed), (y("2025/26"), state)])
                .unwrap_err();
            assert_eq!(err.year, y("2025/26"));
            assert!(err.to_string().contains("2025/26 cycle is"), "{err}");
        }
    }
}
