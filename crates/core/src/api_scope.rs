//! What an API token may do (issue 16): its scopes, and the one table that says which scope
//! each API operation needs.
//!
//! A token holds `read` (read everything its person may read) and any of the areas it may
//! change (`mentoring`, `evaluation`, `tutoring`, `cocreation`, `administration`); an area's
//! write scope also reads that area. Scopes only narrow a token: the person's roles still
//! decide through [`crate::policy`], and a browser session is not limited by scopes at all.
//!
//! [`required`] maps an operation (method and route, e.g. `POST /cycles/{id}/pairs/{pair}/end`)
//! to the scope it needs through [`ROUTES`], by the longest matching path prefix; reads are
//! `GET` and `HEAD`, every other method writes. An operation no prefix covers is refused to
//! every token, and a test holds every operation of the route table to this one.
use std::collections::BTreeSet;
use std::fmt;

/// An area of the product, as a write scope names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    Mentoring,
    Evaluation,
    Tutoring,
    Cocreation,
    Administration,
}

impl Area {
    pub const ALL: [Area; 5] = [
        Area::Mentoring,
        Area::Evaluation,
        Area::Tutoring,
        Area::Cocreation,
        Area::Administration,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Area::Mentoring => "mentoring",
            Area::Evaluation => "evaluation",
            Area::Tutoring => "tutoring",
            Area::Cocreation => "cocreation",
            Area::Administration => "administration",
        }
    }

    /// What the token form says of the area's write scope.
    pub fn label(self) -> &'static str {
        match self {
            Area::Mentoring => {
                "Change mentoring: schemes, cycles, meeting plans, applications, invitations, matching, pairs, notes, meetings, actions, concerns"
            }
            Area::Evaluation => {
                "Change evaluation: survey waves, surveys, reports, research exports, codebooks and coding"
            }
            Area::Tutoring => {
                "Change tutoring: imports, allocations, tutees, contacts, profiles, change requests"
            }
            Area::Cocreation => "Change co-creation: sprints and their items",
            Area::Administration => {
                "Change administration: people, roles, organisation settings, webhooks"
            }
        }
    }

    pub fn parse(s: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One scope a token holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Read everything the person may read.
    Read,
    /// Change (and read) one area.
    Write(Area),
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write(a) => a.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "read" => Some(Scope::Read),
            other => Area::parse(other).map(Scope::Write),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scopes of one token. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(BTreeSet<Scope>);

/// Why a list of scopes was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopesError {
    #[error(
        "'{0}' is not a scope: use read, mentoring, evaluation, tutoring, cocreation or administration"
    )]
    Unknown(String),
    #[error("choose at least one scope")]
    Empty,
}

impl Scopes {
    /// Every scope: what tokens made before scopes existed hold.
    pub fn all() -> Scopes {
        let mut set: BTreeSet<Scope> = Area::ALL.into_iter().map(Scope::Write).collect();
        set.insert(Scope::Read);
        Scopes(set)
    }

    /// Reads scopes separated by spaces or commas (as stored, or as a client sends them).
    pub fn parse(s: &str) -> Result<Scopes, ScopesError> {
        Scopes::from_names(s.split([' ', ',']).filter(|w| !w.is_empty()))
    }

    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Scopes, ScopesError> {
        let mut set = BTreeSet::new();
        for name in names {
            let name = name.trim();
            set.insert(Scope::parse(name).ok_or_else(|| ScopesError::Unknown(name.to_string()))?);
        }
        if set.is_empty() {
            return Err(ScopesError::Empty);
        }
        Ok(Scopes(set))
    }

    /// As stored: names separated by single spaces, `read` first, then the areas in order.
    pub fn to_stored(&self) -> String {
        self.names().join(" ")
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|s| s.as_str()).collect()
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// Whether these scopes allow what `need` asks; if not, the scope that is missing.
    pub fn check(&self, need: Need) -> Result<(), Scope> {
        match (need.area, need.access) {
            (None, _) => Ok(()),
            (Some(a), Access::Read)
                if self.contains(Scope::Read) || self.contains(Scope::Write(a)) =>
            {
                Ok(())
            }
            (Some(_), Access::Read) => Err(Scope::Read),
            (Some(a), Access::Write) if self.contains(Scope::Write(a)) => Ok(()),
            (Some(a), Access::Write) => Err(Scope::Write(a)),
        }
    }
}

/// Whether an operation reads or changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// What an operation needs of a token: read or write in an area, or (no area) nothing beyond
/// a valid token (the caller's own profile, the API's document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need {
    pub area: Option<Area>,
    pub access: Access,
}

