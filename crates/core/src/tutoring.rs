//! Personal tutoring in the app (SPEC §3.10): building an allocation from the stored
//! institution and its Schools' rules, checking a coordinator's hand-made move, validating a
//! logged contact, the no-contact-by date, and the small statistics the dashboard shows.
//!
//! Everything here is pure; the store loads the rows and the web layer renders the results.
use crate::allocation::rules::{Candidate, CostRules, balanced_capacity, pairing_cost};
use crate::allocation::{self, Edge, Problem};
use crate::cycle::AcademicYear;
use chrono::NaiveDate;
use std::collections::HashMap;

/// A School's tutoring rules, as the coordinator sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchoolRules {
    /// A student who had a tutor last year keeps them (multi-year continuity).
    pub continuity_required: bool,
    /// Places over an even share each tutor may take (balanced load).
    pub load_slack: u32,
    /// Weeks after the academic year starts by which every student should have had a contact.
    pub no_contact_weeks: u32,
}

impl Default for SchoolRules {
    fn default() -> Self {
        SchoolRules {
            continuity_required: false,
            load_slack: 2,
            // 1 August + 10 weeks: about six weeks into the autumn term.
            no_contact_weeks: 10,
        }
    }
}

/// The first day of an academic year (years start on 1 August, as [`AcademicYear::containing`]).
pub fn year_start(year: AcademicYear) -> NaiveDate {
    NaiveDate::from_ymd_opt(year.start_year(), 8, 1).expect("1 August exists")
}

/// Days from the start of `year` to `date`.
pub fn day_of_year(year: AcademicYear, date: NaiveDate) -> i64 {
    (date - year_start(year)).num_days()
}

/// The date by which a School's students should have had a first contact.
pub fn no_contact_by(year: AcademicYear, rules: &SchoolRules) -> NaiveDate {
    year_start(year) + chrono::Days::new(u64::from(rules.no_contact_weeks) * 7)
}

/// Whether a tutee has missed their School's no-contact-by date: the date has passed (in the
/// organisation's calendar, `today`) and their first contact of the year, if any, came after
/// it. `first_day` is that contact's day of the year ([`day_of_year`]).
pub fn contact_overdue(
    year: AcademicYear,
    rules: &SchoolRules,
    first_day: Option<i64>,
    today: NaiveDate,
) -> bool {
    let by = no_contact_by(year, rules);
    today > by && first_day.is_none_or(|d| d > day_of_year(year, by))
}

/// A tutor as the allocation sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocTutor {
    pub id: i64,
    pub school_id: i64,
    /// The tutor's own capacity, from the record system: never exceeded.
    pub capacity: u32,
}

/// A student as the allocation sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocStudent {
    pub id: i64,
    pub school_id: i64,
    /// Last year's tutor, if any.
    pub last_tutor: Option<i64>,
}

/// Why a student was left without a tutor.
/// Where a student's request for a change of tutor stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeRequestStatus {
    /// Waiting for the School's lead to decide.
    Pending,
    Approved,
    Declined,
}

impl ChangeRequestStatus {
    pub const ALL: [ChangeRequestStatus; 3] = [
        ChangeRequestStatus::Pending,
        ChangeRequestStatus::Approved,
        ChangeRequestStatus::Declined,
    ];

