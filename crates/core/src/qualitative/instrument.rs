//! Per-cycle, versioned instruments (issue 11): each cycle has its own copy of the survey
//! statements, so past cycles keep the words their respondents saw.
//!
//! Rules:
//! * a new cycle starts from the previous cycle's instrument: its statements that are still in
//!   use, with the same codes, aims and words, and the next version number; the first cycle of
//!   a scheme starts from the default instrument ([`CycleInstrument::default_for`]);
//! * before the cycle's first wave opens, a coordinator may add a statement, reword one or
//!   retire one; from the day the first wave opens the instrument is fixed
//!   ([`CycleInstrument::apply`] refuses with [`InstrumentError::Locked`]);
//! * a retired statement stays in the instrument (answers may already refer to it in a copy)
//!   but is not asked and is not copied forward; codes are never reused within an instrument;
//! * every statement belongs to one of the scheme's aims, about the side it is asked of.

use chrono::NaiveDate;
use serde::Serialize;

use super::aims::{self, Aim};
use crate::evaluation;

/// One statement of a cycle's instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstrumentStatement {
    /// Stable short code, e.g. `belonging`; the key answers are stored under.
    pub code: String,
    /// The participant role asked it (`mentor` or `mentee`).
    pub role: String,
    /// The key of the aim it evidences.
    pub aim: String,
    /// The words respondents see.
    pub text: String,
    /// Retired statements are kept but no longer asked, nor copied into the next cycle.
    pub retired: bool,
}

/// A cycle's instrument: its statements and its version (1 for a scheme's first cycle, then
/// one more than the instrument it was copied from).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleInstrument {
    pub version: u32,
    pub statements: Vec<InstrumentStatement>,
}

/// A coordinator's change to an instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstrumentEdit {
    Add {
        code: String,
        role: String,
        aim: String,
        text: String,
    },
    Reword {
        code: String,
        text: String,
    },
    Retire {
        code: String,
    },
}

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstrumentError {
    #[error("the first wave opened on {0}: the statements can no longer change")]
    Locked(NaiveDate),
    #[error("there is no statement {0:?} in this instrument")]
    UnknownStatement(String),
    #[error("the code {0:?} is already used in this instrument")]
    DuplicateCode(String),
    #[error("a statement's code is lower-case letters, digits and underscores (1 to 40): {0:?}")]
    BadCode(String),
    #[error("{0:?} is not an aim of this scheme")]
    UnknownAim(String),
    #[error("the aim {0:?} is about the other side of the scheme")]
    AimOfOtherRole(String),
    #[error("a statement is asked of mentors or mentees, not {0:?}")]
    UnknownRole(String),
    #[error("a statement's words are 1 to 300 characters")]
    BadText,
    #[error("the statement {0:?} is retired")]
    Retired(String),
}

/// Whether the instrument may still change: only while no wave has opened. `first_wave_opens`
/// is the opening date of the cycle's earliest wave, if its dates are set.
pub fn is_editable(first_wave_opens: Option<NaiveDate>, today: NaiveDate) -> bool {
    first_wave_opens.is_none_or(|opens| today < opens)
}

fn check_text(text: &str) -> Result<String, InstrumentError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 300 {
        return Err(InstrumentError::BadText);
    }
    Ok(text.to_string())
}

impl CycleInstrument {
    /// The instrument of a scheme's first cycle: the default statements, version 1.
    pub fn default_for() -> CycleInstrument {
        let statements = evaluation::default_instruments()
            .into_iter()
            .flat_map(|(role, statements)| {
                statements.into_iter().map(move |s| InstrumentStatement {
                    code: s.code.to_string(),
                    role: role.to_string(),
                    aim: aims::default_aim_of_statement(s.code)
                        .unwrap_or(s.code)
                        .to_string(),
                    text: s.text.to_string(),
                    retired: false,
                })
            })
            .collect();
        CycleInstrument {
            version: 1,
            statements,
        }
    }

    /// The instrument a new cycle starts from: this one's statements still in use, words
    /// unchanged, next version.
    pub fn copy_for_next_cycle(&self) -> CycleInstrument {
        CycleInstrument {
            version: self.version + 1,
            statements: self
                .statements
                .iter()
                .filter(|s| !s.retired)
                .cloned()
                .collect(),
        }
    }

    /// The statements asked of `role`, in order.
    pub fn asked_of<'a>(&'a self, role: &'a str) -> impl Iterator<Item = &'a InstrumentStatement> {
        self.statements
            .iter()
            .filter(move |s| !s.retired && s.role == role)
    }