/// Path prefixes (of the routes under `/api/v1`, parameters written `{}` whatever their name)
/// and the area they belong to; `None` for what any token may call. The longest prefix that
/// matches whole segments wins, so `/cycles/{}/waves` (evaluation) overrides `/cycles`
/// (mentoring). To add an operation under a new path, add its prefix here.
pub const ROUTES: &[(&str, Option<Area>)] = &[
    ("/openapi.json", None),
    ("/me", None),
    // Mentoring: schemes and cycles and everything a cycle's pairs do.
    ("/schemes", Some(Area::Mentoring)),
    ("/cycles", Some(Area::Mentoring)),
    ("/applications", Some(Area::Mentoring)),
    ("/invitations", Some(Area::Mentoring)),
    ("/matching", Some(Area::Mentoring)),
    ("/pairs", Some(Area::Mentoring)),
    ("/meetings", Some(Area::Mentoring)),
    ("/notes", Some(Area::Mentoring)),
    ("/actions", Some(Area::Mentoring)),
    ("/concerns", Some(Area::Mentoring)),
    // Evaluation: survey waves, surveys, results, reports, the research export, chats.
    ("/cycles/{}/waves", Some(Area::Evaluation)),
    ("/cycles/{}/surveys", Some(Area::Evaluation)),
    ("/cycles/{}/results", Some(Area::Evaluation)),
    ("/cycles/{}/report", Some(Area::Evaluation)),
    ("/cycles/{}/reports", Some(Area::Evaluation)),
    ("/cycles/{}/research-export", Some(Area::Evaluation)),
    ("/cycles/{}/codebook", Some(Area::Evaluation)),
    ("/cycles/{}/chats", Some(Area::Evaluation)),
    ("/waves", Some(Area::Evaluation)),
    ("/surveys", Some(Area::Evaluation)),
    ("/results", Some(Area::Evaluation)),
    ("/reports", Some(Area::Evaluation)),
    ("/years", Some(Area::Evaluation)),
    ("/chats", Some(Area::Evaluation)),
    ("/evaluation", Some(Area::Evaluation)),
    // Tutoring.
    ("/tutoring", Some(Area::Tutoring)),
    ("/tutees", Some(Area::Tutoring)),
    ("/imports", Some(Area::Tutoring)),
    ("/allocations", Some(Area::Tutoring)),
    // Co-creation.
    ("/sprints", Some(Area::Cocreation)),
    ("/cocreation", Some(Area::Cocreation)),
    // Administration.
    ("/admin", Some(Area::Administration)),
    ("/people", Some(Area::Administration)),
    ("/organisation", Some(Area::Administration)),
    ("/audit", Some(Area::Administration)),
    ("/audit-entries", Some(Area::Administration)),
    ("/emails", Some(Area::Administration)),
    ("/webhooks", Some(Area::Administration)),
    // Evaluation: a cycle's quote bank and its findings per aim (with its chats, above).
    ("/cycles/{}/quotes", Some(Area::Evaluation)),
    ("/cycles/{}/aims", Some(Area::Evaluation)),
    // Evaluation: a scheme's codebook and a cycle's qualitative coding.
    ("/schemes/{}/codes", Some(Area::Evaluation)),
    ("/schemes/{}/codebook", Some(Area::Evaluation)),
    ("/cycles/{}/coding", Some(Area::Evaluation)),
];

/// Each segment of a route, with every parameter (`{id}`, `{pair}`) written `{}`.
fn segments(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                "{}"
            } else {
                s
            }
        })
        .collect()
}

/// The scope the operation `method route` needs, or `None` when [`ROUTES`] does not cover it.
/// `route` is the route as the router declares it (`/cycles/{id}/pairs`), under `/api/v1`.
pub fn required(method: &str, route: &str) -> Option<Need> {
    let path = segments(route);
    let area = ROUTES
        .iter()
        .filter_map(|(prefix, area)| {
            let p = segments(prefix);
            (p.len() <= path.len() && path[..p.len()] == p[..]).then_some((p.len(), *area))
        })
        .max_by_key(|(len, _)| *len)?
        .1;
    let access = if method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD") {
        Access::Read
    } else {
        Access::Write
    };
    Some(Need { area, access })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_prefix_names_the_area_and_the_method_the_access() {
        let need = required("GET", "/cycles/{id}/pairs").unwrap();
        assert_eq!(
            need,
            Need {
                area: Some(Area::Mentoring),
                access: Access::Read
            }
        );
        let need = required("POST", "/cycles/{cycle}/waves/{wave}/invite").unwrap();
        assert_eq!(
            need,
            Need {
                area: Some(Area::Evaluation),
                access: Access::Write
            }
        );
        assert_eq!(
            required("DELETE", "/webhooks/{id}").unwrap().area,
            Some(Area::Administration)
        );
        assert_eq!(required("GET", "/me").unwrap().area, None);
        // Whole segments only: `/schemesx` is not under `/schemes`.
        assert_eq!(required("GET", "/schemesx"), None);
        assert_eq!(required("GET", "/unmapped"), None);
    }

    #[test]
    fn read_reads_everything_and_a_write_scope_reads_and_writes_its_area_only() {
        let read = Scopes::parse("read").unwrap();
        let mentoring = Scopes::parse("mentoring").unwrap();
        let r = |a| Need {
            area: Some(a),
            access: Access::Read,
        };
        let w = |a| Need {
            area: Some(a),
            access: Access::Write,
        };
        assert_eq!(read.check(r(Area::Tutoring)), Ok(()));
        assert_eq!(
            read.check(w(Area::Mentoring)),
            Err(Scope::Write(Area::Mentoring))
        );
        assert_eq!(mentoring.check(r(Area::Mentoring)), Ok(()));
        assert_eq!(mentoring.check(w(Area::Mentoring)), Ok(()));
        assert_eq!(mentoring.check(r(Area::Tutoring)), Err(Scope::Read));
        assert_eq!(
            mentoring.check(w(Area::Administration)),
            Err(Scope::Write(Area::Administration))
        );
        let open = Need {
            area: None,
            access: Access::Read,
        };
        assert_eq!(mentoring.check(open), Ok(()));
    }

    #[test]
    fn scopes_round_trip_and_bad_names_are_named() {
        let all = Scopes::all();
        assert_eq!(
            all.to_stored(),
            "read mentoring evaluation tutoring cocreation administration"
        );
        assert_eq!(Scopes::parse(&all.to_stored()).unwrap(), all);
        assert_eq!(
            Scopes::parse("tutoring, read").unwrap().to_stored(),
            "read tutoring"
        );
        assert_eq!(
            Scopes::parse("write"),
            Err(ScopesError::Unknown("write".into()))
        );
        assert_eq!(Scopes::parse(" "), Err(ScopesError::Empty));
    }
}
