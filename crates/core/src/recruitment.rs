//! Recruitment to a reverse-mentoring cycle (SPEC §3.2): what an application holds, the three
//! separate consents, and the decisions a coordinator can make.

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationStatus {
    Submitted,
    Accepted,
    Waitlisted,
    Declined,
    /// The applicant withdrew their consent to take part.
    Withdrawn,
}

impl ApplicationStatus {
    pub const DECISIONS: [ApplicationStatus; 3] = [
        ApplicationStatus::Accepted,
        ApplicationStatus::Waitlisted,
        ApplicationStatus::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::Waitlisted => "waitlisted",
            ApplicationStatus::Declined => "declined",
            ApplicationStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicationStatus> {
        [
            ApplicationStatus::Submitted,
            ApplicationStatus::Accepted,
            ApplicationStatus::Waitlisted,
            ApplicationStatus::Declined,
            ApplicationStatus::Withdrawn,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// How the applicant reads it.
    pub fn label(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "Received, not yet decided",
            ApplicationStatus::Accepted => "Accepted",
            ApplicationStatus::Waitlisted => "On the waiting list",
            ApplicationStatus::Declined => "Not offered a place this time",
            ApplicationStatus::Withdrawn => "Withdrawn",
        }
    }
}

/// The three consents an applicant gives or withholds separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConsentKind {
    /// Taking part in the scheme: required to apply.
    TakePart,
    /// Research use of survey answers.
    Research,
    /// Use of anonymised quotes.
    Quotes,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 3] = [
        ConsentKind::TakePart,
        ConsentKind::Research,
        ConsentKind::Quotes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::TakePart => "take_part",
            ConsentKind::Research => "research",
            ConsentKind::Quotes => "quotes",
        }
    }

    pub fn parse(s: &str) -> Option<ConsentKind> {
        ConsentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The plain words next to the checkbox.
    pub fn wording(self) -> &'static str {
        match self {
            ConsentKind::TakePart => {
                "I want to take part in the scheme, and agree that the scheme's coordinators may use what I give here to review my application and match me with a partner."
            }
            ConsentKind::Research => {
                "The evaluation team may use my survey answers for research, without my name."
            }
            ConsentKind::Quotes => {
                "Things I say may be quoted in reports, anonymised so that I cannot be recognised."
            }
        }
    }

    /// A short name, for lists.
    pub fn label(self) -> &'static str {
        match self {
            ConsentKind::TakePart => "Taking part",
            ConsentKind::Research => "Research use of my survey answers",
            ConsentKind::Quotes => "Use of anonymised quotes",
        }
    }
}

/// Levels of study an applicant can choose from.
pub const LEVELS: [(&str, &str); 7] = [
    ("ug1", "Undergraduate, year 1"),
    ("ug2", "Undergraduate, year 2"),
    ("ug3", "Undergraduate, year 3"),
    ("ug4", "Undergraduate, year 4 or later"),
    ("pgt", "Postgraduate taught"),
    ("pgr", "Postgraduate research"),
    ("other", "Other"),
];

/// The label of a level code ("" for an unknown one).
pub fn level_label(code: &str) -> &'static str {
    LEVELS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, l)| l)
}

pub const WEEKDAYS: [(&str, &str); 5] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
];

pub const TIMES_OF_DAY: [(&str, &str); 3] =
    [("am", "Morning"), ("pm", "Afternoon"), ("eve", "Evening")];

/// Whether `slot` is a weekly availability slot such as `tue-pm`.
pub fn is_slot(slot: &str) -> bool {
    slot.split_once('-').is_some_and(|(d, t)| {
        WEEKDAYS.iter().any(|(c, _)| *c == d) && TIMES_OF_DAY.iter().any(|(c, _)| *c == t)
    })
}

/// "Tuesday afternoon" for `tue-pm`.
pub fn slot_label(slot: &str) -> String {
    let Some((d, t)) = slot.split_once('-') else {
        return slot.to_string();
    };
    let day = WEEKDAYS.iter().find(|(c, _)| *c == d).map_or(d, |(_, l)| l);
    let time = TIMES_OF_DAY
        .iter()
        .find(|(c, _)| *c == t)
        .map_or(t.to_string(), |(_, l)| l.to_lowercase());
    format!("{day} {time}")
}

/// The matcher's weekly slot for a slot code such as `tue-pm`.
pub fn slot(code: &str) -> Option<crate::matching::Slot> {
    use crate::matching::{PartOfDay, Slot, Weekday};
    let (d, t) = code.split_once('-')?;
    let day = match d {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        _ => return None,
    };
    let part = match t {
        "am" => PartOfDay::Morning,
        "pm" => PartOfDay::Afternoon,
        "eve" => PartOfDay::Evening,
        _ => return None,
    };
    Some(Slot::new(day, part))
}

/// Comma-separated interests as tags: trimmed, lower-cased, empty ones and repeats dropped,
/// in the order given.
pub fn parse_interests(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in text.split(',') {
        let t = tag
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_consents_round_trip() {
        for s in [
            ApplicationStatus::Submitted,
            ApplicationStatus::Accepted,
            ApplicationStatus::Waitlisted,
            ApplicationStatus::Declined,
            ApplicationStatus::Withdrawn,
        ] {
            assert_eq!(ApplicationStatus::parse(s.as_str()), Some(s));
        }
        for k in ConsentKind::ALL {
            assert_eq!(ConsentKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ApplicationStatus::parse("maybe"), None);
    }

    #[test]
    fn interests_become_clean_distinct_tags() {
        assert_eq!(
            parse_interests(" Assessment,  belonging , ,BELONGING, student  voice"),
            vec!["assessment", "belonging", "student voice"]
        );
    }

    #[test]
    fn only_weekday_times_are_slots() {
        assert!(is_slot("tue-pm"));
        assert!(!is_slot("sat-pm") && !is_slot("tue") && !is_slot("tue-night"));
        assert_eq!(slot_label("wed-eve"), "Wednesday evening");
        for (d, _) in WEEKDAYS {
            for (t, _) in TIMES_OF_DAY {
                assert!(slot(&format!("{d}-{t}")).is_some());
            }
        }
        assert_eq!(slot("sat-pm"), None);
    }
}