    /// The word stored for the status.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeRequestStatus::Pending => "pending",
            ChangeRequestStatus::Approved => "approved",
            ChangeRequestStatus::Declined => "declined",
        }
    }

    /// The status a stored word stands for; `None` for any other word.
    pub fn parse(s: &str) -> Option<ChangeRequestStatus> {
        ChangeRequestStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnplacedReason {
    /// The student's School has no tutors.
    NoTutorsInSchool,
    /// The School requires continuity and last year's tutor has no room (or has left).
    ContinuityTutorFull,
    /// Every allowed tutor of the School is full.
    AllTutorsFull,
}

impl UnplacedReason {
    pub fn as_str(self) -> &'static str {
        match self {
            UnplacedReason::NoTutorsInSchool => "no_tutors",
            UnplacedReason::ContinuityTutorFull => "continuity_tutor_full",
            UnplacedReason::AllTutorsFull => "all_full",
        }
    }

    pub fn parse(s: &str) -> Option<UnplacedReason> {
        [
            UnplacedReason::NoTutorsInSchool,
            UnplacedReason::ContinuityTutorFull,
            UnplacedReason::AllTutorsFull,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    /// The reason in words.
    pub fn words(self) -> &'static str {
        match self {
            UnplacedReason::NoTutorsInSchool => {
                "no allowed tutor with capacity: the student's School has no tutors"
            }
            UnplacedReason::ContinuityTutorFull => {
                "no allowed tutor with capacity: the School requires continuity and last year's tutor is full or has left"
            }
            UnplacedReason::AllTutorsFull => {
                "no allowed tutor with capacity: every tutor of the student's School is full"
            }
        }
    }
}

/// One student's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proposal {
    Tutor(i64),
    Unplaced(UnplacedReason),
}

/// A tutor's capacity for this allocation: their own capacity, but no more than an even share
/// of their School's students plus the School's slack, so that load stays balanced.
pub fn effective_capacity(
    tutor: &AllocTutor,
    school_students: usize,
    school_tutors: usize,
    rules: &SchoolRules,
) -> u32 {
    tutor.capacity.min(balanced_capacity(
        school_students,
        school_tutors,
        rules.load_slack,
    ))
}

/// Costs of leaving a student unplaced: far above any pairing, so the solver places as many
/// students as the rules allow before it weighs anything else.
const UNPLACED_COST: i64 = 1_000_000_000;

/// Allocates every student to a tutor of their own School. Schools are independent under the
/// own-School rule, so each is solved exactly on its own (smaller instances, less memory).
pub fn allocate_institution(
    students: &[AllocStudent],
    tutors: &[AllocTutor],
    rules: &HashMap<i64, SchoolRules>,
) -> Vec<(i64, Proposal)> {
    let mut by_school: HashMap<i64, (Vec<&AllocStudent>, Vec<&AllocTutor>)> = HashMap::new();
    for s in students {
        by_school.entry(s.school_id).or_default().0.push(s);
    }
    for t in tutors {
        by_school.entry(t.school_id).or_default().1.push(t);
    }
    let mut schools: Vec<i64> = by_school.keys().copied().collect();
    schools.sort_unstable();
    let mut out = Vec::with_capacity(students.len());
    for school in schools {
        let (s, t) = &by_school[&school];
        let r = rules.get(&school).copied().unwrap_or_default();
        out.extend(allocate_school(s, t, &r));
    }
    out
}

fn allocate_school(
    students: &[&AllocStudent],
    tutors: &[&AllocTutor],
    rules: &SchoolRules,
) -> Vec<(i64, Proposal)> {
    if tutors.is_empty() {
        return students
            .iter()
            .map(|s| (s.id, Proposal::Unplaced(UnplacedReason::NoTutorsInSchool)))
            .collect();
    }
    let cost_rules = CostRules::default();
    let capacities: Vec<u32> = tutors
        .iter()
        .map(|t| effective_capacity(t, students.len(), tutors.len(), rules))
        .collect();
    let mut edges = Vec::new();
    for (si, s) in students.iter().enumerate() {
        let had = s.last_tutor.is_some();
        for (ti, t) in tutors.iter().enumerate() {
            let candidate = Candidate {
                own_school: true,
                last_years_tutor: s.last_tutor == Some(t.id),
                continuity_required: rules.continuity_required && had,
                preferred: true,
            };
            if let Some(cost) = pairing_cost(&cost_rules, candidate, had) {
                edges.push(Edge {
                    student: si as u32,
                    tutor: ti as u32,
                    cost,
                });
            }
        }
    }
    let solved = Problem::new(capacities, students.len(), &edges)
        .and_then(|p| allocation::allocate(&p, Some(UNPLACED_COST)));
    let Ok(solved) = solved else {
        // Only reachable with an instance too large for u32 indices.
        return students
            .iter()
            .map(|s| (s.id, Proposal::Unplaced(UnplacedReason::AllTutorsFull)))
            .collect();
    };
    students
        .iter()
        .zip(solved.placements)
        .map(|(s, p)| match p {
            Some(p) => (s.id, Proposal::Tutor(tutors[p.tutor as usize].id)),
            None if rules.continuity_required && s.last_tutor.is_some() => (
                s.id,
                Proposal::Unplaced(UnplacedReason::ContinuityTutorFull),
            ),
            None => (s.id, Proposal::Unplaced(UnplacedReason::AllTutorsFull)),
        })
        .collect()
}

