//! Roles (SPEC §2) and the scopes they are granted in.
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person does in flipside. A person can hold several roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// System owner: configures the organisation, users and sign-in; never reads pair-private content.
    Admin,
    /// Runs a scheme: cycles, recruitment, matching, participation and aggregate results.
    Coordinator,
    /// Student in a reverse-mentoring pair.
    Mentor,
    /// Staff leader in a reverse-mentoring pair.
    Mentee,
    /// Academic personal tutor.
    Tutor,
    /// A tutee.
    Student,
    /// Student APT Lead.
    StudentLead,
    /// Evaluation team: pseudonymised analysis only.
    Researcher,
    /// Director of student support of a School.
    SchoolLead,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 9] = [
        Role::Admin,
        Role::Coordinator,
        Role::Mentor,
        Role::Mentee,
        Role::Tutor,
        Role::Student,
        Role::StudentLead,
        Role::Researcher,
        Role::SchoolLead,
    ];

    /// The stable identifier stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::Mentor => "mentor",
            Role::Mentee => "mentee",
            Role::Tutor => "tutor",
            Role::Student => "student",
            Role::StudentLead => "student_lead",
            Role::Researcher => "researcher",
            Role::SchoolLead => "school_lead",
        }
    }

    /// The words people read.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Coordinator => "Programme coordinator",
            Role::Mentor => "Student mentor",
            Role::Mentee => "Staff mentee",
            Role::Tutor => "Personal tutor",
            Role::Student => "Student (tutee)",
            Role::StudentLead => "Student APT Lead",
            Role::Researcher => "Researcher",
            Role::SchoolLead => "School lead",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }

    /// Which kinds of scope this role may be granted in. Organisation-wide is always allowed.
    pub fn allowed_scopes(self) -> &'static [ScopeKind] {
        match self {
            Role::Admin | Role::StudentLead | Role::Student | Role::Tutor => {
                &[ScopeKind::Organisation]
            }
            // A researcher may evaluate one scheme only (its chats, coding and answers).
            Role::Coordinator | Role::Researcher => &[ScopeKind::Organisation, ScopeKind::Scheme],
            Role::Mentor | Role::Mentee => &[ScopeKind::Organisation, ScopeKind::Cycle],
            Role::SchoolLead => &[ScopeKind::School],
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that flipside does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role '{0}' (expected one of admin, coordinator, mentor, mentee, tutor, student, student_lead, researcher, school_lead)"
)]
pub struct UnknownRole(pub String);

/// The kind of thing a role is scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    Organisation,
    Scheme,
    Cycle,
    School,
}

impl ScopeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Organisation => "organisation",
            ScopeKind::Scheme => "scheme",
            ScopeKind::Cycle => "cycle",
            ScopeKind::School => "school",
        }
    }

    pub fn parse(s: &str) -> Option<ScopeKind> {
        match s {
            "organisation" => Some(ScopeKind::Organisation),
            "scheme" => Some(ScopeKind::Scheme),
            "cycle" => Some(ScopeKind::Cycle),
            "school" => Some(ScopeKind::School),
            _ => None,
        }
    }
}

/// Where a role applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    Organisation,
    Scheme(i64),
    Cycle(i64),
    School(i64),
}

impl Scope {
    pub fn kind(self) -> ScopeKind {
        match self {
            Scope::Organisation => ScopeKind::Organisation,
            Scope::Scheme(_) => ScopeKind::Scheme,
            Scope::Cycle(_) => ScopeKind::Cycle,
            Scope::School(_) => ScopeKind::School,
        }
    }

    /// The scoped object's id, if any.
    pub fn id(self) -> Option<i64> {
        match self {
            Scope::Organisation => None,
            Scope::Scheme(id) | Scope::Cycle(id) | Scope::School(id) => Some(id),
        }
    }

    /// Rebuilds a scope from its stored parts.
    pub fn from_parts(kind: ScopeKind, id: Option<i64>) -> Option<Scope> {
        match (kind, id) {
            (ScopeKind::Organisation, None) => Some(Scope::Organisation),
            (ScopeKind::Scheme, Some(id)) => Some(Scope::Scheme(id)),
            (ScopeKind::Cycle, Some(id)) => Some(Scope::Cycle(id)),
            (ScopeKind::School, Some(id)) => Some(Scope::School(id)),
            _ => None,
        }
    }
}

/// One role held in one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// Why a grant is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the role {role} cannot be scoped to a {scope}")]
pub struct ScopeNotAllowed {
    pub role: Role,
    pub scope: &'static str,
}

impl Grant {
    /// A grant whose scope kind is one the role allows.
    pub fn new(role: Role, scope: Scope) -> Result<Grant, ScopeNotAllowed> {
        if role.allowed_scopes().contains(&scope.kind()) {
            Ok(Grant { role, scope })
        } else {
            Err(ScopeNotAllowed {
                role,
                scope: scope.kind().as_str(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_identifier() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("superuser").is_err());
    }

    #[test]
    fn school_leads_are_scoped_to_a_school_only() {
        assert!(Grant::new(Role::SchoolLead, Scope::School(3)).is_ok());
        assert!(Grant::new(Role::SchoolLead, Scope::Organisation).is_err());
        assert!(Grant::new(Role::Coordinator, Scope::Scheme(1)).is_ok());
        assert!(Grant::new(Role::Admin, Scope::Scheme(1)).is_err());
    }
}
