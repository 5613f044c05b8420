//! Weights as a coordinator chooses them — a few named levels rather than numbers — and the
//! cost of a pair explained in words from the weights actually in force.

use serde::{Deserialize, Serialize};

use super::MatchWeights;
use super::cost::SCALE;

/// How much one part of the cost counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightLevel {
    /// Not at all.
    Off,
    /// Half as much as "some".
    ALittle,
    /// The default.
    Some,
    /// Twice as much as "some".
    ALot,
}

impl WeightLevel {
    /// Every level, from off to a lot.
    pub const ALL: [Self; 4] = [Self::Off, Self::ALittle, Self::Some, Self::ALot];

    /// The weight the engine multiplies by (and the number stored).
    pub fn weight(self) -> u32 {
        match self {
            Self::Off => 0,
            Self::ALittle => 1,
            Self::Some => 2,
            Self::ALot => 4,
        }
    }

    /// The level a stored weight stands for; `None` for a number no level writes.
    pub fn from_weight(weight: i64) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| i64::from(l.weight()) == weight)
    }

    /// The form value, e.g. `a_little`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::ALittle => "a_little",
            Self::Some => "some",
            Self::ALot => "a_lot",
        }
    }

    /// Reads a form value written by [`WeightLevel::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code.trim())
    }

    /// The level in words, e.g. "a little".
    pub fn label(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::ALittle => "a little",
            Self::Some => "some",
            Self::ALot => "a lot",
        }
    }
}

/// How the cost of a pair is made under these weights, one sentence per part, for the
/// matching page. Every figure is computed from the weights, so the words cannot drift from
/// what the engine does. The preferences part is not described: nothing in a cycle feeds it.
pub fn cost_in_words(weights: MatchWeights) -> Vec<String> {
    let (wi, wa) = (
        i64::from(weights.interests),
        i64::from(weights.availability),
    );
    let mut out = vec![
        "Lower is a better fit: a pair's cost adds up a part for interests and a part for availability, and the proposal makes the total of all pairs as low as the rules allow."
            .to_owned(),
    ];
    out.push(if wi == 0 {
        "Shared interests are off: they do not change the cost.".to_owned()
    } else {
        format!(
            "Interests: a pair who share no interest adds {}; each shared interest lowers it by {} ÷ the number of different interests the two named between them (so by {} when they named 4 between them), down to 0 when they named the same interests.",
            SCALE * wi,
            SCALE * wi,
            SCALE * wi / 4
        )
    });
    out.push(if wa == 0 {
        "Shared availability is off: it does not change the cost.".to_owned()
    } else {
        format!(
            "Availability: a pair with no weekly slot in common adds {}; each slot in common lowers it by {} ÷ the number of slots of whichever of the two gave fewer (so by {} when that person gave 2), down to 0 when every one of their slots is shared.",
            SCALE * wa,
            SCALE * wa,
            SCALE * wa / 2
        )
    });
    if wi == 0 && wa == 0 {
        out.push(
            "With both off every allowed pair costs 0, so any matching within the rules is as good as another."
                .to_owned(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::{MatchingProblem, Participant, Slot};
    use crate::matching::{PartOfDay, Weekday};

    fn person(id: &str, interests: &[&str], slots: &[Slot]) -> Participant {
        Participant {
            id: id.into(),
            school: id.into(),
            interests: interests.iter().map(|s| s.to_string()).collect(),
            availability: slots.iter().copied().collect(),
            ..Participant::default()
        }
    }

    #[test]
    fn levels_round_trip_through_form_values_and_stored_weights() {
        for l in WeightLevel::ALL {
            assert_eq!(WeightLevel::parse(l.code()), Some(l));
            assert_eq!(WeightLevel::from_weight(i64::from(l.weight())), Some(l));
        }
        assert_eq!(WeightLevel::parse("500"), None);
        assert_eq!(WeightLevel::from_weight(3), None);
        assert_eq!(WeightLevel::from_weight(1000), None);
        // The engine's defaults are levels, so a cycle nobody has set up reads cleanly.
        let d = MatchWeights::default();
        assert_eq!(
            WeightLevel::from_weight(d.interests.into()),
            Some(WeightLevel::Some)
        );
        assert_eq!(
            WeightLevel::from_weight(d.availability.into()),
            Some(WeightLevel::Some)
        );
    }

    #[test]
    fn the_words_give_the_figures_the_engine_uses() {
        let weights = MatchWeights {
            interests: WeightLevel::ALot.weight(),
            availability: WeightLevel::ALittle.weight(),
            preferences: 0,
        };
        let words = cost_in_words(weights).join(" ");
        assert!(words.starts_with("Lower is a better fit"), "{words}");
        assert!(words.contains("no interest adds 400"), "{words}");
        assert!(words.contains("(so by 100 when they named 4"), "{words}");
        assert!(
            words.contains("no weekly slot in common adds 100"),
            "{words}"
        );
        assert!(
            words.contains("(so by 50 when that person gave 2)"),
            "{words}"
        );

        // The engine agrees: 1 shared of 4 named is 400 − 100; 1 shared slot of 2 is 100 − 50.
        let tue = Slot::new(Weekday::Tuesday, PartOfDay::Afternoon);
        let wed = Slot::new(Weekday::Wednesday, PartOfDay::Morning);
        let problem = MatchingProblem {
            mentors: vec![person("m", &["a", "b"], &[tue, wed])],
            mentees: vec![person(
                "e",
                &["a", "c", "d"],
                &[tue, wed, Slot::new(Weekday::Friday, PartOfDay::Evening)],
            )],
            weights,
            ..MatchingProblem::default()
        };
        let cost = problem.cost(0, 0);
        assert_eq!(cost.interests, 300);
        assert_eq!(cost.availability, 0);
        let problem = MatchingProblem {
            mentees: vec![person("e", &["a", "c", "d"], &[tue])],
            ..problem
        };
        assert_eq!(problem.cost(0, 0).availability, 0);
        let problem = MatchingProblem {
            mentors: vec![person("m", &["a", "b"], &[tue, wed])],
            mentees: vec![person(
                "e",
                &[],
                &[tue, Slot::new(Weekday::Friday, PartOfDay::Evening)],
            )],
            ..problem
        };
        assert_eq!(problem.cost(0, 0).availability, 50);
    }

    #[test]
    fn weights_that_are_off_say_so_and_all_off_says_any_matching_will_do() {
        let off = MatchWeights {
            interests: 0,
            availability: 0,
            preferences: 0,
        };
        let words = cost_in_words(off).join(" ");
        assert!(words.contains("Shared interests are off"));
        assert!(words.contains("Shared availability is off"));
        assert!(words.contains("any matching within the rules is as good as another"));
        assert!(
            !cost_in_words(MatchWeights::default())
                .join(" ")
                .contains("as good as another")
        );
    }
}