/// What the coordinator asks for when moving a student by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveRequest<'a> {
    pub student_school: i64,
    pub last_tutor: Option<i64>,
    pub tutor_id: i64,
    pub tutor_name: &'a str,
    pub tutor_school: i64,
    pub tutor_capacity: u32,
    /// Students the tutor has in the draft now (not counting this student).
    pub tutor_load: u32,
}

/// Why a move is refused, naming the tutor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    #[error("{tutor} is at capacity ({load} of {capacity} places taken)")]
    OverCapacity {
        tutor: String,
        load: u32,
        capacity: u32,
    },
    #[error("{tutor} is not allowed: they belong to another School")]
    OtherSchool { tutor: String },
    #[error("{tutor} is not allowed: the School requires students to keep last year's tutor")]
    ContinuityRequired { tutor: String },
}

/// Checks a hand-made move against the School's rules and the tutor's own capacity.
pub fn check_move(request: &MoveRequest<'_>, rules: &SchoolRules) -> Result<(), MoveRefused> {
    let tutor = request.tutor_name.to_string();
    if request.tutor_school != request.student_school {
        return Err(MoveRefused::OtherSchool { tutor });
    }
    if rules.continuity_required && request.last_tutor.is_some_and(|t| t != request.tutor_id) {
        return Err(MoveRefused::ContinuityRequired { tutor });
    }
    if request.tutor_load >= request.tutor_capacity {
        return Err(MoveRefused::OverCapacity {
            tutor,
            load: request.tutor_load,
            capacity: request.tutor_capacity,
        });
    }
    Ok(())
}

/// How a contact happened.
pub const MODES: &[(&str, &str)] = &[
    ("in_person", "In person"),
    ("online", "Online"),
    ("phone", "Phone"),
    ("email", "Email"),
];

/// Who started a contact.
pub const INITIATORS: &[(&str, &str)] = &[("tutor", "The tutor"), ("student", "The student")];

/// The longest note kept with a contact.
pub const NOTE_MAX: usize = 1000;

/// A contact as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput<'a> {
    pub date: &'a str,
    pub mode: &'a str,
    pub duration: &'a str,
    pub initiated_by: &'a str,
    pub note: &'a str,
}

/// A contact that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidContact {
    pub date: NaiveDate,
    pub mode: String,
    pub duration_minutes: i64,
    pub initiated_by: String,
    pub note: String,
}

/// Checks a contact; errors are (field, message), one per field.
pub fn validate_contact(
    input: &ContactInput<'_>,
    today: NaiveDate,
) -> Result<ValidContact, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let date = match crate::dates::plausible_date(input.date) {
        Ok(d) if d > today => {
            errors.push(("date", "The date cannot be in the future.".to_string()));
            None
        }
        Ok(d) => Some(d),
        Err(message) => {
            errors.push(("date", message));
            None
        }
    };
    if !MODES.iter().any(|(m, _)| *m == input.mode) {
        errors.push(("mode", "Choose how the contact happened.".to_string()));
    }
    let duration = match input.duration.trim().parse::<i64>() {
        Ok(d) if (1..=600).contains(&d) => Some(d),
        _ => {
            errors.push((
                "duration",
                "Enter the duration in whole minutes, from 1 to 600.".to_string(),
            ));
            None
        }
    };
    if !INITIATORS.iter().any(|(m, _)| *m == input.initiated_by) {
        errors.push((
            "initiated_by",
            "Choose who started the contact.".to_string(),
        ));
    }
    let note = input.note.trim();
    if note.chars().count() > NOTE_MAX {
        errors.push((
            "note",
            format!("Keep the note to {NOTE_MAX} characters or fewer."),
        ));
    }
    match (date, duration) {
        (Some(date), Some(duration_minutes)) if errors.is_empty() => Ok(ValidContact {
            date,
            mode: input.mode.to_string(),
            duration_minutes,
            initiated_by: input.initiated_by.to_string(),
            note: note.to_string(),
        }),
        _ => Err(errors),
    }
}

