//! The annual report's subject and versions (SPEC §3.9): which report a page is about, and the
//! rule that a published version is frozen and numbered from 1 per report.
use crate::cycle::AcademicYear;

/// What a report is about: one cycle of one scheme, or the organisation's academic year across
/// every scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportScope {
    /// One cycle (its id).
    Cycle(i64),
    /// The academic year across schemes.
    Year(AcademicYear),
}

impl ReportScope {
    /// How the store names the kind of scope (`cycle`, `year`).
    pub fn kind(self) -> &'static str {
        match self {
            Self::Cycle(_) => "cycle",
            Self::Year(_) => "year",
        }
    }

    /// The store's key within the kind: the cycle's id, or the year the academic year starts in.
    pub fn key(self) -> i64 {
        match self {
            Self::Cycle(id) => id,
            Self::Year(year) => i64::from(year.start_year()),
        }
    }

    /// The report's page: `/cycles/7/report`, `/years/2025/report`.
    pub fn path(self) -> String {
        match self {
            Self::Cycle(id) => format!("/cycles/{id}/report"),
            Self::Year(year) => format!("/years/{}/report", year.start_year()),
        }
    }
}

/// The longest introduction or recommendations a coordinator may write (characters).
pub const MAX_TEXT_CHARS: usize = 20_000;

/// The coordinator's text of a report, as typed: kept as written (line breaks and Markdown-like
/// marks intact) and sanitised only when rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportText {
    pub introduction: String,
    pub recommendations: String,
}

/// Why a report's text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportTextError {
    /// One of the texts is longer than [`MAX_TEXT_CHARS`].
    #[error("the {0} is longer than {MAX_TEXT_CHARS} characters")]
    TooLong(&'static str),
}

impl ReportText {
    /// The two texts, trimmed, each at most [`MAX_TEXT_CHARS`] characters. Empty is allowed: the
    /// report then says the text has not been written yet.
    pub fn parse(introduction: &str, recommendations: &str) -> Result<Self, ReportTextError> {
        let field = |text: &str, name| {
            let text = text.trim().replace("\r\n", "\n");
            if text.chars().count() > MAX_TEXT_CHARS {
                Err(ReportTextError::TooLong(name))
            } else {
                Ok(text)
            }
        };
        Ok(Self {
            introduction: field(introduction, "introduction")?,
            recommendations: field(recommendations, "recommendations")?,
        })
    }
}

/// The number the next published version of a report takes, given the latest one published.
pub fn next_version(latest: Option<i64>) -> i64 {
    latest.map_or(1, |n| n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_numbered_from_one() {
        assert_eq!(next_version(None), 1);
        assert_eq!(next_version(Some(3)), 4);
    }

    #[test]
    fn report_text_is_trimmed_and_bounded() {
        let t = ReportText::parse("  Hello\r\nworld ", "").unwrap();
        assert_eq!(t.introduction, "Hello\nworld");
        let long = "x".repeat(MAX_TEXT_CHARS + 1);
        assert_eq!(
            ReportText::parse("", &long),
            Err(ReportTextError::TooLong("recommendations"))
        );
    }

    #[test]
    fn scopes_have_a_kind_a_key_and_a_page() {
        let y = ReportScope::Year(AcademicYear::from_start_year(2025));
        assert_eq!(
            (y.kind(), y.key(), y.path()),
            ("year", 2025, "/years/2025/report".into())
        );
        let c = ReportScope::Cycle(7);
        assert_eq!(
            (c.kind(), c.key(), c.path()),
            ("cycle", 7, "/cycles/7/report".into())
        );
    }
}
