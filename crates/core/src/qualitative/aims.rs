//! A scheme's aims (SPEC §1): what the scheme sets out to change, for each side of the pair.
//! Every survey statement and, optionally, every code is tied to one aim, so that the
//! triangulation page can set the survey change beside what the chats said about the same aim.
//!
//! Rules: an aim has a stable short `key` (lower-case letters, digits and `_`, used in forms
//! and exports) and a label people read; keys are unique within a scheme; labels are 1 to 80
//! characters after trimming. The defaults are the aims of the published scheme: four for
//! students (mentors) and three for staff (mentees).

use serde::Serialize;

use crate::evaluation;

/// Which side of the pair an aim is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AimAudience {
    /// Students: mentors in reverse mentoring.
    Students,
    /// Staff: mentees in reverse mentoring.
    Staff,
}

impl AimAudience {
    pub fn as_str(self) -> &'static str {
        match self {
            AimAudience::Students => "students",
            AimAudience::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<AimAudience> {
        match s {
            "students" => Some(AimAudience::Students),
            "staff" => Some(AimAudience::Staff),
            _ => None,
        }
    }

    /// The instrument audience (participant role) whose answers evidence this side.
    pub fn role(self) -> &'static str {
        match self {
            AimAudience::Students => "mentor",
            AimAudience::Staff => "mentee",
        }
    }
}

/// One aim of a scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Aim {
    /// Stable key, e.g. `belonging`.
    pub key: String,
    /// What people read, e.g. "Belonging".
    pub label: String,
    pub audience: AimAudience,
}

/// Why an aim was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AimError {
    #[error("an aim's key is lower-case letters, digits and underscores (1 to 40): {0:?}")]
    BadKey(String),
    #[error("an aim's label is 1 to 80 characters")]
    BadLabel,
    #[error("the key {0:?} is already an aim of this scheme")]
    DuplicateKey(String),
}

impl Aim {
    /// Checks a typed aim: key shape and label length.
    pub fn parse(key: &str, label: &str, audience: AimAudience) -> Result<Aim, AimError> {
        let key = key.trim();
        let good_key = !key.is_empty()
            && key.len() <= 40
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !good_key {
            return Err(AimError::BadKey(key.to_string()));
        }
        let label = label.trim();
        if label.is_empty() || label.chars().count() > 80 {
            return Err(AimError::BadLabel);
        }
        Ok(Aim {
            key: key.to_string(),
            label: label.to_string(),
            audience,
        })
    }
}

/// Checks a scheme's whole list of aims: each valid, keys unique.
pub fn validate_aims(aims: &[Aim]) -> Result<(), AimError> {
    let mut seen = std::collections::BTreeSet::new();
    for aim in aims {
        Aim::parse(&aim.key, &aim.label, aim.audience)?;
        if !seen.insert(aim.key.as_str()) {
            return Err(AimError::DuplicateKey(aim.key.clone()));
        }
    }
    Ok(())
}

/// The default aims (SPEC §1): belonging, feeling valued, visibility and confidence in senior
/// staff for students; understanding of the challenges, of why these students may find it
/// harder to engage, and of why they may feel less confident, for staff.
pub fn default_aims() -> Vec<Aim> {
    let a = |key: &str, label: &str, audience| Aim {
        key: key.to_string(),
        label: label.to_string(),
        audience,
    };
    vec![
        a("belonging", "Belonging", AimAudience::Students),
        a("valued", "Feeling valued", AimAudience::Students),
        a("visibility", "Visibility", AimAudience::Students),
        a(
            "confidence_in_leaders",
            "Confidence in senior staff",
            AimAudience::Students,
        ),
        a(
            "understand_challenges",
            "Understanding of the challenges",
            AimAudience::Staff,
        ),
        a(
            "understand_engagement",
            "Understanding of why these students may find it harder to engage",
            AimAudience::Staff,
        ),
        a(
            "understand_confidence",
            "Understanding of why these students may feel less confident",
            AimAudience::Staff,
        ),
    ]
}

/// Which default aim each statement of the default instruments evidences:
/// (statement code, aim key). The default instrument has one statement per aim, with the same
/// code, so the mapping is the identity on codes; it is spelt out so that a change to either
/// list shows up in the tests.
pub fn default_statement_aims() -> Vec<(&'static str, &'static str)> {
    vec![
        ("belonging", "belonging"),
        ("valued", "valued"),
        ("visibility", "visibility"),
        ("confidence_in_leaders", "confidence_in_leaders"),
        ("understand_challenges", "understand_challenges"),
        ("understand_engagement", "understand_engagement"),
        ("understand_confidence", "understand_confidence"),
    ]
}

/// The aim of a default statement, by the statement's code.
pub fn default_aim_of_statement(statement_code: &str) -> Option<&'static str> {
    default_statement_aims()
        .into_iter()
        .find(|(code, _)| *code == statement_code)
        .map(|(_, aim)| aim)
}

/// The default aims of one audience, in order.
pub fn aims_of(aims: &[Aim], audience: AimAudience) -> Vec<&Aim> {
    aims.iter().filter(|a| a.audience == audience).collect()
}

/// Every statement of the default instruments, with the aim it evidences, checked against
/// [`default_aims`]: (role, statement code, aim key).
pub fn default_instrument_aims() -> Vec<(&'static str, &'static str, &'static str)> {
    evaluation::default_instruments()
        .into_iter()
        .flat_map(|(role, statements)| {
            statements.into_iter().filter_map(move |s| {
                default_aim_of_statement(s.code).map(|aim| (role, s.code, aim))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_seven_aims_of_the_published_scheme() {
        let aims = default_aims();
        assert_eq!(aims_of(&aims, AimAudience::Students).len(), 4);
        assert_eq!(aims_of(&aims, AimAudience::Staff).len(), 3);
        validate_aims(&aims).unwrap();
    }

    #[test]
    fn every_default_statement_belongs_to_a_default_aim_of_its_own_audience() {
        let aims = default_aims();
        let mut n = 0;
        for (role, statements) in evaluation::default_instruments() {
            for s in statements {
                let key = default_aim_of_statement(s.code)
                    .unwrap_or_else(|| panic!("{} has no aim", s.code));
                let aim = aims.iter().find(|a| a.key == key).unwrap();
                assert_eq!(aim.audience.role(), role, "{}", s.code);
                n += 1;
            }
        }
        assert_eq!(n, default_statement_aims().len());
        assert_eq!(default_instrument_aims().len(), n);
    }

    #[test]
    fn every_default_aim_has_a_statement() {
        for aim in default_aims() {
            assert!(
                default_statement_aims().iter().any(|(_, a)| *a == aim.key),
                "{}",
                aim.key
            );
        }
    }

    #[test]
    fn aims_are_checked_as_typed() {
        assert!(Aim::parse("Belonging", "B", AimAudience::Students).is_err());
        assert!(Aim::parse("", "B", AimAudience::Students).is_err());
        assert_eq!(
            Aim::parse("b", "  ", AimAudience::Students),
            Err(AimError::BadLabel)
        );
        let ok = Aim::parse(" voice ", " Student voice ", AimAudience::Students).unwrap();
        assert_eq!(
            (ok.key.as_str(), ok.label.as_str()),
            ("voice", "Student voice")
        );
        let twice = vec![ok.clone(), ok];
        assert_eq!(
            validate_aims(&twice),
            Err(AimError::DuplicateKey("voice".into()))
        );
        assert_eq!(AimAudience::parse("staff"), Some(AimAudience::Staff));
        assert_eq!(
            AimAudience::parse(AimAudience::Students.as_str()),
            Some(AimAudience::Students)
        );
    }
}