/// The words for a stored mode or initiator code.
pub fn mode_label(code: &str) -> &'static str {
    MODES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("Other", |(_, l)| l)
}

/// Minimum, median and maximum of a distribution given as (value, how many) pairs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub n: u64,
    pub min: i64,
    pub median: f64,
    pub max: i64,
}

/// The spread of a histogram; `None` when it is empty.
pub fn spread(histogram: &[(i64, u64)]) -> Option<Spread> {
    let mut h: Vec<(i64, u64)> = histogram.iter().copied().filter(|(_, c)| *c > 0).collect();
    h.sort_unstable();
    let n: u64 = h.iter().map(|(_, c)| c).sum();
    if n == 0 {
        return None;
    }
    let nth = |k: u64| -> i64 {
        let mut seen = 0;
        for (v, c) in &h {
            seen += c;
            if seen > k {
                return *v;
            }
        }
        h[h.len() - 1].0
    };
    let median = if n % 2 == 1 {
        nth(n / 2) as f64
    } else {
        (nth(n / 2 - 1) + nth(n / 2)) as f64 / 2.0
    };
    Some(Spread {
        n,
        min: h[0].0,
        median,
        max: h[h.len() - 1].0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tutee_is_overdue_once_the_date_passes_without_a_contact_by_it() {
        let year = AcademicYear::parse("2026/27").unwrap();
        let rules = SchoolRules::default();
        // Ten weeks after 1 August 2026: 10 October.
        let by = no_contact_by(year, &rules);
        assert_eq!(by, NaiveDate::from_ymd_opt(2026, 10, 10).unwrap());
        let day = day_of_year(year, by);
        let after = by.succ_opt().unwrap();
        assert!(
            !contact_overdue(year, &rules, None, by),
            "not before it passes"
        );
        assert!(contact_overdue(year, &rules, None, after));
        assert!(
            !contact_overdue(year, &rules, Some(day), after),
            "a contact on the day"
        );
        assert!(
            contact_overdue(year, &rules, Some(day + 1), after),
            "too late"
        );
    }

    fn tutor(id: i64, school: i64, capacity: u32) -> AllocTutor {
        AllocTutor {
            id,
            school_id: school,
            capacity,
        }
    }

    fn student(id: i64, school: i64, last: Option<i64>) -> AllocStudent {
        AllocStudent {
            id,
            school_id: school,
            last_tutor: last,
        }
    }

    #[test]
    fn students_keep_last_years_tutor_and_stay_in_their_school() {
        let tutors = [tutor(1, 10, 5), tutor(2, 10, 5), tutor(3, 20, 5)];
        let students = [
            student(100, 10, Some(2)),
            student(101, 10, None),
            student(102, 20, Some(1)),
        ];
        let out: HashMap<i64, Proposal> = allocate_institution(&students, &tutors, &HashMap::new())
            .into_iter()
            .collect();
        assert_eq!(out[&100], Proposal::Tutor(2));
        assert!(matches!(out[&101], Proposal::Tutor(1 | 2)));
        // Last year's tutor is in another School now: own School wins.
        assert_eq!(out[&102], Proposal::Tutor(3));
    }

    #[test]
    fn a_school_without_tutors_leaves_its_students_unplaced_with_the_reason() {
        let out = allocate_institution(&[student(1, 7, None)], &[tutor(1, 8, 3)], &HashMap::new());
        assert_eq!(
            out,
            vec![(1, Proposal::Unplaced(UnplacedReason::NoTutorsInSchool))]
        );
    }

    #[test]
    fn continuity_leaves_a_student_unplaced_when_last_years_tutor_is_full() {
        let rules = HashMap::from([(
            10,
            SchoolRules {
                continuity_required: true,
                load_slack: 0,
                ..SchoolRules::default()
            },
        )]);
        let tutors = [tutor(1, 10, 1), tutor(2, 10, 5)];
        let students = [student(100, 10, Some(1)), student(101, 10, Some(1))];
        let out = allocate_institution(&students, &tutors, &rules);
        let unplaced = out
            .iter()
            .filter(|(_, p)| *p == Proposal::Unplaced(UnplacedReason::ContinuityTutorFull))
            .count();
        assert_eq!(unplaced, 1);
    }

    #[test]
    fn load_is_balanced_within_the_slack() {
        let tutors = [tutor(1, 1, 100), tutor(2, 1, 100)];
        let students: Vec<AllocStudent> = (0..10).map(|i| student(i, 1, Some(1))).collect();
        let out = allocate_institution(&students, &tutors, &HashMap::new());
        let with_one = out.iter().filter(|(_, p)| *p == Proposal::Tutor(1)).count();
        // An even share is 5, slack 2: tutor 1 keeps 7 and the rest change.
        assert_eq!(with_one, 7);
    }

    #[test]
    fn moves_are_refused_naming_the_tutor() {
        let base = MoveRequest {
            student_school: 1,
            last_tutor: Some(9),
            tutor_id: 3,
            tutor_name: "Ada Quill (T3)",
            tutor_school: 1,
            tutor_capacity: 4,
            tutor_load: 4,
        };
        let rules = SchoolRules::default();
        let full = check_move(&base, &rules).unwrap_err();
        assert_eq!(
            full.to_string(),
            "Ada Quill (T3) is at capacity (4 of 4 places taken)"
        );
        let other = MoveRequest {
            tutor_school: 2,
            tutor_load: 0,
            ..base.clone()
        };
        assert!(
            check_move(&other, &rules)
                .unwrap_err()
                .to_string()
                .contains("Ada Quill (T3) is not allowed")
        );
        let continuity = SchoolRules {
            continuity_required: true,
            ..rules
        };
        let free = MoveRequest {
            tutor_load: 0,
            ..base.clone()
        };
        assert!(matches!(
            check_move(&free, &continuity),
            Err(MoveRefused::ContinuityRequired { .. })
        ));
        assert_eq!(check_move(&free, &rules), Ok(()));
    }

    #[test]
    fn contacts_are_validated_field_by_field() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let ok = ContactInput {
            date: "2026-11-20",
            mode: "online",
            duration: "30",
            initiated_by: "student",
            note: " Talked about placements ",
        };
        let v = validate_contact(&ok, today).unwrap();
        assert_eq!(
            (v.duration_minutes, v.note.as_str()),
            (30, "Talked about placements")
        );
        let bad = ContactInput {
            date: "2026-11-24",
            mode: "fax",
            duration: "601",
            initiated_by: "",
            note: "",
        };
        let fields: Vec<&str> = validate_contact(&bad, today)
            .unwrap_err()
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(fields, vec!["date", "mode", "duration", "initiated_by"]);
        let zero = ContactInput {
            duration: "0",
            ..ok
        };
        assert!(validate_contact(&zero, today).is_err());
    }

    #[test]
    fn spread_reads_a_histogram() {
        let s = spread(&[(3, 1), (1, 2), (10, 1)]).unwrap();
        assert_eq!((s.n, s.min, s.median, s.max), (4, 1, 2.0, 10));
        assert_eq!(spread(&[(5, 3)]).unwrap().median, 5.0);
        assert!(spread(&[]).is_none());
    }

    #[test]
    fn no_contact_by_counts_weeks_from_the_first_of_august() {
        let y = AcademicYear::from_start_year(2026);
        assert_eq!(
            no_contact_by(y, &SchoolRules::default()),
            NaiveDate::from_ymd_opt(2026, 10, 10).unwrap()
        );
        assert_eq!(
            day_of_year(y, NaiveDate::from_ymd_opt(2026, 8, 11).unwrap()),
            10
        );
    }
}