    /// Applies one edit, checked against the scheme's aims and the cycle's first wave.
    pub fn apply(
        &self,
        edit: InstrumentEdit,
        aims: &[Aim],
        first_wave_opens: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<CycleInstrument, InstrumentError> {
        if let Some(opens) = first_wave_opens.filter(|_| !is_editable(first_wave_opens, today)) {
            return Err(InstrumentError::Locked(opens));
        }
        let mut next = self.clone();
        match edit {
            InstrumentEdit::Add {
                code,
                role,
                aim,
                text,
            } => {
                let code = code.trim().to_string();
                let good = !code.is_empty()
                    && code.len() <= 40
                    && code
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if !good {
                    return Err(InstrumentError::BadCode(code));
                }
                if self.statements.iter().any(|s| s.code == code) {
                    return Err(InstrumentError::DuplicateCode(code));
                }
                if role != "mentor" && role != "mentee" {
                    return Err(InstrumentError::UnknownRole(role));
                }
                match aims.iter().find(|a| a.key == aim) {
                    None => return Err(InstrumentError::UnknownAim(aim)),
                    // A statement asked of mentors evidences an aim about students, and so on.
                    Some(a) if a.audience.role() != role => {
                        return Err(InstrumentError::AimOfOtherRole(aim));
                    }
                    Some(_) => {}
                }
                next.statements.push(InstrumentStatement {
                    code,
                    role,
                    aim,
                    text: check_text(&text)?,
                    retired: false,
                });
            }
            InstrumentEdit::Reword { code, text } => {
                let text = check_text(&text)?;
                let statement = next
                    .statements
                    .iter_mut()
                    .find(|s| s.code == code)
                    .ok_or_else(|| InstrumentError::UnknownStatement(code.clone()))?;
                if statement.retired {
                    return Err(InstrumentError::Retired(code));
                }
                statement.text = text;
            }
            InstrumentEdit::Retire { code } => {
                let statement = next
                    .statements
                    .iter_mut()
                    .find(|s| s.code == code)
                    .ok_or_else(|| InstrumentError::UnknownStatement(code.clone()))?;
                if statement.retired {
                    return Err(InstrumentError::Retired(code));
                }
                statement.retired = true;
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_first_cycle_asks_the_default_statements_each_tied_to_an_aim() {
        let first = CycleInstrument::default_for();
        assert_eq!(first.version, 1);
        assert_eq!(first.asked_of("mentor").count(), 4);
        assert_eq!(first.asked_of("mentee").count(), 3);
        let aims = aims::default_aims();
        for s in &first.statements {
            assert!(aims.iter().any(|a| a.key == s.aim), "{}", s.code);
        }
    }

    #[test]
    fn a_new_cycle_copies_the_statements_in_use_with_their_words() {
        let aims = aims::default_aims();
        let today = day("2026-09-01");
        let first = CycleInstrument::default_for()
            .apply(
                InstrumentEdit::Reword {
                    code: "belonging".into(),
                    text: "I feel at home here.".into(),
                },
                &aims,
                None,
                today,
            )
            .unwrap()
            .apply(
                InstrumentEdit::Retire {
                    code: "visibility".into(),
                },
                &aims,
                None,
                today,
            )
            .unwrap();
        let second = first.copy_for_next_cycle();
        assert_eq!(second.version, 2);
        assert_eq!(second.statements.len(), 6);
        assert!(!second.statements.iter().any(|s| s.code == "visibility"));
        assert_eq!(second.statements[0].text, "I feel at home here.");
        // The first cycle keeps its retired statement and its words.
        assert!(
            first
                .statements
                .iter()
                .any(|s| s.code == "visibility" && s.retired)
        );
    }

    #[test]
    fn edits_are_refused_from_the_day_the_first_wave_opens() {
        let aims = aims::default_aims();
        let i = CycleInstrument::default_for();
        let opens = Some(day("2026-10-01"));
        let reword = InstrumentEdit::Reword {
            code: "valued".into(),
            text: "I matter here.".into(),
        };
        assert!(
            i.apply(reword.clone(), &aims, opens, day("2026-09-30"))
                .is_ok()
        );
        assert_eq!(
            i.apply(reword.clone(), &aims, opens, day("2026-10-01")),
            Err(InstrumentError::Locked(day("2026-10-01")))
        );
        assert!(i.apply(reword, &aims, opens, day("2027-03-01")).is_err());
        assert!(is_editable(None, day("2030-01-01")));
    }

    #[test]
    fn additions_need_a_fresh_code_a_known_role_and_aim_and_words() {
        let aims = aims::default_aims();
        let i = CycleInstrument::default_for();
        let t = day("2026-09-01");
        let add = |code: &str, role: &str, aim: &str, text: &str| InstrumentEdit::Add {
            code: code.into(),
            role: role.into(),
            aim: aim.into(),
            text: text.into(),
        };
        assert_eq!(
            i.apply(add("belonging", "mentor", "belonging", "x"), &aims, None, t),
            Err(InstrumentError::DuplicateCode("belonging".into()))
        );
        assert_eq!(
            i.apply(add("heard", "mentor", "voice", "x"), &aims, None, t),
            Err(InstrumentError::UnknownAim("voice".into()))
        );
        assert_eq!(
            i.apply(
                add("heard", "mentor", "understand_challenges", "x"),
                &aims,
                None,
                t
            ),
            Err(InstrumentError::AimOfOtherRole(
                "understand_challenges".into()
            ))
        );
        assert_eq!(
            i.apply(add("heard", "tutor", "belonging", "x"), &aims, None, t),
            Err(InstrumentError::UnknownRole("tutor".into()))
        );
        assert_eq!(
            i.apply(add("Heard", "mentor", "belonging", "x"), &aims, None, t),
            Err(InstrumentError::BadCode("Heard".into()))
        );
        assert_eq!(
            i.apply(add("heard", "mentor", "belonging", " "), &aims, None, t),
            Err(InstrumentError::BadText)
        );
        let added = i
            .apply(
                add("heard", "mentor", "belonging", "I am heard."),
                &aims,
                None,
                t,
            )
            .unwrap();
        assert_eq!(added.asked_of("mentor").count(), 5);
    }

    #[test]
    fn retired_statements_cannot_be_reworded_or_retired_again() {
        let aims = aims::default_aims();
        let t = day("2026-09-01");
        let retire = InstrumentEdit::Retire {
            code: "valued".into(),
        };
        let i = CycleInstrument::default_for()
            .apply(retire.clone(), &aims, None, t)
            .unwrap();
        assert_eq!(
            i.apply(retire, &aims, None, t),
            Err(InstrumentError::Retired("valued".into()))
        );
        assert!(matches!(
            i.apply(
                InstrumentEdit::Reword {
                    code: "nope".into(),
                    text: "x".into()
                },
                &aims,
                None,
                t
            ),
            Err(InstrumentError::UnknownStatement(_))
        ));
    }
}
